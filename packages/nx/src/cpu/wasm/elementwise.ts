/**
 * WebAssembly SIMD elementwise kernels on float32: binary arithmetic,
 * comparisons, `where` and unary maps (including vectorised `exp` and
 * `erf`), each a row kernel (`rows-kernel.ts`).
 */
import type { BinaryOp, CompareOp, UnaryOp } from "../../backend.js";
import type { Fn, Local, ModuleBuilder, SimdOp } from "./assembler.js";
import { V128 } from "./assembler.js";
import { emitErf, emitExp } from "./math.js";
import type { RowOperand } from "./rows-kernel.js";
import { emitRowKernel } from "./rows-kernel.js";
import { emitNanExtreme, f32x4Const, i32x4Const } from "./simd.js";

/** The binary ops with a SIMD kernel (float32). */
export const SIMD_BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"] as const satisfies readonly BinaryOp[];
/** The unary ops with a SIMD kernel (float32). */
export const SIMD_UNARY = ["neg", "abs", "sqrt", "floor", "ceil", "round", "exp", "sigmoid", "erf"] as const satisfies readonly UnaryOp[];
/** The comparisons with a SIMD kernel (float32 operands, bool output). */
export const SIMD_COMPARE = ["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"] as const satisfies readonly CompareOp[];
export type SimdBinaryOp = (typeof SIMD_BINARY)[number];
export type SimdUnaryOp = (typeof SIMD_UNARY)[number];
export type SimdCompareOp = (typeof SIMD_COMPARE)[number];

/** The float32 comparison instruction of each comparison. */
const COMPARE_OPS: Record<SimdCompareOp, SimdOp> = {
  equal: "f32x4.eq",
  notEqual: "f32x4.ne",
  less: "f32x4.lt",
  lessEqual: "f32x4.le",
  greater: "f32x4.gt",
  greaterEqual: "f32x4.ge",
};

/** `emitUnaryOp(f, op, x, t)` pushes `op(x)` per lane; `t` is a scratch v128 local. */
function emitUnaryOp(f: Fn, op: SimdUnaryOp, x: Local, t: Local): void {
  const simple: Partial<Record<SimdUnaryOp, SimdOp>> = {
    neg: "f32x4.neg",
    abs: "f32x4.abs",
    sqrt: "f32x4.sqrt",
    floor: "f32x4.floor",
    ceil: "f32x4.ceil",
    round: "f32x4.nearest",
  };
  const direct = simple[op];
  if (direct !== undefined) {
    f.get(x).v(direct);
    return;
  }
  if (op === "exp") {
    emitExp(f, x, t);
    return;
  }
  if (op === "erf") {
    emitErf(f, x, t);
    return;
  }
  // sigmoid(x) = 1 / (1 + e^-x); e^-x overflows to Infinity for x < -88.7, giving the exact 0.
  const m = f.local(V128);
  f.get(x).v("f32x4.neg").set(m);
  f32x4Const(f, 1);
  emitExp(f, m, t);
  f32x4Const(f, 1).v("f32x4.add").v("f32x4.div");
}

/** `emitBinaryOp(f, op, a, b)` pushes `a op b` per lane. */
function emitBinaryOp(f: Fn, op: SimdBinaryOp, a: Local, b: Local): void {
  const arithmetic: Partial<Record<SimdBinaryOp, SimdOp>> = { add: "f32x4.add", sub: "f32x4.sub", mul: "f32x4.mul", div: "f32x4.div" };
  const direct = arithmetic[op];
  if (direct !== undefined) f.get(a).get(b).v(direct);
  else emitNanExtreme(f, a, b, op === "maximum");
}

/**
 * `emitBinary(mod, op)` adds `binary_<op>_f32(table, rows, n, out, sa, sb)`:
 * for each row `r < rows`, `out[r·n + j] = a[j] op b[j]` for `j < n`, where
 * row `r` of `a` starts at byte address `table[2r]` and steps by `sa`
 * elements, and likewise `b` at `table[2r + 1]` by `sb`.
 */
function emitBinary(mod: ModuleBuilder, op: SimdBinaryOp): void {
  emitRowKernel(mod, `binary_${op}_f32`, [4, 4], (f, [a, b]) => emitBinaryOp(f, op, (a as RowOperand).v, (b as RowOperand).v));
}

/**
 * `emitCompare(mod, op)` adds `compare_<op>_f32(table, rows, n, out, sa, sb)`:
 * as `binary_<op>_f32`, with `out` a `bool` array (1 where `a[j] op b[j]`,
 * IEEE: false with NaN except `notEqual`).
 */
function emitCompare(mod: ModuleBuilder, op: SimdCompareOp): void {
  emitRowKernel(mod, `compare_${op}_f32`, [4, 4], (f, [a, b]) => f.get((a as RowOperand).v).get((b as RowOperand).v).v(COMPARE_OPS[op]), 1);
}

/**
 * `emitUnary(mod, op)` adds `unary_<op>_f32(table, rows, n, out, sx)`: for
 * each row `r < rows`, `out[r·n + j] = op(x[j])` with row `r` of `x` at byte
 * address `table[r]` stepping by `sx` elements.
 */
function emitUnary(mod: ModuleBuilder, op: SimdUnaryOp): void {
  emitRowKernel(mod, `unary_${op}_f32`, [4], (f, [x], t) => emitUnaryOp(f, op, (x as RowOperand).v, t));
}

/**
 * `emitWhere(mod)` adds `where_f32(table, rows, n, out, sc, sa, sb)`:
 * `out[r·n + j] = cond[j] ≠ 0 ? a[j] : b[j]` with row `r` of the `bool`
 * condition, `a` and `b` at byte addresses `table[3r .. 3r+2]`, stepping by
 * `sc`, `sa`, `sb` elements.
 */
function emitWhere(mod: ModuleBuilder): void {
  emitRowKernel(mod, "where_f32", [1, 4, 4], (f, [c, a, b]) => {
    f.get((a as RowOperand).v).get((b as RowOperand).v).get((c as RowOperand).v);
    i32x4Const(f, 0).v("i32x4.ne").v("v128.bitselect");
  });
}

/** `emitElementwise(mod)` adds every elementwise kernel. */
export function emitElementwise(mod: ModuleBuilder): void {
  emitWhere(mod);
  for (const op of SIMD_BINARY) emitBinary(mod, op);
  for (const op of SIMD_UNARY) emitUnary(mod, op);
  for (const op of SIMD_COMPARE) emitCompare(mod, op);
}
