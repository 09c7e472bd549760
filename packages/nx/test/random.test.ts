import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { cpuBackend } from "../src/cpu/index.js";
import { memory, setBackend } from "../src/engine.js";
import { tensor } from "../src/ops/creation.js";
import { erf } from "../src/ops/elementwise.js";
import * as random from "../src/random/index.js";
import { Key } from "../src/random/index.js";
import { erfinv } from "../src/random/special.js";
import { threefry2x32 } from "../src/random/threefry.js";
import type { Tensor } from "../src/tensor.js";
import { expectInvalidArgument } from "../src/testing/index.js";

beforeAll(() => {
  setBackend(cpuBackend());
});

// ---------------------------------------------------------------------------
// Helpers, all computed independently of the code under test.

const N = 100_000;

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

interface Moments {
  mean: number;
  variance: number;
  skewness: number;
  excessKurtosis: number;
}

function moments(xs: readonly number[]): Moments {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance: m2, skewness: m3 / m2 ** 1.5, excessKurtosis: m4 / (m2 * m2) - 3 };
}

/**
 * The Kolmogorov–Smirnov statistic of a sample against a continuous CDF. For a
 * correct sampler, P(sqrt(n) D > 2.5) ≈ 2 exp(-2 · 2.5²) ≈ 7.5e-6, so the
 * tests accept D < 2.5 / sqrt(n) (0.0079 for n = 100 000).
 */
function ksStatistic(xs: readonly number[], cdf: (x: number) => number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  sorted.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  });
  return d;
}
const KS_LIMIT = 2.5 / Math.sqrt(N);

/** erf by its Maclaurin series (|z| <= 3) or Laplace's continued fraction for erfc (|z| > 3): about 1e-12 absolute. */
function erfRef(z: number): number {
  const a = Math.abs(z);
  let value: number;
  if (a <= 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    value = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let cf = a;
    for (let k = 80; k >= 1; k--) cf = a + k / 2 / cf;
    value = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * cf);
  }
  return z < 0 ? -value : value;
}

/** The standard normal CDF. */
function phi(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * (1 + erfRef(x / Math.SQRT2));
}

/** Pearson's chi-square statistic of observed counts against equal expected counts. */
function chiSquareUniform(counts: readonly number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

/** The float32 stream layout of backend.ts, from the cipher's words. */
function streamFloat32(k: Key, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    const w = threefry2x32(k.words, [Math.floor(i / 2), 0])[i % 2] as number;
    out.push((w >>> 8) / 2 ** 24);
  }
  return out;
}

/** The float64 stream layout of backend.ts, from the cipher's words. */
function streamFloat64(k: Key, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    const [w0, w1] = threefry2x32(k.words, [i, 0]);
    out.push(((w0 >>> 5) * 2 ** 26 + (w1 >>> 6)) / 2 ** 53);
  }
  return out;
}

const k0 = random.key(0);
const k42 = random.key(42);

// ---------------------------------------------------------------------------

describe("threefry2x32 (Random123 known-answer vectors)", () => {
  it("matches the 20-round vectors", () => {
    expect(threefry2x32([0, 0], [0, 0])).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(threefry2x32([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3])).toEqual([0xc4923a9c, 0x483df7a0]);
  });
});

