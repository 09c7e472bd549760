/**
 * WebAssembly SIMD elementwise kernels on float32: binary arithmetic, unary
 * maps (including a vectorised `exp`) and row reductions.
 *
 * The strided walk stays in TypeScript (the `RowCursor` of `strided.ts`):
 * it writes the byte address of each row of each operand into a table in
 * memory, and one kernel call runs every row. Within a row an operand steps
 * by one element (four per vector), by zero (a broadcast: one splat), or by
 * any other stride (a scalar loop). The output is always C-contiguous.
 */
import type { BinaryOp, ReduceOp, UnaryOp } from "../../backend.js";
import type { Fn, Local, ModuleBuilder, SimdOp, ValType } from "./assembler.js";
import { I32, V128 } from "./assembler.js";

/** The binary ops with a SIMD kernel (float32). */
export const SIMD_BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"] as const satisfies readonly BinaryOp[];
/** The unary ops with a SIMD kernel (float32). */
export const SIMD_UNARY = ["neg", "abs", "sqrt", "floor", "ceil", "round", "exp", "sigmoid"] as const satisfies readonly UnaryOp[];
/** The reductions with a SIMD row kernel (float32, innermost axis). */
export const SIMD_REDUCE = ["sum", "max", "min"] as const satisfies readonly ReduceOp[];

export type SimdBinaryOp = (typeof SIMD_BINARY)[number];
export type SimdUnaryOp = (typeof SIMD_UNARY)[number];
export type SimdReduceOp = (typeof SIMD_REDUCE)[number];

/** A `v128` constant of four equal float32 lanes (hoisted out of loops). */
function f32x4Const(f: Fn, v: number): Fn {
  return f.v128Hoisted([...new Uint8Array(new Float32Array([v, v, v, v]).buffer)]);
}

/** A `v128` constant of four equal int32 lanes (hoisted out of loops). */
function i32x4Const(f: Fn, v: number): Fn {
  return f.v128Hoisted([...new Uint8Array(new Int32Array([v, v, v, v]).buffer)]);
}

/**
 * `emitNanMax(f, a, b, greater)` pushes numpy's NaN-propagating `maximum`
 * (`greater`) or `minimum` of two vectors, exactly as `scalar.ts`'s
 * `maxNaN`/`minNaN` choose: `a` when it wins or is NaN, else `b`.
 */
function emitNanExtreme(f: Fn, a: Local, b: Local, greater: boolean): void {
  f.get(a).get(b);
  f.get(a).get(b).v(greater ? "f32x4.gt" : "f32x4.lt");
  f.get(a).get(a).v("f32x4.ne");
  f.v("v128.or").v("v128.bitselect");
}

/**
 * `emitExp(f, x, t)` pushes `e^x` per lane (float32): `x = n·ln2 + r` with
 * `n` the nearest integer of `x·log2(e)` and `|r| ≤ ln2/2` (ln2 split in two
 * for exactness), a degree-7 polynomial for `e^r` (Cephes' `expf`), and
 * `2^n` applied as two exactly representable powers so that overflow gives
 * Infinity, underflow gives (sub)normals then 0, and NaN stays NaN. `t` is a
 * scratch v128 local.
 */
function emitExp(f: Fn, x: Local, t: Local): void {
  const n = f.local(V128);
  const r = f.local(V128);
  const shifted = f.local(V128);
  // Adding 1.5·2^23 rounds to the nearest integer (ties to even) and leaves it in the low mantissa bits.
  const MAGIC = 12582912;
  const MAGIC_BITS = 0x4b400000;
  // clamp to ±150 (beyond, the result is 0 or Infinity anyway); pmin/pmax keep a NaN x
  f.get(x);
  f32x4Const(f, 150).v("f32x4.pmin");
  f32x4Const(f, -150).v("f32x4.pmax").set(t);
  f.get(t);
  f32x4Const(f, Math.LOG2E).v("f32x4.mul");
  f32x4Const(f, MAGIC).v("f32x4.add").set(shifted);
  f.get(shifted);
  f32x4Const(f, MAGIC).v("f32x4.sub").set(n);
  f.get(t).get(n);
  f32x4Const(f, 0.693359375).v("f32x4.mul").v("f32x4.sub");
  f.get(n);
  f32x4Const(f, -2.12194440e-4).v("f32x4.mul").v("f32x4.sub").set(r);
  // p(r) = ((((((c0 r + c1) r + c2) r + c3) r + c4) r + c5) r² + r + 1
  f32x4Const(f, 1.9875691500e-4);
  for (const c of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) {
    f.get(r).v("f32x4.mul");
    f32x4Const(f, c).v("f32x4.add");
  }
  f.get(r).get(r).v("f32x4.mul").v("f32x4.mul");
  f.get(r).v("f32x4.add");
  f32x4Const(f, 1).v("f32x4.add");
  // × 2^h × 2^(n-h), h = n >> 1, each power built from its exponent bits (n as an integer: the shifted bits less the magic's)
  f.get(shifted);
  i32x4Const(f, MAGIC_BITS).v("i32x4.sub").set(n);
  f.get(n).i32(1).v("i32x4.shr_s").set(t);
  f.get(t);
  i32x4Const(f, 127).v("i32x4.add").i32(23).v("i32x4.shl").v("f32x4.mul");
  f.get(n).get(t).v("i32x4.sub");
  i32x4Const(f, 127).v("i32x4.add").i32(23).v("i32x4.shl").v("f32x4.mul");
}

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
 * A row loop over `n` elements, four at a time while at least four remain
 * and the operands step by 0 or 1, then one at a time. `load(v, lanes)`
 * loads the operands (a vector, or one element splat), `compute()` pushes
 * the result vector, which is stored whole or as lane 0.
 */
