// The WebAssembly kernels of the CPU backend against values computed here in float64
// (products, sums, Math.exp): every operand layout, odd sizes, broadcasts, threads, the arena.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import { WasmCpuBackend } from "../src/index.js";
import { Arena } from "../src/cpu/wasm/arena.js";
import { createWasmRuntime, wasmRuntime } from "../src/cpu/wasm/runtime.js";
import { seededUniform } from "../src/testing/seeded.js";

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const next = seededUniform(seed);
  return Float32Array.from({ length: n }, () => 2 * next() - 1);
}

/** `c[i, j] = Σ_t a[i, t] b[t, j]` in float64 for row-major host matrices. */
function product(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] as number) + (a[i * k + t] as number) * (b[t * n + j] as number);
  return c;
}

/** max |x - y| / (1 + |y|) over two arrays of one length. */
function maxRelErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs((x[i] as number) - (y[i] as number)) / (1 + Math.abs(y[i] as number)));
  return err;
}

/** The same matrix stored transposed: `out[j, i] = x[i, j]` for an `r × c` row-major `x`. */
function transposed(x: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j] as number;
  return out;
}

function withBackend(backend: nx.Backend): void {
  let previous: nx.Backend;
  beforeAll(() => {
    previous = nx.getBackend();
    nx.setBackend(backend);
  });
  afterAll(() => {
    nx.setBackend(previous);
  });
}