describe("nx.random.key", () => {
  /** The 64-bit two's-complement split, computed with BigInt. */
  const wordsOf = (seed: number): [number, number] => {
    const u = BigInt.asUintN(64, BigInt(seed));
    return [Number(u >> 32n), Number(u & 0xffffffffn)];
  };

  it("puts seeds below 2^32 in the low word, as JAX's PRNGKey", () => {
    expect(k0.words).toEqual([0, 0]);
    expect(k42.words).toEqual([0, 42]);
    expect(random.key(2 ** 32 - 1).words).toEqual([0, 4294967295]);
  });

  it("splits any safe integer into high and low words, negatives as 64-bit two's complement", () => {
    for (const seed of [2 ** 32, 2 ** 32 + 5, 123456789012345, Number.MAX_SAFE_INTEGER, -1, -5, -(2 ** 32), -(2 ** 32) - 7, Number.MIN_SAFE_INTEGER]) {
      expect(random.key(seed).words).toEqual(wordsOf(seed));
    }
    expect(random.key(-1).words).toEqual([0xffffffff, 0xffffffff]);
    expect(random.key(2 ** 32 + 5).words).toEqual([1, 5]);
  });

  it("keys are immutable values", () => {
    const k = random.key(7);
    expect(Object.isFrozen(k)).toBe(true);
    expect(Object.isFrozen(k.words)).toBe(true);
    expect(() => {
      (k.words as unknown as number[])[0] = 1;
    }).toThrow(TypeError);
    expect(k.equals(random.key(7))).toBe(true);
    expect(k.equals(random.key(8))).toBe(false);
    expect(k.equals([0, 7])).toBe(false);
    expect(String(k)).toBe("Key(0, 7)");
    expect(random.isKey(k)).toBe(true);
    expect(random.isKey([0, 7])).toBe(false);
    expect(new Key([1, 2]).words).toEqual([1, 2]);
  });

  it("rejects seeds that are not safe integers and malformed words", () => {
    expectInvalidArgument(() => random.key(1.5), "nx.random.key", "safe integer, got 1.5");
    expectInvalidArgument(() => random.key(2 ** 53), "nx.random.key", "safe integer");
    expectInvalidArgument(() => random.key(NaN), "nx.random.key", "safe integer");
    expectInvalidArgument(() => random.key("3" as unknown as number), "nx.random.key", `got "3"`);
    expectInvalidArgument(() => new Key([0, 2 ** 32]), "nx.random.Key", "two integers in [0, 2^32)");
    expectInvalidArgument(() => new Key([-1, 0]), "nx.random.Key", "two integers");
    expectInvalidArgument(() => new Key([1] as unknown as [number, number]), "nx.random.Key", "two integers");
  });
});

describe("nx.random.split and foldIn", () => {
  it("split matches jax.random.split (original threefry scheme)", () => {
    // jax.random.split(PRNGKey(0))
    expect(random.split(k0).map((k) => k.words)).toEqual([
      [4146024105, 967050713],
      [2718843009, 1272950319],
    ]);
    // jax.random.split(PRNGKey(42)), as printed in JAX's random-numbers tutorial
    expect(random.split(k42).map((k) => k.words)).toEqual([
      [2465931498, 3679230171],
      [255383827, 267815257],
    ]);
    // Without n, a pair (for `const [k1, k2] = split(key)` under noUncheckedIndexedAccess); with n, an array.
    expectTypeOf(random.split(k0)).toEqualTypeOf<[Key, Key]>();
    expectTypeOf(random.split(k0, 3)).toEqualTypeOf<Key[]>();
    // jax.random.split(PRNGKey(0), 3)
    expect(random.split(k0, 3).map((k) => k.words)).toEqual([
      [2467461003, 428148500],
      [3186719485, 3840466878],
      [2562233961, 1946702221],
    ]);
  });

  it("split follows the documented counter layout for any n", () => {
    const k = random.key(99);
    for (const n of [1, 4, 7]) {
      const ys = Array.from({ length: n }, (_, i) => threefry2x32(k.words, [i, n + i]));
      const flat = [...ys.map((y) => y[0]), ...ys.map((y) => y[1])];
      expect(random.split(k, n).map((x) => x.words)).toEqual(Array.from({ length: n }, (_, j) => [flat[2 * j], flat[2 * j + 1]]));
    }
    expect(random.split(k, 0)).toEqual([]);
  });

  it("split gives distinct keys, deterministically", () => {
    const keys = random.split(k42, 1000);
    const distinct = new Set(keys.map((k) => k.words.join(",")));
    distinct.add(k42.words.join(","));
    expect(distinct.size).toBe(1001);
    expect(random.split(k42, 1000).map((k) => k.words)).toEqual(keys.map((k) => k.words));
  });

  it("foldIn matches jax.random.fold_in", () => {
    // fold_in(PRNGKey(0), 1) and fold_in(PRNGKey(0), 3): also rows 1 and 3 of JAX's partitionable split(PRNGKey(0), n).
    expect(random.foldIn(k0, 1).words).toEqual([928981903, 3453687069]);
    expect(random.foldIn(k0, 3).words).toEqual([2467461003, 3840466878]);
    expect(random.foldIn(k0, 0).words).toEqual([0x6b200159, 0x99ba4efe]);
  });

  it("foldIn takes data modulo 2^32", () => {
    expect(random.foldIn(k42, 2 ** 32 + 1).words).toEqual(random.foldIn(k42, 1).words);
    expect(random.foldIn(k42, -1).words).toEqual(threefry2x32(k42.words, [0, 0xffffffff]));
    expect(random.foldIn(k42, 5).equals(random.foldIn(k42, 6))).toBe(false);
  });

  it("validates its arguments", () => {
    expectInvalidArgument(() => random.split([0, 0] as unknown as Key), "nx.random.split", "key must be a Key");
    expectInvalidArgument(() => random.split(k0, -1), "nx.random.split", "n must be an integer in [0, 2^20], got -1");
    expectInvalidArgument(() => random.split(k0, 2.5), "nx.random.split", "got 2.5");
    expectInvalidArgument(() => random.foldIn(null as unknown as Key, 1), "nx.random.foldIn", "key must be a Key made by nx.random.key, split or foldIn, got null");
    expectInvalidArgument(() => random.foldIn(k0, 0.5), "nx.random.foldIn", "data must be a safe integer, got 0.5");
  });
});

