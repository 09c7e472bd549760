// A sweep of every kaun-attention export with bad arguments: each call must
// throw nx's InvalidArgumentError whose message starts with the function the
// user called (never an nx op it happens to use), stays short, and changes
// nothing: no tensor created, no cache consumed.
import * as nx from "@raven-ts/nx";
import { Checkpoint, Context, Layer, Rng } from "@raven-ts/kaun-core";
import { describe, expect, it } from "vitest";
import * as KaunAttention from "../src/index.js";
import { itRejects, type Rejection } from "./rejections.js";
import { attentionMaskKey, decoderLM, modelFromCheckpoint, modelMetadata, multiHeadAttention, rope, ropeTables, sampleTokens, transformerBlock } from "../src/index.js";

/** Casts a bad argument past the type checker. */
const bad = (v: unknown): never => v as never;
/** A function called with arguments its type forbids. */
const untyped = (f: unknown): ((...args: unknown[]) => unknown) => f as (...args: unknown[]) => unknown;

const attn = multiHeadAttention({ embedDim: 8, numHeads: 4, numKvHeads: 2, isCausal: true, rope: true });
const vars = Rng.run(0, () => Layer.init(attn, { dtype: "float32" }));
const x = nx.random.normal(nx.random.key(1), [2, 3, 8]);
const gone = nx.ones([2, 3, 8]);
gone.dispose();
// A cache of a layer with other numKvHeads, after a prefill (so decode would concatenate onto it).
const mha1 = multiHeadAttention({ embedDim: 8, numHeads: 4, numKvHeads: 1, isCausal: true });
const foreign = mha1.decode(Rng.run(2, () => Layer.init(mha1)), x, mha1.initCache({ batch: 2, maxLength: 8 }))[1];
const cache = attn.decode(vars, x, attn.initCache({ batch: 2, maxLength: 8 }))[1];
const cache64 = attn.initCache({ batch: 2, maxLength: 8, dtype: "float64" });
const spare = attn.initCache({ batch: 2, maxLength: 8 });
const wrongMask = Context.empty.set(attentionMaskKey, nx.ones([2, 2], "int32"));
const shortMask = Context.empty.set(attentionMaskKey, nx.ones([2, 3], "bool"));
const narrow = nx.ones([1, 2, 4]);
const goneMask = nx.ones([2, 3], "bool");
goneMask.dispose();
const elsewhere = new nx.CpuBackend();
const xOther = nx.toBackend(x, elsewhere);
const maskOther = Context.empty.set(attentionMaskKey, nx.toBackend(nx.ones([2, 3], "bool"), elsewhere));

const block = transformerBlock({ embedDim: 8, numHeads: 2, isCausal: true, rope: true });
const bvars = Rng.run(3, () => Layer.init(block, { dtype: "float32" }));
const bcache = block.initCache({ batch: 2, maxLength: 8 });

const swigluBlock = transformerBlock({ embedDim: 8, numHeads: 2, mlp: "swiglu" });

const lm = decoderLM({ vocabSize: 5, embedDim: 8, numLayers: 2, numHeads: 2 });
const lvars = Rng.run(4, () => Layer.init(lm, { dtype: "float32" }));
const tokens = nx.tensor([[1, 2], [3, 4]], { dtype: "int32" });
const outOfRange = nx.tensor([[1, 5]], { dtype: "int32" });
const lcaches = lm.initCache({ batch: 2, maxLength: 8 });
const lblocks = (lvars.params as { blocks: object[] }).blocks;
const logits2d = nx.ones([2, 5]);

