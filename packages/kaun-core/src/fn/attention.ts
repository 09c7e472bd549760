/** Scaled dot-product attention. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { stopGradient } from "@raven-ts/rune";
import { checkBool, checkFinite, checkFloatTensor, checkRate, checkTensor, describe, fail, shapeStr } from "../util.js";
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
  /** Whether query `i` only attends to keys `j <= i`; defaults to false. Requires `seqQ = seqK`. */
  readonly isCausal?: boolean;
}

/** Options of {@link dotProductAttention}. */
export interface DotProductAttentionOptions extends AttentionWeightsOptions {
  /** The dropout rate on the attention weights, in `[0, 1)`; defaults to 0 (no dropout). */
  readonly dropoutRate?: number;
}

function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  const lead = to.length - from.length;
  return lead >= 0 && from.every((d, i) => d === 1 || d === to[lead + i]);
}

function broadcastLead(fn: string, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    s.forEach((d, i) => {
      const j = rank - s.length + i;
      const o = out[j] as number;
      if (o === 1) out[j] = d;
      else if (d !== 1 && d !== o) throw fail(fn, `the leading (batch) axes ${shapes.map(shapeStr).join(", ")} of q, k and v do not broadcast`);
    });
  }
  return out;
}

/**
 * `weightsOf(fn, q, k, batch, options)` is the masked, stably
 * normalized attention weights shared by {@link attentionWeights} and
 * {@link dotProductAttention}; `fn` names the caller in errors.
 */
function weightsOf(fn: string, q: Tensor, k: Tensor, batch: readonly number[], options: AttentionWeightsOptions): Tensor {
  const headDim = q.shape[q.ndim - 1] as number;
  const seqQ = q.shape[q.ndim - 2] as number;
  const seqK = k.shape[k.ndim - 2] as number;
  const scale = options.scale === undefined ? 1 / Math.sqrt(headDim) : checkFinite(fn, "scale", options.scale);
  const isCausal = checkBool(fn, "isCausal", options.isCausal ?? false);
  const scoreShape = [...batch, seqQ, seqK];

  let keep: Tensor | undefined;
  if (options.attentionMask !== undefined) {
    const mask = checkTensor(fn, "attentionMask", options.attentionMask);
    if (!broadcastsTo(mask.shape, scoreShape)) {
      throw fail(fn, `attentionMask of shape ${shapeStr(mask.shape)} does not broadcast to the score shape ${shapeStr(scoreShape)} ([...batch, seqQ, seqK])`);
    }
    keep = mask.dtype === "bool" ? mask : nx.notEqual(mask, 0);
  }
  if (isCausal) {
    if (seqQ !== seqK) throw fail(fn, `isCausal needs seqQ = seqK, got seqQ ${seqQ} and seqK ${seqK}; pass an explicit attentionMask for other alignments`);
    // keep[i, j] = j <= i.
    const causal = nx.lessEqual(nx.reshape(nx.arange(seqK), [1, seqK]), nx.reshape(nx.arange(seqQ), [seqQ, 1]));
    keep = keep === undefined ? causal : nx.logicalAnd(keep, causal);
  }

  const scores = nx.mul(nx.matmul(q, nx.transpose(k, [...k.shape.slice(0, -2).map((_, i) => i), k.ndim - 1, k.ndim - 2])), scale);
  if (keep === undefined) return nx.softmax(scores, { axes: -1 });
  // Masked scores become -Infinity before exp (so exp gives exactly 0 and no
  // gradient), the shift ignores masked entries, and an empty row divides by 1.
  const masked = nx.where(keep, scores, -Infinity);
  const rowMax = stopGradient(nx.max(masked, { axes: -1, keepdims: true }));
  const shift = nx.where(nx.isFinite(rowMax), rowMax, 0);
  const e = nx.exp(nx.sub(masked, shift));
  const denom = nx.sum(e, { axes: -1, keepdims: true });
  return nx.div(e, nx.where(nx.greater(denom, 0), denom, 1));
}

function checkQK(fn: string, q: Tensor, k: Tensor): void {
  for (const [name, t] of [["q", q], ["k", k]] as const) {
    checkFloatTensor(fn, name, t);
    if (t.ndim < 2) throw fail(fn, `${name} must have rank >= 2 ([...batch, seq, dim]), got shape ${shapeStr(t.shape)}`);
  }
  if (k.dtype !== q.dtype) throw fail(fn, `q and k must share one dtype, got ${q.dtype} and ${k.dtype}`);
  if (k.shape[k.ndim - 1] !== q.shape[q.ndim - 1]) throw fail(fn, `q and k must share the last axis (headDim), got q ${shapeStr(q.shape)} and k ${shapeStr(k.shape)}`);
}

