/**
 * Scalar helper functions shared by the generated kernels, written in the
 * JavaScript subset gpu.js translates to GLSL and WebAssembly. They pin down
 * the semantics GLSL leaves undefined (`log(0)`, `sqrt(-1)`, `pow` of a
 * negative base, NaN propagation) so every mode computes the same values.
 *
 * Values are float32; NaN and Infinity cannot be written as GLSL literals
 * (gpu.js turns `Infinity` into FLT_MAX), so helpers that produce them take
 * them as parameters (`kNaN`, `kInf`), fed from kernel scalar arguments.
 */
import type { HelperFunction } from "../gpu/engine.js";

/** The largest finite float32; `|v| > FLT_MAX` is the portable infinity test. */
export const FLT_MAX = "3.4028234663852886e38";

interface HelperDef {
  readonly params: readonly string[];
  readonly body: string;
  /** Other helpers this one calls (names of `DEFS`). */
  readonly deps?: readonly string[];
}

function ipow(wrap: "nxWrapI32" | "nxWrapU8"): HelperDef {
  return {
    params: ["a", "b"],
    deps: [wrap],
    body: `
      if (b < 0) {
        if (a == 1) { return 1.0; }
        if (a == -1) { if (Math.floor(b * 0.5) == b * 0.5) { return 1.0; } return -1.0; }
        return 0.0;
      }
      let r = 1.0;
      let base = a;
      let e = b;
      for (let k = 0; k < 32; k++) {
        if (e >= 1) {
          const h = Math.floor(e * 0.5);
          if (e - 2.0 * h == 1) { r = ${wrap}(r * base); }
          base = ${wrap}(base * base);
          e = h;
        }
      }
      return r;`,
  };
}

