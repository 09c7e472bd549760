/**
 * Scalar functions with numpy's semantics where JavaScript's `Math` differs:
 * rounding half to even, Python's modulo, NaN-propagating extremes, integer
 * powers that wrap. The elementwise tables are built from these.
 */

/** Adding then subtracting 2^52 rounds any `0 ≤ a < 2^52` to an integer, ties to even (the IEEE default). */
const TWO_POW_52 = 2 ** 52;

/**
 * `roundHalfEven(x)` rounds to the nearest integer, ties to the even one
 * (numpy's `round`), keeping the sign of zero; values of magnitude 2^52 or
 * more are integers already and, like ±Infinity and NaN, are returned as is.
 */
export function roundHalfEven(x: number): number {
  const a = Math.abs(x);
  if (!(a < TWO_POW_52) || a === 0) return x;
  const r = a + TWO_POW_52 - TWO_POW_52;
  return x < 0 ? -r : r;
}

/** `sign(x)` is -1, 0 or 1 by the sign of `x`; it keeps the sign of a zero and maps NaN to NaN. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/** `sigmoid(x)` is `1 / (1 + e^-x)`, computed so that neither branch overflows. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** `maxNaN(a, b)` is the larger of `a` and `b`, or NaN when either is NaN (numpy's `maximum`). */
export function maxNaN(a: number, b: number): number {
  return a > b || a !== a ? a : b;
}

/** `minNaN(a, b)` is the smaller of `a` and `b`, or NaN when either is NaN (numpy's `minimum`). */
export function minNaN(a: number, b: number): number {
  return a < b || a !== a ? a : b;
}

/**
 * `floatMod(a, b)` is Python's `a % b` for floats: the result has the sign of
 * `b` (a zero result is +0 or -0 as `b`), and `b = 0` gives NaN.
 */
export function floatMod(a: number, b: number): number {
  const r = a % b;
  if (r === 0) return b < 0 ? -0 : 0;
  return (r < 0) !== (b < 0) ? r + b : r;
}

/** `intMod(a, b)` is Python's `a % b` for integers (the sign of `b`), with `a % 0 = 0`. */
export function intMod(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}

/**
 * `floatPow(a, b)` is `a ** b` with C99's special cases where JavaScript
 * differs: `1 ** NaN = 1` and `(-1) ** ±Infinity = 1`.
 */
export function floatPow(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
  return Math.pow(a, b);
}

/**
 * `intPow(a, b)` is `a ** b` for int32 operands, wrapping modulo 2^32 (by
 * squaring with `Math.imul`); a negative exponent gives 0 unless `a` is ±1.
 */
export function intPow(a: number, b: number): number {
  if (b < 0) {
    if (a === 1) return 1;
    return a === -1 ? ((b & 1) === 0 ? 1 : -1) : 0;
  }
  let result = 1;
  let base = a;
  for (let e = b; e > 0; e >>>= 1) {
    if ((e & 1) !== 0) result = Math.imul(result, base);
    base = Math.imul(base, base);
  }
  return result;
}
