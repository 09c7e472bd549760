/**
 * Elementwise ops with numpy broadcasting and JAX-style promotion (plain JS
 * numbers are weakly typed: `add(x, 1)` keeps `x.dtype`).
 */
import type { BinaryOp, CompareOp, UnaryOp } from "../backend.js";
import type { DType } from "../dtype.js";
import { isFloat } from "../dtype.js";
import { bind } from "../primitives.js";
import type { Tensor } from "../tensor.js";
import type { TensorLike } from "./operands.js";
import { castTo, checkOperands, checkTensor, prepare, resultDType } from "./operands.js";
import { runOp } from "../scope.js";

/** How an op treats dtypes before reaching the backend. */
type UnaryKind =
  /** float in, float out: integers and bool are cast to float32 first. */
  | "float"
  /** any numeric dtype in and out; bool is cast to int32 first. */
  | "numeric"
  /** rounding: integers and bool are returned unchanged (as a view). */
  | "rounding"
  /** any dtype in, bool out. */
  | "predicate";

function unary(fn: string, op: UnaryOp, kind: UnaryKind, x: Tensor): Tensor {
  return runOp(fn, () => {
    checkTensor(fn, x);
    if (kind === "rounding" && !isFloat(x.dtype)) return bind("reshape", [x], { shape: x.shape });
    if (kind === "float" && !isFloat(x.dtype)) return bind(op, [castTo(x, "float32")], {});
    if (kind === "numeric" && x.dtype === "bool") return bind(op, [castTo(x, "int32")], {});
    return bind(op, [x], {});
  });
}

/** `neg(x)` is `-x` elementwise (bool is computed as int32; integers wrap). @throws InvalidArgumentError when `x` is not a live tensor. */
export const neg = (x: Tensor): Tensor => unary("nx.neg", "neg", "numeric", x);
/** `abs(x)` is `|x|` elementwise (bool is computed as int32). @throws InvalidArgumentError when `x` is not a live tensor. */
export const abs = (x: Tensor): Tensor => unary("nx.abs", "abs", "numeric", x);
/** `sign(x)` is -1, 0 or 1 by the sign of each element (NaN stays NaN). @throws InvalidArgumentError when `x` is not a live tensor. */
export const sign = (x: Tensor): Tensor => unary("nx.sign", "sign", "numeric", x);
/** `floor(x)` rounds each element down; integer tensors are returned as they are. @throws InvalidArgumentError when `x` is not a live tensor. */
export const floor = (x: Tensor): Tensor => unary("nx.floor", "floor", "rounding", x);
/** `ceil(x)` rounds each element up; integer tensors are returned as they are. @throws InvalidArgumentError when `x` is not a live tensor. */
export const ceil = (x: Tensor): Tensor => unary("nx.ceil", "ceil", "rounding", x);
/** `round(x)` rounds each element to the nearest integer, halves to even (numpy); integer tensors are returned as they are. @throws InvalidArgumentError when `x` is not a live tensor. */
export const round = (x: Tensor): Tensor => unary("nx.round", "round", "rounding", x);
/** `trunc(x)` rounds each element toward zero; integer tensors are returned as they are. @throws InvalidArgumentError when `x` is not a live tensor. */
export const trunc = (x: Tensor): Tensor => unary("nx.trunc", "trunc", "rounding", x);
/** `sqrt(x)` is the square root (NaN below 0); integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const sqrt = (x: Tensor): Tensor => unary("nx.sqrt", "sqrt", "float", x);
/** `exp(x)` is `e^x`; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const exp = (x: Tensor): Tensor => unary("nx.exp", "exp", "float", x);
/** `log(x)` is the natural logarithm (-Infinity at 0, NaN below); integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const log = (x: Tensor): Tensor => unary("nx.log", "log", "float", x);
/** `log1p(x)` is `log(1 + x)`, accurate near 0; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const log1p = (x: Tensor): Tensor => unary("nx.log1p", "log1p", "float", x);
/** `expm1(x)` is `e^x - 1`, accurate near 0; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const expm1 = (x: Tensor): Tensor => unary("nx.expm1", "expm1", "float", x);
/** `sin(x)` in radians; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const sin = (x: Tensor): Tensor => unary("nx.sin", "sin", "float", x);
/** `cos(x)` in radians; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const cos = (x: Tensor): Tensor => unary("nx.cos", "cos", "float", x);
/** `tan(x)` in radians; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const tan = (x: Tensor): Tensor => unary("nx.tan", "tan", "float", x);
/** `tanh(x)` is the hyperbolic tangent; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const tanh = (x: Tensor): Tensor => unary("nx.tanh", "tanh", "float", x);
/** `sigmoid(x)` is `1 / (1 + e^-x)`, without overflow for large `|x|`; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const sigmoid = (x: Tensor): Tensor => unary("nx.sigmoid", "sigmoid", "float", x);
/** `erf(x)` is the Gauss error function; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const erf = (x: Tensor): Tensor => unary("nx.erf", "erf", "float", x);
/** `asin(x)` is the inverse sine in `[-π/2, π/2]` (NaN outside `[-1, 1]`); integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const asin = (x: Tensor): Tensor => unary("nx.asin", "asin", "float", x);
/** `acos(x)` is the inverse cosine in `[0, π]` (NaN outside `[-1, 1]`); integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const acos = (x: Tensor): Tensor => unary("nx.acos", "acos", "float", x);
/** `atan(x)` is the inverse tangent in `(-π/2, π/2)`; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const atan = (x: Tensor): Tensor => unary("nx.atan", "atan", "float", x);
/** `sinh(x)` is the hyperbolic sine, precise near 0 and finite up to the dtype's overflow threshold; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const sinh = (x: Tensor): Tensor => unary("nx.sinh", "sinh", "float", x);
/** `cosh(x)` is the hyperbolic cosine, finite up to the dtype's overflow threshold; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const cosh = (x: Tensor): Tensor => unary("nx.cosh", "cosh", "float", x);
/** `asinh(x)` is the inverse hyperbolic sine, precise near 0 and for huge `|x|` (no overflow of `x²`); integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const asinh = (x: Tensor): Tensor => unary("nx.asinh", "asinh", "float", x);
/** `acosh(x)` is the inverse hyperbolic cosine (NaN below 1), precise near 1 and for huge `x`; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const acosh = (x: Tensor): Tensor => unary("nx.acosh", "acosh", "float", x);
/** `atanh(x)` is the inverse hyperbolic tangent (±Infinity at ±1, NaN beyond), precise near 0; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const atanh = (x: Tensor): Tensor => unary("nx.atanh", "atanh", "float", x);
/** `log2(x)` is the base-2 logarithm (exact on powers of two; -Infinity at 0, NaN below); integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const log2 = (x: Tensor): Tensor => unary("nx.log2", "log2", "float", x);
/** `exp2(x)` is `2^x` (exact for integer `x` in range); integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export const exp2 = (x: Tensor): Tensor => unary("nx.exp2", "exp2", "float", x);
/** `logicalNot(x)` is the bool tensor `x == 0`. @throws InvalidArgumentError when `x` is not a live tensor. */
export const logicalNot = (x: Tensor): Tensor => unary("nx.logicalNot", "logicalNot", "predicate", x);
/** `isNaN(x)` is the bool tensor marking NaN elements (all false for integer dtypes). @throws InvalidArgumentError when `x` is not a live tensor. */
export const isNaN = (x: Tensor): Tensor => unary("nx.isNaN", "isNaN", "predicate", x);
/** `isFinite(x)` is the bool tensor marking elements that are neither infinite nor NaN. @throws InvalidArgumentError when `x` is not a live tensor. */
export const isFinite = (x: Tensor): Tensor => unary("nx.isFinite", "isFinite", "predicate", x);
/** `isInf(x)` is the bool tensor marking `+Infinity` and `-Infinity` (all false for integer dtypes). @throws InvalidArgumentError when `x` is not a live tensor. */
export const isInf = (x: Tensor): Tensor => unary("nx.isInf", "isInf", "predicate", x);

