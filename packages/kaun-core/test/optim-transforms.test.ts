// Gradient transformations: chains, masks, gradient accumulation, state
// layout, checkpoints, memory and errors. The numbers of every optimizer are
// checked against PyTorch in optim-reference.test.ts.
import * as nx from "@raven-ts/nx";
import { describe, expect, test } from "vitest";
import type { OptState, Ptree } from "../src/index.js";
import { Checkpoint, Layer, Loss, Optim, Rng, Train } from "../src/index.js";
import { expectClose, values } from "./helpers.js";

const f64 = (xs: number[], shape?: number[]): nx.Tensor => nx.tensor(xs, { dtype: "float64", ...(shape === undefined ? {} : { shape }) });
const bits = (t: nx.Tensor): number[] => Array.from(new Uint8Array(t.dataSync().buffer));
const leafValues = (t: Ptree): Record<string, number[]> => Object.fromEntries(nx.tree.flattenWithPaths(t as nx.tree.Tree).map(([p, x]) => [p, values(x)]));

/** A small model-like tree: an embedding table, a weight matrix, a bias and a norm scale. */
function params(): Ptree {
  return {
    embed: { embedding: f64([0.5, -1, 2, 0.25], [2, 2]) },
    dense: { weight: f64([1, -2, 0.5, 3], [2, 2]), bias: f64([0.1, -0.2]) },
    norm: { scale: f64([1, 1]) },
  };
}

function grads(k: number): Ptree {
  return nx.tree.map((p: nx.Tensor) => nx.add(nx.mul(nx.onesLike(p), 0.3 * (k + 1)), nx.mul(p, -0.5)), params()) as Ptree;
}

function run(opt: Optim.Optimizer, steps: number): Ptree {
  let p = params();
  let s = Optim.init(opt, p);
  for (let k = 0; k < steps; k++) [p, s] = Optim.step(s, p, grads(k));
  return p;
}

