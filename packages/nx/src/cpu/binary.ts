/**
 * Elementwise binary arithmetic. Integer operands (int32, uint8, bool) may
 * produce any exact double: the integer store wraps it to the dtype, so only
 * `mul` (whose int32 product can exceed 2^53), `pow` and `mod` differ from
 * their float versions.
 */
import type { BinaryOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { isFloat } from "../dtype.js";
import { allocZeroed } from "./pool.js";
import { sizeOf } from "../shape.js";
import { floatMod, floatPow, intMod, intPow, maxNaN, minNaN } from "./scalar.js";
import { hostArrayOf } from "./storage.js";
import { forEachRow } from "./strided.js";

/** `LOGICAL[op]` is true for the ops whose output is `bool` (1/0) instead of the operands' dtype. */
const LOGICAL: Record<BinaryOp, boolean> = {
  add: false,
  sub: false,
  mul: false,
  div: false,
  pow: false,
  mod: false,
  maximum: false,
  minimum: false,
  atan2: false,
  hypot: false,
  logicalAnd: true,
  logicalOr: true,
  logicalXor: true,
};

/**
 * `zipRow(op, float, a, i, sa, b, k, sb, out, o, n)` writes `a[i] op b[k]`
 * along one row (positions advancing by `sa`, `sb`) to `out[o..o+n)`, with
 * the float or the integer semantics. One loop per op (and per semantics),
 * exhaustive by `switch`, so V8 inlines every scalar function.
 */
function zipRow(op: BinaryOp, float: boolean, a: HostArray, i: number, sa: number, b: HostArray, k: number, sb: number, out: HostArray, o: number, n: number): void {
  const end = o + n;
  switch (op) {
    case "add":
      for (; o < end; o++, i += sa, k += sb) out[o] = (a[i] as number) + (b[k] as number);
      return;
    case "sub":
      for (; o < end; o++, i += sa, k += sb) out[o] = (a[i] as number) - (b[k] as number);
      return;
    case "mul":
      if (float) for (; o < end; o++, i += sa, k += sb) out[o] = (a[i] as number) * (b[k] as number);
      else for (; o < end; o++, i += sa, k += sb) out[o] = Math.imul(a[i] as number, b[k] as number);
      return;
    case "div":
      for (; o < end; o++, i += sa, k += sb) out[o] = (a[i] as number) / (b[k] as number);
      return;
    case "pow":
      if (float) for (; o < end; o++, i += sa, k += sb) out[o] = floatPow(a[i] as number, b[k] as number);
      else for (; o < end; o++, i += sa, k += sb) out[o] = intPow(a[i] as number, b[k] as number);
      return;
    case "mod":
      if (float) for (; o < end; o++, i += sa, k += sb) out[o] = floatMod(a[i] as number, b[k] as number);
      else for (; o < end; o++, i += sa, k += sb) out[o] = intMod(a[i] as number, b[k] as number);
      return;
    case "maximum":
      for (; o < end; o++, i += sa, k += sb) out[o] = maxNaN(a[i] as number, b[k] as number);
      return;
    case "minimum":
      for (; o < end; o++, i += sa, k += sb) out[o] = minNaN(a[i] as number, b[k] as number);
      return;
    case "atan2":
      for (; o < end; o++, i += sa, k += sb) out[o] = Math.atan2(a[i] as number, b[k] as number);
      return;
    case "hypot":
      for (; o < end; o++, i += sa, k += sb) out[o] = Math.hypot(a[i] as number, b[k] as number);
      return;
    case "logicalAnd":
      for (; o < end; o++, i += sa, k += sb) out[o] = Number(a[i] !== 0 && b[k] !== 0);
      return;
    case "logicalOr":
      for (; o < end; o++, i += sa, k += sb) out[o] = Number(a[i] !== 0 || b[k] !== 0);
      return;
    case "logicalXor":
      for (; o < end; o++, i += sa, k += sb) out[o] = Number((a[i] !== 0) !== (b[k] !== 0));
      return;
    default: {
      const unknown: never = op;
      throw new Error(`nx cpu: unknown binary op ${String(unknown)}`);
    }
  }
}

/**
 * `binary(op, a, b)` is a fresh C-order array of `op(a[i], b[i])` over the
 * common shape (`bool` for the logical ops): integer results wrap, `mod`
 * takes the divisor's sign (integer `mod` by 0 is 0), integer `pow` with a
 * negative exponent is 0 unless the base is ±1, `maximum`/`minimum` propagate NaN.
 */
export function binary(op: BinaryOp, a: View, b: View): HostArray {
  const out = allocZeroed(LOGICAL[op] ? "bool" : a.dtype, sizeOf(a.shape));
  const float = isFloat(a.dtype);
  const srcA = hostArrayOf(a.data);
  const srcB = hostArrayOf(b.data);
  forEachRow(a.shape, [a, b], (c, o, n) => zipRow(op, float, srcA, c.start(0), c.step(0), srcB, c.start(1), c.step(1), out, o, n));
  return out;
}
