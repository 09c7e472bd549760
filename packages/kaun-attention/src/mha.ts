/**
 * The seed's `multi_head_attention`: a Kaun layer with grouped-query
 * attention, causal and padding masks, RoPE and attention dropout, plus two
 * capabilities built on the same forward pass: KV-cache decoding and
 * attention maps for inspection.
 */
import * as nx from "@raven-ts/nx";
import type { FloatDType, Tensor } from "@raven-ts/nx";
import { Fn, Init, type Context, type Layer, type Ptree, type Vars } from "@raven-ts/kaun-core";
import {
  checkBool,
  checkFloatDType,
  checkModelInput,
  checkNonNegInt,
  checkOptions,
  checkPositiveInt,
  checkSameDevice,
  checkVars,
  describe,
  fail,
  initParams,
  isRecord,
  optionalOptions,
  param,
} from "@raven-ts/kaun-core/internal";
import { ATTENTION_KEYS, attentionConfig, type AttentionConfig, type MultiHeadAttentionOptions } from "./config.js";
import { paddingMask } from "./mask.js";
import { markModel } from "./model-kind.js";
import { rope } from "./rope.js";

/**
 * A key/value cache for autoregressive decoding: the (RoPE-rotated) keys and
 * the values of every position decoded so far, per key/value head, in
 * buffers preallocated for `maxLength` positions; `decode` writes each new
 * position in place and attends over the first `length` positions only.
 *
 * Ownership: `decode` **consumes** the cache it is given. Once it succeeds,
 * the tensors of that cache are disposed and the returned cache (which the
 * caller now owns) replaces it; when it throws, the cache is untouched. So
 * `[out, cache] = layer.decode(vars, x, cache)` in a loop holds one cache at
 * a time. To decode several continuations of one prefix (beam search,
 * benchmarks), pass `keepCache: true`: the cache given then stays live, and
 * the caller disposes it when done.
 */
export interface KvCache {
  /** Keys `[batch, numKvHeads, maxLength, headDim]`; positions from `length` on are unused (zeros until written). */
  readonly k: Tensor;
  /** Values `[batch, numKvHeads, maxLength, headDim]`; positions from `length` on are unused. */
  readonly v: Tensor;
  /** The number of positions held (the next token's position). */
  readonly length: number;
  /** The most positions the cache may hold. */
  readonly maxLength: number;
}

/** Options of {@link MultiHeadAttentionLayer.initCache}. */
export interface CacheOptions {
  /** The batch size the cache serves. */
  readonly batch: number;
  /** The most positions (prompt plus generated tokens) the cache may hold. */
  readonly maxLength: number;
  /** The model's float dtype; defaults to `"float32"`. */
  readonly dtype?: FloatDType;
}

/** Options of the inspection and decoding methods. */
export interface AttentionCallOptions {
  /** Per-call tensors; the padding mask is read under `attentionMaskKey`. Defaults to none. */
  readonly ctx?: Context;
  /** Accepted for symmetry with `apply`; the weights are taken before dropout, so it changes nothing. Defaults to false. */
  readonly training?: boolean;
  /** For `decode`: whether the cache given stays live (the caller keeps owning it) instead of being consumed; defaults to false. */
  readonly keepCache?: boolean;
}

/** The option names of {@link AttentionCallOptions}. */
export const CALL_KEYS = ["ctx", "training", "keepCache"] as const satisfies readonly (keyof AttentionCallOptions)[];

