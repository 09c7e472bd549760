/** Small building blocks shared by the float32 SIMD kernels: hoisted constants and numpy's NaN-propagating extremes. */
import type { Fn, Local } from "./assembler.js";

/** A `v128` constant of four equal float32 lanes (hoisted out of loops). */
export function f32x4Const(f: Fn, v: number): Fn {
  return f.v128Hoisted([...new Uint8Array(new Float32Array([v, v, v, v]).buffer)]);
}

/** A `v128` constant of four equal int32 lanes (hoisted out of loops). */
export function i32x4Const(f: Fn, v: number): Fn {
  return f.v128Hoisted([...new Uint8Array(new Int32Array([v, v, v, v]).buffer)]);
}

/**
 * `emitNanExtreme(f, a, b, greater)` pushes numpy's NaN-propagating `maximum`
 * (`greater`) or `minimum` of two vectors, exactly as `scalar.ts`'s
 * `maxNaN`/`minNaN` choose: `a` when it wins or is NaN, else `b`.
 */
export function emitNanExtreme(f: Fn, a: Local, b: Local, greater: boolean): void {
  f.get(a).get(b);
  f.get(a).get(b).v(greater ? "f32x4.gt" : "f32x4.lt");
  f.get(a).get(a).v("f32x4.ne");
  f.v("v128.or").v("v128.bitselect");
}
