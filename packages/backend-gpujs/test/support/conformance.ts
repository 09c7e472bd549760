/**
 * nx's conformance suite on a gpujs backend. Nothing is skipped by name:
 * the suite skips what the backend's capabilities exclude (float64, which it
 * does not store; integer cases beyond its exact range of 2^24; subnormal
 * inputs on GL, which flushes them) and runs everything else.
 */
import { describeBackendConformance } from "@raven-ts/nx/testing";
import { describe, expect, it } from "vitest";
import type { EngineMode, GpujsBackend } from "../../src/index.js";
import { gpujsBackend } from "../../src/index.js";
import { describeMode } from "./modes.js";

/**
 * `describeConformance(mode)` registers nx's conformance suite on a gpujs
 * backend in `mode`, then checks that gpu.js never degraded one of its
 * kernels to its CPU kernel along the way.
 */
export function describeConformance(mode: EngineMode): void {
  describeMode(mode, () => {
    let backend: GpujsBackend | undefined;
    describeBackendConformance(`gpujs-${mode}`, () => (backend = gpujsBackend({ mode })));
    describe(`gpujs-${mode} after the conformance suite`, () => {
      it("ran every kernel in its own mode (no fallback to gpu.js's CPU kernel)", () => {
        expect(backend?.stats().fallbackReasons).toEqual([]);
        expect(backend?.stats().kernelsCompiled).toBeGreaterThan(100);
      });
    });
  });
}
