// A sweep of every kaun-core export with bad arguments: each call must throw
// nx's InvalidArgumentError whose message starts with the function the user
// called (`kaun.<fn>: `), stays short, and leaves nothing half-done (no tensor
// created, no input disposed, the key stream where it was).
import * as nx from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { describe, expect, it } from "vitest";
import { Checkpoint, Context, Fn, Init, Layer, Loss, Optim, Ptree, Rng, Train, type Vars } from "../src/index.js";
import { Checkpoint as FileCheckpoint } from "../src/node.js";

/** Casts a bad argument past the type checker. */
const bad = (v: unknown): never => v as never;

const x = nx.random.normal(nx.random.key(0), [2, 3]);
const ints = nx.tensor([[0, 1, 2], [1, 0, 2]], { dtype: "int32" });
const gone = nx.ones([2, 3]);
gone.dispose();
const cyclic: Record<string, unknown> = { a: nx.ones([1]) };
cyclic.self = cyclic;
const linear = Layer.linear({ inFeatures: 3, outFeatures: 2 });
const vars: Vars = Rng.run(0, () => Layer.init(linear));
const opt = Optim.adam({ lr: 0.1 });
const state = Optim.init(opt, vars.params);
const trainer = Train.make({ model: linear, optimizer: opt });
const tstate = Rng.run(1, () => Train.init(trainer));
const loss = (y: nx.Tensor): nx.Tensor => Loss.mse(y, nx.zerosLike(y));
const q = nx.random.normal(nx.random.key(1), [2, 4, 8]);
const zeros2 = nx.zeros([2]);
const zeros32 = nx.zeros([3, 2]);
const labels03 = nx.tensor([0, 3], { dtype: "int32" });
const q2 = nx.slice(q, [null, { stop: 2 }]);
const scalar = nx.scalar(1);
// The same values on a second CPU backend instance: mixing it with the default one is an error.
const elsewhere = new nx.CpuBackend();
const xOther = nx.toBackend(x, elsewhere);
const qOther = nx.toBackend(q, elsewhere);
const gammaOther = nx.toBackend(nx.ones([3]), elsewhere);
const weightOther = nx.toBackend(nx.zeros([3, 2]), elsewhere);
const emb = Layer.embedding({ vocabSize: 2, embedDim: 2 });
const embVars = Rng.run(0, () => Layer.init(emb));

/** [the call's label, the call, the function it must name, fragments of the message]. */
type Case = [string, () => unknown, string, ...string[]];