/** `square(x)` is `x * x`. @throws InvalidArgumentError when `x` is not a live tensor. */
export function square(x: Tensor): Tensor {
  const fn = "nx.square";
  return runOp(fn, () => {
    checkTensor(fn, x);
    return mul(x, x);
  });
}

/** `rsqrt(x)` is `1 / sqrt(x)`; integer input gives float32. @throws InvalidArgumentError when `x` is not a live tensor. */
export function rsqrt(x: Tensor): Tensor {
  const fn = "nx.rsqrt";
  return runOp(fn, () => {
    checkTensor(fn, x);
    return div(1, sqrt(x));
  });
}

/** How a binary op treats dtypes before reaching the backend. */
type BinaryKind =
  /** promoted dtype; bool is computed as int32. */
  | "arith"
  /** promoted dtype; integers and bool are computed as float32. */
  | "float"
  /** promoted dtype, bool allowed. */
  | "extremum"
  /** both operands read as bool; bool out. */
  | "logical";

function binary(fn: string, op: BinaryOp, kind: BinaryKind, a: TensorLike, b: TensorLike): Tensor {
  return runOp(fn, () => {
    let dtype: DType = resultDType(fn, [a, b]);
    if (kind === "arith" && dtype === "bool") dtype = "int32";
    if (kind === "float" && !isFloat(dtype)) dtype = "float32";
    if (kind === "logical") dtype = "bool";
    const { tensors } = prepare(fn, [a, b], dtype);
    return bind(op, tensors, {});
  });
}

