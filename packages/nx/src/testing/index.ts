/**
 * `@raven-ts/nx/testing`: the backend conformance suite. Every backend runs
 * the same tests, written once against the public API:
 *
 * ```ts
 * // test/conformance.mybackend.test.ts
 * import { describeBackendConformance } from "@raven-ts/nx/testing";
 * import { MyBackend } from "../src/index.js";
 *
 * describeBackendConformance("mybackend", () => new MyBackend());
 * ```
 *
 * What the suite skips follows from the backend's declared capabilities
 * (`Backend.capabilities`): cases of a dtype it does not store, integers
 * beyond its `maxExactInteger`, subnormal inputs when it flushes them, and
 * tensors beyond its `maxElements` are skipped with the reason; everything
 * else must pass.
 *
 * Expected values come from `vectors.ts`, generated independently with numpy
 * by `scripts/gen-conformance-vectors.py` (nx's documented semantics where
 * they differ from numpy's), plus hand-written checks of the storage contract,
 * memory accounting, random streams and argument errors.
 *
 * It also exports {@link expectInvalidArgument}, the assertion every test of
 * the workspace uses for a call that must reject its arguments.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { Backend } from "../backend.js";
import type { FloatDType } from "../dtype.js";
import * as nx from "../index.js";
import type { Tolerance, Tolerances } from "./compare.js";
import { DEFAULT_TOLERANCES } from "./compare.js";
import { registerBackendContractTests, registerCapabilityTests, registerMemoryTests, registerRandomTests } from "./contract.js";
import { registerErrorTests } from "./errors.js";
import type { SuiteContext } from "./harness.js";
import { makeContext } from "./harness.js";
import { caseNeeds, runCase } from "./runner.js";
import { VECTORS } from "./vectors.js";

export type { Tolerance, Tolerances } from "./compare.js";
export { DEFAULT_TOLERANCES, compareHost, tensorMismatch } from "./compare.js";
export { expectInvalid } from "./harness.js";
export { expectInvalidArgument } from "./invalid-argument.js";
export { seededUniform } from "./seeded.js";
export type { HostVec, RandomCase, VectorArg, VectorCase, VectorOp, VectorParams, ViewStep } from "./types.js";
export { RANDOM_VECTORS, VECTORS } from "./vectors.js";
export type { Needs } from "./needs.js";
export { unmetNeeds } from "./needs.js";
export { caseNeeds, drawRandomCase, randomCaseNeeds, runCase, runRandomCase } from "./runner.js";

/** Options of {@link describeBackendConformance}. */
export interface ConformanceOptions {
  /**
   * Float tolerances replacing the defaults per dtype (float32: atol 1e-6,
   * rtol 1e-5; float64: atol 1e-12, rtol 1e-10). The absolute tolerance is
   * scaled by each case's magnitude (e.g. the sum of `|x|` for a sum).
   */
  readonly tolerance?: Tolerances;
}

/** The top-level groups of vector ids, in the order they are registered. */
const GROUP_ORDER = [
  "unary", "binary", "where", "reduce", "softmax", "logSoftmax", "argmax", "argmin", "cumsum", "cumprod", "sort", "argsort", "topk", "cast",
  "view", "pad", "prim", "concatenate", "stack", "split", "matmul", "einsum", "take", "takeAlongAxis", "oneHot", "creation",
] as const;

function registerVectorTests(ctx: SuiteContext): void {
  const groups = new Map<string, typeof VECTORS[number][]>();
  for (const c of VECTORS) {
    const g = c.id.slice(0, c.id.indexOf("."));
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(c);
  }
  const names = [...GROUP_ORDER.filter((g) => groups.has(g)), ...[...groups.keys()].filter((g) => !(GROUP_ORDER as readonly string[]).includes(g))];
  for (const g of names) {
    describe(g, () => {
      for (const c of groups.get(g) ?? []) ctx.test(c.id, () => runCase(c, ctx.tolerances), caseNeeds(c));
    });
  }
}

/**
 * `describeBackendConformance(name, createBackend, options?)` registers (with
 * vitest's `describe`/`it`) the conformance suite for the backend that
 * `createBackend()` builds: before the tests it selects that backend with
 * `setBackend` (restoring the previous one afterwards), then exercises every
 * backend primitive through the public ops (elementwise, comparisons,
 * `where`, reductions, arg-reductions, scans, casts between every dtype pair,
 * copies of strided views, matmul, gather/scatter, pad, concat, random
 * streams) across dtypes, broadcasting, strided inputs (transposed, stepped,
 * flipped and broadcast views) and edge shapes (size 0, rank 0, size-1 axes);
 * checks each op's documented `InvalidArgumentError`s; checks the storage
 * contract (`upload`/`read`/`free`/`memory`) directly; and finally checks
 * that the suite left no live buffer on the backend.
 * Call it at the top level of a test file. `options` are described in
 * {@link ConformanceOptions}.
 */
export function describeBackendConformance(name: string, createBackend: () => Backend, options: ConformanceOptions = {}): void {
  const tolerances: Record<FloatDType, Tolerance> = { ...DEFAULT_TOLERANCES, ...options.tolerance };
  let backend: Backend | undefined;
  let previous: Backend | undefined;
  let baseline = { buffers: 0, bytes: 0, tensors: 0 };
  const current = (): Backend => {
    if (!backend) throw new Error("describeBackendConformance: the backend is only available inside tests");
    return backend;
  };
  const ctx = makeContext(current, tolerances);

  describe(`nx backend conformance: ${name}`, () => {
    beforeAll(() => {
      previous = nx.getBackend();
      backend = createBackend();
      nx.setBackend(backend);
      const m = backend.memory();
      baseline = { buffers: m.buffers, bytes: m.bytes, tensors: nx.memory().backends[backend.name]?.tensors ?? 0 };
    });
    afterAll(() => {
      if (previous) nx.setBackend(previous);
    });

    registerVectorTests(ctx);
    describe("random", () => registerRandomTests(ctx));
    describe("errors", () => registerErrorTests(ctx));
    describe("backend", () => registerBackendContractTests(ctx));
    describe("memory", () => registerMemoryTests(ctx));
    describe("capabilities", () => registerCapabilityTests(ctx));
    describe("leaks", () => {
      ctx.test("leaks.none", () => {
        const b = current();
        const m = b.memory();
        expect({ buffers: m.buffers, bytes: m.bytes, tensors: nx.memory().backends[b.name]?.tensors ?? 0 }).toEqual(baseline);
      });
    });
  });
}