describe("nx.random.uniform", () => {
  it("is the backend stream of the key: float32 takes the top 24 bits of each word", () => {
    const k = random.key(1234);
    const u = random.uniform(k, [7]);
    expect(u.dtype).toBe("float32");
    expect(u.shape).toEqual([7]);
    expect(values(u)).toEqual(streamFloat32(k, 7));
  });

  it("float64 takes 53 bits from each block", () => {
    const k = random.key(1234);
    const u = random.uniform(k, [5], "float64");
    expect(u.dtype).toBe("float64");
    expect(values(u)).toEqual(streamFloat64(k, 5));
  });

  it("depends only on the key and the number of elements", () => {
    const flat = values(random.uniform(k42, [6]));
    expect(values(random.uniform(k42, [2, 3]))).toEqual(flat);
    expect(random.uniform(k42, [2, 3]).shape).toEqual([2, 3]);
    const scalar = random.uniform(k42);
    expect(scalar.shape).toEqual([]);
    expect(scalar.item()).toBe(flat[0]);
    expect(random.uniform(k42, [0, 3]).size).toBe(0);
    // Other draws in between change nothing.
    random.normal(k0, [10]);
    expect(values(random.uniform(k42, [6]))).toEqual(flat);
    expect(values(random.uniform(random.key(43), [6]))).not.toEqual(flat);
  });

  it("scales to [minval, maxval) in the dtype's arithmetic", () => {
    const k = random.key(5);
    const raw = streamFloat32(k, 1000);
    const got = values(random.uniform(k, [1000], "float32", { minval: -3, maxval: 5 }));
    expect(got).toEqual(raw.map((u) => Math.fround(Math.fround(u * 8) - 3)));
    expect(Math.min(...got)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...got)).toBeLessThan(5);
    const got64 = values(random.uniform(k, [1000], "float64", { minval: 10, maxval: 10.5 }));
    expect(got64).toEqual(streamFloat64(k, 1000).map((u) => u * 0.5 + 10));
  });

  it("stays below maxval even when rounding would reach it", () => {
    // The span is one float32 ulp at 1: u * span + 1 rounds to maxval for u >= 0.5.
    const hi = 1 + 2 ** -23;
    const got = values(random.uniform(random.key(3), [1000], "float32", { minval: 1, maxval: hi }));
    expect(got.every((v) => v === 1)).toBe(true);
    const got2 = values(random.uniform(random.key(3), [1000], "float32", { minval: 1, maxval: 1 + 2 ** -21 }));
    expect(got2.every((v) => v >= 1 && v < 1 + 2 ** -21)).toBe(true);
    expect(new Set(got2).size).toBe(4);
  });

  it("is uniform: moments and a Kolmogorov–Smirnov test on 100k samples", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const xs = values(random.uniform(random.key(2024), [N], dtype));
      const m = moments(xs);
      // sd of the mean: sqrt(1/12 / n) = 9.1e-4; of the variance: sqrt((1/80 - 1/144) / n) = 2.4e-4. Tolerances are 5 sd.
      expect(Math.abs(m.mean - 0.5)).toBeLessThan(5 * 9.2e-4);
      expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(5 * 2.4e-4);
      expect(ksStatistic(xs, (x) => Math.min(Math.max(x, 0), 1))).toBeLessThan(KS_LIMIT);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThan(1);
    }
  });

  it("validates its arguments", () => {
    const fn = "nx.random.uniform";
    expectInvalidArgument(() => random.uniform({ words: [0, 0] } as unknown as Key, [2]), fn, "key must be a Key");
    expectInvalidArgument(() => random.uniform(k0, [2, -1]), fn, "shape");
    expectInvalidArgument(() => random.uniform(k0, 3 as unknown as number[]), fn, "shape must be an array");
    expectInvalidArgument(() => random.uniform(k0, [2], "int32" as "float32"), fn, "dtype must be float32 or float64, got int32");
    expectInvalidArgument(() => random.uniform(k0, [2], "float16" as "float32"), fn, "unknown dtype");
    expectInvalidArgument(() => random.uniform(k0, [2], "float32", { minval: 2, maxval: 1 }), fn, "minval must be less than maxval");
    expectInvalidArgument(() => random.uniform(k0, [2], "float32", { minval: 1, maxval: 1 }), fn, "minval must be less than maxval");
    expectInvalidArgument(() => random.uniform(k0, [2], "float32", { minval: 1, maxval: 1 + 1e-9 }), fn, "in float32");
    expectInvalidArgument(() => random.uniform(k0, [2], "float32", { minval: NaN }), fn, "minval must be a finite number, got NaN");
    expectInvalidArgument(() => random.uniform(k0, [2], "float32", { maxval: Infinity }), fn, "maxval must be a finite number");
    expectInvalidArgument(() => random.uniform(k0, [2], "float32", { minval: -3e38, maxval: 3e38 }), fn, "overflows float32");
  });
});

