import * as nx from "@raven-ts/nx";
import { describe, expect, test } from "vitest";
import type { OptState, Ptree } from "../src/index.js";
import { Optim } from "../src/index.js";
import { expectClose, values } from "./helpers.js";

const f64 = (xs: number[]): nx.Tensor => nx.tensor(xs, { dtype: "float64" });

/** Runs `steps` updates with fixed per-step gradients; returns the params after each step. */
function trajectory(opt: Optim.Optimizer, p0: number[], grads: number[][]): number[][] {
  let params: Ptree = { w: f64(p0) };
  let state = Optim.init(opt, params);
  const out: number[][] = [];
  for (const g of grads) {
    [params, state] = Optim.step(state, params, { w: f64(g) });
    out.push(values((params as { w: nx.Tensor }).w));
  }
  return out;
}

describe("optimizers", () => {
  const p0 = [1, -2];
  const gs = [
    [0.5, -1],
    [0.25, 2],
    [-1, 0.5],
  ];

  test("init: count 0 and zero slots shaped like the params", () => {
    const params = { a: nx.ones([2, 3]), b: [nx.ones([4])] };
    const s = Optim.init(Optim.adam({ lr: 0.1 }), params);
    expect(Object.keys(s)).toEqual(["count", "mu", "nu"]);
    expect(values(s.count)).toEqual([0]);
    expect(s.count.dtype).toBe("int32");
    expect(values((s.mu as { a: nx.Tensor }).a)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Object.keys(Optim.init(Optim.sgd({ lr: 0.1 }), params))).toEqual(["count"]);
    expect(Object.keys(Optim.init(Optim.sgd({ lr: 0.1, momentum: 0.9 }), params))).toEqual(["count", "trace"]);
  });

  test("sgd: p - lr g", () => {
    const lr = 0.1;
    let p = p0.slice();
    const expected = gs.map((g) => (p = p.map((v, i) => v - lr * g[i]!)));
    expectClose(trajectory(Optim.sgd({ lr }), p0, gs).flat(), expected.flat(), 1e-15, 0);
  });

  test("sgd with momentum and with Nesterov (PyTorch / optax rules)", () => {
    for (const nesterov of [false, true]) {
      const [lr, m] = [0.1, 0.9];
      let p = p0.slice();
      let tr = [0, 0];
      const expected = gs.map((g) => {
        tr = tr.map((t, i) => g[i]! + m * t);
        const u = nesterov ? g.map((gi, i) => gi + m * tr[i]!) : tr;
        return (p = p.map((v, i) => v - lr * u[i]!));
      });
      expectClose(trajectory(Optim.sgd({ lr, momentum: m, nesterov }), p0, gs).flat(), expected.flat(), 1e-15, 0);
    }
  });

  test("adam and adamw with bias correction", () => {
    for (const wd of [0, 0.05]) {
      const [lr, b1, b2, eps] = [0.01, 0.8, 0.95, 1e-6];
      let p = p0.slice();
      let mu = [0, 0];
      let nu = [0, 0];
      const expected = gs.map((g, k) => {
        const t = k + 1;
        mu = mu.map((m, i) => b1 * m + (1 - b1) * g[i]!);
        nu = nu.map((n, i) => b2 * n + (1 - b2) * g[i]! ** 2);
        return (p = p.map((v, i) => v - lr * (mu[i]! / (1 - b1 ** t) / (Math.sqrt(nu[i]! / (1 - b2 ** t)) + eps) + wd * v)));
      });
      const opt = wd === 0 ? Optim.adam({ lr, b1, b2, eps }) : Optim.adamw({ lr, b1, b2, eps, weightDecay: wd });
      expectClose(trajectory(opt, p0, gs).flat(), expected.flat(), 1e-14, 1e-12);
    }
  });

  test("defaults: adam b1 0.9, b2 0.999, eps 1e-8; adamw weightDecay 0.01", () => {
    expect(Optim.adam({ lr: 1 }).hyperparams).toMatchObject({ b1: 0.9, b2: 0.999, eps: 1e-8 });
    expect(Optim.adamw({ lr: 1 }).hyperparams).toMatchObject({ weightDecay: 0.01 });
    expect(Optim.sgd({ lr: 1 }).hyperparams).toMatchObject({ momentum: 0, nesterov: false });
    // The first Adam step moves every coordinate by about lr (m̂ / sqrt(n̂) = sign(g)).
    expectClose(trajectory(Optim.adam({ lr: 0.1 }), [0, 0], [[3, -0.001]])[0]!, [-0.1, 0.1], 1e-6, 1e-4);
  });

  test("count increments and the schedule sees the number of updates already applied", () => {
    const seen: number[] = [];
    const opt = Optim.sgd({ lr: (s) => (seen.push(s), 0.5) });
    let params: Ptree = { w: f64([0]) };
    let state: OptState = Optim.init(opt, params);
    for (let i = 0; i < 3; i++) [params, state] = Optim.step(state, params, { w: f64([1]) });
    expect(seen).toEqual([0, 1, 2]);
    expect(values(state.count)).toEqual([3]);
    expect(values((params as { w: nx.Tensor }).w)).toEqual([-1.5]);
  });

  test("clipGlobalNorm clips before the update", () => {
    const out = trajectory(Optim.sgd({ lr: 1, clipGlobalNorm: 1 }), [0, 0], [[3, 4]]);
    expectClose(out[0]!, [-0.6, -0.8], 1e-15, 0);
  });

  test("Optim.step leaves its inputs intact and disposes its intermediates", () => {
    const params = { w: nx.ones([3]) };
    const state = Optim.init(Optim.adam({ lr: 0.1 }), params);
    const before = nx.memory().numTensors;
    const [p2, s2] = Optim.step(state, params, { w: nx.ones([3]) });
    // New: the gradient, p2.w, count, mu, nu.
    expect(nx.memory().numTensors - before).toBe(5);
    expect(values(params.w)).toEqual([1, 1, 1]);
    expect(values(state.count)).toEqual([0]);
    expect(values((p2 as { w: nx.Tensor }).w)).not.toEqual([1, 1, 1]);
    expect(Optim.optimizerOf(s2)?.name).toBe("adam");
  });

  test("errors", () => {
    const params = { w: nx.ones([2]) };
    const state = Optim.init(Optim.sgd({ lr: 0.1 }), params);
    expect(() => Optim.step(state, params, { v: nx.ones([2]) })).toThrow(/kaun\.Optim\.step: grads do not mirror params: tree structures differ at the root: keys only in a: \["w"\]; keys only in b: \["v"\]/);
    expect(() => Optim.step(state, params, { w: nx.ones([3]) })).toThrow('kaun.Optim.step: the gradient at "w" is float32 [3] but the parameter is float32 [2]');
    expect(() => Optim.step({ count: nx.scalar(0, "int32") } as OptState, params, params)).toThrow(/state carries no optimizer: it was not made by Optim.init/);
    expect(() => Optim.init(Optim.sgd({ lr: 1 }), { w: nx.ones([2], "int32") })).toThrow('kaun.Optim.init: the parameter at "w" is int32 [2]; only float parameters can be optimized');
    expect(() => Optim.sgd({ lr: Number.NaN })).toThrow("kaun.Optim.sgd: lr must be a finite number, got NaN");
    expect(() => Optim.sgd({ lr: 1, nesterov: true })).toThrow("kaun.Optim.sgd: nesterov needs a positive momentum");
    expect(() => Optim.adam({ lr: 1, b1: 1 })).toThrow("kaun.Optim.adam: b1 must be in [0, 1), got 1");
    expect(() => Optim.adamw({ lr: 1, weightDecay: -1 })).toThrow(/weightDecay must be a finite non-negative number, got -1/);
    const bad = Optim.init(Optim.sgd({ lr: () => Number.POSITIVE_INFINITY }), params);
    expect(() => Optim.step(bad, params, params)).toThrow("kaun.Optim.step: the learning-rate schedule returned Infinity at step 0");
  });

  test("restore reattaches an optimizer to a rebuilt state", () => {
    const opt = Optim.adam({ lr: 0.1 });
    const params = { w: nx.ones([2]) };
    const copy = nx.tree.map((t: nx.Tensor) => nx.add(t, 0), Optim.init(opt, params) as unknown as nx.tree.Tree) as unknown as Record<string, Ptree>;
    expect(Optim.optimizerOf(copy as OptState)).toBeUndefined();
    const restored = Optim.restore(opt, copy);
    expect(Optim.step(restored, params, params)[1].count.item()).toBe(1);
    expect(() => Optim.restore(opt, { count: nx.scalar(0, "int32") })).toThrow('kaun.Optim.restore: state has no "mu" tree (the adam optimizer needs mu, nu)');
  });
});