const cases: Rejection[] = [
  // multiHeadAttention and its methods
  ["multiHeadAttention(null)", () => multiHeadAttention(bad(null)), "kaun.multiHeadAttention", "options { embedDim, numHeads } are required, got null"],
  ["multiHeadAttention({ embedDim: '8' })", () => multiHeadAttention({ embedDim: bad("8"), numHeads: 2 }), "kaun.multiHeadAttention", 'embedDim must be a positive integer, got "8"'],
  ["multiHeadAttention({ isCausal: 'yes' })", () => multiHeadAttention({ embedDim: 8, numHeads: 2, isCausal: bad("yes") }), "kaun.multiHeadAttention", 'isCausal must be a boolean, got "yes"'],
  ["multiHeadAttention({ causal: true }): an unknown option", () => multiHeadAttention(bad({ embedDim: 8, numHeads: 2, causal: true })), "kaun.multiHeadAttention", 'unknown option "causal"'],
  ["apply: a disposed input", () => Layer.apply(attn, vars, gone, { training: false }), "kaun.multiHeadAttention", "input (float32 [2,3,8]) was disposed"],
  ["apply: a disposed parameter", () => Layer.apply(attn, { ...vars, params: { ...(vars.params as object), k_proj: gone } }, x, { training: false }), "kaun.multiHeadAttention", "params.k_proj (float32 [2,3,8]) was disposed"],
  ["apply: a missing parameter", () => Layer.apply(attn, { ...vars, params: {} }, x, { training: false }), "kaun.multiHeadAttention", 'params has no entry "q_proj"'],
  ["apply: a disposed mask", () => Layer.apply(attn, vars, x, { training: false, ctx: Context.empty.set(attentionMaskKey, goneMask) }), "kaun.multiHeadAttention", 'the "attention_mask" mask (bool [2,3]) was disposed'],
  ["apply: the input on another backend", () => Layer.apply(attn, vars, xOther, { training: false }), "kaun.multiHeadAttention", "different backends"],
  ["apply: the mask on another backend", () => Layer.apply(attn, vars, x, { training: false, ctx: maskOther }), "kaun.multiHeadAttention", "different backends"],
  ["attentionWeights(null, x)", () => attn.attentionWeights(bad(null), x), "kaun.multiHeadAttention.attentionWeights", "vars must be an object { params, state, dtype }, got null"],
  ["attentionWeights(vars, x, null)", () => attn.attentionWeights(vars, x, bad(null)), "kaun.multiHeadAttention.attentionWeights", "options must be an object"],
  ["attentionWeights(vars, x, { ctx: {} })", () => attn.attentionWeights(vars, x, { ctx: bad({}) }), "kaun.multiHeadAttention.attentionWeights", "ctx must be a Context, got an object"],
  ["attentionWeights: a mask of the wrong shape", () => attn.attentionWeights(vars, x, { ctx: wrongMask }), "kaun.multiHeadAttention.attentionWeights", "[batch, seqK] = [2,3], got [2,2]"],
  ["initCache()", () => untyped(attn.initCache)(), "kaun.multiHeadAttention.initCache", "options { batch, maxLength } are required, got undefined"],
  ["initCache(null)", () => attn.initCache(bad(null)), "kaun.multiHeadAttention.initCache", "options { batch, maxLength } are required, got null"],
  ["initCache({ dtype: 'int32' })", () => attn.initCache({ batch: 1, maxLength: 2, dtype: bad("int32") }), "kaun.multiHeadAttention.initCache", 'dtype must be "float32" or "float64", got "int32"'],
  ["decode(vars, x, null)", () => attn.decode(vars, x, bad(null)), "kaun.multiHeadAttention.decode", "cache must be a KvCache { k, v, length, maxLength } made by initCache, got null"],
  ["decode(vars, x, {})", () => attn.decode(vars, x, bad({})), "kaun.multiHeadAttention.decode", "cache must be a KvCache"],
  ["decode(null, x, cache)", () => attn.decode(bad(null), x, cache), "kaun.multiHeadAttention.decode", "vars must be an object { params, state, dtype }, got null"],
  ["decode(vars, x, cache, null)", () => attn.decode(vars, x, cache, bad(null)), "kaun.multiHeadAttention.decode", "options must be an object"],
  ["decode: a cache of a layer with other numKvHeads", () => attn.decode(vars, x, foreign), "kaun.multiHeadAttention.decode", "cache.k [2,1,8,2] and cache.v [2,1,8,2] must be [batch, numKvHeads, maxLength, headDim] = [2,2,8,2]"],
  ["decode: a float64 cache for a float32 model", () => attn.decode(vars, x, cache64), "kaun.multiHeadAttention.decode", "the cache holds float64, but the model dtype is float32"],
  ["decode: a cache with a forged length", () => attn.decode(vars, x, { ...cache, length: 2 }), "kaun.multiHeadAttention.decode", "cache.length 2 is not the 3 positions the cache holds"],
  ["decode: a cache of mixed tensors", () => attn.decode(vars, x, { ...cache, v: spare.v }), "kaun.multiHeadAttention.decode", "cache.k and cache.v were not made together"],
  ["decode(..., { keepCache: 1 })", () => attn.decode(vars, x, cache, { keepCache: bad(1) }), "kaun.multiHeadAttention.decode", "keepCache must be a boolean, got 1"],
  ["decoderLM.decode(..., null)", () => lm.decode(lvars, tokens, lcaches, bad(null)), "kaun.decoderLM.decode", "options must be an object"],
  ["decode: a disposed input", () => attn.decode(vars, gone, cache), "kaun.multiHeadAttention.decode", "input (float32 [2,3,8]) was disposed"],
  ["decode: a mask that does not cover the cached positions", () => attn.decode(vars, x, cache, { ctx: shortMask }), "kaun.multiHeadAttention.decode", "[batch, seqK] = [2,6], got [2,3]"],
  // rope
  ["rope(null)", () => rope(bad(null)), "kaun.rope", "x must be a Tensor, got null"],
  ["rope(disposed)", () => rope(gone), "kaun.rope", "x (float32 [2,3,8]) was disposed"],
  ["rope(x, null)", () => rope(x, bad(null)), "kaun.rope", "options must be an object"],
  ["rope(x, { seqDim: '1' })", () => rope(x, { seqDim: bad("1") }), "kaun.rope", 'seqDim "1" is out of bounds for rank 3'],
  ["rope(x, { theta: '1' })", () => rope(x, { theta: bad("1") }), "kaun.rope", 'theta must be a positive finite number, got "1"'],
  ["rope(x, { offset: -1 })", () => rope(x, { offset: -1 }), "kaun.rope", "offset must be a non-negative integer, got -1"],
  ["ropeTables('2', 4)", () => ropeTables(bad("2"), 4), "kaun.ropeTables", 'seqLen must be a non-negative integer, got "2"'],
  ["ropeTables(2, 4, null)", () => ropeTables(2, 4, bad(null)), "kaun.ropeTables", "options must be an object"],
  // transformerBlock
  ["transformerBlock(null)", () => transformerBlock(bad(null)), "kaun.transformerBlock", "options { embedDim, numHeads } are required, got null"],
  ["transformerBlock({ embedDim: 10, numHeads: 4 })", () => transformerBlock({ embedDim: 10, numHeads: 4 }), "kaun.transformerBlock", "embedDim (10) must be divisible by numHeads (4)"],
  ["transformerBlock({ activation: 'tanh' })", () => transformerBlock({ embedDim: 8, numHeads: 2, activation: bad("tanh") }), "kaun.transformerBlock", 'activation must be one of "gelu", "silu", "relu", got "tanh"'],
  ["transformerBlock({ mlp: 'moe' })", () => transformerBlock({ embedDim: 8, numHeads: 2, mlp: bad("moe") }), "kaun.transformerBlock", 'mlp must be one of "dense", "glu", "swiglu", "geglu", got "moe"'],
  ["transformerBlock({ mlp: 'swiglu', activation: 'relu' })", () => transformerBlock({ embedDim: 8, numHeads: 2, mlp: "swiglu", activation: "relu" }), "kaun.transformerBlock", 'activation "relu" does not apply to mlp "swiglu", whose gate is "silu"; leave activation out'],
  ["transformerBlock({ activation: 'sigmoid' }): a dense MLP's activations", () => transformerBlock({ embedDim: 8, numHeads: 2, activation: "sigmoid" }), "kaun.transformerBlock", 'activation must be one of "gelu", "silu", "relu", got "sigmoid"'],
  ["transformerBlock apply: a swiglu block given a dense block's params", () => Layer.apply(swigluBlock, bvars, x, { training: false }), "kaun.transformerBlock", 'params has no entry "mlp"'],
  ["transformerBlock apply: wrong width", () => Layer.apply(block, bvars, narrow, { training: false }), "kaun.transformerBlock", "x must have shape [batch, seqLen, embedDim = 8], got [1,2,4]"],
  ["transformerBlock.initCache()", () => untyped(block.initCache)(), "kaun.transformerBlock.initCache", "options { batch, maxLength } are required"],
  ["transformerBlock.attentionWeights(null, x)", () => block.attentionWeights(bad(null), x), "kaun.transformerBlock.attentionWeights", "vars must be an object { params, state, dtype }, got null"],
  ["transformerBlock.attentionWeights: bad vars", () => block.attentionWeights(bad({ params: {}, state: {}, dtype: "float32" }), x), "kaun.transformerBlock.attentionWeights", 'params has no entry "attn_norm"'],
  ["transformerBlock.attentionWeights(vars, x, null)", () => block.attentionWeights(bvars, x, bad(null)), "kaun.transformerBlock.attentionWeights", "options must be an object"],
  ["transformerBlock.attentionWeights: wrong width", () => block.attentionWeights(bvars, narrow), "kaun.transformerBlock.attentionWeights", "x must have shape [batch, seqLen, embedDim = 8], got [1,2,4]"],
  ["transformerBlock.attentionWeights: a mask of the wrong shape", () => block.attentionWeights(bvars, x, { ctx: wrongMask }), "kaun.transformerBlock.attentionWeights", "[batch, seqK] = [2,3], got [2,2]"],
  ["transformerBlock.attentionWeights: a missing attention parameter", () => block.attentionWeights({ ...bvars, params: { ...(bvars.params as object), attn: {} } }, x), "kaun.transformerBlock.attentionWeights", 'params has no entry "q_proj"'],
  ["transformerBlock.decode(vars, x, null)", () => block.decode(bvars, x, bad(null)), "kaun.transformerBlock.decode", "cache must be a KvCache"],
  ["transformerBlock.decode: bad vars", () => block.decode(bad({ params: {}, state: {}, dtype: "float32" }), x, bcache), "kaun.transformerBlock.decode", 'params has no entry "attn_norm"'],
  ["transformerBlock.decode: a disposed input", () => block.decode(bvars, gone, bcache), "kaun.transformerBlock.decode", "input (float32 [2,3,8]) was disposed"],
  ["transformerBlock.decode: the attention's cache of another layer", () => block.decode(bvars, x, foreign), "kaun.transformerBlock.decode", "must be [batch, numKvHeads, maxLength, headDim] = [2,2,8,4]"],
  // decoderLM
  ["decoderLM(null)", () => decoderLM(bad(null)), "kaun.decoderLM", "options { vocabSize, embedDim, numLayers, numHeads } are required, got null"],
  ["decoderLM({ isCausal: false }): not a decoderLM option", () => decoderLM(bad({ vocabSize: 4, embedDim: 8, numLayers: 1, numHeads: 2, isCausal: false })), "kaun.decoderLM", 'unknown option "isCausal"'],
  ["transformerBlock({ vocabSize }): not a block option", () => transformerBlock(bad({ embedDim: 8, numHeads: 2, vocabSize: 4 })), "kaun.transformerBlock", 'unknown option "vocabSize"'],
  ["decoderLM({ mlp: 'geglu', activation: 'silu' })", () => decoderLM({ vocabSize: 4, embedDim: 8, numLayers: 1, numHeads: 2, mlp: "geglu", activation: "silu" }), "kaun.decoderLM", 'activation "silu" does not apply to mlp "geglu", whose gate is "gelu"'],
  ["decoderLM({ vocabSize: 0 })", () => decoderLM({ vocabSize: 0, embedDim: 8, numLayers: 1, numHeads: 2 }), "kaun.decoderLM", "vocabSize must be a positive integer, got 0"],
  ["decoderLM({ numHeads: 3 })", () => decoderLM({ vocabSize: 4, embedDim: 8, numLayers: 1, numHeads: 3 }), "kaun.decoderLM", "embedDim (8) must be divisible by numHeads (3)"],
  ["decoderLM apply: a token out of range", () => Layer.apply(lm, lvars, outOfRange, { training: false }), "kaun.decoderLM", "tokens holds token 5 at flat position 1, outside the vocabulary [0, 5)"],
  ["decoderLM.initCache()", () => untyped(lm.initCache)(), "kaun.decoderLM.initCache", "options { batch, maxLength } are required"],
  ["decoderLM.decode(vars, tokens, null)", () => lm.decode(lvars, tokens, bad(null)), "kaun.decoderLM.decode", "caches must be an array of 2 caches (one per block, from initCache), got null"],
  ["decoderLM.decode(vars, tokens, [null, null])", () => lm.decode(lvars, tokens, bad([null, null])), "kaun.decoderLM.decode", "cache must be a KvCache"],
  ["decoderLM.decode(vars, float tokens, caches)", () => lm.decode(lvars, x, lcaches), "kaun.decoderLM.decode", "tokens must be an int32 tensor [batch, t >= 1], got a float32 tensor [2,3,8]"],
  ["decoderLM.decode: a disposed token tensor", () => lm.decode(lvars, gone, lcaches), "kaun.decoderLM.decode", "tokens (float32 [2,3,8]) was disposed"],
  ["decoderLM.decode: batch 1 tokens for batch 2 caches", () => lm.decode(lvars, outOfRange, lcaches), "kaun.decoderLM.decode", "tokens holds token 5"],
  ["decoderLM.attentionWeights(null, tokens)", () => lm.attentionWeights(bad(null), tokens), "kaun.decoderLM.attentionWeights", "vars must be an object { params, state, dtype }, got null"],
  ["decoderLM.attentionWeights: bad vars", () => lm.attentionWeights(bad({ params: {}, state: {}, dtype: "float32" }), tokens), "kaun.decoderLM.attentionWeights", 'params has no entry "embed"'],
  ["decoderLM.attentionWeights(vars, tokens, null)", () => lm.attentionWeights(lvars, tokens, bad(null)), "kaun.decoderLM.attentionWeights", "options must be an object"],
  ["decoderLM.attentionWeights({ layer: 0 }): an unknown option", () => lm.attentionWeights(lvars, tokens, bad({ layer: 0 })), "kaun.decoderLM.attentionWeights", 'unknown option "layer"'],
  ["decoderLM.attentionWeights({ ctx: {} })", () => lm.attentionWeights(lvars, tokens, { ctx: bad({}) }), "kaun.decoderLM.attentionWeights", "ctx must be a Context, got an object"],
  ["decoderLM.attentionWeights: a mask of the wrong shape", () => lm.attentionWeights(lvars, tokens, { ctx: shortMask }), "kaun.decoderLM.attentionWeights", "[batch, seqK] = [2,2], got [2,3]"],
  ["decoderLM.attentionWeights(vars, float tokens)", () => lm.attentionWeights(lvars, x), "kaun.decoderLM.attentionWeights", "tokens must be an int32 tensor [batch, t >= 1], got a float32 tensor [2,3,8]"],
  ["decoderLM.attentionWeights: a token out of range", () => lm.attentionWeights(lvars, outOfRange), "kaun.decoderLM.attentionWeights", "tokens holds token 5 at flat position 1, outside the vocabulary [0, 5)"],
  ["decoderLM.attentionWeights: params.blocks not one entry per block", () => lm.attentionWeights({ ...lvars, params: { ...(lvars.params as object), blocks: [] } }, tokens), "kaun.decoderLM.attentionWeights", "params.blocks and state.blocks must be arrays of 2 entries (one per block)"],
  ["decoderLM.attentionWeights: a missing attention parameter in block 1", () => lm.attentionWeights({ ...lvars, params: bad({ ...(lvars.params as object), blocks: [lblocks[0], { ...lblocks[1], attn: {} }] }) }, tokens), "kaun.decoderLM.attentionWeights", 'params has no entry "q_proj"'],
  ["decoderLM.generate(vars, prompt)", () => untyped(lm.generate)(lvars, tokens), "kaun.decoderLM.generate", "options { maxNewTokens, temperature?, key? } are required, got undefined"],
  ["decoderLM.generate({ key: 42 })", () => lm.generate(lvars, tokens, { maxNewTokens: 2, key: bad(42) }), "kaun.decoderLM.generate", "key must be an nx.random.Key (nx.random.key(seed)), got 42"],
  ["decoderLM.generate({ temperature: -1 })", () => lm.generate(lvars, tokens, { maxNewTokens: 2, temperature: -1 }), "kaun.decoderLM.generate", "temperature must be a finite non-negative number, got -1"],
  ["decoderLM.generate({ maxNewTokens: 1.5 })", () => lm.generate(lvars, tokens, { maxNewTokens: 1.5, temperature: 0 }), "kaun.decoderLM.generate", "maxNewTokens must be a non-negative integer, got 1.5"],
  ["decoderLM.generate: no key with temperature 1", () => lm.generate(lvars, tokens, { maxNewTokens: 1 }), "kaun.decoderLM.generate", "a key is required to sample with temperature > 0"],
  ["decoderLM.generate({ topK: 0 })", () => lm.generate(lvars, tokens, { maxNewTokens: 1, topK: 0, key: nx.random.key(0) }), "kaun.decoderLM.generate", "topK must be a positive integer, got 0"],
  ["decoderLM.generate({ topP: 0 })", () => lm.generate(lvars, tokens, { maxNewTokens: 1, topP: 0, key: nx.random.key(0) }), "kaun.decoderLM.generate", "topP must be a number in (0, 1], got 0"],
  ["decoderLM.generate({ topP: 1.5 })", () => lm.generate(lvars, tokens, { maxNewTokens: 1, topP: 1.5, key: nx.random.key(0) }), "kaun.decoderLM.generate", "topP must be a number in (0, 1], got 1.5"],
  ["decoderLM.generate({ topP: '0.9' })", () => lm.generate(lvars, tokens, { maxNewTokens: 1, topP: bad("0.9"), key: nx.random.key(0) }), "kaun.decoderLM.generate", 'topP must be a finite number, got "0.9"'],
  ["decoderLM.generate({ minP: -0.1 })", () => lm.generate(lvars, tokens, { maxNewTokens: 1, minP: -0.1, key: nx.random.key(0) }), "kaun.decoderLM.generate", "minP must be a number in [0, 1], got -0.1"],
  ["decoderLM.generate({ minP: NaN })", () => lm.generate(lvars, tokens, { maxNewTokens: 1, minP: Number.NaN, key: nx.random.key(0) }), "kaun.decoderLM.generate", "minP must be a finite number, got NaN"],
  ["decoderLM.generate({ stop: 5 }): outside the vocabulary", () => lm.generate(lvars, tokens, { maxNewTokens: 1, temperature: 0, stop: 5 }), "kaun.decoderLM.generate", "stop must be a token id below vocabSize 5, got 5"],
  ["decoderLM.generate({ stop: [1, -1] })", () => lm.generate(lvars, tokens, { maxNewTokens: 1, temperature: 0, stop: [1, -1] }), "kaun.decoderLM.generate", "stop[1] must be a non-negative integer, got -1"],
  ["decoderLM.generate({ stop: '1' })", () => lm.generate(lvars, tokens, { maxNewTokens: 1, temperature: 0, stop: bad("1") }), "kaun.decoderLM.generate", 'stop must be a token id or an array of token ids, got "1"'],
  ["decoderLM.generate({ padId: 9 })", () => lm.generate(lvars, tokens, { maxNewTokens: 1, temperature: 0, stop: 1, padId: 9 }), "kaun.decoderLM.generate", "padId must be a token id below vocabSize 5, got 9"],
  ["decoderLM.generate({ padId }) without stop", () => lm.generate(lvars, tokens, { maxNewTokens: 1, temperature: 0, padId: 0 }), "kaun.decoderLM.generate", "padId fills the rows that produced a stop token; pass stop too"],
  ["decoderLM.generate({ top_k }): an unknown option", () => lm.generate(lvars, tokens, bad({ maxNewTokens: 1, temperature: 0, top_k: 3 })), "kaun.decoderLM.generate", 'unknown option "top_k"'],
  // sampleTokens
  ["sampleTokens(int32 logits)", () => sampleTokens(tokens, { temperature: 0 }), "kaun.sampleTokens", "logits must be a float32 or float64 tensor, got int32 [2,2]"],
  ["sampleTokens(rank-3 logits)", () => sampleTokens(x, { temperature: 0 }), "kaun.sampleTokens", "logits must be [batch, vocab >= 1], got a float32 tensor [2,3,8]"],
  ["sampleTokens: no key with temperature 1", () => sampleTokens(logits2d), "kaun.sampleTokens", "a key is required to sample with temperature > 0"],
  ["sampleTokens({ topP: 2 })", () => sampleTokens(logits2d, { topP: 2, key: nx.random.key(0) }), "kaun.sampleTokens", "topP must be a number in (0, 1], got 2"],
  ["sampleTokens({ top_k })", () => sampleTokens(logits2d, bad({ top_k: 2, temperature: 0 })), "kaun.sampleTokens", 'unknown option "top_k"'],
  // checkpoints
  ["modelMetadata(null)", () => modelMetadata(bad(null)), "kaun.modelMetadata", "layer must be a decoderLM or multiHeadAttention layer, got null"],
  ["modelFromCheckpoint(no metadata)", () => modelFromCheckpoint(Checkpoint.toBytes({ w: x })), "kaun.modelFromCheckpoint", 'no "raven.model" entry'],
  ["decoderLM.generate: bad vars", () => lm.generate(bad({ params: {}, state: {}, dtype: "float32" }), tokens, { maxNewTokens: 1, temperature: 0 }), "kaun.decoderLM.generate", 'params has no entry "embed"'],
];

