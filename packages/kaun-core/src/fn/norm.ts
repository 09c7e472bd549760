/** Normalisations over feature axes. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { checkFloatTensor, checkNonNegative, describe, fail, shapeStr } from "../util.js";

/** Options of {@link layerNorm}. */
export interface LayerNormOptions {
  /** The axes normalised over (negative counts from the end); defaults to `[-1]`. */
  readonly axes?: number | readonly number[];
  /** Added to the variance before the square root; defaults to 1e-5. */
  readonly eps?: number;
  /** A scale multiplied after normalising, broadcast against `x`; defaults to none. */
  readonly gamma?: Tensor;
  /** A shift added after scaling, broadcast against `x`; defaults to none. */
  readonly beta?: Tensor;
}

/** Options of {@link rmsNorm}. */
export interface RmsNormOptions {
  /** The axes normalised over (negative counts from the end); defaults to `[-1]`. */
  readonly axes?: number | readonly number[];
  /** Added to the mean square before the square root; defaults to 1e-5. */
  readonly eps?: number;
  /** A scale multiplied after normalising, broadcast against `x`; defaults to none. */
  readonly gamma?: Tensor;
}

function normAxes(fn: string, axes: number | readonly number[] | undefined, x: Tensor): number[] {
  const list = axes === undefined ? [-1] : typeof axes === "number" ? [axes] : [...axes];
  if (!Array.isArray(list) || list.length === 0) throw fail(fn, `axes must be a non-empty list of axes, got ${describe(axes)}`);
  const out = list.map((a) => {
    if (typeof a !== "number" || !Number.isInteger(a) || a < -x.ndim || a >= x.ndim) throw fail(fn, `axis ${describe(a)} is out of bounds for x of shape ${shapeStr(x.shape)}`);
    return a < 0 ? a + x.ndim : a;
  });
  if (new Set(out).size !== out.length) throw fail(fn, `axes ${JSON.stringify(list)} repeat an axis`);
  return out;
}

function checkAffine(fn: string, name: string, p: unknown, x: Tensor): Tensor {
  const t = checkFloatTensor(fn, name, p);
  if (t.dtype !== x.dtype) throw fail(fn, `${name} dtype ${t.dtype} differs from x dtype ${x.dtype}`);
  const lead = x.ndim - t.ndim;
  if (lead < 0 || t.shape.some((d, i) => d !== 1 && d !== x.shape[lead + i])) {
    throw fail(fn, `${name} of shape ${shapeStr(t.shape)} does not broadcast to x of shape ${shapeStr(x.shape)}`);
  }
  return t;
}

/**
 * `layerNorm(x, { axes?, eps?, gamma?, beta? })` is
 * `(x - mean(x)) / sqrt(var(x) + eps) * gamma + beta`, with the mean and the
 * biased variance taken over `axes` (every other axis is a batch axis). The
 * result has `x`'s shape and dtype.
 * @throws InvalidArgumentError when `x` is not a float tensor, an axis is out
 * of bounds or repeated, `eps` is negative, or `gamma`/`beta` is not a
 * tensor of `x`'s dtype whose shape broadcasts to `x`'s.
 */
export function layerNorm(x: Tensor, options: LayerNormOptions = {}): Tensor {
  const fn = "Fn.layerNorm";
  checkFloatTensor(fn, "x", x);
  const axes = normAxes(fn, options.axes, x);
  const eps = checkNonNegative(fn, "eps", options.eps ?? 1e-5);
  const gamma = options.gamma === undefined ? undefined : checkAffine(fn, "gamma", options.gamma, x);
  const beta = options.beta === undefined ? undefined : checkAffine(fn, "beta", options.beta, x);
  const centered = nx.sub(x, nx.mean(x, { axes, keepdims: true }));
  const variance = nx.mean(nx.mul(centered, centered), { axes, keepdims: true });
  let y = nx.mul(centered, nx.rsqrt(nx.add(variance, eps)));
  if (gamma) y = nx.mul(y, gamma);
  if (beta) y = nx.add(y, beta);
  return y;
}

/**
 * `rmsNorm(x, { axes?, eps?, gamma? })` is `x / sqrt(mean(x²) + eps) * gamma`,
 * with the mean over `axes`. The result has `x`'s shape and dtype.
 * @throws InvalidArgumentError as {@link layerNorm}.
 */
export function rmsNorm(x: Tensor, options: RmsNormOptions = {}): Tensor {
  const fn = "Fn.rmsNorm";
  checkFloatTensor(fn, "x", x);
  const axes = normAxes(fn, options.axes, x);
  const eps = checkNonNegative(fn, "eps", options.eps ?? 1e-5);
  const gamma = options.gamma === undefined ? undefined : checkAffine(fn, "gamma", options.gamma, x);
  const y = nx.mul(x, nx.rsqrt(nx.add(nx.mean(nx.mul(x, x), { axes, keepdims: true }), eps)));
  return gamma ? nx.mul(y, gamma) : y;
}
