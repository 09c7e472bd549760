/**
 * `@raven-ts/rune/testing`: rune's gradient checks, runnable on any nx
 * backend. `describeGradientChecks(name, createBackend)` registers vitest
 * tests comparing every VJP rule with central finite differences, and a
 * coverage test proving that every differentiable nx primitive is exercised.
 * `checkGradient(f, inputs)` checks a function of your own the same way.
 */
import * as nx from "@raven-ts/nx";
import type { Backend, DType, FloatDType, Tensor } from "@raven-ts/nx";
import type { Primitive } from "@raven-ts/nx/primitives";
import { PRIMITIVES, addTracer } from "@raven-ts/nx/primitives";
import { seededUniform, unmetNeeds } from "@raven-ts/nx/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grad } from "../api.js";
import { isDifferentiable } from "../rules.js";
import { observeRules } from "../tape.js";
import type { GradientCase, InputSpec, Layout } from "./cases.js";
import { GRADIENT_CASES } from "./cases.js";

export type { GradientCase, InputSpec, Layout } from "./cases.js";
export { GRADIENT_CASES } from "./cases.js";

/** The default tolerance of the float64 checks: the largest elementwise difference between the rune and finite-difference gradients, relative to the largest magnitude of either. */
export const FLOAT64_TOLERANCE = 1e-5;

/**
 * The default tolerance of the float32 checks (same measure as
 * {@link FLOAT64_TOLERANCE}). The reference is still a float64 finite
 * difference (on the CPU backend, from the same float32-rounded inputs), so
 * the tolerance only has to absorb the float32 rounding of the backend's
 * forward and backward passes: about 1e-6 relative per op, accumulated over
 * the dozen ops of a check, with room for less accurate transcendental
 * functions on GPUs.
 */
export const FLOAT32_TOLERANCE = 1e-3;

/** Options of {@link describeGradientChecks}. */
export interface GradientCheckOptions {
  /**
   * The dtype of the differentiated inputs; defaults to `"float64"`. With
   * `"float64"` the finite differences run on the backend under test; with
   * `"float32"` (for backends without float64) the rune gradient is computed
   * on the backend in float32 and compared with float64 finite differences
   * on nx's CPU backend.
   */
  readonly dtype?: FloatDType;
  /** The tolerance; defaults to {@link FLOAT64_TOLERANCE} or {@link FLOAT32_TOLERANCE}. */
  readonly tolerance?: number;
  /** Seed of the random inputs and cotangents; defaults to 0. */
  readonly seed?: number;
  /** Called with each check's name and measured error (e.g. to log the margins of a new backend); defaults to nothing. */
  readonly report?: (check: string, error: number) => void;
}

/** What {@link checkGradient} measured. */
export interface GradientCheckResult {
  /** The largest elementwise `|rune - numeric|`, divided by the largest magnitude among both gradients (the absolute difference when both are zero). */
  readonly error: number;
  /** Where the largest difference is, as `"input 1, element 5: rune 0.3, numeric 0.31"`. */
  readonly worst: string;
  /** The gradient rune computed, per input, in C order. */
  readonly analytic: readonly Float64Array[];
  /** The central finite-difference gradient, per input, in C order. */
  readonly numeric: readonly Float64Array[];
}

// ---------------------------------------------------------------------------
// Random numbers