/** `add(a, b)` is `a + b` with broadcasting (bool operands are added as int32; integers wrap). @throws InvalidArgumentError for non-tensor operands, different backends or unbroadcastable shapes. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary("nx.add", "add", "arith", a, b);
/** `sub(a, b)` is `a - b` with broadcasting. @throws InvalidArgumentError as {@link add}. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary("nx.sub", "sub", "arith", a, b);
/** `mul(a, b)` is `a * b` with broadcasting. @throws InvalidArgumentError as {@link add}. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary("nx.mul", "mul", "arith", a, b);
/** `div(a, b)` is true division `a / b` (integers give float32, as numpy's `/`). @throws InvalidArgumentError as {@link add}. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary("nx.div", "div", "float", a, b);
/** `pow(a, b)` is `a ** b` (integer powers stay integer; a negative integer exponent gives 0 unless the base is ±1). @throws InvalidArgumentError as {@link add}. */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary("nx.pow", "pow", "arith", a, b);
/** `mod(a, b)` is the remainder with the sign of the divisor (numpy's `%`); integer `mod` by 0 is 0. @throws InvalidArgumentError as {@link add}. */
export const mod = (a: TensorLike, b: TensorLike): Tensor => binary("nx.mod", "mod", "arith", a, b);
/** `maximum(a, b)` is the elementwise larger value; NaN propagates. @throws InvalidArgumentError as {@link add}. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary("nx.maximum", "maximum", "extremum", a, b);
/** `minimum(a, b)` is the elementwise smaller value; NaN propagates. @throws InvalidArgumentError as {@link add}. */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary("nx.minimum", "minimum", "extremum", a, b);
/**
 * `atan2(a, b)` is the angle in `[-π, π]` of the point `(b, a)` (the inverse
 * tangent of `a / b` in the right quadrant), with C99's signed zeros and
 * infinities; integers give float32.
 * @throws InvalidArgumentError as {@link add}.
 */
export const atan2 = (a: TensorLike, b: TensorLike): Tensor => binary("nx.atan2", "atan2", "float", a, b);
/**
 * `hypot(a, b)` is `sqrt(a² + b²)` computed without overflow or underflow in
 * between (`hypot(3e30, 4e30)` is `5e30` in float32), Infinity when either is
 * infinite (even with a NaN); integers give float32.
 * @throws InvalidArgumentError as {@link add}.
 */
export const hypot = (a: TensorLike, b: TensorLike): Tensor => binary("nx.hypot", "hypot", "float", a, b);
/** `logicalAnd(a, b)` is the bool tensor `a != 0 && b != 0`. @throws InvalidArgumentError as {@link add}. */
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => binary("nx.logicalAnd", "logicalAnd", "logical", a, b);
/** `logicalOr(a, b)` is the bool tensor `a != 0 || b != 0`. @throws InvalidArgumentError as {@link add}. */
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => binary("nx.logicalOr", "logicalOr", "logical", a, b);
/** `logicalXor(a, b)` is the bool tensor `(a != 0) != (b != 0)`. @throws InvalidArgumentError as {@link add}. */
export const logicalXor = (a: TensorLike, b: TensorLike): Tensor => binary("nx.logicalXor", "logicalXor", "logical", a, b);

function compare(fn: string, op: CompareOp, a: TensorLike, b: TensorLike): Tensor {
  return runOp(fn, () => {
    const { tensors } = prepare(fn, [a, b]);
    return bind(op, tensors, {});
  });
}

/** `equal(a, b)` is the bool tensor `a == b` (compared in the promoted dtype, with broadcasting). @throws InvalidArgumentError as {@link add}. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => compare("nx.equal", "equal", a, b);
/** `notEqual(a, b)` is the bool tensor `a != b` (true where either is NaN). @throws InvalidArgumentError as {@link add}. */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => compare("nx.notEqual", "notEqual", a, b);
/** `less(a, b)` is the bool tensor `a < b`. @throws InvalidArgumentError as {@link add}. */
export const less = (a: TensorLike, b: TensorLike): Tensor => compare("nx.less", "less", a, b);
/** `lessEqual(a, b)` is the bool tensor `a <= b`. @throws InvalidArgumentError as {@link add}. */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => compare("nx.lessEqual", "lessEqual", a, b);
/** `greater(a, b)` is the bool tensor `a > b`. @throws InvalidArgumentError as {@link add}. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => compare("nx.greater", "greater", a, b);
/** `greaterEqual(a, b)` is the bool tensor `a >= b`. @throws InvalidArgumentError as {@link add}. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => compare("nx.greaterEqual", "greaterEqual", a, b);

/**
 * `where(cond, a, b)` picks `a` where `cond` is nonzero and `b` elsewhere,
 * broadcasting all three; the result has the promoted dtype of `a` and `b`.
 * @throws InvalidArgumentError as {@link add}.
 */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const fn = "nx.where";
  return runOp(fn, () => {
    const dtype = resultDType(fn, [a, b]);
    const { tensors } = prepare(fn, [cond, a, b], ["bool", dtype, dtype]);
    return bind("where", tensors, {});
  });
}

/**
 * `clip(x, lo, hi)` is `minimum(maximum(x, lo), hi)`: each element limited to
 * `[lo, hi]` (tensors or numbers, broadcast); NaN stays NaN.
 * @throws InvalidArgumentError as {@link add}.
 */
export function clip(x: TensorLike, lo: TensorLike, hi: TensorLike): Tensor {
  const fn = "nx.clip";
  return runOp(fn, () => {
    checkOperands(fn, [x, lo, hi]);
    return minimum(maximum(x, lo), hi);
  });
}
