/**
 * WebAssembly SIMD reductions on float32: a whole contiguous row into one
 * value (the innermost axes reduced, softmax's case), and rows folded into
 * rows of accumulators (the innermost axis kept: bias gradients, sums over
 * leading axes).
 */
import type { ReduceOp } from "../../backend.js";
import type { Fn, Local, ModuleBuilder } from "./assembler.js";
import { I32, V128 } from "./assembler.js";
import { emitNanExtreme, f32x4Const } from "./simd.js";

/** The reductions with a SIMD row kernel (float32, innermost axis). */
export const SIMD_REDUCE = ["sum", "max", "min"] as const satisfies readonly ReduceOp[];
export type SimdReduceOp = (typeof SIMD_REDUCE)[number];

/** The locals one row fold uses. */
export interface FoldLocals {
  /** The element index. */
  readonly i: Local;
  /** The row's byte address, advanced as elements are read. */
  readonly p: Local;
  /** The accumulator; lane 0 holds the result. */
  readonly acc: Local;
  /** The vector just loaded (or the splat of one element in the tail). */
  readonly x: Local;
  readonly lane: Local;
}

/** `foldLocals(f)` declares the locals of {@link emitRowFold}. */
export function foldLocals(f: Fn): FoldLocals {
  return { i: f.local(I32), p: f.local(I32), acc: f.local(V128), x: f.local(V128), lane: f.local(V128) };
}

/**
 * `emitRowFold(f, op, n, l, each?)` folds the `n ≥ 1` contiguous float32
 * elements from byte address `l.p` with `op` into lane 0 of `l.acc` (which
 * starts at `op`'s identity): four lanes at a time, then the lanes combined
 * (by two shuffles), then the remaining elements one at a time. `each(vector)`,
 * when given, runs after each load and may replace `l.x` (the value folded):
 * four elements when `vector`, one splat element otherwise. Sums of float32
 * round in this order wherever a row is summed, so fused kernels agree with
 * `reduce` bit for bit.
 */
export function emitRowFold(f: Fn, op: SimdReduceOp, n: Local, l: FoldLocals, each?: (vector: boolean) => void): void {
  const combine = (into: Local, from: Local): void => {
    if (op === "sum") f.get(into).get(from).v("f32x4.add").set(into);
    else {
      emitNanExtreme(f, from, into, op === "max");
      f.set(into);
    }
  };
  f32x4Const(f, op === "sum" ? -0 : op === "max" ? -Infinity : Infinity).set(l.acc);
  f.i32(0).set(l.i);
  f.stepTo(l.i, n, 4, () => {
    f.get(l.p).v128Load().set(l.x);
    each?.(true);
    combine(l.acc, l.x);
    f.get(l.p).i32(16).i32Add().set(l.p);
  });
  // lanes: acc = combine(acc, acc shifted by 2 lanes, then by 1 lane)
  for (const shift of [8, 4]) {
    f.get(l.acc).get(l.acc);
    const shuffle: number[] = [];
    for (let k = 0; k < 16; k++) shuffle.push((k + shift) % 16);
    f.i8x16Shuffle(shuffle).set(l.lane);
    combine(l.acc, l.lane);
  }
  f.stepTo(l.i, n, 1, () => {
    f.get(l.p).v128Load32Splat().set(l.x);
    each?.(false);
    combine(l.acc, l.x);
    f.get(l.p).i32(4).i32Add().set(l.p);
  });
}

/**
 * `emitReduceRows(mod, op)` adds `reduce_<op>_f32(table, rows, n, out)`:
 * `out[r]` (float32) is `op` over the `n ≥ 1` contiguous elements of row `r`
 * at byte address `table[r]` (see {@link emitRowFold}); `max`/`min`
 * propagate NaN.
 */
function emitReduceRows(mod: ModuleBuilder, op: SimdReduceOp): void {
  mod.add(`reduce_${op}_f32`, [I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, out] = f.params() as [Local, Local, Local, Local];
    const l = foldLocals(f);
    f.countDown(rows, () => {
      f.get(table).i32Load().set(l.p);
      emitRowFold(f, op, n, l);
      f.get(out).get(l.acc).f32x4ExtractLane(0).f32Store();
      f.get(out).i32(4).i32Add().set(out);
      f.get(table).i32(4).i32Add().set(table);
    });
  });
}

/**
 * `emitFoldRows(mod, op)` adds `fold_<op>_f32(table, rows, n, sx, sa)`: for
 * each row `r < rows`, `acc[j] = acc[j] op x[j]` for `j < n`, where row `r`
 * of `x` starts at byte address `table[2r]` and steps by `sx` elements, and
 * its row of accumulators at `table[2r + 1]`, stepping by `sa` (rows may
 * share accumulators, which is how reduced axes fold). Four lanes at a time
 * when both step by one element; `max`/`min` propagate NaN.
 */
function emitFoldRows(mod: ModuleBuilder, op: SimdReduceOp): void {
  mod.add(`fold_${op}_f32`, [I32, I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, sx, sa] = f.params() as [Local, Local, Local, Local, Local];
    const p = f.local(I32);
    const q = f.local(I32);
    const i = f.local(I32);
    const xStep = f.local(I32);
    const aStep = f.local(I32);
    const vector = f.local(I32);
    const x = f.local(V128);
    const acc = f.local(V128);
    // acc = acc op x (x, acc loaded), left on the stack
    const combined = (): void => {
      if (op === "sum") f.get(acc).get(x).v("f32x4.add");
      else emitNanExtreme(f, x, acc, op === "max");
    };
    f.get(sx).i32(4).i32Mul().set(xStep);
    f.get(sa).i32(4).i32Mul().set(aStep);
    f.get(sx).i32(1).i32Eq().get(sa).i32(1).i32Eq().i32And().set(vector);
    f.countDown(rows, () => {
      f.get(table).i32Load().set(p);
      f.get(table).i32Load(4).set(q);
      f.i32(0).set(i);
      f.get(vector).if();
      f.stepTo(i, n, 4, () => {
        f.get(p).v128Load().set(x);
        f.get(q).v128Load().set(acc);
        f.get(q);
        combined();
        f.v128Store();
        f.get(p).i32(16).i32Add().set(p);
        f.get(q).i32(16).i32Add().set(q);
      });
      f.end();
      f.stepTo(i, n, 1, () => {
        f.get(p).v128Load32Splat().set(x);
        f.get(q).v128Load32Splat().set(acc);
        f.get(q);
        combined();
        f.f32x4ExtractLane(0).f32Store();
        f.get(p).get(xStep).i32Add().set(p);
        f.get(q).get(aStep).i32Add().set(q);
      });
      f.get(table).i32(8).i32Add().set(table);
    });
  });
}

/** `emitReductions(mod)` adds every reduction kernel. */
export function emitReductions(mod: ModuleBuilder): void {
  for (const op of SIMD_REDUCE) {
    emitReduceRows(mod, op);
    emitFoldRows(mod, op);
  }
}