/** The layer `multiHeadAttention` returns: a Kaun `Layer` with decoding and inspection methods. */
export interface MultiHeadAttentionLayer extends Layer<"float", "float"> {
  /** The configuration, with defaults filled in. */
  readonly config: AttentionConfig;
  /**
   * `attentionWeights(vars, x, options?)` is the per-head attention
   * probabilities `[batch, numHeads, seqQ, seqK]` of `apply` on `x`, computed
   * by the same code path (after masking, before dropout: masked entries are
   * exactly 0 and a fully-masked row is all zeros). Only the result stays
   * live.
   * @throws InvalidArgumentError as `apply`, and when `vars` is not `{ params, state, dtype }` or `options` is not an object.
   */
  attentionWeights(vars: Vars, x: Tensor, options?: AttentionCallOptions): Tensor;
  /**
   * `initCache({ batch, maxLength, dtype? })` is an empty cache for
   * {@link decode}: zero-filled key and value buffers of
   * `[batch, numKvHeads, maxLength, headDim]` on the current backend.
   * @throws InvalidArgumentError when the options are missing, `batch` or
   * `maxLength` is not a positive integer, `dtype` is not a float dtype, or
   * the buffers are more than the backend holds.
   */
  initCache(options: CacheOptions): KvCache;
  /**
   * `decode(vars, x, cache, options?)` attends the new positions `x`
   * (`[batch, t, embedDim]`, the prompt when prefilling, one token per step
   * after) to every cached position and to themselves, and returns the output
   * `[batch, t, embedDim]` and the cache extended by `t`. New positions are
   * numbered from `cache.length` (RoPE is offset accordingly) and, for a
   * causal layer, position `i` sees positions `0..i` only, so prefill then
   * steps give the same outputs as `apply` on the whole sequence. A padding
   * mask in `ctx` must cover every key position: `[batch, cache.length + t]`.
   * Decoding is inference: no dropout.
   *
   * `cache` is consumed: its tensors are disposed (the returned cache
   * replaces it, its buffers written in place: one step costs its own
   * positions, not a copy of the cache), unless `keepCache` is true, when
   * the cache given stays as it was and the new one is a copy; a call
   * rejected by its checks leaves the cache as it was. The output and the
   * new cache are the caller's; every other tensor is released. `keepCache`
   * defaults to false.
   * @throws InvalidArgumentError as `apply`; when `cache` is not a live
   * cache of this layer (made by its `initCache` and not yet consumed) for
   * `x`'s batch and the model's dtype; or when the cache is full
   * (`cache.length + t > cache.maxLength`); or when the attention scores
   * `[batch, numHeads, t, cache.length + t]` are more than the backend holds.
   */
  decode(vars: Vars, x: Tensor, cache: KvCache, options?: AttentionCallOptions): [Tensor, KvCache];
}

const PARAM_NAMES = ["q_proj", "k_proj", "v_proj", "out_proj"] as const;
type Params = Record<(typeof PARAM_NAMES)[number], Tensor>;

function paramShapes(cfg: AttentionConfig): Record<(typeof PARAM_NAMES)[number], [number, number]> {
  const { embedDim, numHeads, numKvHeads, headDim } = cfg;
  return {
    q_proj: [embedDim, numHeads * headDim],
    k_proj: [embedDim, numKvHeads * headDim],
    v_proj: [embedDim, numKvHeads * headDim],
    out_proj: [numHeads * headDim, embedDim],
  };
}

/** The validated operands of one forward pass: nothing is allocated until all of them are checked. */
interface Operands {
  readonly batch: number;
  readonly seqQ: number;
  readonly x: Tensor;
  readonly params: Params;
  /** The padding mask `[batch, seqK]` as given (any dtype), or undefined. */
  readonly mask: Tensor | undefined;
  readonly cache: KvCache | undefined;
}

/**
 * The caches `initCache` and `decode` made, by their key tensor: the value
 * tensor and the number of positions they hold. A cache is only trusted as
 * made (its `length` cannot be checked against preallocated buffers).
 */
const madeCaches = new WeakMap<Tensor, { readonly v: Tensor; readonly length: number }>();

/** `made(cache)` records a cache `initCache` or `decode` made, and returns it. */
function made(cache: KvCache): KvCache {
  madeCaches.set(cache.k, { v: cache.v, length: cache.length });
  return cache;
}

/**
 * `checkCache(fn, cfg, cache, batch, seqQ, dtype)` returns `cache` when it is
 * a live cache of a layer with `cfg`'s heads, for `batch` sequences in
 * `dtype`, with room for `seqQ` more positions.
 * @throws InvalidArgumentError naming `fn` otherwise.
 */
