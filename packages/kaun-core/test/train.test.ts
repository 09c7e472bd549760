import * as nx from "@raven-ts/nx";
import { describe, expect, test } from "vitest";
import type { Batch, TrainState } from "../src/index.js";
import { Context, Layer, Loss, Optim, Rng, Train } from "../src/index.js";
import { prng, values } from "./helpers.js";

describe("Train", () => {
  test("a sequential MLP learns XOR with adam", () => {
    const model = Layer.sequential([Layer.linear({ inFeatures: 2, outFeatures: 8 }), Layer.tanh(), Layer.linear({ inFeatures: 8, outFeatures: 1 })]);
    const trainer = Train.make({ model, optimizer: Optim.adam({ lr: 0.05 }) });
    const x = nx.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = nx.tensor([[0], [1], [1], [0]]);
    const state = Rng.run(0, () => Train.init(trainer, { dtype: "float32" }));
    const losses: number[] = [];
    const batch: Batch = { x, loss: (out) => Loss.binaryCrossEntropy(out, y) };
    const final = Train.fit(trainer, state, Array.from({ length: 300 }, () => batch), { onStep: ({ loss }) => void losses.push(loss) });
    expect(losses).toHaveLength(300);
    expect(losses[0]).toBeGreaterThan(0.5);
    expect(losses[299]).toBeLessThan(0.02);
    const probs = values(nx.sigmoid(Train.predict(trainer, final, x)));
    expect(probs.map((p) => (p > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    // The caller's initial state is untouched.
    expect(values(Train.predict(trainer, state, x))).not.toEqual(values(Train.predict(trainer, final, x)));
  });

  /** Token classification: predict (3 * token + 1) mod 10 for every token of a sequence. */
  const VOCAB = 10;
  function makeBatches(n: number, seed: number): Batch[] {
    const rand = prng(seed);
    return Array.from({ length: n }, () => {
      const ids = Array.from({ length: 16 * 6 }, () => Math.floor(rand() * VOCAB));
      const x = nx.tensor(ids, { dtype: "int32", shape: [16, 6] });
      const labels = nx.tensor(ids.map((t) => (3 * t + 1) % VOCAB), { dtype: "int32", shape: [16, 6] });
      return { x, loss: (logits: nx.Tensor) => Loss.crossEntropySparse(logits, labels) };
    });
  }
  const model = Layer.compose(
    Layer.embedding({ vocabSize: VOCAB, embedDim: 16 }),
    Layer.sequential([
      Layer.layerNorm({ dim: 16 }),
      Layer.linear({ inFeatures: 16, outFeatures: 32 }),
      Layer.gelu(),
      Layer.dropout({ rate: 0.1 }),
      Layer.linear({ inFeatures: 32, outFeatures: VOCAB }),
    ]),
  );
  const trainer = Train.make({ model, optimizer: Optim.adamw({ lr: Optim.warmupCosineDecay({ peakValue: 0.03, warmupSteps: 10, decaySteps: 140 }) }) });

  function trainRun(seed: number): { losses: number[]; state: TrainState } {
    const batches = makeBatches(150, 1);
    return Rng.run(seed, () => {
      const losses: number[] = [];
      const s0 = Train.init(trainer);
      const state = Train.fit(trainer, s0, batches, { onStep: ({ loss }) => void losses.push(loss) });
      return { losses, state };
    });
  }

  test("embedding + layerNorm + linear + dropout trains with Train.fit, reproducibly", () => {
    const a = trainRun(42);
    expect(a.losses[0]).toBeGreaterThan(1.8);
    expect(a.losses[a.losses.length - 1]).toBeLessThan(0.15);
    const b = trainRun(42);
    expect(b.losses).toEqual(a.losses); // bitwise: toEqual compares with Object.is per element
    const c = trainRun(43);
    expect(c.losses).not.toEqual(a.losses);
    // The trained model classifies a fresh batch.
    const probe = makeBatches(1, 99)[0] as Batch;
    const logits = Train.predict(trainer, a.state, probe.x);
    const pred = values(nx.argmax(logits, { axis: -1 }));
    const ids = values(probe.x);
    const acc = pred.filter((p, i) => p === (3 * ids[i]! + 1) % VOCAB).length / pred.length;
    expect(acc).toBe(1);
  });

  test("a long training loop keeps nx.memory().numTensors flat", () => {
    const batches = makeBatches(4, 7);
    const cycle = function* (n: number): Generator<Batch> {
      for (let i = 0; i < n; i++) yield batches[i % batches.length] as Batch;
    };
    const counts: number[] = [];
    Rng.run(0, () => {
      const s0 = Train.init(trainer);
      const before = nx.memory().numTensors;
      const final = Train.fit(trainer, s0, cycle(200), { onStep: ({ step }) => void (step % 50 === 0 && counts.push(nx.memory().numTensors)) });
      // The final state is the only new thing alive.
      const leaves = nx.tree.leaves<unknown>(final as unknown as nx.tree.Tree<unknown>).filter(nx.isTensor).length;
      expect(nx.memory().numTensors).toBe(before + leaves);
    });
    expect(new Set(counts).size).toBe(1);
  });

  test("a hand-written loop with Train.step and Train.disposeStale is flat too", () => {
    const [batch] = makeBatches(1, 3) as [Batch];
    Rng.run(0, () => {
      let state = Train.init(trainer);
      const counts: number[] = [];
      for (let i = 0; i < 30; i++) {
        const [loss, next] = Train.step(trainer, state, batch.x, { loss: batch.loss });
        loss.dispose();
        if (i > 0) Train.disposeStale(state, next);
        state = next;
        counts.push(nx.memory().numTensors);
      }
      expect(new Set(counts.slice(1)).size).toBe(1);
    });
  });

  test("Train.step returns the pre-update loss and the updated state", () => {
    const m = Layer.linear({ inFeatures: 1, outFeatures: 1, weightInit: () => nx.tensor([[2]]), biasInit: () => nx.tensor([0]) });
    const t = Train.make({ model: m, optimizer: Optim.sgd({ lr: 0.1 }) });
    const s = Train.init(t);
    const x = nx.tensor([[1], [2]]);
    const target = nx.tensor([[1], [2]]);
    const [loss, next] = Train.step(t, s, x, { loss: (y) => Loss.mse(y, target) });
    // y = 2x, residual x: mse = (1 + 4) / 2; dL/dw = mean(2 x * x) = 5; dL/db = mean(2 x) = 3.
    expect(loss.item()).toBe(2.5);
    const p = next.vars.params as { weight: nx.Tensor; bias: nx.Tensor };
    expect(values(p.weight)[0]).toBeCloseTo(1.5, 6);
    expect(values(p.bias)[0]).toBeCloseTo(-0.3, 6);
    expect(next.opt.count.item()).toBe(1);
  });

  test("ctx reaches the model, training defaults to true, predict uses training: false", () => {
    const seen: [boolean, number | undefined][] = [];
    const probe: Layer = {
      init: ({ dtype }) => ({ params: { w: nx.ones([1], dtype) }, state: {}, dtype }),
      apply: ({ params, state, training, ctx }, x) => {
        seen.push([training, ctx?.find("k")?.item() as number | undefined]);
        return [nx.mul(x, (params as { w: nx.Tensor }).w), state];
      },
    };
    const t = Train.make({ model: probe, optimizer: Optim.sgd({ lr: 0.1 }) });
    const s = Train.init(t);
    const ctx = Context.empty.set("k", nx.scalar(7));
    Train.step(t, s, nx.ones([1]), { loss: (y) => nx.sum(y), ctx });
    Train.step(t, s, nx.ones([1]), { loss: (y) => nx.sum(y), training: false });
    Train.predict(t, s, nx.ones([1]), { ctx });
    Train.fit(t, s, [{ x: nx.ones([1]), loss: (y: nx.Tensor) => nx.sum(y) }], { ctx });
    expect(seen).toEqual([
      [true, 7],
      [false, undefined],
      [false, 7],
      [true, 7],
    ]);
  });

  test("fit stops when onStep returns false", () => {
    const m = Layer.linear({ inFeatures: 1, outFeatures: 1 });
    const t = Train.make({ model: m, optimizer: Optim.sgd({ lr: 0.1 }) });
    const batch: Batch = { x: nx.ones([1, 1]), loss: (y) => nx.sum(y) };
    let calls = 0;
    const final = Rng.run(0, () => Train.fit(t, Train.init(t), Array.from({ length: 10 }, () => batch), { onStep: ({ step }) => (calls++, step < 3) }));
    expect(calls).toBe(3);
    expect(final.opt.count.item()).toBe(3);
  });

  test("errors", () => {
    const m = Layer.linear({ inFeatures: 2, outFeatures: 1 });
    const t = Train.make({ model: m, optimizer: Optim.sgd({ lr: 0.1 }) });
    const s = Rng.run(0, () => Train.init(t));
    expect(() => Train.step(t, s, nx.ones([1, 2]), { loss: (y) => y, training: true })).not.toThrow();
    expect(() => Train.step(t, s, nx.ones([3, 2]), { loss: (y) => y })).toThrow("kaun.Train.step: loss must return a one-element float tensor, got float32 [3,1]");
    expect(() => Train.step(t, s, nx.ones([1, 2], "float64"), { loss: (y) => nx.sum(y) })).toThrow(/kaun\.Layer\.linear: input dtype float64 \[1,2\] differs from the model dtype float32/);
    expect(() => Train.make({ model: m, optimizer: {} as Optim.Optimizer })).toThrow(/kaun\.Train\.make: optimizer must be made by Optim\.sgd/);
    expect(() => Train.fit(t, s, 5 as unknown as Batch[])).toThrow("kaun.Train.fit: batches must be an iterable of batches (a Data dataset, an array, a generator), got 5");
    expect(() => Train.fit(t, s, [{ x: nx.ones([1, 2]) } as Batch])).toThrow("kaun.Train.fit: batch 0 must be { x: Tensor, loss: (output) => Tensor }, got an object");
    expect(() => Train.predict(t, {} as TrainState, nx.ones([1, 2]))).toThrow(/kaun\.Train\.predict: expected a training state \{ vars, opt \}/);
  });

  test("makeState starts from given variables", () => {
    const m = Layer.linear({ inFeatures: 2, outFeatures: 1 });
    const t = Train.make({ model: m, optimizer: Optim.adam({ lr: 0.1 }) });
    const vars = Rng.run(0, () => Layer.init(m, { dtype: "float64" }));
    const s = Train.makeState(t, vars);
    expect(s.vars).toBe(vars);
    expect((s.opt.mu as { weight: nx.Tensor }).weight.dtype).toBe("float64");
  });
});
