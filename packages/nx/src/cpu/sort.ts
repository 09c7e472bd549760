/**
 * `sort`: stable sorting along one axis (the values, or their indices).
 *
 * Each lane is sorted on its own, stably, with NaN above every number (last
 * ascending, first descending) and `-0` equal to `0`:
 * - lanes of float32, int32, uint8 or bool of at least {@link RADIX_MIN}
 *   elements by an LSD radix sort of order-preserving 32-bit keys (11 bits
 *   per pass, passes whose digit is constant skipped): linear time, stable by
 *   construction, no comparisons;
 * - shorter lanes and float64 by a bottom-up merge sort of indices on float64
 *   keys (negated for a descending sort, NaNs set aside in order);
 * - a top-k of those 32-bit dtypes with `k` at most {@link SELECT_MAX_K} and
 *   an eighth of the lane by selection: a max-heap of the `k` best (key,
 *   index) pairs over one pass (`O(n log k)`), then the `k` sorted.
 */
import type { SortOp, View } from "../backend.js";
import type { DType, HostArray } from "../dtype.js";
import { contiguousStrides, sizeOf } from "../shape.js";
import { allocZeroed } from "./pool.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

/** Lanes shorter than this are merge-sorted (the radix sort's bucket passes cost more there). */
const RADIX_MIN = 256;
/** Bits of the key one radix pass orders. */
const DIGIT_BITS = 11;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;
/** A top-k selects (instead of sorting the whole lane) up to this `k`, when `k` is at most an eighth of the lane. */
export const SELECT_MAX_K = 128;
/** Runs of this length are sorted by insertion before merging. */
const RUN = 16;
/**
 * `selectsTopK(n, k)` is whether the first `k` of a lane of `n` elements of
 * a 32-bit dtype are selected (a heap of the `k` best) rather than sorted:
 * `k` at most {@link SELECT_MAX_K} and an eighth of the lane.
 */
export function selectsTopK(n: number, k: number): boolean {
  return k <= SELECT_MAX_K && 8 * k <= n;
}

/** Scratch arrays for lanes up to this length (3 MiB) are kept between calls: decoding sorts vocabulary-sized lanes every step. */
const KEPT_SCRATCH = 1 << 17;

/** Per-lane working arrays: keys and indices, and a second set a pass writes into. */
interface Scratch {
  keys: Uint32Array;
  order: Int32Array;
  keys2: Uint32Array;
  order2: Int32Array;
  floats: Float64Array;
  readonly counts: Int32Array;
}

let kept: Scratch | undefined;

/** `scratch(n)` is working arrays for lanes of `n` elements: the kept ones when large enough, else new ones (kept when `n` allows). */
function scratch(n: number): Scratch {
  if (kept !== undefined && kept.order.length >= n) return kept;
  const s: Scratch = {
    keys: new Uint32Array(n),
    order: new Int32Array(n),
    keys2: new Uint32Array(n),
    order2: new Int32Array(n),
    floats: new Float64Array(n),
    counts: new Int32Array(1 << DIGIT_BITS),
  };
  if (n <= KEPT_SCRATCH) kept = s;
  return s;
}

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
      // Already in order: copy the pair of runs as they are.
      if (mid >= hi || (keys[src[mid - 1] as number] as number) <= (keys[src[mid] as number] as number)) {
        dst.set(src.subarray(lo, hi), lo);
        continue;
      }
      let i = lo;
      let j = mid;
      let o = lo;
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

/** `mergeLane(src, p, step, n, descending, s)` writes to `s.order[0..n)` the sorted positions of one lane, by merge sort on float64 keys. */
function mergeLane(src: HostArray, p: number, step: number, n: number, descending: boolean, s: Scratch): void {
  // Numbers go to the front of `order` (their keys negated when descending), NaNs to `order2` in order.
  const { floats: keys, order, order2: nanList } = s;
  let count = 0;
  let nans = 0;
  for (let i = 0, at = p; i < n; i++, at += step) {
    const v = src[at] as number;
    if (v !== v) nanList[nans++] = i;
    else {
      keys[i] = descending ? -v : v;
      order[count++] = i;
    }
  }
  // The NaNs are copied out before order2 becomes the merge's scratch.
  const nanIndices = nans === 0 ? undefined : nanList.slice(0, nans);
  sortIndices(keys, order, s.order2, count);
  if (nanIndices === undefined) return;
  if (descending) {
    order.copyWithin(nans, 0, count);
    order.set(nanIndices, 0);
  } else order.set(nanIndices, count);
}

/**
 * `radixKeys(dtype, src, p, step, n, descending, keys)` writes the
 * order-preserving unsigned 32-bit key of each element of one lane: float32
 * bit patterns with the sign folded (`-0` as `0`, every NaN above +Infinity),
 * int32 with its sign bit flipped, uint8 and bool as they are; complemented
 * for a descending sort.
 */
function radixKeys(dtype: DType, src: HostArray, p: number, step: number, n: number, descending: boolean, keys: Uint32Array): void {
  const flip = descending ? 0xffffffff : 0;
  if (dtype === "float32") {
    const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
    for (let i = 0, at = p; i < n; i++, at += step) {
      const b = bits[at] as number;
      let k: number;
      if ((b & 0x7fffffff) > 0x7f800000) k = 0xffffffff;
      else if (b === 0x80000000) k = 0x80000000;
      else k = b & 0x80000000 ? ~b : b | 0x80000000;
      keys[i] = (k ^ flip) >>> 0;
    }
  } else if (dtype === "int32") {
    for (let i = 0, at = p; i < n; i++, at += step) keys[i] = ((src[at] as number) ^ 0x80000000 ^ flip) >>> 0;
  } else {
    for (let i = 0, at = p; i < n; i++, at += step) keys[i] = ((src[at] as number) ^ flip) >>> 0;
  }
}