describe("chain", () => {
  test("the optimizers are chains of the building blocks, bit for bit", () => {
    const pairs: [Optim.Optimizer, Optim.Optimizer][] = [
      [Optim.adam({ lr: 0.01, b1: 0.8 }), Optim.chain(Optim.scaleByAdam({ b1: 0.8 }), Optim.scaleByLearningRate(0.01))],
      [Optim.adamw({ lr: 0.01, weightDecay: 0.1 }), Optim.chain(Optim.scaleByAdam(), Optim.addDecayedWeights({ rate: 0.1 }), Optim.scaleByLearningRate(0.01))],
      [Optim.sgd({ lr: 0.1, momentum: 0.9, nesterov: true }), Optim.chain(Optim.trace({ decay: 0.9, nesterov: true }), Optim.scaleByLearningRate(0.1))],
      [Optim.rmsprop({ lr: 0.01, centered: true, momentum: 0.5 }), Optim.chain(Optim.scaleByRms({ centered: true }), Optim.trace({ decay: 0.5 }), Optim.scaleByLearningRate(0.01))],
      [Optim.adagrad({ lr: 0.1, weightDecay: 0.1 }), Optim.chain(Optim.addDecayedWeights({ rate: 0.1 }), Optim.scaleByAdagrad(), Optim.scaleByLearningRate(0.1))],
      [Optim.lion({ lr: 0.01, weightDecay: 0.2 }), Optim.chain(Optim.scaleByLion(), Optim.addDecayedWeights({ rate: 0.2 }), Optim.scaleByLearningRate(0.01))],
      [Optim.adam({ lr: 0.01, clipGlobalNorm: 0.5 }), Optim.chain(Optim.clipByGlobalNorm(0.5), Optim.scaleByAdam(), Optim.scaleByLearningRate(0.01))],
    ];
    for (const [alias, chained] of pairs) {
      const a = nx.tree.leaves(run(alias, 4) as nx.tree.Tree);
      const b = nx.tree.leaves(run(chained, 4) as nx.tree.Tree);
      a.forEach((t, i) => expect(bits(t), alias.name).toEqual(bits(b[i] as nx.Tensor)));
    }
  });

  test("chains nest and associate; an empty chain passes gradients through (p + g)", () => {
    const flat = run(Optim.chain(Optim.clipByValue(0.4), Optim.scaleByAdam(), Optim.scaleByLearningRate(0.1)), 3);
    const nested = run(Optim.chain(Optim.chain(Optim.clipByValue(0.4), Optim.scaleByAdam()), Optim.scaleByLearningRate(0.1)), 3);
    expect(leafValues(nested)).toEqual(leafValues(flat));
    const p = params();
    const [p2] = Optim.step(Optim.init(Optim.chain(), p), p, grads(0));
    const expected = nx.tree.map2((a: nx.Tensor, g: nx.Tensor) => nx.add(a, g), p as nx.tree.Tree, grads(0) as nx.tree.Tree);
    expect(leafValues(p2)).toEqual(leafValues(expected as Ptree));
  });

  test("the state holds count and every slot, named as the building blocks name them", () => {
    const p = params();
    expect(Object.keys(Optim.init(Optim.rmsprop({ lr: 1, centered: true, momentum: 0.9 }), p))).toEqual(["count", "nu", "mu", "trace"]);
    expect(Object.keys(Optim.init(Optim.adagrad({ lr: 1 }), p))).toEqual(["count", "sum_of_squares"]);
    expect(Object.keys(Optim.init(Optim.lion({ lr: 1 }), p))).toEqual(["count", "mu"]);
    expect(Object.keys(Optim.init(Optim.multiSteps(2, Optim.adam({ lr: 1 })), p))).toEqual(["count", "acc_grads", "mu", "nu"]);
    const adagrad = Optim.init(Optim.adagrad({ lr: 1, initialAccumulatorValue: 0.25 }), p);
    expect(values((adagrad.sum_of_squares as { dense: { bias: nx.Tensor } }).dense.bias)).toEqual([0.25, 0.25]);
  });

  test("learningRate: the schedule of the one scaleByLearningRate, for logging", () => {
    const schedule = Optim.cosineDecay({ initValue: 1, decaySteps: 10 });
    expect(Optim.adam({ lr: schedule }).learningRate).toBe(schedule);
    expect(Optim.sgd({ lr: 0.5 }).learningRate?.(7)).toBe(0.5);
    expect(Optim.chain(Optim.scaleByAdam()).learningRate).toBeUndefined();
    expect(Optim.adagrad({ lr: 1, lrDecay: 0.5 }).learningRate?.(2)).toBe(0.5);
    expect(Optim.multiSteps(4, Optim.adam({ lr: (s) => s })).learningRate?.(9)).toBe(2);
    expect(Optim.adamw({ lr: 0.1 }).parts.map((t) => t.name)).toEqual(["scaleByAdam", "addDecayedWeights", "scaleByLearningRate"]);
    expect(Optim.rmsprop({ lr: 0.1 }).hyperparams).toMatchObject({ alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weightDecay: 0 });
    expect(Optim.adagrad({ lr: 0.1 }).hyperparams).toMatchObject({ lrDecay: 0, eps: 1e-10, initialAccumulatorValue: 0, weightDecay: 0 });
    expect(Optim.lion({ lr: 0.1 }).hyperparams).toMatchObject({ b1: 0.9, b2: 0.99, weightDecay: 0 });
  });

  test("duplicate slot names are refused", () => {
    expect(() => Optim.chain(Optim.scaleByAdam(), Optim.scaleByLion())).toThrow(
      'kaun.Optim.chain: transforms 0 (scaleByAdam) and 1 (scaleByLion) both keep a slot named "mu"; a chain\'s slot names must be unique',
    );
    expect(() => Optim.multiSteps(2, Optim.multiSteps(2, Optim.sgd({ lr: 1 })))).toThrow('kaun.Optim.multiSteps: inner keeps a slot named "acc_grads"');
  });

  test("clipByGlobalNorm and clipByValue as transformations", () => {
    const p = { w: f64([0, 0]) };
    const [byNorm] = Optim.step(Optim.init(Optim.chain(Optim.clipByGlobalNorm(1)), p), p, { w: f64([3, 4]) });
    expectClose(values((byNorm as { w: nx.Tensor }).w), [0.6, 0.8], 1e-15, 0);
    const [byValue] = Optim.step(Optim.init(Optim.clipByValue(0.5), p), p, { w: f64([3, -0.25]) });
    expect(values((byValue as { w: nx.Tensor }).w)).toEqual([0.5, -0.25]);
  });
});

