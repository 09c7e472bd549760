/**
 * What every mode passes to nx's conformance suite, and why.
 *
 * - `float64` is not supported (gpu.js computes in float32).
 * - The `*.int32.edges|values|wrap` cases (and the int32 casts) use values
 *   near ±2^31; int32 is stored as float32 here and is exact only while
 *   |v| < 2^24, so those cases cannot hold. `tensors.test.ts` checks int32
 *   semantics (wrap-around, mod, pow) within the exact range instead.
 * - `backend.fill-iota` calls `fill`/`iota` with float64 directly (not
 *   gated by `skipDTypes`); `storage.test.ts` covers the other rows.
 */
import type { ConformanceOptions } from "@raven-ts/nx/testing";

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
  skip: [...INT32_BEYOND_2_24, "backend.fill-iota"],
};
