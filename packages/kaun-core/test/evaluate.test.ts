// Train.fit over Data datasets and Train.evaluate: the same numbers as the
// plain-batch path, metrics equal to hand computations from Train.predict,
// and flat memory (each batch a dataset makes is disposed).
import * as nx from "@raven-ts/nx";
import { describe, expect, it } from "vitest";
import type { Batch, TrainState } from "../src/index.js";
import { Context, Data, Layer, Loss, Metric, Optim, Rng, Train } from "../src/index.js";
import { prng } from "./helpers.js";

const live = (): number => nx.memory().numTensors;
const tensorsOf = (s: TrainState): number => nx.tree.leaves<unknown>(s as unknown as nx.tree.Tree<unknown>).filter(nx.isTensor).length;

/** Token classification: predict (3 * token + 1) mod 10 for every token. */
const VOCAB = 10;
const rand = prng(5);
const ids = Array.from({ length: 64 * 6 }, () => Math.floor(rand() * VOCAB));
const tokens = nx.tensor(ids, { dtype: "int32", shape: [64, 6] });
const labels = nx.tensor(ids.map((t) => (3 * t + 1) % VOCAB), { dtype: "int32", shape: [64, 6] });
const model = Layer.compose(Layer.embedding({ vocabSize: VOCAB, embedDim: 16 }), Layer.sequential([Layer.linear({ inFeatures: 16, outFeatures: 32 }), Layer.gelu(), Layer.dropout({ rate: 0.1 }), Layer.linear({ inFeatures: 32, outFeatures: VOCAB })]));
const trainer = Train.make({ model, optimizer: Optim.adam({ lr: 0.03 }) });

describe("Train.fit over a dataset", () => {
  it("gives the same losses as the same batches given as { x, loss }", () => {
    const data = Data.ofTensors({ inputs: tokens, targets: labels }).batch(16);
    const viaData: number[] = [];
    const a = Rng.run(1, () => Train.fit(trainer, Train.init(trainer), data.repeat(3), { loss: Loss.crossEntropySparse, onStep: ({ loss }) => void viaData.push(loss) }));
    const plain: Batch[] = [];
    for (let e = 0; e < 3; e++) {
      for (let b = 0; b < 4; b++) {
        const y = nx.slice(labels, [{ start: 16 * b, stop: 16 * b + 16 }]);
        plain.push({ x: nx.slice(tokens, [{ start: 16 * b, stop: 16 * b + 16 }]), loss: (out) => Loss.crossEntropySparse(out, y) });
      }
    }
    const viaBatches: number[] = [];
    const b = Rng.run(1, () => Train.fit(trainer, Train.init(trainer), plain, { onStep: ({ loss }) => void viaBatches.push(loss) }));
    expect(viaData).toHaveLength(12);
    expect(viaData).toEqual(viaBatches);
    expect(viaData[11]).toBeLessThan((viaData[0] as number) - 0.5);
    nx.dispose([a, b]);
  });

  it("disposes each batch of a dataset: memory stays flat over epochs of shuffled batches", () => {
    const data = Data.ofTensors({ inputs: tokens, targets: labels }).shuffle(nx.random.key(0)).batch(8).repeat(6);
    const counts: number[] = [];
    Rng.run(0, () => {
      const s0 = Train.init(trainer);
      const before = live();
      const final = Train.fit(trainer, s0, data, { loss: Loss.crossEntropySparse, onStep: ({ step }) => void (step % 8 === 0 && counts.push(live())) });
      expect(counts).toHaveLength(6);
      expect(new Set(counts).size).toBe(1);
      expect(live()).toBe(before + tensorsOf(final));
      nx.dispose(final);
    });
  });

  it("stopping early (onStep false) disposes the batch and closes the dataset", () => {
    let made = 0;
    const data = Data.ofTensors({ inputs: tokens, targets: labels }).map((b) => {
      made++;
      return b;
    });
    Rng.run(0, () => {
      const s0 = Train.init(trainer);
      const before = live();
      const final = Train.fit(trainer, s0, data.batch(4), { loss: Loss.crossEntropySparse, onStep: ({ step }) => step < 2 });
      expect(made).toBe(8);
      expect(final.opt.count.item()).toBe(2);
      expect(live()).toBe(before + tensorsOf(final));
      nx.dispose(final);
    });
  });

  it("input, target and a per-batch ctx read any batch layout; the loss sees the batch", () => {
    const seen: number[] = [];
    const probe: Layer = {
      init: ({ dtype }) => ({ params: { w: nx.ones([1], dtype) }, state: {}, dtype }),
      apply: ({ params, state, ctx }, x) => {
        seen.push(ctx?.find("scale")?.item() as number);
        return [nx.mul(x, (params as { w: nx.Tensor }).w), state];
      },
    };
    const t = Train.make({ model: probe, optimizer: Optim.sgd({ lr: 0.1 }) });
    const data = Data.ofTensors({ a: nx.tensor([[1], [2]]), b: nx.tensor([[3], [4]]) }).batch(1);
    const losses: number[] = [];
    Rng.run(0, () =>
      Train.fit(t, Train.init(t), data, {
        input: (batch) => batch.a,
        target: (batch) => batch.b,
        ctx: (batch) => Context.empty.set("scale", nx.sum(batch.b)),
        loss: (out, targets, batch) => nx.sum(nx.mul(nx.sub(out, targets), nx.sum(batch.a))),
        onStep: ({ loss }) => void losses.push(loss),
      }),
    );
    expect(seen).toEqual([3, 4]);
    // Step 1: w = 1, (1 - 3) * 1 = -2; gradient x·a = 1, w = 0.9. Step 2: (1.8 - 4) * 2 = -4.4.
    expect(losses[0]).toBeCloseTo(-2, 6);
    expect(losses[1]).toBeCloseTo(-4.4, 5);
  });

  it("names a missing inputs/targets tensor and the options that say where they are", () => {
    const s = Rng.run(0, () => Train.init(trainer));
    const data = Data.ofTensors({ x: tokens, y: labels }).batch(8);
    expect(() => Train.fit(trainer, s, data, { loss: Loss.crossEntropySparse })).toThrow(/^kaun\.Train\.fit: batch 0 has no tensor "inputs" \(got an object\); pass input: \(batch\) => tensor/);
    expect(() => Train.fit(trainer, s, data, { loss: Loss.crossEntropySparse, input: (b) => b.x })).toThrow(/^kaun\.Train\.fit: batch 0 has no tensor "targets"/);
    expect(() => Train.fit(trainer, s, [{ x: tokens, loss: (o: nx.Tensor) => nx.sum(o) }], { input: (b: { x: nx.Tensor }) => b.x } as never)).toThrow("kaun.Train.fit: input and target read the batches of a dataset; pass loss");
  });
});

