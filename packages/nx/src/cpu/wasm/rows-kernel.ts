/**
 * The row kernel: how the elementwise WebAssembly kernels walk strided
 * operands. The strided walk stays in TypeScript (the `RowCursor` of
 * `strided.ts`, tabled by `rows.ts`): it writes the byte address of each row
 * of each operand into a table in memory, and one kernel call runs every
 * row. Within a row an operand steps by one element (four per vector), by
 * zero (a broadcast: one splat), or by any other stride (a scalar loop). The
 * output is always C-contiguous.
 */
import type { Fn, Local, ModuleBuilder, ValType } from "./assembler.js";
import { I32, V128 } from "./assembler.js";
import { i32x4Const } from "./simd.js";

/**
 * A row loop over `n` elements, four at a time while at least four remain
 * and the operands step by 0 or 1, then one at a time. `body(vector)` loads
 * the operands (a vector, or one element splat) and pushes the result
 * vector, which is stored whole or as lane 0: float32 lanes when `outBytes`
 * is 4, a `bool` mask (lanes all ones or zero) as bytes 1/0 when it is 1.
 */
function emitRowLoop(f: Fn, n: Local, vectorOk: Local, out: Local, outBytes: 1 | 4, body: (vector: boolean) => void): void {
  const i = f.local(I32);
  f.i32(0).set(i);
  f.get(vectorOk).if();
  f.stepTo(i, n, 4, () => {
    f.get(out);
    body(true);
    if (outBytes === 4) f.v128Store();
    else {
      // four masks to four bytes 1/0: keep bit 0, narrow 32 → 16 → 8 bits, store the low word
      i32x4Const(f, 1).v("v128.and");
      f.v128Zero().v("i16x8.narrow_i32x4_u").v128Zero().v("i8x16.narrow_i16x8_u").i32x4ExtractLane(0).i32Store();
    }
    f.get(out).i32(4 * outBytes).i32Add().set(out);
  });
  f.end();
  f.stepTo(i, n, 1, () => {
    f.get(out);
    body(false);
    if (outBytes === 4) f.f32x4ExtractLane(0).f32Store();
    else f.i32x4ExtractLane(0).i32(1).i32And().i32Store8();
    f.get(out).i32(outBytes).i32Add().set(out);
  });
}

/**
 * One operand of a row kernel: its row pointer, its step in bytes, whether it
 * steps by one element, the vector it loads into, and its element size (4 for
 * float32, 1 for a `bool` condition, loaded widened to four i32 lanes).
 */
export interface RowOperand {
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
 * `emitRowKernel(mod, name, sizes, body, outBytes?)` adds `name(table, rows, n, out, ...steps)`
 * for operands of element sizes `sizes`: for each row `r < rows`, operand
 * `i`'s row starts at byte address `table[sizes.length·r + i]` and steps by
 * `steps[i]` elements; after the operands' values are loaded, `body(f, xs, t)`
 * pushes the result vector (`t` a scratch v128 local), stored to
 * `out[r·n + j ..]` (float32, or with `outBytes` 1 a `bool` from a mask;
 * lane 0 in the scalar tail). Rows run four
 * elements at a time while every operand steps by 0 or 1 element.
 */
export function emitRowKernel(mod: ModuleBuilder, name: string, sizes: readonly (1 | 4)[], body: (f: Fn, xs: readonly RowOperand[], t: Local) => void, outBytes: 1 | 4 = 4): void {
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
      emitRowLoop(f, n, ok, out, outBytes, (vector) => {
        for (const x of xs) emitOperandLoad(f, x, vector);
        body(f, xs, t);
      });
      f.get(table).i32(4 * sizes.length).i32Add().set(table);
    });
  });
}
