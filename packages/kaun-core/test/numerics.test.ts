// Numeric edge cases, against values derived by hand in float64:
// masked (-Infinity) logits in the cross-entropies, and normalisation of rows
// whose squares overflow float32.
import * as nx from "@raven-ts/nx";
import * as rune from "@raven-ts/rune";
import { describe, expect, test } from "vitest";
import { Fn, Loss } from "../src/index.js";
import { expectClose, values } from "./helpers.js";

describe("cross-entropy with a masked (-Infinity) logit", () => {
  // logits [0, -Infinity, 1]: logsumexp = log(1 + e); softmax = [1, 0, e] / (1 + e).
  const lse = Math.log(1 + Math.E);
  const p = [1 / (1 + Math.E), 0, Math.E / (1 + Math.E)];
  for (const dtype of ["float32", "float64"] as const) {
    const logits = nx.tensor([[0, Number.NEGATIVE_INFINITY, 1]], { dtype });
    const tol = dtype === "float32" ? 1e-6 : 1e-12;

    test(`${dtype}: crossEntropySparse with label 2 is log(1 + e) - 1 = 0.3133, gradient softmax - onehot`, () => {
      const labels = nx.tensor([2], { dtype: "int32" });
      expectClose(Loss.crossEntropySparse(logits, labels), [lse - 1], tol, tol);
      expect(lse - 1).toBeCloseTo(0.3133, 4);
      const g = rune.grad((l: nx.Tensor) => Loss.crossEntropySparse(l, labels))(logits);
      expectClose(g, [p[0] as number, 0, (p[2] as number) - 1], tol, tol);
    });

    test(`${dtype}: crossEntropy with one-hot and with soft targets that put no weight on the masked class`, () => {
      expectClose(Loss.crossEntropy(logits, nx.tensor([[0, 0, 1]], { dtype })), [lse - 1], tol, tol);
      const soft = nx.tensor([[0.5, 0, 0.5]], { dtype });
      // -(0.5 (0 - lse) + 0.5 (1 - lse)) = lse - 0.5; gradient softmax - targets.
      expectClose(Loss.crossEntropy(logits, soft), [lse - 0.5], tol, tol);
      const g = rune.grad((l: nx.Tensor) => Loss.crossEntropy(l, soft))(logits);
      expectClose(g, [(p[0] as number) - 0.5, 0, (p[2] as number) - 0.5], tol, tol);
    });
  }

  test("a -Infinity logit on the target itself is an infinite loss, as PyTorch", () => {
    expect(values(Loss.crossEntropySparse(nx.tensor([[0, Number.NEGATIVE_INFINITY]]), nx.tensor([1], { dtype: "int32" })))).toEqual([Infinity]);
  });
});

/** float64 references for a row `x` and the loss `sum(y * c)`: y and dL/dx. */
function layerNormRef(x: number[], c: number[]): { y: number[]; g: number[] } {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const sigma = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const y = x.map((v) => (v - mean) / sigma);
  const cMean = c.reduce((a, b) => a + b, 0) / n;
  const cy = c.reduce((a, b, i) => a + b * (y[i] as number), 0) / n;
  return { y, g: c.map((ci, i) => (ci - cMean - (y[i] as number) * cy) / sigma) };
}

function rmsNormRef(x: number[], c: number[]): { y: number[]; g: number[] } {
  const n = x.length;
  const r = Math.sqrt(x.reduce((a, b) => a + b * b, 0) / n);
  const y = x.map((v) => v / r);
  const cy = c.reduce((a, b, i) => a + b * (y[i] as number), 0) / n;
  return { y, g: c.map((ci, i) => (ci - (y[i] as number) * cy) / r) };
}

describe("layerNorm and rmsNorm do not overflow in float32", () => {
  // |x|² exceeds float32's largest value (3.4e38) from |x| ≈ 1.8e19: the rows
  // below normalise exactly as their unit-scale versions (eps is negligible).
  const c = [1, -2, 0.5, 3];
  const rows: [string, number[]][] = [
    ["1e20 (a row of 4)", [1e20, 2e20, 3e20, 4e20]],
    ["±1e20", [1e20, -1e20, 1e20, -1e20]],
    ["near the float32 maximum", [3e38, -3e38, 1e38, 0]],
  ];
  for (const [name, row] of rows) {
    const x = nx.tensor([row]);
    const cot = nx.tensor([c]);
    test(`layerNorm, ${name}: values and gradient`, () => {
      const ref = layerNormRef(row.map(Math.fround), c);
      expectClose(Fn.layerNorm(x), ref.y, 1e-5, 1e-5);
      const g = values(rune.grad((t: nx.Tensor) => nx.sum(nx.mul(Fn.layerNorm(t), cot)))(x));
      g.forEach((v, i) => expect(Math.abs(v - (ref.g[i] as number))).toBeLessThanOrEqual(1e-5 * Math.abs(ref.g[i] as number) + 1e-5 * Math.max(...ref.g.map(Math.abs))));
    });
    test(`rmsNorm, ${name}: values and gradient`, () => {
      const ref = rmsNormRef(row.map(Math.fround), c);
      expectClose(Fn.rmsNorm(x), ref.y, 1e-5, 1e-5);
      const g = values(rune.grad((t: nx.Tensor) => nx.sum(nx.mul(Fn.rmsNorm(t), cot)))(x));
      g.forEach((v, i) => expect(Math.abs(v - (ref.g[i] as number))).toBeLessThanOrEqual(1e-5 * Math.abs(ref.g[i] as number) + 1e-5 * Math.max(...ref.g.map(Math.abs))));
    });
  }

  test("small rows keep eps exactly as before: rmsNorm of [1e-3, 0, 0, 0] is 1e-3 / sqrt(1e-6 / 4 + 1e-5)", () => {
    expectClose(Fn.rmsNorm(nx.tensor([[1e-3, 0, 0, 0]], { dtype: "float64" })), [1e-3 / Math.sqrt(1e-6 / 4 + 1e-5), 0, 0, 0], 1e-15, 1e-12);
    expectClose(Fn.layerNorm(nx.tensor([[0, 0, 0, 0]], { dtype: "float64" })), [0, 0, 0, 0], 0, 0);
  });

  test("an empty normalised axis gives an empty result", () => {
    expect(Fn.layerNorm(nx.zeros([2, 0])).shape).toEqual([2, 0]);
    expect(Fn.rmsNorm(nx.zeros([0, 3])).shape).toEqual([0, 3]);
  });
});
