/**
 * `where`: elementwise selection between two operands by a `bool` condition.
 */
import type { View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { allocHost } from "../dtype.js";
import { sizeOf } from "../shape.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

/** `where(cond, a, b)` is a fresh C-order array of `a`'s dtype holding `cond[i] ? a[i] : b[i]` over the common shape. */
export function where(cond: View, a: View, b: View): HostArray {
  const out = allocHost(a.dtype, sizeOf(a.shape));
  const srcC = hostArrayOf(cond.data);
  const srcA = hostArrayOf(a.data);
  const srcB = hostArrayOf(b.data);
  const cursor = rowCursor(a.shape, [cond, a, b]);
  const n = cursor.length;
  const sc = cursor.step(0);
  const sa = cursor.step(1);
  const sb = cursor.step(2);
  let o = 0;
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    let c = cursor.start(0);
    let i = cursor.start(1);
    let k = cursor.start(2);
    for (let j = 0; j < n; j++, c += sc, i += sa, k += sb) out[o++] = (srcC[c] as number) !== 0 ? (srcA[i] as number) : (srcB[k] as number);
  }
  return out;
}