describe("schedules", () => {
  test("constant, cosineDecay, linearWarmup", () => {
    expect(Optim.constant(0.3)(100)).toBe(0.3);
    const cd = Optim.cosineDecay({ initValue: 1, decaySteps: 10, alpha: 0.1 });
    expect(cd(0)).toBe(1);
    expect(cd(5)).toBeCloseTo(0.55, 12);
    expect(cd(10)).toBeCloseTo(0.1, 12);
    expect(cd(50)).toBeCloseTo(0.1, 12);
    const lw = Optim.linearWarmup({ peakValue: 2, warmupSteps: 4 });
    expect([0, 1, 2, 4, 9].map(lw)).toEqual([0, 0.5, 1, 2, 2]);
  });

  test("warmup then cosine, and join", () => {
    const s = Optim.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 2, decaySteps: 4, endValue: 0.2 });
    expect(s(0)).toBe(0);
    expect(s(1)).toBe(0.5);
    expect(s(2)).toBe(1);
    expect(s(4)).toBeCloseTo(0.2 + 0.8 * 0.5, 12);
    expect(s(6)).toBeCloseTo(0.2, 12);
    expect(s(100)).toBeCloseTo(0.2, 12);
    const j = Optim.join([{ steps: 3, schedule: Optim.constant(1) }, { steps: 2, schedule: (t) => 10 + t }, { schedule: (t) => 100 + t }]);
    expect([0, 2, 3, 4, 5, 9].map(j)).toEqual([1, 1, 10, 11, 100, 104]);
    expect(() => Optim.join([])).toThrow("kaun.Optim.join: segments must be a non-empty array, got []");
    expect(() => Optim.cosineDecay({ initValue: 1, decaySteps: 0 })).toThrow(/decaySteps must be a positive integer, got 0/);
  });
});

describe("clipping", () => {
  test("globalNorm and clipByGlobalNorm", () => {
    const g = { a: f64([3]), b: [f64([0, 4])] };
    expect(Optim.globalNorm(g).item()).toBe(5);
    const c = Optim.clipByGlobalNorm(g, 2.5);
    expect(values((c as { a: nx.Tensor }).a)).toEqual([1.5]);
    expect(values((c as { b: nx.Tensor[] }).b[0] as nx.Tensor)).toEqual([0, 2]);
    const same = Optim.clipByGlobalNorm(g, 10);
    expect(values((same as { a: nx.Tensor }).a)).toEqual([3]);
    const zero = Optim.clipByGlobalNorm({ a: f64([0, 0]) }, 1);
    expect(values((zero as { a: nx.Tensor }).a)).toEqual([0, 0]);
    expect(() => Optim.clipByGlobalNorm(g, -1)).toThrow(/maxNorm must be a finite non-negative number/);
    expect(() => Optim.globalNorm({ i: nx.ones([1], "int32") })).toThrow('kaun.Optim.globalNorm: leaf "i" is int32 [1]; gradients must be float');
  });
});
