import * as nx from "@raven-ts/nx";
import * as rune from "@raven-ts/rune";
import { describe, expect, test } from "vitest";
import { Fn, Rng } from "../src/index.js";
import { erf, expectClose, values } from "./helpers.js";

const xs = [-3, -1.5, -0.25, 0, 0.25, 1, 2.5];
const x = nx.tensor(xs);

describe("Fn activations", () => {
  test("relu, gelu, geluApprox, silu, sigmoid, tanh, softplus on values", () => {
    expectClose(Fn.relu(x), xs.map((v) => Math.max(v, 0)));
    expectClose(Fn.gelu(x), xs.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))));
    expectClose(Fn.geluApprox(x), xs.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))));
    expectClose(Fn.silu(x), xs.map((v) => v / (1 + Math.exp(-v))));
    expectClose(Fn.sigmoid(x), xs.map((v) => 1 / (1 + Math.exp(-v))));
    expectClose(Fn.tanh(x), xs.map((v) => Math.tanh(v)));
    expectClose(Fn.softplus(x), xs.map((v) => Math.log1p(Math.exp(v))));
  });

  test("softplus is finite with finite gradients at extreme inputs", () => {
    const big = nx.tensor([-1000, -80, 0, 80, 1000]);
    expectClose(Fn.softplus(big), [0, Math.exp(-80), Math.LN2, 80, 1000], 1e-6, 1e-6);
    const g = rune.grad((t: nx.Tensor) => nx.sum(Fn.softplus(t)))(big);
    expectClose(g, [0, 0, 0.5, 1, 1]);
  });

  test("relu's derivative is 0 at 0", () => {
    expectClose(rune.grad((t: nx.Tensor) => nx.sum(Fn.relu(t)))(nx.tensor([-1, 0, 2])), [0, 0, 1]);
  });

  test("float-only", () => {
    expect(() => Fn.relu(nx.tensor([1], { dtype: "int32" }))).toThrow("kaun.Fn.relu: x must be a float32 or float64 tensor, got int32 [1]");
  });
});

describe("Fn.layerNorm and Fn.rmsNorm", () => {
  const rows = [
    [1, 2, 3, 4],
    [-2, 0, 0, 10],
  ];
  const t = nx.tensor(rows, { dtype: "float64" });

  function refLayerNorm(r: number[], eps: number, g: number[], b: number[]): number[] {
    const m = r.reduce((a, c) => a + c, 0) / r.length;
    const v = r.reduce((a, c) => a + (c - m) ** 2, 0) / r.length;
    return r.map((c, i) => ((c - m) / Math.sqrt(v + eps)) * (g[i] as number) + (b[i] as number));
  }

  test("layerNorm over the last axis, default eps 1e-5, with gamma and beta", () => {
    const ones = [1, 1, 1, 1];
    const zeros = [0, 0, 0, 0];
    expectClose(Fn.layerNorm(t), rows.flatMap((r) => refLayerNorm(r, 1e-5, ones, zeros)), 1e-12, 1e-12);
    const g = [1, 2, 0.5, -1];
    const b = [0, 1, -1, 3];
    const y = Fn.layerNorm(t, { eps: 0.1, gamma: nx.tensor(g, { dtype: "float64" }), beta: nx.tensor(b, { dtype: "float64" }) });
    expectClose(y, rows.flatMap((r) => refLayerNorm(r, 0.1, g, b)), 1e-12, 1e-12);
  });

  test("layerNorm over several axes", () => {
    const y = Fn.layerNorm(t, { axes: [0, 1] });
    expectClose(y, refLayerNorm(rows.flat(), 1e-5, Array(8).fill(1), Array(8).fill(0)), 1e-12, 1e-12);
  });

  test("rmsNorm: x / sqrt(mean(x²) + eps) * gamma, default eps 1e-5", () => {
    const ref = (r: number[], eps: number, g: number[]): number[] => {
      const ms = r.reduce((a, c) => a + c * c, 0) / r.length;
      return r.map((c, i) => (c / Math.sqrt(ms + eps)) * (g[i] as number));
    };
    expectClose(Fn.rmsNorm(t), rows.flatMap((r) => ref(r, 1e-5, [1, 1, 1, 1])), 1e-12, 1e-12);
    const g = [2, 1, 1, 0.5];
    expectClose(Fn.rmsNorm(t, { gamma: nx.tensor(g, { dtype: "float64" }), eps: 1 }), rows.flatMap((r) => ref(r, 1, g)), 1e-12, 1e-12);
  });

  test("errors", () => {
    expect(() => Fn.layerNorm(t, { axes: 2 })).toThrow("kaun.Fn.layerNorm: axis 2 is out of bounds for x of shape [2,4]");
    expect(() => Fn.layerNorm(t, { eps: -1 })).toThrow(/eps must be a finite non-negative number/);
    expect(() => Fn.layerNorm(t, { gamma: nx.ones([3], "float64") })).toThrow("kaun.Fn.layerNorm: gamma of shape [3] does not broadcast to x of shape [2,4]");
    expect(() => Fn.rmsNorm(t, { gamma: nx.ones([4]) })).toThrow("kaun.Fn.rmsNorm: gamma dtype float32 differs from x dtype float64");
  });
});

