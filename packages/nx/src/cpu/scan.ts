/**
 * `scan`: inclusive cumulative sums and products along one axis.
 */
import type { ReduceOp, ScanOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { allocZeroed } from "./pool.js";
import { contiguousStrides, sizeOf } from "../shape.js";
import { FOLDS, foldKind } from "./fold.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

/** `SCAN_FOLD[op]` is the reduction whose running value `op` outputs. */
const SCAN_FOLD: Record<ScanOp, ReduceOp> = { cumsum: "sum", cumprod: "prod" };

/**
 * `scan(op, x, axis)` is a fresh C-order array of `x`'s shape and dtype with
 * `out[..., i, ...] = x[..., 0, ...] ∘ ... ∘ x[..., i, ...]`. The running
 * value is a double (float32 accumulates in float64; integers wrap every step).
 */
export function scan(op: ScanOp, x: View, axis: number): HostArray {
  const out = allocZeroed(x.dtype, sizeOf(x.shape));
  const rule = FOLDS[SCAN_FOLD[op]];
  const kind = foldKind(x.dtype);
  const f = rule.fold[kind];
  const init = op === "cumsum" && kind === "float" ? -0 : rule.identity[x.dtype];
  const n = x.shape[axis] as number;
  const outStrides = contiguousStrides(x.shape);
  const lineIn = x.strides[axis] as number;
  const lineOut = outStrides[axis] as number;
  const others = (s: readonly number[]): number[] => s.filter((_, i) => i !== axis);
  const src = hostArrayOf(x.data);
  const cursor = rowCursor(others(x.shape), [
    { strides: others(x.strides), offset: x.offset },
    { strides: others(outStrides), offset: 0 },
  ]);
  const si = cursor.step(0);
  const so = cursor.step(1);
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    for (let j = 0, p = cursor.start(0), q = cursor.start(1); j < cursor.length; j++, p += si, q += so) {
      let acc = init;
      for (let i = 0, a = p, b = q; i < n; i++, a += lineIn, b += lineOut) {
        acc = f(acc, src[a] as number);
        out[b] = acc;
      }
    }
  }
  return out;
}
