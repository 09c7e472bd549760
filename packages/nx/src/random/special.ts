/**
 * Special functions the samplers need that are not backend primitives,
 * composed from elementwise ops so they run on every backend.
 */
import type { FloatDType } from "../dtype.js";
import { add, equal, less, log, mul, neg, sqrt, sub, where } from "../ops/elementwise.js";
import type { Tensor } from "../tensor.js";

// Giles, "Approximating the erfinv function", GPU Computing Gems Jade Edition
// (2011). Coefficients in Horner order (highest power first). The float32 set
// has a relative error below 4e-7, the float64 set below 1e-15.
const F32_CENTRAL = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941,
] as const;
const F32_TAIL = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682,
] as const;
const F64_CENTRAL = [
  -3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18, 1.115787767802518096e-17, -1.333171662854620906e-16,
  2.0972767875968561637e-17, 6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14, 2.6335093153082322977e-12,
  -1.2975133253453532498e-11, -5.4154120542946279317e-11, 1.051212273321532285e-9, -4.1126339803469836976e-9, -2.9070369957882005086e-8,
  4.2347877827932403518e-7, -1.3654692000834678645e-6, -1.3882523362786468719e-5, 0.0001867342080340571352, -0.00074070253416626697512,
  -0.0060336708714301490533, 0.24015818242558961693, 1.6536545626831027356,
] as const;
const F64_MIDDLE = [
  2.2137376921775787049e-9, 9.0756561938885390979e-8, -2.7517406297064545428e-7, 1.8239629214389227755e-8, 1.5027403968909827627e-6,
  -4.013867526981545969e-6, 2.9234449089955446044e-6, 1.2475304481671778723e-5, -4.7318229009055733981e-5, 6.8284851459573175448e-5,
  2.4031110387097893999e-5, -0.0003550375203628474796, 0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
  -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334, 3.0838856104922207635,
] as const;
const F64_TAIL = [
  -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-9, -3.7894654401267369937e-9, 7.6157012080783393804e-9,
  -1.4960026627149240478e-8, 2.9147953450901080826e-8, -6.7711997758452339498e-8, 2.2900482228026654717e-7, -9.9298272942317002539e-7,
  4.5260625972231537039e-6, -1.9681778105531670567e-5, 7.5995277030017761139e-5, -0.00021503011930044477347, -0.00013871931833623122026,
  1.0103004648645343977, 4.8499064014085844221,
] as const;

/** `horner(coeffs, w)` is the polynomial with `coeffs` (highest power first) at `w`. */
function horner(coeffs: readonly number[], w: Tensor): Tensor {
  let p = add(mul(w, coeffs[0] as number), coeffs[1] as number);
  for (let i = 2; i < coeffs.length; i++) p = add(mul(p, w), coeffs[i] as number);
  return p;
}

/**
 * `erfinv(x)` is the inverse error function of a float32 or float64 tensor,
 * elementwise, by Giles' polynomial approximations in the tensor's own
 * precision (relative error about 3e-7 in float32 and 1e-15 in float64).
 * `erfinv(±1)` is `±Infinity`; outside `[-1, 1]` the result is NaN.
 * Frontend guarantees: `x` is a live float tensor. Internal.
 */
export function erfinv(x: Tensor): Tensor {
  const dtype = x.dtype as FloatDType;
  // -log((1 - x)(1 + x)) rather than -log1p(-x^2): exact factors near ±1.
  const w = neg(log(mul(sub(1, x), add(1, x))));
  let p: Tensor;
  if (dtype === "float32") {
    p = where(less(w, 5), horner(F32_CENTRAL, sub(w, 2.5)), horner(F32_TAIL, sub(sqrt(w), 3)));
  } else {
    const s = sqrt(w);
    p = where(less(w, 6.25), horner(F64_CENTRAL, sub(w, 3.125)), where(less(w, 16), horner(F64_MIDDLE, sub(s, 3.25)), horner(F64_TAIL, sub(s, 5))));
  }
  // At |x| = 1, w is Infinity and the polynomials are not usable; the limit is ±Infinity.
  return where(equal(w, Infinity), mul(x, Infinity), mul(p, x));
}

/** `nextDown(v, dtype)` is the largest value of `dtype` strictly below `v` (after rounding `v` to `dtype`). */
export function nextDown(v: number, dtype: FloatDType): number {
  return step(v, dtype, -1);
}

/** `nextUp(v, dtype)` is the smallest value of `dtype` strictly above `v` (after rounding `v` to `dtype`). */
export function nextUp(v: number, dtype: FloatDType): number {
  return step(v, dtype, 1);
}

function step(v: number, dtype: FloatDType, dir: 1 | -1): number {
  if (Number.isNaN(v)) return v;
  if (dtype === "float32") {
    const f = new Float32Array([v]);
    const bits = new Int32Array(f.buffer);
    const x = f[0] as number;
    if (x === dir * Infinity) return x;
    if (x === 0) {
      bits[0] = 1; // the smallest subnormal
      return dir * (f[0] as number);
    }
    bits[0] = (bits[0] as number) + ((x > 0) === (dir > 0) ? 1 : -1);
    return f[0] as number;
  }
  if (v === dir * Infinity) return v;
  if (v === 0) return dir * Number.MIN_VALUE;
  const d = new Float64Array([v]);
  const bits = new BigInt64Array(d.buffer);
  bits[0] = (bits[0] as bigint) + ((v > 0) === (dir > 0) ? 1n : -1n);
  return d[0] as number;
}
