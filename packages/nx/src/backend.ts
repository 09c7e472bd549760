/**
 * The one contract between the nx frontend and any backend.
 *
 * The frontend (the ops users call) validates every argument, computes result
 * shapes, broadcasts, promotes dtypes and normalizes axes **once**, before any
 * backend call. A backend therefore implements a small set of primitives on
 * already-checked inputs and never throws for user errors.
 *
 * Inputs arrive as {@link View}s: a backend-owned buffer plus shape, strides
 * (in elements; 0 for broadcast axes, negative for flipped axes) and offset.
 * Every compute primitive returns a **fresh, C-contiguous** buffer holding
 * exactly the result's elements; the frontend wraps it in a tensor and owns
 * its lifetime (it calls {@link Backend.free} exactly once).
 *
 * A backend also says what it **can** do ({@link BackendCapabilities}): the
 * dtypes it stores and the largest buffer it holds. The frontend checks both
 * before every backend call (an unsupported dtype or an oversized result is
 * an `InvalidArgumentError` naming the op the user called), so a backend never
 * receives a request it cannot serve, and the conformance suite skips what a
 * backend declares it cannot do instead of keeping lists.
 *
 * Op groups are string unions. A backend implements each group as an
 * exhaustive `Record<Op, ...>` (or a `switch` checked with `never`), so adding
 * an op to a union fails the type check until every backend covers it.
 */
import type { DType, FloatDType, HostArray } from "./dtype.js";

/** An opaque, backend-owned storage handle. Only the backend that made it reads it. */
export interface DataId {
  readonly __dataId: unique symbol;
}

/** A strided window onto a backend buffer; what every primitive receives. */
export interface View {
  /** The buffer, made by the same backend. */
  readonly data: DataId;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Element strides; 0 marks a broadcast axis and a negative stride a flipped one. */
  readonly strides: readonly number[];
  /** Element offset of index `[0, ..., 0]` in the buffer. */
  readonly offset: number;
}

/**
 * Elementwise unary ops.
 * Frontend guarantees: `x` is float for the transcendental ops (`sqrt` ..
 * `exp2`); any dtype for `neg abs sign floor ceil round trunc`; the output
 * dtype is `x.dtype`, except `logicalNot isNaN isFinite isInf`, whose output
 * is `bool`.
 * Backend must: write `op(x[i])` for every element in C order, with IEEE and
 * C99 semantics for floats (`sqrt(-1)`, `asin(2)`, `acosh(0.5)` and
 * `atanh(2)` are NaN; `log(0)`, `log2(0)` are -Infinity; `atanh(±1)` is
 * ±Infinity), accurate over the whole range (`asinh`, `acosh` of huge inputs
 * and `sinh`, `cosh` near overflow do not overflow early; `asinh`, `atanh`,
 * `sinh` of tiny inputs keep their precision; `log2` and `exp2` are exact on
 * powers of two and integers), numpy's rounding for `round` (half to even),
 * `trunc` toward zero, wrap-around for `neg` of int32/uint8, and
 * `sign(NaN) = NaN`.
 */
export type UnaryOp =
  | "neg" | "abs" | "sign" | "floor" | "ceil" | "round" | "trunc"
  | "sqrt" | "exp" | "log" | "log1p" | "expm1" | "sin" | "cos" | "tan" | "tanh" | "sigmoid" | "erf"
  | "asin" | "acos" | "atan" | "sinh" | "cosh" | "asinh" | "acosh" | "atanh" | "log2" | "exp2"
  | "logicalNot" | "isNaN" | "isFinite" | "isInf";

/**
 * Elementwise binary arithmetic.
 * Frontend guarantees: `a` and `b` have the same shape (broadcast axes have
 * stride 0) and the same dtype, which is also the output dtype; `div`,
 * `atan2` and `hypot` only see floats; arithmetic never sees `bool` (promoted
 * to int32), while `logicalAnd logicalOr logicalXor` see any dtype and output
 * `bool`.
 * Backend must: compute per element; integer results wrap to the dtype;
 * `mod` follows the sign of the divisor (numpy/Python), integer `mod` by 0 is 0,
 * integer `pow` with a negative exponent is 0 unless the base is ±1;
 * `maximum`/`minimum` propagate NaN; `atan2(a, b)` is the angle of the point
 * `(b, a)` with C99's special cases (signed zeros, infinities); `hypot(a, b)`
 * is `sqrt(a² + b²)` without overflow or underflow in between, and Infinity
 * when either is infinite (even if the other is NaN).
 */
export type BinaryOp =
  | "add" | "sub" | "mul" | "div" | "pow" | "mod" | "maximum" | "minimum" | "atan2" | "hypot"
  | "logicalAnd" | "logicalOr" | "logicalXor";

