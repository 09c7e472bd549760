/**
 * Movement ops: reshaping, permuting, broadcasting, slicing, joining and
 * padding. Reshape (when strides allow), transpose, expand/squeeze, broadcast,
 * slice and flip are views that share storage; the rest copy.
 */
import type { DType } from "../dtype.js";
import { castScalar, promoteTypes } from "../dtype.js";
import { InvalidArgumentError, fmtShape } from "../errors.js";
import { bind } from "../primitives.js";
import { checkShape, normalizeAxes, normalizeAxis, shapesEqual, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { fromHost } from "./creation.js";
import { where } from "./elementwise.js";
import { castTo, checkSameBackend, checkTensor } from "./operands.js";
import { tidy } from "../scope.js";

/**
 * `reshape(x, shape)` is `x` with a new shape of the same size, elements in C
 * order; one entry of `shape` may be -1 and is then inferred. A view when the
 * strides allow, a copy otherwise.
 * @throws InvalidArgumentError when the sizes differ, more than one entry is -1, or an entry is negative or not an integer.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const fn = "nx.reshape";
  checkTensor(fn, x);
  if (!Array.isArray(shape)) throw new InvalidArgumentError(fn, `shape must be an array, got ${String(shape)}`);
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
}

/**
 * `transpose(x, axes?)` permutes the axes: output axis `i` is input axis
 * `axes[i]` (negative allowed). `axes` defaults to reversing all axes. A view.
 * @throws InvalidArgumentError when `axes` is not a permutation of the axes.
 */
export function transpose(x: Tensor, axes?: readonly number[]): Tensor {
  const fn = "nx.transpose";
  checkTensor(fn, x);
  const perm = axes === undefined ? x.shape.map((_, i) => x.ndim - 1 - i) : axes.map((a) => normalizeAxis(fn, a, x.ndim));
  if (perm.length !== x.ndim || new Set(perm).size !== x.ndim) {
    throw new InvalidArgumentError(fn, `axes ${JSON.stringify(axes)} is not a permutation of the ${x.ndim} axes of ${fmtShape(x.shape)}`);
  }
  return bind("transpose", [x], { perm });
}

/**
 * `expandDims(x, axis)` inserts size-1 axes at the positions `axis` (a number
 * or several) of the result, negative counting from the result's end. A view.
 * @throws InvalidArgumentError for an out-of-range or repeated axis.
 */
export function expandDims(x: Tensor, axis: number | readonly number[]): Tensor {
  const fn = "nx.expandDims";
  checkTensor(fn, x);
  const list = typeof axis === "number" ? [axis] : axis;
  const rank = x.ndim + list.length;
  const axes = normalizeAxes(fn, list, rank);
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : (x.shape[j++] as number));
  return bind("reshape", [x], { shape });
}

/**
 * `squeeze(x, axes?)` removes size-1 axes: those in `axes`, or every size-1 axis by default. A view.
 * @throws InvalidArgumentError when an axis is out of range or its size is not 1.
 */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const fn = "nx.squeeze";
  checkTensor(fn, x);
  const drop = axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(fn, axes, x.ndim);
  for (const a of drop) {
    if (x.shape[a] !== 1) throw new InvalidArgumentError(fn, `cannot squeeze axis ${a} of size ${x.shape[a]} (shape ${fmtShape(x.shape)})`);
  }
  return bind("reshape", [x], { shape: x.shape.filter((_, i) => !drop.includes(i)) });
}

/**
 * `broadcastTo(x, shape)` is `x` broadcast to `shape` by numpy's rules (a view with stride 0 on repeated axes).
 * @throws InvalidArgumentError when `x` cannot be broadcast to `shape`.
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const fn = "nx.broadcastTo";
  checkTensor(fn, x);
  const target = checkShape(fn, shape);
  const lead = target.length - x.ndim;
  if (lead < 0 || x.shape.some((d, i) => d !== 1 && d !== target[lead + i])) {
    throw new InvalidArgumentError(fn, `cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(target)}`);
  }
  return shapesEqual(x.shape, target) ? bind("reshape", [x], { shape: target }) : bind("broadcastTo", [x], { shape: target });
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

/**
 * `slice(x, spec)` is numpy's basic indexing `x[spec...]`: entry `i` of
 * `spec` applies to axis `i`; missing trailing entries keep whole axes. Ranges
 * clamp out-of-range bounds as Python does. A view, also for negative steps.
 * @throws InvalidArgumentError when `spec` has more entries than `x` has axes, an integer index is out of range, or a step is 0 or not an integer.
 */