function checkCache(fn: string, cfg: AttentionConfig, cache: unknown, batch: number, seqQ: number, dtype: FloatDType): KvCache {
  if (!isRecord(cache) || !nx.isTensor(cache.k) || !nx.isTensor(cache.v)) throw fail(fn, `cache must be a KvCache { k, v, length, maxLength } made by initCache, got ${describe(cache)}`);
  const { k, v } = cache;
  if (k.isDisposed || v.isDisposed) throw fail(fn, "the cache's tensors were disposed: decode consumes the cache it is given; pass the cache the last decode returned");
  const length = checkNonNegInt(fn, "cache.length", cache.length);
  const maxLength = checkPositiveInt(fn, "cache.maxLength", cache.maxLength);
  if (length > maxLength) throw fail(fn, `cache.length ${length} exceeds cache.maxLength ${maxLength}`);
  if (k.ndim === 4 && k.shape[0] !== batch) throw fail(fn, `the cache serves batch ${k.shape[0] as number}, but x has batch ${batch}`);
  const expected = [batch, cfg.numKvHeads, maxLength, cfg.headDim];
  if (!nx.shapesEqual(k.shape, expected) || !nx.shapesEqual(v.shape, expected)) {
    throw fail(
      fn,
      `cache.k ${nx.fmtShape(k.shape)} and cache.v ${nx.fmtShape(v.shape)} must be [batch, numKvHeads, maxLength, headDim] = ${nx.fmtShape(expected)}; was the cache made by another layer's initCache?`,
    );
  }
  if (k.dtype !== dtype || v.dtype !== dtype) throw fail(fn, `the cache holds ${k.dtype}, but the model dtype is ${dtype}`);
  const record = madeCaches.get(k);
  if (record === undefined || record.v !== v) throw fail(fn, "cache.k and cache.v were not made together by initCache or decode; pass the cache initCache or the last decode returned");
  if (record.length !== length) throw fail(fn, `cache.length ${length} is not the ${record.length} positions the cache holds; pass the cache initCache or the last decode returned`);
  if (length + seqQ > maxLength) throw fail(fn, `the KV cache is full: it holds ${length} of ${maxLength} positions and cannot take ${seqQ} more`);
  return { k, v, length, maxLength };
}

/**
 * `checkCacheOf(fn, layer, cache, batch, seqQ, dtype)` is the check `decode`
 * makes of its cache, for the decode methods of blocks and models, which
 * check every cache before computing anything. Internal.
 * @throws InvalidArgumentError naming `fn` when `cache` is not a live cache of `layer` for `batch`, `dtype` and `seqQ` more positions.
 */
export function checkCacheOf(fn: string, layer: MultiHeadAttentionLayer, cache: unknown, batch: number, seqQ: number, dtype: FloatDType): KvCache {
  return checkCache(fn, layer.config, cache, batch, seqQ, dtype);
}

/**
 * `operands(fn, cfg, params, dtype, x, ctx, cache?)` checks everything one
 * forward pass reads: the input, the params, the padding mask, the cache
 * (when decoding) and that they share one backend.
 * @throws InvalidArgumentError naming `fn` (the function the user called).
 */
function operands(fn: string, cfg: AttentionConfig, params: Ptree, dtype: FloatDType, x: unknown, ctx: Context | undefined, cache?: unknown): Operands {
  const input = checkModelInput(fn, x, dtype);
  if (input.ndim !== 3 || input.shape[2] !== cfg.embedDim) {
    throw fail(fn, `x must have shape [batch, seqLen, embedDim = ${cfg.embedDim}], got ${nx.fmtShape(input.shape)}`);
  }
  const [batch, seqQ] = input.shape as [number, number];
  const shapes = paramShapes(cfg);
  const p = {} as Params;
  for (const name of PARAM_NAMES) p[name] = param(fn, params, name, dtype, shapes[name]);
  const c = cache === undefined ? undefined : checkCache(fn, cfg, cache, batch, seqQ, dtype);
  const offset = c?.length ?? 0;
  const mask = paddingMask(fn, ctx, batch, offset + seqQ);
  checkSameDevice(fn, [input, ...Object.values(p), mask, c?.k, c?.v]);
  checkScores(fn, cfg, batch, seqQ, offset + seqQ, dtype, input.backend);
  return { batch, seqQ, x: input, params: p, mask, cache: c };
}

