/** WebAssembly copies of strided views, for any element size (`copy` and the movement primitives). */
import type { Local, ModuleBuilder } from "./assembler.js";
import { I32 } from "./assembler.js";

/**
 * `emitCopyInto(mod, bytes)` adds `copy_into_<bytes>(table, rows, n, ss, sd)`:
 * for each row `r < rows`, `n` elements of `bytes` bytes from the source row
 * at byte address `table[2r]` (stepping by `ss` elements) to the destination
 * row at `table[2r + 1]` (stepping by `sd`); a row where both step by one
 * element is one `memory.copy`. Source and destination must not overlap.
 */
function emitCopyInto(mod: ModuleBuilder, bytes: 1 | 4 | 8): void {
  mod.add(`copy_into_${bytes}`, [I32, I32, I32, I32, I32], [], (f) => {
    const [table, rows, n, ss, sd] = f.params() as [Local, Local, Local, Local, Local];
    const p = f.local(I32);
    const q = f.local(I32);
    const i = f.local(I32);
    const srcStep = f.local(I32);
    const dstStep = f.local(I32);
    const rowBytes = f.local(I32);
    const bulk = f.local(I32);
    f.get(ss).i32(bytes).i32Mul().set(srcStep);
    f.get(sd).i32(bytes).i32Mul().set(dstStep);
    f.get(n).i32(bytes).i32Mul().set(rowBytes);
    f.get(ss).i32(1).i32Eq().get(sd).i32(1).i32Eq().i32And().set(bulk);
    f.countDown(rows, () => {
      f.get(table).i32Load().set(p);
      f.get(table).i32Load(4).set(q);
      f.get(bulk).if();
      f.get(q).get(p).get(rowBytes).memoryCopy();
      f.else();
      f.upTo(i, n, () => {
        f.get(q).get(p);
        if (bytes === 1) f.i32Load8U().i32Store8();
        else if (bytes === 4) f.i32Load().i32Store();
        else f.f64Load().f64Store();
        f.get(p).get(srcStep).i32Add().set(p);
        f.get(q).get(dstStep).i32Add().set(q);
      });
      f.end();
      f.get(table).i32(8).i32Add().set(table);
    });
  });
}

/** `emitCopies(mod)` adds every copy kernel. */
export function emitCopies(mod: ModuleBuilder): void {
  for (const bytes of [1, 4, 8] as const) emitCopyInto(mod, bytes);
}
