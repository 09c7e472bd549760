// Every public function that returns tensors leaves only its results live
// (nx.memory().numTensors; no tidy around the calls, and finalizers do not run
// during a synchronous test), so loops stay flat without nx.tidy.
import * as nx from "@raven-ts/nx";
import { describe, expect, it } from "vitest";
import { Checkpoint, Data, Fn, Init, Layer, Loss, Metric, Optim, Ptree, Rng, Train } from "../src/index.js";

const live = (): number => nx.memory().numTensors;

/** The tensors among the leaves of `out`, counted once each. */
function tensorsIn(out: unknown): number {
  return new Set(nx.tree.leaves<unknown>(out as nx.tree.Tree<unknown>).filter(nx.isTensor)).size;
}

const x = nx.random.normal(nx.random.key(0), [3, 4]);
const q = nx.random.normal(nx.random.key(1), [2, 3, 4]);
const k = nx.random.normal(nx.random.key(2), [2, 5, 4]);
const v = nx.random.normal(nx.random.key(3), [2, 5, 6]);
const ids = nx.tensor([[0, 2], [1, 1]], { dtype: "int32" });
const table = nx.random.normal(nx.random.key(4), [3, 4]);
const labels = nx.tensor([0, 3, 1], { dtype: "int32" });
const gamma = nx.ones([4]);
const keepBool = nx.ones([5], "bool");
const keepInt = nx.ones([5], "int32");
const soft = nx.softmax(x, { axes: -1 });
const ones = nx.ones([3, 4]);
const zeros = nx.zeros([3, 4]);
const bytes = Checkpoint.toBytes({ a: x, b: gamma });
const square = nx.random.normal(nx.random.key(5), [4, 4]);

const mlp = Layer.sequential([Layer.linear({ inFeatures: 4, outFeatures: 8 }), Layer.gelu(), Layer.dropout({ rate: 0.2 }), Layer.layerNorm({ dim: 8 }), Layer.linear({ inFeatures: 8, outFeatures: 2 })]);
const named = Layer.named({ norm: Layer.rmsNorm({ dim: 4 }), proj: Layer.linear({ inFeatures: 4, outFeatures: 4 }) }, (run, h) => nx.add(h, run("proj", run("norm", h))));
const embedModel = Layer.compose(Layer.embedding({ vocabSize: 3, embedDim: 4 }), Layer.flatten());
const layers: [string, Layer<"float" | "int32", "float">, nx.Tensor][] = [
  ["linear", Layer.linear({ inFeatures: 4, outFeatures: 2 }), x],
  ["layerNorm", Layer.layerNorm({ dim: 4 }), x],
  ["rmsNorm", Layer.rmsNorm({ dim: 4 }), x],
  ["relu", Layer.relu(), x],
  ["gelu", Layer.gelu(), x],
  ["silu", Layer.silu(), x],
  ["tanh", Layer.tanh(), x],
  ["sigmoid", Layer.sigmoid(), x],
  ["relu6", Layer.relu6(), x],
  ["leakyRelu", Layer.leakyRelu(), x],
  ["elu", Layer.elu(), x],
  ["selu", Layer.selu(), x],
  ["celu", Layer.celu(), x],
  ["mish", Layer.mish(), x],
  ["hardSigmoid", Layer.hardSigmoid(), x],
  ["hardSwish", Layer.hardSwish(), x],
  ["softsign", Layer.softsign(), x],
  ["logSigmoid", Layer.logSigmoid(), x],
  ["glu", Layer.glu({ inFeatures: 4, hiddenFeatures: 6 }), x],
  ["swiglu", Layer.swiglu({ inFeatures: 4, hiddenFeatures: 6, outFeatures: 2 }), x],
  ["geglu", Layer.geglu({ inFeatures: 4, hiddenFeatures: 6 }), x],
  ["flatten", Layer.flatten(), q],
  ["dropout", Layer.dropout({ rate: 0.5 }), x],
  ["sequential", mlp, x],
  ["named", named, x],
  ["compose(embedding, flatten)", embedModel, ids],
];

describe("Layer.apply of every layer, in training mode", () => {
  for (const [name, layer, input] of layers) {
    it(name, () => {
      const vars = Rng.run(0, () => Layer.init(layer));
      const before = live();
      const [y] = Rng.run(1, () => Layer.apply(layer, vars, input, { training: true }));
      expect(live() - before).toBe(y === input ? 0 : 1);
      const own = Rng.run(1, () => layer.apply({ ...vars, training: true }, input));
      expect(live() - before).toBe((y === input ? 0 : 1) + (own[0] === input ? 0 : 1));
    });
  }
});