describe("Fn.embedding", () => {
  const table = nx.tensor([
    [0, 1],
    [2, 3],
    [4, 5],
  ]);
  const ids = nx.tensor([[2, 0], [1, 1]], { dtype: "int32" });

  test("gathers rows, scaled by sqrt(embedDim) by default", () => {
    const y = Fn.embedding(ids, { embedding: table, scale: false });
    expect(y.shape).toEqual([2, 2, 2]);
    expect(values(y)).toEqual([4, 5, 0, 1, 2, 3, 2, 3]);
    expectClose(Fn.embedding(ids, { embedding: table }), [4, 5, 0, 1, 2, 3, 2, 3].map((v) => v * Math.SQRT2));
  });

  test("its gradient accumulates per occurrence", () => {
    const g = rune.grad((tb: nx.Tensor) => nx.sum(Fn.embedding(ids, { embedding: tb, scale: false })))(table);
    expect(values(g)).toEqual([1, 1, 2, 2, 1, 1]);
  });

  test("errors", () => {
    expect(() => Fn.embedding(nx.tensor([0.5]), { embedding: table })).toThrow("kaun.Fn.embedding: indices must be an int32 tensor, got float32 [1]");
    expect(() => Fn.embedding(nx.tensor([[0, 3]], { dtype: "int32" }), { embedding: table })).toThrow(
      "kaun.Fn.embedding: index 3 at flat position 1 of indices [1,2] is out of range for a vocabulary of 3",
    );
    expect(() => Fn.embedding(nx.tensor([-1], { dtype: "int32" }), { embedding: table })).toThrow(/index -1 at flat position 0/);
    expect(() => Fn.embedding(ids, { embedding: nx.ones([3]) })).toThrow(/embedding must be a \[vocabSize, embedDim\] table/);
  });
});

describe("Fn.dropout", () => {
  test("rate 0 is the identity and draws no key", () => {
    const t = nx.ones([5]);
    expect(Fn.dropout(t, { rate: 0 })).toBe(t);
  });

  test("keeps about 1 - p of the elements, scaled by 1 / (1 - p); reproducible under a seed", () => {
    const n = 40000;
    const p = 0.3;
    const y = Rng.run(11, () => Fn.dropout(nx.ones([n]), { rate: p }));
    const v = values(y);
    const kept = v.filter((e) => e !== 0);
    expect(kept.length / n).toBeGreaterThan(1 - p - 0.01);
    expect(kept.length / n).toBeLessThan(1 - p + 0.01);
    for (const e of kept) expect(e).toBeCloseTo(1 / (1 - p), 6);
    expect(values(Rng.run(11, () => Fn.dropout(nx.ones([n]), { rate: p })))).toEqual(v);
    expect(values(Rng.run(12, () => Fn.dropout(nx.ones([n]), { rate: p })))).not.toEqual(v);
  });

  test("errors", () => {
    expect(() => Fn.dropout(nx.ones([2]), { rate: 1 })).toThrow("kaun.Fn.dropout: rate must be a number in [0, 1), got 1");
    expect(() => Fn.dropout(nx.ones([2], "int32"), { rate: 0.5 })).toThrow(/x must be a float32 or float64 tensor/);
  });
});
