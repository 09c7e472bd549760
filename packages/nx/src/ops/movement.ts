/**
 * Movement ops that view storage: reshape (when strides allow), transpose,
 * expand/squeeze, broadcast, slice and flip share the input's storage;
 * `contiguous` copies only when the layout requires it. Joining lives in
 * `join.ts`, replication (pad, tile, repeat) in `replicate.ts`.
 */
import { InvalidArgumentError, fmtShape, fmtValue } from "../errors.js";
import { checkInteger, checkOptions } from "../options.js";
import { bind } from "../primitives.js";
import { runOp } from "../scope.js";
import { broadcastsTo, checkRank, checkShape, normalizeAxes, normalizeAxis, shapesEqual, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor } from "./operands.js";

/**
 * `reshape(x, shape)` is `x` with a new shape of the same size, elements in C
 * order; one entry of `shape` may be -1 and is then inferred. A view when the
 * strides allow, a copy otherwise.
 * @throws InvalidArgumentError when `shape` is not an array of integers, the sizes differ, more than one entry is -1, or an entry is below -1.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const fn = "nx.reshape";
  return runOp(fn, () => {
    checkTensor(fn, x);
    if (!Array.isArray(shape)) throw new InvalidArgumentError(fn, `shape must be an array of integers, got ${fmtValue(shape)}`);
    const holes = shape.filter((d) => d === -1).length;
    if (holes > 1) throw new InvalidArgumentError(fn, `only one dimension can be -1, got ${fmtShape(shape)}`);
    const known = checkShape(fn, shape.map((d) => (d === -1 ? 1 : d)));
    let out = known;
    if (holes === 1) {
      const rest = sizeOf(known);
      if (rest === 0 || x.size % rest !== 0) throw new InvalidArgumentError(fn, `cannot reshape ${fmtShape(x.shape)} (size ${x.size}) into ${fmtShape(shape)}`);
      out = shape.map((d) => (d === -1 ? x.size / rest : d));
    }
    if (sizeOf(out) !== x.size) throw new InvalidArgumentError(fn, `cannot reshape ${fmtShape(x.shape)} (size ${x.size}) into ${fmtShape(shape)} (size ${sizeOf(out)})`);
    return bind("reshape", [x], { shape: out });
  });
}

/**
 * `transpose(x, axes?)` permutes the axes: output axis `i` is input axis
 * `axes[i]` (negative allowed). `axes` defaults to reversing all axes. A view.
 * @throws InvalidArgumentError when `axes` is not an array holding a permutation of the axes.
 */
export function transpose(x: Tensor, axes?: readonly number[]): Tensor {
  const fn = "nx.transpose";
  return runOp(fn, () => {
    checkTensor(fn, x);
    if (axes !== undefined && !Array.isArray(axes)) throw new InvalidArgumentError(fn, `axes must be an array of integers, got ${fmtValue(axes)}`);
    const perm = axes === undefined ? x.shape.map((_, i) => x.ndim - 1 - i) : axes.map((a) => normalizeAxis(fn, a, x.ndim));
    if (perm.length !== x.ndim || new Set(perm).size !== x.ndim) {
      throw new InvalidArgumentError(fn, `axes ${fmtValue(axes)} is not a permutation of the ${x.ndim} axes of ${fmtShape(x.shape)}`);
    }
    return bind("transpose", [x], { perm });
  });
}

/**
 * `swapaxes(x, axis1, axis2)` exchanges two axes (negative counts from the
 * end; the same axis twice is the identity). A view.
 * @throws InvalidArgumentError when an axis is not an integer or is out of range.
 */
export function swapaxes(x: Tensor, axis1: number, axis2: number): Tensor {
  const fn = "nx.swapaxes";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const a = normalizeAxis(fn, axis1, x.ndim);
    const b = normalizeAxis(fn, axis2, x.ndim);
    const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
    return bind("transpose", [x], { perm });
  });
}

/**
 * `moveaxis(x, source, destination)` moves the axes `source` (an integer or
 * an array of them) to the positions `destination` (as many), keeping the
 * other axes in their order (numpy's `moveaxis`; negative counts from the
 * end). A view.
 * @throws InvalidArgumentError when `source` and `destination` are not both
 * integers or arrays of the same length, or hold an axis that is not an
 * integer, is out of range or is repeated.
 */
