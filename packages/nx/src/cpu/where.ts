/**
 * `where`: elementwise selection between two operands by a `bool` condition.
 */
import type { View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { allocZeroed } from "./pool.js";
import { sizeOf } from "../shape.js";
import { hostArrayOf } from "./storage.js";
import { forEachRow } from "./strided.js";

/**
 * `selectRow(cond, c, sc, a, i, sa, b, k, sb, out, o, n)` writes
 * `cond[c] ? a[i] : b[k]` along one row (positions advancing by `sc`, `sa`,
 * `sb`) to `out[o..o+n)`.
 */
function selectRow(cond: HostArray, c: number, sc: number, a: HostArray, i: number, sa: number, b: HostArray, k: number, sb: number, out: HostArray, o: number, n: number): void {
  const end = o + n;
  for (; o < end; o++, c += sc, i += sa, k += sb) out[o] = (cond[c] as number) !== 0 ? (a[i] as number) : (b[k] as number);
}

/** `where(cond, a, b)` is a fresh C-order array of `a`'s dtype holding `cond[i] ? a[i] : b[i]` over the common shape. */
export function where(cond: View, a: View, b: View): HostArray {
  const out = allocZeroed(a.dtype, sizeOf(a.shape));
  const srcC = hostArrayOf(cond.data);
  const srcA = hostArrayOf(a.data);
  const srcB = hostArrayOf(b.data);
  forEachRow(a.shape, [cond, a, b], (c, o, n) => selectRow(srcC, c.start(0), c.step(0), srcA, c.start(1), c.step(1), srcB, c.start(2), c.step(2), out, o, n));
  return out;
}