function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function sample(spec: InputSpec, rand: () => number, dtype: FloatDType): Float64Array {
  const n = nx.sizeOf(spec.shape);
  const out = new Float64Array(n);
  const [lo, hi] = spec.range ?? [-1, 1];
  for (let i = 0; i < n; i++) {
    let v = spec.values ? (spec.values[i] ?? 0) : lo + (hi - lo) * rand();
    if (spec.signed && !spec.values && rand() < 0.5) v = -v;
    if (spec.grid !== undefined) v = Math.round(v / spec.grid) * spec.grid;
    out[i] = dtype === "float32" ? Math.fround(v) : v;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Inputs with a memory layout

/** `materialize(values, shape, dtype, layout)` is a tensor with these logical values (C order) laid out as `layout` says. */
function materialize(values: Float64Array, shape: readonly number[], dtype: FloatDType, layout: Layout): Tensor {
  return nx.tidy(() => {
    const t = nx.tensor(dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values), { shape, dtype });
    if (shape.length === 0 || layout === "contiguous") return t;
    if (layout === "transposed") {
      if (shape.length < 2) return t;
      return nx.transpose(nx.contiguous(nx.transpose(t)));
    }
    // sliced: stride 2 on the last axis (a junk element between neighbours) and a flipped first axis.
    const last = shape.length - 1;
    const flipped = nx.contiguous(nx.flip(t, 0));
    const interleaved = nx.reshape(nx.stack([flipped, nx.fullLike(flipped, -7)], { axis: -1 }), [...shape.slice(0, last), 2 * (shape[last] as number)]);
    const strided = nx.slice(interleaved, shape.map((_, i) => (i === last ? { step: 2 } : null)));
    return nx.flip(strided, 0);
  });
}

function hostValues(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync() as ArrayLike<number>);
}

// ---------------------------------------------------------------------------
// The comparison

function compareGradients(analytic: readonly Float64Array[], numeric: readonly Float64Array[]): { error: number; worst: string } {
  let diff = 0;
  let scale = 0;
  let worst = "no elements";
  analytic.forEach((a, i) => {
    const n = numeric[i] as Float64Array;
    a.forEach((v, e) => {
      const w = n[e] as number;
      const d = Number.isNaN(v) || Number.isNaN(w) ? Number.POSITIVE_INFINITY : Math.abs(v - w);
      scale = Math.max(scale, Math.abs(v), Math.abs(w));
      if (d >= diff) {
        diff = d;
        worst = `input ${i}, element ${e}: rune ${v}, numeric ${w}`;
      }
    });
  });
  return { error: scale > 1e-12 ? diff / scale : diff, worst };
}

/** `numericGradient(loss, values, step)` is the central finite-difference gradient of `loss` at `values`. */
function numericGradient(loss: (values: readonly Float64Array[]) => number, values: readonly Float64Array[], step: number): Float64Array[] {
  const work = values.map((v) => Float64Array.from(v));
  return work.map((v) => {
    const g = new Float64Array(v.length);
    for (let e = 0; e < v.length; e++) {
      const orig = v[e] as number;
      v[e] = orig + step;
      const plus = loss(work);
      v[e] = orig - step;
      const minus = loss(work);
      v[e] = orig;
      g[e] = (plus - minus) / (2 * step);
    }
    return g;
  });
}

/** The projected loss `sum(f(xs) * cotangent)` as a number. */
function projectedLoss(f: () => Tensor, cotangent: Float64Array): number {
  return nx.tidy(() => {
    const y = f();
    const c = nx.tensor(y.dtype === "float32" ? Float32Array.from(cotangent) : Float64Array.from(cotangent), { shape: y.shape, dtype: y.dtype as FloatDType });
    return Number(nx.sum(nx.mul(y, c)).dataSync()[0]);
  });
}

function analyticGradient(f: (xs: readonly Tensor[]) => Tensor, inputs: readonly Tensor[], cotangent: Float64Array): Float64Array[] {
  return nx.tidy(() => {
    const gs = grad((xs: Tensor[]) => {
      const y = f(xs);
      const c = nx.tensor(y.dtype === "float32" ? Float32Array.from(cotangent) : Float64Array.from(cotangent), { shape: y.shape, dtype: y.dtype as FloatDType });
      return nx.sum(nx.mul(y, c));
    })([...inputs]);
    gs.forEach((g, i) => {
      const x = inputs[i] as Tensor;
      if (g.dtype !== x.dtype || !nx.shapesEqual(g.shape, x.shape)) {
        throw new Error(`gradient of input ${i} has shape ${nx.fmtShape(g.shape)} and dtype ${g.dtype}, expected ${nx.fmtShape(x.shape)} and ${x.dtype}`);
      }
    });
    return gs.map(hostValues);
  });
}

function outputSize(f: () => Tensor): number {
  return nx.tidy(() => f().size);
}