/**
 * `checkScores(fn, cfg, batch, seqQ, seqK, dtype, backend)` checks, before
 * anything is allocated, that the attention scores `[batch, numHeads, seqQ, seqK]`
 * (the largest tensor of a pass) fit `backend`, so that a pass too large is
 * rejected before a decode consumes its cache. Internal.
 * @throws InvalidArgumentError naming `kaun.<fn>` otherwise.
 */
export function checkScores(fn: string, cfg: AttentionConfig, batch: number, seqQ: number, seqK: number, dtype: FloatDType, backend: nx.Backend): void {
  nx.checkAllocation(`kaun.${fn}`, [batch, cfg.numHeads, seqQ, seqK], dtype, backend);
}

/** What one forward pass computes. */
interface Forward {
  /** `[batch, seqQ, embedDim]`. */
  readonly out: Tensor;
  /** `[batch, numKvHeads, groups, seqQ, seqK]`, before dropout. */
  readonly weights: Tensor;
  /** The extended cache, when decoding. */
  readonly cache?: KvCache;
}

/**
 * `forward(cfg, ops, dropout, donate)` is the one attention computation
 * behind `apply`, `attentionWeights` and `decode`, on checked operands (it
 * allocates; callers run it inside `nx.tidy`). Queries are laid out
 * `[batch, numKvHeads, groups, seqQ, headDim]` so that query head
 * `h = kv * groups + g` reads key/value head `kv` by broadcasting, without
 * copying keys and values per group. The causal mask comes from
 * `Fn.attentionWeights` with the queries' offset (the cache length). When
 * decoding, the new keys and values are written into the cache at its
 * length (in place when `donate`: the cache given is consumed), and
 * attention reads the filled prefix as a view.
 */
function forward(cfg: AttentionConfig, ops: Operands, dropout: boolean, donate = false): Forward {
  const { batch, seqQ, x, params: p, cache } = ops;
  const { numHeads, numKvHeads, headDim } = cfg;
  const groups = numHeads / numKvHeads;
  const offset = cache?.length ?? 0;
  const seqK = offset + seqQ;

  let q = nx.transpose(nx.reshape(nx.matmul(x, p.q_proj), [batch, seqQ, numKvHeads, groups, headDim]), [0, 2, 3, 1, 4]);
  let k = nx.transpose(nx.reshape(nx.matmul(x, p.k_proj), [batch, seqQ, numKvHeads, headDim]), [0, 2, 1, 3]);
  let v = nx.transpose(nx.reshape(nx.matmul(x, p.v_proj), [batch, seqQ, numKvHeads, headDim]), [0, 2, 1, 3]);
  if (cfg.rope) {
    q = rope(q, { theta: cfg.ropeTheta, seqDim: -2, offset });
    k = rope(k, { theta: cfg.ropeTheta, seqDim: -2, offset });
  }
  let nextCache: KvCache | undefined;
  if (cache !== undefined) {
    const at = [0, 0, offset, 0];
    nextCache = made({
      k: nx.dynamicUpdateSlice(cache.k, k, at, { donate }),
      v: nx.dynamicUpdateSlice(cache.v, v, at, { donate }),
      length: seqK,
      maxLength: cache.maxLength,
    });
    const prefix = [null, null, { stop: seqK }];
    k = nx.slice(nextCache.k, prefix);
    v = nx.slice(nextCache.v, prefix);
  }
  const keep = ops.mask === undefined ? undefined : nx.reshape(ops.mask, [batch, 1, 1, 1, seqK]);
  const weights = Fn.attentionWeights(q, nx.expandDims(k, 2), {
    ...(keep === undefined ? {} : { attentionMask: keep }),
    ...(cfg.isCausal ? { isCausal: true, queryOffset: offset } : {}),
  });
  const dropped = dropout && cfg.dropout > 0 ? Fn.dropout(weights, { rate: cfg.dropout }) : weights;
  const heads = nx.matmul(dropped, nx.expandDims(v, 2)); // [batch, kv, groups, seqQ, headDim]
  const merged = nx.reshape(nx.transpose(heads, [0, 3, 1, 2, 4]), [batch, seqQ, numHeads * headDim]);
  const out = nx.matmul(merged, p.out_proj);
  return nextCache === undefined ? { out, weights } : { out, weights, cache: nextCache };
}