describe("nx.random.normal", () => {
  it("is Box–Muller on the streams of split(key)", () => {
    const k = random.key(77);
    const [ka, kb] = random.split(k) as [Key, Key];
    const u1 = streamFloat64(ka, 50);
    const u2 = streamFloat64(kb, 50);
    const got = values(random.normal(k, [50], "float64"));
    got.forEach((z, i) => {
      const expected = Math.sqrt(-2 * Math.log(1 - (u1[i] as number))) * Math.cos(2 * Math.PI * (u2[i] as number));
      expect(Math.abs(z - expected)).toBeLessThan(1e-12);
    });
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`is standard normal in ${dtype}: moments, tails and a Kolmogorov–Smirnov test on 100k samples`, () => {
      const z = random.normal(random.key(31337), [N], dtype);
      expect(z.dtype).toBe(dtype);
      expect(z.shape).toEqual([N]);
      const xs = values(z);
      expect(xs.every(Number.isFinite)).toBe(true);
      const m = moments(xs);
      // Standard errors for n = 1e5: mean 1/sqrt(n) = 0.0032, variance sqrt(2/n) = 0.0045,
      // skewness sqrt(6/n) = 0.0077, excess kurtosis sqrt(24/n) = 0.0155. Tolerances are 5 of them.
      expect(Math.abs(m.mean)).toBeLessThan(5 * 0.0032);
      expect(Math.abs(m.variance - 1)).toBeLessThan(5 * 0.0045);
      expect(Math.abs(m.skewness)).toBeLessThan(5 * 0.0077);
      expect(Math.abs(m.excessKurtosis)).toBeLessThan(5 * 0.0155);
      // Two-sided tail masses P(|Z| > 2) = 0.0455003, P(|Z| > 3) = 0.0026998 (binomial sd 6.6e-4 and 1.6e-4).
      const beyond = (t: number): number => xs.filter((x) => Math.abs(x) > t).length / N;
      expect(Math.abs(beyond(2) - 0.04550026389635839)).toBeLessThan(5 * 6.6e-4);
      expect(Math.abs(beyond(3) - 0.0026997960632601866)).toBeLessThan(5 * 1.65e-4);
      expect(ksStatistic(xs, phi)).toBeLessThan(KS_LIMIT);
    });
  }

  it("is deterministic per key, and different keys give different samples", () => {
    const a = values(random.normal(k42, [16]));
    expect(values(random.normal(k42, [4, 4]))).toEqual(a);
    expect(values(random.normal(random.foldIn(k42, 1), [16]))).not.toEqual(a);
    expect(random.normal(k42).shape).toEqual([]);
  });

  it("validates its arguments", () => {
    const fn = "nx.random.normal";
    expectInvalidArgument(() => random.normal(42 as unknown as Key, [2]), fn, "got 42");
    expectInvalidArgument(() => random.normal(k0, [1.5]), fn, "shape");
    expectInvalidArgument(() => random.normal(k0, [2], "bool" as "float32"), fn, "dtype must be float32 or float64, got bool");
  });
});