function emitRowLoop(f: Fn, n: Local, vectorOk: Local, out: Local, body: (vector: boolean) => void): void {
  const i = f.local(I32);
  f.i32(0).set(i);
  f.get(vectorOk).if();
  f.block().loop();
  f.get(i).i32(4).i32Add().get(n).i32GtS().brIf(1);
  f.get(out);
  body(true);
  f.v128Store();
  f.get(out).i32(16).i32Add().set(out);
  f.get(i).i32(4).i32Add().set(i);
  f.br(0).end().end();
  f.end();
  f.block().loop();
  f.get(i).get(n).i32GeS().brIf(1);
  f.get(out);
  body(false);
  f.f32x4ExtractLane(0).f32Store();
  f.get(out).i32(4).i32Add().set(out);
  f.get(i).i32(1).i32Add().set(i);
  f.br(0).end().end();
}

/**
 * One operand of a row kernel: its row pointer, its step in bytes, whether it
 * steps by one element, the vector it loads into, and its element size (4 for
 * float32, 1 for a `bool` condition, loaded widened to four i32 lanes).
 */
interface RowOperand {
  readonly p: Local;
  readonly stepBytes: Local;
  readonly contiguous: Local;
  readonly v: Local;
  readonly bytes: 1 | 4;
}

/** `rowOperand(f, step, bytes)` declares the locals of an operand stepping by the i32 local `step` (elements) and computes its byte step and contiguity. */
function rowOperand(f: Fn, step: Local, bytes: 1 | 4): RowOperand {
  const operand = { p: f.local(I32), stepBytes: f.local(I32), contiguous: f.local(I32), v: f.local(V128), bytes };
  f.get(step).i32(bytes).i32Mul().set(operand.stepBytes);
  f.get(step).i32(1).i32Eq().set(operand.contiguous);
  return operand;
}

/** Loads the operand's next value(s) into its vector: four elements when `vector` and it steps by 1, else one element splat; then advances it. */
function emitOperandLoad(f: Fn, x: RowOperand, vector: boolean): void {
  const splat = (): Fn => (x.bytes === 4 ? f.get(x.p).v128Load32Splat() : f.get(x.p).i32Load8U().v("i8x16.splat"));
  if (vector) {
    // contiguous: four elements; broadcast (step 0): a splat
    f.get(x.contiguous).if();
    // four bools are one 32-bit load (widened below)
    if (x.bytes === 4) f.get(x.p).v128Load().set(x.v);
    else f.get(x.p).v128Load32Splat().set(x.v);
    f.get(x.p).i32(4 * x.bytes).i32Add().set(x.p);
    f.else();
    splat().set(x.v);
    f.end();
  } else {
    splat().set(x.v);
    f.get(x.p).get(x.stepBytes).i32Add().set(x.p);
  }
  if (x.bytes === 1) f.get(x.v).v("i16x8.extend_low_i8x16_u").v("i32x4.extend_low_i16x8_u").set(x.v);
}

/**
 * `emitRowKernel(mod, name, sizes, body)` adds `name(table, rows, n, out, ...steps)`
 * for operands of element sizes `sizes`: for each row `r < rows`, operand
 * `i`'s row starts at byte address `table[sizes.length·r + i]` and steps by
 * `steps[i]` elements; after the operands' values are loaded, `body(f, xs, t)`
 * pushes the result vector (`t` a scratch v128 local), stored to
 * `out[r·n + j ..]` (float32; lane 0 in the scalar tail). Rows run four
 * elements at a time while every operand steps by 0 or 1 element.
 */