/**
 * `attentionWeights(q, k, options?)` is the attention probabilities
 * `softmax(q @ kᵀ * scale)` over the last axis, `[...batch, seqQ, seqK]`,
 * exactly as {@link dotProductAttention} computes them before dropout:
 * `q` is `[...batch, seqQ, headDim]` and `k` is `[...batch, seqK, headDim]`
 * (batch axes broadcast); a masked score (by `attentionMask`, or above the
 * diagonal when `isCausal`) has weight exactly 0, and a query row whose keys
 * are all masked is all zeros (never NaN).
 *
 * `scale` defaults to `1 / sqrt(headDim)`. `isCausal` defaults to false.
 * `attentionMask` defaults to none.
 * @throws InvalidArgumentError when `q` or `k` is not a float tensor of rank
 * ≥ 2, their dtypes or `headDim` differ, the batch axes do not broadcast, the
 * mask is not a tensor broadcastable to `[...batch, seqQ, seqK]`, `isCausal`
 * is set with `seqQ ≠ seqK`, or `scale` is not finite.
 */
export function attentionWeights(q: Tensor, k: Tensor, options: AttentionWeightsOptions = {}): Tensor {
  const fn = "Fn.attentionWeights";
  checkQK(fn, q, k);
  if (typeof options !== "object" || options === null) throw fail(fn, `options must be an object, got ${describe(options)}`);
  const batch = broadcastLead(fn, [q.shape.slice(0, -2), k.shape.slice(0, -2)]);
  return weightsOf(fn, q, k, batch, options);
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
 *   `attentionMask`, or above the diagonal when `isCausal`) gets a weight of
 *   exactly 0. A query row whose keys are all masked has all-zero weights, so
 *   its output is zeros (never NaN, never an average of masked values), and
 *   its gradient is zero.
 * - The softmax is computed stably (shifted by the row maximum, which is
 *   held constant under differentiation).
 * - With `dropoutRate > 0`, inverted dropout (`keep / (1 - p)`) is applied to
 *   the weights with a key from the implicit `Rng` scope; it applies whenever
 *   the rate is positive, so callers pass 0 outside training.
 *
 * `scale` defaults to `1 / sqrt(headDim)`. `isCausal` defaults to false.
 * `dropoutRate` defaults to 0. `attentionMask` defaults to none.
 * @throws InvalidArgumentError when `q`, `k` or `v` is not a float tensor of
 * rank ≥ 2, their dtypes differ, `q` and `k` differ in `headDim`, `k` and `v`
 * differ in `seqK`, the batch axes do not broadcast, the mask is not a
 * tensor broadcastable to `[...batch, seqQ, seqK]`, `isCausal` is set with
 * `seqQ ≠ seqK` (pass an explicit mask instead), `scale` is not finite, or
 * `dropoutRate` is not in `[0, 1)`.
 */
export function dotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: DotProductAttentionOptions = {}): Tensor {
  const fn = "Fn.dotProductAttention";
  checkQK(fn, q, k);
  checkFloatTensor(fn, "v", v);
  if (v.ndim < 2) throw fail(fn, `v must have rank >= 2 ([...batch, seq, dim]), got shape ${shapeStr(v.shape)}`);
  if (v.dtype !== q.dtype) throw fail(fn, `q, k and v must share one dtype, got ${q.dtype}, ${k.dtype} and ${v.dtype}`);
  if (v.shape[v.ndim - 2] !== k.shape[k.ndim - 2]) throw fail(fn, `k and v must share the sequence axis (seqK), got k ${shapeStr(k.shape)} and v ${shapeStr(v.shape)}`);
  if (typeof options !== "object" || options === null) throw fail(fn, `options must be an object, got ${describe(options)}`);
  const batch = broadcastLead(fn, [q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2)]);
  const rate = checkRate(fn, "dropoutRate", options.dropoutRate ?? 0);
  const weights = weightsOf(fn, q, k, batch, options);
  return nx.matmul(rate > 0 ? dropout(weights, { rate }) : weights, v);
}