/**
 * Elementwise comparisons.
 * Frontend guarantees: same shape and dtype for `a` and `b`.
 * Backend must: output `bool` (1/0); comparisons with NaN are false except `notEqual`.
 */
export type CompareOp = "equal" | "notEqual" | "less" | "lessEqual" | "greater" | "greaterEqual";

/**
 * Reductions over a set of axes.
 * Frontend guarantees: `axes` sorted, unique, in range (possibly empty: then a
 * copy); `x.dtype` is the accumulation and output dtype (the frontend casts
 * `bool` to int32 for `sum`/`prod`).
 * Backend must: output shape `x.shape` without `axes`; the identity of an empty
 * reduction is 0 for sum, 1 for prod, and -Infinity/+Infinity (or the dtype's
 * extreme) for max/min; `max`/`min` propagate NaN. Floats accumulate in at
 * least the input precision.
 */
export type ReduceOp = "sum" | "prod" | "max" | "min";

/**
 * Index of the extreme along one axis.
 * Frontend guarantees: `axis` in range and the axis non-empty.
 * Backend must: output int32 of shape `x.shape` without `axis`; the first
 * index wins ties; a NaN wins over any number (first NaN), as in numpy.
 */
export type ArgReduceOp = "argmax" | "argmin";

/**
 * Inclusive scans along one axis.
 * Frontend guarantees: `axis` in range; `x.dtype` is the output dtype.
 * Backend must: output the same shape, `out[..., i, ...] = x[..., 0] ∘ ... ∘ x[..., i]`.
 */
export type ScanOp = "cumsum" | "cumprod";

/**
 * Sorting along one axis, or its first `k` elements (top-k).
 * Frontend guarantees: `axis` in range (the axis may be empty); `x` of any
 * dtype; `0 <= k <= n` with `n` the size of `axis` (`k = n` for a full sort).
 * Backend must: order each lane along `axis` by value, ascending, or
 * descending when asked; **stable** in both directions (equal values keep
 * their original relative order, `-0` equals `0`); NaN compares above every
 * number (last ascending, first descending; NaNs keep their original order);
 * and output the first `k` elements of each ordered lane: the shape of `x`
 * with `axis` of size `k`. `sort` outputs the values (`x.dtype`); `argsort`
 * the int32 indices along `axis` of those values
 * (`x[..., argsort[..., j], ...]` is `sort[..., j, ...]`). A backend may use
 * `k` to do less than a full sort.
 */
export type SortOp = "sort" | "argsort";

/** Per-axis padding: `lo` elements before, `hi` after, `interior` between neighbours (all ≥ 0). */
export interface PadWidth {
  readonly lo: number;
  readonly hi: number;
  readonly interior: number;
}

/** Live storage a backend reports to `nx.memory()`. */
export interface BackendMemory {
  /** Buffers allocated and not yet freed. */
  readonly buffers: number;
  /** Bytes held by those buffers. */
  readonly bytes: number;
}

/**
 * What a backend can do. It is part of the contract: the frontend reads it
 * (through `nx.setBackend`, `nx.registerBackend` and every op) and never asks
 * the backend for more.
 */
export interface BackendCapabilities {
  /**
   * The dtypes the backend stores. Frontend guarantees: no buffer of another
   * dtype is requested (a tensor of one is rejected before any backend call).
   * It must include `float32`, `int32` and `bool`, which the frontend uses
   * internally (comparisons give bool, indices are int32, integer division
   * gives float32); `float64` and `uint8` are optional.
   */
  readonly dtypes: readonly DType[];
  /**
   * The most elements one buffer may hold (a positive integer). Frontend
   * guarantees: no buffer (upload, fill, iota, random stream or primitive
   * result) has more.
   */
  readonly maxElements: number;
  /**
   * The largest integer magnitude that int32 and uint8 values keep exactly:
   * storage and integer arithmetic are exact (wrapping as the op groups say)
   * while every exact intermediate value stays within
   * `[-maxExactInteger, maxExactInteger]`; beyond, values may round.
   * `Infinity` when integer arithmetic is exact for all values. The frontend
   * cannot check this (it depends on the data); the conformance suite skips
   * the cases that need more.
   */
  readonly maxExactInteger: number;
  /**
   * Whether float subnormals survive storage and arithmetic (false when they
   * are flushed to zero, as GL does). Not checked by the frontend; the
   * conformance suite skips cases with subnormal inputs when false.
   */
  readonly subnormals: boolean;
}

/** What every backend implements. See the file comment for the division of labour. */
export interface Backend {
  /** The registry name, e.g. `"cpu"`. */
  readonly name: string;

  /** What this backend can do; constant for the backend's lifetime. */
  readonly capabilities: BackendCapabilities;

