/**
 * The random stream of `randomUniform` as a WebAssembly SIMD kernel:
 * threefry2x32 with 20 rounds (the cipher of `random/threefry.ts`) on four
 * counters at once, one per i32x4 lane, then the same bits-to-float maps, so
 * the values are identical to the TypeScript kernel's.
 */
import type { Fn, Local, ModuleBuilder } from "./assembler.js";
import { I32, V128 } from "./assembler.js";
import { f32x4Const, i32x4Const } from "./simd.js";

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
const PARITY = 0x1bd11bda;

/** Bytes of scratch the kernels need for a partial last group (eight float32 or four float64 values). */
export const RANDOM_SCRATCH_BYTES = 32;

/**
 * `emitBlocks(f, k0, k1, counter, x0, x1)` sets `x0`, `x1` to the two output
 * words of `threefry2x32((k0, k1), (counter lane, 0))` per lane.
 */
function emitBlocks(f: Fn, ks: readonly [Local, Local, Local], counter: Local, x0: Local, x1: Local): void {
  f.get(counter).get(ks[0]).v("i32x4.add").set(x0);
  f.get(ks[1]).set(x1);
  for (let group = 0; group < 5; group++) {
    const base = (group & 1) * 4;
    for (let r = 0; r < 4; r++) {
      const rot = ROTATIONS[base + r] as number;
      f.get(x0).get(x1).v("i32x4.add").set(x0);
      f.get(x1).i32(rot).v("i32x4.shl").get(x1).i32(32 - rot).v("i32x4.shr_u").v("v128.or");
      f.get(x0).v("v128.xor").set(x1);
    }
    f.get(x0).get(ks[(group + 1) % 3] as Local).v("i32x4.add").set(x0);
    f.get(x1).get(ks[(group + 2) % 3] as Local).v("i32x4.add");
    i32x4Const(f, group + 1).v("i32x4.add").set(x1);
  }
}

/**
 * `emitRandom(mod, float)` adds `random_<f32|f64>(k0, k1, n, out, scratch)`:
 * the first `n` values of the `[0, 1)` stream of key `(k0, k1)` that
 * `backend.ts` specifies, written to `out` (float32: block `b` gives
 * elements `2b` and `2b + 1` as `(w >>> 8) · 2^-24`; float64: block `i`
 * gives element `i` as `(w0 >>> 5) · 2^-27 + (w1 >>> 6) · 2^-53`). A last
 * partial group is computed into `scratch` ({@link RANDOM_SCRATCH_BYTES}
 * bytes) and copied.
 */
function emitRandom(mod: ModuleBuilder, float: "f32" | "f64"): void {
  mod.add(`random_${float}`, [I32, I32, I32, I32, I32], [], (f) => {
    const [k0, k1, n, out, scratch] = f.params() as [Local, Local, Local, Local, Local];
    const ks: [Local, Local, Local] = [f.local(V128), f.local(V128), f.local(V128)];
    const counter = f.local(V128);
    const x0 = f.local(V128);
    const x1 = f.local(V128);
    const dst = f.local(I32);
    const left = f.local(I32);
    // Values per group of four blocks.
    const per = float === "f32" ? 8 : 4;
    const bytes = float === "f32" ? 4 : 8;
    f.get(k0).v("i32x4.splat").set(ks[0]);
    f.get(k1).v("i32x4.splat").set(ks[1]);
    f.i32(PARITY).get(k0).i32Xor().get(k1).i32Xor().v("i32x4.splat").set(ks[2]);
    f.v128Hoisted([...new Uint8Array(new Int32Array([0, 1, 2, 3]).buffer)]).set(counter);
    f.get(n).set(left);
    f.block().loop();
    f.get(left).i32Eqz().brIf(1);
    emitBlocks(f, ks, counter, x0, x1);
    // dst: out itself for a whole group, the scratch for the last partial one
    f.get(out).get(scratch).get(left).i32(per).i32GeS().select().set(dst);
    if (float === "f32") {
      // interleave the words of each block (w0, w1 of block b are elements 2b, 2b+1), then map to floats
      const lanes = (a: number, b: number): number[] => [...[0, 1, 2, 3].map((i) => 4 * a + i), ...[0, 1, 2, 3].map((i) => 16 + 4 * a + i), ...[0, 1, 2, 3].map((i) => 4 * b + i), ...[0, 1, 2, 3].map((i) => 16 + 4 * b + i)];
      for (const [half, at] of [[lanes(0, 1), 0], [lanes(2, 3), 16]] as const) {
        f.get(dst);
        f.get(x0).get(x1).i8x16Shuffle(half).i32(8).v("i32x4.shr_u").v("f32x4.convert_i32x4_s");
        f32x4Const(f, 2 ** -24).v("f32x4.mul");
        f.v128Store(at);
      }
    } else {
      const hi = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
      const scale = (v: number): Fn => f.v128Hoisted([...new Uint8Array(new Float64Array([v, v]).buffer)]);
      f.get(x0).i32(5).v("i32x4.shr_u").set(x0);
      f.get(x1).i32(6).v("i32x4.shr_u").set(x1);
      for (const [high, at] of [[false, 0], [true, 16]] as const) {
        f.get(dst);
        f.get(x0);
        if (high) f.get(x0).i8x16Shuffle(hi);
        f.v("f64x2.convert_low_i32x4_s");
        scale(2 ** -27).v("f64x2.mul");
        f.get(x1);
        if (high) f.get(x1).i8x16Shuffle(hi);
        f.v("f64x2.convert_low_i32x4_s");
        scale(2 ** -53).v("f64x2.mul").v("f64x2.add");
        f.v128Store(at);
      }
    }
    f.get(left).i32(per).i32GeS().if();
    f.get(out).i32(per * bytes).i32Add().set(out);
    f.get(left).i32(per).i32Sub().set(left);
    f.else();
    f.get(out).get(scratch).get(left).i32(bytes).i32Mul().memoryCopy();
    f.i32(0).set(left);
    f.end();
    f.get(counter);
    i32x4Const(f, 4).v("i32x4.add").set(counter);
    f.br(0).end().end();
  });
}

/** `emitRandomKernels(mod)` adds `random_f32` and `random_f64`. */
export function emitRandomKernels(mod: ModuleBuilder): void {
  emitRandom(mod, "f32");
  emitRandom(mod, "f64");
}
