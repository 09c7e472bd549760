// A sweep of every kaun-core export with bad arguments: each call must throw
// nx's InvalidArgumentError whose message starts with the function the user
// called (`kaun.<fn>: `), stays short, and leaves nothing half-done (no tensor
// created, no input disposed, the key stream where it was).
import * as nx from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { describe, expect, it } from "vitest";
import { Checkpoint, Context, Data, Fn, Init, Layer, Loss, Metric, Optim, Ptree, Rng, Train, type Vars } from "../src/index.js";
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
const ds = Data.ofTensors({ a: x });
const labels2 = nx.tensor([0, 1], { dtype: "int32" });
const labelsOther = nx.toBackend(labels2, elsewhere);
const nanScores = nx.tensor([[0, Number.NaN, 1], [1, 2, 3]]);
const accuracy = Metric.accuracy();
const perplexity = Metric.perplexity();
const precision = Metric.precision();
const mean = Metric.mean();
const geglu = Layer.geglu({ inFeatures: 4, hiddenFeatures: 2 });
const gegluVars = Rng.run(0, () => Layer.init(geglu));
const maskedState = Optim.init(Optim.adamw({ lr: 1, mask: { weight: true } }), vars.params);

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
  ...(["gelu", "silu", "tanh", "sigmoid"] as const).map((name): Case => [`Layer.${name} apply on int32`, () => Layer.apply(Layer[name](), Layer.init(Layer[name]()), ints, { training: false }), `kaun.Layer.${name}`, "input dtype int32 [2,3] differs from the model dtype float32"]),
  ["Layer.relu6 apply on int32", () => Layer.apply(Layer.relu6(), Layer.init(Layer.relu6()), ints, { training: false }), "kaun.Layer.relu6", "input dtype int32"],
  ["Layer.selu apply on int32", () => Layer.apply(Layer.selu(), Layer.init(Layer.selu()), ints, { training: false }), "kaun.Layer.selu", "input dtype int32"],
  ["Layer.mish apply on int32", () => Layer.apply(Layer.mish(), Layer.init(Layer.mish()), ints, { training: false }), "kaun.Layer.mish", "input dtype int32"],
  ["Layer.hardSwish apply on int32", () => Layer.apply(Layer.hardSwish(), Layer.init(Layer.hardSwish()), ints, { training: false }), "kaun.Layer.hardSwish", "input dtype int32"],
  ["Layer.softsign apply on int32", () => Layer.apply(Layer.softsign(), Layer.init(Layer.softsign()), ints, { training: false }), "kaun.Layer.softsign", "input dtype int32"],
  ["Layer.logSigmoid apply on int32", () => Layer.apply(Layer.logSigmoid(), Layer.init(Layer.logSigmoid()), ints, { training: false }), "kaun.Layer.logSigmoid", "input dtype int32"],
  ["Layer.leakyRelu({ negativeSlope: NaN })", () => Layer.leakyRelu({ negativeSlope: Number.NaN }), "kaun.Layer.leakyRelu", "negativeSlope must be a finite number, got NaN"],
  ["Layer.elu(null)", () => Layer.elu(bad(null)), "kaun.Layer.elu", "options must be an object"],
  ["Layer.celu({ alpha: 0 })", () => Layer.celu({ alpha: 0 }), "kaun.Layer.celu", "alpha must not be 0"],
  ["Layer.hardSigmoid({ gamma }): an unknown option", () => Layer.hardSigmoid(bad({ gamma: 1 })), "kaun.Layer.hardSigmoid", 'unknown option "gamma"'],
  ["Layer.glu(null)", () => Layer.glu(bad(null)), "kaun.Layer.glu", "options { inFeatures, hiddenFeatures } are required, got null"],
  ["Layer.swiglu({ hiddenFeatures: 0 })", () => Layer.swiglu({ inFeatures: 3, hiddenFeatures: 0 }), "kaun.Layer.swiglu", "hiddenFeatures must be a positive integer, got 0"],
  ["Layer.geglu apply: wrong last axis", () => Layer.apply(geglu, gegluVars, x, { training: false }), "kaun.Layer.geglu", "must have a last axis of size inFeatures = 4"],
  ["Layer.flatten apply on a scalar", () => Layer.apply(Layer.flatten(), Layer.init(Layer.flatten()), scalar, { training: false }), "kaun.Layer.flatten", "input must have a batch axis"],
  // Fn
  ["Fn.relu(null)", () => Fn.relu(bad(null)), "kaun.Fn.relu", "x must be a Tensor, got null"],
  ["Fn.gelu(disposed)", () => Fn.gelu(gone), "kaun.Fn.gelu", "x (float32 [2,3]) was disposed"],
  ...(["geluApprox", "silu", "sigmoid", "tanh"] as const).map((name): Case => [`Fn.${name}(null)`, () => Fn[name](bad(null)), `kaun.Fn.${name}`, "x must be a Tensor, got null"]),
  ["Fn.softplus({})", () => Fn.softplus(bad({})), "kaun.Fn.softplus", "x must be a Tensor, got an object"],
  ["Fn.relu6(null)", () => Fn.relu6(bad(null)), "kaun.Fn.relu6", "x must be a Tensor, got null"],
  ["Fn.leakyRelu(x, { negativeSlope: '0.1' })", () => Fn.leakyRelu(x, { negativeSlope: bad("0.1") }), "kaun.Fn.leakyRelu", 'negativeSlope must be a finite number, got "0.1"'],
  ["Fn.leakyRelu(x, { slope }): an unknown option", () => Fn.leakyRelu(x, bad({ slope: 0.1 })), "kaun.Fn.leakyRelu", 'unknown option "slope"'],
  ["Fn.elu(x, { alpha: NaN })", () => Fn.elu(x, { alpha: Number.NaN }), "kaun.Fn.elu", "alpha must be a finite number, got NaN"],
  ["Fn.selu(int32)", () => Fn.selu(ints), "kaun.Fn.selu", "x must be a float32 or float64 tensor, got int32 [2,3]"],
  ["Fn.celu(x, { alpha: 0 })", () => Fn.celu(x, { alpha: 0 }), "kaun.Fn.celu", "alpha must not be 0"],
  ["Fn.mish(disposed)", () => Fn.mish(gone), "kaun.Fn.mish", "x (float32 [2,3]) was disposed"],
  ["Fn.hardSigmoid(x, null)", () => Fn.hardSigmoid(x, bad(null)), "kaun.Fn.hardSigmoid", "options must be an object"],
  ["Fn.hardSwish({})", () => Fn.hardSwish(bad({})), "kaun.Fn.hardSwish", "x must be a Tensor, got an object"],
  ["Fn.softsign(int32)", () => Fn.softsign(ints), "kaun.Fn.softsign", "x must be a float32 or float64 tensor"],
  ["Fn.logSigmoid(null)", () => Fn.logSigmoid(bad(null)), "kaun.Fn.logSigmoid", "x must be a Tensor, got null"],
  ["Fn.glu(x, null)", () => Fn.glu(x, bad(null)), "kaun.Fn.glu", "options { gate_proj, up_proj, down_proj } are required, got null"],
  ["Fn.swiglu(x, { gate_proj }) without up_proj", () => Fn.swiglu(x, bad({ gate_proj: zeros32 })), "kaun.Fn.swiglu", "up_proj must be a Tensor, got undefined"],
  ["Fn.geglu(x, 1-D weights)", () => Fn.geglu(x, { gate_proj: zeros2, up_proj: zeros2, down_proj: zeros2 }), "kaun.Fn.geglu", "gate_proj must be a matrix, got shape [2]"],
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
  ["Init.ones([2], 'int32')", () => Init.ones([2], bad("int32")), "kaun.Init.ones", 'dtype must be "float32" or "float64", got "int32"'],
  ["Init.glorotNormal()([-1])", () => Init.glorotNormal()([-1], "float32"), "kaun.Init.varianceScaling", "shape[0] must be a non-negative integer, got -1"],
  ["Init.heUniform({ outAxis: 5 })([2, 2])", () => Init.heUniform({ outAxis: 5 })([2, 2], "float32"), "kaun.Init.computeFans", "outAxis 5 is out of bounds for shape [2,2]"],
  ["Init.heNormal()([2, 2], 'int32')", () => Init.heNormal()([2, 2], bad("int32")), "kaun.Init.varianceScaling", 'dtype must be "float32" or "float64"'],
  ["Init.lecunUniform({ inAxis: 3 })([2, 2])", () => Init.lecunUniform({ inAxis: 3 })([2, 2], "float32"), "kaun.Init.computeFans", "inAxis 3 is out of bounds"],
  ["Init.lecunNormal()(null)", () => Init.lecunNormal()(bad(null), "float32"), "kaun.Init.varianceScaling", "shape must be an array of integers, got null"],
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
  ["Optim.chain(null)", () => Optim.chain(bad(null)), "kaun.Optim.chain", "transforms[0] must be an optimizer or gradient transformation made by Optim"],
  ["Optim.chain(two slots named mu)", () => Optim.chain(Optim.scaleByAdam(), Optim.scaleByLion()), "kaun.Optim.chain", 'both keep a slot named "mu"'],
  ["Optim.rmsprop(null)", () => Optim.rmsprop(bad(null)), "kaun.Optim.rmsprop", "options { lr } are required, got null"],
  ["Optim.rmsprop({ alpha: 1 })", () => Optim.rmsprop({ lr: 1, alpha: 1 }), "kaun.Optim.rmsprop", "alpha must be in [0, 1), got 1"],
  ["Optim.rmsprop({ momentum: -1 })", () => Optim.rmsprop({ lr: 1, momentum: -1 }), "kaun.Optim.rmsprop", "momentum must be a finite non-negative number, got -1"],
  ["Optim.rmsprop({ centered: 1 })", () => Optim.rmsprop({ lr: 1, centered: bad(1) }), "kaun.Optim.rmsprop", "centered must be a boolean, got 1"],
  ["Optim.adagrad(null)", () => Optim.adagrad(bad(null)), "kaun.Optim.adagrad", "options { lr } are required, got null"],
  ["Optim.adagrad({ lrDecay: -1 })", () => Optim.adagrad({ lr: 1, lrDecay: -1 }), "kaun.Optim.adagrad", "lrDecay must be a finite non-negative number, got -1"],
  ["Optim.adagrad({ initialAccumulatorValue: NaN })", () => Optim.adagrad({ lr: 1, initialAccumulatorValue: Number.NaN }), "kaun.Optim.adagrad", "initialAccumulatorValue must be a finite non-negative number, got NaN"],
  ["Optim.lion(null)", () => Optim.lion(bad(null)), "kaun.Optim.lion", "options { lr } are required, got null"],
  ["Optim.lion({ b2: 1 })", () => Optim.lion({ lr: 1, b2: 1 }), "kaun.Optim.lion", "b2 must be in [0, 1), got 1"],
  ["Optim.lion({ wd }): an unknown option", () => Optim.lion(bad({ lr: 1, wd: 0.1 })), "kaun.Optim.lion", 'unknown option "wd"'],
  ["Optim.adamw({ mask: 3 })", () => Optim.adamw({ lr: 1, mask: bad(3) }), "kaun.Optim.adamw", "mask must be a function (path, param) => boolean or a tree of booleans, got 3"],
  ["Optim.scaleByAdam(null)", () => Optim.scaleByAdam(bad(null)), "kaun.Optim.scaleByAdam", "options must be an object"],
  ["Optim.scaleByAdam({ b1: -0.5 })", () => Optim.scaleByAdam({ b1: -0.5 }), "kaun.Optim.scaleByAdam", "b1 must be in [0, 1), got -0.5"],
  ["Optim.scaleByRms({ epsInSqrt: 'yes' })", () => Optim.scaleByRms({ epsInSqrt: bad("yes") }), "kaun.Optim.scaleByRms", 'epsInSqrt must be a boolean, got "yes"'],
  ["Optim.scaleByAdagrad({ eps: -1 })", () => Optim.scaleByAdagrad({ eps: -1 }), "kaun.Optim.scaleByAdagrad", "eps must be a finite non-negative number, got -1"],
  ["Optim.scaleByLion({ b1: 1 })", () => Optim.scaleByLion({ b1: 1 }), "kaun.Optim.scaleByLion", "b1 must be in [0, 1), got 1"],
  ["Optim.trace({ decay: NaN })", () => Optim.trace({ decay: Number.NaN }), "kaun.Optim.trace", "decay must be a finite non-negative number, got NaN"],
  ["Optim.scaleByLearningRate('x')", () => Optim.scaleByLearningRate(bad("x")), "kaun.Optim.scaleByLearningRate", 'lr must be a number or a schedule function, got "x"'],
  ["Optim.addDecayedWeights(null)", () => Optim.addDecayedWeights(bad(null)), "kaun.Optim.addDecayedWeights", "options { rate } are required, got null"],
  ["Optim.addDecayedWeights({ rate: -1 })", () => Optim.addDecayedWeights({ rate: -1 }), "kaun.Optim.addDecayedWeights", "rate must be a finite non-negative number, got -1"],
  ["Optim.addDecayedWeights({ mask: { a: 1 } })", () => Optim.addDecayedWeights({ rate: 1, mask: bad({ a: 1 }) }), "kaun.Optim.addDecayedWeights", 'the leaf at "a" is 1'],
  ["Optim.matricesOnly({ embeddings: 1 })", () => Optim.matricesOnly({ embeddings: bad(1) }), "kaun.Optim.matricesOnly", "embeddings must be a boolean, got 1"],
  ["Optim.multiSteps(0, opt)", () => Optim.multiSteps(0, opt), "kaun.Optim.multiSteps", "k must be a positive integer, got 0"],
  ["Optim.multiSteps(2, null)", () => Optim.multiSteps(2, bad(null)), "kaun.Optim.multiSteps", "inner must be an optimizer"],
  ["Optim.clipByValue(-1)", () => Optim.clipByValue(-1), "kaun.Optim.clipByValue", "maxDelta must be a finite non-negative number, got -1"],
  ["Optim.step(a mask that misses a parameter)", () => Optim.step(maskedState, vars.params, vars.params), "kaun.Optim.step", 'the mask has no entry for the parameter "bias"'],
  ["Optim.exponentialDecay(null)", () => Optim.exponentialDecay(bad(null)), "kaun.Optim.exponentialDecay", "options { initValue, transitionSteps, decayRate } are required"],
  ["Optim.exponentialDecay({ decayRate: -1 })", () => Optim.exponentialDecay({ initValue: 1, transitionSteps: 1, decayRate: -1 }), "kaun.Optim.exponentialDecay", "decayRate must be a positive finite number, got -1"],
  ["Optim.polynomialDecay(null)", () => Optim.polynomialDecay(bad(null)), "kaun.Optim.polynomialDecay", "are required"],
  ["Optim.polynomialDecay({ power: 0 })", () => Optim.polynomialDecay({ initValue: 1, endValue: 0, transitionSteps: 2, power: 0 }), "kaun.Optim.polynomialDecay", "power must be a positive finite number, got 0"],
  ["Optim.piecewiseConstant(null)", () => Optim.piecewiseConstant(bad(null)), "kaun.Optim.piecewiseConstant", "are required"],
  ["Optim.piecewiseConstant({ boundaries: [-1] })", () => Optim.piecewiseConstant({ boundaries: [-1], values: [1, 2] }), "kaun.Optim.piecewiseConstant", "boundaries[0] must be a non-negative integer, got -1"],
  ["Optim.cosineDecayRestarts(null)", () => Optim.cosineDecayRestarts(bad(null)), "kaun.Optim.cosineDecayRestarts", "are required"],
  ["Optim.cosineDecayRestarts({ mMul: -1 })", () => Optim.cosineDecayRestarts({ initValue: 1, decaySteps: 2, mMul: -1 }), "kaun.Optim.cosineDecayRestarts", "mMul must be non-negative, got -1"],
  ["Optim.oneCycle(null)", () => Optim.oneCycle(bad(null)), "kaun.Optim.oneCycle", "are required"],
  ["Optim.oneCycle({ pctStart: 1 })", () => Optim.oneCycle({ peakValue: 1, totalSteps: 10, pctStart: 1 }), "kaun.Optim.oneCycle", "pctStart must be in (0, 1), got 1"],
  ["Optim.oneCycle({ annealStrategy: 'exp' })", () => Optim.oneCycle({ peakValue: 1, totalSteps: 10, annealStrategy: bad("exp") }), "kaun.Optim.oneCycle", 'annealStrategy must be one of "cos", "linear", got "exp"'],
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
  ["Train.fit(t, s, null)", () => Train.fit(trainer, tstate, bad(null)), "kaun.Train.fit", "batches must be an iterable of batches (a Data dataset, an array, a generator), got null"],
  ["Train.fit(t, s, [], null)", () => Train.fit(trainer, tstate, [], bad(null)), "kaun.Train.fit", "options must be an object"],
  ["Train.predict(t, s, x, null)", () => Train.predict(trainer, tstate, x, bad(null)), "kaun.Train.predict", "options must be an object"],
  ["Train.fit(t, s, [], { loss: 3 })", () => Train.fit(trainer, tstate, [], { loss: bad(3) }), "kaun.Train.fit", "loss must be a function, got 3"],
  ["Train.fit(t, s, [], { loss, ctx: 3 })", () => Train.fit(trainer, tstate, [], { loss, ctx: bad(3) }), "kaun.Train.fit", "ctx must be a Context, got 3"],
  ["Train.evaluate(null, ...)", () => Train.evaluate(bad(null), tstate, [], {}), "kaun.Train.evaluate", "expected a trainer made by Train.make, got null"],
  ["Train.evaluate(t, null, ...)", () => Train.evaluate(trainer, bad(null), [], {}), "kaun.Train.evaluate", "expected a training state"],
  ["Train.evaluate(t, s, null, metrics)", () => Train.evaluate(trainer, tstate, bad(null), {}), "kaun.Train.evaluate", "data must be an iterable of batches (a Data dataset, an array, a generator), got null"],
  ["Train.evaluate(t, s, [], null)", () => Train.evaluate(trainer, tstate, [], bad(null)), "kaun.Train.evaluate", "metrics must be an object of named metrics such as { ppl: Metric.perplexity() }, got null"],
  ["Train.evaluate(t, s, [], { a: 3 })", () => Train.evaluate(trainer, tstate, [], bad({ a: 3 })), "kaun.Train.evaluate", "metrics.a must be a metric (update, compute, reset) such as Metric.accuracy(), got 3"],
  ["Train.evaluate(t, s, [], { m: mean })", () => Train.evaluate(trainer, tstate, [], bad({ m: mean })), "kaun.Train.evaluate", "metrics.m is a Metric.mean tracker"],
  ["Train.evaluate(..., null)", () => Train.evaluate(trainer, tstate, [], {}, bad(null)), "kaun.Train.evaluate", "options must be an object"],
  ["Train.evaluate(..., { input: 3 })", () => Train.evaluate(trainer, tstate, [], {}, { input: bad(3) }), "kaun.Train.evaluate", "input must be a function, got 3"],
  ["Train.evaluate(..., { ctx: 3 })", () => Train.evaluate(trainer, tstate, [], {}, { ctx: bad(3) }), "kaun.Train.evaluate", "ctx must be a Context, got 3"],
  ["Train.evaluate: a batch without inputs", () => Train.evaluate(trainer, tstate, [{ x, y: x }], { acc: accuracy }), "kaun.Train.evaluate", 'batch 0 has no tensor "inputs"'],
  ["Train.evaluate: a metric rejects the batch", () => Train.evaluate(trainer, tstate, [{ inputs: x, targets: labels03 }], { acc: accuracy }), "kaun.Train.evaluate", "metric acc rejected batch 0: kaun.Metric.accuracy.update: label 3 at flat position 1 is out of range for 2 classes"],
  // Data
  ["Data.ofTensors(null)", () => Data.ofTensors(bad(null)), "kaun.Data.ofTensors", "tree must hold at least one tensor, got null"],
  ["Data.ofTensors({ a: 1 })", () => Data.ofTensors(bad({ a: 1 })), "kaun.Data.ofTensors", 'the leaf at "a" is 1, not a Tensor'],
  ["Data.ofTensors(scalar)", () => Data.ofTensors(scalar), "kaun.Data.ofTensors", "the tensor is a scalar; every leaf needs an axis 0"],
  ["Data.ofTensors({ a: disposed })", () => Data.ofTensors({ a: gone }), "kaun.Data.ofTensors", 'the tensor at "a" (float32 [2,3]) was disposed'],
  ["Data.ofTensors: axis-0 lengths differ", () => Data.ofTensors({ a: x, b: zeros32 }), "kaun.Data.ofTensors", 'the tensor at "b" [3,2] has 3 rows along axis 0, but the tensor at "a" has 2'],
  ["Data.ofTensors: two backends", () => Data.ofTensors({ a: x, b: xOther }), "kaun.Data.ofTensors", "different backends"],
  ["Data.ofTensors(cyclic)", () => Data.ofTensors(bad(cyclic)), "kaun.Data.ofTensors", "cycle"],
  ["Data.textWindows(null, o)", () => Data.textWindows(bad(null), { seqLen: 2 }), "kaun.Data.textWindows", "ids must be an Int32Array, an array of integers or an int32 tensor of rank 1, got null"],
  ["Data.textWindows([1.5, ...])", () => Data.textWindows([1, 1.5, 2], { seqLen: 1 }), "kaun.Data.textWindows", "ids[1] must be an int32 integer, got 1.5"],
  ["Data.textWindows(float tensor)", () => Data.textWindows(x, { seqLen: 1 }), "kaun.Data.textWindows", "ids must be an int32 tensor of rank 1, got a float32 tensor [2,3]"],
  ["Data.textWindows(ids, null)", () => Data.textWindows([1, 2, 3], bad(null)), "kaun.Data.textWindows", "options { seqLen, stride? } are required, got null"],
  ["Data.textWindows(ids, { seqLen: 0 })", () => Data.textWindows([1, 2, 3], { seqLen: 0 }), "kaun.Data.textWindows", "seqLen must be a positive integer, got 0"],
  ["Data.textWindows(ids, { stride: -1 })", () => Data.textWindows([1, 2, 3], { seqLen: 1, stride: -1 }), "kaun.Data.textWindows", "stride must be a positive integer, got -1"],
  ["Data.textWindows: too few tokens", () => Data.textWindows([1, 2], { seqLen: 2 }), "kaun.Data.textWindows", "ids has 2 tokens; a window of seqLen 2 needs at least 3"],
  ["new Data.Dataset()", () => new Data.Dataset(bad(undefined), bad(undefined)), "kaun.Data.Dataset", "make datasets with Data.ofTensors or Data.textWindows"],
  ["Dataset.shuffle(42)", () => ds.shuffle(bad(42)), "kaun.Data.shuffle", "key must be an nx.random.Key (nx.random.key(seed)), got 42"],
  ["Dataset.shuffle after map", () => ds.map((e) => e).shuffle(nx.random.key(0)), "kaun.Data.shuffle", "this dataset has no random access (it comes from map, batch or an endless repeat)"],
  ["Dataset.batch(0)", () => ds.batch(0), "kaun.Data.batch", "size must be a positive integer, got 0"],
  ["Dataset.batch(2, { dropLast: 1 })", () => ds.batch(2, { dropLast: bad(1) }), "kaun.Data.batch", "dropLast must be a boolean, got 1"],
  ["Dataset.batch(2, null)", () => ds.batch(2, bad(null)), "kaun.Data.batch", "options must be an object"],
  ["Dataset.map(null)", () => ds.map(bad(null)), "kaun.Data.map", "f must be a function, got null"],
  ["Dataset.take(-1)", () => ds.take(-1), "kaun.Data.take", "n must be a non-negative integer, got -1"],
  ["Dataset.repeat(0)", () => ds.repeat(0), "kaun.Data.repeat", "count must be a positive integer, got 0"],
  ["Dataset.epoch(1.5)", () => ds.epoch(1.5), "kaun.Data.epoch", "e must be a non-negative integer, got 1.5"],
  // Metric
  ["Metric.accuracy(null)", () => Metric.accuracy(bad(null)), "kaun.Metric.accuracy", "options must be an object"],
  ["Metric.accuracy({ topK: 0 })", () => Metric.accuracy({ topK: 0 }), "kaun.Metric.accuracy", "topK must be a positive integer, got 0"],
  ["Metric.accuracy({ threshold: NaN })", () => Metric.accuracy({ threshold: Number.NaN }), "kaun.Metric.accuracy", "threshold must be a finite number, got NaN"],
  ["accuracy.update(null, t)", () => accuracy.update(bad(null), labels2), "kaun.Metric.accuracy.update", "predictions must be a Tensor, got null"],
  ["accuracy.update(p, float targets)", () => accuracy.update(x, zeros2), "kaun.Metric.accuracy.update", "targets must be class labels (an int32, uint8 or bool tensor), got a float32 tensor [2]"],
  ["accuracy.update: shapes", () => accuracy.update(q, labels2), "kaun.Metric.accuracy.update", "predictions a float32 tensor [2,4,8] must be class labels of the targets' shape"],
  ["accuracy.update: label out of range", () => accuracy.update(x, labels03), "kaun.Metric.accuracy.update", "label 3 at flat position 1 is out of range for 3 classes"],
  ["accuracy.update: NaN scores", () => accuracy.update(nanScores, labels2), "kaun.Metric.accuracy.update", "predictions hold NaN"],
  ["accuracy.update: two backends", () => accuracy.update(x, labelsOther), "kaun.Metric.accuracy.update", "different backends"],
  ["top-2 accuracy of labels", () => Metric.accuracy({ topK: 2 }).update(labels2, labels2), "kaun.Metric.accuracy.update", "topK 2 needs class scores [...targets.shape, classes]"],
  ["Metric.perplexity({ ignoreIndex: 1.5 })", () => Metric.perplexity({ ignoreIndex: 1.5 }), "kaun.Metric.perplexity", "ignoreIndex must be an integer, got 1.5"],
  ["perplexity.update(int logits)", () => perplexity.update(ints, labels2), "kaun.Metric.perplexity.update", "logits must be a float32 or float64 tensor, got int32 [2,3]"],
  ["perplexity.update: shapes", () => perplexity.update(x, ints), "kaun.Metric.perplexity.update", "logits a float32 tensor [2,3] must be float [...targets.shape, vocab] for targets [2,3]"],
  ["perplexity.update: target out of range", () => perplexity.update(x, labels03), "kaun.Metric.perplexity.update", "target 3 at flat position 1 is out of range for a vocabulary of 3"],
  ["Metric.precision({ average: 'micro' })", () => Metric.precision({ average: bad("micro") }), "kaun.Metric.precision", 'average must be one of "binary", "macro", got "micro"'],
  ["Metric.recall({ zeroDivision: 2 })", () => Metric.recall({ zeroDivision: 2 }), "kaun.Metric.recall", "zeroDivision must be 0, 1 or NaN, got 2"],
  ["Metric.f1({ threshold: Infinity })", () => Metric.f1({ threshold: Infinity }), "kaun.Metric.f1", "threshold must be a finite number, got Infinity"],
  ["precision.update: binary labels", () => precision.update(labels03, labels2), "kaun.Metric.precision.update", 'average "binary" needs labels 0 and 1, found 3 in the predicted labels at flat position 1'],
  ["precision.update(p, disposed)", () => precision.update(labels2, gone), "kaun.Metric.precision.update", "targets (float32 [2,3]) was disposed"],
  ["recall.update(p, float targets)", () => Metric.recall({ average: "macro" }).update(labels2, zeros2), "kaun.Metric.recall.update", "targets must be class labels (an int32, uint8 or bool tensor), got a float32 tensor [2]"],
  ["f1.update: shapes", () => Metric.f1().update(q, labels2), "kaun.Metric.f1.update", "predictions a float32 tensor [2,4,8] must be class labels of the targets' shape"],
  ["mean.update('a')", () => mean.update(bad("a")), "kaun.Metric.mean.update", 'values must be a number or a Tensor, got "a"'],
  ["mean.update(1, -1)", () => mean.update(1, -1), "kaun.Metric.mean.update", "weight must be a finite non-negative number, got -1"],
  ["mean.update(disposed)", () => mean.update(gone), "kaun.Metric.mean.update", "values (float32 [2,3]) was disposed"],
  // Ptree, Rng, Context
  ["Ptree.countParameters({ a: 1 })", () => Ptree.countParameters(bad({ a: 1 })), "kaun.Ptree.countParameters", 'the leaf at "a" is 1, not a Tensor'],
  ["Ptree.flattenWithPaths({ a: 1 })", () => Ptree.flattenWithPaths(bad({ a: 1 })), "kaun.Ptree.flattenWithPaths", 'the leaf at "a" is 1, not a Tensor'],
  ["Ptree.zerosLike({ a: 1 })", () => Ptree.zerosLike(bad({ a: 1 })), "kaun.Ptree.zerosLike", 'the leaf at "a" is 1, not a Tensor'],
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