describe("erfinv (composed from elementwise ops)", () => {
  // Reference values: mpmath.erfinv at 40 digits rounded to float64 (agreeing with scipy.special.erfinv).
  const cases: [number, number][] = [
    [-0.999999, -3.458910737275499],
    [-0.9, -1.1630871536766743],
    [-0.5, -0.4769362762044699],
    [-0.001, -0.000886227157466552],
    [0, 0],
    [1e-8, 8.86226925452758e-09],
    [0.1, 0.08885599049425769],
    [0.3, 0.2724627147267543],
    [0.5, 0.4769362762044699],
    [0.7, 0.7328690779592169],
    [0.9, 1.1630871536766743],
    [0.99, 1.8213863677184496],
    [0.999, 2.326753765513524],
    [0.99999, 3.123413274341571],
    [0.9999999, 3.7665625816384707],
    [1 - 1e-12, 5.042031898572696],
    [1 - 1e-15, 5.675915739744713],
  ];

  it("is accurate to 1e-13 relative in float64 (all three of Giles' branches)", () => {
    const got = values(erfinv(tensor(cases.map(([x]) => x), { dtype: "float64" })));
    cases.forEach(([, expected], i) => {
      const err = Math.abs((got[i] as number) - expected);
      expect(err).toBeLessThanOrEqual(1e-13 * Math.abs(expected));
    });
  });

  it("is accurate to 1e-6 relative in float32", () => {
    const f32 = cases.filter(([x]) => Math.abs(Math.fround(x)) < 1);
    const got = values(erfinv(tensor(f32.map(([x]) => x), { dtype: "float32" })));
    f32.forEach(([x], i) => {
      // The float32 tensor holds fround(x): compare with the (verified above) float64 erfinv of that input.
      const ref = values(erfinv(tensor([Math.fround(x)], { dtype: "float64" })))[0] as number;
      expect(Math.abs((got[i] as number) - ref)).toBeLessThanOrEqual(1e-6 * Math.abs(ref));
    });
  });

  it("inverts the backend's erf across (-1, 1) in float64", () => {
    const xs: number[] = [];
    for (let i = -999; i <= 999; i += 3) xs.push(i / 1000);
    const back = values(erf(erfinv(tensor(xs, { dtype: "float64" }))));
    back.forEach((y, i) => expect(Math.abs(y - (xs[i] as number))).toBeLessThan(1e-14));
  });

  it("is ±Infinity at ±1 and NaN outside [-1, 1]", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const got = values(erfinv(tensor([1, -1, 1.5, -2], { dtype })));
      expect(got[0]).toBe(Infinity);
      expect(got[1]).toBe(-Infinity);
      expect(Number.isNaN(got[2])).toBe(true);
      expect(Number.isNaN(got[3])).toBe(true);
    }
  });
});