describe("every kaun-attention export rejects bad arguments with an InvalidArgumentError naming it, and changes nothing", () => {
  itRejects(cases, () => expect([cache.k, foreign.k, bcache.k, cache64.k, ...lcaches.map((c) => c.k)].every((t) => !t.isDisposed)).toBe(true));
});

describe("the sweep covers every export and every method of the layers it makes", () => {
  const named = new Set(cases.map(([, , fn]) => fn));
  const exported = Object.entries(KaunAttention).filter(([, v]) => typeof v === "function").map(([k]) => k);
  const methods = [
    ...Object.entries(attn).filter(([k, v]) => typeof v === "function" && k !== "init" && k !== "apply").map(([k]) => `multiHeadAttention.${k}`),
    ...Object.entries(block).filter(([k, v]) => typeof v === "function" && k !== "init" && k !== "apply" && k !== "applyWith").map(([k]) => `transformerBlock.${k}`),
    ...Object.entries(lm).filter(([k, v]) => typeof v === "function" && k !== "init" && k !== "apply").map(([k]) => `decoderLM.${k}`),
  ];
  for (const name of [...exported, ...methods]) {
    it(name, () => {
      expect(named.has(`kaun.${name}`), `no case names kaun.${name}: add one to the table above`).toBe(true);
    });
  }
});

describe("causal attention on an empty sequence", () => {
  it("returns an empty output, as PyTorch does, from apply, attentionWeights and decode", () => {
    const empty = nx.zeros([2, 0, 8]);
    const [y] = Layer.apply(attn, vars, empty, { training: false });
    expect(y.shape).toEqual([2, 0, 8]);
    expect(attn.attentionWeights(vars, empty).shape).toEqual([2, 4, 0, 0]);
    const c = attn.initCache({ batch: 2, maxLength: 4 });
    const [, c1] = attn.decode(vars, x, c);
    const [out, c2] = attn.decode(vars, empty, c1);
    expect(out.shape).toEqual([2, 0, 8]);
    expect(c2.length).toBe(3);
    const [ly] = Layer.apply(block, bvars, empty, { training: false });
    expect(ly.shape).toEqual([2, 0, 8]);
  });
});
