/**
 * Elementwise comparisons: the exhaustive table and the strided kernel. Every
 * comparison with NaN is false except `notEqual`, as IEEE (and JavaScript) has it.
 */
import type { CompareOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { sizeOf } from "../shape.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

/** `COMPARE[op](a, b)` is 1 when `a op b` holds, else 0. */
export const COMPARE: Record<CompareOp, (a: number, b: number) => number> = {
  equal: (a, b) => (a === b ? 1 : 0),
  notEqual: (a, b) => (a !== b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
};

/** `compare(op, a, b)` is a fresh C-order `bool` array (a `Uint8Array` of 1/0) of `a[i] op b[i]` over the common shape. */
export function compare(op: CompareOp, a: View, b: View): HostArray {
  const test = COMPARE[op];
  const out = new Uint8Array(sizeOf(a.shape));
  const srcA = hostArrayOf(a.data);
  const srcB = hostArrayOf(b.data);
  const cursor = rowCursor(a.shape, [a, b]);
  const n = cursor.length;
  const sa = cursor.step(0);
  const sb = cursor.step(1);
  let o = 0;
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    for (let j = 0, i = cursor.start(0), k = cursor.start(1); j < n; j++, i += sa, k += sb) out[o++] = test(srcA[i] as number, srcB[k] as number);
  }
  return out;
}