const DEFS = {
  /** Floor division of two whole numbers, corrected for the rounding of float division. */
  nxIdiv: {
    params: ["a", "d"],
    body: `
      let q = Math.floor(a / d);
      const r = a - q * d;
      if (r < 0) { q = q - 1.0; }
      if (r >= d) { q = q + 1.0; }
      return q;`,
  },
  /** Wraps a whole number to int32 (exact while |v| < 2^24). */
  nxWrapI32: {
    params: ["v"],
    body: `if (v >= -2147483648 && v < 2147483648) { return v; } return v - 4294967296.0 * Math.floor((v + 2147483648.0) / 4294967296.0);`,
  },
  /** Wraps a whole number to uint8. */
  nxWrapU8: { params: ["v"], body: `return v - 256.0 * Math.floor(v / 256.0);` },
  nxTrunc: { params: ["v"], body: `if (v < 0) { return Math.ceil(v); } return Math.floor(v);` },
  /** Round half to even (numpy's `round`). */
  nxRound: {
    params: ["x"],
    body: `
      if (x != x || Math.abs(x) >= 8388608) { return x; }
      const f = Math.floor(x);
      const d = x - f;
      if (d > 0.5) { return f + 1.0; }
      if (d < 0.5) { return f; }
      const h = f * 0.5;
      if (Math.floor(h) == h) { return f; }
      return f + 1.0;`,
  },
  nxSign: { params: ["x"], body: `if (x > 0) { return 1.0; } if (x < 0) { return -1.0; } return x;` },
  nxSqrt: { params: ["x", "kNaN"], body: `if (x < 0) { return kNaN; } return Math.sqrt(x);` },
  nxLog: {
    params: ["x", "kNaN", "kInf"],
    body: `if (x < 0) { return kNaN; } if (x == 0) { return -kInf; } return Math.log(x);`,
  },
  nxLog1p: {
    params: ["x", "kNaN", "kInf"],
    body: `
      if (x < -1) { return kNaN; }
      if (x == -1) { return -kInf; }
      if (x > ${FLT_MAX}) { return x; }
      if (Math.abs(x) < 0.01) { return x * (1.0 - x * (0.5 - x * (0.3333333333333333 - x * (0.25 - x * 0.2)))); }
      const u = 1.0 + x;
      return Math.log(u) * x / (u - 1.0);`,
  },
  nxExpm1: {
    params: ["x"],
    body: `
      if (Math.abs(x) < 0.01) { return x * (1.0 + x * (0.5 + x * (0.16666666666666666 + x * (0.041666666666666664 + x * 0.008333333333333333)))); }
      const u = Math.exp(x);
      if (u == 1) { return x; }
      const um = u - 1.0;
      if (um == -1) { return -1.0; }
      if (u > ${FLT_MAX}) { return u; }
      return um * x / Math.log(u);`,
  },
  nxSin: { params: ["x", "kNaN"], body: `if (Math.abs(x) > ${FLT_MAX}) { return kNaN; } return Math.sin(x);` },
  nxCos: { params: ["x", "kNaN"], body: `if (Math.abs(x) > ${FLT_MAX}) { return kNaN; } return Math.cos(x);` },
  nxTan: { params: ["x", "kNaN"], body: `if (Math.abs(x) > ${FLT_MAX}) { return kNaN; } return Math.tan(x);` },
  nxTanh: {
    params: ["x"],
    deps: ["nxExpm1"],
    body: `
      const a = Math.abs(x);
      let r = 0.0;
      if (a < 0.0004) {
        r = a * (1.0 - a * a / 3.0);
      } else {
        const e = nxExpm1(-2.0 * a);
        r = -e / (2.0 + e);
      }
      if (x < 0) { return -r; }
      if (x != x) { return x; }
      return r;`,
  },
  nxSigmoid: { params: ["x"], body: `return 1.0 / (1.0 + Math.exp(-x));` },
  /** erf: Taylor series below 0.5, Abramowitz–Stegun 7.1.26 above (|error| < 1.5e-7). */
  nxErf: {
    params: ["x"],
    body: `
      const a = Math.abs(x);
      let r = 0.0;
      if (a < 0.5) {
        const z = a * a;
        r = a * (1.1283791670955126 + z * (-0.37612638903183754 + z * (0.11283791670955126 + z * (-0.026866170645131252 + z * (0.005223977625442188 - z * 0.0008548327023450852)))));
      } else {
        const t = 1.0 / (1.0 + 0.3275911 * a);
        r = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
      }
      if (x < 0) { return -r; }
      return r;`,
  },
  /**
   * `asin(a)` for `0 <= a <= 1` by a float32 minimax polynomial (Cephes'
   * coefficients; relative error about 2.5e-7): on `a²` below 1/2, on
   * `(1 - a)/2` above (GL's `asin` is only accurate to about 1e-4 on some drivers).
   */
  nxAsinCore: {
    params: ["a"],
    body: `
      let z = a * a;
      let s = a;
      let big = false;
      if (a > 0.5) {
        z = 0.5 * (1.0 - a);
        s = Math.sqrt(z);
        big = true;
      }
      const r = ((((0.042163199048 * z + 0.024181311049) * z + 0.045470025998) * z + 0.074953002686) * z + 0.16666752422) * z * s + s;
      if (big) { return 1.5707963267948966 - 2.0 * r; }
      return r;`,
  },
  /** `asin`, NaN outside [-1, 1]. */
  nxAsin: {
    params: ["x", "kNaN"],
    deps: ["nxAsinCore"],
    body: `
      const a = Math.abs(x);
      if (a > 1) { return kNaN; }
      const r = nxAsinCore(a);
      if (x < 0) { return -r; }
      return r;`,
  },
  /** `acos` from the same polynomial: `2 asin(sqrt((1 - |x|)/2))` beyond 1/2 (precise near ±1), `π/2 - asin(x)` within; NaN outside [-1, 1]. */
  nxAcos: {
    params: ["x", "kNaN"],
    deps: ["nxAsinCore"],
    body: `
      if (Math.abs(x) > 1) { return kNaN; }
      if (x > 0.5) { return 2.0 * nxAsinCore(Math.sqrt(0.5 * (1.0 - x))); }
      if (x < -0.5) { return 3.141592653589793 - 2.0 * nxAsinCore(Math.sqrt(0.5 * (1.0 + x))); }
      if (x < 0) { return 1.5707963267948966 + nxAsinCore(-x); }
      return 1.5707963267948966 - nxAsinCore(x);`,
  },
  /**
   * `atan` by a float32 minimax polynomial (Cephes' coefficients; relative
   * error about 2e-7) after reducing `|x|` below tan(π/8) with the
   * identities at π/4 and π/2; ±π/2 at ±Infinity.
   */
  nxAtan: {
    params: ["x"],
    body: `
      const a = Math.abs(x);
      let y0 = 0.0;
      let z = a;
      if (a > 2.414213562373095) {
        y0 = 1.5707963267948966;
        z = -1.0 / a;
      } else if (a > 0.41421356237309503) {
        y0 = 0.7853981633974483;
        z = (a - 1.0) / (a + 1.0);
      }
      const zz = z * z;
      const r = y0 + ((((0.0805374449538 * zz - 0.138776856032) * zz + 0.199777106478) * zz - 0.333329491539) * zz * z + z);
      if (x < 0) { return -r; }
      return r;`,
  },
  /** `sinh`: through expm1 below 1 (precise near 0), as `(e/2)·e - 1/(2e²)` with `e = exp(|x|/2)` above (finite up to overflow). */
  nxSinh: {
    params: ["x"],
    deps: ["nxExpm1"],
    body: `
      const a = Math.abs(x);
      let r = 0.0;
      if (a < 1) {
        const m = nxExpm1(a);
        r = 0.5 * (m + m / (m + 1.0));
      } else {
        const e = Math.exp(0.5 * a);
        r = (0.5 * e) * e - 0.5 / (e * e);
      }
      if (x < 0) { return -r; }
      return r;`,
  },
  /** `cosh` as `(e/2)·e + 1/(2e²)` with `e = exp(|x|/2)`: finite up to overflow. */
  nxCosh: {
    params: ["x"],
    body: `
      const e = Math.exp(0.5 * Math.abs(x));
      return (0.5 * e) * e + 0.5 / (e * e);`,
  },
  /** `asinh`: `log1p(a + a²/(1 + sqrt(1 + a²)))` (precise near 0), `log(a) + ln 2` above 2^12 (no overflow of a²). */
  nxAsinh: {
    params: ["x", "kNaN", "kInf"],
    deps: ["nxLog1p"],
    body: `
      const a = Math.abs(x);
      let r = 0.0;
      if (a > ${FLT_MAX}) {
        r = a;
      } else if (a > 4096) {
        r = Math.log(a) + 0.6931471805599453;
      } else {
        r = nxLog1p(a + a * a / (1.0 + Math.sqrt(1.0 + a * a)), kNaN, kInf);
      }
      if (x < 0) { return -r; }
      return r;`,
  },
  /** `acosh`: NaN below 1, `log1p(t + sqrt(t (t + 2)))` with `t = x - 1` (precise near 1), `log(x) + ln 2` above 2^12. */
  nxAcosh: {
    params: ["x", "kNaN", "kInf"],
    deps: ["nxLog1p"],
    body: `
      if (x < 1) { return kNaN; }
      if (x > ${FLT_MAX}) { return x; }
      if (x > 4096) { return Math.log(x) + 0.6931471805599453; }
      const t = x - 1.0;
      return nxLog1p(t + Math.sqrt(t * (t + 2.0)), kNaN, kInf);`,
  },
  /** `atanh` as `log1p(2a / (1 - a)) / 2` (precise near 0); ±Infinity at ±1, NaN beyond. */
  nxAtanh: {
    params: ["x", "kNaN", "kInf"],
    deps: ["nxLog1p"],
    body: `
      const a = Math.abs(x);
      if (a > 1) { return kNaN; }
      let r = kInf;
      if (a < 1) { r = 0.5 * nxLog1p(2.0 * a / (1.0 - a), kNaN, kInf); }
      if (x < 0) { return -r; }
      return r;`,
  },
  /** `2^e` for a whole `e`, exactly: products of exact powers of two (GPU `exp2` may be off by an ulp). */
  nxPow2: {
    params: ["e"],
    body: `
      let r = 1.0;
      let a = Math.abs(e);
      let up = 1.0;
      if (e < 0) { up = 0.0; }
      for (let k = 0; k < 4; k++) {
        if (a >= 64) { if (up > 0) { r = r * 18446744073709551616.0; } else { r = r * 5.421010862427522e-20; } a = a - 64.0; }
      }
      if (a >= 32) { if (up > 0) { r = r * 4294967296.0; } else { r = r * 2.3283064365386963e-10; } a = a - 32.0; }
      if (a >= 16) { if (up > 0) { r = r * 65536.0; } else { r = r * 0.0000152587890625; } a = a - 16.0; }
      if (a >= 8) { if (up > 0) { r = r * 256.0; } else { r = r * 0.00390625; } a = a - 8.0; }
      if (a >= 4) { if (up > 0) { r = r * 16.0; } else { r = r * 0.0625; } a = a - 4.0; }
      if (a >= 2) { if (up > 0) { r = r * 4.0; } else { r = r * 0.25; } a = a - 2.0; }
      if (a >= 1) { if (up > 0) { r = r * 2.0; } else { r = r * 0.5; } }
      return r;`,
  },
  /** `exp2` as `2^k · exp(f ln 2)` for `x = k + f`, `0 <= f < 1`: exact for whole `x`. */
  nxExp2: {
    params: ["x", "kInf"],
    deps: ["nxPow2"],
    body: `
      if (x > 128) { return kInf; }
      if (x < -150) { return 0.0; }
      const k = Math.floor(x);
      return nxPow2(k) * Math.exp((x - k) * 0.6931471805599453);`,
  },
  /** `log2`: NaN below 0, -Infinity at 0, and exact on powers of two (corrected to the whole exponent). */
  nxLog2: {
    params: ["x", "kNaN", "kInf"],
    deps: ["nxPow2"],
    body: `
      if (x < 0) { return kNaN; }
      if (x == 0) { return -kInf; }
      if (x > ${FLT_MAX}) { return x; }
      const r = Math.log2(x);
      const k = Math.floor(r + 0.5);
      if (nxPow2(k) == x) { return k; }
      return r;`,
  },
  /** C99 `atan2(y, x)`: the angle of `(x, y)` with signed zeros and infinities (GLSL leaves (0, 0) undefined). */
  nxAtan2: {
    params: ["y", "x", "kNaN"],
    deps: ["nxAtan"],
    body: `
      if (y != y || x != x) { return kNaN; }
      let negX = false;
      if (x < 0 || (x == 0 && 1.0 / x < 0)) { negX = true; }
      let negY = false;
      if (y < 0 || (y == 0 && 1.0 / y < 0)) { negY = true; }
      const ay = Math.abs(y);
      const ax = Math.abs(x);
      let r = 0.0;
      if (ay > ${FLT_MAX} && ax > ${FLT_MAX}) {
        r = 0.7853981633974483;
      } else if (ay > ${FLT_MAX} || ax == 0) {
        r = 1.5707963267948966;
      } else if (ax > ${FLT_MAX} || ay == 0) {
        r = 0.0;
      } else if (ay <= ax) {
        r = nxAtan(ay / ax);
      } else {
        r = 1.5707963267948966 - nxAtan(ax / ay);
      }
      if (ay == 0 && ax == 0) { r = 0.0; }
      if (negX) { r = 3.141592653589793 - r; }
      if (negY) { return -r; }
      return r;`,
  },
  /** `hypot`: the larger magnitude times `sqrt(1 + r²)`, `r <= 1` the ratio (no overflow or underflow); Infinity beats NaN. */
  nxHypot: {
    params: ["a", "b", "kNaN", "kInf"],
    body: `
      const x = Math.abs(a);
      const y = Math.abs(b);
      if (x > ${FLT_MAX} || y > ${FLT_MAX}) { return kInf; }
      if (x != x || y != y) { return kNaN; }
      const m = Math.max(x, y);
      if (m == 0) { return 0.0; }
      const r = Math.min(x, y) / m;
      return m * Math.sqrt(1.0 + r * r);`,
  },
  /** IEEE/numpy `pow` for floats: exact repeated multiplication for small whole exponents. */
  nxPow: {
    params: ["a", "b", "kNaN", "kInf"],
    body: `
      if (b == 0) { return 1.0; }
      if (a == 1) { return 1.0; }
      if (a != a || b != b) { return kNaN; }
      const ab = Math.abs(a);
      let bWhole = false;
      if (Math.floor(b) == b) { bWhole = true; }
      if (Math.abs(b) > ${FLT_MAX}) {
        if (ab == 1) { return 1.0; }
        if ((ab > 1) == (b > 0)) { return kInf; }
        return 0.0;
      }
      let m = 0.0;
      if (a == 0) {
        if (b > 0) { return 0.0; }
        if (bWhole && Math.floor(b * 0.5) != b * 0.5 && 1.0 / a < 0) { return -kInf; }
        return kInf;
      } else if (ab > ${FLT_MAX}) {
        if (b > 0) { m = kInf; } else { m = 0.0; }
      } else if (bWhole && Math.abs(b) <= 64) {
        let e = Math.abs(b);
        let base = ab;
        let r = 1.0;
        for (let k = 0; k < 7; k++) {
          if (e >= 1) {
            const h = Math.floor(e * 0.5);
            if (e - 2.0 * h == 1) { r = r * base; }
            base = base * base;
            e = h;
          }
        }
        if (b < 0) { m = 1.0 / r; } else { m = r; }
      } else {
        m = Math.pow(ab, b);
      }
      if (a < 0) {
        if (!bWhole) {
          if (ab > ${FLT_MAX}) { return m; }
          return kNaN;
        }
        if (Math.floor(b * 0.5) != b * 0.5) { return -m; }
      }
      return m;`,
  },
  nxIpowI32: ipow("nxWrapI32"),
  nxIpowU8: ipow("nxWrapU8"),
  /**
   * `a - b * floor(a / b)` for finite `a` and nonzero finite `b`, corrected
   * into `[0, b)` (or `(b, 0]`) where float rounding put it one `b` outside:
   * the remainder with the sign of the divisor.
   */
  nxModFloor: {
    params: ["a", "b"],
    body: `
      let r = a - b * Math.floor(a / b);
      if (b > 0) {
        if (r < 0) { r = r + b; }
        if (r >= b) { r = r - b; }
      } else {
        if (r > 0) { r = r + b; }
        if (r <= b) { r = r - b; }
      }
      return r;`,
  },
  /** Float `mod` with the sign of the divisor (Python/numpy). */
  nxFmod: {
    params: ["a", "b", "kNaN"],
    deps: ["nxModFloor"],
    body: `
      if (b == 0 || a != a || b != b || Math.abs(a) > ${FLT_MAX}) { return kNaN; }
      if (Math.abs(b) > ${FLT_MAX}) {
        if (a == 0) { return a; }
        if ((a < 0) != (b < 0)) { return b; }
        return a;
      }
      return nxModFloor(a, b);`,
  },
  /** Integer `mod` with the sign of the divisor; `mod` by 0 is 0. */
  nxImod: {
    params: ["a", "b"],
    deps: ["nxModFloor"],
    body: `
      if (b == 0) { return 0.0; }
      return nxModFloor(a, b);`,
  },
  nxMax: { params: ["a", "b"], body: `if (a != a) { return a; } if (b != b) { return b; } if (a > b) { return a; } return b;` },
  nxMin: { params: ["a", "b"], body: `if (a != a) { return a; } if (b != b) { return b; } if (a < b) { return a; } return b;` },
  nxCastI32: {
    params: ["v"],
    deps: ["nxWrapI32", "nxTrunc"],
    body: `if (v != v || Math.abs(v) > ${FLT_MAX}) { return 0.0; } return nxWrapI32(nxTrunc(v));`,
  },
  nxCastU8: {
    params: ["v"],
    deps: ["nxWrapU8", "nxTrunc"],
    body: `if (v != v || Math.abs(v) > ${FLT_MAX}) { return 0.0; } return nxWrapU8(nxTrunc(v));`,
  },
  /** Clamps a gather index into `[0, n)` after one wrap of negatives. */
  nxIndex: {
    params: ["i", "n"],
    body: `let k = i; if (k < 0) { k = k + n; } if (k < 0) { k = 0.0; } if (k > n - 1) { k = n - 1.0; } return k;`,
  },
  /** XOR of two whole numbers below 2^16. */
  nxXor16: { params: ["a", "b"], body: `const r = a ^ b; return r + 0.0;` },
} satisfies Record<string, HelperDef>;

/** The name of a helper function. */
export type HelperName = keyof typeof DEFS;

const cache = new Map<HelperName, HelperFunction>();

function build(name: HelperName): HelperFunction {
  let h = cache.get(name);
  if (!h) {
    const def: HelperDef = DEFS[name];
    h = {
      name,
      source: `function ${name}(${def.params.join(", ")}) {${def.body}\n}`,
      argumentTypes: def.params.map(() => "Number"),
      returnType: "Number",
    };
    cache.set(name, h);
  }
  return h;
}

/** `helpersFor(names)` is the helper functions `names` need, dependencies included, each once. */
export function helpersFor(names: Iterable<HelperName>): HelperFunction[] {
  const out = new Map<HelperName, HelperFunction>();
  const visit = (n: HelperName): void => {
    if (out.has(n)) return;
    const def: HelperDef = DEFS[n];
    for (const d of def.deps ?? []) visit(d as HelperName);
    out.set(n, build(n));
  };
  for (const n of names) visit(n);
  return [...out.values()];
}

/** `helpersUsedIn(code)` is the helper names `code` calls. */
export function helpersUsedIn(code: string): HelperName[] {
  return (Object.keys(DEFS) as HelperName[]).filter((n) => code.includes(`${n}(`));
}