/** Exports without a case of their own, and why. */
const NO_CASE: Record<string, string> = {
  "Rng.nextKey": "takes no arguments",
  "Rng.inScope": "takes no arguments",
  "Ptree.empty": "takes no arguments",
  "Metric.mean": "takes no arguments (its update has cases)",
  "Data.isDataset": "a predicate of any value",
  "Optim.optimizerOf": "a lookup of any value (undefined when it is not an optimizer state)",
  "Train.disposeStale": "releases what it is given; never rejects",
  ...Object.fromEntries(["glorotUniform", "glorotNormal", "heUniform", "heNormal", "lecunUniform", "lecunNormal"].map((n) => [`Init.${n}`, "a varianceScaling preset: its errors name kaun.Init.varianceScaling"])),
};

describe("the sweep covers every export", () => {
  const named = new Set(cases.map(([, , fn]) => fn));
  const namespaces = { Checkpoint, Data, Fn, Init, Layer, Loss, Metric, Optim, Ptree, Rng, Train };
  const exported = Object.entries(namespaces).flatMap(([ns, obj]) => Object.entries(obj).filter(([, v]) => typeof v === "function").map(([k]) => `${ns}.${k}`));
  const methods = [
    ...Object.getOwnPropertyNames(Data.Dataset.prototype).filter((m) => m !== "constructor" && m !== "length").map((m) => `Data.${m}`),
    ...["accuracy", "perplexity", "precision", "recall", "f1", "mean"].map((m) => `Metric.${m}.update`),
  ];
  for (const name of [...exported, ...methods]) {
    it(name, () => {
      if (name in NO_CASE) return;
      expect(named.has(`kaun.${name}`), `no case names kaun.${name}: add one to the table above (or to NO_CASE with a reason)`).toBe(true);
    });
  }
});