const fns: [string, () => unknown][] = [
  ["Fn.relu", () => Fn.relu(x)],
  ["Fn.gelu", () => Fn.gelu(x)],
  ["Fn.geluApprox", () => Fn.geluApprox(x)],
  ["Fn.silu", () => Fn.silu(x)],
  ["Fn.sigmoid", () => Fn.sigmoid(x)],
  ["Fn.tanh", () => Fn.tanh(x)],
  ["Fn.softplus", () => Fn.softplus(x)],
  ["Fn.relu6", () => Fn.relu6(x)],
  ["Fn.leakyRelu", () => Fn.leakyRelu(x, { negativeSlope: 0.2 })],
  ["Fn.elu", () => Fn.elu(x)],
  ["Fn.selu", () => Fn.selu(x)],
  ["Fn.celu", () => Fn.celu(x, { alpha: 2 })],
  ["Fn.mish", () => Fn.mish(x)],
  ["Fn.hardSigmoid", () => Fn.hardSigmoid(x)],
  ["Fn.hardSwish", () => Fn.hardSwish(x)],
  ["Fn.softsign", () => Fn.softsign(x)],
  ["Fn.logSigmoid", () => Fn.logSigmoid(x)],
  ["Fn.glu", () => Fn.glu(x, { gate_proj: square, up_proj: square, down_proj: square })],
  ["Fn.swiglu", () => Fn.swiglu(x, { gate_proj: square, up_proj: square, down_proj: square })],
  ["Fn.geglu", () => Fn.geglu(x, { gate_proj: square, up_proj: square, down_proj: square })],
  ["Fn.layerNorm", () => Fn.layerNorm(x, { gamma, beta: gamma })],
  ["Fn.rmsNorm", () => Fn.rmsNorm(x, { gamma })],
  ["Fn.embedding", () => Fn.embedding(ids, { embedding: table })],
  ["Fn.dropout", () => Rng.run(0, () => Fn.dropout(x, { rate: 0.3 }))],
  ["Fn.attentionWeights (causal, offset, mask)", () => Fn.attentionWeights(q, k, { isCausal: true, queryOffset: 2, attentionMask: keepBool })],
  ["Fn.dotProductAttention (dropout)", () => Rng.run(0, () => Fn.dotProductAttention(q, k, v, { dropoutRate: 0.1, attentionMask: keepInt }))],
  ["Loss.crossEntropy", () => Loss.crossEntropy(x, soft)],
  ["Loss.crossEntropySparse", () => Loss.crossEntropySparse(x, labels)],
  ["Loss.binaryCrossEntropy", () => Loss.binaryCrossEntropy(x, ones)],
  ["Loss.mse", () => Loss.mse(x, zeros)],
  ["Loss.mae", () => Loss.mae(x, zeros)],
  ["Init.glorotUniform", () => Rng.run(0, () => Init.glorotUniform()([4, 4], "float32"))],
  ["Init.heNormal", () => Rng.run(0, () => Init.heNormal()([4, 4], "float32"))],
  ["Init.normal", () => Rng.run(0, () => Init.normal()([4, 4], "float32"))],
  ["Init.uniform", () => Rng.run(0, () => Init.uniform()([4, 4], "float32"))],
  ["Optim.globalNorm", () => Optim.globalNorm({ a: x, b: [gamma] })],
  ["Optim.clipByGlobalNorm", () => Optim.clipByGlobalNorm({ a: x, b: [gamma] }, 0.5)],
  ["Optim.init (every slot)", () => Optim.init(Optim.multiSteps(2, Optim.rmsprop({ lr: 0.1, centered: true, momentum: 0.9 })), { a: x, b: [gamma] })],
  ["Ptree.zerosLike", () => Ptree.zerosLike({ a: x, b: [gamma] })],
  ["Checkpoint.fromBytes", () => Checkpoint.fromBytes(bytes, { like: { a: x, b: gamma } })],
];

describe("functions", () => {
  for (const [name, f] of fns) {
    it(name, () => {
      const before = live();
      const out = f();
      expect(live() - before).toBe(tensorsIn(out));
    });
  }
});

