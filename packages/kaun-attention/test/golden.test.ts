import * as nx from "@raven-ts/nx";
import { Context, Layer, type Vars } from "@raven-ts/kaun-core";
import { grad } from "@raven-ts/rune";
import { describe, expect, it } from "vitest";
import { attentionMaskKey, multiHeadAttention, rope } from "../src/index.js";
import { cases, expectClose, type FixtureArray, type MhaCase } from "./fixtures.js";

// PyTorch float64 references, compared in float32 with the tolerances.
const FWD = { atol: 2e-5, rtol: 2e-4 };
const GRAD = { atol: 1e-4, rtol: 1e-3 };

const t = (a: FixtureArray): nx.Tensor => nx.tensor(Float32Array.from(a.data), { shape: a.shape });

function setup(c: MhaCase): { layer: ReturnType<typeof multiHeadAttention>; vars: Vars; x: nx.Tensor; ctx: Context } {
  const layer = multiHeadAttention(c.config);
  const params = { q_proj: t(c.params.q_proj), k_proj: t(c.params.k_proj), v_proj: t(c.params.v_proj), out_proj: t(c.params.out_proj) };
  let ctx = Context.empty;
  if (c.attention_mask) ctx = ctx.set(attentionMaskKey, nx.tensor(c.attention_mask.data, { dtype: c.attention_mask.dtype, shape: c.attention_mask.shape }));
  return { layer, vars: { params, state: {}, dtype: "float32" }, x: t(c.x), ctx };
}

describe("rope matches the PyTorch reference", () => {
  for (const c of cases) {
    if (c.kind !== "rope") continue;
    it(c.name, () => {
      const y = rope(t(c.x), { theta: c.theta, seqDim: c.seqDim });
      expect(y.shape).toEqual(c.expected.shape);
      expectClose(y.dataSync(), c.expected.data, FWD.atol, FWD.rtol, c.name);
    });
  }
});

describe("multiHeadAttention matches the PyTorch reference", () => {
  for (const c of cases) {
    if (c.kind !== "mha") continue;
    it(`${c.name}: forward`, () => {
      const { layer, vars, x, ctx } = setup(c);
      const [y] = Layer.apply(layer, vars, x, { training: false, ctx });
      expect(y.shape).toEqual(c.expected.shape);
      expectClose(y.dataSync(), c.expected.data, FWD.atol, FWD.rtol, `${c.name} output`);
    });
    it(`${c.name}: gradients of sum(out * cotangent)`, () => {
      const { layer, vars, x, ctx } = setup(c);
      const cot = t(c.cotangent);
      const g = grad((inputs: { x: nx.Tensor; params: Vars["params"] }) => {
        const [y] = Layer.apply(layer, { ...vars, params: inputs.params }, inputs.x, { training: false, ctx });
        return nx.sum(nx.mul(y, cot));
      })({ x, params: vars.params });
      expectClose(g.x.dataSync(), c.grads.x, GRAD.atol, GRAD.rtol, `${c.name} d/dx`);
      for (const name of ["q_proj", "k_proj", "v_proj", "out_proj"] as const) {
        const gp = (g.params as Record<string, nx.Tensor>)[name] as nx.Tensor;
        expectClose(gp.dataSync(), c.grads[name], GRAD.atol, GRAD.rtol, `${c.name} d/d${name}`);
      }
    });
  }
});

describe("fully masked query rows", () => {
  for (const c of cases) {
    if (c.kind !== "mha" || !c.name.includes("fully_masked_row")) continue;
    it(`${c.name}: batch row 0 outputs exact zeros, never NaN`, () => {
      const { layer, vars, x, ctx } = setup(c);
      const [y] = Layer.apply(layer, vars, x, { training: false, ctx });
      const rows = nx.slice(y, [0]).dataSync();
      expect(Array.from(rows).every((v) => v === 0)).toBe(true);
      expect(Array.from(y.dataSync()).some(Number.isNaN)).toBe(false);
    });
  }
});