/** `radixLane(dtype, src, p, step, n, descending, s)` writes to `s.order[0..n)` the sorted positions of one lane, by LSD radix sort (stable). */
function radixLane(dtype: DType, src: HostArray, p: number, step: number, n: number, descending: boolean, s: Scratch): void {
  radixKeys(dtype, src, p, step, n, descending, s.keys);
  for (let i = 0; i < n; i++) s.order[i] = i;
  const counts = s.counts;
  for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
    const { keys, order, keys2, order2 } = s;
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const d = ((keys[i] as number) >>> shift) & DIGIT_MASK;
      counts[d] = (counts[d] as number) + 1;
    }
    // Every key has the same digit here: this pass would not move anything.
    if (counts[((keys[0] as number) >>> shift) & DIGIT_MASK] === n) continue;
    let sum = 0;
    for (let d = 0; d <= DIGIT_MASK; d++) {
      const c = counts[d] as number;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i] as number;
      const d = (k >>> shift) & DIGIT_MASK;
      const at = counts[d] as number;
      counts[d] = at + 1;
      keys2[at] = k;
      order2[at] = order[i] as number;
    }
    s.keys = keys2;
    s.keys2 = keys;
    s.order = order2;
    s.order2 = order;
  }
}

/**
 * `selectLane(dtype, src, p, step, n, k, descending, s)` writes to
 * `s.order[0..k)` the positions of the first `k` elements of one lane's
 * sorted order (`1 <= k < n`): a max-heap of the `k` best keys seen so far
 * (ties: the lower index is better), its root replaced whenever a later
 * element beats it, then the `k` kept sorted by insertion.
 */
function selectLane(dtype: DType, src: HostArray, p: number, step: number, n: number, k: number, descending: boolean, s: Scratch): void {
  radixKeys(dtype, src, p, step, n, descending, s.keys);
  const { keys, order2: heap, order } = s;
  const worse = (a: number, b: number): boolean => (keys[a] as number) > (keys[b] as number) || ((keys[a] as number) === (keys[b] as number) && a > b);
  const siftDown = (from: number): void => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k) return;
      const r = l + 1;
      const c = r < k && worse(heap[r] as number, heap[l] as number) ? r : l;
      if (!worse(heap[c] as number, heap[i] as number)) return;
      const t = heap[i] as number;
      heap[i] = heap[c] as number;
      heap[c] = t;
      i = c;
    }
  };
  for (let i = 0; i < k; i++) heap[i] = i;
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(i);
  for (let i = k; i < n; i++) {
    // A later index loses ties, so only a strictly smaller key enters.
    if ((keys[i] as number) < (keys[heap[0] as number] as number)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  for (let i = 0; i < k; i++) {
    const v = heap[i] as number;
    let j = i - 1;
    while (j >= 0 && worse(order[j] as number, v)) {
      order[j + 1] = order[j] as number;
      j--;
    }
    order[j + 1] = v;
  }
}

/**
 * `sort(op, x, axis, descending, k)` is a fresh C-order array of `x`'s shape
 * with `axis` of size `k`, holding along `axis` the first `k` values of each
 * lane in sorted order (`sort`, in `x.dtype`) or their int32 indices
 * (`argsort`); see `SortOp` for the order.
 */
export function sort(op: SortOp, x: View, axis: number, descending: boolean, k: number): HostArray {
  const outShape = x.shape.map((d, i) => (i === axis ? k : d));
  const size = sizeOf(outShape);
  const out = op === "argsort" ? new Int32Array(size) : allocZeroed(x.dtype, size);
  const n = x.shape[axis] as number;
  if (size === 0) return out;
  const s = scratch(n);
  const keyed = x.dtype !== "float64";
  const select = keyed && selectsTopK(n, k);
  const radix = keyed && n >= RADIX_MIN;
  const lineIn = x.strides[axis] as number;
  const lineOut = contiguousStrides(outShape)[axis] as number;
  const others = (st: readonly number[]): number[] => st.filter((_, i) => i !== axis);
  const src = hostArrayOf(x.data);
  const cursor = rowCursor(others(x.shape), [
    { strides: others(x.strides), offset: x.offset },
    { strides: others(contiguousStrides(outShape)), offset: 0 },
  ]);
  const si = cursor.step(0);
  const so = cursor.step(1);
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    for (let j = 0, p = cursor.start(0), q = cursor.start(1); j < cursor.length; j++, p += si, q += so) {
      if (select) selectLane(x.dtype, src, p, lineIn, n, k, descending, s);
      else if (radix) radixLane(x.dtype, src, p, lineIn, n, descending, s);
      else mergeLane(src, p, lineIn, n, descending, s);
      const order = s.order;
      if (op === "argsort") for (let i = 0, b = q; i < k; i++, b += lineOut) out[b] = order[i] as number;
      else for (let i = 0, b = q; i < k; i++, b += lineOut) out[b] = src[p + (order[i] as number) * lineIn] as number;
    }
  }
  return out;
}