describe("nx.random.truncatedNormal", () => {
  /** The CDF of the standard normal restricted to [a, b]. */
  const truncatedCdf = (a: number, b: number) => (x: number) => Math.min(Math.max((phi(x) - phi(a)) / (phi(b) - phi(a)), 0), 1);

  // Means and variances from scipy.stats.truncnorm(a, b).
  const cases = [
    { lower: -2, upper: 2, mean: 0, variance: 0.7737413035499232, meanTol: 5 * 0.0028, varTol: 0.015 },
    { lower: 0.5, upper: 3, mean: 1.1316649249513497, variance: 0.24909903431507552, meanTol: 5 * 0.0016, varTol: 0.006 },
    { lower: -Infinity, upper: -1, mean: -1.525135276160981, variance: 0.19909766557034903, meanTol: 5 * 0.0015, varTol: 0.008 },
    { lower: 1, upper: Infinity, mean: 1.525135276160981, variance: 0.19909766557034903, meanTol: 5 * 0.0015, varTol: 0.008 },
  ];

  for (const dtype of ["float32", "float64"] as const) {
    for (const c of cases) {
      it(`matches the truncated normal on (${c.lower}, ${c.upper}) in ${dtype}: bounds, moments, KS`, () => {
        const t = random.truncatedNormal(random.key(8), [N], dtype, { lower: c.lower, upper: c.upper });
        expect(t.dtype).toBe(dtype);
        const xs = values(t);
        expect(xs.every((x) => x > c.lower && x < c.upper)).toBe(true);
        const m = moments(xs);
        // Tolerances: 5 standard errors of the mean (sqrt(var / n)) and a 5-sd bound on the sample variance.
        expect(Math.abs(m.mean - c.mean)).toBeLessThan(c.meanTol);
        expect(Math.abs(m.variance - c.variance)).toBeLessThan(c.varTol);
        expect(ksStatistic(xs, truncatedCdf(c.lower, c.upper))).toBeLessThan(KS_LIMIT);
      });
    }
  }

  it("defaults to (-2, 2) and float32", () => {
    const a = random.truncatedNormal(k42, [1000]);
    expect(a.dtype).toBe("float32");
    const xs = values(a);
    expect(xs.every((x) => x > -2 && x < 2)).toBe(true);
    expect(values(random.truncatedNormal(k42, [1000], "float32", { lower: -2, upper: 2 }))).toEqual(xs);
    expect(random.truncatedNormal(k42).shape).toEqual([]);
  });

  it("stays strictly inside narrow and far-tail intervals", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const [lower, upper] of [
        [0.1, 0.2],
        [5, 6],
        [-7, -6.5],
        [3, Infinity],
      ] as const) {
        const xs = values(random.truncatedNormal(random.key(9), [2000], dtype, { lower, upper }));
        expect(xs.every((x) => x > lower && x < upper)).toBe(true);
      }
    }
    // In float64 the far tail keeps its shape: P(X < 5.2 | 5 < X < 6) = 0.6447.
    const tail = values(random.truncatedNormal(random.key(10), [20000], "float64", { lower: 5, upper: 6 }));
    const share = tail.filter((x) => x < 5.2).length / tail.length;
    const expected = (phi(5.2) - phi(5)) / (phi(6) - phi(5));
    expect(Math.abs(share - expected)).toBeLessThan(5 * Math.sqrt((expected * (1 - expected)) / tail.length));
  });

  it("validates its arguments", () => {
    const fn = "nx.random.truncatedNormal";
    expectInvalidArgument(() => random.truncatedNormal(undefined as unknown as Key, [2]), fn, "key must be a Key");
    expectInvalidArgument(() => random.truncatedNormal(k0, [2], "int32" as "float32"), fn, "dtype must be float32 or float64");
    expectInvalidArgument(() => random.truncatedNormal(k0, [2], "float32", { lower: 1, upper: 1 }), fn, "lower must be less than upper");
    expectInvalidArgument(() => random.truncatedNormal(k0, [2], "float32", { lower: 3 }), fn, "lower must be less than upper");
    expectInvalidArgument(() => random.truncatedNormal(k0, [2], "float32", { upper: NaN }), fn, "upper must be a non-NaN number, got NaN");
    expectInvalidArgument(() => random.truncatedNormal(k0, ["a"] as unknown as number[]), fn, "shape");
  });
});

describe("nx.random.bernoulli", () => {
  it("is u < p on the key's float32 stream", () => {
    const k = random.key(11);
    const b = random.bernoulli(k, 0.3, [1000]);
    expect(b.dtype).toBe("bool");
    expect(b.shape).toEqual([1000]);
    expect(values(b)).toEqual(streamFloat32(k, 1000).map((u) => (u < Math.fround(0.3) ? 1 : 0)));
  });

  it("has the right frequency on 100k draws", () => {
    const xs = values(random.bernoulli(random.key(12), 0.3, [N]));
    const mean = xs.reduce((s, x) => s + x, 0) / N;
    // Binomial sd sqrt(0.21 / n) = 0.00145; tolerance 5 sd.
    expect(Math.abs(mean - 0.3)).toBeLessThan(5 * 0.00145);
  });

  it("p = 0 never fires, p = 1 always does, the default p is 0.5 and the default shape is []", () => {
    expect(values(random.bernoulli(k0, 0, [1000])).every((x) => x === 0)).toBe(true);
    expect(values(random.bernoulli(k0, 1, [1000])).every((x) => x === 1)).toBe(true);
    const half = values(random.bernoulli(k0, undefined, [N]));
    expect(Math.abs(half.reduce((s, x) => s + x, 0) / N - 0.5)).toBeLessThan(5 * 0.00159);
    expect(random.bernoulli(k0).shape).toEqual([]);
    expect(random.bernoulli(k0, 0.5, [3]).shape).toEqual([3]);
  });

  it("takes per-element probabilities from a tensor, broadcast to shape", () => {
    const ps = [0, 0.25, 0.5, 1];
    const p = tensor(ps);
    const rows = 25_000;
    const xs = values(random.bernoulli(random.key(13), p, [rows, 4]));
    ps.forEach((pj, j) => {
      let hits = 0;
      for (let i = 0; i < rows; i++) hits += xs[i * 4 + j] as number;
      const sd = Math.sqrt((pj * (1 - pj)) / rows);
      expect(Math.abs(hits / rows - pj)).toBeLessThanOrEqual(5 * sd);
    });
    const own = random.bernoulli(k0, p);
    expect(own.shape).toEqual([4]);
    expect(values(own)[0]).toBe(0);
    expect(values(own)[3]).toBe(1);
  });

  it("a float64 tensor p compares against the float64 stream", () => {
    const k = random.key(14);
    const p = tensor([0.1, 0.9, 0.5], { dtype: "float64" });
    const u = streamFloat64(k, 6);
    const expected = u.map((x, i) => (x < [0.1, 0.9, 0.5][i % 3]! ? 1 : 0));
    expect(values(random.bernoulli(k, p, [2, 3]))).toEqual(expected);
  });

  it("validates its arguments", () => {
    const fn = "nx.random.bernoulli";
    expectInvalidArgument(() => random.bernoulli("k" as unknown as Key), fn, "key must be a Key");
    expectInvalidArgument(() => random.bernoulli(k0, 1.5), fn, "p must be a number in [0, 1] or a tensor, got 1.5");
    expectInvalidArgument(() => random.bernoulli(k0, -0.1), fn, "got -0.1");
    expectInvalidArgument(() => random.bernoulli(k0, NaN), fn, "got NaN");
    expectInvalidArgument(() => random.bernoulli(k0, "0.5" as unknown as number), fn, 'got "0.5"');
    expectInvalidArgument(() => random.bernoulli(k0, tensor([0.1, 0.2, 0.3]), [2, 4]), fn, "cannot be broadcast");
    expectInvalidArgument(() => random.bernoulli(k0, tensor([0.1, 0.2]), [2, 1]), fn, "does not broadcast to shape [2,1]");
    expectInvalidArgument(() => random.bernoulli(k0, 0.5, [-1]), fn, "shape");
  });
});

