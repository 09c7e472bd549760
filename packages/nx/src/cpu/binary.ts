/**
 * Elementwise binary arithmetic: the exhaustive table of scalar rules and the strided kernel.
 */
import type { BinaryOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { allocHost, isFloat } from "../dtype.js";
import { sizeOf } from "../shape.js";
import { floatMod, floatPow, intMod, intPow, maxNaN, minNaN } from "./scalar.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

type Scalar2 = (a: number, b: number) => number;

/**
 * How one binary op computes an element for float and for integer (int32,
 * uint8, bool) operands, and whether its output is `bool`. Integer rules may
 * return any exact double: the integer store wraps it to the dtype.
 */
interface BinaryRule {
  readonly float: Scalar2;
  readonly int: Scalar2;
  readonly toBool: boolean;
}

const both = (f: Scalar2): BinaryRule => ({ float: f, int: f, toBool: false });
const logical = (f: Scalar2): BinaryRule => ({ float: f, int: f, toBool: true });

/** `BINARY[op]` is the rule of every binary op (see `BinaryOp` for the semantics). */
export const BINARY: Record<BinaryOp, BinaryRule> = {
  add: both((a, b) => a + b),
  sub: both((a, b) => a - b),
  mul: { float: (a, b) => a * b, int: Math.imul, toBool: false },
  div: both((a, b) => a / b),
  pow: { float: floatPow, int: intPow, toBool: false },
  mod: { float: floatMod, int: intMod, toBool: false },
  maximum: both(maxNaN),
  minimum: both(minNaN),
  logicalAnd: logical((a, b) => (a !== 0 && b !== 0 ? 1 : 0)),
  logicalOr: logical((a, b) => (a !== 0 || b !== 0 ? 1 : 0)),
};

/** The ops with an inlined row loop; the same loop serves every dtype (for `mul`, floats only). */
type InlinedOp = "add" | "sub" | "mul" | "div" | "maximum" | "minimum";

function inlinedOp(op: BinaryOp, float: boolean): InlinedOp | undefined {
  switch (op) {
    case "add":
    case "sub":
    case "div":
    case "maximum":
    case "minimum":
      return op;
    case "mul":
      return float ? op : undefined;
    default:
      return undefined;
  }
}

/** `zipRow(...)` writes `f(a[i], b[k])` along one row (positions `i`, `k` advancing by `sa`, `sb`) to `out[o..o+n)`. */
function zipRow(op: InlinedOp | undefined, f: Scalar2, a: HostArray, i: number, sa: number, b: HostArray, k: number, sb: number, out: HostArray, o: number, n: number): void {
  const end = o + n;
  switch (op) {
    case "add":
      for (; o < end; o++, i += sa, k += sb) out[o] = (a[i] as number) + (b[k] as number);
      return;
    case "sub":
      for (; o < end; o++, i += sa, k += sb) out[o] = (a[i] as number) - (b[k] as number);
      return;
    case "mul":
      for (; o < end; o++, i += sa, k += sb) out[o] = (a[i] as number) * (b[k] as number);
      return;
    case "div":
      for (; o < end; o++, i += sa, k += sb) out[o] = (a[i] as number) / (b[k] as number);
      return;
    case "maximum":
      for (; o < end; o++, i += sa, k += sb) {
        const x = a[i] as number;
        const y = b[k] as number;
        out[o] = x > y || x !== x ? x : y;
      }
      return;
    case "minimum":
      for (; o < end; o++, i += sa, k += sb) {
        const x = a[i] as number;
        const y = b[k] as number;
        out[o] = x < y || x !== x ? x : y;
      }
      return;
    case undefined:
      for (; o < end; o++, i += sa, k += sb) out[o] = f(a[i] as number, b[k] as number);
  }
}

/** `binary(op, a, b)` is a fresh C-order array of `op(a[i], b[i])` over the common shape (`bool` for the logical ops). */
export function binary(op: BinaryOp, a: View, b: View): HostArray {
  const rule = BINARY[op];
  const float = isFloat(a.dtype);
  const out = allocHost(rule.toBool ? "bool" : a.dtype, sizeOf(a.shape));
  const f = float ? rule.float : rule.int;
  const inlined = inlinedOp(op, float);
  const srcA = hostArrayOf(a.data);
  const srcB = hostArrayOf(b.data);
  const cursor = rowCursor(a.shape, [a, b]);
  const n = cursor.length;
  const sa = cursor.step(0);
  const sb = cursor.step(1);
  for (let r = 0; r < cursor.rows; r++, cursor.next()) zipRow(inlined, f, srcA, cursor.start(0), sa, srcB, cursor.start(1), sb, out, r * n, n);
  return out;
}
