/**
 * Transcendental functions on four float32 lanes, for the elementwise
 * kernels: `exp` (Cephes' polynomial with exact scaling) and `erf` (fitted
 * polynomials, `scripts/fit-erf-f32.py`).
 */
import type { Fn, Local } from "./assembler.js";
import { V128 } from "./assembler.js";
import { f32x4Const, i32x4Const } from "./simd.js";

/**
 * `emitExp(f, x, t)` pushes `e^x` per lane (float32): `x = n·ln2 + r` with
 * `n` the nearest integer of `x·log2(e)` and `|r| ≤ ln2/2` (ln2 split in two
 * for exactness), a degree-7 polynomial for `e^r` (Cephes' `expf`), and
 * `2^n` applied as two exactly representable powers so that overflow gives
 * Infinity, underflow gives (sub)normals then 0, and NaN stays NaN. `t` is a
 * scratch v128 local.
 */
export function emitExp(f: Fn, x: Local, t: Local): void {
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

/** `emitHorner(f, coefs, x)` pushes the polynomial with `coefs` (highest degree first) at the v128 local `x`, by Horner's rule in float32. */
function emitHorner(f: Fn, coefs: readonly number[], x: Local): void {
  f32x4Const(f, coefs[0] as number);
  for (const c of coefs.slice(1)) {
    f.get(x).v("f32x4.mul");
    f32x4Const(f, c).v("f32x4.add");
  }
}

/** Where `emitErf` switches from the odd polynomial to `1 - exp(Q)`. */
const ERF_SPLIT = 0.921875;
/** `erf(x) / x ≈ P(x²)` below {@link ERF_SPLIT} (coefficients from `scripts/fit-erf-f32.py`). */
const ERF_P = [8.395687473239377e-5, -0.0008149255882017314, 0.0052016619592905045, -0.026859678328037262, 0.11283700913190842, -0.37612634897232056, 1.128379225730896];
/** `log(erfc(t)) ≈ Q(t)` on `[ERF_SPLIT, 4]` (coefficients from `scripts/fit-erf-f32.py`). */
const ERF_Q = [
  -2.6852484680262023e-8, 2.2087106117396615e-6, -5.12996302859392e-5, 0.0006238967762328684, -0.004846229217946529, 0.02659810334444046, -0.11030980199575424,
  -0.6316444873809814, -1.1303120851516724, 0.0003341935807839036,
];

/**
 * `emitErf(f, x, t)` pushes `erf(x)` per lane (float32, within 2.4 ulp plus
 * the `exp` error, measured by `scripts/fit-erf-f32.py`): `x · P(x²)` for
 * `|x| < 0.921875`, else `±(1 - e^Q(min(|x|, 4)))`, where `P` and `Q` are
 * near-minimax fits of `erf(t)/t` and `log(erfc(t))`. Both branches are
 * computed and one chosen per lane; `erf(±0) = ±0`, `erf(±∞) = ±1`, NaN
 * stays NaN. `t` is a scratch v128 local.
 */
export function emitErf(f: Fn, x: Local, t: Local): void {
  const ax = f.local(V128);
  const q = f.local(V128);
  f.get(x).v("f32x4.abs").set(ax);
  // the large branch with the sign of x: (1 - e^Q(min(|x|, 4))), sign bit from x
  f.get(ax);
  f32x4Const(f, 4).v("f32x4.min").set(q);
  emitHorner(f, ERF_Q, q);
  f.set(q);
  f32x4Const(f, 1);
  emitExp(f, q, t);
  f.v("f32x4.sub");
  f.get(x);
  i32x4Const(f, 0x7fffffff).v("v128.bitselect");
  // the small branch: x · P(x²)
  f.get(ax).get(ax).v("f32x4.mul").set(q);
  emitHorner(f, ERF_P, q);
  f.get(x).v("f32x4.mul");
  // the large branch where |x| >= split (a NaN lane takes the small one, NaN too)
  f.get(ax);
  f32x4Const(f, ERF_SPLIT).v("f32x4.ge").v("v128.bitselect");
}
