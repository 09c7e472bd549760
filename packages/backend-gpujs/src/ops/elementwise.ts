/**
 * The expression of every elementwise primitive, per dtype, as exhaustive
 * tables: `UNARY[op](dtype)` is an expression of `v0`, `BINARY[op](dtype)`
 * and `COMPARE[op]` of `v0` and `v1`. Integers are whole float32 values;
 * results are wrapped to the dtype (exact while |v| < 2^24).
 */
import type { BinaryOp, CompareOp, DType, UnaryOp } from "@raven-ts/nx";
import type { StoredDType } from "../dtypes.js";

type Expr = (dtype: StoredDType) => string;

/** `wrap(dtype, e)` wraps the whole-number expression `e` to an integer dtype (identity for floats and bool). */
export function wrap(dtype: StoredDType, e: string): string {
  if (dtype === "int32") return `nxWrapI32(${e})`;
  if (dtype === "uint8") return `nxWrapU8(${e})`;
  return e;
}

const float = (f: (v: string) => string, other: Expr = () => "v0"): Expr => (d) => (d === "float32" ? f("v0") : other(d));
/**
 * A transcendental float op with NaN passed through explicitly: some GLSL
 * implementations (SwiftShader) compute `exp`, `log`, ... of NaN by bit
 * tricks that return finite garbage.
 */
const transcendental = (f: (v: string) => string): Expr => float((v) => `(${v} != ${v}) ? ${v} : ${f(v)}`);
const bool = (cond: string): string => `(${cond}) ? 1.0 : 0.0`;

/** Unary ops. */
export const UNARY: Record<UnaryOp, Expr> = {
  neg: (d) => (d === "bool" ? "v0" : wrap(d, "-v0")),
  abs: (d) => (d === "float32" ? "Math.abs(v0)" : d === "int32" ? wrap(d, "Math.abs(v0)") : "v0"),
  sign: (d) => (d === "uint8" || d === "bool" ? bool("v0 > 0") : "nxSign(v0)"),
  floor: float((v) => `Math.floor(${v})`),
  ceil: float((v) => `Math.ceil(${v})`),
  round: float((v) => `nxRound(${v})`),
  trunc: float((v) => `nxTrunc(${v})`),
  sqrt: transcendental((v) => `nxSqrt(${v}, kNaN)`),
  exp: transcendental((v) => `Math.exp(${v})`),
  log: transcendental((v) => `nxLog(${v}, kNaN, kInf)`),
  log1p: transcendental((v) => `nxLog1p(${v}, kNaN, kInf)`),
  expm1: transcendental((v) => `nxExpm1(${v})`),
  sin: transcendental((v) => `nxSin(${v}, kNaN)`),
  cos: transcendental((v) => `nxCos(${v}, kNaN)`),
  tan: transcendental((v) => `nxTan(${v}, kNaN)`),
  tanh: transcendental((v) => `nxTanh(${v})`),
  sigmoid: transcendental((v) => `nxSigmoid(${v})`),
  erf: transcendental((v) => `nxErf(${v})`),
  asin: transcendental((v) => `nxAsin(${v}, kNaN)`),
  acos: transcendental((v) => `nxAcos(${v}, kNaN)`),
  atan: transcendental((v) => `nxAtan(${v})`),
  sinh: transcendental((v) => `nxSinh(${v})`),
  cosh: transcendental((v) => `nxCosh(${v})`),
  asinh: transcendental((v) => `nxAsinh(${v}, kNaN, kInf)`),
  acosh: transcendental((v) => `nxAcosh(${v}, kNaN, kInf)`),
  atanh: transcendental((v) => `nxAtanh(${v}, kNaN, kInf)`),
  log2: transcendental((v) => `nxLog2(${v}, kNaN, kInf)`),
  exp2: transcendental((v) => `nxExp2(${v}, kInf)`),
  logicalNot: () => bool("v0 == 0"),
  isNaN: () => bool("v0 != v0"),
  isFinite: () => bool("Math.abs(v0) <= 3.4028234663852886e38"),
  isInf: () => bool("Math.abs(v0) > 3.4028234663852886e38"),
};

/** Binary arithmetic. */
export const BINARY: Record<BinaryOp, Expr> = {
  add: (d) => wrap(d, "v0 + v1"),
  sub: (d) => wrap(d, "v0 - v1"),
  mul: (d) => wrap(d, "v0 * v1"),
  div: () => "v0 / v1",
  pow: (d) => (d === "float32" ? "nxPow(v0, v1, kNaN, kInf)" : d === "uint8" ? "nxIpowU8(v0, v1)" : "nxIpowI32(v0, v1)"),
  mod: (d) => (d === "float32" ? "nxFmod(v0, v1, kNaN)" : "nxImod(v0, v1)"),
  maximum: () => "nxMax(v0, v1)",
  minimum: () => "nxMin(v0, v1)",
  atan2: () => "nxAtan2(v0, v1, kNaN)",
  hypot: () => "nxHypot(v0, v1, kNaN, kInf)",
  logicalAnd: () => bool("v0 != 0 && v1 != 0"),
  logicalOr: () => bool("v0 != 0 || v1 != 0"),
  logicalXor: () => bool("(v0 != 0 && v1 == 0) || (v0 == 0 && v1 != 0)"),
};

/** Comparisons (IEEE: false with NaN except `notEqual`). */
export const COMPARE: Record<CompareOp, string> = {
  equal: bool("v0 == v1"),
  notEqual: bool("v0 != v1"),
  less: bool("v0 < v1"),
  lessEqual: bool("v0 <= v1"),
  greater: bool("v0 > v1"),
  greaterEqual: bool("v0 >= v1"),
};

/** `castExpr(from, to)` converts `v0` as `castScalar` does. */
export function castExpr(from: DType, to: StoredDType): string {
  if (to === "bool") return bool("v0 != 0");
  if (to === "float32" || from === to || from === "bool") return "v0";
  if (to === "int32") return from === "uint8" ? "v0" : "nxCastI32(v0)";
  return from === "int32" ? "nxWrapU8(v0)" : "nxCastU8(v0)";
}

/** `WHERE` selects `v1` where `v0` is true, else `v2`. */
export const WHERE = "(v0 != 0) ? v1 : v2";
