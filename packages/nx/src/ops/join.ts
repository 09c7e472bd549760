/** Joining and cutting along an axis: `concatenate`, `stack`, `roll` (copies) and `split` (views). */
import { checkFits } from "../capacity.js";
import type { DType } from "../dtype.js";
import { promoteTypes } from "../dtype.js";
import { InvalidArgumentError, fmtShape, fmtValue } from "../errors.js";
import { checkInteger, checkIntegers, checkOptions } from "../options.js";
import { bind } from "../primitives.js";
import { runOp } from "../scope.js";
import { MAX_RANK, checkRank, normalizeAxis, shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { expandDims, slice } from "./movement.js";
import { castTo, checkSameBackend, checkTensor } from "./operands.js";

/** Options of the joining ops. */
export interface AxisOptions {
  /** The axis; defaults to 0. */
  readonly axis?: number;
}

/** The most shapes an error message lists. */
const LISTED_SHAPES = 6;

function fmtShapes(xs: readonly Tensor[]): string {
  const shown = xs.slice(0, LISTED_SHAPES).map((t) => fmtShape(t.shape));
  return xs.length > LISTED_SHAPES ? `${shown.join(", ")}, ... (${xs.length} tensors)` : shown.join(", ");
}

/** Checks a non-empty list of live tensors on one backend and returns their promoted dtype. */
function commonDType(fn: string, xs: readonly Tensor[]): DType {
  if (!Array.isArray(xs) || xs.length === 0) throw new InvalidArgumentError(fn, `expected a non-empty array of tensors, got ${fmtValue(xs)}`);
  xs.forEach((t, i) => checkTensor(fn, t, `tensor ${i}`));
  checkSameBackend(fn, xs);
  return xs.reduce<DType>((d, t) => promoteTypes(d, t.dtype), (xs[0] as Tensor).dtype);
}

/**
 * `concatenate(xs, { axis? })` joins tensors along an existing axis (0 by
 * default); dtypes are promoted; shapes must agree except along `axis`.
 * @throws InvalidArgumentError for an empty list, different ranks or shapes,
 * a bad axis or option, different backends, or a result the backend cannot hold.
 */
export function concatenate(xs: readonly Tensor[], options?: AxisOptions): Tensor {
  const fn = "nx.concatenate";
  return runOp(fn, () => {
    const dtype = commonDType(fn, xs);
    const o = checkOptions(fn, options, ["axis"]);
    const first = xs[0] as Tensor;
    if (first.ndim === 0) throw new InvalidArgumentError(fn, "cannot concatenate rank-0 tensors; use nx.stack");
    const axis = normalizeAxis(fn, o.axis ?? 0, first.ndim);
    for (const t of xs) {
      if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new InvalidArgumentError(fn, `shapes ${fmtShapes(xs)} differ outside axis ${axis}`);
      }
    }
    const shape = [...first.shape];
    shape[axis] = xs.reduce((s, t) => s + (t.shape[axis] as number), 0);
    checkFits(fn, first.backend, shape, dtype);
    return bind("concat", xs.map((t) => castTo(t, dtype)), { axis });
  });
}

/**
 * `stack(xs, { axis? })` joins tensors of one shape along a new axis (0 by default; up to the rank, negative from the end).
 * @throws InvalidArgumentError for an empty list, different shapes, a bad
 * axis or option, different backends, a result of more than 64 axes, or one
 * the backend cannot hold.
 */
export function stack(xs: readonly Tensor[], options?: AxisOptions): Tensor {
  const fn = "nx.stack";
  return runOp(fn, () => {
    commonDType(fn, xs);
    const o = checkOptions(fn, options, ["axis"]);
    const first = xs[0] as Tensor;
    for (const t of xs) {
      if (!shapesEqual(t.shape, first.shape)) throw new InvalidArgumentError(fn, `all tensors must have one shape, got ${fmtShapes(xs)}`);
    }
    checkRank(fn, first.ndim + 1);
    const axis = normalizeAxis(fn, o.axis ?? 0, first.ndim + 1);
    return concatenate(xs.map((t) => expandDims(t, axis)), { axis });
  });
}

/**
 * `split(x, sections, { axis? })` cuts `x` along `axis` (0 by default) into
 * views: an integer `n` gives `n` equal parts; an array gives the cut points
 * (numpy's `split`), so `[2, 5]` yields `[:2]`, `[2:5]`, `[5:]`.
 * @throws InvalidArgumentError when `sections` is neither a positive integer
 * dividing the axis nor an array of integer cut points, or for a bad axis or option.
 */
