/**
 * Keyed samplers. Each draws its uniforms from the backend's `randomUniform`
 * stream of the key (or of keys split from it) and transforms them with
 * frontend ops in the output's float dtype; `randint` computes on the host
 * from the same threefry stream and uploads its integers, so it needs no
 * float64 on the backend. A given key gives the
 * same values on every backend and in every call order, and each sampler
 * works on every backend that stores its output dtype.
 */
import type { Backend } from "../backend.js";
import { checkFits } from "../capacity.js";
import type { DType, FloatDType } from "../dtype.js";
import { checkDType, hostFrom, isFloat } from "../dtype.js";
import { getBackend } from "../engine.js";
import { InvalidArgumentError, fmtShape, fmtValue } from "../errors.js";
import { fromBuffer, fromHost, full } from "../ops/creation.js";
import { add, clip, cos, erf, less, log, minimum, mul, sqrt, sub } from "../ops/elementwise.js";
import { checkFinite, checkOptions } from "../options.js";
import { runOp } from "../scope.js";
import { castTo, checkTensor } from "../ops/operands.js";
import { broadcastShapes, checkShape, shapesEqual, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { Key } from "./key.js";
import { checkKey, split } from "./key.js";
import { erfinv, nextDown, nextUp } from "./special.js";
import { uniformFromStream } from "./threefry.js";

/** The `[0, 1)` stream of `key` as a tensor of `shape` on `backend`. */
function rawUniform(fn: string, key: Key, shape: readonly number[], dtype: FloatDType, backend: Backend = getBackend()): Tensor {
  return fromBuffer(fn, dtype, shape, (b) => b.randomUniform(key.words, sizeOf(shape), dtype), backend);
}

function checkFloatDType(fn: string, dtype: unknown): FloatDType {
  const d = checkDType(fn, dtype);
  if (!isFloat(d)) throw new InvalidArgumentError(fn, `dtype must be float32 or float64, got ${d}`);
  return d;
}

/** `checkNotNaN(fn, name, v)` is `v` when it is a number other than NaN (infinities included). @throws InvalidArgumentError naming `fn` and `name` otherwise. */
function checkNotNaN(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new InvalidArgumentError(fn, `${name} must be a non-NaN number, got ${fmtValue(v)}`);
  return v;
}

/** `v` rounded to `dtype`. */
function inDType(v: number, dtype: FloatDType): number {
  return dtype === "float32" ? Math.fround(v) : v;
}

/** Options of {@link uniform}. */
export interface UniformOptions {
  /** The inclusive lower bound; defaults to 0. */
  readonly minval?: number;
  /** The exclusive upper bound; defaults to 1. */
  readonly maxval?: number;
}

/**
 * `uniform(key, shape?, dtype?, options?)` is a tensor of `shape` whose
 * elements are independent and uniform in `[minval, maxval)`. With the
 * default bounds it is exactly the backend's `randomUniform` stream of `key`
 * (float32: 24 random bits per element; float64: 53); otherwise it is
 * `minval + u * (maxval - minval)` computed in `dtype`, kept below `maxval`.
 * `shape` defaults to `[]` (a scalar).
 * `dtype` defaults to `float32`.
 * `options.minval` defaults to 0 and `options.maxval` to 1.
 * @throws InvalidArgumentError when `key` is not a key, `shape` is not an
 * array of non-negative integers, `dtype` is not `float32` or `float64`,
 * `minval` or `maxval` is not a finite number, `minval >= maxval` (once both
 * are rounded to `dtype`), or `maxval - minval` overflows `dtype`.
 */
export function uniform(key: Key, shape: readonly number[] = [], dtype: FloatDType = "float32", options?: UniformOptions): Tensor {
  const fn = "nx.random.uniform";
  return runOp(fn, () => {
    const k = checkKey(fn, key);
    const s = checkShape(fn, shape);
    const d = checkFloatDType(fn, dtype);
    const o = checkOptions(fn, options, ["minval", "maxval"]);
    const lo = inDType(checkFinite(fn, "minval", o.minval ?? 0), d);
    const hi = inDType(checkFinite(fn, "maxval", o.maxval ?? 1), d);
    if (!(lo < hi)) throw new InvalidArgumentError(fn, `minval must be less than maxval in ${d}, got minval=${String(o.minval ?? 0)} and maxval=${String(o.maxval ?? 1)}`);
    const span = inDType(hi - lo, d);
    if (!Number.isFinite(span)) throw new InvalidArgumentError(fn, `maxval - minval overflows ${d} (minval=${lo}, maxval=${hi})`);
    checkFits(fn, getBackend(), s, d);
    if (lo === 0 && hi === 1) return rawUniform(fn, k, s, d);
    const top = nextDown(hi, d);
    return minimum(add(mul(rawUniform(fn, k, s, d), span), lo), top);
  });
}

/**
 * `normal(key, shape?, dtype?)` is a tensor of `shape` whose elements are
 * independent standard normal samples (mean 0, variance 1), by the
 * Box–Muller transform `sqrt(-2 log(1 - u1)) * cos(2 pi u2)` of two
 * independent uniform streams (from `split(key)`), computed in `dtype`.
 * float32 samples reach `|z| <= 5.77`, float64 ones `|z| <= 8.57`.
 * `shape` defaults to `[]` (a scalar).
 * `dtype` defaults to `float32`.
 * @throws InvalidArgumentError when `key` is not a key, `shape` is not an
 * array of non-negative integers, or `dtype` is not `float32` or `float64`.
 */
export function normal(key: Key, shape: readonly number[] = [], dtype: FloatDType = "float32"): Tensor {
  const fn = "nx.random.normal";
  return runOp(fn, () => {
    const k = checkKey(fn, key);
    const s = checkShape(fn, shape);
    const d = checkFloatDType(fn, dtype);
    checkFits(fn, getBackend(), s, d);
    const [k1, k2] = split(k) as [Key, Key];
    // 1 - u1 is exact and lies in (0, 1], so the logarithm is finite.
    const radius = sqrt(mul(log(sub(1, rawUniform(fn, k1, s, d))), -2));
    return mul(radius, cos(mul(rawUniform(fn, k2, s, d), 2 * Math.PI)));
  });
}

/** Options of {@link truncatedNormal}. */
export interface TruncatedNormalOptions {
  /** The lower bound (may be `-Infinity`); defaults to -2. */
  readonly lower?: number;
  /** The upper bound (may be `Infinity`); defaults to 2. */
  readonly upper?: number;
}

/**
 * `truncatedNormal(key, shape?, dtype?, options?)` is a tensor of `shape`
 * whose elements are independent standard normal samples conditioned on
 * lying in `(lower, upper)`, by inverse transform as JAX does: `u` uniform
 * between `erf(lower / sqrt 2)` and `erf(upper / sqrt 2)`, then
 * `sqrt 2 * erfinv(u)`, computed in `dtype` and clipped into the open
 * interval. Accurate while the normal mass between the bounds is well above
 * `dtype`'s epsilon (bounds far out in one tail, such as `lower = 6` in
 * float32, collapse toward a bound).
 * `shape` defaults to `[]` (a scalar).
 * `dtype` defaults to `float32`.
 * `options.lower` defaults to -2 and `options.upper` to 2.
 * @throws InvalidArgumentError when `key` is not a key, `shape` is not an
 * array of non-negative integers, `dtype` is not `float32` or `float64`,
 * `lower` or `upper` is not a number or is NaN, or `lower >= upper` (once both
 * are rounded to `dtype`).
 */
export function truncatedNormal(key: Key, shape: readonly number[] = [], dtype: FloatDType = "float32", options?: TruncatedNormalOptions): Tensor {
  const fn = "nx.random.truncatedNormal";
  return runOp(fn, () => {
    const k = checkKey(fn, key);
    const s = checkShape(fn, shape);
    const d = checkFloatDType(fn, dtype);
    const o = checkOptions(fn, options, ["lower", "upper"]);
    const lower = inDType(checkNotNaN(fn, "lower", o.lower ?? -2), d);
    const upper = inDType(checkNotNaN(fn, "upper", o.upper ?? 2), d);
    if (!(lower < upper)) throw new InvalidArgumentError(fn, `lower must be less than upper in ${d}, got lower=${String(o.lower ?? -2)} and upper=${String(o.upper ?? 2)}`);
    checkFits(fn, getBackend(), s, d);
    const a = erf(full([], lower / Math.SQRT2, d));
    const b = erf(full([], upper / Math.SQRT2, d));
    const u = add(a, mul(rawUniform(fn, k, s, d), sub(b, a)));
    // Keep u inside (-1, 1) so erfinv stays finite, then the result inside (lower, upper).
    const z = mul(erfinv(clip(u, nextUp(-1, d), nextDown(1, d))), Math.SQRT2);
    return clip(z, nextUp(lower, d), nextDown(upper, d));
  });
}

/**
 * `bernoulli(key, p?, shape?)` is a `bool` tensor of `shape` whose elements
 * are independently true with probability `p`: `u < p` for `u` the uniform
 * stream of `key` (float32 for a number `p` or a non-float tensor, `p`'s
 * dtype for a float tensor). A tensor `p` gives per-element probabilities,
 * broadcast to `shape`, and lives on the backend the result uses; its values
 * are not checked (at or below 0 never, at or above 1 always, NaN never).
 * `p` defaults to 0.5.
 * `shape` defaults to `p`'s shape (`[]` for a number).
 * @throws InvalidArgumentError when `key` is not a key, `p` is neither a
 * number in `[0, 1]` nor a live tensor, `shape` is not an array of
 * non-negative integers, or `p`'s shape does not broadcast to `shape`.
 */
export function bernoulli(key: Key, p: number | Tensor = 0.5, shape?: readonly number[]): Tensor {
  const fn = "nx.random.bernoulli";
  return runOp(fn, () => {
    const k = checkKey(fn, key);
    if (p instanceof Tensor) {
      checkTensor(fn, p, "p");
      const s = shape === undefined ? [...p.shape] : checkShape(fn, shape);
      const b = broadcastShapes(fn, p.shape, s);
      if (!shapesEqual(b, s)) throw new InvalidArgumentError(fn, `p of shape ${fmtShape(p.shape)} does not broadcast to shape ${fmtShape(s)}`);
      const d: FloatDType = isFloat(p.dtype) ? p.dtype : "float32";
      checkFits(fn, p.backend, s, d);
      checkFits(fn, p.backend, s, "bool");
      return less(rawUniform(fn, k, s, d, p.backend), castTo(p, d));
    }
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new InvalidArgumentError(fn, `p must be a number in [0, 1] or a tensor, got ${fmtValue(p)}`);
    const s = shape === undefined ? [] : checkShape(fn, shape);
    checkFits(fn, getBackend(), s, "float32");
    checkFits(fn, getBackend(), s, "bool");
    return less(rawUniform(fn, k, s, "float32"), p);
  });
}

/** The integer dtypes {@link randint} produces, with the range of values each holds. */
const INT_RANGES: Partial<Record<DType, readonly [number, number]>> = { int32: [-(2 ** 31), 2 ** 31 - 1], uint8: [0, 255] };

/**
 * `randint(key, shape, minval, maxval, dtype?)` is a tensor of `shape` whose
 * elements are independent and uniform over the integers of
 * `[minval, maxval)`: `minval + floor(u * (maxval - minval))` for `u` the
 * float64 stream of `key` (53 bits, so the relative deviation from exact
 * uniformity is below `(maxval - minval) / 2^53`).
 * `dtype` defaults to `int32`.
 * @throws InvalidArgumentError when `key` is not a key, `shape` is not an
 * array of non-negative integers, `dtype` is not `int32` or `uint8`, `minval`
 * or `maxval` is not an integer, `minval >= maxval`, or a value of
 * `[minval, maxval)` does not fit `dtype` (`[-2^31, 2^31)` for int32,
 * `[0, 256)` for uint8).
 */
export function randint(key: Key, shape: readonly number[], minval: number, maxval: number, dtype: DType = "int32"): Tensor {
  const fn = "nx.random.randint";
  const k = checkKey(fn, key);
  const s = checkShape(fn, shape);
  const d = checkDType(fn, dtype);
  const range = INT_RANGES[d];
  if (range === undefined) throw new InvalidArgumentError(fn, `dtype must be int32 or uint8, got ${d}`);
  for (const [name, v] of [["minval", minval], ["maxval", maxval]] as const) {
    if (typeof v !== "number" || !Number.isInteger(v)) throw new InvalidArgumentError(fn, `${name} must be an integer, got ${fmtValue(v)}`);
  }
  if (!(minval < maxval)) throw new InvalidArgumentError(fn, `minval must be less than maxval, got minval=${minval} and maxval=${maxval}`);
  if (minval < range[0] || maxval - 1 > range[1]) {
    throw new InvalidArgumentError(fn, `[minval, maxval) = [${minval}, ${maxval}) does not fit ${d}, whose values are [${range[0]}, ${range[1]}]`);
  }
  const backend = getBackend();
  checkFits(fn, backend, s, d);
  const span = maxval - minval;
  const n = sizeOf(s);
  const u = new Float64Array(n);
  uniformFromStream(k.words, n, u);
  // u * span can round up to span for u just below 1; the minimum keeps it in range (exact in float64: span < 2^33).
  for (let i = 0; i < n; i++) u[i] = minval + Math.min(Math.floor((u[i] as number) * span), span - 1);
  return fromHost(fn, hostFrom(d, u), d, s, backend);
}
