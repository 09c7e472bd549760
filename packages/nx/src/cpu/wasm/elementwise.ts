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
import type { Fn, Local, ModuleBuilder, SimdOp } from "./assembler.js";
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

/** Loads the next operand value(s) at `p` into `v`: a vector when `vector` and the step is 1, else one element splat; then advances `p`. */
function emitOperandLoad(f: Fn, p: Local, stepBytes: Local, contiguous: Local, v: Local, vector: boolean): void {
  if (vector) {
    // contiguous: a whole vector; broadcast (step 0): a splat
    f.get(contiguous).if();
    f.get(p).v128Load().set(v);
    f.get(p).i32(16).i32Add().set(p);
    f.else();
    f.get(p).v128Load32Splat().set(v);
    f.end();
    return;
  }
  f.get(p).v128Load32Splat().set(v);
  f.get(p).get(stepBytes).i32Add().set(p);
}

/**
 * `emitBinary(mod, op)` adds `binary_<op>_f32(table, rows, n, out, sa, sb)`:
 * for each row `r < rows`, `out[r·n + j] = a[j] op b[j]` for `j < n`, where
 * row `r` of `a` starts at byte address `table[2r]` and steps by `sa`
 * elements, and likewise `b` at `table[2r + 1]` by `sb`.
 */
function emitBinary(mod: ModuleBuilder, op: SimdBinaryOp): void {
  mod.add(`binary_${op}_f32`, [I32, I32, I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, out, sa, sb] = f.params() as [Local, Local, Local, Local, Local, Local];
    const pa = f.local(I32);
    const pb = f.local(I32);
    const sab = f.local(I32);
    const sbb = f.local(I32);
    const ca = f.local(I32);
    const cb = f.local(I32);
    const ok = f.local(I32);
    const a = f.local(V128);
    const b = f.local(V128);
    f.get(sa).i32(2).i32Shl().set(sab);
    f.get(sb).i32(2).i32Shl().set(sbb);
    f.get(sa).i32(1).i32Eq().set(ca);
    f.get(sb).i32(1).i32Eq().set(cb);
    // vectors when each operand steps by 0 or 1
    f.get(sa).i32(1).i32LeU().get(sb).i32(1).i32LeU().i32And().set(ok);
    f.countDown(rows, () => {
      f.get(table).i32Load().set(pa);
      f.get(table).i32Load(4).set(pb);
      emitRowLoop(f, n, ok, out, (vector) => {
        emitOperandLoad(f, pa, sab, ca, a, vector);
        emitOperandLoad(f, pb, sbb, cb, b, vector);
        emitBinaryOp(f, op, a, b);
    });
    f.get(table).i32(8).i32Add().set(table);
    });
  });
}

/**
 * `emitUnary(mod, op)` adds `unary_<op>_f32(table, rows, n, out, sx)`: for
 * each row `r < rows`, `out[r·n + j] = op(x[j])` with row `r` of `x` at byte
 * address `table[r]` stepping by `sx` elements.
 */
function emitUnary(mod: ModuleBuilder, op: SimdUnaryOp): void {
  mod.add(`unary_${op}_f32`, [I32, I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, out, sx] = f.params() as [Local, Local, Local, Local, Local];
    const px = f.local(I32);
    const sxb = f.local(I32);
    const cx = f.local(I32);
    const x = f.local(V128);
    const t = f.local(V128);
    f.get(sx).i32(2).i32Shl().set(sxb);
    f.get(sx).i32(1).i32Eq().set(cx);
    f.countDown(rows, () => {
      f.get(table).i32Load().set(px);
      emitRowLoop(f, n, cx, out, (vector) => {
        emitOperandLoad(f, px, sxb, cx, x, vector);
        emitUnaryOp(f, op, x, t);
    });
    f.get(table).i32(4).i32Add().set(table);
    });
  });
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
  mod.add("where_f32", [I32, I32, I32, I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, out, sc, sa, sb] = f.params() as [Local, Local, Local, Local, Local, Local, Local];
    const pc = f.local(I32);
    const pa = f.local(I32);
    const pb = f.local(I32);
    const sab = f.local(I32);
    const sbb = f.local(I32);
    const cc = f.local(I32);
    const ca = f.local(I32);
    const cb = f.local(I32);
    const ok = f.local(I32);
    const c = f.local(V128);
    const a = f.local(V128);
    const b = f.local(V128);
    f.get(sa).i32(2).i32Shl().set(sab);
    f.get(sb).i32(2).i32Shl().set(sbb);
    f.get(sc).i32(1).i32Eq().set(cc);
    f.get(sa).i32(1).i32Eq().set(ca);
    f.get(sb).i32(1).i32Eq().set(cb);
    f.get(sc).i32(1).i32LeU().get(sa).i32(1).i32LeU().i32And().get(sb).i32(1).i32LeU().i32And().set(ok);
    f.countDown(rows, () => {
      f.get(table).i32Load().set(pc);
      f.get(table).i32Load(4).set(pa);
      f.get(table).i32Load(8).set(pb);
      emitRowLoop(f, n, ok, out, (vector) => {
        // the condition's bytes widened to four i32 lanes
        if (vector) {
          f.get(cc).if();
          f.get(pc).v128Load32Splat().set(c);
          f.get(pc).i32(4).i32Add().set(pc);
          f.else();
          f.get(pc).i32Load8U().v("i8x16.splat").set(c);
          f.end();
        } else {
          f.get(pc).i32Load8U().v("i8x16.splat").set(c);
          f.get(pc).get(sc).i32Add().set(pc);
        }
        f.get(c).v("i16x8.extend_low_i8x16_u").v("i32x4.extend_low_i16x8_u").set(c);
        emitOperandLoad(f, pa, sab, ca, a, vector);
        emitOperandLoad(f, pb, sbb, cb, b, vector);
        f.get(a).get(b);
        f.get(c);
        i32x4Const(f, 0).v("i32x4.ne");
        f.v("v128.bitselect");
    });
    f.get(table).i32(12).i32Add().set(table);
    });
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