const cases: Case[] = [
  // Layer helpers and combinators
  ["Layer.init(null)", () => Layer.init(bad(null)), "kaun.Layer.init", "layer must be an object with init and apply functions, got null"],
  ["Layer.init(layer, null)", () => Layer.init(linear, bad(null)), "kaun.Layer.init", "options must be an object"],
  ["Layer.init(layer, { dtype: int32 })", () => Layer.init(linear, { dtype: bad("int32") }), "kaun.Layer.init", 'dtype must be "float32" or "float64", got "int32"'],
  ["Layer.apply(null, ...)", () => Layer.apply(bad(null), vars, x, { training: false }), "kaun.Layer.apply", "layer must be"],
  ["Layer.apply(layer, null, ...)", () => Layer.apply(linear, bad(null), x, { training: false }), "kaun.Layer.apply", "vars must be an object { params, state, dtype }, got null"],
  ["Layer.apply(..., null)", () => Layer.apply(linear, vars, x, bad(null)), "kaun.Layer.apply", "options { training, ctx? } are required, got null"],
  ["Layer.apply(..., { training: 'yes' })", () => Layer.apply(linear, vars, x, { training: bad("yes") }), "kaun.Layer.apply", 'training must be a boolean, got "yes"'],
  ["Layer.apply(linear, disposed input)", () => Layer.apply(linear, vars, gone, { training: false }), "kaun.Layer.linear", "input (float32 [2,3]) was disposed"],
  ["Layer.apply(linear, disposed weight)", () => Layer.apply(linear, { ...vars, params: { weight: gone, bias: zeros2 } }, x, { training: false }), "kaun.Layer.linear", "params.weight (float32 [2,3]) was disposed"],
  ["Layer.compose(null, l)", () => Layer.compose(bad(null), linear), "kaun.Layer.compose", "left must be"],
  ["Layer.sequential(null)", () => Layer.sequential(bad(null)), "kaun.Layer.sequential", "layers must be an array of layers, got null"],
  ["Layer.sequential([null])", () => Layer.sequential([bad(null)]), "kaun.Layer.sequential", "layers[0] must be"],
  ["Layer.named(layers, forward, null)", () => Layer.named({}, (_r, h) => h, bad(null)), "kaun.Layer.named", "options must be an object"],
  // Standard layers
  ["Layer.linear(null)", () => Layer.linear(bad(null)), "kaun.Layer.linear", "options { inFeatures, outFeatures } are required, got null"],
  ["Layer.linear({ inFeatures: '3' })", () => Layer.linear({ inFeatures: bad("3"), outFeatures: 2 }), "kaun.Layer.linear", 'inFeatures must be a positive integer, got "3"'],
  ["Layer.linear({ weightInit: 3 })", () => Layer.linear({ inFeatures: 3, outFeatures: 2, weightInit: bad(3) }), "kaun.Layer.linear", "weightInit must be a function, got 3"],
  ["Layer.layerNorm(null)", () => Layer.layerNorm(bad(null)), "kaun.Layer.layerNorm", "options { dim } are required"],
  ["Layer.layerNorm({ dim: -1 })", () => Layer.layerNorm({ dim: -1 }), "kaun.Layer.layerNorm", "dim must be a positive integer, got -1"],
  ["Layer.rmsNorm({ eps: -1 })", () => Layer.rmsNorm({ dim: 2, eps: -1 }), "kaun.Layer.rmsNorm", "eps must be a finite non-negative number, got -1"],
  ["Layer.embedding(null)", () => Layer.embedding(bad(null)), "kaun.Layer.embedding", "options { vocabSize, embedDim } are required"],
  ["Layer.embedding({ scale: 1 })", () => Layer.embedding({ vocabSize: 2, embedDim: 2, scale: bad(1) }), "kaun.Layer.embedding", "scale must be a boolean, got 1"],
  ["Layer.dropout(null)", () => Layer.dropout(bad(null)), "kaun.Layer.dropout", "options { rate } are required"],
  ["Layer.dropout({ rate: 1 })", () => Layer.dropout({ rate: 1 }), "kaun.Layer.dropout", "rate must be a number in [0, 1), got 1"],
  ["Layer.embedding apply: out of range", () => Layer.apply(emb, embVars, ints, { training: false }), "kaun.Layer.embedding", "index 2 at flat position 2"],
  ["Layer.relu apply on int32", () => Layer.apply(Layer.relu(), Layer.init(Layer.relu()), ints, { training: false }), "kaun.Layer.relu", "input dtype int32 [2,3] differs from the model dtype float32"],
  ["Layer.flatten apply on a scalar", () => Layer.apply(Layer.flatten(), Layer.init(Layer.flatten()), scalar, { training: false }), "kaun.Layer.flatten", "input must have a batch axis"],
  // Fn
  ["Fn.relu(null)", () => Fn.relu(bad(null)), "kaun.Fn.relu", "x must be a Tensor, got null"],
  ["Fn.gelu(disposed)", () => Fn.gelu(gone), "kaun.Fn.gelu", "x (float32 [2,3]) was disposed"],
  ["Fn.softplus({})", () => Fn.softplus(bad({})), "kaun.Fn.softplus", "x must be a Tensor, got an object"],
  ["Fn.layerNorm(x, null)", () => Fn.layerNorm(x, bad(null)), "kaun.Fn.layerNorm", "options must be an object"],
  ["Fn.layerNorm(x, { axes: '1' })", () => Fn.layerNorm(x, { axes: bad("1") }), "kaun.Fn.layerNorm", 'axes must be an axis or a non-empty list of axes, got "1"'],
  ["Fn.layerNorm(x, { axes: {} })", () => Fn.layerNorm(x, { axes: bad({}) }), "kaun.Fn.layerNorm", "axes must be an axis or a non-empty list of axes, got an object"],
  ["Fn.layerNorm(x, { axis: -1 }): an unknown option", () => Fn.layerNorm(x, bad({ axis: -1 })), "kaun.Fn.layerNorm", 'unknown option "axis"; expected axes, eps, gamma, beta'],
  ["Layer.linear({ bias: false }): an unknown option", () => Layer.linear(bad({ inFeatures: 3, outFeatures: 2, bias: false })), "kaun.Layer.linear", 'unknown option "bias"'],
  ["Train.step(..., { lossFn }): an unknown option", () => Train.step(trainer, tstate, x, bad({ loss, lossFn: loss })), "kaun.Train.step", 'unknown option "lossFn"'],
  ["Fn.layerNorm(x, { axes: [1, -1] })", () => Fn.layerNorm(x, { axes: [1, -1] }), "kaun.Fn.layerNorm", "axes repeat axis 1"],
  ["Fn.layerNorm(x, { gamma: int32 })", () => Fn.layerNorm(x, { gamma: ints }), "kaun.Fn.layerNorm", "gamma must be a float32 or float64 tensor"],
  ["Fn.rmsNorm(x, { eps: NaN })", () => Fn.rmsNorm(x, { eps: Number.NaN }), "kaun.Fn.rmsNorm", "eps must be a finite non-negative number, got NaN"],
  ["Fn.embedding(ids, null)", () => Fn.embedding(ints, bad(null)), "kaun.Fn.embedding", "options { embedding } are required, got null"],
  ["Fn.embedding(float ids)", () => Fn.embedding(x, { embedding: x }), "kaun.Fn.embedding", "indices must be an int32 tensor"],
  ["Fn.dropout(x, null)", () => Fn.dropout(x, bad(null)), "kaun.Fn.dropout", "options { rate } are required, got null"],
  ["Fn.dropout(x, { rate: -1 })", () => Fn.dropout(x, { rate: -1 }), "kaun.Fn.dropout", "rate must be a number in [0, 1), got -1"],
  ["Fn.attentionWeights(q, k, null)", () => Fn.attentionWeights(q, q, bad(null)), "kaun.Fn.attentionWeights", "options must be an object"],
  ["Fn.attentionWeights(q, k, { scale: '1' })", () => Fn.attentionWeights(q, q, { scale: bad("1") }), "kaun.Fn.attentionWeights", 'scale must be a finite number, got "1"'],
  ["Fn.attentionWeights(disposed q)", () => Fn.attentionWeights(gone, q), "kaun.Fn.attentionWeights", "q (float32 [2,3]) was disposed"],
  ["Fn.attentionWeights({ isCausal: 1 })", () => Fn.attentionWeights(q, q, { isCausal: bad(1) }), "kaun.Fn.attentionWeights", "isCausal must be a boolean, got 1"],
  ["Fn.attentionWeights({ attentionMask: [1] })", () => Fn.attentionWeights(q, q, { attentionMask: bad([1]) }), "kaun.Fn.attentionWeights", "attentionMask must be a Tensor, got [1]"],
  ["Fn.attentionWeights({ queryOffset: 0.5 })", () => Fn.attentionWeights(q, q, { isCausal: true, queryOffset: 0.5 }), "kaun.Fn.attentionWeights", "queryOffset must be a non-negative integer, got 0.5"],
  ["Fn.dotProductAttention(q, k, v, null)", () => Fn.dotProductAttention(q, q, q, bad(null)), "kaun.Fn.dotProductAttention", "options must be an object"],
  ["Fn.dotProductAttention(causal, seqQ != seqK)", () => Fn.dotProductAttention(q2, q, q, { isCausal: true }), "kaun.Fn.dotProductAttention", "isCausal needs seqQ = seqK, got seqQ 2 and seqK 4; pass queryOffset"],
  // Loss
  ["Loss.crossEntropy(null, t)", () => Loss.crossEntropy(bad(null), x), "kaun.Loss.crossEntropy", "logits must be a Tensor, got null"],
  ["Loss.crossEntropy(x, null)", () => Loss.crossEntropy(x, bad(null)), "kaun.Loss.crossEntropy", "targets must be a Tensor, got null"],
  ["Loss.crossEntropy(x, [2])", () => Loss.crossEntropy(x, zeros2), "kaun.Loss.crossEntropy", "targets [2] must have the logits' shape [2,3]"],
  ["Loss.crossEntropySparse(x, float labels)", () => Loss.crossEntropySparse(x, zeros2), "kaun.Loss.crossEntropySparse", "labels must be int32 class indices, got float32 [2]"],
  ["Loss.crossEntropySparse(x, label 3)", () => Loss.crossEntropySparse(x, labels03), "kaun.Loss.crossEntropySparse", "label 3 at flat position 1 is out of range for 3 classes"],
  ["Loss.binaryCrossEntropy(x, disposed)", () => Loss.binaryCrossEntropy(x, gone), "kaun.Loss.binaryCrossEntropy", "labels (float32 [2,3]) was disposed"],
  ["Loss.mse(int32, x)", () => Loss.mse(ints, x), "kaun.Loss.mse", "predictions must be a float32 or float64 tensor"],
  ["Loss.mae(x, [3, 2])", () => Loss.mae(x, zeros32), "kaun.Loss.mae", "targets [3,2] must have the predictions' shape [2,3]"],
  // Init
  ["Init.constant('1')", () => Init.constant(bad("1")), "kaun.Init.constant", 'value must be a finite number, got "1"'],
  ["Init.uniform(null)", () => Init.uniform(bad(null)), "kaun.Init.uniform", "options must be an object"],
  ["Init.normal({ stddev: -1 })", () => Init.normal({ stddev: -1 }), "kaun.Init.normal", "stddev must be a finite non-negative number, got -1"],
  ["Init.varianceScaling(null)", () => Init.varianceScaling(bad(null)), "kaun.Init.varianceScaling", "options { scale, mode, distribution } are required, got null"],
  ["Init.varianceScaling({ mode: 'x' })", () => Init.varianceScaling({ scale: 1, mode: bad("x"), distribution: "normal" }), "kaun.Init.varianceScaling", 'mode must be "fanIn", "fanOut" or "fanAvg", got "x"'],
  ["Init.computeFans([2, 2], null)", () => Init.computeFans([2, 2], bad(null)), "kaun.Init.computeFans", "options must be an object"],
  ["Init.computeFans('ab')", () => Init.computeFans(bad("ab")), "kaun.Init.computeFans", 'shape must be an array of integers, got "ab"'],
  ["Init.glorotUniform()([2, -1])", () => Init.glorotUniform()([2, -1], "float32"), "kaun.Init.varianceScaling", "shape[1] must be a non-negative integer, got -1"],
  ["Init.zeros([2], 'int32')", () => Init.zeros([2], bad("int32")), "kaun.Init.zeros", 'dtype must be "float32" or "float64", got "int32"'],
  // Optim
  ["Optim.sgd(null)", () => Optim.sgd(bad(null)), "kaun.Optim.sgd", "options { lr } are required"],
  ["Optim.sgd({ lr: '1' })", () => Optim.sgd({ lr: bad("1") }), "kaun.Optim.sgd", 'lr must be a number or a schedule function, got "1"'],
  ["Optim.adam({ lr: NaN })", () => Optim.adam({ lr: Number.NaN }), "kaun.Optim.adam", "lr must be a finite number, got NaN"],
  ["Optim.adamw({ weightDecay: -1 })", () => Optim.adamw({ lr: 1, weightDecay: -1 }), "kaun.Optim.adamw", "weightDecay must be a finite non-negative number, got -1"],
  ["Optim.init(null, params)", () => Optim.init(bad(null), vars.params), "kaun.Optim.init", "expected an optimizer"],
  ["Optim.init(opt, int params)", () => Optim.init(opt, { a: ints }), "kaun.Optim.init", 'the parameter at "a" is int32 [2,3]'],
  ["Optim.init(opt, cyclic params)", () => Optim.init(opt, bad(cyclic)), "kaun.Optim.init", "cycle"],
  ["Optim.step(null, ...)", () => Optim.step(bad(null), vars.params, vars.params), "kaun.Optim.step", "state must be an optimizer state made by Optim.init, got null"],
  ["Optim.step(state, params, null)", () => Optim.step(state, vars.params, bad(null)), "kaun.Optim.step", "grads do not mirror params"],
  ["Optim.step(state, params, disposed grads)", () => Optim.step(state, vars.params, { weight: gone, bias: zeros2 }), "kaun.Optim.step", 'the gradient at "weight" (float32 [2,3]) was disposed'],
  ["Optim.restore(opt, null)", () => Optim.restore(opt, bad(null)), "kaun.Optim.restore", "state must be an object { count, mu, nu }, got null"],
  ["Optim.clipByGlobalNorm(g, -1)", () => Optim.clipByGlobalNorm({ a: x }, -1), "kaun.Optim.clipByGlobalNorm", "maxNorm must be a finite non-negative number, got -1"],
  ["Optim.globalNorm({ a: 'x' })", () => Optim.globalNorm(bad({ a: "x" })), "kaun.Optim.globalNorm", 'the leaf at "a" is "x", not a Tensor'],
  ["Optim.constant(NaN)", () => Optim.constant(Number.NaN), "kaun.Optim.constant", "value must be a finite number, got NaN"],
  ["Optim.cosineDecay(null)", () => Optim.cosineDecay(bad(null)), "kaun.Optim.cosineDecay", "options { initValue, decaySteps } are required"],
  ["Optim.linearWarmup(null)", () => Optim.linearWarmup(bad(null)), "kaun.Optim.linearWarmup", "are required"],
  ["Optim.warmupCosineDecay(null)", () => Optim.warmupCosineDecay(bad(null)), "kaun.Optim.warmupCosineDecay", "are required"],
  ["Optim.join(null)", () => Optim.join(bad(null)), "kaun.Optim.join"],
  // Train
  ["Train.make(null)", () => Train.make(bad(null)), "kaun.Train.make", "options { model, optimizer } are required"],
  ["Train.make({ model: null })", () => Train.make({ model: bad(null), optimizer: opt }), "kaun.Train.make", "model must be a layer, got null"],
  ["Train.init(null)", () => Train.init(bad(null)), "kaun.Train.init", "expected a trainer made by Train.make, got null"],
  ["Train.init(t, null)", () => Train.init(trainer, bad(null)), "kaun.Train.init", "options must be an object"],
  ["Train.makeState(t, null)", () => Train.makeState(trainer, bad(null)), "kaun.Train.makeState", "vars must be { params, state, dtype }, got null"],
  ["Train.step(t, null, x, o)", () => Train.step(trainer, bad(null), x, { loss }), "kaun.Train.step", "expected a training state"],
  ["Train.step(t, s, null, o)", () => Train.step(trainer, tstate, bad(null), { loss }), "kaun.Train.step", "x must be a Tensor, got null"],
  ["Train.step(t, s, x, null)", () => Train.step(trainer, tstate, x, bad(null)), "kaun.Train.step", "options { loss } are required, got null"],
  ["Train.step(t, s, x, { loss: 3 })", () => Train.step(trainer, tstate, x, { loss: bad(3) }), "kaun.Train.step", "loss must be a function, got 3"],
  ["Train.step(t, disposed state)", () => Train.step(trainer, { ...tstate, vars: { ...tstate.vars, params: { weight: gone, bias: zeros2 } } }, x, { loss }), "kaun.Train.step", "a tensor of the training state (float32 [2,3]) was disposed"],
  ["Train.step: loss returns a vector", () => Train.step(trainer, tstate, x, { loss: (y) => y }), "kaun.Train.step", "loss must return a one-element float tensor, got float32 [2,2]"],
  ["Train.fit(t, s, null)", () => Train.fit(trainer, tstate, bad(null)), "kaun.Train.fit", "batches must be an iterable of { x, loss }, got null"],
  ["Train.fit(t, s, [], null)", () => Train.fit(trainer, tstate, [], bad(null)), "kaun.Train.fit", "options must be an object"],
  ["Train.predict(t, s, x, null)", () => Train.predict(trainer, tstate, x, bad(null)), "kaun.Train.predict", "options must be an object"],
  // Ptree, Rng, Context
  ["Ptree.countParameters({ a: 1 })", () => Ptree.countParameters(bad({ a: 1 })), "kaun.Ptree.countParameters", 'the leaf at "a" is 1, not a Tensor'],
  ["Ptree.leaves(cyclic)", () => Ptree.leaves(bad(cyclic)), "kaun.Ptree.leaves", "cycle"],
  ["Ptree.map(f, cyclic)", () => Ptree.map((t) => t, bad(cyclic)), "kaun.Ptree.map", "cycle"],
  ["Ptree.map2(f, a, b) mismatched", () => Ptree.map2((a) => a, { a: x }, { b: x }), "kaun.Ptree.map2", "differ"],
  ["Rng.run('1', f)", () => Rng.run(bad("1"), () => 0), "kaun.Rng.run", 'seed must be a safe integer, got "1"'],
  ["Rng.run(1, null)", () => Rng.run(1, bad(null)), "kaun.Rng.run", "fn must be a function, got null"],
  ["Rng.withKey(42, f)", () => Rng.withKey(bad(42), () => 0), "kaun.Rng.withKey", "key must be an nx.random.Key, got 42"],
  ["Rng.subKeys(-1)", () => Rng.subKeys(-1), "kaun.Rng.subKeys", "n must be a non-negative integer, got -1"],
  ["Context.set('', t)", () => Context.empty.set("", x), "kaun.Context.set", 'name must be a non-empty string, got ""'],
  ["Context.set('a', null)", () => Context.empty.set("a", bad(null)), "kaun.Context.set", 'the value for "a" must be a Tensor, got null'],
  ["Context.getFloat(missing)", () => Context.empty.getFloat("m"), "kaun.Context.getFloat", 'no tensor under key "m" (bound keys: none)'],
  // Tensors of two backends
  ["Layer.apply(linear, input on another backend)", () => Layer.apply(linear, vars, xOther, { training: false }), "kaun.Layer.linear", "operands live on different backends"],
  ["Fn.layerNorm(x, gamma elsewhere)", () => Fn.layerNorm(x, { gamma: gammaOther }), "kaun.Fn.layerNorm", "different backends"],
  ["Fn.attentionWeights(q, k elsewhere)", () => Fn.attentionWeights(q, qOther), "kaun.Fn.attentionWeights", "different backends"],
  ["Fn.dotProductAttention(q, k, v elsewhere)", () => Fn.dotProductAttention(q, q, qOther), "kaun.Fn.dotProductAttention", "different backends"],
  ["Fn.embedding(ids, table elsewhere)", () => Fn.embedding(ints, { embedding: xOther }), "kaun.Fn.embedding", "different backends"],
  ["Loss.mse(x, targets elsewhere)", () => Loss.mse(x, xOther), "kaun.Loss.mse", "different backends"],
  ["Loss.crossEntropy(x, targets elsewhere)", () => Loss.crossEntropy(x, xOther), "kaun.Loss.crossEntropy", "different backends"],
  ["Optim.step(grads elsewhere)", () => Optim.step(state, vars.params, { weight: weightOther, bias: zeros2 }), "kaun.Optim.step", "different backends"],
  ["Optim.globalNorm(leaves on two backends)", () => Optim.globalNorm({ a: x, b: xOther }), "kaun.Optim.globalNorm", "different backends"],
  // Checkpoint
  ["Checkpoint.toBytes(tree, null)", () => Checkpoint.toBytes({ a: x }, bad(null)), "kaun.Checkpoint.toBytes", "options must be an object"],
  ["Checkpoint.toBytes(tree, { metadata: null })", () => Checkpoint.toBytes({ a: x }, { metadata: bad(null) }), "kaun.Checkpoint.toBytes", "metadata must be an object of strings, got null"],
  ["Checkpoint.toBytes(cyclic)", () => Checkpoint.toBytes(cyclic), "kaun.Checkpoint.toBytes", "cycle"],
  ["Checkpoint.toBytes(disposed leaf)", () => Checkpoint.toBytes({ a: x, b: gone }), "kaun.Checkpoint.toBytes", 'the tensor "b" was disposed'],
  ["Checkpoint.fromBytes(bytes, null)", () => Checkpoint.fromBytes(Checkpoint.toBytes({ a: x }), bad(null)), "kaun.Checkpoint.fromBytes", "options { like } are required, got null"],
  ["Checkpoint.fromBytes(null, { like })", () => Checkpoint.fromBytes(bad(null), { like: { a: x } }), "kaun.Checkpoint.fromBytes", "bytes must be a Uint8Array (or ArrayBuffer), got null"],
  ["Checkpoint.fromBytes(bytes, { like: cyclic })", () => Checkpoint.fromBytes(Checkpoint.toBytes({ a: x }), { like: cyclic }), "kaun.Checkpoint.fromBytes", "cycle"],
  ["Checkpoint.inspect({})", () => Checkpoint.inspect(bad({})), "kaun.Checkpoint.inspect", "bytes must be a Uint8Array (or ArrayBuffer), got an object"],
  ["Checkpoint.saveSync(path with NUL)", () => FileCheckpoint.saveSync("a\0b.safetensors", { a: x }), "kaun.Checkpoint.saveSync", "path must not contain a NUL character"],
  ["Checkpoint.loadSync(42)", () => FileCheckpoint.loadSync(bad(42), { like: {} }), "kaun.Checkpoint.loadSync", "path must be a non-empty string, got 42"],
];