export function moveaxis(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const fn = "nx.moveaxis";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const list = (v: unknown, name: string): number[] => {
      if (typeof v === "number") return [normalizeAxis(fn, v, x.ndim)];
      if (!Array.isArray(v)) throw new InvalidArgumentError(fn, `${name} must be an integer or an array of integers, got ${fmtValue(v)}`);
      if (v.length > x.ndim) throw new InvalidArgumentError(fn, `${name} lists ${v.length} axes; x has ${x.ndim}`);
      const axes = v.map((a: number) => normalizeAxis(fn, a, x.ndim));
      if (new Set(axes).size !== axes.length) throw new InvalidArgumentError(fn, `repeated axis in ${name} ${fmtValue(v)}`);
      return axes;
    };
    const src = list(source, "source");
    const dst = list(destination, "destination");
    if (src.length !== dst.length) {
      throw new InvalidArgumentError(fn, `source and destination must list as many axes, got ${fmtValue(source)} and ${fmtValue(destination)}`);
    }
    const perm = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
    dst
      .map((d, i) => [d, src[i] as number] as const)
      .sort((p, q) => p[0] - q[0])
      .forEach(([d, a]) => perm.splice(d, 0, a));
    return bind("transpose", [x], { perm });
  });
}

/**
 * `expandDims(x, axis)` inserts size-1 axes at the positions `axis` (an
 * integer or an array of them) of the result, negative counting from the
 * result's end. A view.
 * @throws InvalidArgumentError for an axis that is not an integer, out of range or repeated, or a result of more than 64 axes.
 */
export function expandDims(x: Tensor, axis: number | readonly number[]): Tensor {
  const fn = "nx.expandDims";
  return runOp(fn, () => {
    checkTensor(fn, x);
    if (typeof axis !== "number" && !Array.isArray(axis)) throw new InvalidArgumentError(fn, `axis must be an integer or an array of integers, got ${fmtValue(axis)}`);
    const list = typeof axis === "number" ? [axis] : axis;
    const rank = x.ndim + list.length;
    checkRank(fn, rank);
    const axes = normalizeAxes(fn, list, rank);
    const shape: number[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : (x.shape[j++] as number));
    return bind("reshape", [x], { shape });
  });
}

/**
 * `squeeze(x, axes?)` removes size-1 axes: those in `axes`, or every size-1 axis by default. A view.
 * @throws InvalidArgumentError when an axis is not an integer, out of range, repeated, or its size is not 1.
 */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const fn = "nx.squeeze";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const drop = axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(fn, axes, x.ndim);
    for (const a of drop) {
      if (x.shape[a] !== 1) throw new InvalidArgumentError(fn, `cannot squeeze axis ${a} of size ${x.shape[a]} (shape ${fmtShape(x.shape)})`);
    }
    return bind("reshape", [x], { shape: x.shape.filter((_, i) => !drop.includes(i)) });
  });
}

/**
 * `broadcastTo(x, shape)` is `x` broadcast to `shape` by numpy's rules (a view with stride 0 on repeated axes).
 * @throws InvalidArgumentError for a bad shape, or when `x` cannot be broadcast to `shape`.
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const fn = "nx.broadcastTo";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const target = checkShape(fn, shape);
    if (!broadcastsTo(x.shape, target)) throw new InvalidArgumentError(fn, `cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(target)}`);
    return shapesEqual(x.shape, target) ? bind("reshape", [x], { shape: target }) : bind("broadcastTo", [x], { shape: target });
  });
}

/** One axis of a slice: `start` defaults to the first element in the walking direction, `stop` to past the last, `step` to 1. */
export interface SliceRange {
  readonly start?: number;
  readonly stop?: number;
  readonly step?: number;
}

/**
 * One entry of a slice spec: an integer picks one index and drops the axis
 * (negative counts from the end); a {@link SliceRange} keeps the axis with
 * Python's `start:stop:step` semantics; `null` keeps the whole axis.
 */
export type SliceIndex = number | SliceRange | null;

/** What one spec entry does to an axis of size `n`: start, step, length, and whether the axis stays. */
interface AxisSlice {
  readonly start: number;
  readonly step: number;
  readonly len: number;
  readonly keep: boolean;
}

