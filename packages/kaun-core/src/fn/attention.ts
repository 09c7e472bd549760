/** Scaled dot-product attention. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { checkBool, checkFinite, checkFloatTensor, checkNonNegInt, checkRate, checkSameDevice, checkTensor, fail, optionalOptions } from "../util.js";
import { dropout } from "./dropout.js";

/** Options of {@link attentionWeights}. */
export interface AttentionWeightsOptions {
  /**
   * Which scores to keep: a tensor broadcastable to the score shape
   * `[...batch, seqQ, seqK]`; `true` (bool) or nonzero (other dtypes) keeps a
   * key, `false`/0 masks it. Defaults to none.
   */
  readonly attentionMask?: Tensor;
  /** The factor applied to `q @ kᵀ`; defaults to `1 / sqrt(headDim)`. */
  readonly scale?: number;
  /**
   * Whether query `i` only attends to keys `j <= queryOffset + i`; defaults
   * to false. Without `queryOffset` it requires `seqQ = seqK`.
   */
  readonly isCausal?: boolean;
  /**
   * The absolute position of the first query, for the causal mask: query `i`
   * sits at position `queryOffset + i` and keys at `0 .. seqK - 1` (when
   * decoding with a cache of `n` positions, `queryOffset` is `n`). Defaults
   * to 0, and then `isCausal` requires `seqQ = seqK`.
   */
  readonly queryOffset?: number;
}

/** Options of {@link dotProductAttention}. */
export interface DotProductAttentionOptions extends AttentionWeightsOptions {
  /** The dropout rate on the attention weights, in `[0, 1)`; defaults to 0 (no dropout). */
  readonly dropoutRate?: number;
}

/** The checked options of one attention call: everything is validated before any tensor is made. */
interface WeightsPlan {
  readonly scale: number;
  readonly mask: Tensor | undefined;
  /** The causal offset, or undefined without a causal mask. */
  readonly causalOffset: number | undefined;
}

/**
 * `planWeights(fn, q, k, batch, options)` checks the options of
 * {@link attentionWeights} and {@link dotProductAttention} against the score
 * shape `[...batch, seqQ, seqK]`; `fn` names the caller in errors.
 */
function planWeights(fn: string, q: Tensor, k: Tensor, batch: readonly number[], options: AttentionWeightsOptions): WeightsPlan {
  const headDim = q.shape[q.ndim - 1] as number;
  const seqQ = q.shape[q.ndim - 2] as number;
  const seqK = k.shape[k.ndim - 2] as number;
  const scale = options.scale === undefined ? 1 / Math.sqrt(headDim) : checkFinite(fn, "scale", options.scale);
  const isCausal = checkBool(fn, "isCausal", options.isCausal, false);
  const offset = options.queryOffset === undefined ? undefined : checkNonNegInt(fn, "queryOffset", options.queryOffset);
  const scoreShape = [...batch, seqQ, seqK];
  let mask: Tensor | undefined;
  if (options.attentionMask !== undefined) {
    mask = checkTensor(fn, "attentionMask", options.attentionMask);
    if (!nx.broadcastsTo(mask.shape, scoreShape)) {
      throw fail(fn, `attentionMask of shape ${nx.fmtShape(mask.shape)} does not broadcast to the score shape ${nx.fmtShape(scoreShape)} ([...batch, seqQ, seqK])`);
    }
  }
  if (isCausal && offset === undefined && seqQ !== seqK) {
    throw fail(fn, `isCausal needs seqQ = seqK, got seqQ ${seqQ} and seqK ${seqK}; pass queryOffset (the position of the first query) or an explicit attentionMask for other alignments`);
  }
  checkSameDevice(fn, [q, k, mask]);
  return { scale, mask, causalOffset: isCausal ? (offset ?? 0) : undefined };
}

/**
 * `weightsOf(q, k, plan)` is the masked, stably normalized attention weights
 * shared by {@link attentionWeights} and {@link dotProductAttention}. It
 * allocates; every check happened in {@link planWeights}.
 */
