import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { PRIMITIVES } from "@raven-ts/nx/primitives";
import { describe, expect, it } from "vitest";
import { isDifferentiable, stopGradient } from "../src/index.js";
import { GRADIENT_CASES, checkGradient } from "../src/testing/index.js";

describe("checkGradient", () => {
  it("agrees with finite differences on a layer norm written with nx ops", () => {
    const x = nx.tensor([0.3, -1.2, 0.8, 2.1, -0.4, 0.9], { shape: [2, 3], dtype: "float64" });
    const gamma = nx.tensor([1.5, -0.5, 0.7], { dtype: "float64" });
    const layerNorm = ([t, g]: readonly Tensor[]): Tensor => {
      const mu = nx.mean(t as Tensor, { axes: -1, keepdims: true });
      const v = nx.variance(t as Tensor, { axes: -1, keepdims: true });
      return nx.mul(nx.div(nx.sub(t as Tensor, mu), nx.sqrt(nx.add(v, 1e-5))), g as Tensor);
    };
    const r = checkGradient(layerNorm, [x, gamma]);
    expect(r.error, r.worst).toBeLessThan(1e-6);
    expect(r.analytic.map((a) => a.length)).toEqual([6, 3]);
  });

  it("reports a large error when rune's gradient is not the derivative", () => {
    // stopGradient makes rune's gradient x while the true derivative of x^2 is 2x.
    const f = ([t]: readonly Tensor[]): Tensor => nx.mul(t as Tensor, stopGradient(t as Tensor));
    const r = checkGradient(f, [nx.tensor([0.5, -1, 2], { dtype: "float64" })]);
    expect(r.error).toBeGreaterThan(0.2);
    expect(r.worst).toMatch(/^input 0, element \d: rune /);
  });
});

describe("the check list", () => {
  it("has unique names and declares only differentiable primitives", () => {
    const names = GRADIENT_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of GRADIENT_CASES) for (const p of c.prims) expect(isDifferentiable(p), `${c.name}: ${p}`).toBe(true);
    const declared = new Set(GRADIENT_CASES.flatMap((c) => c.prims));
    expect(PRIMITIVES.filter((p) => isDifferentiable(p) && !declared.has(p))).toEqual([]);
  });
});