function emitRowKernel(mod: ModuleBuilder, name: string, sizes: readonly (1 | 4)[], body: (f: Fn, xs: readonly RowOperand[], t: Local) => void): void {
  mod.add(name, new Array<ValType>(4 + sizes.length).fill(I32), [], (f) => {
    const [table, rows, n, out, ...steps] = f.params() as [Local, Local, Local, Local, ...Local[]];
    const xs = steps.map((step, i) => rowOperand(f, step, sizes[i] as 1 | 4));
    const t = f.local(V128);
    const ok = f.local(I32);
    f.i32(1);
    for (const step of steps) f.get(step).i32(1).i32LeU().i32And();
    f.set(ok);
    f.countDown(rows, () => {
      xs.forEach((x, i) => f.get(table).i32Load(4 * i).set(x.p));
      emitRowLoop(f, n, ok, out, (vector) => {
        for (const x of xs) emitOperandLoad(f, x, vector);
        body(f, xs, t);
      });
      f.get(table).i32(4 * sizes.length).i32Add().set(table);
    });
  });
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
 * `emitUnary(mod, op)` adds `unary_<op>_f32(table, rows, n, out, sx)`: for
 * each row `r < rows`, `out[r·n + j] = op(x[j])` with row `r` of `x` at byte
 * address `table[r]` stepping by `sx` elements.
 */
function emitUnary(mod: ModuleBuilder, op: SimdUnaryOp): void {
  emitRowKernel(mod, `unary_${op}_f32`, [4], (f, [x], t) => emitUnaryOp(f, op, (x as RowOperand).v, t));
}

/**
 * `emitReduceRows(mod, op)` adds `reduce_<op>_f32(table, rows, n, out)`:
 * `out[r]` (float32) is `op` over the `n ≥ 1` contiguous elements of row `r`
 * at byte address `table[r]`. Sums accumulate in four float32 vectors (then
 * lanes, then the tail); `max`/`min` propagate NaN.
 */
function emitReduceRows(mod: ModuleBuilder, op: SimdReduceOp): void {
  mod.add(`reduce_${op}_f32`, [I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, out] = f.params() as [Local, Local, Local, Local];
    const p = f.local(I32);
    const i = f.local(I32);
    const acc = f.local(V128);
    const x = f.local(V128);
    const lane = f.local(V128);
    const combine = (into: Local, from: Local): void => {
      if (op === "sum") f.get(into).get(from).v("f32x4.add").set(into);
      else {
        emitNanExtreme(f, from, into, op === "max");
        f.set(into);
      }
    };
    const identity = op === "sum" ? -0 : op === "max" ? -Infinity : Infinity;
    f.countDown(rows, () => {
      f.get(table).i32Load().set(p);
      f32x4Const(f, identity).set(acc);
      f.i32(0).set(i);
      f.block().loop();
      f.get(i).i32(4).i32Add().get(n).i32GtS().brIf(1);
      f.get(p).v128Load().set(x);
      combine(acc, x);
      f.get(p).i32(16).i32Add().set(p);
      f.get(i).i32(4).i32Add().set(i);
      f.br(0).end().end();
      // lanes: acc = combine(acc, acc shifted by 2 lanes, then by 1 lane)
      for (const shift of [8, 4]) {
        f.get(acc).get(acc);
        const shuffle: number[] = [];
        for (let k = 0; k < 16; k++) shuffle.push((k + shift) % 16);
        f.i8x16Shuffle(shuffle).set(lane);
        combine(acc, lane);
      }
      f.block().loop();
      f.get(i).get(n).i32GeS().brIf(1);
      f.get(p).v128Load32Splat().set(x);
      combine(acc, x);
      f.get(p).i32(4).i32Add().set(p);
      f.get(i).i32(1).i32Add().set(i);
      f.br(0).end().end();
      f.get(out).get(acc).f32x4ExtractLane(0).f32Store();
      f.get(out).i32(4).i32Add().set(out);
      f.get(table).i32(4).i32Add().set(table);
    });
  });
}

/**
 * `emitCopy(mod, bytes)` adds `copy_<bytes>(table, rows, n, out, sx)`: the
 * strided rows of an operand of `bytes`-byte elements (row `r` at byte
 * address `table[r]`, stepping by `sx` elements) copied to the contiguous
 * `out`; a row stepping by one element is one `memory.copy`.
 */
function emitCopy(mod: ModuleBuilder, bytes: 1 | 4 | 8): void {
  mod.add(`copy_${bytes}`, [I32, I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, out, sx] = f.params() as [Local, Local, Local, Local, Local];
    const p = f.local(I32);
    const i = f.local(I32);
    const step = f.local(I32);
    const rowBytes = f.local(I32);
    f.get(sx).i32(bytes).i32Mul().set(step);
    f.get(n).i32(bytes).i32Mul().set(rowBytes);
    f.countDown(rows, () => {
      f.get(table).i32Load().set(p);
      f.get(sx).i32(1).i32Eq().if();
      f.get(out).get(p).get(rowBytes).memoryCopy();
      f.get(out).get(rowBytes).i32Add().set(out);
      f.else();
      f.upTo(i, n, () => {
        f.get(out).get(p);
        if (bytes === 1) f.i32Load8U().i32Store8();
        else if (bytes === 4) f.i32Load().i32Store();
        else f.f64Load().f64Store();
        f.get(out).i32(bytes).i32Add().set(out);
        f.get(p).get(step).i32Add().set(p);
      });
      f.end();
      f.get(table).i32(4).i32Add().set(table);
    });
  });
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

/** `emitElementwise(mod)` adds every elementwise and row-reduction kernel. */
export function emitElementwise(mod: ModuleBuilder): void {
  for (const bytes of [1, 4, 8] as const) emitCopy(mod, bytes);
  emitWhere(mod);
  for (const op of SIMD_BINARY) emitBinary(mod, op);
  for (const op of SIMD_UNARY) emitUnary(mod, op);
  for (const op of SIMD_REDUCE) emitReduceRows(mod, op);
}
