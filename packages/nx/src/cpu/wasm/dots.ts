/**
 * Products with few rows and a `B` stored transposed (`A · Bᵀ` where `Bᵀ`
 * has contiguous rows): each output is a dot product of a row of `A` with a
 * row of the stored matrix, computed in place. This is a decode step's
 * `q · kᵀ`, where packing the keys for a one-row product would cost as much
 * as the product.
 */
import type { Fn, Local, ModuleBuilder } from "./assembler.js";
import { I32, V128 } from "./assembler.js";

/** `shuffle32(f, lanes)` shuffles the two vectors on the stack by 32-bit lanes (0-3 the first, 4-7 the second). */
function shuffle32(f: Fn, lanes: readonly number[]): Fn {
  return f.i8x16Shuffle(lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
}

/** `pairSums(f, x, y)` pushes `[x0+x2, y0+y2, x1+x3, y1+y3]`. */
function pairSums(f: Fn, x: Local, y: Local): void {
  shuffle32(f.get(x).get(y), [0, 4, 1, 5]);
  shuffle32(f.get(x).get(y), [2, 6, 3, 7]);
  f.v("f32x4.add");
}

/**
 * `emitDots(mod)` adds `gemm_f32_dots(a, rsa, b, csb, c, m, n, k)`:
 * `C[i, j] = Σ_t A[i, t] · B[t, j]` for `i < m`, `j < n`, with row `i` of `A`
 * contiguous at byte address `a + 4·i·rsa`, column `j` of `B` contiguous at
 * `b + 4·j·csb` (`B` stored transposed), and `C` row-major (`n` per row) at
 * `c`. Four columns at a time share the loads of `A`; each keeps four
 * partial sums that a transpose-and-add reduces. Float32 accumulation.
 */
export function emitDots(mod: ModuleBuilder): void {
  mod.add("gemm_f32_dots", [I32, I32, I32, I32, I32, I32, I32, I32], [], (f) => {
    const [a, rsa, b, csb, c, m, n, k] = f.params() as [Local, Local, Local, Local, Local, Local, Local, Local];
    const row = f.local(I32);
    const col = f.local(I32);
    const j = f.local(I32);
    const t = f.local(I32);
    const p = f.local(I32);
    const colBytes = f.local(I32);
    const q = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)] as const;
    const acc = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)] as const;
    const av = f.local(V128);
    const u = f.local(V128);
    const w = f.local(V128);
    f.get(csb).i32(2).i32Shl().set(colBytes);
    // the dot products of A's row at `row` with `count` columns from `col`, into acc[0..count)
    const dots = (count: number): void => {
      for (let x = 0; x < count; x++) {
        f.v128Zero().set(acc[x] as Local);
        if (x === 0) f.get(col).set(q[0]);
        else f.get(q[x - 1] as Local).get(colBytes).i32Add().set(q[x] as Local);
      }
      f.get(row).set(p);
      f.i32(0).set(t);
      const step = (load: () => void, width: number): void => {
        load();
        for (let x = 0; x < count; x++) {
          f.get(acc[x] as Local).get(av);
          f.get(q[x] as Local);
          if (width === 4) f.v128Load();
          else f.v128Load32Zero();
          f.v("f32x4.mul").v("f32x4.add").set(acc[x] as Local);
          f.get(q[x] as Local).i32(4 * width).i32Add().set(q[x] as Local);
        }
        f.get(p).i32(4 * width).i32Add().set(p);
      };
      f.stepTo(t, k, 4, () => step(() => f.get(p).v128Load().set(av), 4));
      f.stepTo(t, k, 1, () => step(() => f.get(p).v128Load32Zero().set(av), 1));
    };
    f.get(a).set(row);
    f.countDown(m, () => {
      f.get(b).set(col);
      f.i32(0).set(j);
      // four columns at a time: [Σacc0, Σacc1, Σacc2, Σacc3] by two rounds of pairwise sums
      f.stepTo(j, n, 4, () => {
        dots(4);
        pairSums(f, acc[0], acc[1]);
        f.set(u);
        pairSums(f, acc[2], acc[3]);
        f.set(w);
        f.get(c);
        shuffle32(f.get(u).get(w), [0, 1, 4, 5]);
        shuffle32(f.get(u).get(w), [2, 3, 6, 7]);
        f.v("f32x4.add").v128Store();
        f.get(c).i32(16).i32Add().set(c);
        f.get(col).get(colBytes).i32(2).i32Shl().i32Add().set(col);
      });
      // the remaining columns one by one
      f.stepTo(j, n, 1, () => {
        dots(1);
        f.get(acc[0]);
        shuffle32(f.get(acc[0]).get(acc[0]), [2, 3, 0, 1]);
        f.v("f32x4.add").set(u);
        f.get(c);
        f.get(u);
        shuffle32(f.get(u).get(u), [1, 0, 3, 2]);
        f.v("f32x4.add").f32x4ExtractLane(0).f32Store();
        f.get(c).i32(4).i32Add().set(c);
        f.get(col).get(colBytes).i32Add().set(col);
      });
      f.get(row).get(rsa).i32(2).i32Shl().i32Add().set(row);
    });
  });
}