describe("weight-decay masks", () => {
  const decayed = (mask: Optim.Mask): string[] => {
    // With zero gradients and plain decay, exactly the masked parameters move.
    const p = params();
    const opt = Optim.chain(Optim.addDecayedWeights({ rate: 0.5, mask }), Optim.scaleByLearningRate(1));
    const [p2] = Optim.step(Optim.init(opt, p), p, nx.tree.map((t: nx.Tensor) => nx.zerosLike(t), p as nx.tree.Tree) as Ptree);
    const before = leafValues(p);
    return Object.entries(leafValues(p2))
      .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k]))
      .map(([k]) => k);
  };

  test("matricesOnly decays weight matrices, never vectors or embedding tables", () => {
    expect(decayed(Optim.matricesOnly())).toEqual(["dense.weight"]);
    expect(decayed(Optim.matricesOnly({ embeddings: true }))).toEqual(["embed.embedding", "dense.weight"]);
    expect(decayed((path) => path.endsWith("bias"))).toEqual(["dense.bias"]);
  });

  test("a tree of booleans, or of a prefix of the parameters", () => {
    expect(decayed({ embed: { embedding: false }, dense: { weight: true, bias: true }, norm: { scale: false } })).toEqual(["dense.weight", "dense.bias"]);
    expect(decayed({ embed: true, dense: false, norm: true })).toEqual(["embed.embedding", "norm.scale"]);
  });

  test("the decayed value is p - lr * rate * p", () => {
    const p = { w: f64([2, -4]) };
    const opt = Optim.chain(Optim.addDecayedWeights({ rate: 0.25 }), Optim.scaleByLearningRate(0.5));
    const [p2] = Optim.step(Optim.init(opt, p), p, { w: f64([0, 0]) });
    expect(values((p2 as { w: nx.Tensor }).w)).toEqual([2 - 0.5 * 0.25 * 2, -4 + 0.5 * 0.25 * 4]);
  });

  test("masks that do not fit the parameters are errors of Optim.step, before anything is computed", () => {
    const p = params();
    const g = grads(0);
    const stepWith = (mask: Optim.Mask): (() => unknown) => {
      const s = Optim.init(Optim.adamw({ lr: 0.1, mask }), p);
      return () => Optim.step(s, p, g);
    };
    expect(stepWith({ embed: true, dense: true })).toThrow('kaun.Optim.step: the mask has no entry for the parameter "norm.scale"');
    expect(stepWith({ embed: true, dense: true, norm: true, head: false })).toThrow('kaun.Optim.step: the mask\'s entry "head" matches no parameter');
    expect(stepWith(() => 1 as unknown as boolean)).toThrow('kaun.Optim.step: the mask returned 1 for the parameter "embed.embedding"; it must return a boolean');
    expect(() => Optim.adamw({ lr: 0.1, mask: { a: 1 } as never })).toThrow('kaun.Optim.adamw: mask must be a function or a tree of booleans; the leaf at "a" is 1');
    const s = Optim.init(Optim.adamw({ lr: 0.1, mask: { embed: true } }), p);
    const before = nx.memory().numTensors;
    expect(() => Optim.step(s, p, g)).toThrow(/no entry/);
    expect(nx.memory().numTensors).toBe(before);
  });
});

