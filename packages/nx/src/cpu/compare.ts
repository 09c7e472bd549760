/**
 * Elementwise comparisons. Every comparison with NaN is false except
 * `notEqual`, as IEEE (and JavaScript) has it.
 */
import type { CompareOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { sizeOf } from "../shape.js";
import { hostArrayOf } from "./storage.js";
import { forEachRow } from "./strided.js";

/**
 * `compareRow(op, a, i, sa, b, k, sb, out, o, n)` writes `a[i] op b[k]` as 1/0
 * along one row (positions advancing by `sa`, `sb`) to `out[o..o+n)`. One
 * loop per op, exhaustive by `switch`; `Number(boolean)` compiles branch-free.
 */
function compareRow(op: CompareOp, a: HostArray, i: number, sa: number, b: HostArray, k: number, sb: number, out: Uint8Array, o: number, n: number): void {
  const end = o + n;
  switch (op) {
    case "equal":
      for (; o < end; o++, i += sa, k += sb) out[o] = Number(a[i] === b[k]);
      return;
    case "notEqual":
      for (; o < end; o++, i += sa, k += sb) out[o] = Number(a[i] !== b[k]);
      return;
    case "less":
      for (; o < end; o++, i += sa, k += sb) out[o] = Number((a[i] as number) < (b[k] as number));
      return;
    case "lessEqual":
      for (; o < end; o++, i += sa, k += sb) out[o] = Number((a[i] as number) <= (b[k] as number));
      return;
    case "greater":
      for (; o < end; o++, i += sa, k += sb) out[o] = Number((a[i] as number) > (b[k] as number));
      return;
    case "greaterEqual":
      for (; o < end; o++, i += sa, k += sb) out[o] = Number((a[i] as number) >= (b[k] as number));
      return;
    default: {
      const unknown: never = op;
      throw new Error(`nx cpu: unknown comparison ${String(unknown)}`);
    }
  }
}

/** `compare(op, a, b)` is a fresh C-order `bool` array (a `Uint8Array` of 1/0) of `a[i] op b[i]` over the common shape. */
export function compare(op: CompareOp, a: View, b: View): HostArray {
  const out = new Uint8Array(sizeOf(a.shape));
  const srcA = hostArrayOf(a.data);
  const srcB = hostArrayOf(b.data);
  forEachRow(a.shape, [a, b], (c, o, n) => compareRow(op, srcA, c.start(0), c.step(0), srcB, c.start(1), c.step(1), out, o, n));
  return out;
}
