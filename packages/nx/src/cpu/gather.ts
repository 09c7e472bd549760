/**
 * `gather` (numpy's `take` along an axis) and its adjoint `scatterAdd`.
 *
 * Both split the data's axes into the ones before the gathered axis, the
 * index axes, and the ones after it, precompute the element positions of each
 * group once, and run one triple loop over them.
 */
import type { View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { allocZeroed } from "./pool.js";
import { sizeOf } from "../shape.js";
import { hostArrayOf } from "./storage.js";
import { axesLayout, offsetsOf } from "./strided.js";

/** `resolveIndices(indices, n)` is the indices in C order, a negative one wrapped once (`i + n`) and all clamped to `[0, n - 1]`. */
function resolveIndices(indices: View, n: number): Int32Array {
  const src = hostArrayOf(indices.data);
  const at = offsetsOf(indices.shape, indices);
  const out = new Int32Array(at.length);
  for (let j = 0; j < at.length; j++) {
    const i = src[at[j] as number] as number;
    const wrapped = i < 0 ? i + n : i;
    out[j] = wrapped < 0 ? 0 : wrapped >= n ? n - 1 : wrapped;
  }
  return out;
}

/**
 * `gather(x, indices, axis)` is a fresh C-order array of shape
 * `x.shape[:axis] + indices.shape + x.shape[axis+1:]` with
 * `out[p, j, q] = x[p, index(j), q]` (`x.shape[axis] > 0`; indices wrapped once, then clamped).
 */
export function gather(x: View, indices: View, axis: number): HostArray {
  const n = x.shape[axis] as number;
  const axisStride = x.strides[axis] as number;
  const rank = x.shape.length;
  const idx = resolveIndices(indices, n);
  const before = offsetsOf(x.shape.slice(0, axis), axesLayout(x, 0, axis, x.offset));
  const after = offsetsOf(x.shape.slice(axis + 1), axesLayout(x, axis + 1, rank, 0));
  const src = hostArrayOf(x.data);
  const out = allocZeroed(x.dtype, before.length * idx.length * after.length);
  let o = 0;
  for (let p = 0; p < before.length; p++) {
    for (let j = 0; j < idx.length; j++) {
      const base = (before[p] as number) + (idx[j] as number) * axisStride;
      for (let q = 0; q < after.length; q++) out[o++] = src[base + (after[q] as number)] as number;
    }
  }
  return out;
}

/**
 * `scatterAdd(updates, indices, axis, shape)` is a fresh C-order array of
 * `shape`, zero except that each slice `updates[p, j, q]` is added at
 * `[p, index(j), q]` (`shape[axis] > 0`; indices wrapped once, then clamped;
 * repeated indices accumulate).
 */
export function scatterAdd(updates: View, indices: View, axis: number, shape: readonly number[]): HostArray {
  const n = shape[axis] as number;
  const mid = axis + indices.shape.length;
  const rank = updates.shape.length;
  const idx = resolveIndices(indices, n);
  const before = offsetsOf(updates.shape.slice(0, axis), axesLayout(updates, 0, axis, updates.offset));
  const across = offsetsOf(indices.shape, axesLayout(updates, axis, mid, 0));
  const after = offsetsOf(updates.shape.slice(mid), axesLayout(updates, mid, rank, 0));
  const src = hostArrayOf(updates.data);
  const out = allocZeroed(updates.dtype, sizeOf(shape));
  const inner = after.length;
  for (let p = 0; p < before.length; p++) {
    for (let j = 0; j < idx.length; j++) {
      const from = (before[p] as number) + (across[j] as number);
      const to = (p * n + (idx[j] as number)) * inner;
      for (let q = 0; q < inner; q++) out[to + q] = (out[to + q] as number) + (src[from + (after[q] as number)] as number);
    }
  }
  return out;
}