describe("multiSteps", () => {
  test("k - 1 calls accumulate and leave the parameters as they were; the k-th applies the inner update to the mean", () => {
    const k = 3;
    const acc = Optim.multiSteps(k, Optim.adam({ lr: 0.1 }));
    let p = params();
    let s = Optim.init(acc, p);
    const p0 = leafValues(p);
    const gs = [0, 1, 2].map(grads);
    for (let i = 0; i < k - 1; i++) {
      [p, s] = Optim.step(s, p, gs[i] as Ptree);
      expect(leafValues(p)).toEqual(p0);
    }
    [p, s] = Optim.step(s, p, gs[2] as Ptree);
    const sum01 = nx.tree.map2((a: nx.Tensor, b: nx.Tensor) => nx.add(a, b), gs[0] as nx.tree.Tree, gs[1] as nx.tree.Tree);
    const meanAll = nx.tree.map2((a: nx.Tensor, c: nx.Tensor) => nx.div(nx.add(a, c), 3), sum01, gs[2] as nx.tree.Tree) as Ptree;
    const direct = Optim.step(Optim.init(Optim.adam({ lr: 0.1 }), params()), params(), meanAll)[0];
    expectClose(Object.values(leafValues(p)).flat(), Object.values(leafValues(direct)).flat(), 1e-15, 1e-14);
    expect(values(s.count)).toEqual([3]);
    expect(values((s.acc_grads as { norm: { scale: nx.Tensor } }).norm.scale)).toEqual([0, 0]);
  });

  test("multiSteps(1, opt) is opt", () => {
    const a = run(Optim.multiSteps(1, Optim.adamw({ lr: 0.05 })), 4);
    const b = run(Optim.adamw({ lr: 0.05 }), 4);
    expect(leafValues(a)).toEqual(leafValues(b));
  });

  test("the inner optimizer counts its own updates (schedules, bias correction)", () => {
    const seen: number[] = [];
    const acc = Optim.multiSteps(2, Optim.sgd({ lr: (step) => (seen.push(step), 0.1) }));
    run(acc, 6);
    expect(seen).toEqual([0, 1, 2]);
  });

  test("a mid-cycle step returns fresh tensors: disposing the old state and params is safe", () => {
    let p = params();
    let s: OptState = Optim.init(Optim.multiSteps(3, Optim.adam({ lr: 0.1 })), p);
    for (let i = 0; i < 7; i++) {
      const [p2, s2] = Optim.step(s, p, grads(i));
      const old = new Set(nx.tree.leaves([p, s] as unknown as nx.tree.Tree));
      expect(nx.tree.leaves([p2, s2] as unknown as nx.tree.Tree).some((t) => old.has(t))).toBe(false);
      nx.dispose(nx.tree.leaves([p, s] as unknown as nx.tree.Tree));
      [p, s] = [p2, s2];
    }
    expect(values(s.count)).toEqual([7]);
  });
});

describe("state: checkpoints and memory", () => {
  test("an optimizer state round-trips through a checkpoint and training resumes identically", () => {
    const opt = Optim.multiSteps(2, Optim.rmsprop({ lr: 0.01, centered: true, momentum: 0.9 }));
    let p = params();
    let s = Optim.init(opt, p);
    for (let i = 0; i < 3; i++) [p, s] = Optim.step(s, p, grads(i));
    const bytes = Checkpoint.toBytes({ p, s });
    const loaded = Checkpoint.fromBytes(bytes, { like: { p: params(), s: Optim.init(opt, params()) } });
    expect(Optim.optimizerOf(loaded.s)).toBe(opt);
    const a = Optim.step(s, p, grads(3))[0];
    const b = Optim.step(loaded.s, loaded.p, grads(3))[0];
    expect(leafValues(b)).toEqual(leafValues(a));
  });

  test("a step releases its intermediates: the live count stays flat over 200 steps of every optimizer", () => {
    const opts = [
      Optim.sgd({ lr: 0.01, momentum: 0.9 }),
      Optim.adamw({ lr: 0.01, mask: Optim.matricesOnly(), clipGlobalNorm: 1 }),
      Optim.rmsprop({ lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1 }),
      Optim.adagrad({ lr: 0.01, lrDecay: 0.01 }),
      Optim.lion({ lr: 0.001, weightDecay: 0.1 }),
      Optim.multiSteps(4, Optim.adam({ lr: Optim.oneCycle({ peakValue: 0.01, totalSteps: 50 }) })),
      Optim.chain(Optim.clipByValue(1), Optim.scaleByAdam(), Optim.scaleByLearningRate(Optim.cosineDecayRestarts({ initValue: 0.01, decaySteps: 7 }))),
    ];
    for (const opt of opts) {
      let p = params();
      let s = Optim.init(opt, p);
      const g = grads(0);
      const baseline = nx.memory().numTensors;
      for (let i = 0; i < 200; i++) {
        const [p2, s2] = Optim.step(s, p, g);
        nx.dispose(nx.tree.leaves([p, s] as unknown as nx.tree.Tree));
        [p, s] = [p2, s2];
        expect(nx.memory().numTensors, `${opt.name} step ${i}`).toBe(baseline);
      }
    }
  });

  test("Train keeps working with any transformation, float32", () => {
    const model = Layer.sequential([Layer.linear({ inFeatures: 2, outFeatures: 8 }), Layer.gelu(), Layer.linear({ inFeatures: 8, outFeatures: 1 })]);
    const x = nx.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = nx.tensor([[0], [1], [1], [0]]);
    const optimizers = [
      Optim.rmsprop({ lr: 0.01 }),
      Optim.adagrad({ lr: 0.1 }),
      Optim.lion({ lr: 0.003, weightDecay: 0.1, mask: Optim.matricesOnly() }),
      Optim.multiSteps(2, Optim.adamw({ lr: 0.02 })),
    ];
    for (const optimizer of optimizers) {
      const trainer = Train.make({ model, optimizer });
      const losses: number[] = [];
      Rng.run(0, () => {
        const state = Train.init(trainer);
        const batches = Array.from({ length: 200 }, () => ({ x, loss: (out: nx.Tensor) => Loss.mse(out, y) }));
        Train.fit(trainer, state, batches, { onStep: ({ loss }) => void losses.push(loss) });
      });
      expect((losses.at(-1) as number) < (losses[0] as number) * 0.5, optimizer.name).toBe(true);
    }
  });
});

