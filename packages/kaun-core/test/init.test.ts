import type * as nx from "@raven-ts/nx";
import { describe, expect, test } from "vitest";
import { Init, Rng } from "../src/index.js";
import { stats, values } from "./helpers.js";

describe("Init", () => {
  test("constant initialisers", () => {
    expect(values(Init.zeros([2, 2], "float32"))).toEqual([0, 0, 0, 0]);
    expect(values(Init.ones([3], "float64"))).toEqual([1, 1, 1]);
    const c = Init.constant(2.5)([2], "float64");
    expect(c.dtype).toBe("float64");
    expect(values(c)).toEqual([2.5, 2.5]);
  });

  test("computeFans follows JAX for [in, out] kernels and convolutions", () => {
    expect(Init.computeFans([3, 4])).toEqual([3, 4]);
    // receptive field = 2 * 3 (the axes other than in = -2 and out = -1)
    expect(Init.computeFans([2, 3, 4, 5])).toEqual([24, 30]);
    expect(Init.computeFans([4, 5, 2, 3], { inAxis: 0, outAxis: 1 })).toEqual([24, 30]);
    expect(Init.computeFans([7])).toEqual([7, 7]);
    expect(Init.computeFans([])).toEqual([1, 1]);
    expect(() => Init.computeFans([2, 3], { inAxis: 2 })).toThrow(/inAxis 2 is out of bounds for shape \[2,3\]/);
    expect(() => Init.computeFans([2, 3], { inAxis: -1 })).toThrow(/both designate axis 1/);
  });

  test("uniform and normal use Kaun's defaults (scale 0.01, stddev 0.01)", () => {
    const u = values(Rng.run(0, () => Init.uniform()([20000], "float32")));
    const su = stats(u);
    expect(su.min).toBeGreaterThanOrEqual(0);
    expect(su.max).toBeLessThan(0.01);
    expect(su.mean).toBeCloseTo(0.005, 3);
    const n = stats(values(Rng.run(0, () => Init.normal()([20000], "float32"))));
    expect(Math.abs(n.mean)).toBeLessThan(0.0005);
    expect(n.std).toBeGreaterThan(0.0097);
    expect(n.std).toBeLessThan(0.0103);
    const n2 = stats(values(Rng.run(0, () => Init.normal({ stddev: 2 })([20000], "float64"))));
    expect(n2.std).toBeGreaterThan(1.95);
    expect(n2.std).toBeLessThan(2.05);
  });

  test("glorotUniform: U(-l, l) with l = sqrt(6 / (in + out))", () => {
    const w = values(Rng.run(1, () => Init.glorotUniform()([100, 200], "float32")));
    const limit = Math.sqrt(6 / 300);
    const s = stats(w);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeGreaterThan(limit * 0.99);
    expect(Math.abs(s.std / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.02);
  });

  test("the uniform families' limits", () => {
    for (const [init, limit] of [
      [Init.heUniform(), Math.sqrt(6 / 100)],
      [Init.lecunUniform(), Math.sqrt(3 / 100)],
    ] as const) {
      const s = stats(values(Rng.run(2, () => init([100, 300], "float32"))));
      expect(s.max).toBeLessThanOrEqual(limit);
      expect(s.min).toBeGreaterThanOrEqual(-limit);
      expect(Math.abs(s.std / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.02);
    }
  });

  test("truncated-normal families: target variance, truncated at two (pre-scaling) deviations", () => {
    for (const [init, variance] of [
      [Init.glorotNormal(), 2 / 400],
      [Init.heNormal(), 2 / 100],
      [Init.lecunNormal(), 1 / 100],
    ] as const) {
      const s = stats(values(Rng.run(3, () => init([100, 300], "float64"))));
      expect(Math.abs(s.mean)).toBeLessThan(0.01 * Math.sqrt(variance));
      expect(s.std / Math.sqrt(variance)).toBeGreaterThan(0.98);
      expect(s.std / Math.sqrt(variance)).toBeLessThan(1.02);
      const bound = (2 * Math.sqrt(variance)) / 0.87962566103423978;
      expect(Math.max(Math.abs(s.min), Math.abs(s.max))).toBeLessThanOrEqual(bound);
    }
  });

  test("varianceScaling normal and fan modes", () => {
    const s = stats(values(Rng.run(4, () => Init.varianceScaling({ scale: 4, mode: "fanOut", distribution: "normal" })([50, 400], "float64"))));
    expect(Math.abs(s.std / Math.sqrt(4 / 400) - 1)).toBeLessThan(0.02);
  });

  test("draws come from the Rng scope: reproducible, and successive calls differ", () => {
    const init = Init.glorotUniform();
    const [a, b] = Rng.run(7, () => [values(init([4, 4], "float32")), values(init([4, 4], "float32"))]);
    const [c] = Rng.run(7, () => [values(init([4, 4], "float32"))]);
    expect(a).toEqual(c);
    expect(a).not.toEqual(b);
  });

  test("errors", () => {
    expect(() => Init.uniform({ scale: -1 })).toThrow("kaun.Init.uniform: scale must be a finite non-negative number, got -1");
    expect(() => Init.normal({ stddev: Number.NaN })).toThrow(/stddev must be a finite non-negative number/);
    expect(() => Init.varianceScaling({ scale: 1, mode: "fanMax" as Init.FanMode, distribution: "normal" })).toThrow(/mode must be "fanIn", "fanOut" or "fanAvg", got "fanMax"/);
    expect(() => Init.zeros([2], "int32" as nx.FloatDType)).toThrow(/kaun\.Init\.zeros: dtype must be "float32" or "float64", got "int32"/);
    expect(() => Init.heUniform()([0, 3], "float32")).toThrow(/the fanIn of shape \[0,3\] is 0; it must be positive/);
  });
});
