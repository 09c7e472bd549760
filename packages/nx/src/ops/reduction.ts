/**
 * Reductions, arg-reductions, scans and the numerically stable derived
 * reductions (`logsumexp`, `softmax`, `logSoftmax`, `var`, `std`).
 */
import type { ArgReduceOp, ReduceOp, ScanOp } from "../backend.js";
import type { DType } from "../dtype.js";
import { isFloat } from "../dtype.js";
import { InvalidArgumentError, fmtShape, fmtValue } from "../errors.js";
import { bind } from "../primitives.js";
import { normalizeAxes, normalizeAxis, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { add, div, exp, isFinite, log, sqrt, square, sub, where } from "./elementwise.js";
import { castTo, checkTensor } from "./operands.js";
import { runOp } from "../scope.js";
import { checkFits } from "../capacity.js";
import { checkBool, checkOptions } from "../options.js";

/** Options of the reductions. */
export interface ReduceOptions {
  /** The axes to reduce (negative counts from the end); defaults to every axis. */
  readonly axes?: number | readonly number[];
  /** Whether reduced axes stay as size-1 axes; defaults to false. */
  readonly keepdims?: boolean;
}

/** Options of `var` and `std`. */
export interface MomentOptions extends ReduceOptions {
  /** Delta degrees of freedom: the divisor is `n - ddof`; defaults to 0. */
  readonly ddof?: number;
}

function keepDims(y: Tensor, shape: readonly number[], axes: readonly number[], keepdims: boolean): Tensor {
  if (!keepdims) return y;
  return bind("reshape", [y], { shape: shape.map((d, i) => (axes.includes(i) ? 1 : d)) });
}

/** The checked `{ axes, keepdims }` of a reduction of `x`: axes normalized and sorted. */
function reduceArgs(fn: string, x: Tensor, options: ReduceOptions | undefined): { axes: number[]; keepdims: boolean } {
  checkTensor(fn, x);
  const o = checkOptions(fn, options, ["axes", "keepdims"]);
  return { axes: normalizeAxes(fn, o.axes, x.ndim), keepdims: checkBool(fn, "keepdims", o.keepdims, false) };
}

function reduce(fn: string, op: ReduceOp, x: Tensor, options: ReduceOptions | undefined): Tensor {
  return runOp(fn, () => {
    const { axes, keepdims } = reduceArgs(fn, x, options);
    if ((op === "max" || op === "min") && axes.some((a) => x.shape[a] === 0)) {
      throw new InvalidArgumentError(fn, `cannot reduce an empty axis (shape ${fmtShape(x.shape)}, axes ${fmtValue(axes)}): ${op} has no identity`);
    }
    const accum: DType = (op === "sum" || op === "prod") && (x.dtype === "bool" || x.dtype === "uint8") ? "int32" : x.dtype;
    return keepDims(bind(op, [castTo(x, accum)], { axes }), x.shape, axes, keepdims);
  });
}

/** `sum(x, { axes?, keepdims? })` is the sum over `axes` (all by default); bool and uint8 sum as int32; an empty sum is 0. @throws InvalidArgumentError for a non-tensor, an out-of-range or repeated axis. */
export const sum = (x: Tensor, options?: ReduceOptions): Tensor => reduce("nx.sum", "sum", x, options);
/** `prod(x, { axes?, keepdims? })` is the product over `axes` (all by default); bool and uint8 multiply as int32; an empty product is 1. @throws InvalidArgumentError as {@link sum}. */
export const prod = (x: Tensor, options?: ReduceOptions): Tensor => reduce("nx.prod", "prod", x, options);
/** `max(x, { axes?, keepdims? })` is the largest element over `axes` (all by default); NaN propagates. @throws InvalidArgumentError as {@link sum}, or when a reduced axis is empty. */
export const max = (x: Tensor, options?: ReduceOptions): Tensor => reduce("nx.max", "max", x, options);
/** `min(x, { axes?, keepdims? })` is the smallest element over `axes` (all by default); NaN propagates. @throws InvalidArgumentError as {@link max}. */
export const min = (x: Tensor, options?: ReduceOptions): Tensor => reduce("nx.min", "min", x, options);

function logical(fn: string, op: "min" | "max", x: Tensor, options: ReduceOptions | undefined): Tensor {
  return runOp(fn, () => {
    const { axes, keepdims } = reduceArgs(fn, x, options);
    return keepDims(bind(op, [castTo(x, "bool")], { axes }), x.shape, axes, keepdims);
  });
}

/**
 * `all(x, { axes?, keepdims? })` is the bool tensor saying whether every
 * element over `axes` (all by default) is nonzero (NaN counts as nonzero, as
 * in numpy); `all` of nothing is true. `keepdims` defaults to false.
 * @throws InvalidArgumentError for a non-tensor, an out-of-range or repeated axis, or a bad option.
 */
export const all = (x: Tensor, options?: ReduceOptions): Tensor => logical("nx.all", "min", x, options);
/**
 * `any(x, { axes?, keepdims? })` is the bool tensor saying whether some
 * element over `axes` (all by default) is nonzero (NaN counts as nonzero);
 * `any` of nothing is false. `keepdims` defaults to false.
 * @throws InvalidArgumentError as {@link all}.
 */
export const any = (x: Tensor, options?: ReduceOptions): Tensor => logical("nx.any", "max", x, options);

/** `mean(x, { axes?, keepdims? })` is the arithmetic mean over `axes` (all by default), in float32 for integer input; the mean of nothing is NaN. @throws InvalidArgumentError as {@link sum}. */
export function mean(x: Tensor, options?: ReduceOptions): Tensor {
  const fn = "nx.mean";
  return runOp(fn, () => {
    const { axes, keepdims } = reduceArgs(fn, x, options);
    const xf = isFloat(x.dtype) ? x : castTo(x, "float32");
    const n = sizeOf(axes.map((a) => x.shape[a] as number));
    return div(sum(xf, { axes, keepdims }), n);
  });
}

/**
 * `floatInput(fn, x)` is `x` in a float dtype (integers as float32) for a
 * derived op whose intermediates have `x`'s full shape, after checking that
 * the backend holds such a tensor, so the op fails before its first backend call.
 */
function floatInput(fn: string, x: Tensor): Tensor {
  const dtype = isFloat(x.dtype) ? x.dtype : "float32";
  checkFits(fn, x.backend, x.shape, dtype);
  return castTo(x, dtype);
}

function moment(fn: string, x: Tensor, options: MomentOptions | undefined): Tensor {
  return runOp(fn, () => {
    checkTensor(fn, x);
    const o = checkOptions(fn, options, ["axes", "keepdims", "ddof"]);
    const { axes, keepdims } = reduceArgs(fn, x, { axes: o.axes, keepdims: o.keepdims });
    const ddof = o.ddof ?? 0;
    if (typeof ddof !== "number" || !Number.isFinite(ddof) || ddof < 0) throw new InvalidArgumentError(fn, `ddof must be a non-negative number, got ${fmtValue(ddof)}`);
    const xf = floatInput(fn, x);
    const n = sizeOf(axes.map((a) => x.shape[a] as number));
    const centered = sub(xf, mean(xf, { axes, keepdims: true }));
    return div(sum(square(centered), { axes, keepdims }), Math.max(n - ddof, 0));
  });
}

/** `variance(x, { axes?, keepdims?, ddof? })` is `sum((x - mean)^2) / (n - ddof)` over `axes` (exported as `var`). @throws InvalidArgumentError as {@link sum}, or for a negative `ddof`. */
export function variance(x: Tensor, options?: MomentOptions): Tensor {
  return moment("nx.var", x, options);
}

/** `std(x, options)` is `sqrt(var(x, options))`. @throws InvalidArgumentError as {@link variance}. */
export function std(x: Tensor, options?: MomentOptions): Tensor {
  const fn = "nx.std";
  return runOp(fn, () => sqrt(moment(fn, x, options)));
}

/**
 * `logsumexp(x, { axes?, keepdims? })` is `log(sum(exp(x)))` over `axes`
 * (all by default), computed as `m + log(sum(exp(x - m)))` with `m` the
 * maximum, so it is exact for inputs of any magnitude; all `-Infinity` gives `-Infinity`.
 * @throws InvalidArgumentError as {@link max}.
 */
export function logsumexp(x: Tensor, options?: ReduceOptions): Tensor {
  const fn = "nx.logsumexp";
  return runOp(fn, () => {
    const { axes, keepdims } = reduceArgs(fn, x, options);
    if (axes.some((a) => x.shape[a] === 0)) {
      throw new InvalidArgumentError(fn, `cannot reduce an empty axis (shape ${fmtShape(x.shape)}, axes ${fmtValue(axes)})`);
    }
    const xf = floatInput(fn, x);
    const m = max(xf, { axes, keepdims: true });
    const shift = where(isFinite(m), m, 0);
    const out = add(log(sum(exp(sub(xf, shift)), { axes, keepdims: true })), shift);
    return keepdims ? out : bind("reshape", [out], { shape: x.shape.filter((_, i) => !axes.includes(i)) });
  });
}

/** Options of `softmax` and `logSoftmax`. */
export interface SoftmaxOptions {
  /** The axes normalized over; defaults to the last axis. */
  readonly axes?: number | readonly number[];
}

/** The checked, normalized `axes` of `softmax`/`logSoftmax` (the last axis by default). */
function softmaxAxes(fn: string, x: Tensor, options: SoftmaxOptions | undefined): number[] {
  checkTensor(fn, x);
  const o = checkOptions(fn, options, ["axes"]);
  return normalizeAxes(fn, o.axes ?? -1, x.ndim);
}

/**
 * `softmax(x, { axes? })` is `exp(x) / sum(exp(x))` over `axes` (the last axis
 * by default), shifted by the maximum so inputs of magnitude 1e4 do not overflow.
 * An empty `x` gives an empty result.
 * @throws InvalidArgumentError for a non-tensor or a bad axis.
 */
export function softmax(x: Tensor, options?: SoftmaxOptions): Tensor {
  const fn = "nx.softmax";
  return runOp(fn, () => {
    const axes = softmaxAxes(fn, x, options);
    const xf = floatInput(fn, x);
    if (x.size === 0) return bind("reshape", [xf], { shape: xf.shape });
    const m = max(xf, { axes, keepdims: true });
    const e = exp(sub(xf, where(isFinite(m), m, 0)));
    return div(e, sum(e, { axes, keepdims: true }));
  });
}

/**
 * `logSoftmax(x, { axes? })` is `x - logsumexp(x)` over `axes` (the last axis by default), computed as
 * `(x - m) - log(sum(exp(x - m)))` with `m` the maximum, so it is stable and precise for any magnitude.
 * An empty `x` gives an empty result.
 * @throws InvalidArgumentError as {@link softmax}.
 */
export function logSoftmax(x: Tensor, options?: SoftmaxOptions): Tensor {
  const fn = "nx.logSoftmax";
  return runOp(fn, () => {
    const axes = softmaxAxes(fn, x, options);
    const xf = floatInput(fn, x);
    if (x.size === 0) return bind("reshape", [xf], { shape: xf.shape });
    // Subtract the maximum first: x - m is exact near the maximum, so the result
    // keeps its precision even when |x| is large (a float32 logsumexp of 1e4 has an ulp of 1e-3).
    const m = max(xf, { axes, keepdims: true });
    const shifted = sub(xf, where(isFinite(m), m, 0));
    return sub(shifted, log(sum(exp(shifted), { axes, keepdims: true })));
  });
}

/** Options of `argmax` and `argmin`. */
export interface ArgReduceOptions {
  /** The axis searched; defaults to the flattened tensor. */
  readonly axis?: number;
  /** Whether the searched axis stays as a size-1 axis; defaults to false. */
  readonly keepdims?: boolean;
}

function argReduce(fn: string, op: ArgReduceOp, x: Tensor, options: ArgReduceOptions | undefined): Tensor {
  return runOp(fn, () => {
    checkTensor(fn, x);
    const o = checkOptions(fn, options, ["axis", "keepdims"]);
    const keepdims = checkBool(fn, "keepdims", o.keepdims, false);
    const flat = o.axis === undefined;
    const axis = flat ? 0 : normalizeAxis(fn, o.axis as number, x.ndim);
    if ((flat ? x.size : x.shape[axis]) === 0) throw new InvalidArgumentError(fn, `cannot search an empty axis (shape ${fmtShape(x.shape)})`);
    const src = flat ? bind("reshape", [x], { shape: [x.size] }) : x;
    const y = bind(op, [src], { axis });
    if (!keepdims) return y;
    return bind("reshape", [y], { shape: flat ? x.shape.map(() => 1) : x.shape.map((d, i) => (i === axis ? 1 : d)) });
  });
}

/** `argmax(x, { axis?, keepdims? })` is the int32 index of the largest element along `axis` (the flattened tensor by default); the first index wins ties and a NaN wins over numbers. @throws InvalidArgumentError for a bad axis or an empty one. */
export const argmax = (x: Tensor, options?: ArgReduceOptions): Tensor => argReduce("nx.argmax", "argmax", x, options);
/** `argmin(x, { axis?, keepdims? })` is the int32 index of the smallest element along `axis`, with {@link argmax}'s rules. @throws InvalidArgumentError as {@link argmax}. */
export const argmin = (x: Tensor, options?: ArgReduceOptions): Tensor => argReduce("nx.argmin", "argmin", x, options);

/** Options of `cumsum` and `cumprod`. */
export interface ScanOptions {
  /** The axis scanned; defaults to the flattened tensor (the result is then 1-D, as numpy). */
  readonly axis?: number;
}

function scan(fn: string, op: ScanOp, x: Tensor, options: ScanOptions | undefined): Tensor {
  return runOp(fn, () => {
    checkTensor(fn, x);
    const o = checkOptions(fn, options, ["axis"]);
    const flat = o.axis === undefined;
    const axis = flat ? 0 : normalizeAxis(fn, o.axis as number, x.ndim);
    const src = flat ? bind("reshape", [x], { shape: [x.size] }) : x;
    const accum: DType = x.dtype === "bool" || x.dtype === "uint8" ? "int32" : x.dtype;
    return bind(op, [castTo(src, accum)], { axis });
  });
}

/** `cumsum(x, { axis? })` is the inclusive running sum along `axis` (the flattened tensor by default); bool and uint8 accumulate as int32. @throws InvalidArgumentError for a bad axis. */
export const cumsum = (x: Tensor, options?: ScanOptions): Tensor => scan("nx.cumsum", "cumsum", x, options);
/** `cumprod(x, { axis? })` is the inclusive running product along `axis`, as {@link cumsum}. @throws InvalidArgumentError for a bad axis. */
export const cumprod = (x: Tensor, options?: ScanOptions): Tensor => scan("nx.cumprod", "cumprod", x, options);
