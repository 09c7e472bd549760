/**
 * Ops that grow a tensor by replicating its elements or surrounding them:
 * `pad`, `tile`, `repeat`. Each computes its result's shape first and checks
 * that the backend can hold it before allocating anything.
 */
import { checkFits } from "../capacity.js";
import { castScalar } from "../dtype.js";
import { InvalidArgumentError, fmtShape, fmtValue } from "../errors.js";
import { checkInteger, checkIntegers, checkOptions } from "../options.js";
import { bind } from "../primitives.js";
import { runOp } from "../scope.js";
import { MAX_RANK, normalizeAxis } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { fromHost } from "./creation.js";
import { checkTensor } from "./operands.js";

/** Pad widths: one number for every side of every axis, one `[before, after]` pair for every axis, or a pair per axis. */
export type PadWidths = number | readonly [number, number] | readonly (readonly [number, number])[];

/** Options of `pad`. */
export interface PadOptions {
  /** The fill value, converted to `x.dtype` as `cast` converts; defaults to 0. */
  readonly value?: number;
}

/** The `[before, after]` pair of every axis of `x` that `widths` stands for. */
function padPairs(fn: string, x: Tensor, widths: unknown): [number, number][] {
  const pair = (p: unknown, what: string): [number, number] => {
    if (!Array.isArray(p) || p.length !== 2) throw new InvalidArgumentError(fn, `${what} must be a [before, after] pair of non-negative integers, got ${fmtValue(p)}`);
    return [checkInteger(fn, `${what}[0]`, p[0], 0), checkInteger(fn, `${what}[1]`, p[1], 0)];
  };
  if (typeof widths === "number") {
    const w = checkInteger(fn, "widths", widths, 0);
    return x.shape.map(() => [w, w]);
  }
  if (!Array.isArray(widths)) throw new InvalidArgumentError(fn, `widths must be an integer, a [before, after] pair or one pair per axis, got ${fmtValue(widths)}`);
  if (widths.length === 2 && !Array.isArray(widths[0])) {
    const p = pair(widths, "widths");
    return x.shape.map(() => p);
  }
  if (widths.length !== x.ndim) throw new InvalidArgumentError(fn, `expected ${x.ndim} [before, after] pairs for shape ${fmtShape(x.shape)}, got ${widths.length}`);
  return widths.map((p: unknown, i) => pair(p, `widths[${i}]`));
}

/**
 * `pad(x, widths, { value? })` surrounds `x` with `value` (numpy's constant
 * `pad`): axis `i` grows by `before_i + after_i`.
 * @throws InvalidArgumentError for widths that are not non-negative integers
 * (alone, as a pair or as one pair per axis), a pair count different from the
 * rank, a `value` that is not a number, a bad option, or a result the backend cannot hold.
 */
export function pad(x: Tensor, widths: PadWidths, options?: PadOptions): Tensor {
  const fn = "nx.pad";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const o = checkOptions(fn, options, ["value"]);
    const pairs = padPairs(fn, x, widths);
    const value = o.value ?? 0;
    if (typeof value !== "number") throw new InvalidArgumentError(fn, `value must be a number, got ${fmtValue(value)}`);
    checkFits(fn, x.backend, x.shape.map((d, i) => d + (pairs[i] as [number, number])[0] + (pairs[i] as [number, number])[1]), x.dtype);
    return bind("pad", [x], { widths: pairs.map(([lo, hi]) => ({ lo, hi, interior: 0 })), value: castScalar(value, x.dtype) });
  });
}

/**
 * `tile(x, reps)` repeats the whole of `x` `reps[i]` times along axis `i`
 * (numpy's `tile`: the shorter of `x.shape` and `reps` is padded with leading 1s).
 * @throws InvalidArgumentError when `reps` is not a non-negative integer or
 * an array of at most 64 of them, or the result is more than the backend holds.
 */
export function tile(x: Tensor, reps: number | readonly number[]): Tensor {
  const fn = "nx.tile";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const r0 = typeof reps === "number" ? [checkInteger(fn, "reps", reps, 0)] : checkIntegers(fn, "reps", reps, 0, MAX_RANK);
    const rank = Math.max(x.ndim, r0.length);
    const r = [...new Array<number>(rank - r0.length).fill(1), ...r0];
    const s = [...new Array<number>(rank - x.ndim).fill(1), ...x.shape];
    const out = s.map((d, i) => d * (r[i] as number));
    checkFits(fn, x.backend, out, x.dtype);
    const interleaved = bind("reshape", [x], { shape: s.flatMap((d) => [1, d]) });
    const expanded = bind("broadcastTo", [interleaved], { shape: s.flatMap((d, i) => [r[i] as number, d]) });
    return bind("reshape", [expanded], { shape: out });
  });
}

/** Options of `repeat`. */
export interface RepeatOptions {
  /** The axis repeated along; defaults to the flattened tensor. */
  readonly axis?: number;
}

/**
 * `repeat(x, repeats, { axis? })` repeats each element `repeats` times along
 * `axis` (numpy's `repeat`); `repeats` is one count or one count per element
 * of the axis; without `axis` the tensor is flattened first.
 * @throws InvalidArgumentError for negative or non-integer counts, a count
 * list of the wrong length, a bad axis or option, or a result the backend cannot hold.
 */
export function repeat(x: Tensor, repeats: number | readonly number[], options?: RepeatOptions): Tensor {
  const fn = "nx.repeat";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const o = checkOptions(fn, options, ["axis"]);
    const axis = o.axis === undefined ? 0 : normalizeAxis(fn, o.axis, x.ndim);
    const srcShape = o.axis === undefined ? [x.size] : x.shape;
    const n = srcShape[axis] as number;
    let total: number;
    let counts: number[] | undefined;
    if (typeof repeats === "number") total = n * checkInteger(fn, "repeats", repeats, 0);
    else {
      if (!Array.isArray(repeats) || repeats.length !== n) {
        throw new InvalidArgumentError(fn, `repeats must be an integer or ${n} integers (one per element of axis ${axis}), got ${fmtValue(repeats)}`);
      }
      counts = checkIntegers(fn, "repeats", repeats, 0, n);
      total = counts.reduce((a, b) => a + b, 0);
    }
    const out = srcShape.map((d, i) => (i === axis ? total : d));
    checkFits(fn, x.backend, out, x.dtype);
    if (counts !== undefined) checkFits(fn, x.backend, [total], "int32");
    const src = o.axis === undefined ? bind("reshape", [x], { shape: srcShape }) : x;
    if (counts === undefined) {
      const r = repeats as number;
      const inserted = [...srcShape.slice(0, axis + 1), 1, ...srcShape.slice(axis + 1)];
      const wide = [...srcShape.slice(0, axis + 1), r, ...srcShape.slice(axis + 1)];
      return bind("reshape", [bind("broadcastTo", [bind("reshape", [src], { shape: inserted })], { shape: wide })], { shape: out });
    }
    const idx = new Int32Array(total);
    let k = 0;
    counts.forEach((c, i) => idx.fill(i, k, (k += c)));
    return bind("gather", [src, fromHost(fn, idx, "int32", [total], src.backend)], { axis });
  });
}