  /**
   * `upload(data, dtype)` stores a copy of the host array `data` (whose typed-array
   * class matches `dtype`) and returns its buffer. Backend must not retain `data`.
   */
  upload(data: HostArray, dtype: DType): DataId;

  /**
   * `read(view)` is a fresh C-order host copy of the elements of `view`, in the
   * typed array of `view.dtype`.
   */
  read(view: View): HostArray;

  /** `readAsync(view)` is {@link read} without blocking the thread where the backend can. */
  readAsync(view: View): Promise<HostArray>;

  /** `free(data)` releases a buffer. Frontend guarantees it is called exactly once per buffer. */
  free(data: DataId): void;

  /** `memory()` is the backend's live storage. */
  memory(): BackendMemory;

  /** `fill(size, value, dtype)` is a buffer of `size` copies of `value` (already converted to `dtype`). */
  fill(size: number, value: number, dtype: DType): DataId;

  /** `iota(size, start, step, dtype)`: element `i` is `start + i * step`, converted to `dtype`. */
  iota(size: number, start: number, step: number, dtype: DType): DataId;

  unary(op: UnaryOp, x: View): DataId;
  binary(op: BinaryOp, a: View, b: View): DataId;
  compare(op: CompareOp, a: View, b: View): DataId;

  /**
   * `where(cond, a, b)`: `cond` is `bool`; `a`, `b` share the output dtype;
   * all three have the output shape (broadcast by strides).
   */
  where(cond: View, a: View, b: View): DataId;

  reduce(op: ReduceOp, x: View, axes: readonly number[]): DataId;
  argReduce(op: ArgReduceOp, x: View, axis: number): DataId;
  scan(op: ScanOp, x: View, axis: number): DataId;
  sort(op: SortOp, x: View, axis: number, descending: boolean, k: number): DataId;

  /**
   * `cast(x, dtype)` converts each element as `castScalar` does: integers
   * truncate toward zero and wrap, NaN→0 for integers, `bool` is `v !== 0`.
   */
  cast(x: View, dtype: DType): DataId;

  /** `copy(x)` is a C-contiguous copy of the view (materializes broadcasts, flips and transposes). */
  copy(x: View): DataId;

  /**
   * `matmul(a, b)`: `a` is `[...batch, m, k]`, `b` is `[...batch, k, n]`
   * with identical batch shapes (broadcast batch axes have stride 0), the
   * same float or int32 dtype; output `[...batch, m, n]`. Floats accumulate
   * in at least float32 precision; `k = 0` gives zeros.
   */
  matmul(a: View, b: View): DataId;

  /**
   * `gather(x, indices, axis)` is numpy's `take`: output shape
   * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`. `indices` is int32;
   * the frontend guarantees `x.shape[axis] > 0`. Backend must wrap a negative
   * index once (`i + n`) and clamp what is still out of range to `[0, n-1]`.
   */
  gather(x: View, indices: View, axis: number): DataId;

  /**
   * `scatterAdd(updates, indices, axis, shape)` is the adjoint of `gather`:
   * a zero buffer of `shape` (with `shape[axis] > 0`) where each slice of
   * `updates` is added at the (wrapped, clamped) index it came from. `updates`
   * has shape `shape[:axis] + indices.shape + shape[axis+1:]`.
   */
  scatterAdd(updates: View, indices: View, axis: number, shape: readonly number[]): DataId;

  /**
   * `pad(x, widths, value)`: output axis `i` has size
   * `lo + hi + n + max(n - 1, 0) * interior`; element `j` of the input sits at
   * `lo + j * (interior + 1)`; everything else is `value` (already converted).
   */
  pad(x: View, widths: readonly PadWidth[], value: number): DataId;

  /** `concat(xs, axis)`: same dtype, shapes equal except along `axis` (each may be empty). */
  concat(xs: readonly View[], axis: number): DataId;

  /**
   * `randomUniform(key, size, dtype)` is `size` floats in `[0, 1)` from the
   * threefry2x32 stream of `key` (two uint32 words): block `b` is
   * `threefry2x32(key, [b, 0])`. float32 element `i` is `(w >>> 8) / 2^24`
   * with `w` word `i mod 2` of block `floor(i / 2)`; float64 element `i` is
   * `((w0 >>> 5) * 2^26 + (w1 >>> 6)) / 2^53` with `w0, w1` the words of
   * block `i`. The stream depends only on the key, so every backend must
   * produce identical values.
   */
  randomUniform(key: readonly [number, number], size: number, dtype: FloatDType): DataId;
}

/** The union of every op name a backend implements, for exhaustive tables and conformance reports. */
export type BackendOp = UnaryOp | BinaryOp | CompareOp | ReduceOp | ArgReduceOp | ScanOp | SortOp;