describe("wasm matmul", () => {
  const backend = nx.cpuBackend({ threads: 1 });
  withBackend(backend);

  it("runs on the WebAssembly backend", () => {
    expect(backend).toBeInstanceOf(WasmCpuBackend);
  });

  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 9],
    [5, 1, 3],
    [6, 16, 8],
    [7, 13, 300],
    [13, 259, 17],
    [65, 9, 257],
    [73, 70, 75],
    // fewer than 16 rows and a multiple of 8 columns: B read in place when row-major
    [3, 40, 24],
    [13, 300, 16],
  ];
  for (const [m, k, n] of sizes) {
    it(`[${m},${k}] @ [${k},${n}] in every layout (A·B, A·Bᵀ, Aᵀ·B, Aᵀ·Bᵀ)`, () => {
      const a = values(m * k, m + 1);
      const b = values(k * n, n + 2);
      const want = product(a, b, m, k, n);
      const A = nx.tensor(a, { shape: [m, k] });
      const B = nx.tensor(b, { shape: [k, n] });
      const At = nx.transpose(nx.tensor(transposed(a, m, k), { shape: [k, m] }));
      const Bt = nx.transpose(nx.tensor(transposed(b, k, n), { shape: [n, k] }));
      for (const [x, y] of [
        [A, B],
        [A, Bt],
        [At, B],
        [At, Bt],
      ] as const) {
        expect(maxRelErr(nx.matmul(x, y).dataSync(), want)).toBeLessThan(1e-5 * Math.sqrt(k));
      }
    });
  }

  it.each([
    [19, 33, 21],
    [5, 9, 12],
  ])("float64 [%i,%i] @ [%i,·] products match to float64 rounding", (m, k, n) => {
    const a = Float64Array.from(values(m * k, 3));
    const b = Float64Array.from(values(k * n, 4));
    const got = nx.matmul(nx.tensor(a, { shape: [m, k], dtype: "float64" }), nx.tensor(b, { shape: [k, n], dtype: "float64" })).dataSync();
    expect(maxRelErr(got, product(a, b, m, k, n))).toBeLessThan(1e-14);
  });

  it("batched products with a broadcast operand and a flipped one", () => {
    const [m, k, n] = [9, 11, 10];
    const a = values(3 * m * k, 5);
    const b = values(k * n, 6);
    const got = nx.matmul(nx.tensor(a, { shape: [3, m, k] }), nx.flip(nx.tensor(b, { shape: [k, n] }), 0)).dataSync();
    const flipped = new Float32Array(k * n);
    for (let t = 0; t < k; t++) flipped.set(b.subarray((k - 1 - t) * n, (k - t) * n), t * n);
    for (let e = 0; e < 3; e++) {
      expect(maxRelErr(got.subarray(e * m * n, (e + 1) * m * n), product(a.subarray(e * m * k, (e + 1) * m * k), flipped, m, k, n))).toBeLessThan(1e-5);
    }
  });

  it("k = 0 gives zeros", () => {
    expect(Array.from(nx.matmul(nx.zeros([2, 0]), nx.zeros([0, 3])).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe("wasm matmul on two threads", () => {
  const backend = nx.cpuBackend({ threads: 2 }) as nx.WasmCpuBackend;
  withBackend(backend);

  it("splits large products over the worker and the caller with the same results", async () => {
    expect(backend.threads).toBe(2);
    const [m, k, n] = [150, 130, 140];
    const a = values(4 * m * k, 7);
    const b = values(4 * k * n, 8);
    const A = nx.tensor(a, { shape: [4, m, k] });
    const B = nx.tensor(b, { shape: [4, k, n] });
    // The first large product starts the worker in the background; give it time to report ready.
    nx.matmul(A, B).dispose();
    for (let wait = 0; wait < 100 && (wasmRuntime()?.pool(2)?.ready ?? 0) < 1; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(wasmRuntime()?.pool(2)?.ready).toBe(1);
    for (let round = 0; round < 3; round++) {
      const got = nx.matmul(A, nx.transpose(nx.transpose(B, [0, 2, 1]), [0, 2, 1])).dataSync();
      for (let e = 0; e < 4; e++) {
        const want = product(a.subarray(e * m * k, (e + 1) * m * k), b.subarray(e * k * n, (e + 1) * k * n), m, k, n);
        expect(maxRelErr(got.subarray(e * m * n, (e + 1) * m * n), want)).toBeLessThan(1e-4);
      }
    }
  });
});

describe("wasm elementwise and reductions (float32)", () => {
  withBackend(nx.cpuBackend({ threads: 1 }));

  it("exp is within 2 ulp of Math.exp, exact at the edges", () => {
    const xs = [0, -0, 1, -1, 0.5, 1e-8, -1e-8, 10, -10, 88, 88.72, 88.73, 89, -87, -88, -100, -103, -104, -110, 1000, -1000, Infinity, -Infinity, NaN];
    for (let i = 0; i < 2000; i++) xs.push(-100 + (200 * i) / 2000);
    const got = nx.exp(nx.tensor(xs)).dataSync();
    xs.forEach((x, i) => {
      const want = Math.fround(Math.exp(Math.fround(x)));
      const g = got[i] as number;
      if (Number.isNaN(want)) expect(g).toBeNaN();
      else if (!Number.isFinite(want) || want === 0) expect(g).toBe(want);
      else if (want < 1.2e-38) expect(Math.abs(g - want)).toBeLessThanOrEqual(3e-45);
      else expect(Math.abs(g - want) / want).toBeLessThanOrEqual(2.5e-7);
    });
  });

  it("sigmoid is within 3 ulp of 1 / (1 + e^-x)", () => {
    const xs = [0, 1, -1, 20, -20, 88, -88, 90, -90, 200, -200, Infinity, -Infinity];
    for (let i = 0; i < 500; i++) xs.push(-30 + (60 * i) / 500);
    const got = nx.sigmoid(nx.tensor(xs)).dataSync();
    xs.forEach((x, i) => {
      const want = 1 / (1 + Math.exp(-Math.fround(x)));
      const g = got[i] as number;
      if (want < 1e-37) expect(g).toBeLessThan(1e-37);
      else expect(Math.abs(g - want) / want).toBeLessThanOrEqual(4e-7);
    });
  });

  it("binary ops with broadcast, strided and flipped operands", () => {
    const a = values(5 * 7, 9);
    const b = values(7, 10);
    const A = nx.tensor(a, { shape: [5, 7] });
    const B = nx.tensor(b, { shape: [7] });
    const ref = (f: (x: number, y: number) => number, bt: boolean) => {
      const out: number[] = [];
      for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) out.push(Math.fround(f(a[(bt ? j * 5 + i : i * 7 + j) % 35] as number, b[j] as number)));
      return out;
    };
    const ops: [string, (x: nx.Tensor, y: nx.Tensor) => nx.Tensor, (x: number, y: number) => number][] = [
      ["add", nx.add, (x, y) => x + y],
      ["sub", nx.sub, (x, y) => x - y],
      ["mul", nx.mul, (x, y) => x * y],
      ["div", nx.div, (x, y) => x / y],
      ["maximum", nx.maximum, Math.max],
      ["minimum", nx.minimum, Math.min],
    ];
    for (const [, op, f] of ops) {
      expect(Array.from(op(A, B).dataSync())).toEqual(ref(f, false));
      // a transposed view of a [7, 5] tensor holding the same values as `a` read column-wise
      const At = nx.transpose(nx.tensor(a, { shape: [7, 5] }));
      expect(Array.from(op(At, B).dataSync())).toEqual(ref(f, true));
    }
    const flipped = nx.flip(B, 0);
    const got = nx.add(A, flipped).dataSync();
    for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) expect(got[i * 7 + j]).toBe(Math.fround((a[i * 7 + j] as number) + (b[6 - j] as number)));
  });

  it("where selects per element with broadcast and strided operands", () => {
    const a = values(4 * 9, 12);
    const b = values(9, 13);
    const cond = Array.from({ length: 4 * 9 }, (_, i) => (i * 7) % 3 === 0);
    const got = nx.where(nx.tensor(cond, { shape: [4, 9] }), nx.transpose(nx.tensor(a, { shape: [9, 4] })), nx.tensor(b)).dataSync();
    for (let i = 0; i < 4; i++) for (let j = 0; j < 9; j++) expect(got[i * 9 + j]).toBe(cond[i * 9 + j] ? a[j * 4 + i] : b[j]);
    const row = nx.where(nx.tensor([true, false, true, false, true]), nx.tensor(3), nx.tensor([1, 2, 3, 4, 5])).dataSync();
    expect(Array.from(row)).toEqual([3, 2, 3, 4, 3]);
  });

  it("copies of transposed, flipped and broadcast views, every element size", () => {
    for (const dtype of ["float32", "float64", "int32", "uint8", "bool"] as const) {
      const x = nx.tensor(Array.from({ length: 24 }, (_, i) => (dtype === "bool" ? i % 3 === 0 : i % 200)), { shape: [2, 3, 4], dtype });
      const host = Array.from(x.dataSync());
      const t = nx.contiguous(nx.transpose(x, [2, 0, 1])).dataSync();
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) expect(t[k * 6 + i * 3 + j]).toBe(host[i * 12 + j * 4 + k]);
      const f = nx.contiguous(nx.flip(x, 2)).dataSync();
      for (let r = 0; r < 6; r++) for (let k = 0; k < 4; k++) expect(f[r * 4 + k]).toBe(host[r * 4 + 3 - k]);
      const bc = nx.contiguous(nx.broadcastTo(nx.slice(x, [0, 0]), [3, 4])).dataSync();
      for (let r = 0; r < 3; r++) for (let k = 0; k < 4; k++) expect(bc[r * 4 + k]).toBe(host[k]);
    }
  });

  it("maximum and minimum propagate NaN from either side", () => {
    const x = nx.tensor([NaN, 1, NaN, 2, 5, 6, 7, 8, 9]);
    const y = nx.tensor([1, NaN, NaN, 3, 4, 6, 8, 7, 9]);
    expect(Array.from(nx.maximum(x, y).dataSync())).toEqual([NaN, NaN, NaN, 3, 5, 6, 8, 8, 9]);
    expect(Array.from(nx.minimum(x, y).dataSync())).toEqual([NaN, NaN, NaN, 2, 4, 6, 7, 7, 9]);
  });

  it("sum, max and min over trailing axes, NaN propagating", () => {
    const x = values(6 * 37, 11);
    const X = nx.tensor(x, { shape: [6, 37] });
    const sums = nx.sum(X, { axes: -1 }).dataSync();
    const maxs = nx.max(X, { axes: -1 }).dataSync();
    for (let r = 0; r < 6; r++) {
      const row = Array.from(x.subarray(r * 37, (r + 1) * 37));
      expect(Math.abs((sums[r] as number) - row.reduce((s, v) => s + v, 0))).toBeLessThan(1e-5);
      expect(maxs[r]).toBe(Math.max(...row));
    }
    const withNaN = x.slice();
    withNaN[40] = NaN;
    const m = nx.max(nx.tensor(withNaN, { shape: [6, 37] }), { axes: -1 }).dataSync();
    expect(m[1]).toBeNaN();
    expect(m[0]).toBe(Math.max(...x.subarray(0, 37)));
  });
});

describe("an unshared WebAssembly memory", () => {
  const backend = new WasmCpuBackend(createWasmRuntime({ shared: false }), 2);
  withBackend(backend);

  it("keeps tensors readable and usable after the memory grows (which detaches old views)", () => {
    expect(backend.threads).toBe(1);
    const a = nx.tensor([1, 2, 3, 4, 5]);
    const b = nx.add(a, 1);
    const before = backend.reservedBytes;
    const big = nx.zeros([4, 1 << 20]);
    expect(backend.reservedBytes).toBeGreaterThan(before);
    expect(Array.from(a.dataSync())).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(nx.mul(b, nx.cast(nx.tensor([1, 1, 2, 2, 3]), "float32")).dataSync())).toEqual([2, 3, 8, 10, 18]);
    expect(Array.from(nx.cumsum(a).dataSync())).toEqual([1, 3, 6, 10, 15]);
    expect(nx.sum(big).item()).toBe(0);
  });
});

describe("the arena", () => {
  it("reuses freed blocks, merges neighbours and returns the top", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 100 });
    const arena = new Arena(memory, 64);
    const a = arena.alloc(100);
    const b = arena.alloc(1000);
    const c = arena.alloc(64);
    expect([a, b, c]).toEqual([64, 192, 1216]);
    arena.free(b, 1000);
    expect(arena.alloc(500)).toBe(192);
    expect(arena.alloc(400)).toBe(704);
    arena.free(192, 500);
    arena.free(704, 400);
    expect(arena.freeBytes).toBe(1024);
    arena.free(c, 64);
    arena.free(a, 100);
    expect([arena.top, arena.freeBytes]).toEqual([64, 0]);
  });

  it("grows the memory when no free block fits", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 100 });
    const arena = new Arena(memory, 64);
    const p = arena.alloc(200_000);
    expect(p).toBe(64);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(200_064);
    expect(arena.generation).toBe(1);
  });
});
