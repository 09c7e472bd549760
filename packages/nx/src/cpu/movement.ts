/**
 * Data movement: strided copies (behind `read`, `copy` and `cast`), `pad`,
 * `concat` and the block write of `updateSlice`.
 */
import type { PadWidth, View } from "../backend.js";
import type { DType, HostArray } from "../dtype.js";
import { allocZeroed } from "./pool.js";
import { contiguousStrides, sizeOf } from "../shape.js";
import { hostArrayOf } from "./storage.js";
import type { Layout } from "./strided.js";
import { rowCursor } from "./strided.js";

/** Rows at least this long are copied with `TypedArray.set` when both sides are contiguous. */
const BULK_ROW = 16;

/**
 * `copyStrided(src, from, dst, to, shape)` copies the elements of shape
 * `shape` at layout `from` in `src` to layout `to` in `dst`, converting as a
 * typed-array store does (which is `castScalar` for every dtype but `bool`).
 */
export function copyStrided(src: HostArray, from: Layout, dst: HostArray, to: Layout, shape: readonly number[]): void {
  const cursor = rowCursor(shape, [from, to]);
  const n = cursor.length;
  const ss = cursor.step(0);
  const ds = cursor.step(1);
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    let s = cursor.start(0);
    let d = cursor.start(1);
    if (ss === 1 && ds === 1 && n >= BULK_ROW) {
      dst.set(src.subarray(s, s + n), d);
      continue;
    }
    for (let j = 0; j < n; j++, s += ss, d += ds) dst[d] = src[s] as number;
  }
}

/** `toHost(x, dtype)` is a fresh C-order array of `dtype` (default `x.dtype`) holding the elements of `x`, stored as by {@link copyStrided}. */
export function toHost(x: View, dtype: DType = x.dtype): HostArray {
  const out = allocZeroed(dtype, sizeOf(x.shape));
  copyStrided(hostArrayOf(x.data), x, out, { strides: contiguousStrides(x.shape), offset: 0 }, x.shape);
  return out;
}

/**
 * `pad(x, widths, value)` is `x` with `widths[i].lo` elements before, `hi`
 * after and `interior` between neighbours along each axis `i`, all `value`.
 */
export function pad(x: View, widths: readonly PadWidth[], value: number): HostArray {
  const { shape, inner } = padLayout(x.shape, widths);
  const out = allocZeroed(x.dtype, sizeOf(shape));
  if (value !== 0) out.fill(value);
  if (sizeOf(x.shape) > 0) copyStrided(hostArrayOf(x.data), x, out, inner, x.shape);
  return out;
}

/**
 * `padLayout(shape, widths)` is the C-order `shape` of an array of `shape`
 * padded by `widths`, and the layout (`inner`) at which the input's elements
 * sit in it.
 */
export function padLayout(shape: readonly number[], widths: readonly PadWidth[]): { shape: number[]; inner: Layout } {
  const padded = shape.map((n, i) => {
    const w = widths[i] as PadWidth;
    return w.lo + w.hi + n + Math.max(n - 1, 0) * w.interior;
  });
  let offset = 0;
  const strides = contiguousStrides(padded).map((s, i) => {
    const w = widths[i] as PadWidth;
    offset += w.lo * s;
    return s * (w.interior + 1);
  });
  return { shape: padded, inner: { strides, offset } };
}

/** `concat(xs, axis)` joins `xs` (one dtype, shapes equal but along `axis`) along `axis`. */
export function concat(xs: readonly View[], axis: number): HostArray {
  const first = xs[0] as View;
  const shape = [...first.shape];
  shape[axis] = xs.reduce((total, x) => total + (x.shape[axis] as number), 0);
  const out = allocZeroed(first.dtype, sizeOf(shape));
  const strides = contiguousStrides(shape);
  const axisStride = strides[axis] as number;
  let at = 0;
  for (const x of xs) {
    copyStrided(hostArrayOf(x.data), x, out, { strides, offset: at * axisStride }, x.shape);
    at += x.shape[axis] as number;
  }
  return out;
}

/**
 * `blockLayout(shape, starts)` is the layout, in a C-order array of `shape`,
 * of the block whose first element is at `starts` (where `updateSlice`
 * writes its update).
 */
export function blockLayout(shape: readonly number[], starts: readonly number[]): Layout {
  const strides = contiguousStrides(shape);
  let offset = 0;
  starts.forEach((s, a) => (offset += s * (strides[a] as number)));
  return { strides, offset };
}

/**
 * `writeBlock(out, shape, update, starts)` writes the elements of `update`
 * into the C-order array `out` of `shape`, at `starts` (the block must fit).
 */
export function writeBlock(out: HostArray, shape: readonly number[], update: View, starts: readonly number[]): void {
  if (sizeOf(update.shape) === 0) return;
  copyStrided(hostArrayOf(update.data), update, out, blockLayout(shape, starts), update.shape);
}