/**
 * `emptyCaches(fn, layers, options)` is an empty cache for each attention
 * layer of `layers`, after checking `options` once (naming `fn`, the
 * `initCache` the user called). Internal.
 * @throws InvalidArgumentError when the options are missing, `batch` or `maxLength` is not a positive integer, or `dtype` is not a float dtype.
 */
export function emptyCaches(fn: string, layers: readonly MultiHeadAttentionLayer[], options: CacheOptions): KvCache[] {
  const o = checkOptions(fn, options, "{ batch, maxLength }", ["batch", "maxLength", "dtype"]);
  const batch = checkPositiveInt(fn, "batch", o.batch);
  const maxLength = checkPositiveInt(fn, "maxLength", o.maxLength);
  const dtype = checkFloatDType(fn, o.dtype ?? "float32");
  const shapes = layers.map(({ config }) => [batch, config.numKvHeads, maxLength, config.headDim]);
  // Every buffer must fit before the first is made.
  for (const shape of shapes) nx.checkAllocation(`kaun.${fn}`, shape, dtype);
  return shapes.map((shape) => made({ k: nx.zeros(shape, dtype), v: nx.zeros(shape, dtype), length: 0, maxLength }));
}

/** `consume(cache)` disposes the tensors of a cache that `decode` has replaced (a no-op for tensors the decode already consumed in place). */
export function consume(cache: KvCache): void {
  cache.k.dispose();
  cache.v.dispose();
}

/**
 * `decodeStep(fn, layer, vars, x, cache, ctx, donate)` is `layer.decode`
 * without its own `tidy` scope, consuming `cache` (its buffers written in
 * place) only when `donate`: the building block of the decode methods of
 * blocks and models, which check every cache and every size first, so that
 * a rejected call consumes nothing. Internal.
 * @throws InvalidArgumentError naming `fn`, as `decode`.
 */
export function decodeStep(fn: string, layer: MultiHeadAttentionLayer, vars: Vars, x: Tensor, cache: KvCache, ctx: Context | undefined, donate: boolean): [Tensor, KvCache] {
  const ops = operands(fn, layer.config, vars.params, vars.dtype, x, ctx, cache);
  const { out, cache: next } = forward(layer.config, ops, false, donate);
  return [out, next as KvCache];
}

/**
 * `inspectStep(fn, layer, vars, x, ctx)` is `[output, weights]`: `layer`'s
 * inference output on `x` (as `apply` with `training: false`) and its
 * attention probabilities `[batch, numHeads, seqQ, seqK]` (as
 * `attentionWeights`), from one pass, without a `tidy` scope of its own: the
 * building block of the `attentionWeights` of layers, blocks and models,
 * which override a block's attention with it. Internal.
 * @throws InvalidArgumentError naming `fn`, as `attentionWeights`.
 */
export function inspectStep(fn: string, layer: MultiHeadAttentionLayer, vars: Vars, x: unknown, ctx: Context | undefined): [Tensor, Tensor] {
  const cfg = layer.config;
  const ops = operands(fn, cfg, vars.params, vars.dtype, x, ctx);
  const { out, weights } = forward(cfg, ops, false);
  return [out, nx.reshape(weights, [ops.batch, cfg.numHeads, ops.seqQ, weights.shape[4] as number])];
}