describe("schedule edges and errors", () => {
  test("oneCycle stays at its last value after totalSteps - 1; piecewiseConstant changes at each boundary", () => {
    const oc = Optim.oneCycle({ peakValue: 1, totalSteps: 10 });
    expect(oc(0)).toBeCloseTo(1 / 25, 15);
    expect(oc(2)).toBeCloseTo(1, 15);
    expect(oc(9)).toBeCloseTo(1 / 25 / 1e4, 15);
    expect(oc(50)).toBe(oc(9));
    const pc = Optim.piecewiseConstant({ boundaries: [2, 4], values: [3, 2, 1] });
    expect([0, 1, 2, 3, 4, 100].map(pc)).toEqual([3, 3, 2, 2, 1, 1]);
    const ed = Optim.exponentialDecay({ initValue: 1, transitionSteps: 2, decayRate: 2, endValue: 3 });
    expect([0, 2, 4, 100].map(ed)).toEqual([1, 2, 3, 3]);
  });

  test("errors name the schedule", () => {
    expect(() => Optim.oneCycle({ peakValue: 1, totalSteps: 3 })).toThrow("kaun.Optim.oneCycle: phase 1 of 2 would end at step -0.1, not after its start 0: raise totalSteps (3) or change pctStart (0.3)");
    expect(() => Optim.piecewiseConstant({ boundaries: [3, 3], values: [1, 2, 3] })).toThrow("kaun.Optim.piecewiseConstant: boundaries must be strictly increasing, got 3 then 3");
    expect(() => Optim.piecewiseConstant({ boundaries: [3], values: [1] })).toThrow("kaun.Optim.piecewiseConstant: values must be an array one longer than boundaries (2 values), got [1]");
    expect(() => Optim.cosineDecayRestarts({ initValue: 1, decaySteps: 3, tMul: 0.5 })).toThrow("kaun.Optim.cosineDecayRestarts: tMul must be at least 1 (periods never shrink), got 0.5");
    expect(() => Optim.exponentialDecay({ initValue: 1, transitionSteps: 2, decayRate: 0 })).toThrow("kaun.Optim.exponentialDecay: decayRate must be a positive finite number, got 0");
    expect(() => Optim.polynomialDecay({ initValue: 1, endValue: 0, transitionSteps: 0 })).toThrow("kaun.Optim.polynomialDecay: transitionSteps must be a positive integer, got 0");
    const p = { w: f64([1]) };
    const s = Optim.init(Optim.adamw({ lr: 0.1, weightDecay: 0.1 }), p);
    expect(() => Optim.step(Optim.init(Optim.chain(Optim.addDecayedWeights({ rate: () => Number.NaN })), p), p, p)).toThrow("kaun.Optim.step: the weight-decay rate schedule returned NaN at step 0");
    expect(() => Optim.step(s, p, p)).not.toThrow();
  });
});