export function slice(x: Tensor, spec: readonly SliceIndex[]): Tensor {
  return tidy(() => {
    const fn = "nx.slice";
    checkTensor(fn, x);
    if (!Array.isArray(spec)) throw new InvalidArgumentError(fn, `spec must be an array, got ${String(spec)}`);
    if (spec.length > x.ndim) throw new InvalidArgumentError(fn, `too many indices (${spec.length}) for shape ${fmtShape(x.shape)}`);
    const starts: number[] = [];
    const steps: number[] = [];
    const shape: number[] = [];
    const keep: number[] = [];
    x.shape.forEach((n, axis) => {
      const s = spec[axis] ?? null;
      if (typeof s === "number") {
        if (!Number.isInteger(s) || s < -n || s >= n) throw new InvalidArgumentError(fn, `index ${s} is out of bounds for axis ${axis} of size ${n}`);
        starts.push(s < 0 ? s + n : s);
        steps.push(1);
        shape.push(1);
        return;
      }
      const step = s?.step ?? 1;
      if (!Number.isInteger(step) || step === 0) throw new InvalidArgumentError(fn, `step must be a non-zero integer, got ${step} on axis ${axis}`);
      for (const b of [s?.start, s?.stop]) {
        if (b !== undefined && !Number.isInteger(b)) throw new InvalidArgumentError(fn, `slice bounds must be integers, got ${b} on axis ${axis}`);
      }
      const norm = (v: number | undefined, dflt: number, lo: number, hi: number): number => {
        if (v === undefined) return dflt;
        const w = v < 0 ? v + n : v;
        return Math.min(Math.max(w, lo), hi);
      };
      const start = step > 0 ? norm(s?.start, 0, 0, n) : norm(s?.start, n - 1, -1, n - 1);
      const stop = step > 0 ? norm(s?.stop, n, 0, n) : norm(s?.stop, -1, -1, n - 1);
      const len = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
      starts.push(len > 0 ? start : 0);
      steps.push(step);
      shape.push(len);
      keep.push(axis);
    });
    const view = bind("slice", [x], { starts, steps, shape });
    return keep.length === x.ndim ? view : bind("reshape", [view], { shape: keep.map((a) => shape[a] as number) });
  });
}

/**
 * `flip(x, axes?)` reverses the order of elements along `axes` (every axis by default). A view.
 * @throws InvalidArgumentError for an out-of-range or repeated axis.
 */
export function flip(x: Tensor, axes?: number | readonly number[]): Tensor {
  return tidy(() => {
    const fn = "nx.flip";
    checkTensor(fn, x);
    const list = normalizeAxes(fn, axes, x.ndim);
    return slice(x, x.shape.map((_, i) => (list.includes(i) ? { step: -1 } : null)));
  });
}

/** Options of the joining ops. */
export interface AxisOptions {
  /** The axis; defaults to 0. */
  readonly axis?: number;
}

function commonDType(fn: string, xs: readonly Tensor[]): DType {
  if (!Array.isArray(xs) || xs.length === 0) throw new InvalidArgumentError(fn, "expected a non-empty array of tensors");
  xs.forEach((t, i) => checkTensor(fn, t, `tensor ${i}`));
  const first = xs[0] as Tensor;
  checkSameBackend(fn, xs);
  return xs.reduce<DType>((d, t) => promoteTypes(d, t.dtype), first.dtype);
}

/**
 * `concatenate(xs, { axis? })` joins tensors along an existing axis (0 by
 * default); dtypes are promoted; shapes must agree except along `axis`.
 * @throws InvalidArgumentError for an empty list, different ranks or shapes, a bad axis, or different backends.
 */
export function concatenate(xs: readonly Tensor[], options: AxisOptions = {}): Tensor {
  return tidy(() => {
    const fn = "nx.concatenate";
    const dtype = commonDType(fn, xs);
    const first = xs[0] as Tensor;
    if (first.ndim === 0) throw new InvalidArgumentError(fn, "cannot concatenate rank-0 tensors; use nx.stack");
    const axis = normalizeAxis(fn, options.axis ?? 0, first.ndim);
    for (const t of xs) {
      if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new InvalidArgumentError(fn, `shapes ${xs.map((u) => fmtShape(u.shape)).join(", ")} differ outside axis ${axis}`);
      }
    }
    return bind("concat", xs.map((t) => castTo(t, dtype)), { axis });
  });
}

/**
 * `stack(xs, { axis? })` joins tensors of one shape along a new axis (0 by default; up to the rank, negative from the end).
 * @throws InvalidArgumentError for an empty list, different shapes, a bad axis, or different backends.
 */
