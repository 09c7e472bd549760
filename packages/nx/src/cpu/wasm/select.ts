/**
 * Top-k selection over float32 rows (the `sort` primitive with a small `k`)
 * as WebAssembly kernels. The order is the TypeScript kernel's (`sort.ts`):
 * each element's order-preserving 32-bit key (`-0` as `0`, every NaN above
 * +Infinity, complemented for a descending sort), ties broken by the lower
 * index. Key and index make one unsigned 64-bit rank (`key · 2^32 + index`),
 * all distinct, so the `k` best of a row are its `k` smallest ranks: a
 * max-heap holds the best `k` seen so far, and most of the row is skipped
 * sixteen elements at a time by f32x4 compares with the heap's worst value.
 */
import type { Fn, Local, ModuleBuilder } from "./assembler.js";
import { I32, I64, V128 } from "./assembler.js";
import { SELECT_MAX_K } from "../sort.js";

/** Elements per skip test: four vectors. */
const BLOCK = 16;

/** Scratch a selection needs: the heap of up to {@link SELECT_MAX_K} i64 ranks. */
export const SELECT_SCRATCH_BYTES = 8 * SELECT_MAX_K;

/** The locals of a selection kernel. */
interface SelectLocals {
  /** The row's byte address. */
  readonly p: Local;
  /** Byte address of the heap: `k` i64 ranks. */
  readonly heap: Local;
  readonly k: Local;
  /** The heap's worst value (the element of the root's rank), splat. */
  readonly t: Local;
  readonly rank: Local;
  readonly bits: Local;
  readonly pos: Local;
  readonly size: Local;
  readonly child: Local;
  readonly v: Local;
  readonly cv: Local;
  readonly rv: Local;
}

/** Pushes the byte address of heap entry `index` (an i32 local). */
function emitEntry(f: Fn, l: SelectLocals, index: Local): Fn {
  return f.get(l.heap).get(index).i32(3).i32Shl().i32Add();
}

/**
 * `emitRank(f, l, j, descending)` sets `l.rank` to the rank of element `j`
 * (an i32 local) of the row: its key (as `sort.ts`'s `radixKeys` makes it
 * for float32) in the high word, `j` in the low one.
 */
function emitRank(f: Fn, l: SelectLocals, j: Local, descending: boolean): void {
  const key = l.bits;
  f.get(l.p).get(j).i32(2).i32Shl().i32Add().i32Load().set(l.bits);
  // NaN (any sign, any payload): the largest key
  f.i32(-1);
  // else -0 as +0, then the sign folded: negatives complemented, non-negatives with the top bit set
  f.i32(0).get(l.bits).get(l.bits).i32(0x80000000 | 0).i32Eq().select().tee(key);
  f.get(key).i32(31).i32ShrS().i32(0x80000000 | 0).i32Or().i32Xor();
  f.get(l.bits).i32(0x7fffffff).i32And().i32(0x7f800000).i32GtU().select();
  if (descending) f.i32(-1).i32Xor();
  f.set(key);
  f.get(key).i64ExtendI32U().i64(32).i64Shl().get(j).i64ExtendI32U().i64Or().set(l.rank);
}

/** Sets the threshold `l.t` to the row's element at the heap root's index, splat. */
function emitThreshold(f: Fn, l: SelectLocals): void {
  f.get(l.p).get(l.heap).i64Load().i32WrapI64().i32(2).i32Shl().i32Add().v128Load32Splat().set(l.t);
}

/**
 * Sifts the heap entry at `l.pos` down a max-heap of `l.size` entries (a
 * hole moved down past every larger child, the entry written where it stops).
 */
function emitSiftDown(f: Fn, l: SelectLocals): void {
  emitEntry(f, l, l.pos).i64Load().set(l.v);
  f.block().loop();
  f.get(l.pos).i32(1).i32Shl().i32(1).i32Add().tee(l.child).get(l.size).i32GeS().brIf(1);
  emitEntry(f, l, l.child).i64Load().set(l.cv);
  f.get(l.child).i32(1).i32Add().get(l.size).i32LtS().if();
  emitEntry(f, l, l.child).i64Load(8).tee(l.rv).get(l.cv).i64GtU().if();
  f.get(l.rv).set(l.cv);
  f.get(l.child).i32(1).i32Add().set(l.child);
  f.end();
  f.end();
  f.get(l.cv).get(l.v).i64LeU().brIf(1);
  emitEntry(f, l, l.pos).get(l.cv).i64Store();
  f.get(l.child).set(l.pos);
  f.br(0).end().end();
  emitEntry(f, l, l.pos).get(l.v).i64Store();
}