/**
 * `checkGradient(f, inputs, options?)` compares rune's gradient of
 * `sum(f(inputs) * c)` (for a random cotangent `c` of `f`'s output shape)
 * with central finite differences of step `options.step` (default 1e-6, for
 * float64 inputs; use about 1e-2 for float32), on the inputs' backend and in
 * their dtypes. `f` must return a float tensor. `options.seed` (default 0)
 * seeds the cotangent.
 * @throws InvalidArgumentError as `rune.grad` does (e.g. for non-float inputs).
 */
export function checkGradient(f: (xs: readonly Tensor[]) => Tensor, inputs: readonly Tensor[], options: { readonly step?: number; readonly seed?: number } = {}): GradientCheckResult {
  const rand = seededUniform(options.seed ?? 0);
  const size = outputSize(() => f(inputs));
  const cotangent = new Float64Array(size).map(() => 2 * rand() - 1);
  const analytic = analyticGradient(f, inputs, cotangent);
  const values = inputs.map(hostValues);
  const numeric = numericGradient(
    (vals) => projectedLoss(() => f(vals.map((v, i) => nx.tensor(Float64Array.from(v), { shape: (inputs[i] as Tensor).shape, dtype: (inputs[i] as Tensor).dtype }))), cotangent),
    values,
    options.step ?? 1e-6,
  );
  return { ...compareGradients(analytic, numeric), analytic, numeric };
}

/** `caseDTypes(c, dtype)` is every dtype check `c` creates on the backend under test when run in `dtype`. */
export function caseDTypes(c: GradientCase, dtype: FloatDType): DType[] {
  return [...new Set<DType>([dtype, ...c.inputs.map((s) => s.dtype ?? dtype), ...(c.dtypes ?? [])])];
}

/** Runs one case: rune's gradient on the current backend in `dtype`, against float64 finite differences (on the CPU backend in float32 mode). */
function runCase(c: GradientCase, dtype: FloatDType, seed: number): GradientCheckResult {
  const rand = seededUniform(hash(c.name) ^ seed);
  const values = c.inputs.map((s) => sample(s, rand, s.dtype ?? dtype));
  const build = (vals: readonly Float64Array[], d: FloatDType): Tensor[] => vals.map((v, i) => {
    const s = c.inputs[i] as InputSpec;
    return materialize(v, s.shape, s.dtype ?? d, s.layout ?? "contiguous");
  });
  const inputs = build(values, dtype);
  try {
    const size = outputSize(() => c.f(inputs, dtype));
    const cotangent = new Float64Array(size).map(() => {
      const v = 2 * rand() - 1;
      return dtype === "float32" ? Math.fround(v) : v;
    });
    const analytic = analyticGradient((xs) => c.f(xs, dtype), inputs, cotangent);
    const numeric = withReference(dtype, () =>
      numericGradient(
        (vals) => {
          const xs = build(vals, "float64");
          try {
            return projectedLoss(() => c.f(xs, "float64"), cotangent);
          } finally {
            nx.dispose(xs);
          }
        },
        values,
        c.step ?? 1e-6,
      ),
    );
    return { ...compareGradients(analytic, numeric), analytic, numeric };
  } finally {
    nx.dispose(inputs);
  }
}

/** Runs `fn` on the backend finite differences use: the current one for float64 checks, nx's CPU backend for float32 ones. */
function withReference<T>(dtype: FloatDType, fn: () => T): T {
  if (dtype === "float64") return fn();
  const current = nx.getBackend();
  nx.setBackend("cpu");
  try {
    return fn();
  } finally {
    nx.setBackend(current);
  }
}

/** The differentiable primitives whose rules ran, and the primitives that executed, while computing a case's gradient. */
function exercised(c: GradientCase, dtype: FloatDType, seed: number): { ruled: Set<Primitive>; executed: Set<Primitive> } {
  const ruled = new Set<Primitive>();
  const executed = new Set<Primitive>();
  const stopRules = observeRules((p) => ruled.add(p));
  const stopTrace = addTracer({ record: (p) => void executed.add(p) });
  try {
    const rand = seededUniform(hash(c.name) ^ seed);
    const values = c.inputs.map((s) => sample(s, rand, s.dtype ?? dtype));
    nx.tidy(() => {
      const inputs = values.map((v, i) => {
        const s = c.inputs[i] as InputSpec;
        return materialize(v, s.shape, s.dtype ?? dtype, s.layout ?? "contiguous");
      });
      executed.clear();
      grad((xs: Tensor[]) => nx.sum(c.f(xs, dtype)))(inputs);
    });
  } finally {
    stopRules();
    stopTrace();
  }
  return { ruled, executed };
}