describe("optimizer and training steps", () => {
  const model = Layer.sequential([Layer.linear({ inFeatures: 4, outFeatures: 3 }), Layer.relu(), Layer.linear({ inFeatures: 3, outFeatures: 1 })]);
  const target = nx.zeros([3, 1]);
  const loss = (y: nx.Tensor): nx.Tensor => Loss.mse(y, target);

  it("Optim.init and Optim.step (adam, clipped)", () => {
    const vars = Rng.run(0, () => Layer.init(model));
    const opt = Optim.adam({ lr: 0.01, clipGlobalNorm: 1 });
    const before = live();
    const state = Optim.init(opt, vars.params);
    expect(live() - before).toBe(tensorsIn(state));
    const grads = Ptree.map((p) => nx.onesLike(p), vars.params);
    const mid = live();
    const [params, next] = Optim.step(state, vars.params, grads);
    expect(live() - mid).toBe(tensorsIn(params) + tensorsIn(next));
  });

  it("Optim.step of every optimizer and of multiSteps mid-cycle", () => {
    const vars = Rng.run(0, () => Layer.init(model));
    const grads = Ptree.map((p) => nx.onesLike(p), vars.params);
    const optimizers = [
      Optim.rmsprop({ lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1, mask: Optim.matricesOnly() }),
      Optim.adagrad({ lr: 0.01, lrDecay: 0.1 }),
      Optim.lion({ lr: 0.01, weightDecay: 0.1 }),
      Optim.multiSteps(3, Optim.adamw({ lr: Optim.oneCycle({ peakValue: 0.1, totalSteps: 10 }) })),
      Optim.chain(Optim.clipByValue(0.1), Optim.scaleByAdam(), Optim.scaleByLearningRate(0.1)),
    ];
    for (const opt of optimizers) {
      const state = Optim.init(opt, vars.params);
      const mid = live();
      const [params, next] = Optim.step(state, vars.params, grads);
      expect(live() - mid, opt.name).toBe(tensorsIn(params) + tensorsIn(next));
    }
  });

  it("Train.step, Train.predict and Train.fit", () => {
    const t = Train.make({ model, optimizer: Optim.sgd({ lr: 0.1, momentum: 0.9 }) });
    const s = Rng.run(0, () => Train.init(t));
    const before = live();
    const [l, next] = Train.step(t, s, x, { loss });
    expect(live() - before).toBe(1 + tensorsIn(next.vars.params) + tensorsIn(next.opt));
    const mid = live();
    Train.predict(t, next, x);
    expect(live() - mid).toBe(1);
    const fitBefore = live();
    const final = Train.fit(t, next, Array.from({ length: 20 }, () => ({ x, loss })));
    expect(live() - fitBefore).toBe(tensorsIn(final.vars.params) + tensorsIn(final.opt));
    l.dispose();
  });
});

describe("Data, Metric and Train.evaluate", () => {
  const model = Layer.linear({ inFeatures: 4, outFeatures: 4 });
  const t = Train.make({ model, optimizer: Optim.sgd({ lr: 0.1 }) });
  const s = Rng.run(0, () => Train.init(t));

  it("each element of a dataset is the only new thing; Train.fit and Train.evaluate over a dataset leave nothing", () => {
    const data = Data.ofTensors({ inputs: x, targets: labels }).shuffle(nx.random.key(0)).batch(2);
    const before = live();
    for (const batch of data) {
      expect(live() - before).toBe(tensorsIn(batch));
      nx.dispose(batch);
    }
    expect(live()).toBe(before);
    const final = Train.fit(t, s, data, { loss: Loss.crossEntropySparse });
    expect(live() - before).toBe(tensorsIn(final));
    nx.dispose(final);
    const result = Train.evaluate(t, s, data, { acc: Metric.accuracy({ topK: 2 }), ppl: Metric.perplexity(), f1: Metric.f1({ average: "macro" }) });
    expect(live()).toBe(before);
    expect(Number.isFinite(result.ppl)).toBe(true);
  });

  it("metric updates keep nothing live", () => {
    const before = live();
    for (const m of [Metric.accuracy({ topK: 2 }), Metric.perplexity(), Metric.precision({ average: "macro" }), Metric.recall({ average: "macro" })]) m.update(x, labels);
    Metric.mean().update(x);
    expect(live()).toBe(before);
  });
});