function weightsOf(q: Tensor, k: Tensor, plan: WeightsPlan): Tensor {
  const seqQ = q.shape[q.ndim - 2] as number;
  const seqK = k.shape[k.ndim - 2] as number;
  const scores = nx.mul(nx.matmul(q, nx.transpose(k, [...k.shape.slice(0, -2).map((_, i) => i), k.ndim - 1, k.ndim - 2])), plan.scale);
  // No keys: every row is empty (and so is every row's output); nothing to normalise.
  if (seqK === 0) return scores;
  let keep: Tensor | undefined = plan.mask === undefined ? undefined : plan.mask.dtype === "bool" ? plan.mask : nx.notEqual(plan.mask, 0);
  // The causal mask keeps every key when the first query sits at or after the last key (a decode step): no mask then.
  if (plan.causalOffset !== undefined && plan.causalOffset < seqK - 1) {
    // keep[i, j] = j <= offset + i.
    const causal = nx.lessEqual(nx.reshape(nx.arange(seqK), [1, seqK]), nx.reshape(nx.arange(plan.causalOffset, plan.causalOffset + seqQ), [seqQ, 1]));
    keep = keep === undefined ? causal : nx.logicalAnd(keep, causal);
  }
  if (keep === undefined) return nx.softmax(scores, { axes: -1 });
  // Masked scores become -Infinity before the softmax (so they get exactly 0
  // and no gradient); a row with every key masked comes out NaN (0/0) and the
  // outer where makes it zeros, its gradient zero too.
  return nx.where(keep, nx.softmax(nx.where(keep, scores, -Infinity), { axes: -1 }), 0);
}

function checkQK(fn: string, q: Tensor, k: Tensor): void {
  for (const [name, t] of [["q", q], ["k", k]] as const) {
    checkFloatTensor(fn, name, t);
    if (t.ndim < 2) throw fail(fn, `${name} must have rank >= 2 ([...batch, seq, dim]), got shape ${nx.fmtShape(t.shape)}`);
  }
  if (k.dtype !== q.dtype) throw fail(fn, `q and k must share one dtype, got ${q.dtype} and ${k.dtype}`);
  if (k.shape[k.ndim - 1] !== q.shape[q.ndim - 1]) throw fail(fn, `q and k must share the last axis (headDim), got q ${nx.fmtShape(q.shape)} and k ${nx.fmtShape(k.shape)}`);
}

/**
 * `attentionWeights(q, k, options?)` is the attention probabilities
 * `softmax(q @ kᵀ * scale)` over the last axis, `[...batch, seqQ, seqK]`,
 * exactly as {@link dotProductAttention} computes them before dropout:
 * `q` is `[...batch, seqQ, headDim]` and `k` is `[...batch, seqK, headDim]`
 * (batch axes broadcast); a masked score (by `attentionMask`, or, when
 * `isCausal`, a key after the query's position `queryOffset + i`) has weight
 * exactly 0, and a query row whose keys are all masked is all zeros (never
 * NaN). With no keys (`seqK = 0`) the result is the empty `[...batch, seqQ, 0]`.
 *
 * `scale` defaults to `1 / sqrt(headDim)`. `isCausal` defaults to false.
 * `queryOffset` defaults to 0. `attentionMask` defaults to none.
 * @throws InvalidArgumentError when `q` or `k` is not a live float tensor of
 * rank ≥ 2, their dtypes or `headDim` differ, the batch axes do not
 * broadcast, the mask is not a tensor broadcastable to `[...batch, seqQ, seqK]`,
 * `isCausal` is set with `seqQ ≠ seqK` and no `queryOffset`, `queryOffset`
 * is not a non-negative integer, `scale` is not finite, `options` is not an
 * object, or the tensors live on different backends.
 */
