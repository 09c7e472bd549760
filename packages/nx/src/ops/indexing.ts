import type { DType } from "../dtype.js";
import { checkDType, isInteger } from "../dtype.js";
import { InvalidArgumentError, fmtShape } from "../errors.js";
import { bind } from "../primitives.js";
import { broadcastShapes, contiguousStrides, normalizeAxis } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { iotaOn } from "./creation.js";
import { add, clip, equal, less, mul, where } from "./elementwise.js";
import { castTo, checkSameBackend, checkTensor, expandTo } from "./operands.js";
import { tidy } from "../scope.js";

/** Validates integer indices (no tensor is made; cast them with `castTo(indices, "int32")` once every check passed). */
function checkIndices(fn: string, indices: Tensor): Tensor {
  checkTensor(fn, indices, "indices");
  if (!isInteger(indices.dtype)) throw new InvalidArgumentError(fn, `indices must be int32 or uint8, got ${indices.dtype}`);
  return indices;
}

/**
 * `take(x, indices, { axis? })` is numpy's `take`: the slices of `x` at
 * `indices` along `axis`, giving shape `x.shape[:axis] + indices.shape + x.shape[axis+1:]`.
 * Without `axis`, `x` is flattened first. A negative index counts from the
 * end; indices still out of range are clamped to the axis (as JAX does, so no
 * device read-back is needed to check them).
 * @throws InvalidArgumentError for non-integer indices, a bad axis, an empty axis, or different backends.
 */
export function take(x: Tensor, indices: Tensor, options: { readonly axis?: number } = {}): Tensor {
  return tidy(() => {
    const fn = "nx.take";
    checkTensor(fn, x);
    const idx = checkIndices(fn, indices);
    checkSameBackend(fn, [x, idx]);
    const axis = options.axis === undefined ? 0 : normalizeAxis(fn, options.axis, x.ndim);
    if ((options.axis === undefined ? x.size : x.shape[axis]) === 0) throw new InvalidArgumentError(fn, `cannot take from empty axis ${axis} of shape ${fmtShape(x.shape)}`);
    const src = options.axis === undefined ? bind("reshape", [x], { shape: [x.size] }) : x;
    return bind("gather", [src, castTo(idx, "int32")], { axis });
  });
}

/**
 * `takeAlongAxis(x, indices, { axis })` is numpy's `take_along_axis`: `out[..., i, ...] = x[..., indices[..., i, ...], ...]`
 * along `axis`, with `indices` of `x`'s rank broadcasting against `x` on the
 * other axes. Indices wrap and clamp as in {@link take}.
 * @throws InvalidArgumentError when ranks differ, shapes do not broadcast, the indices are not integers, or the axis is bad or empty.
 */
export function takeAlongAxis(x: Tensor, indices: Tensor, options: { readonly axis: number }): Tensor {
  return tidy(() => {
    const fn = "nx.takeAlongAxis";
    checkTensor(fn, x);
    const idx = checkIndices(fn, indices);
    checkSameBackend(fn, [x, idx]);
    if (idx.ndim !== x.ndim) throw new InvalidArgumentError(fn, `indices must have the rank of x: ${fmtShape(indices.shape)} vs ${fmtShape(x.shape)}`);
    const axis = normalizeAxis(fn, options?.axis, x.ndim);
    const n = x.shape[axis] as number;
    if (n === 0) throw new InvalidArgumentError(fn, `cannot take from empty axis ${axis} of shape ${fmtShape(x.shape)}`);
    const outShape = broadcastShapes(fn, x.shape.map((d, i) => (i === axis ? 1 : d)), idx.shape.map((d, i) => (i === axis ? 1 : d)));
    outShape[axis] = idx.shape[axis] as number;
    const idx0 = castTo(idx, "int32");
    // Linear index into the flattened x: wrap negatives and clamp per axis, then add the other axes' offsets.
    const clamped = clip(where(less(idx0, 0), add(idx0, n), idx0), 0, n - 1);
    const xStrides = contiguousStrides(x.shape);
    let linear = mul(expandTo(clamped, outShape), xStrides[axis] as number);
    x.shape.forEach((d, i) => {
      if (i === axis) return;
      const coord = bind("reshape", [iotaOn(x.backend, d)], { shape: x.shape.map((_, j) => (j === i ? d : 1)) });
      linear = add(linear, mul(coord, xStrides[i] as number));
    });
    const flat = bind("reshape", [x], { shape: [x.size] });
    return bind("gather", [flat, linear], { axis: 0 });
  });
}

/**
 * `oneHot(indices, depth, { dtype? })` is `indices.shape + [depth]` with 1 at
 * each index and 0 elsewhere (an out-of-range index gives an all-zero row).
 * `dtype` defaults to `float32`.
 * @throws InvalidArgumentError for non-integer indices or a `depth` that is not a non-negative integer.
 */
export function oneHot(indices: Tensor, depth: number, options: { readonly dtype?: DType } = {}): Tensor {
  return tidy(() => {
    const fn = "nx.oneHot";
    const idx = checkIndices(fn, indices);
    if (!Number.isInteger(depth) || depth < 0) throw new InvalidArgumentError(fn, `depth must be a non-negative integer, got ${depth}`);
    const dtype = options.dtype === undefined ? "float32" : checkDType(fn, options.dtype);
    const hot = equal(bind("reshape", [castTo(idx, "int32")], { shape: [...idx.shape, 1] }), iotaOn(idx.backend, depth));
    return castTo(hot, dtype);
  });
}
