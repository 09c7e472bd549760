import type { DType } from "../dtype.js";
import { checkDType, isInteger } from "../dtype.js";
import { InvalidArgumentError, fmtShape } from "../errors.js";
import { bind } from "../primitives.js";
import { broadcastShapes, checkRank, contiguousStrides, normalizeAxis } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { iotaOn } from "./creation.js";
import { add, clip, equal, less, mul, where } from "./elementwise.js";
import { castTo, checkSameBackend, checkTensor, expandTo } from "./operands.js";
import { runOp } from "../scope.js";
import { checkFits } from "../capacity.js";
import { checkInteger, checkOptions } from "../options.js";

/** Validates integer indices (no tensor is made; cast them with `castTo(indices, "int32")` once every check passed). */
function checkIndices(fn: string, indices: Tensor): Tensor {
  checkTensor(fn, indices, "indices");
  if (!isInteger(indices.dtype)) throw new InvalidArgumentError(fn, `indices must be int32 or uint8, got ${indices.dtype}`);
  return indices;
}

/** Options of `take`. */
export interface TakeOptions {
  /** The axis taken along; defaults to the flattened tensor. */
  readonly axis?: number;
}

/**
 * `take(x, indices, { axis? })` is numpy's `take`: the slices of `x` at
 * `indices` along `axis`, giving shape `x.shape[:axis] + indices.shape + x.shape[axis+1:]`.
 * Without `axis`, `x` is flattened first. A negative index counts from the
 * end; indices still out of range are clamped to the axis (as JAX does, so no
 * device read-back is needed to check them).
 * @throws InvalidArgumentError for non-integer indices, a bad axis or option, an empty axis, different backends, or a result of more than 64 axes or more than the backend holds.
 */
export function take(x: Tensor, indices: Tensor, options?: TakeOptions): Tensor {
  const fn = "nx.take";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const idx = checkIndices(fn, indices);
    checkSameBackend(fn, [x, idx]);
    const o = checkOptions(fn, options, ["axis"]);
    const axis = o.axis === undefined ? 0 : normalizeAxis(fn, o.axis, x.ndim);
    const srcShape = o.axis === undefined ? [x.size] : x.shape;
    if (srcShape[axis] === 0) throw new InvalidArgumentError(fn, `cannot take from empty axis ${axis} of shape ${fmtShape(x.shape)}`);
    const out = [...srcShape.slice(0, axis), ...idx.shape, ...srcShape.slice(axis + 1)];
    checkRank(fn, out.length);
    checkFits(fn, x.backend, out, x.dtype);
    const src = o.axis === undefined ? bind("reshape", [x], { shape: srcShape }) : x;
    return bind("gather", [src, castTo(idx, "int32")], { axis });
  });
}

/** Options of `takeAlongAxis`. */
export interface TakeAlongAxisOptions {
  /** The axis taken along (required). */
  readonly axis: number;
}

/**
 * `takeAlongAxis(x, indices, { axis })` is numpy's `take_along_axis`: `out[..., i, ...] = x[..., indices[..., i, ...], ...]`
 * along `axis`, with `indices` of `x`'s rank broadcasting against `x` on the
 * other axes. Indices wrap and clamp as in {@link take}.
 * @throws InvalidArgumentError when ranks differ, shapes do not broadcast, the indices are not integers, the axis is missing, bad or empty, or the result is more than the backend holds.
 */
export function takeAlongAxis(x: Tensor, indices: Tensor, options: TakeAlongAxisOptions): Tensor {
  const fn = "nx.takeAlongAxis";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const idx = checkIndices(fn, indices);
    checkSameBackend(fn, [x, idx]);
    if (idx.ndim !== x.ndim) throw new InvalidArgumentError(fn, `indices must have the rank of x: ${fmtShape(indices.shape)} vs ${fmtShape(x.shape)}`);
    const o = checkOptions(fn, options, ["axis"]);
    if (o.axis === undefined) throw new InvalidArgumentError(fn, "options.axis is required");
    const axis = normalizeAxis(fn, o.axis, x.ndim);
    const n = x.shape[axis] as number;
    if (n === 0) throw new InvalidArgumentError(fn, `cannot take from empty axis ${axis} of shape ${fmtShape(x.shape)}`);
    const outShape = broadcastShapes(fn, x.shape.map((d, i) => (i === axis ? 1 : d)), idx.shape.map((d, i) => (i === axis ? 1 : d)));
    outShape[axis] = idx.shape[axis] as number;
    checkFits(fn, x.backend, outShape, x.dtype);
    checkFits(fn, x.backend, outShape, "int32");
    const idx0 = castTo(idx, "int32");
    // Negatives wrap once, the rest clamp to the axis.
    const clamped = clip(where(less(idx0, 0), add(idx0, n), idx0), 0, n - 1);
    return gatherAlongAxis(x, clamped, axis, outShape);
  });
}

/**
 * `gatherAlongAxis(x, indices, axis, outShape)` is `out[..., i, ...] =
 * x[..., indices[..., i, ...], ...]` along `axis`, of shape `outShape`
 * (`indices` broadcast to it): `takeAlongAxis` for int32 indices already in
 * `[0, n)` (`n` the size of `axis`), checked by the caller, as a gather from
 * the flattened `x` at linear indices. Inside an op (`runOp`).
 */
export function gatherAlongAxis(x: Tensor, indices: Tensor, axis: number, outShape: readonly number[]): Tensor {
  const xStrides = contiguousStrides(x.shape);
  const step = xStrides[axis] as number;
  let linear = expandTo(indices, outShape);
  if (step !== 1) linear = mul(linear, step);
  // Each other axis adds its coordinate's offset (none for an axis of size 1).
  x.shape.forEach((d, i) => {
    if (i === axis || d === 1) return;
    const coord = bind("reshape", [iotaOn(x.backend, d)], { shape: x.shape.map((_, j) => (j === i ? d : 1)) });
    linear = add(linear, mul(coord, xStrides[i] as number));
  });
  const flat = bind("reshape", [x], { shape: [x.size] });
  return bind("gather", [flat, linear], { axis: 0 });
}

/** Options of `oneHot`. */
export interface OneHotOptions {
  /** The dtype of the result; defaults to `float32`. */
  readonly dtype?: DType;
}

/**
 * `oneHot(indices, depth, { dtype? })` is `indices.shape + [depth]` with 1 at
 * each index and 0 elsewhere (an out-of-range index gives an all-zero row).
 * `dtype` defaults to `float32`.
 * @throws InvalidArgumentError for non-integer indices, a `depth` that is not a non-negative integer, a bad dtype or option, or a result of more than 64 axes or more than the backend holds.
 */
export function oneHot(indices: Tensor, depth: number, options?: OneHotOptions): Tensor {
  const fn = "nx.oneHot";
  return runOp(fn, () => {
    const idx = checkIndices(fn, indices);
    checkInteger(fn, "depth", depth, 0);
    const o = checkOptions(fn, options, ["dtype"]);
    const dtype = o.dtype === undefined ? "float32" : checkDType(fn, o.dtype);
    const out = [...idx.shape, depth];
    checkRank(fn, out.length);
    // The result, and the bool comparison it is cast from.
    checkFits(fn, idx.backend, out, dtype);
    checkFits(fn, idx.backend, out, "bool");
    const hot = equal(bind("reshape", [castTo(idx, "int32")], { shape: [...idx.shape, 1] }), iotaOn(idx.backend, depth));
    return castTo(hot, dtype);
  });
}
