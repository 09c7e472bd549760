/**
 * Checks of `fixtures/attention_golden.json` (shipped with this package), the PyTorch float64
 * references of this package, runnable on whatever nx backend is current.
 * Browser-safe (no file access, no test runner): each check throws an `Error`
 * naming the case, the quantity and the first element out of tolerance.
 */
import * as nx from "@raven-ts/nx";
import { Context, Layer, type Vars } from "@raven-ts/kaun-core";
import { grad } from "@raven-ts/rune";
import { attentionMaskKey } from "../mask.js";
import { multiHeadAttention } from "../mha.js";
import { rope } from "../rope.js";

/** A flat row-major array with its shape, as the fixture stores tensors. */
export interface FixtureArray {
  readonly shape: number[];
  readonly data: number[];
}

/** A multi-head attention case: config, inputs, weights, mask, expected output, cotangent and gradients. */
export interface MhaCase {
  readonly kind: "mha";
  readonly name: string;
  readonly config: { embedDim: number; numHeads: number; numKvHeads: number; isCausal: boolean; rope: boolean; ropeTheta: number };
  readonly x: FixtureArray;
  readonly params: Record<"q_proj" | "k_proj" | "v_proj" | "out_proj", FixtureArray>;
  readonly attention_mask: (FixtureArray & { dtype: "int32" | "bool" }) | null;
  readonly expected: FixtureArray;
  readonly cotangent: FixtureArray;
  readonly grads: Record<"x" | "q_proj" | "k_proj" | "v_proj" | "out_proj", number[]>;
}

/** A standalone RoPE case. */
export interface RopeCase {
  readonly kind: "rope";
  readonly name: string;
  readonly theta: number;
  readonly seqDim: number;
  readonly x: FixtureArray;
  readonly expected: FixtureArray;
}

/** Any case of the fixture. */
export type GoldenCase = MhaCase | RopeCase;

/** An elementwise tolerance: `|actual - expected| <= atol + rtol * |expected|`. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Tolerances for the forward values and for the gradients. */
export interface GoldenTolerances {
  readonly forward: Tolerance;
  readonly grad: Tolerance;
}

/** float32 results against the float64 references: the tolerances. */
export const GOLDEN_TOLERANCES: GoldenTolerances = { forward: { atol: 2e-5, rtol: 2e-4 }, grad: { atol: 1e-4, rtol: 1e-3 } };

/**
 * `expectClose(actual, expected, tol, what)` returns when every element
 * satisfies `tol`; otherwise it throws an `Error` naming `what`, the first
 * offending element and both values (also for a length mismatch or NaN).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e))) throw new Error(`${what}: element ${i} is ${a}, expected ${e} (atol ${tol.atol}, rtol ${tol.rtol})`);
  }
}

/** `fixtureTensor(a)` is the fixture array `a` as a float32 tensor on the current backend. */
export function fixtureTensor(a: FixtureArray): nx.Tensor {
  return nx.tensor(Float32Array.from(a.data), { shape: a.shape });
}

/** `mhaSetup(c)` is the layer, variables (float32), input and context (with the case's padding mask) of an MHA case. */
export function mhaSetup(c: MhaCase): { layer: ReturnType<typeof multiHeadAttention>; vars: Vars; x: nx.Tensor; ctx: Context } {
  const layer = multiHeadAttention(c.config);
  const p = c.params;
  const params = { q_proj: fixtureTensor(p.q_proj), k_proj: fixtureTensor(p.k_proj), v_proj: fixtureTensor(p.v_proj), out_proj: fixtureTensor(p.out_proj) };
  let ctx = Context.empty;
  const mask = c.attention_mask;
  if (mask) ctx = ctx.set(attentionMaskKey, nx.tensor(mask.data, { dtype: mask.dtype, shape: mask.shape }));
  return { layer, vars: { params, state: {}, dtype: "float32" }, x: fixtureTensor(c.x), ctx };
}

/** `checkRopeCase(c, tol?)` checks `rope` on the case's input against its reference (tensors it makes are disposed). */
export function checkRopeCase(c: RopeCase, tol: Tolerance = GOLDEN_TOLERANCES.forward): void {
  nx.tidy(() => {
    const y = rope(fixtureTensor(c.x), { theta: c.theta, seqDim: c.seqDim });
    if (!nx.shapesEqual(y.shape, c.expected.shape)) throw new Error(`${c.name}: shape ${nx.fmtShape(y.shape)}, expected ${nx.fmtShape(c.expected.shape)}`);
    expectClose(y.dataSync(), c.expected.data, tol, c.name);
  });
}

/** `checkMhaForward(c, tol?)` checks the layer's output (`training: false`) against the reference. */
export function checkMhaForward(c: MhaCase, tol: Tolerance = GOLDEN_TOLERANCES.forward): void {
  nx.tidy(() => {
    const { layer, vars, x, ctx } = mhaSetup(c);
    const [y] = Layer.apply(layer, vars, x, { training: false, ctx });
    expectClose(y.dataSync(), c.expected.data, tol, `${c.name} output`);
  });
}

/** `checkMhaGradients(c, tol?)` checks the gradients of `sum(out * cotangent)` with respect to `x` and the four weights (through `@raven-ts/rune`). */
export function checkMhaGradients(c: MhaCase, tol: Tolerance = GOLDEN_TOLERANCES.grad): void {
  nx.tidy(() => {
    const { layer, vars, x, ctx } = mhaSetup(c);
    const cot = fixtureTensor(c.cotangent);
    const g = grad((inputs: { x: nx.Tensor; params: Vars["params"] }) => {
      const [y] = Layer.apply(layer, { ...vars, params: inputs.params }, inputs.x, { training: false, ctx });
      return nx.sum(nx.mul(y, cot));
    })({ x, params: vars.params });
    expectClose(g.x.dataSync(), c.grads.x, tol, `${c.name} d/dx`);
    for (const name of ["q_proj", "k_proj", "v_proj", "out_proj"] as const) {
      expectClose(((g.params as Record<string, nx.Tensor>)[name] as nx.Tensor).dataSync(), c.grads[name], tol, `${c.name} d/d${name}`);
    }
  });
}

/**
 * `checkFullyMaskedRow(c)` checks, for a case whose batch row 0 has every key
 * masked, that this row's output is exactly zero and that no output is NaN.
 */
export function checkFullyMaskedRow(c: MhaCase): void {
  nx.tidy(() => {
    const { layer, vars, x, ctx } = mhaSetup(c);
    const [y] = Layer.apply(layer, vars, x, { training: false, ctx });
    const row = nx.slice(y, [0]).dataSync();
    const i = Array.from(row).findIndex((v) => v !== 0);
    if (i >= 0) throw new Error(`${c.name}: the fully masked batch row has ${row[i]} at element ${i}, expected exact zeros`);
    if (Array.from(y.dataSync()).some(Number.isNaN)) throw new Error(`${c.name}: the output holds NaN`);
  });
}
