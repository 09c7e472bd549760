/**
 * The seed's `multi_head_attention`: a Kaun layer with grouped-query
 * attention, causal and padding masks, RoPE and attention dropout, plus two
 * capabilities built on the same forward pass: KV-cache decoding and
 * attention maps for inspection.
 */
import * as nx from "@raven-ts/nx";
import { InvalidArgumentError, type FloatDType, type Tensor } from "@raven-ts/nx";
import { Fn, Init, type Context, type Layer, type Ptree, type Vars } from "@raven-ts/kaun-core";
import { attentionConfig, type AttentionConfig, type MultiHeadAttentionOptions } from "./config.js";
import { paddingKeep } from "./mask.js";
import { rope } from "./rope.js";

/**
 * A key/value cache for autoregressive decoding: the (RoPE-rotated) keys and
 * the values of every position decoded so far, per key/value head.
 */
export interface KvCache {
  /** Keys `[batch, numKvHeads, length, headDim]`. */
  readonly k: Tensor;
  /** Values `[batch, numKvHeads, length, headDim]`. */
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
  /** Whether this is a training pass (dropout on the weights); defaults to false. */
  readonly training?: boolean;
}

/** The layer `multiHeadAttention` returns: a Kaun `Layer` with decoding and inspection methods. */
export interface MultiHeadAttentionLayer extends Layer<"float", "float"> {
  /** The configuration, with defaults filled in. */
  readonly config: AttentionConfig;
  /**
   * `attentionWeights(vars, x, options?)` is the per-head attention
   * probabilities `[batch, numHeads, seqQ, seqK]` of `apply` on `x`, computed
   * by the same code path (after masking, before dropout: masked entries are
   * exactly 0 and a fully-masked row is all zeros).
   * @throws InvalidArgumentError as `apply`.
   */
  attentionWeights(vars: Vars, x: Tensor, options?: AttentionCallOptions): Tensor;
  /**
   * `initCache({ batch, maxLength, dtype? })` is an empty cache for {@link decode}.
   * @throws InvalidArgumentError when `batch` or `maxLength` is not a positive integer, or `dtype` is not a float dtype.
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
   * @throws InvalidArgumentError as `apply`, when the cache's batch or dtype
   * differs from `x`'s, or when the cache is full (`cache.length + t > cache.maxLength`).
   */
  decode(vars: Vars, x: Tensor, cache: KvCache, options?: AttentionCallOptions): [Tensor, KvCache];
}

const PARAM_NAMES = ["q_proj", "k_proj", "v_proj", "out_proj"] as const;

function paramShapes(cfg: AttentionConfig): Record<(typeof PARAM_NAMES)[number], [number, number]> {
  const { embedDim, numHeads, numKvHeads, headDim } = cfg;
  return {
    q_proj: [embedDim, numHeads * headDim],
    k_proj: [embedDim, numKvHeads * headDim],
    v_proj: [embedDim, numKvHeads * headDim],
    out_proj: [numHeads * headDim, embedDim],
  };
}

function readParams(fn: string, cfg: AttentionConfig, params: Ptree, dtype: FloatDType): Record<(typeof PARAM_NAMES)[number], Tensor> {
  if (typeof params !== "object" || params === null || Array.isArray(params) || nx.isTensor(params)) {
    throw new InvalidArgumentError(fn, `params must be an object { q_proj, k_proj, v_proj, out_proj }`);
  }
  const shapes = paramShapes(cfg);
  const out = {} as Record<(typeof PARAM_NAMES)[number], Tensor>;
  for (const name of PARAM_NAMES) {
    const t = (params as Record<string, Ptree>)[name];
    const shape = shapes[name];
    if (!nx.isTensor(t)) throw new InvalidArgumentError(fn, `params.${name} must be a tensor`);
    if (t.dtype !== dtype) throw new InvalidArgumentError(fn, `params.${name} has dtype ${t.dtype}, but the model dtype is ${dtype}`);
    if (t.ndim !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
      throw new InvalidArgumentError(fn, `params.${name} has shape [${t.shape.join(",")}], expected [${shape.join(",")}]`);
    }
    out[name] = t;
  }
  return out;
}

