/** Joining and cutting along an axis: `concatenate`, `stack` (copies) and `split` (views). */
import { checkFits } from "../capacity.js";
import type { DType } from "../dtype.js";
import { promoteTypes } from "../dtype.js";
import { InvalidArgumentError, fmtShape, fmtValue } from "../errors.js";
import { checkIntegers, checkOptions } from "../options.js";
import { bind } from "../primitives.js";
import { runOp } from "../scope.js";
import { checkRank, normalizeAxis, shapesEqual } from "../shape.js";
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