export function stack(xs: readonly Tensor[], options: AxisOptions = {}): Tensor {
  return tidy(() => {
    const fn = "nx.stack";
    commonDType(fn, xs);
    const first = xs[0] as Tensor;
    for (const t of xs) {
      if (!shapesEqual(t.shape, first.shape)) throw new InvalidArgumentError(fn, `all tensors must have one shape, got ${xs.map((u) => fmtShape(u.shape)).join(", ")}`);
    }
    const axis = normalizeAxis(fn, options.axis ?? 0, first.ndim + 1);
    return concatenate(xs.map((t) => expandDims(t, axis)), { axis });
  });
}

/**
 * `split(x, sections, { axis? })` cuts `x` along `axis` (0 by default) into
 * views: a number `n` gives `n` equal parts; an array gives the cut points
 * (numpy's `split`), so `[2, 5]` yields `[:2]`, `[2:5]`, `[5:]`.
 * @throws InvalidArgumentError when `n` does not divide the axis, cut points are not integers, or the axis is bad.
 */
export function split(x: Tensor, sections: number | readonly number[], options: AxisOptions = {}): Tensor[] {
  return tidy(() => {
    const fn = "nx.split";
    checkTensor(fn, x);
    const axis = normalizeAxis(fn, options.axis ?? 0, x.ndim);
    const n = x.shape[axis] as number;
    let cuts: number[];
    if (typeof sections === "number") {
      if (!Number.isInteger(sections) || sections <= 0 || n % sections !== 0) {
        throw new InvalidArgumentError(fn, `cannot split axis ${axis} of size ${n} into ${sections} equal sections`);
      }
      cuts = Array.from({ length: sections - 1 }, (_, i) => ((i + 1) * n) / sections);
    } else {
      if (!sections.every(Number.isInteger)) throw new InvalidArgumentError(fn, `cut points must be integers, got ${JSON.stringify(sections)}`);
      cuts = [...sections];
    }
    const bounds = [0, ...cuts, n];
    return bounds.slice(1).map((stop, i) => slice(x, x.shape.map((_, a) => (a === axis ? { start: bounds[i] as number, stop } : null))));
  });
}

/** Pad widths: one number for every side of every axis, one `[before, after]` pair for every axis, or a pair per axis. */
export type PadWidths = number | readonly [number, number] | readonly (readonly [number, number])[];

/** Options of `pad`. */
export interface PadOptions {
  /** The fill value, converted to `x.dtype` as `cast` converts; defaults to 0. */
  readonly value?: number;
}

/**
 * `pad(x, widths, { value? })` surrounds `x` with `value` (numpy's constant
 * `pad`): axis `i` grows by `before_i + after_i`.
 * @throws InvalidArgumentError for negative or non-integer widths or a pair count different from the rank.
 */
export function pad(x: Tensor, widths: PadWidths, options: PadOptions = {}): Tensor {
  return tidy(() => {
    const fn = "nx.pad";
    checkTensor(fn, x);
    let pairs: (readonly [number, number])[];
    if (typeof widths === "number") pairs = x.shape.map(() => [widths, widths] as const);
    else if (widths.length === 2 && typeof widths[0] === "number") pairs = x.shape.map(() => widths as readonly [number, number]);
    else pairs = [...(widths as readonly (readonly [number, number])[])];
    if (pairs.length !== x.ndim) throw new InvalidArgumentError(fn, `expected ${x.ndim} [before, after] pairs for shape ${fmtShape(x.shape)}, got ${pairs.length}`);
    for (const p of pairs) {
      if (!Array.isArray(p) || p.length !== 2 || !p.every((w) => Number.isInteger(w) && w >= 0)) {
        throw new InvalidArgumentError(fn, `pad widths must be non-negative integer pairs, got ${JSON.stringify(widths)}`);
      }
    }
    const value = options.value ?? 0;
    if (typeof value !== "number") throw new InvalidArgumentError(fn, `value must be a number, got ${typeof value}`);
    return bind("pad", [x], { widths: pairs.map(([lo, hi]) => ({ lo, hi, interior: 0 })), value: castScalar(value, x.dtype) });
  });
}

/**
 * `tile(x, reps)` repeats the whole of `x` `reps[i]` times along axis `i`
 * (numpy's `tile`: the shorter of `x.shape` and `reps` is padded with leading 1s).
 * @throws InvalidArgumentError for negative or non-integer repetitions.
 */