function checkInput(fn: string, cfg: AttentionConfig, x: Tensor, dtype: FloatDType): [number, number] {
  if (!nx.isTensor(x)) throw new InvalidArgumentError(fn, `x must be a Tensor, got ${typeof x}`);
  if (x.ndim !== 3 || x.shape[2] !== cfg.embedDim) {
    throw new InvalidArgumentError(fn, `x must have shape [batch, seqLen, embedDim = ${cfg.embedDim}], got [${x.shape.join(",")}]`);
  }
  if (x.dtype !== dtype) throw new InvalidArgumentError(fn, `x has dtype ${x.dtype}, but the model dtype is ${dtype}`);
  return [x.shape[0] as number, x.shape[1] as number];
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
 * `forward(fn, cfg, params, dtype, x, { ctx, training, cache })` is the one
 * attention computation behind `apply`, `attentionWeights` and `decode`.
 * Queries are laid out `[batch, numKvHeads, groups, seqQ, headDim]` so that
 * query head `h = kv * groups + g` reads key/value head `kv` by broadcasting,
 * without copying keys and values per group.
 */
function forward(
  fn: string,
  cfg: AttentionConfig,
  params: Ptree,
  dtype: FloatDType,
  x: Tensor,
  opts: { readonly ctx?: Context | undefined; readonly training: boolean; readonly cache?: KvCache | undefined },
): Forward {
  const [batch, seqQ] = checkInput(fn, cfg, x, dtype);
  const p = readParams(fn, cfg, params, dtype);
  const { numHeads, numKvHeads, headDim } = cfg;
  const groups = numHeads / numKvHeads;
  const cache = opts.cache;
  const offset = cache?.length ?? 0;
  if (cache !== undefined && offset + seqQ > cache.maxLength) {
    throw new InvalidArgumentError(fn, `the KV cache is full: it holds ${offset} of ${cache.maxLength} positions and cannot take ${seqQ} more`);
  }
  const seqK = offset + seqQ;
  const padding = paddingKeep(fn, opts.ctx, batch, seqK);

  let q = nx.transpose(nx.reshape(nx.matmul(x, p.q_proj), [batch, seqQ, numKvHeads, groups, headDim]), [0, 2, 3, 1, 4]);
  let k = nx.transpose(nx.reshape(nx.matmul(x, p.k_proj), [batch, seqQ, numKvHeads, headDim]), [0, 2, 1, 3]);
  let v = nx.transpose(nx.reshape(nx.matmul(x, p.v_proj), [batch, seqQ, numKvHeads, headDim]), [0, 2, 1, 3]);
  if (cfg.rope) {
    q = rope(q, { theta: cfg.ropeTheta, seqDim: -2, offset });
    k = rope(k, { theta: cfg.ropeTheta, seqDim: -2, offset });
  }
  let nextCache: KvCache | undefined;
  if (cache !== undefined) {
    k = offset === 0 ? nx.contiguous(k) : nx.concatenate([cache.k, k], { axis: 2 });
    v = offset === 0 ? nx.contiguous(v) : nx.concatenate([cache.v, v], { axis: 2 });
    nextCache = { k, v, length: seqK, maxLength: cache.maxLength };
  }

  // Keep-mask broadcast to [batch, kv, groups, seqQ, seqK]: padding by key, causal by (query, key) position.
  let keep: Tensor | undefined = padding === undefined ? undefined : nx.reshape(padding, [batch, 1, 1, 1, seqK]);
  if (cfg.isCausal) {
    const causal = nx.lessEqual(nx.reshape(nx.arange(seqK), [1, seqK]), nx.reshape(nx.arange(offset, seqK), [seqQ, 1]));
    keep = keep === undefined ? causal : nx.logicalAnd(keep, causal);
  }
  const weights = Fn.attentionWeights(q, nx.expandDims(k, 2), keep === undefined ? {} : { attentionMask: keep });
  const dropped = opts.training && cfg.dropout > 0 ? Fn.dropout(weights, { rate: cfg.dropout }) : weights;
  const heads = nx.matmul(dropped, nx.expandDims(v, 2)); // [batch, kv, groups, seqQ, headDim]
  const merged = nx.reshape(nx.transpose(heads, [0, 3, 1, 2, 4]), [batch, seqQ, numHeads * headDim]);
  const out = nx.matmul(merged, p.out_proj);
  return nextCache === undefined ? { out, weights } : { out, weights, cache: nextCache };
}

/**
 * `multiHeadAttention({ embedDim, numHeads, numKvHeads?, dropout?, isCausal?, rope?, ropeTheta? })`
 * is a multi-head self-attention layer.
 *
 * Input shape: `[batch, seqLen, embedDim]`. Output shape: `[batch, seqLen, embedDim]`.
 * The input's dtype must be the model's (`vars.dtype`).
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
 * @throws InvalidArgumentError if `embedDim` is not divisible by `numHeads`, or
 * if `numHeads` is not divisible by `numKvHeads`; also when a size is not a
 * positive integer, `dropout` is outside [0, 1), `ropeTheta` is not a positive
 * finite number, or `rope` is set with an odd head size. Its `init` throws
 * InvalidArgumentError, before making any parameter, when a projection is
 * more than the backend holds (stating the size and the limit). Its `apply` throws
 * InvalidArgumentError when the input is not rank 3, its last axis is not
 * `embedDim`, its dtype is not the model's, or the padding mask's shape is not `[batch, seqK]`.
 */
export function multiHeadAttention(options: MultiHeadAttentionOptions): MultiHeadAttentionLayer {
  const cfg = attentionConfig("kaun.multiHeadAttention", options);
  const shapes = paramShapes(cfg);
  return {
    config: cfg,
    init: ({ dtype }) => {
      // Every projection must fit the backend before the first is made.
      for (const name of PARAM_NAMES) nx.checkAllocation("kaun.multiHeadAttention", shapes[name], dtype);
      const initializer = Init.glorotUniform();
      const params = nx.tidy(() => {
        const made: Record<string, Tensor> = {};
        for (const name of PARAM_NAMES) made[name] = initializer(shapes[name], dtype);
        return made;
      });
      return { params, state: {}, dtype };
    },
    apply: (args, x) => {
      const { out } = forward("kaun.multiHeadAttention", cfg, args.params, args.dtype, x, { ctx: args.ctx, training: args.training });
      return [out, args.state];
    },
    attentionWeights: (vars, x, options = {}) => {
      const fn = "kaun.multiHeadAttention.attentionWeights";
      const { weights } = forward(fn, cfg, vars.params, vars.dtype, x, { ctx: options.ctx, training: options.training ?? false });
      const [batch, seqQ] = x.shape as [number, number];
      return nx.reshape(weights, [batch, cfg.numHeads, seqQ, weights.shape[4] as number]);
    },
    initCache: ({ batch, maxLength, dtype = "float32" }) => {
      const fn = "kaun.multiHeadAttention.initCache";
      for (const [name, n] of [["batch", batch], ["maxLength", maxLength]] as const) {
        if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(fn, `${name} must be a positive integer, got ${String(n)}`);
      }
      if (!nx.isFloat(dtype)) throw new InvalidArgumentError(fn, `dtype must be float32 or float64, got ${String(dtype)}`);
      const empty = (): Tensor => nx.zeros([batch, cfg.numKvHeads, 0, cfg.headDim], dtype);
      return { k: empty(), v: empty(), length: 0, maxLength };
    },
    decode: (vars, x, cache, options = {}) => {
      const fn = "kaun.multiHeadAttention.decode";
      if (nx.isTensor(x) && x.ndim === 3 && (cache.k.shape[0] !== x.shape[0] || cache.k.dtype !== x.dtype)) {
        throw new InvalidArgumentError(fn, `the cache serves batch ${cache.k.shape[0]} in ${cache.k.dtype}, but x is [${x.shape.join(",")}] ${x.dtype}`);
      }
      const { out, cache: next } = forward(fn, cfg, vars.params, vars.dtype, x, { ctx: options.ctx, training: false, cache });
      return [out, next as KvCache];
    },
  };
}
