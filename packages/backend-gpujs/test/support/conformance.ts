/**
 * What every mode passes to nx's conformance suite, and why.
 *
 * - `float64` is not supported (gpu.js computes in float32).
 * - The `*.int32.edges|values|wrap` cases (and the int32 casts) use values
 *   near ±2^31; int32 is stored as float32 here and is exact only while
 *   |v| < 2^24, so those cases cannot hold. `tensors.test.ts` checks int32
 *   semantics (wrap-around, mod, pow) within the exact range instead.
 */
import type { ConformanceOptions } from "@raven-ts/nx/testing";
import { describeBackendConformance } from "@raven-ts/nx/testing";
import { describe, expect, it } from "vitest";
import type { EngineMode, GpujsBackend } from "../../src/index.js";
import { gpujsBackend } from "../../src/index.js";
import { describeMode } from "./modes.js";

/** The int32 cases whose values lie beyond float32's exact-integer range. */
export const INT32_BEYOND_2_24: readonly string[] = [
  "binary.add.int32.edges",
  "binary.sub.int32.edges",
  "binary.mul.int32.edges",
  "binary.mul.large.int32-wrap",
  "binary.mod.int32.edges",
  "binary.pow.int32.edges",
  "binary.maximum.int32.edges",
  "binary.minimum.int32.edges",
  "binary.pow.scalar.uint8*300",
  "cast.float32->int32",
  "cast.int32->int32",
  "cast.int32->uint8",
  "cumsum.int32.wrap",
  "matmul.int32.wrap",
  "reduce.sum.int32.wrap",
  "unary.abs.int32.values",
  "unary.ceil.int32.values",
  "unary.floor.int32.values",
  "unary.neg.int32.values",
  "unary.round.int32.values",
  "unary.square.int32.values",
];

/** Options shared by every mode's conformance run. */
export const CONFORMANCE: ConformanceOptions = {
  skipDTypes: ["float64"],
  skip: INT32_BEYOND_2_24,
};

/**
 * `describeConformance(mode, extraSkip)` registers nx's conformance suite on
 * a gpujs backend in `mode` (skipping {@link CONFORMANCE}'s cases and
 * `extraSkip`), then checks that gpu.js never degraded one of its kernels to
 * its CPU kernel along the way.
 */
export function describeConformance(mode: EngineMode, extraSkip: readonly string[] = []): void {
  describeMode(mode, () => {
    let backend: GpujsBackend | undefined;
    describeBackendConformance(`gpujs-${mode}`, () => (backend = gpujsBackend({ mode })), {
      ...CONFORMANCE,
      skip: [...(CONFORMANCE.skip ?? []), ...extraSkip],
    });
    describe(`gpujs-${mode} after the conformance suite`, () => {
      it("ran every kernel in its own mode (no fallback to gpu.js's CPU kernel)", () => {
        expect(backend?.stats().fallbackReasons).toEqual([]);
        expect(backend?.stats().kernelsCompiled).toBeGreaterThan(100);
      });
    });
  });
}