export function attentionWeights(q: Tensor, k: Tensor, options: AttentionWeightsOptions = {}): Tensor {
  const fn = "Fn.attentionWeights";
  checkQK(fn, q, k);
  const o = optionalOptions(fn, options, ["attentionMask", "scale", "isCausal", "queryOffset"]);
  const batch = nx.broadcastShapes(`kaun.${fn}`, q.shape.slice(0, -2), k.shape.slice(0, -2));
  const plan = planWeights(fn, q, k, batch, o);
  return nx.tidy(() => weightsOf(q, k, plan));
}

/**
 * `dotProductAttention(q, k, v, options?)` is `softmax(q @ kᵀ * scale) @ v`
 * over the last axis, with masking that never produces NaN:
 *
 * - `q` is `[...batch, seqQ, headDim]`, `k` is `[...batch, seqK, headDim]`,
 *   `v` is `[...batch, seqK, valueDim]`; the leading (batch) axes broadcast
 *   against each other (a size-1 axis repeats), and the result is
 *   `[...broadcastBatch, seqQ, valueDim]` in the inputs' dtype.
 * - The weights are {@link attentionWeights}'s: a masked score (by
 *   `attentionMask`, or, when `isCausal`, a key after the query's position
 *   `queryOffset + i`) gets a weight of exactly 0. A query row whose keys are all masked has all-zero weights, so
 *   its output is zeros (never NaN, never an average of masked values), and
 *   its gradient is zero.
 * - The softmax is computed stably (shifted by the row maximum, which is
 *   held constant under differentiation).
 * - With `dropoutRate > 0`, inverted dropout (`keep / (1 - p)`) is applied to
 *   the weights with a key from the implicit `Rng` scope; it applies whenever
 *   the rate is positive, so callers pass 0 outside training.
 *
 * `scale` defaults to `1 / sqrt(headDim)`. `isCausal` defaults to false.
 * `queryOffset` defaults to 0. `dropoutRate` defaults to 0. `attentionMask`
 * defaults to none.
 * @throws InvalidArgumentError when `q`, `k` or `v` is not a live float
 * tensor of rank ≥ 2, their dtypes differ, `q` and `k` differ in `headDim`,
 * `k` and `v` differ in `seqK`, the batch axes do not broadcast, the mask is
 * not a tensor broadcastable to `[...batch, seqQ, seqK]`, `isCausal` is set
 * with `seqQ ≠ seqK` and no `queryOffset`, `queryOffset` is not a
 * non-negative integer, `scale` is not finite, `dropoutRate` is not in
 * `[0, 1)`, `options` is not an object, or the tensors live on different backends.
 */
export function dotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: DotProductAttentionOptions = {}): Tensor {
  const fn = "Fn.dotProductAttention";
  checkQK(fn, q, k);
  checkFloatTensor(fn, "v", v);
  if (v.ndim < 2) throw fail(fn, `v must have rank >= 2 ([...batch, seq, dim]), got shape ${nx.fmtShape(v.shape)}`);
  if (v.dtype !== q.dtype) throw fail(fn, `q, k and v must share one dtype, got ${q.dtype}, ${k.dtype} and ${v.dtype}`);
  if (v.shape[v.ndim - 2] !== k.shape[k.ndim - 2]) throw fail(fn, `k and v must share the sequence axis (seqK), got k ${nx.fmtShape(k.shape)} and v ${nx.fmtShape(v.shape)}`);
  const o = optionalOptions(fn, options, ["attentionMask", "scale", "isCausal", "queryOffset", "dropoutRate"]);
  const batch = nx.broadcastShapes(`kaun.${fn}`, q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2));
  const rate = checkRate(fn, "dropoutRate", o.dropoutRate ?? 0);
  const plan = planWeights(fn, q, k, batch, o);
  checkSameDevice(fn, [q, v]);
  return nx.tidy(() => {
    const weights = weightsOf(q, k, plan);
    return nx.matmul(rate > 0 ? dropout(weights, { rate }) : weights, v);
  });
}