describe("nx.random.randint", () => {
  it("is minval + floor(u * span) on the float64 stream", () => {
    const k = random.key(15);
    const r = random.randint(k, [500], -3, 7);
    expect(r.dtype).toBe("int32");
    expect(values(r)).toEqual(streamFloat64(k, 500).map((u) => -3 + Math.floor(u * 10)));
  });

  it("is uniform over [minval, maxval): every value, chi-square on 100k draws", () => {
    const xs = values(random.randint(random.key(16), [N], -3, 7));
    const counts = new Array<number>(10).fill(0);
    for (const x of xs) {
      expect(Number.isInteger(x) && x >= -3 && x < 7).toBe(true);
      counts[x + 3]!++;
    }
    // chi-square with 9 degrees of freedom: P(> 39.34) = 1e-5.
    expect(chiSquareUniform(counts)).toBeLessThan(39.34);
  });

  it("covers the whole int32 range and uint8", () => {
    const wide = values(random.randint(random.key(17), [1000], -(2 ** 31), 2 ** 31));
    expect(wide.every((x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31)).toBe(true);
    // The mean of uniform integers on [-2^31, 2^31) has sd 2^32 / sqrt(12 n) = 3.9e7; tolerance 5 sd.
    expect(Math.abs(wide.reduce((s, x) => s + x, 0) / wide.length)).toBeLessThan(5 * 3.93e7);
    const bytes = random.randint(random.key(18), [N], 0, 256, "uint8");
    expect(bytes.dtype).toBe("uint8");
    const counts = new Array<number>(256).fill(0);
    for (const x of values(bytes)) counts[x]!++;
    // chi-square with 255 degrees of freedom: P(> 362.99) = 1e-5.
    expect(chiSquareUniform(counts)).toBeLessThan(362.99);
    expect(values(random.randint(k0, [20], 5, 6)).every((x) => x === 5)).toBe(true);
    expect(values(random.randint(k0, [20], 2 ** 31 - 1, 2 ** 31)).every((x) => x === 2 ** 31 - 1)).toBe(true);
  });

  it("validates its arguments", () => {
    const fn = "nx.random.randint";
    expectInvalidArgument(() => random.randint(0 as unknown as Key, [2], 0, 3), fn, "key must be a Key");
    expectInvalidArgument(() => random.randint(k0, [2], 3, 3), fn, "minval must be less than maxval, got minval=3 and maxval=3");
    expectInvalidArgument(() => random.randint(k0, [2], 0.5, 3), fn, "minval must be an integer, got 0.5");
    expectInvalidArgument(() => random.randint(k0, [2], 0, Infinity), fn, "maxval must be an integer, got Infinity");
    expectInvalidArgument(() => random.randint(k0, [2], 0, 2 ** 31 + 1), fn, "does not fit int32");
    expectInvalidArgument(() => random.randint(k0, [2], -(2 ** 31) - 1, 0), fn, "does not fit int32");
    expectInvalidArgument(() => random.randint(k0, [2], -1, 10, "uint8"), fn, "does not fit uint8");
    expectInvalidArgument(() => random.randint(k0, [2], 0, 257, "uint8"), fn, "does not fit uint8");
    expectInvalidArgument(() => random.randint(k0, [2], 0, 3, "float32"), fn, "dtype must be int32 or uint8, got float32");
    expectInvalidArgument(() => random.randint(k0, [2], 0, 3, "bool"), fn, "dtype must be int32 or uint8, got bool");
    expectInvalidArgument(() => random.randint(k0, [2.5], 0, 3), fn, "shape");
  });
});

describe("nx.random.permutation", () => {
  const isPermutation = (xs: readonly number[]): boolean => [...xs].sort((a, b) => a - b).every((x, i) => x === i);

  it("is a permutation of 0..n-1 as int32, deterministic per key", () => {
    const p = random.permutation(k42, 50);
    expect(p.dtype).toBe("int32");
    expect(p.shape).toEqual([50]);
    const xs = values(p);
    expect(isPermutation(xs)).toBe(true);
    expect(xs).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(values(random.permutation(k42, 50))).toEqual(xs);
    expect(values(random.permutation(random.key(43), 50))).not.toEqual(xs);
    expect(isPermutation(values(random.permutation(k0, 10_000)))).toBe(true);
    expect(values(random.permutation(k0, 0))).toEqual([]);
    expect(values(random.permutation(k0, 1))).toEqual([0]);
  });

  it("makes every ordering equally likely (chi-square over 3000 keys)", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const s = values(random.permutation(random.foldIn(k0, i), 3)).join("");
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // chi-square with 5 degrees of freedom: P(> 30.86) = 1e-5.
    expect(chiSquareUniform([...counts.values()])).toBeLessThan(30.86);
  });

  it("permutes the first axis of a tensor in the order of permutation(key, n)", () => {
    const x = tensor([
      [0, 1],
      [10, 11],
      [20, 21],
      [30, 31],
      [40, 41],
    ]);
    const order = values(random.permutation(k42, 5));
    const y = random.permutation(k42, x);
    expect(y.shape).toEqual([5, 2]);
    expect(y.dtype).toBe("float32");
    expect(y.arraySync()).toEqual(order.map((i) => [i * 10, i * 10 + 1]));
    const empty = random.permutation(k42, tensor([], { shape: [0, 3] }));
    expect(empty.shape).toEqual([0, 3]);
  });

  it("validates its arguments", () => {
    const fn = "nx.random.permutation";
    expectInvalidArgument(() => random.permutation([1, 2] as unknown as Key, 3), fn, "key must be a Key");
    expectInvalidArgument(() => random.permutation(k0, -1), fn, "n must be an integer in [0, 2^31) or a tensor, got -1");
    expectInvalidArgument(() => random.permutation(k0, 2.5), fn, "got 2.5");
    expectInvalidArgument(() => random.permutation(k0, "3" as unknown as number), fn, 'got "3"');
    expectInvalidArgument(() => random.permutation(k0, tensor(3)), fn, "at least one axis");
  });
});

describe("memory", () => {
  it("each sampler leaves exactly its result alive (intermediates are disposed)", () => {
    // Finalizers never run inside synchronous code, so the live count is exact here.
    const p = tensor([0.2, 0.7]);
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    const samplers: (() => Tensor)[] = [
      () => random.uniform(k0, [10]),
      () => random.uniform(k0, [10], "float32", { minval: -1, maxval: 1 }),
      () => random.normal(k0, [10]),
      () => random.truncatedNormal(k0, [10], "float64"),
      () => random.bernoulli(k0, 0.5, [10]),
      () => random.bernoulli(k0, p, [3, 2]),
      () => random.randint(k0, [10], 0, 5),
      () => random.permutation(k0, 10),
      () => random.permutation(k0, x),
      () => random.permutation(k0, x, { axis: 1 }),
      () => random.shuffle(k0, x),
      () => random.categorical(k0, x),
      () => random.categorical(k0, x, { axis: 0, shape: [4, 2] }),
    ];
    for (const sample of samplers) {
      const before = memory().numTensors;
      const out = sample();
      expect(memory().numTensors - before).toBe(1);
      out.dispose();
      expect(memory().numTensors).toBe(before);
    }
  });
});
