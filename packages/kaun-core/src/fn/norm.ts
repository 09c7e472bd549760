/** Normalisations over feature axes. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { stopGradient } from "@raven-ts/rune";
import { checkFloatTensor, checkNonNegative, checkSameDevice, describe, fail, optionalOptions } from "../util.js";

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

function normAxes(fn: string, axes: unknown, x: Tensor): number[] {
  const list: unknown = axes === undefined ? [-1] : typeof axes === "number" ? [axes] : axes;
  if (!Array.isArray(list) || list.length === 0) throw fail(fn, `axes must be an axis or a non-empty list of axes, got ${describe(axes)}`);
  const out = list.map((a: unknown) => {
    if (typeof a !== "number" || !Number.isInteger(a) || a < -x.ndim || a >= x.ndim) throw fail(fn, `axis ${describe(a)} is out of bounds for x of shape ${nx.fmtShape(x.shape)}`);
    return a < 0 ? a + x.ndim : a;
  });
  const repeated = out.find((a, i) => out.indexOf(a) !== i);
  if (repeated !== undefined) throw fail(fn, `axes repeat axis ${repeated}`);
  return out;
}

function checkAffine(fn: string, name: string, p: unknown, x: Tensor): Tensor {
  const t = checkFloatTensor(fn, name, p);
  if (t.dtype !== x.dtype) throw fail(fn, `${name} dtype ${t.dtype} differs from x dtype ${x.dtype}`);
  if (!nx.broadcastsTo(t.shape, x.shape)) throw fail(fn, `${name} of shape ${nx.fmtShape(t.shape)} does not broadcast to x of shape ${nx.fmtShape(x.shape)}`);
  return t;
}

/**
 * `scaled(x, axes, eps)` is `[x / s, eps / s²]` with `s` the largest
 * magnitude over `axes` (at least 1; held constant under differentiation).
 * Both norms are unchanged when `x` and `sqrt(eps)` are divided by the same
 * `s`, and `x / s` lies in [-1, 1], so squares and sums cannot overflow
 * however large `x` is (float32 `x` of 1e20 and beyond).
 */
function scaled(x: Tensor, axes: number[], eps: number): [Tensor, Tensor | number] {
  if (x.size === 0) return [x, eps];
  const s = stopGradient(nx.maximum(nx.max(nx.abs(x), { axes, keepdims: true }), 1));
  return [nx.div(x, s), nx.div(eps, nx.square(s))];
}

/**
 * `layerNorm(x, { axes?, eps?, gamma?, beta? })` is
 * `(x - mean(x)) / sqrt(var(x) + eps) * gamma + beta`, with the mean and the
 * biased variance taken over `axes` (every other axis is a batch axis). The
 * result has `x`'s shape and dtype. It is computed on `x` divided by its
 * largest magnitude over `axes` (when above 1, with `eps` scaled to match),
 * so no square overflows: float32 rows of magnitude 1e20 or 1e38 normalise
 * to the same values as small ones, forward and gradient.
 * `axes` defaults to `[-1]`, `eps` to 1e-5, `gamma` and `beta` to none.
 * @throws InvalidArgumentError when `x` is not a live float tensor, an axis
 * is out of bounds or repeated, `eps` is negative, `gamma`/`beta` is not a
 * tensor of `x`'s dtype whose shape broadcasts to `x`'s, `options` is not an
 * object, or the tensors live on different backends.
 */
export function layerNorm(x: Tensor, options: LayerNormOptions = {}): Tensor {
  const fn = "Fn.layerNorm";
  checkFloatTensor(fn, "x", x);
  const o = optionalOptions(fn, options, ["axes", "eps", "gamma", "beta"]);
  const axes = normAxes(fn, o.axes, x);
  const eps = checkNonNegative(fn, "eps", o.eps ?? 1e-5);
  const gamma = o.gamma === undefined ? undefined : checkAffine(fn, "gamma", o.gamma, x);
  const beta = o.beta === undefined ? undefined : checkAffine(fn, "beta", o.beta, x);
  checkSameDevice(fn, [x, gamma, beta]);
  return nx.tidy(() => {
    const [xs, epsScaled] = scaled(x, axes, eps);
    const centered = nx.sub(xs, nx.mean(xs, { axes, keepdims: true }));
    const variance = nx.mean(nx.mul(centered, centered), { axes, keepdims: true });
    let y = nx.mul(centered, nx.rsqrt(nx.add(variance, epsScaled)));
    if (gamma) y = nx.mul(y, gamma);
    if (beta) y = nx.add(y, beta);
    return y;
  });
}

/**
 * `rmsNorm(x, { axes?, eps?, gamma? })` is `x / sqrt(mean(x²) + eps) * gamma`,
 * with the mean over `axes`. The result has `x`'s shape and dtype; as
 * {@link layerNorm}, it is computed without overflow for any magnitude of `x`.
 * `axes` defaults to `[-1]`, `eps` to 1e-5, `gamma` to none.
 * @throws InvalidArgumentError as {@link layerNorm}.
 */
export function rmsNorm(x: Tensor, options: RmsNormOptions = {}): Tensor {
  const fn = "Fn.rmsNorm";
  checkFloatTensor(fn, "x", x);
  const o = optionalOptions(fn, options, ["axes", "eps", "gamma"]);
  const axes = normAxes(fn, o.axes, x);
  const eps = checkNonNegative(fn, "eps", o.eps ?? 1e-5);
  const gamma = o.gamma === undefined ? undefined : checkAffine(fn, "gamma", o.gamma, x);
  checkSameDevice(fn, [x, gamma]);
  return nx.tidy(() => {
    const [xs, epsScaled] = scaled(x, axes, eps);
    const y = nx.mul(xs, nx.rsqrt(nx.add(nx.mean(nx.mul(xs, xs), { axes, keepdims: true }), epsScaled)));
    return gamma ? nx.mul(y, gamma) : y;
  });
}
