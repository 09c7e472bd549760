/**
 * Elementwise unary ops. Integer inputs need no special case: `neg`/`abs`
 * results are exact doubles that the integer store wraps, and rounding an
 * integer is the identity.
 */
import type { UnaryOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { allocZeroed } from "./pool.js";
import { sizeOf } from "../shape.js";
import { erf } from "./erf.js";
import { roundHalfEven, sigmoid, sign } from "./scalar.js";
import { hostArrayOf } from "./storage.js";
import { forEachRow } from "./strided.js";

/** `PREDICATE[op]` is true for the ops whose output is `bool` (1/0) instead of the input's dtype. */
const PREDICATE: Record<UnaryOp, boolean> = {
  neg: false,
  abs: false,
  sign: false,
  floor: false,
  ceil: false,
  round: false,
  trunc: false,
  sqrt: false,
  exp: false,
  log: false,
  log1p: false,
  expm1: false,
  sin: false,
  cos: false,
  tan: false,
  tanh: false,
  sigmoid: false,
  erf: false,
  asin: false,
  acos: false,
  atan: false,
  sinh: false,
  cosh: false,
  asinh: false,
  acosh: false,
  atanh: false,
  log2: false,
  exp2: false,
  logicalNot: true,
  isNaN: true,
  isFinite: true,
  isInf: true,
};

/**
 * `mapRow(op, src, s, step, out, o, n)` writes `op(src[s + j * step])` to
 * `out[o + j]` for `j < n`. One loop per op, exhaustive by `switch`, so each
 * scalar function is called from its own site and V8 inlines it (a shared
 * call through a table would be megamorphic and cost more than most ops).
 */
function mapRow(op: UnaryOp, src: HostArray, s: number, step: number, out: HostArray, o: number, n: number): void {
  const end = o + n;
  switch (op) {
    case "neg":
      for (; o < end; o++, s += step) out[o] = -(src[s] as number);
      return;
    case "abs":
      for (; o < end; o++, s += step) out[o] = Math.abs(src[s] as number);
      return;
    case "sign":
      for (; o < end; o++, s += step) out[o] = sign(src[s] as number);
      return;
    case "floor":
      for (; o < end; o++, s += step) out[o] = Math.floor(src[s] as number);
      return;
    case "ceil":
      for (; o < end; o++, s += step) out[o] = Math.ceil(src[s] as number);
      return;
    case "round":
      for (; o < end; o++, s += step) out[o] = roundHalfEven(src[s] as number);
      return;
    case "trunc":
      for (; o < end; o++, s += step) out[o] = Math.trunc(src[s] as number);
      return;
    case "sqrt":
      for (; o < end; o++, s += step) out[o] = Math.sqrt(src[s] as number);
      return;
    case "exp":
      for (; o < end; o++, s += step) out[o] = Math.exp(src[s] as number);
      return;
    case "log":
      for (; o < end; o++, s += step) out[o] = Math.log(src[s] as number);
      return;
    case "log1p":
      for (; o < end; o++, s += step) out[o] = Math.log1p(src[s] as number);
      return;
    case "expm1":
      for (; o < end; o++, s += step) out[o] = Math.expm1(src[s] as number);
      return;
    case "sin":
      for (; o < end; o++, s += step) out[o] = Math.sin(src[s] as number);
      return;
    case "cos":
      for (; o < end; o++, s += step) out[o] = Math.cos(src[s] as number);
      return;
    case "tan":
      for (; o < end; o++, s += step) out[o] = Math.tan(src[s] as number);
      return;
    case "tanh":
      for (; o < end; o++, s += step) out[o] = Math.tanh(src[s] as number);
      return;
    case "sigmoid":
      for (; o < end; o++, s += step) out[o] = sigmoid(src[s] as number);
      return;
    case "erf":
      for (; o < end; o++, s += step) out[o] = erf(src[s] as number);
      return;
    case "asin":
      for (; o < end; o++, s += step) out[o] = Math.asin(src[s] as number);
      return;
    case "acos":
      for (; o < end; o++, s += step) out[o] = Math.acos(src[s] as number);
      return;
    case "atan":
      for (; o < end; o++, s += step) out[o] = Math.atan(src[s] as number);
      return;
    case "sinh":
      for (; o < end; o++, s += step) out[o] = Math.sinh(src[s] as number);
      return;
    case "cosh":
      for (; o < end; o++, s += step) out[o] = Math.cosh(src[s] as number);
      return;
    case "asinh":
      for (; o < end; o++, s += step) out[o] = Math.asinh(src[s] as number);
      return;
    case "acosh":
      for (; o < end; o++, s += step) out[o] = Math.acosh(src[s] as number);
      return;
    case "atanh":
      for (; o < end; o++, s += step) out[o] = Math.atanh(src[s] as number);
      return;
    case "log2":
      for (; o < end; o++, s += step) out[o] = Math.log2(src[s] as number);
      return;
    case "exp2":
      for (; o < end; o++, s += step) out[o] = 2 ** (src[s] as number);
      return;
    case "logicalNot":
      for (; o < end; o++, s += step) out[o] = Number(src[s] === 0);
      return;
    case "isNaN":
      for (; o < end; o++, s += step) {
        const x = src[s] as number;
        out[o] = Number(x !== x);
      }
      return;
    case "isFinite":
      for (; o < end; o++, s += step) {
        const x = src[s] as number;
        out[o] = Number(x - x === 0);
      }
      return;
    case "isInf":
      for (; o < end; o++, s += step) {
        const x = src[s] as number;
        out[o] = Number(x === Infinity || x === -Infinity);
      }
      return;
    default: {
      const unknown: never = op;
      throw new Error(`nx cpu: unknown unary op ${String(unknown)}`);
    }
  }
}

/** `unary(op, x)` is a fresh C-order array holding `op` of every element of `x` (`bool` for the predicates). */
export function unary(op: UnaryOp, x: View): HostArray {
  const out = allocZeroed(PREDICATE[op] ? "bool" : x.dtype, sizeOf(x.shape));
  const src = hostArrayOf(x.data);
  forEachRow(x.shape, [x], (c, o, n) => mapRow(op, src, c.start(0), c.step(0), out, o, n));
  return out;
}
