/**
 * `softmax` and `logSoftmax` along the last axis, in one pass per row, with
 * the roundings of the composed form (`max`, `sub`, `exp`, `sum`, `div` or
 * `log`, `sub`): float32 values are rounded to float32 after each of those
 * steps and the row's sum accumulates in float64, so the fused kernel gives
 * the composed result bit for bit.
 */
import type { SoftmaxOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { sizeOf } from "../shape.js";
import { allocZeroed } from "./pool.js";
import { maxNaN } from "./scalar.js";
import { hostArrayOf } from "./storage.js";
import { offsetsOf } from "./strided.js";

const identity = (v: number): number => v;

/** `softmax(op, x)` is a fresh C-order array of `x`'s shape and dtype: `op` along the last axis of every row (see `SoftmaxOp`). */
export function softmax(op: SoftmaxOp, x: View): HostArray {
  const out = allocZeroed(x.dtype, sizeOf(x.shape));
  const rank = x.shape.length;
  const n = x.shape[rank - 1] as number;
  const step = x.strides[rank - 1] as number;
  const round = x.dtype === "float32" ? Math.fround : identity;
  const src = hostArrayOf(x.data);
  const starts = offsetsOf(x.shape.slice(0, rank - 1), { strides: x.strides.slice(0, rank - 1), offset: x.offset });
  for (let r = 0, o = 0; r < starts.length; r++, o += n) {
    const start = starts[r] as number;
    let m = Number.NEGATIVE_INFINITY;
    for (let j = 0, p = start; j < n; j++, p += step) m = maxNaN(src[p] as number, m);
    const shift = Number.isFinite(m) ? m : 0;
    let sum = 0;
    for (let j = 0, p = start; j < n; j++, p += step) {
      const e = round(Math.exp(round((src[p] as number) - shift)));
      out[o + j] = e;
      sum += e;
    }
    const total = round(sum);
    if (op === "softmax") {
      for (let j = 0; j < n; j++) out[o + j] = round((out[o + j] as number) / total);
    } else {
      const logSum = round(Math.log(total));
      for (let j = 0, p = start; j < n; j++, p += step) out[o + j] = round(round((src[p] as number) - shift) - logSum);
    }
  }
  return out;
}