/**
 * `describeGradientChecks(name, createBackend, options?)` registers, in a
 * vitest `describe` block named after `name`, one test per gradient check
 * in {@link GRADIENT_CASES} and a coverage test. Before the tests,
 * `createBackend()` (sync or async) gives the backend to test, which is
 * selected with `nx.setBackend` (the previous backend is restored after).
 *
 * Each check draws seeded random inputs (laid out contiguous, transposed, or
 * with stride-2 and negative strides; broadcasting comes from the checked
 * functions), computes rune's gradient of `sum(f(x) * c)` for a random
 * cotangent `c`, and compares it with central finite differences in float64:
 * the largest elementwise difference relative to the largest gradient
 * magnitude must stay below the tolerance (1e-5 in float64 mode, 1e-3 in
 * float32 mode, see {@link FLOAT32_TOLERANCE}). A check that creates a
 * dtype the backend does not store (its `capabilities.dtypes`, such as
 * float64 on a GPU backend) is skipped with that reason; nothing else is. The coverage test asserts
 * that every differentiable primitive in nx's `PRIMITIVES` has its rule
 * applied by some check (and each check exercises the primitives it
 * declares), and that every non-differentiable primitive executes in some check.
 */
export function describeGradientChecks(name: string, createBackend: () => Backend | Promise<Backend>, options: GradientCheckOptions = {}): void {
  const dtype = options.dtype ?? "float64";
  const tolerance = options.tolerance ?? (dtype === "float64" ? FLOAT64_TOLERANCE : FLOAT32_TOLERANCE);
  const seed = options.seed ?? 0;
  let backend: Backend | undefined;
  /** Why `c` cannot run on the backend under test (it creates a dtype the backend does not store), or `undefined`. */
  const skipReason = (c: GradientCase): string | undefined => (backend === undefined ? undefined : unmetNeeds({ dtypes: caseDTypes(c, dtype) }, backend.capabilities));

  describe(`${name}: rune gradient checks (${dtype}, tolerance ${tolerance})`, () => {
    let previous: Backend | undefined;
    beforeAll(async () => {
      previous = nx.getBackend();
      backend = nx.setBackend(await createBackend());
    });
    afterAll(() => {
      if (previous) nx.setBackend(previous);
    });

    for (const c of GRADIENT_CASES) {
      it(c.name, (t) => {
        const why = skipReason(c);
        t.skip(why !== undefined, why);
        const r = runCase(c, dtype, seed);
        options.report?.(c.name, r.error);
        expect(r.error, `${c.name}: relative error ${r.error} at ${r.worst}`).toBeLessThan(tolerance);
      });
    }

    it("coverage: every differentiable primitive's rule is checked, every other primitive runs", () => {
      const ruled = new Set<Primitive>();
      const executed = new Set<Primitive>();
      const notExercised: string[] = [];
      const excused = new Map<Primitive, string>();
      for (const c of GRADIENT_CASES) {
        if (skipReason(c) !== undefined) {
          for (const p of c.prims) excused.set(p, c.name);
          continue;
        }
        const seen = exercised(c, dtype, seed);
        for (const p of seen.ruled) ruled.add(p);
        for (const p of seen.executed) executed.add(p);
        for (const p of c.prims) if (!seen.ruled.has(p)) notExercised.push(`${c.name}: ${p}`);
      }
      const missing = PRIMITIVES.filter((p) => isDifferentiable(p) && !ruled.has(p) && !excused.has(p));
      const idle = PRIMITIVES.filter((p) => !isDifferentiable(p) && !executed.has(p));
      expect(notExercised, "checks that do not exercise a primitive they declare").toEqual([]);
      expect(missing, "differentiable primitives no check exercises").toEqual([]);
      expect(idle, "non-differentiable primitives no check executes").toEqual([]);
    });
  });
}
