/**
 * `sort`: stable sorting along one axis (the values, or their indices).
 *
 * Each lane is sorted on its own: its values are copied into a float64 key
 * array (negated for a descending sort, which keeps equal keys in their
 * original order), NaNs are set aside in order (they go last ascending and
 * first descending), and the rest is sorted by a bottom-up merge sort of
 * indices, which is stable by construction and never calls a comparator.
 */
import type { SortOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { contiguousStrides, sizeOf } from "../shape.js";
import { allocZeroed } from "./pool.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

/** Runs of this length are sorted by insertion before merging. */
const RUN = 16;

/**
 * `sortIndices(keys, order, tmp, n)` sorts `order[0..n)` (indices into
 * `keys`, which holds no NaN) by ascending key, stably; `tmp` is scratch of
 * at least `n` entries.
 */
function sortIndices(keys: Float64Array, order: Int32Array, tmp: Int32Array, n: number): void {
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const v = order[i] as number;
      const k = keys[v] as number;
      let j = i - 1;
      while (j >= lo && (keys[order[j] as number] as number) > k) {
        order[j + 1] = order[j] as number;
        j--;
      }
      order[j + 1] = v;
    }
  }
  let src = order;
  let dst = tmp;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let o = lo;
      // Already in order: copy the pair of runs as they are.
      if (mid >= hi || (keys[src[mid - 1] as number] as number) <= (keys[src[mid] as number] as number)) {
        dst.set(src.subarray(lo, hi), lo);
        continue;
      }
      while (i < mid && j < hi) {
        const a = src[i] as number;
        const b = src[j] as number;
        // Ties take the left run first: stability.
        if ((keys[b] as number) < (keys[a] as number)) {
          dst[o++] = b;
          j++;
        } else {
          dst[o++] = a;
          i++;
        }
      }
      while (i < mid) dst[o++] = src[i++] as number;
      while (j < hi) dst[o++] = src[j++] as number;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== order) order.set(src.subarray(0, n));
}

/**
 * `sortLane(src, p, step, n, descending, keys, order, tmp)` writes to
 * `order[0..n)` the positions along one lane (`n` values of `src` from `p`
 * by `step`) in sorted order: stable, NaN above every number.
 */
function sortLane(src: HostArray, p: number, step: number, n: number, descending: boolean, keys: Float64Array, order: Int32Array, tmp: Int32Array): void {
  // Numbers go to the front of `order` (their keys negated when descending), NaNs to `tmp` in order.
  let count = 0;
  let nans = 0;
  for (let i = 0, s = p; i < n; i++, s += step) {
    const v = src[s] as number;
    if (v !== v) tmp[nans++] = i;
    else {
      keys[i] = descending ? -v : v;
      order[count++] = i;
    }
  }
  if (nans === 0) {
    sortIndices(keys, order, tmp, n);
    return;
  }
  const nanList = tmp.slice(0, nans);
  sortIndices(keys, order, tmp, count);
  if (descending) {
    order.copyWithin(nans, 0, count);
    order.set(nanList, 0);
  } else order.set(nanList, count);
}

/**
 * `sort(op, x, axis, descending)` is a fresh C-order array of `x`'s shape
 * holding, along `axis`, the values of each lane in sorted order (`sort`, in
 * `x.dtype`) or their int32 indices (`argsort`); see `SortOp` for the order.
 */
export function sort(op: SortOp, x: View, axis: number, descending: boolean): HostArray {
  const size = sizeOf(x.shape);
  const out = op === "argsort" ? new Int32Array(size) : allocZeroed(x.dtype, size);
  const n = x.shape[axis] as number;
  if (size === 0) return out;
  const keys = new Float64Array(n);
  const order = new Int32Array(n);
  const tmp = new Int32Array(n);
  const lineIn = x.strides[axis] as number;
  const lineOut = contiguousStrides(x.shape)[axis] as number;
  const others = (s: readonly number[]): number[] => s.filter((_, i) => i !== axis);
  const src = hostArrayOf(x.data);
  const cursor = rowCursor(others(x.shape), [
    { strides: others(x.strides), offset: x.offset },
    { strides: others(contiguousStrides(x.shape)), offset: 0 },
  ]);
  const si = cursor.step(0);
  const so = cursor.step(1);
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    for (let j = 0, p = cursor.start(0), q = cursor.start(1); j < cursor.length; j++, p += si, q += so) {
      sortLane(src, p, lineIn, n, descending, keys, order, tmp);
      if (op === "argsort") for (let i = 0, b = q; i < n; i++, b += lineOut) out[b] = order[i] as number;
      else for (let i = 0, b = q; i < n; i++, b += lineOut) out[b] = src[p + (order[i] as number) * lineIn] as number;
    }
  }
  return out;
}