function sliceAxis(fn: string, s: unknown, axis: number, n: number): AxisSlice {
  if (typeof s === "number") {
    if (!Number.isInteger(s)) throw new InvalidArgumentError(fn, `index ${fmtValue(s)} on axis ${axis} is not an integer`);
    if (s < -n || s >= n) throw new InvalidArgumentError(fn, `index ${s} is out of bounds for axis ${axis} of size ${n}`);
    return { start: s < 0 ? s + n : s, step: 1, len: 1, keep: false };
  }
  if (s !== null && s !== undefined && (typeof s !== "object" || Array.isArray(s))) {
    throw new InvalidArgumentError(fn, `spec entry ${axis} must be an integer, null or { start?, stop?, step? }, got ${fmtValue(s)}`);
  }
  const r = checkOptions(fn, (s ?? undefined) as SliceRange | undefined, ["start", "stop", "step"]);
  const step = r.step === undefined ? 1 : checkInteger(fn, `step on axis ${axis}`, r.step);
  if (step === 0) throw new InvalidArgumentError(fn, `step must be a non-zero integer, got 0 on axis ${axis}`);
  const bound = (v: unknown, name: string, dflt: number, lo: number, hi: number): number => {
    if (v === undefined) return dflt;
    const w = checkInteger(fn, `${name} on axis ${axis}`, v);
    return Math.min(Math.max(w < 0 ? w + n : w, lo), hi);
  };
  const start = step > 0 ? bound(r.start, "start", 0, 0, n) : bound(r.start, "start", n - 1, -1, n - 1);
  const stop = step > 0 ? bound(r.stop, "stop", n, 0, n) : bound(r.stop, "stop", -1, -1, n - 1);
  const len = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  return { start: len > 0 ? start : 0, step, len, keep: true };
}

/**
 * `slice(x, spec)` is numpy's basic indexing `x[spec...]`: entry `i` of
 * `spec` applies to axis `i`; missing trailing entries keep whole axes. Ranges
 * clamp out-of-range bounds as Python does. A view, also for negative steps.
 * @throws InvalidArgumentError when `spec` is not an array, has more entries
 * than `x` has axes, or holds an entry that is not an integer, null or a
 * range; when an integer index is out of range; or when a bound or step is
 * not an integer, or a step is 0.
 */
export function slice(x: Tensor, spec: readonly SliceIndex[]): Tensor {
  const fn = "nx.slice";
  return runOp(fn, () => {
    checkTensor(fn, x);
    if (!Array.isArray(spec)) throw new InvalidArgumentError(fn, `spec must be an array, got ${fmtValue(spec)}`);
    if (spec.length > x.ndim) throw new InvalidArgumentError(fn, `too many indices (${spec.length}) for shape ${fmtShape(x.shape)}`);
    const axes = x.shape.map((n, axis) => sliceAxis(fn, (spec as readonly unknown[])[axis], axis, n));
    const shape = axes.map((a) => a.len);
    const view = bind("slice", [x], { starts: axes.map((a) => a.start), steps: axes.map((a) => a.step), shape });
    return axes.every((a) => a.keep) ? view : bind("reshape", [view], { shape: shape.filter((_, i) => (axes[i] as AxisSlice).keep) });
  });
}

/**
 * `flip(x, axes?)` reverses the order of elements along `axes` (every axis by default). A view.
 * @throws InvalidArgumentError for an axis that is not an integer, out of range or repeated.
 */
export function flip(x: Tensor, axes?: number | readonly number[]): Tensor {
  const fn = "nx.flip";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const list = normalizeAxes(fn, axes, x.ndim);
    return slice(x, x.shape.map((_, i) => (list.includes(i) ? { step: -1 } : null)));
  });
}

/** `contiguous(x)` is `x` laid out in C order: a view when it already is, a copy otherwise. @throws InvalidArgumentError when `x` is not a live tensor. */
export function contiguous(x: Tensor): Tensor {
  const fn = "nx.contiguous";
  return runOp(fn, () => {
    checkTensor(fn, x);
    return x.isContiguous ? bind("reshape", [x], { shape: x.shape }) : bind("copy", [x], {});
  });
}