/** Element `j` (an i32 local) replaces the heap's worst entry when its rank is smaller; the threshold follows. */
function emitConsider(f: Fn, l: SelectLocals, j: Local, descending: boolean): void {
  emitRank(f, l, j, descending);
  f.get(l.rank).get(l.heap).i64Load().i64LtU().if();
  f.get(l.heap).get(l.rank).i64Store();
  f.i32(0).set(l.pos);
  f.get(l.k).set(l.size);
  emitSiftDown(f, l);
  emitThreshold(f, l);
  f.end();
}

/**
 * `emitSelectKernel(mod, descending)` adds
 * `select_f32_<asc|desc>(table, rows, n, k, out, values, heap)`: for each
 * row `r` of `n` contiguous float32 elements at byte address `table[r]`
 * (`1 ≤ k ≤ n`), writes to `out[r·k ..]` the first `k` elements of the
 * row's order (see the module comment): their int32 indices, or with
 * `values` ≠ 0 the elements themselves, bit for bit (NaN payloads too).
 * `heap` is scratch of `8k` bytes.
 */
function emitSelectKernel(mod: ModuleBuilder, descending: boolean): void {
  mod.add(`select_f32_${descending ? "desc" : "asc"}`, [I32, I32, I32, I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, k, out, values, heap] = f.params() as [Local, Local, Local, Local, Local, Local, Local];
    const l: SelectLocals = {
      p: f.local(I32),
      heap,
      k,
      t: f.local(V128),
      rank: f.local(I64),
      bits: f.local(I32),
      pos: f.local(I32),
      size: f.local(I32),
      child: f.local(I32),
      v: f.local(I64),
      cv: f.local(I64),
      rv: f.local(I64),
    };
    const i = f.local(I32);
    const j = f.local(I32);
    const q = f.local(I32);
    const end = f.local(I32);
    // A lane is skipped when it cannot beat the threshold: not above it (descending) or not below it;
    // NaN lanes, or a NaN threshold, are never skipped (the exact test decides).
    const skip = descending ? "f32x4.le" : "f32x4.ge";
    f.countDown(rows, () => {
      f.get(table).i32Load().set(l.p);
      // the first k elements, heapified
      f.upTo(i, k, () => {
        emitRank(f, l, i, descending);
        emitEntry(f, l, i).get(l.rank).i64Store();
      });
      f.get(k).set(l.size);
      f.get(k).i32(1).i32ShrS().set(i);
      f.block().loop();
      f.get(i).i32Eqz().brIf(1);
      f.get(i).i32(1).i32Sub().tee(i).set(l.pos);
      emitSiftDown(f, l);
      f.br(0).end().end();
      emitThreshold(f, l);
      // the rest: whole blocks skipped when no lane can enter, else each element tested
      f.get(k).set(i);
      f.stepTo(i, n, BLOCK, () => {
        f.get(l.p).get(i).i32(2).i32Shl().i32Add().set(q);
        for (let v = 0; v < BLOCK / 4; v++) {
          f.get(q).v128Load(16 * v).get(l.t).v(skip);
          if (v > 0) f.v("v128.and");
        }
        f.v("i32x4.all_true").i32Eqz().if();
        f.get(i).i32(BLOCK).i32Add().set(end);
        f.get(i).set(j);
        f.stepTo(j, end, 1, () => emitConsider(f, l, j, descending));
        f.end();
      });
      f.stepTo(i, n, 1, () => emitConsider(f, l, i, descending));
      // heapsort: the largest rank moves to the end, the heap shrinks; ranks end ascending
      f.get(k).set(i);
      f.block().loop();
      f.get(i).i32(1).i32LeS().brIf(1);
      f.get(i).i32(1).i32Sub().set(i);
      emitEntry(f, l, i).i64Load().set(l.rank);
      emitEntry(f, l, i).get(l.heap).i64Load().i64Store();
      f.get(l.heap).get(l.rank).i64Store();
      f.i32(0).set(l.pos);
      f.get(i).set(l.size);
      emitSiftDown(f, l);
      f.br(0).end().end();
      // out: the indices (low words), or the elements they point at
      f.upTo(i, k, () => {
        emitEntry(f, l, i).i32Load().set(j);
        f.get(values).if();
        f.get(l.p).get(j).i32(2).i32Shl().i32Add().i32Load().set(j);
        f.end();
        f.get(out).get(j).i32Store();
        f.get(out).i32(4).i32Add().set(out);
      });
      f.get(table).i32(4).i32Add().set(table);
    });
  });
}

/** `emitSelect(mod)` adds `select_f32_asc` and `select_f32_desc` (see {@link emitSelectKernel}). */
export function emitSelect(mod: ModuleBuilder): void {
  emitSelectKernel(mod, false);
  emitSelectKernel(mod, true);
}