export function split(x: Tensor, sections: number | readonly number[], options?: AxisOptions): Tensor[] {
  const fn = "nx.split";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const o = checkOptions(fn, options, ["axis"]);
    const axis = normalizeAxis(fn, o.axis ?? 0, x.ndim);
    const n = x.shape[axis] as number;
    let cuts: number[];
    if (typeof sections === "number") {
      if (!Number.isInteger(sections) || sections <= 0 || n % sections !== 0) {
        throw new InvalidArgumentError(fn, `cannot split axis ${axis} of size ${n} into ${fmtValue(sections)} equal sections`);
      }
      cuts = Array.from({ length: sections - 1 }, (_, i) => ((i + 1) * n) / sections);
    } else {
      if (!Array.isArray(sections)) throw new InvalidArgumentError(fn, `sections must be a positive integer or an array of cut points, got ${fmtValue(sections)}`);
      cuts = checkIntegers(fn, "cut points", sections, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    }
    const bounds = [0, ...cuts, n];
    return bounds.slice(1).map((stop, i) => slice(x, x.shape.map((_, a) => (a === axis ? { start: bounds[i] as number, stop } : null))));
  });
}

/** Options of `roll`. */
export interface RollOptions {
  /** The axis or axes rolled; defaults to the flattened tensor (rolled, then reshaped back). */
  readonly axis?: number | readonly number[];
}

/**
 * `roll(x, shift, { axis? })` rotates the elements of `x` by `shift`
 * positions along `axis` (numpy's `roll`): an element at index `i` moves to
 * `(i + shift) mod n`, so elements pushed off one end come back at the other;
 * a negative shift rolls the other way. `shift` and `axis` may be integers or
 * arrays; they broadcast against each other (one integer with several axes,
 * or several shifts with one axis), and shifts of a repeated axis add up.
 * Without `axis`, `x` is rolled as if flattened and keeps its shape. A copy.
 * @throws InvalidArgumentError when `shift` is not an integer or an array of
 * them, `axis` is not an integer or an array of in-range integers, their
 * lengths do not broadcast (both arrays of different lengths, neither of
 * length 1), for a bad option, or when the backend cannot hold the result.
 */
export function roll(x: Tensor, shift: number | readonly number[], options?: RollOptions): Tensor {
  const fn = "nx.roll";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const o = checkOptions(fn, options, ["axis"]);
    const shifts = typeof shift === "number" ? [checkInteger(fn, "shift", shift)] : checkIntegers(fn, "shift", shift, Number.NEGATIVE_INFINITY, MAX_RANK);
    const flat = o.axis === undefined;
    const src = flat ? bind("reshape", [x], { shape: [x.size] }) : x;
    const axisList = flat ? [0] : typeof o.axis === "number" ? [o.axis] : o.axis;
    if (!Array.isArray(axisList)) throw new InvalidArgumentError(fn, `axis must be an integer or an array of integers, got ${fmtValue(o.axis)}`);
    const axes = (axisList as readonly number[]).map((a) => normalizeAxis(fn, a, src.ndim));
    if (shifts.length !== axes.length && shifts.length !== 1 && axes.length !== 1) {
      throw new InvalidArgumentError(fn, `shift ${fmtValue(shift)} and axis ${fmtValue(o.axis)} do not broadcast: ${shifts.length} shifts for ${axes.length} axes`);
    }
    checkFits(fn, x.backend, x.shape, x.dtype);
    const total = new Map<number, number>();
    for (let i = 0; i < Math.max(shifts.length, axes.length); i++) {
      const a = axes[axes.length === 1 ? 0 : i] as number;
      total.set(a, (total.get(a) ?? 0) + (shifts[shifts.length === 1 ? 0 : i] as number));
    }
    let out = src;
    for (const [a, s] of total) {
      const n = out.shape[a] as number;
      const k = n === 0 ? 0 : ((s % n) + n) % n;
      if (k === 0) continue;
      const part = (start: number, len: number): Tensor =>
        bind("slice", [out], { starts: out.shape.map((_, i) => (i === a ? start : 0)), steps: out.shape.map(() => 1), shape: out.shape.map((d, i) => (i === a ? len : d)) });
      out = bind("concat", [part(n - k, k), part(0, n - k)], { axis: a });
    }
    return out === src ? bind("copy", [x], {}) : bind("reshape", [out], { shape: x.shape });
  });
}