/**
 * `multiHeadAttention({ embedDim, numHeads, numKvHeads?, dropout?, isCausal?, rope?, ropeTheta? })`
 * is a multi-head self-attention layer.
 *
 * Input shape: `[batch, seqLen, embedDim]`. Output shape: `[batch, seqLen, embedDim]`.
 * The input's dtype must be the model's (`vars.dtype`). A sequence of length
 * 0 gives an empty output `[batch, 0, embedDim]`.
 *
 * `numKvHeads` defaults to `numHeads` (standard MHA). When `numKvHeads < numHeads`,
 * grouped query attention (GQA) is used: query head `h` reads key/value head
 * `floor(h / (numHeads / numKvHeads))`. `numHeads` must be divisible by `numKvHeads`.
 *
 * `dropout` defaults to 0. When positive, dropout is applied to the attention
 * weights during training (`training: true`) using keys from the implicit
 * `Rng` scope (inverted dropout: kept weights are scaled by `1 / (1 - dropout)`).
 *
 * `isCausal` defaults to false. When true, a causal mask prevents attending to future positions.
 *
 * `rope` defaults to false. When true, rotary position embeddings are applied
 * to Q and K before the attention computation. `ropeTheta` defaults to 10000.
 *
 * When `ctx` contains `attentionMaskKey` (a bool or int32 tensor of shape
 * `[batch, seqK]`; other numeric dtypes are read the same way), it is applied
 * as a padding mask: true / nonzero keeps the position, false / 0 masks it.
 * Masked positions get exactly zero weight, and a query whose keys are all
 * masked outputs zeros.
 *
 * Scores are scaled by `1 / sqrt(headDim)` with `headDim = embedDim / numHeads`.
 *
 * Parameters (no biases), initialized Glorot-uniform:
 * - `q_proj` `[embedDim, numHeads * headDim]`
 * - `k_proj` `[embedDim, numKvHeads * headDim]`
 * - `v_proj` `[embedDim, numKvHeads * headDim]`
 * - `out_proj` `[numHeads * headDim, embedDim]`
 *
 * Its `apply`, `attentionWeights` and `decode` release every tensor they
 * create except their results.
 *
 * @throws InvalidArgumentError if `embedDim` is not divisible by `numHeads`, or
 * if `numHeads` is not divisible by `numKvHeads`; also when the options are
 * missing, a size is not a positive integer, `dropout` is outside [0, 1),
 * `ropeTheta` is not a positive finite number, or `rope` is set with an odd
 * head size. Its `init` throws InvalidArgumentError, before making any
 * parameter, when a projection is more than the backend holds (stating the
 * size and the limit). Its `apply` throws InvalidArgumentError, naming
 * `kaun.multiHeadAttention`, when the input is not a live tensor of rank 3,
 * its last axis is not `embedDim`, its dtype is not the model's, a parameter
 * is missing, disposed or misshapen, the padding mask's shape is not
 * `[batch, seqK]`, or the tensors live on different backends.
 */
export function multiHeadAttention(options: MultiHeadAttentionOptions): MultiHeadAttentionLayer {
  const cfg = attentionConfig("multiHeadAttention", checkOptions("multiHeadAttention", options, "{ embedDim, numHeads }", ATTENTION_KEYS));
  const shapes = paramShapes(cfg);
  const layer: MultiHeadAttentionLayer = {
    config: cfg,
    init: ({ dtype }) => {
      const initializer = Init.glorotUniform();
      const params = initParams("multiHeadAttention", dtype, Object.fromEntries(PARAM_NAMES.map((name) => [name, [shapes[name], initializer] as const])));
      return { params, state: {}, dtype };
    },
    apply: (args, x) => {
      const ops = operands("multiHeadAttention", cfg, args.params, args.dtype, x, args.ctx);
      return [nx.tidy(() => forward(cfg, ops, args.training).out), args.state];
    },
    attentionWeights: (vars, x, options) => {
      const fn = "multiHeadAttention.attentionWeights";
      const v = checkVars(fn, vars, "vars");
      const ctx = optionalOptions(fn, options, CALL_KEYS).ctx;
      return nx.tidy(() => inspectStep(fn, layer, v, x, ctx)[1]);
    },
    initCache: (cacheOptions) => emptyCaches("multiHeadAttention.initCache", [layer], cacheOptions)[0] as KvCache,
    decode: (vars, x, cache, options) => {
      const fn = "multiHeadAttention.decode";
      const v = checkVars(fn, vars, "vars");
      const o = optionalOptions(fn, options, CALL_KEYS);
      const keep = checkBool(fn, "keepCache", o.keepCache, false);
      const result = nx.tidy(() => decodeStep(fn, layer, v, x, cache, o.ctx, !keep));
      if (!keep) consume(cache);
      return result;
    },
  };
  return markModel(layer, "multiHeadAttention");
}
