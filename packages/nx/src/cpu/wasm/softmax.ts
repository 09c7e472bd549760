/**
 * The fused `softmax` / `logSoftmax` of float32 rows (the last axis,
 * contiguous) as WebAssembly SIMD kernels. Each step rounds as the composed
 * ops do (`max`, `sub`, `exp`, `sum` in {@link emitRowFold}'s order, `div`),
 * so the fused result equals the composed one bit for bit.
 */
import type { Local, ModuleBuilder } from "./assembler.js";
import { I32, V128 } from "./assembler.js";
import { emitExp } from "./math.js";
import { emitRowFold, foldLocals } from "./reduce.js";

/**
 * `emitSoftmax(mod)` adds
 * `softmax_f32(table, rows, n, out, stats, log)`: for each row `r` of `n ≥ 1`
 * contiguous float32 elements at byte address `table[r]`, with `m` its
 * maximum and `s` = `m` when finite else 0, writes `e = exp(x - s)` to
 * `out[r·n ..]`, then either divides it by the row's sum (`log` = 0: the
 * softmax), or (`log` ≠ 0) leaves it and writes `s` and the sum to
 * `stats[2r]`, `stats[2r + 1]` for {@link emitLogSoftmaxFinish}; and
 * `logsoftmax_finish_f32(table, rows, n, out, stats)`: `out[r·n + j] =
 * (x[j] - stats[2r]) - stats[2r + 1]` (the caller has replaced each sum by
 * its logarithm).
 */
export function emitSoftmax(mod: ModuleBuilder): void {
  mod.add("softmax_f32", [I32, I32, I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, out, stats, log] = f.params() as [Local, Local, Local, Local, Local, Local];
    const l = foldLocals(f);
    const shift = f.local(V128);
    const q = f.local(I32);
    const t = f.local(V128);
    const e = f.local(V128);
    f.countDown(rows, () => {
      // the maximum, splat; the shift is it where finite (m - m = 0), else 0
      f.get(table).i32Load().set(l.p);
      emitRowFold(f, "max", n, l);
      f.get(l.acc).f32x4ExtractLane(0).v("f32x4.splat").set(shift);
      f.get(shift).v128Zero();
      f.get(shift).get(shift).v("f32x4.sub").v128Zero().v("f32x4.eq").v("v128.bitselect").set(shift);
      // e = exp(x - shift) to out, summed
      f.get(table).i32Load().set(l.p);
      f.get(out).set(q);
      emitRowFold(f, "sum", n, l, (vector) => {
        f.get(l.x).get(shift).v("f32x4.sub").set(t);
        emitExp(f, t, e);
        f.set(l.x);
        f.get(q).get(l.x);
        if (vector) f.v128Store();
        else f.f32x4ExtractLane(0).f32Store();
        f.get(q).i32(vector ? 16 : 4).i32Add().set(q);
      });
      f.get(log).if();
      f.get(stats).get(shift).f32x4ExtractLane(0).f32Store();
      f.get(stats).get(l.acc).f32x4ExtractLane(0).f32Store(4);
      f.get(stats).i32(8).i32Add().set(stats);
      f.else();
      // out /= sum
      f.get(l.acc).f32x4ExtractLane(0).v("f32x4.splat").set(t);
      f.get(out).set(q);
      f.i32(0).set(l.i);
      f.stepTo(l.i, n, 4, () => {
        f.get(q).get(q).v128Load().get(t).v("f32x4.div").v128Store();
        f.get(q).i32(16).i32Add().set(q);
      });
      f.stepTo(l.i, n, 1, () => {
        f.get(q).get(q).v128Load32Splat().get(t).v("f32x4.div").f32x4ExtractLane(0).f32Store();
        f.get(q).i32(4).i32Add().set(q);
      });
      f.end();
      f.get(out).get(n).i32(2).i32Shl().i32Add().set(out);
      f.get(table).i32(4).i32Add().set(table);
    });
  });
  emitLogSoftmaxFinish(mod);
}

/** `emitLogSoftmaxFinish(mod)` adds `logsoftmax_finish_f32` (see {@link emitSoftmax}). */
function emitLogSoftmaxFinish(mod: ModuleBuilder): void {
  mod.add("logsoftmax_finish_f32", [I32, I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, out, stats] = f.params() as [Local, Local, Local, Local, Local];
    const p = f.local(I32);
    const i = f.local(I32);
    const shift = f.local(V128);
    const logSum = f.local(V128);
    f.countDown(rows, () => {
      f.get(table).i32Load().set(p);
      f.get(stats).v128Load32Splat().set(shift);
      f.get(stats).v128Load32Splat(4).set(logSum);
      f.i32(0).set(i);
      f.stepTo(i, n, 4, () => {
        f.get(out).get(p).v128Load().get(shift).v("f32x4.sub").get(logSum).v("f32x4.sub").v128Store();
        f.get(out).i32(16).i32Add().set(out);
        f.get(p).i32(16).i32Add().set(p);
      });
      f.stepTo(i, n, 1, () => {
        f.get(out).get(p).v128Load32Splat().get(shift).v("f32x4.sub").get(logSum).v("f32x4.sub").f32x4ExtractLane(0).f32Store();
        f.get(out).i32(4).i32Add().set(out);
        f.get(p).i32(4).i32Add().set(p);
      });
      f.get(stats).i32(8).i32Add().set(stats);
      f.get(table).i32(4).i32Add().set(table);
    });
  });
}
