/**
 * Elementwise unary ops: the exhaustive table of scalar rules and the strided kernel.
 */
import type { UnaryOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { allocHost } from "../dtype.js";
import { sizeOf } from "../shape.js";
import { erf } from "./erf.js";
import { roundHalfEven, sigmoid, sign } from "./scalar.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

/** How one unary op computes an element, and whether its output is `bool` rather than the input's dtype. */
interface UnaryRule {
  readonly apply: (x: number) => number;
  readonly toBool: boolean;
}

const keep = (apply: (x: number) => number): UnaryRule => ({ apply, toBool: false });
const test = (apply: (x: number) => number): UnaryRule => ({ apply, toBool: true });

/**
 * `UNARY[op]` is the rule of every unary op. Integer inputs need no special
 * case: `neg`/`abs` results are exact doubles that the integer store wraps,
 * and rounding an integer is the identity.
 */
export const UNARY: Record<UnaryOp, UnaryRule> = {
  neg: keep((x) => -x),
  abs: keep(Math.abs),
  sign: keep(sign),
  floor: keep(Math.floor),
  ceil: keep(Math.ceil),
  round: keep(roundHalfEven),
  sqrt: keep(Math.sqrt),
  exp: keep(Math.exp),
  log: keep(Math.log),
  log1p: keep(Math.log1p),
  expm1: keep(Math.expm1),
  sin: keep(Math.sin),
  cos: keep(Math.cos),
  tan: keep(Math.tan),
  tanh: keep(Math.tanh),
  sigmoid: keep(sigmoid),
  erf: keep(erf),
  logicalNot: test((x) => (x === 0 ? 1 : 0)),
  isNaN: test((x) => (x !== x ? 1 : 0)),
  isFinite: test((x) => (x - x === 0 ? 1 : 0)),
};

/**
 * `mapRow(op, f, src, s, step, out, o, n)` writes `f(src[s + j * step])` to
 * `out[o + j]` for `j < n`, with inlined loops for the ops models run most.
 */
function mapRow(op: UnaryOp, f: (x: number) => number, src: HostArray, s: number, step: number, out: HostArray, o: number, n: number): void {
  const end = o + n;
  switch (op) {
    case "neg":
      for (; o < end; o++, s += step) out[o] = -(src[s] as number);
      return;
    case "exp":
      for (; o < end; o++, s += step) out[o] = Math.exp(src[s] as number);
      return;
    default:
      for (; o < end; o++, s += step) out[o] = f(src[s] as number);
  }
}

/** `unary(op, x)` is a fresh C-order array holding `op` of every element of `x` (`bool` for the predicates). */
export function unary(op: UnaryOp, x: View): HostArray {
  const rule = UNARY[op];
  const out = allocHost(rule.toBool ? "bool" : x.dtype, sizeOf(x.shape));
  const src = hostArrayOf(x.data);
  const cursor = rowCursor(x.shape, [x]);
  const n = cursor.length;
  for (let r = 0; r < cursor.rows; r++, cursor.next()) mapRow(op, rule.apply, src, cursor.start(0), cursor.step(0), out, r * n, n);
  return out;
}
