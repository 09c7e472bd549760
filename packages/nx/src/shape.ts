import { InvalidArgumentError, fmtShape, fmtValue } from "./errors.js";

/**
 * The most axes a tensor may have (numpy's limit). Bounding the rank bounds
 * every walk over axes, so nesting `nx.tensor` data deeper is a clear error,
 * not a stack overflow.
 */
export const MAX_RANK = 64;

/** `checkRank(fn, rank)` checks that a result of `rank` axes is allowed. @throws InvalidArgumentError naming `fn` when `rank` exceeds {@link MAX_RANK}. */
export function checkRank(fn: string, rank: number): void {
  if (rank > MAX_RANK) throw new InvalidArgumentError(fn, `the result would have ${rank} axes; tensors have at most ${MAX_RANK}`);
}

/** `sizeOf(shape)` is the number of elements of a tensor of `shape` (1 for rank 0). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `contiguousStrides(shape)` is the C-order (row-major) strides, in elements, of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  return strides;
}

/** `isContiguous(shape, strides)` is true when `strides` are C-order for `shape` (size-1 axes may have any stride). */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i] as number;
    if (d === 0) return true;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/**
 * `checkShape(fn, shape, name?)` validates that `shape` is an array of at most
 * {@link MAX_RANK} non-negative safe integers and returns a copy.
 * @throws InvalidArgumentError naming `fn` (and the argument `name`, default `shape`) otherwise.
 */
export function checkShape(fn: string, shape: unknown, name = "shape"): number[] {
  if (!Array.isArray(shape)) throw new InvalidArgumentError(fn, `${name} must be an array of non-negative integers, got ${fmtValue(shape)}`);
  if (shape.length > MAX_RANK) throw new InvalidArgumentError(fn, `${name} has ${shape.length} axes; tensors have at most ${MAX_RANK}`);
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      throw new InvalidArgumentError(fn, `${name} must contain non-negative integers, got ${fmtValue(d)} at index ${i} of ${fmtShape(shape as number[])}`);
    }
  }
  return [...(shape as number[])];
}

/**
 * `broadcastShapes(fn, ...shapes)` is the numpy broadcast of `shapes`: aligned
 * from the right, each axis is the common size where sizes are equal or 1.
 * @throws InvalidArgumentError naming `fn` and the shapes when two sizes differ and neither is 1.
 */
export function broadcastShapes(fn: string, ...shapes: (readonly number[])[]): number[] {
  const first = shapes[0];
  if (first !== undefined && shapes.every((s) => shapesEqual(s, first))) return [...first];
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i] as number;
      const o = out[off + i] as number;
      if (o === 1) out[off + i] = d;
      else if (d !== 1 && d !== o) {
        throw new InvalidArgumentError(fn, `shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast together`);
      }
    }
  }
  return out;
}

/**
 * `normalizeAxis(fn, axis, rank)` maps `axis` in `[-rank, rank)` to `[0, rank)`.
 * @throws InvalidArgumentError naming `fn` when `axis` is not an integer in range.
 */
export function normalizeAxis(fn: string, axis: number, rank: number): number {
  if (typeof axis !== "number" || !Number.isInteger(axis)) throw new InvalidArgumentError(fn, `an axis must be an integer, got ${fmtValue(axis)}`);
  if (axis < -rank || axis >= rank) throw new InvalidArgumentError(fn, `axis ${axis} is out of bounds for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * `normalizeAxes(fn, axes, rank)` normalizes each axis with {@link normalizeAxis}
 * and returns them sorted; `undefined` means every axis.
 * @throws InvalidArgumentError naming `fn` for an out-of-range or repeated axis.
 */
export function normalizeAxes(fn: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  if (!Array.isArray(list)) throw new InvalidArgumentError(fn, `axes must be an integer or an array of integers, got ${fmtValue(axes)}`);
  if (list.length > MAX_RANK) throw new InvalidArgumentError(fn, `axes lists ${list.length} axes; tensors have at most ${MAX_RANK}`);
  const out = list.map((a) => normalizeAxis(fn, a, rank));
  const sorted = [...out].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new InvalidArgumentError(fn, `repeated axis in ${fmtValue(axes)}`);
  }
  return sorted;
}

/**
 * `broadcastsTo(from, to)` is true when a tensor of shape `from` broadcasts to
 * exactly `to` (numpy rules, aligned from the right: each axis of `from` is 1
 * or equals `to`'s, and `from` has no more axes than `to`).
 */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  const lead = to.length - from.length;
  return lead >= 0 && from.every((d, i) => d === 1 || d === to[lead + i]);
}

/** `shapesEqual(a, b)` is true when `a` and `b` have the same rank and sizes. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