describe("Train.evaluate", () => {
  const state = Rng.run(3, () => Train.init(trainer));

  it("returns plain numbers equal to the metrics computed by hand from Train.predict", () => {
    const data = Data.ofTensors({ inputs: tokens, targets: labels }).batch(24); // 24, 24, 16 rows: uneven batches
    const before = live();
    const result = Train.evaluate(trainer, state, data, { acc: Metric.accuracy(), top3: Metric.accuracy({ topK: 3 }), ppl: Metric.perplexity(), f1: Metric.f1({ average: "macro" }) });
    expect(live()).toBe(before);
    // By hand: logits of every token at once (no dropout), then plain JS.
    const logits = Train.predict(trainer, state, tokens); // [64, 6, 10]
    const flat = logits.dataSync();
    const truth = labels.dataSync();
    let right = 0;
    let right3 = 0;
    let nll = 0;
    const predicted: number[] = [];
    for (let i = 0; i < truth.length; i++) {
      const row = Array.from(flat.subarray(i * VOCAB, (i + 1) * VOCAB), Number);
      const label = truth[i] as number;
      const best = row.indexOf(Math.max(...row));
      predicted.push(best);
      if (best === label) right++;
      if (row.filter((v, c) => v > (row[label] as number) || (v === row[label] && c < label)).length < 3) right3++;
      const m = Math.max(...row);
      nll += m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - (row[label] as number);
    }
    const classes = [...new Set([...predicted, ...Array.from(truth, Number)])];
    const f1s = classes.map((c) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      predicted.forEach((p, i) => {
        const y = truth[i] as number;
        if (p === c && y === c) tp++;
        else if (p === c) fp++;
        else if (y === c) fn++;
      });
      return 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    });
    expect(result.acc).toBeCloseTo(right / truth.length, 12);
    expect(result.top3).toBeCloseTo(right3 / truth.length, 12);
    expect(result.ppl).toBeCloseTo(Math.exp(nll / truth.length), 4);
    expect(result.f1).toBeCloseTo(f1s.reduce((a, b) => a + b, 0) / f1s.length, 12);
    expect(typeof result.acc).toBe("number");
    logits.dispose();
  });

  it("resets its metrics first (a second run gives the same numbers) and leaves a plain array's batches alone", () => {
    const batches = [{ inputs: tokens, targets: labels }];
    const metrics = { ppl: Metric.perplexity() };
    const first = Train.evaluate(trainer, state, batches, metrics);
    const second = Train.evaluate(trainer, state, batches, metrics);
    expect(second).toEqual(first);
    expect(tokens.isDisposed || labels.isDisposed).toBe(false);
  });

  it("an empty dataset gives NaN; errors name Train.evaluate and the metric", () => {
    expect(Train.evaluate(trainer, state, [], { acc: Metric.accuracy() }).acc).toBeNaN();
    const bad = [{ inputs: tokens, targets: nx.add(labels, 5) }];
    expect(() => Train.evaluate(trainer, state, bad, { ppl: Metric.perplexity() })).toThrow(/^kaun\.Train\.evaluate: metric ppl rejected batch 0: kaun\.Metric\.perplexity\.update: target 1[0-4] at flat position \d+ is out of range for a vocabulary of 10/);
    expect(() => Train.evaluate(trainer, state, [], { m: Metric.mean() as never })).toThrow(/^kaun\.Train\.evaluate: metrics\.m is a Metric\.mean tracker/);
  });
});