export function tile(x: Tensor, reps: number | readonly number[]): Tensor {
  return tidy(() => {
    const fn = "nx.tile";
    checkTensor(fn, x);
    const r0 = typeof reps === "number" ? [reps] : [...reps];
    if (!r0.every((r) => Number.isInteger(r) && r >= 0)) throw new InvalidArgumentError(fn, `reps must be non-negative integers, got ${JSON.stringify(reps)}`);
    const rank = Math.max(x.ndim, r0.length);
    const r = [...new Array<number>(rank - r0.length).fill(1), ...r0];
    const s = [...new Array<number>(rank - x.ndim).fill(1), ...x.shape];
    const interleaved = bind("reshape", [x], { shape: s.flatMap((d) => [1, d]) });
    const expanded = bind("broadcastTo", [interleaved], { shape: s.flatMap((d, i) => [r[i] as number, d]) });
    return bind("reshape", [expanded], { shape: s.map((d, i) => d * (r[i] as number)) });
  });
}

/**
 * `repeat(x, repeats, { axis? })` repeats each element `repeats` times along
 * `axis` (numpy's `repeat`); `repeats` is one count or one count per element
 * of the axis; without `axis` the tensor is flattened first.
 * @throws InvalidArgumentError for negative or non-integer counts, a count list of the wrong length, or a bad axis.
 */
export function repeat(x: Tensor, repeats: number | readonly number[], options: { readonly axis?: number } = {}): Tensor {
  return tidy(() => {
    const fn = "nx.repeat";
    checkTensor(fn, x);
    const axis = options.axis === undefined ? 0 : normalizeAxis(fn, options.axis, x.ndim);
    const n = options.axis === undefined ? x.size : (x.shape[axis] as number);
    if (typeof repeats === "number") {
      if (!Number.isInteger(repeats) || repeats < 0) throw new InvalidArgumentError(fn, `repeats must be a non-negative integer, got ${repeats}`);
    } else if (!Array.isArray(repeats) || repeats.length !== n || !repeats.every((r) => Number.isInteger(r) && r >= 0)) {
      throw new InvalidArgumentError(fn, `repeats must be ${n} non-negative integers (one per element of axis ${axis}), got ${JSON.stringify(repeats)}`);
    }
    const src = options.axis === undefined ? bind("reshape", [x], { shape: [x.size] }) : x;
    if (typeof repeats === "number") {
      const inserted = [...src.shape.slice(0, axis + 1), 1, ...src.shape.slice(axis + 1)];
      const wide = [...src.shape.slice(0, axis + 1), repeats, ...src.shape.slice(axis + 1)];
      const out = src.shape.map((d, i) => (i === axis ? d * repeats : d));
      return bind("reshape", [bind("broadcastTo", [bind("reshape", [src], { shape: inserted })], { shape: wide })], { shape: out });
    }
    const idx = new Int32Array(repeats.reduce((a, b) => a + b, 0));
    let k = 0;
    repeats.forEach((r, i) => idx.fill(i, k, (k += r)));
    return bind("gather", [src, fromHost(idx, "int32", [idx.length], src.backend)], { axis });
  });
}

function triangle(fn: string, x: Tensor, k: number, lower: boolean): Tensor {
  return tidy(() => {
    checkTensor(fn, x);
    if (x.ndim < 2) throw new InvalidArgumentError(fn, `expected rank >= 2, got shape ${fmtShape(x.shape)}`);
    if (!Number.isInteger(k)) throw new InvalidArgumentError(fn, `k must be an integer, got ${k}`);
    const rows = x.shape[x.ndim - 2] as number;
    const cols = x.shape[x.ndim - 1] as number;
    const mask = new Uint8Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask[i * cols + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
    // A bool zero keeps bool tensors bool (a number 0 would promote them to int32).
    return where(fromHost(mask, "bool", [rows, cols], x.backend), x, x.dtype === "bool" ? false : 0);
  });
}

/** `tril(x, k?)` keeps the elements on and below diagonal `k` of the last two axes (0: main, positive: above) and zeroes the rest. @throws InvalidArgumentError for rank < 2 or a non-integer `k`. */
export function tril(x: Tensor, k = 0): Tensor {
  return triangle("nx.tril", x, k, true);
}

/** `triu(x, k?)` keeps the elements on and above diagonal `k` of the last two axes and zeroes the rest. @throws InvalidArgumentError for rank < 2 or a non-integer `k`. */
export function triu(x: Tensor, k = 0): Tensor {
  return triangle("nx.triu", x, k, false);
}

/** `contiguous(x)` is `x` laid out in C order: a view when it already is, a copy otherwise. @throws InvalidArgumentError when `x` is not a live tensor. */
export function contiguous(x: Tensor): Tensor {
  checkTensor("nx.contiguous", x);
  return x.isContiguous ? bind("reshape", [x], { shape: x.shape }) : bind("copy", [x], {});
}