describe("every kaun-core export rejects bad arguments with an InvalidArgumentError naming it, and changes nothing", () => {
  for (const [label, call, fn, ...fragments] of cases) {
    it(label, () => {
      const before = nx.memory().numTensors;
      const keyBefore = Rng.run(7, () => {
        const err = expectInvalidArgument(call, fn, ...fragments);
        expect(err.message.length).toBeLessThan(400);
        return Rng.nextKey();
      });
      expect(nx.memory().numTensors).toBe(before);
      // The call drew no key from the enclosing scope: the stream is where it was.
      expect(keyBefore).toEqual(Rng.run(7, () => Rng.nextKey()));
      expect([x, ints, q].every((t) => !t.isDisposed)).toBe(true);
    });
  }
});

describe("messages never quote attacker-chosen class names or unbounded values", () => {
  it("an object with a forged constructor.name is described as an object", () => {
    const forged = { constructor: { name: "Evil".repeat(1000) } };
    expectInvalidArgument(() => Layer.sequential([bad(forged)]), "kaun.Layer.sequential", "layers[0] must be an object with init and apply functions, got an object");
    expectInvalidArgument(() => Fn.relu(bad(forged)), "kaun.Fn.relu", "x must be a Tensor, got an object");
    class Custom {}
    expectInvalidArgument(() => Fn.relu(bad(new Custom())), "kaun.Fn.relu", "x must be a Tensor, got a Custom");
  });
  it("a long string is cut to its first 40 characters (nx's fmtValue)", () => {
    const err = expectInvalidArgument(() => Rng.run(bad("x".repeat(100_000)), () => 0), "kaun.Rng.run");
    expect(err.message).toBe(`kaun.Rng.run: seed must be a safe integer, got "${"x".repeat(40)}…"`);
  });
});
