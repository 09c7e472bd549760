import { describe, expect, it } from "vitest";
import type { DataId, PadWidth, View } from "../src/backend.js";
import { CpuBackend, cpuBackend } from "../src/cpu/index.js";
import type { DType, HostArray } from "../src/dtype.js";
import { allocHost, castScalar, hostFrom } from "../src/dtype.js";
import { uniformFromStream } from "../src/random/threefry.js";
import { contiguousStrides, sizeOf } from "../src/shape.js";

const be = new CpuBackend();

/** A view on a fresh buffer, plus the host data and a reference element getter. */
interface Operand {
  readonly view: View;
  readonly host: HostArray;
  at(index: readonly number[]): number;
}

/** `operand(values, dtype, shape, strides?, offset?)` uploads `values` (the whole buffer) and views it with `shape`/`strides`/`offset`. */
function operand(values: ArrayLike<number>, dtype: DType, shape: readonly number[], strides: readonly number[] = contiguousStrides(shape), offset = 0): Operand {
  const host = hostFrom(dtype, values);
  const view: View = { data: be.upload(host, dtype), dtype, shape, strides, offset };
  return { view, host, at: (index) => host[index.reduce((p, i, d) => p + i * (strides[d] as number), offset)] as number };
}

/** A buffer of `n` pseudo-random floats in [-2, 2) from a fixed seed. */
function randomValues(n: number, seed = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

/** Every index of `shape` in C order. */
function indices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  const idx = new Array<number>(shape.length).fill(0);
  for (let n = 0; n < sizeOf(shape); n++) {
    out.push([...idx]);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** The C-order contents of a fresh result buffer as a plain array. */
function result(id: DataId, dtype: DType, shape: readonly number[]): number[] {
  return Array.from(be.read({ data: id, dtype, shape, strides: contiguousStrides(shape), offset: 0 }));
}

/** A 3-D float32 operand viewed transposed (axes reversed) over a 2×3×4 buffer, with an offset. */
function transposed3d(): Operand {
  // buffer [pad, 24 values]; logical shape [4, 3, 2] = transpose of [2, 3, 4]
  return operand([99, ...randomValues(24, 7)], "float32", [4, 3, 2], [1, 4, 12], 1);
}

/** A 2-D float32 operand with a flipped first axis and a stride-2 second axis. */
function flipped2d(): Operand {
  // buffer of 3 rows × 8; view rows 2,1,0 and columns 0,2,4,6
  return operand(randomValues(24, 11), "float32", [3, 4], [-8, 2], 16);
}

describe("CpuBackend storage", () => {
  it("is named cpu and built by cpuBackend()", () => {
    expect(cpuBackend().name).toBe("cpu");
    expect(cpuBackend()).toBeInstanceOf(CpuBackend);
  });

  it("copies uploads and counts live buffers and bytes until freed", () => {
    const fresh = new CpuBackend();
    const data = new Float32Array([1, 2, 3]);
    const id = fresh.upload(data, "float32");
    data[0] = 42;
    expect(Array.from(fresh.read({ data: id, dtype: "float32", shape: [3], strides: [1], offset: 0 }))).toEqual([1, 2, 3]);
    const filled = fresh.fill(5, 7, "int32");
    const range = fresh.iota(4, 0, 1, "float64");
    const x: View = { data: id, dtype: "float32", shape: [3], strides: [1], offset: 0 };
    const sum = fresh.binary("add", x, x);
    expect(fresh.memory()).toEqual({ buffers: 4, bytes: 12 + 20 + 32 + 12 });
    fresh.free(filled);
    fresh.free(range);
    fresh.free(sum);
    fresh.free(sum);
    expect(fresh.memory()).toEqual({ buffers: 1, bytes: 12 });
    fresh.free(id);
    expect(fresh.memory()).toEqual({ buffers: 0, bytes: 0 });
  });

  it("reads views with offsets, flips, transposes, broadcasts, rank 0 and size 0", async () => {
    const base = operand([0, 1, 2, 3, 4, 5, 6, 7], "int32", [2, 3], [3, 1], 1);
    expect(Array.from(be.read(base.view))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(be.read(base.view)).toBeInstanceOf(Int32Array);
    const t: View = { ...base.view, shape: [3, 2], strides: [1, 3] };
    expect(Array.from(be.read(t))).toEqual([1, 4, 2, 5, 3, 6]);
    const flipped: View = { ...base.view, shape: [2, 3], strides: [-3, -1], offset: 6 };
    expect(Array.from(be.read(flipped))).toEqual([6, 5, 4, 3, 2, 1]);
    const broadcast: View = { ...base.view, shape: [2, 3], strides: [0, 1], offset: 2 };
    expect(Array.from(be.read(broadcast))).toEqual([2, 3, 4, 2, 3, 4]);
    expect(Array.from(be.read({ ...base.view, shape: [], strides: [], offset: 7 }))).toEqual([7]);
    expect(be.read({ ...base.view, shape: [0, 3], strides: [3, 1] }).length).toBe(0);
    expect(Array.from(await be.readAsync(t))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("fills and counts with iota, converting to the dtype", () => {
    expect(result(be.fill(3, 2.5, "float32"), "float32", [3])).toEqual([2.5, 2.5, 2.5]);
    expect(result(be.fill(0, 1, "float32"), "float32", [0])).toEqual([]);
    expect(result(be.iota(5, -1, 0.75, "float64"), "float64", [5])).toEqual([-1, -0.25, 0.5, 1.25, 2]);
    expect(result(be.iota(5, -1, 0.75, "int32"), "int32", [5])).toEqual([-1, 0, 0, 1, 2]);
    expect(result(be.iota(4, 254, 1, "uint8"), "uint8", [4])).toEqual([254, 255, 0, 1]);
    expect(result(be.iota(3, -1, 1, "bool"), "bool", [3])).toEqual([1, 0, 1]);
  });
});

describe("CpuBackend strided walks", () => {
  /** A random view of a random buffer: random rank (0–4), sizes (0–3), permuted, flipped and broadcast axes. */
  function randomView(seed: number): Operand {
    const r = randomValues(16, Math.imul(seed, 0x9e3779b1)).map((v) => (v + 2) / 4);
    const rank = Math.floor((r[0] as number) * 5);
    const shape = Array.from({ length: rank }, (_, i) => Math.floor((r[1 + i] as number) * 4));
    const dims = shape.map((d) => Math.max(d, 1));
    // storage order: axis perm[0] outermost; axis perm[j] gets the j-th C-order stride of the permuted dims
    const perm = dims.map((_, i) => i).sort((a, b) => (r[6 + a] as number) - (r[6 + b] as number));
    const stored = contiguousStrides(perm.map((p) => dims[p] as number));
    const strides = new Array<number>(rank).fill(0);
    perm.forEach((axis, j) => (strides[axis] = stored[j] as number));
    let offset = 0;
    strides.forEach((s, i) => {
      const pick = r[11 + i] as number;
      if (pick < 0.2) strides[i] = 0;
      else if (pick < 0.5) {
        strides[i] = -s;
        offset += ((dims[i] as number) - 1) * s;
      }
    });
    return operand(randomValues(sizeOf(dims), seed + 100), "float64", shape, strides, offset);
  }

  it("reads, maps, zips and reduces random layouts like a naive index loop", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const x = randomView(seed);
      const shape = x.view.shape;
      const want = indices(shape).map((i) => x.at(i));
      expect(Array.from(be.read(x.view)), `read ${seed}`).toEqual(want);
      expect(result(be.unary("neg", x.view), "float64", shape), `neg ${seed}`).toEqual(want.map((v) => -v));
      const y = operand(randomValues(sizeOf(shape), seed), "float64", shape);
      expect(result(be.binary("sub", x.view, y.view), "float64", shape), `sub ${seed}`).toEqual(indices(shape).map((i) => x.at(i) - y.at(i)));
      const axes = shape.map((_, i) => i).filter((i) => (i + seed) % 2 === 0);
      const outShape = shape.filter((_, i) => !axes.includes(i));
      const sums = new Array<number>(sizeOf(outShape)).fill(0);
      const outStrides = contiguousStrides(outShape);
      for (const i of indices(shape)) {
        const kept = i.filter((_, d) => !axes.includes(d));
        const o = kept.reduce((p, v, d) => p + v * (outStrides[d] as number), 0);
        sums[o] = (sums[o] as number) + x.at(i);
      }
      const got = result(be.reduce("sum", x.view, axes), "float64", outShape);
      got.forEach((g, i) => expect(g, `sum ${seed}`).toBeCloseTo(sums[i] as number, 12));
    }
  });
});

describe("CpuBackend unary", () => {
  it("applies every float op elementwise over a transposed view", () => {
    const x = transposed3d();
    const positive = operand([0, ...randomValues(24, 7).map((v) => Math.abs(v) + 0.1)], "float64", [4, 3, 2], [1, 4, 12], 1);
    const cases: [Parameters<CpuBackend["unary"]>[0], (v: number) => number, Operand][] = [
      ["neg", (v) => -v, x],
      ["abs", Math.abs, x],
      ["floor", Math.floor, x],
      ["ceil", Math.ceil, x],
      ["sqrt", Math.sqrt, positive],
      ["exp", Math.exp, x],
      ["log", Math.log, positive],
      ["log1p", Math.log1p, positive],
      ["expm1", Math.expm1, x],
      ["sin", Math.sin, x],
      ["cos", Math.cos, x],
      ["tan", Math.tan, x],
      ["tanh", Math.tanh, x],
      ["sigmoid", (v) => 1 / (1 + Math.exp(-v)), x],
    ];
    for (const [op, f, input] of cases) {
      const got = result(be.unary(op, input.view), input.view.dtype, input.view.shape);
      const want = indices(input.view.shape).map((i) => f(input.at(i)));
      got.forEach((g, i) => expect(g, op).toBeCloseTo(want[i] as number, 6));
    }
  });

  it("rounds half to even and keeps sign(NaN) = NaN", () => {
    const x = operand([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -3.6, 1e300, NaN], "float64", [10]);
    const rounded = result(be.unary("round", x.view), "float64", [10]);
    expect(rounded).toEqual([0, 2, 2, -0, -2, -2, 2, -4, 1e300, NaN]);
    expect(Object.is(rounded[3], -0)).toBe(true);
    const s = operand([3, -2, 0, -0, NaN, Infinity], "float32", [6]);
    const signs = result(be.unary("sign", s.view), "float32", [6]);
    expect(signs).toEqual([1, -1, 0, -0, NaN, 1]);
    expect(Object.is(signs[3], -0)).toBe(true);
  });

  it("computes erf to ~1e-15 against tabulated values, and log1p/expm1 accurately near 0", () => {
    const xs = [0, 1e-10, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5.9, 7, -1, Infinity, -Infinity, NaN];
    const want = [
      0, 1.1283791670955126e-10, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9661051464753108, 0.9953222650189527,
      0.9995930479825550, 0.9999779095030014, 0.9999999845827421, 0.9999999999999999, 1, -0.8427007929497149, 1, -1, NaN,
    ];
    const got = result(be.unary("erf", operand(xs, "float64", [xs.length]).view), "float64", [xs.length]);
    got.forEach((g, i) => {
      const w = want[i] as number;
      if (Number.isNaN(w)) expect(g).toBeNaN();
      else expect(Math.abs(g - w)).toBeLessThanOrEqual(2e-15 * Math.max(Math.abs(w), 1e-300));
    });
    const tiny = operand([1e-12, -1e-12], "float64", [2]);
    expect(result(be.unary("log1p", tiny.view), "float64", [2])[0]).toBeCloseTo(1e-12 - 5e-25, 30);
    expect(result(be.unary("expm1", tiny.view), "float64", [2])[1]).toBeCloseTo(-1e-12 + 5e-25, 30);
  });

  it("computes sigmoid without overflow and IEEE edge cases", () => {
    const x = operand([1000, -1000, 0, -745, NaN], "float64", [5]);
    expect(result(be.unary("sigmoid", x.view), "float64", [5])).toEqual([1, 0, 0.5, Math.exp(-745) / (1 + Math.exp(-745)), NaN]);
    const y = operand([-1, 0, Infinity], "float32", [3]);
    expect(result(be.unary("sqrt", y.view), "float32", [3])).toEqual([NaN, 0, Infinity]);
    expect(result(be.unary("log", y.view), "float32", [3])).toEqual([NaN, -Infinity, Infinity]);
  });

  it("wraps integer neg/abs and keeps integer rounding the identity", () => {
    const i = operand([-(2 ** 31), 5, -7, 0], "int32", [4]);
    expect(result(be.unary("neg", i.view), "int32", [4])).toEqual([-(2 ** 31), -5, 7, 0]);
    expect(result(be.unary("abs", i.view), "int32", [4])).toEqual([-(2 ** 31), 5, 7, 0]);
    expect(result(be.unary("round", i.view), "int32", [4])).toEqual([-(2 ** 31), 5, -7, 0]);
    expect(result(be.unary("sign", i.view), "int32", [4])).toEqual([-1, 1, -1, 0]);
    const u = operand([0, 1, 255], "uint8", [3]);
    expect(result(be.unary("neg", u.view), "uint8", [3])).toEqual([0, 255, 1]);
  });

  it("outputs bool for logicalNot, isNaN and isFinite", () => {
    const x = operand([0, -0, 2, NaN, Infinity, -Infinity], "float32", [6]);
    expect(be.read({ data: be.unary("isNaN", x.view), dtype: "bool", shape: [6], strides: [1], offset: 0 })).toBeInstanceOf(Uint8Array);
    expect(result(be.unary("logicalNot", x.view), "bool", [6])).toEqual([1, 1, 0, 0, 0, 0]);
    expect(result(be.unary("isNaN", x.view), "bool", [6])).toEqual([0, 0, 0, 1, 0, 0]);
    expect(result(be.unary("isFinite", x.view), "bool", [6])).toEqual([1, 1, 1, 0, 0, 0]);
    const i = operand([3, 0], "int32", [2]);
    expect(result(be.unary("isFinite", i.view), "bool", [2])).toEqual([1, 1]);
  });

  it("handles rank 0, size 0 and broadcast views", () => {
    const s = operand([9, -4], "float32", [], [], 1);
    expect(result(be.unary("abs", s.view), "float32", [])).toEqual([4]);
    const empty = operand([1], "float32", [2, 0, 3]);
    expect(result(be.unary("exp", empty.view), "float32", [2, 0, 3])).toEqual([]);
    const b = operand([1, 2], "float32", [3, 2], [0, 1]);
    expect(result(be.unary("neg", b.view), "float32", [3, 2])).toEqual([-1, -2, -1, -2, -1, -2]);
  });
});

describe("CpuBackend binary", () => {
  it("computes float ops over broadcast, transposed and flipped operands", () => {
    const a = flipped2d();
    const b = operand([0.5, -1.5, 2, 3], "float32", [3, 4], [0, 1]);
    const ops: [Parameters<CpuBackend["binary"]>[0], (x: number, y: number) => number][] = [
      ["add", (x, y) => x + y],
      ["sub", (x, y) => x - y],
      ["mul", (x, y) => x * y],
      ["div", (x, y) => x / y],
      ["maximum", Math.max],
      ["minimum", Math.min],
      ["pow", (x, y) => Math.pow(Math.abs(x), y)],
    ];
    for (const [op, f] of ops) {
      const left = op === "pow" ? operand(a.host.map(Math.abs), "float32", [3, 4], [-8, 2], 16) : a;
      const got = result(be.binary(op, left.view, b.view), "float32", [3, 4]);
      const want = indices([3, 4]).map((i) => f(a.at(i), b.at(i)));
      got.forEach((g, i) => expect(g, op).toBeCloseTo(Math.fround(want[i] as number), 5));
    }
  });

  it("propagates NaN through maximum and minimum", () => {
    const a = operand([NaN, 1, 2, NaN], "float64", [4]);
    const b = operand([1, NaN, 3, NaN], "float64", [4]);
    expect(result(be.binary("maximum", a.view, b.view), "float64", [4])).toEqual([NaN, NaN, 3, NaN]);
    expect(result(be.binary("minimum", a.view, b.view), "float64", [4])).toEqual([NaN, NaN, 2, NaN]);
  });

  it("follows Python's mod: sign of the divisor, integer mod by 0 is 0", () => {
    const a = operand([7, -7, 7, -7, 6, 5.5, -0.5, 3], "float64", [8]);
    const b = operand([3, 3, -3, -3, 3, 2, 2, 0], "float64", [8]);
    const got = result(be.binary("mod", a.view, b.view), "float64", [8]);
    expect(got).toEqual([1, 2, -2, -1, 0, 1.5, 1.5, NaN]);
    const ai = operand([7, -7, 7, -7, 5, -(2 ** 31)], "int32", [6]);
    const bi = operand([3, 3, -3, -3, 0, -1], "int32", [6]);
    expect(result(be.binary("mod", ai.view, bi.view), "int32", [6])).toEqual([1, 2, -2, -1, 0, 0]);
  });

  it("wraps integer arithmetic to the dtype", () => {
    const a = operand([2 ** 31 - 1, -(2 ** 31), 123456789, 46341], "int32", [4]);
    const b = operand([1, -1, 987654321, 46341], "int32", [4]);
    expect(result(be.binary("add", a.view, b.view), "int32", [4])).toEqual([-(2 ** 31), 2 ** 31 - 1, 1111111110, 92682]);
    expect(result(be.binary("sub", a.view, b.view), "int32", [4])).toEqual([2 ** 31 - 2, -(2 ** 31) + 1, -864197532, 0]);
    expect(result(be.binary("mul", a.view, b.view), "int32", [4])).toEqual([2 ** 31 - 1, -(2 ** 31), Math.imul(123456789, 987654321), Math.imul(46341, 46341)]);
    const u = operand([200, 16, 3], "uint8", [3]);
    const v = operand([100, 16, 250], "uint8", [3]);
    expect(result(be.binary("add", u.view, v.view), "uint8", [3])).toEqual([44, 32, 253]);
    expect(result(be.binary("mul", u.view, v.view), "uint8", [3])).toEqual([(200 * 100) % 256, 0, 750 % 256]);
    expect(result(be.binary("sub", u.view, v.view), "uint8", [3])).toEqual([100, 0, 9]);
  });

  it("computes integer pow by squaring with wrap, 0 for negative exponents unless the base is ±1", () => {
    const a = operand([2, 2, 3, 1, -1, -1, 0, 5, -3, 7], "int32", [10]);
    const b = operand([10, 31, -1, -5, -3, -2, 0, 0, 3, 20], "int32", [10]);
    const want = [1024, -(2 ** 31), 0, 1, -1, 1, 1, 1, -27, Number(BigInt.asIntN(32, 7n ** 20n))];
    expect(result(be.binary("pow", a.view, b.view), "int32", [10])).toEqual(want);
    const u = operand([2, 3], "uint8", [2]);
    const e = operand([9, 5], "uint8", [2]);
    expect(result(be.binary("pow", u.view, e.view), "uint8", [2])).toEqual([0, 243]);
  });

  it("keeps float pow's C99 special cases", () => {
    const a = operand([1, -1, 2, 0, NaN, -8], "float64", [6]);
    const b = operand([NaN, Infinity, -1, -1, 0, 1 / 3], "float64", [6]);
    expect(result(be.binary("pow", a.view, b.view), "float64", [6])).toEqual([1, 1, 0.5, Infinity, 1, NaN]);
  });

  it("outputs bool for logicalAnd and logicalOr", () => {
    const a = operand([0, 0, 2, NaN], "float32", [4]);
    const b = operand([0, -1, 0, 3], "float32", [4]);
    expect(result(be.binary("logicalAnd", a.view, b.view), "bool", [4])).toEqual([0, 0, 0, 1]);
    expect(result(be.binary("logicalOr", a.view, b.view), "bool", [4])).toEqual([0, 1, 1, 1]);
  });

  it("handles rank 0 and size 0", () => {
    const a = operand([3], "float64", []);
    const b = operand([4], "float64", []);
    expect(result(be.binary("mul", a.view, b.view), "float64", [])).toEqual([12]);
    const e = operand([1], "float64", [0, 2], [0, 0]);
    expect(result(be.binary("add", e.view, e.view), "float64", [0, 2])).toEqual([]);
  });
});

describe("CpuBackend compare and where", () => {
  it("compares with NaN false except notEqual, over broadcast operands", () => {
    const a = operand([1, 2, NaN], "float32", [2, 3], [0, 1]);
    const b = operand([2, 2], "float32", [2, 3], [1, 0]);
    const cases: [Parameters<CpuBackend["compare"]>[0], number[]][] = [
      ["equal", [0, 1, 0, 0, 1, 0]],
      ["notEqual", [1, 0, 1, 1, 0, 1]],
      ["less", [1, 0, 0, 1, 0, 0]],
      ["lessEqual", [1, 1, 0, 1, 1, 0]],
      ["greater", [0, 0, 0, 0, 0, 0]],
      ["greaterEqual", [0, 1, 0, 0, 1, 0]],
    ];
    for (const [op, want] of cases) expect(result(be.compare(op, a.view, b.view), "bool", [2, 3]), op).toEqual(want);
  });

  it("selects by a broadcast condition from strided operands", () => {
    const cond = operand([1, 0, 1, 0], "bool", [3, 4], [0, 1]);
    const a = flipped2d();
    const b = operand([-1, -2, -3], "float32", [3, 4], [1, 0]);
    const got = result(be.where(cond.view, a.view, b.view), "float32", [3, 4]);
    expect(got).toEqual(indices([3, 4]).map((i) => (cond.at(i) !== 0 ? a.at(i) : b.at(i))));
    const i32 = operand([5], "int32", [], []);
    const j32 = operand([6], "int32", [], []);
    expect(result(be.where(operand([0], "bool", []).view, i32.view, j32.view), "int32", [])).toEqual([6]);
  });
});

describe("CpuBackend reduce", () => {
  /** Reference reduction of `x` over `axes` by folding in C order. */
  function reference(x: Operand, axes: readonly number[], f: (a: number, b: number) => number, init: number): number[] {
    const shape = x.view.shape;
    const outShape = shape.filter((_, i) => !axes.includes(i));
    const out = new Array<number>(sizeOf(outShape)).fill(init);
    const outStrides = contiguousStrides(outShape);
    for (const idx of indices(shape)) {
      let o = 0;
      let k = 0;
      idx.forEach((v, d) => {
        if (!axes.includes(d)) o += v * (outStrides[k++] as number);
      });
      out[o] = f(out[o] as number, x.at(idx));
    }
    return out;
  }

  const axisSets = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];

  it("sums, multiplies and takes extremes over every axis set of a transposed view", () => {
    const x = transposed3d();
    for (const axes of axisSets) {
      const outShape = x.view.shape.filter((_, i) => !axes.includes(i));
      const check = (op: "sum" | "prod" | "max" | "min", f: (a: number, b: number) => number, init: number): void => {
        const got = result(be.reduce(op, x.view, axes), "float32", outShape);
        const want = reference(x, axes, f, init);
        got.forEach((g, i) => expect(g, `${op} ${JSON.stringify(axes)}`).toBeCloseTo(Math.fround(want[i] as number), 4));
      };
      check("sum", (a, b) => a + b, 0);
      check("prod", (a, b) => a * b, 1);
      check("max", Math.max, -Infinity);
      check("min", Math.min, Infinity);
    }
  });

  it("reduces flipped and broadcast views", () => {
    const x = flipped2d();
    expect(result(be.reduce("sum", x.view, [0]), "float32", [4])).toEqual(reference(x, [0], (a, b) => a + b, 0).map(Math.fround));
    const b = operand([1, 2, 3], "int32", [4, 3], [0, 1]);
    expect(result(be.reduce("sum", b.view, [0]), "int32", [3])).toEqual([4, 8, 12]);
    expect(result(be.reduce("sum", b.view, [0, 1]), "int32", [])).toEqual([24]);
    const inner = operand([1, 2, 3], "float32", [3, 4], [1, 0]);
    expect(result(be.reduce("sum", inner.view, [1]), "float32", [3])).toEqual([4, 8, 12]);
    expect(result(be.reduce("prod", inner.view, [1]), "float32", [3])).toEqual([1, 16, 81]);
    expect(result(be.reduce("max", inner.view, [0]), "float32", [4])).toEqual([3, 3, 3, 3]);
    expect(result(be.argReduce("argmin", inner.view, 1), "int32", [3])).toEqual([0, 0, 0]);
    expect(result(be.scan("cumsum", inner.view, 1), "float32", [3, 4])).toEqual([1, 2, 3, 4, 2, 4, 6, 8, 3, 6, 9, 12]);
  });

  it("gives identities for empty reductions, per dtype", () => {
    const f = operand([1], "float32", [2, 0], [0, 0]);
    expect(result(be.reduce("sum", f.view, [1]), "float32", [2])).toEqual([0, 0]);
    expect(Object.is(result(be.reduce("sum", f.view, [1]), "float32", [2])[0], 0)).toBe(true);
    expect(result(be.reduce("prod", f.view, [1]), "float32", [2])).toEqual([1, 1]);
    expect(result(be.reduce("max", f.view, [1]), "float32", [2])).toEqual([-Infinity, -Infinity]);
    expect(result(be.reduce("min", f.view, [1]), "float32", [2])).toEqual([Infinity, Infinity]);
    expect(result(be.reduce("sum", f.view, [0]), "float32", [0])).toEqual([]);
    const i = operand([1], "int32", [0], [1]);
    expect(result(be.reduce("max", i.view, [0]), "int32", [])).toEqual([-(2 ** 31)]);
    expect(result(be.reduce("min", i.view, [0]), "int32", [])).toEqual([2 ** 31 - 1]);
    const u = operand([1], "uint8", [0], [1]);
    expect(result(be.reduce("max", u.view, [0]), "uint8", [])).toEqual([0]);
    expect(result(be.reduce("min", u.view, [0]), "uint8", [])).toEqual([255]);
    const b = operand([1], "bool", [0], [1]);
    expect(result(be.reduce("min", b.view, [0]), "bool", [])).toEqual([1]);
  });

  it("propagates NaN through max and min along either axis", () => {
    const x = operand([1, NaN, 3, 4, 5, 6], "float64", [2, 3]);
    expect(result(be.reduce("max", x.view, [1]), "float64", [2])).toEqual([NaN, 6]);
    expect(result(be.reduce("min", x.view, [1]), "float64", [2])).toEqual([NaN, 4]);
    expect(result(be.reduce("max", x.view, [0]), "float64", [3])).toEqual([4, NaN, 6]);
    expect(result(be.reduce("min", x.view, [0]), "float64", [3])).toEqual([1, NaN, 3]);
  });

  it("accumulates float32 sums in float64 and wraps int32 sums and products", () => {
    const n = 100_000;
    const x = operand(new Array<number>(n).fill(0.1), "float32", [n]);
    const exact = n * Math.fround(0.1);
    expect(result(be.reduce("sum", x.view, [0]), "float32", [])[0]).toBe(Math.fround(exact));
    const i = operand([2 ** 31 - 1, 1, 5], "int32", [3]);
    expect(result(be.reduce("sum", i.view, [0]), "int32", [])).toEqual([-(2 ** 31) + 5]);
    const p = operand([65536, 65536, 3], "int32", [3]);
    expect(result(be.reduce("prod", p.view, [0]), "int32", [])).toEqual([0]);
    const u = operand([200, 100, 7], "uint8", [3]);
    expect(result(be.reduce("sum", u.view, [0]), "uint8", [])).toEqual([51]);
    const q = operand([123456, 654321], "int32", [2]);
    expect(result(be.reduce("prod", q.view, [0]), "int32", [])).toEqual([Math.imul(123456, 654321)]);
  });

  it("copies for an empty axis list, including rank 0", () => {
    const s = operand([0, -0.5], "float64", [], [], 1);
    expect(result(be.reduce("sum", s.view, []), "float64", [])).toEqual([-0.5]);
    const z = operand([-0], "float64", [1]);
    expect(Object.is(result(be.reduce("sum", z.view, [0]), "float64", [])[0], -0)).toBe(true);
  });
});

describe("CpuBackend argReduce and scan", () => {
  it("picks the first index on ties and the first NaN", () => {
    const x = operand([1, 3, 3, 0, 0, 2, NaN, 5, NaN, 0, 1, 0], "float32", [3, 4]);
    // rows: [1, 3, 3, 0], [0, 2, NaN, 5], [NaN, 0, 1, 0]
    expect(result(be.argReduce("argmax", x.view, 1), "int32", [3])).toEqual([1, 2, 0]);
    expect(result(be.argReduce("argmin", x.view, 1), "int32", [3])).toEqual([3, 2, 0]);
    expect(result(be.argReduce("argmax", x.view, 0), "int32", [4])).toEqual([2, 0, 1, 1]);
    expect(result(be.argReduce("argmin", x.view, 0), "int32", [4])).toEqual([2, 2, 1, 0]);
    const first = operand([NaN, 1, NaN], "float64", [3]);
    expect(result(be.argReduce("argmax", first.view, 0), "int32", [])).toEqual([0]);
  });

  it("reduces along an axis of a strided view", () => {
    const x = transposed3d();
    for (const axis of [0, 1, 2]) {
      const outShape = x.view.shape.filter((_, i) => i !== axis);
      const want = indices(outShape).map((o) => {
        let best = 0;
        for (let j = 1; j < (x.view.shape[axis] as number); j++) {
          const at = (k: number): number => x.at([...o.slice(0, axis), k, ...o.slice(axis)]);
          if (at(j) > at(best)) best = j;
        }
        return best;
      });
      expect(result(be.argReduce("argmax", x.view, axis), "int32", outShape)).toEqual(want);
    }
  });

  it("scans cumsum and cumprod along every axis of a strided view", () => {
    const x = transposed3d();
    const shape = x.view.shape;
    for (const axis of [0, 1, 2]) {
      for (const [op, f, init] of [["cumsum", (a: number, b: number) => a + b, 0], ["cumprod", (a: number, b: number) => a * b, 1]] as const) {
        const got = result(be.scan(op, x.view, axis), "float32", shape);
        const want = indices(shape).map((idx) => {
          let acc: number = init;
          for (let k = 0; k <= (idx[axis] as number); k++) acc = f(acc, x.at(idx.map((v, d) => (d === axis ? k : v))));
          return acc;
        });
        got.forEach((g, i) => expect(g, `${op} ${axis}`).toBeCloseTo(Math.fround(want[i] as number), 4));
      }
    }
  });

  it("wraps integer scans and handles empty axes", () => {
    const x = operand([2 ** 31 - 1, 1, 1, 65536, 65536], "int32", [5]);
    expect(result(be.scan("cumsum", x.view, 0), "int32", [5])).toEqual([2 ** 31 - 1, -(2 ** 31), -(2 ** 31) + 1, -(2 ** 31) + 65537, -(2 ** 31) + 131073]);
    expect(result(be.scan("cumprod", x.view, 0), "int32", [5])).toEqual([2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1, -65536, 0]);
    const e = operand([1], "float32", [2, 0], [0, 1]);
    expect(result(be.scan("cumsum", e.view, 1), "float32", [2, 0])).toEqual([]);
    const f = operand(new Array<number>(3).fill(0.1), "float32", [3]);
    const sums = result(be.scan("cumsum", f.view, 0), "float32", [3]);
    expect(sums[2]).toBe(Math.fround(3 * Math.fround(0.1)));
  });
});

describe("CpuBackend cast and copy", () => {
  it("converts every element as castScalar does", () => {
    const values = [0, -0, 1.5, -1.5, 3.7, -3.7, 255.9, 256.5, -1, 2 ** 31 + 5, -(2 ** 32) - 3, 1e20, NaN, Infinity, -Infinity, 1 + 2 ** -30];
    const x = operand(values, "float64", [values.length]);
    for (const dtype of ["float32", "float64", "int32", "uint8", "bool"] as const) {
      expect(result(be.cast(x.view, dtype), dtype, [values.length]), dtype).toEqual(Array.from(hostFrom(dtype, values.map((v) => castScalar(v, dtype)))));
    }
  });

  it("casts strided integer views", () => {
    const x = operand([-1, 256, 3, 0], "int32", [2, 2], [1, 2]);
    expect(result(be.cast(x.view, "uint8"), "uint8", [2, 2])).toEqual([255, 3, 0, 0]);
    expect(result(be.cast(x.view, "bool"), "bool", [2, 2])).toEqual([1, 1, 1, 0]);
    expect(result(be.cast(x.view, "float32"), "float32", [2, 2])).toEqual([-1, 3, 256, 0]);
    const f = operand([-2.5, 0, NaN, 0, 2 ** 32 + 7.9, 0, -300.2], "float64", [4], [2]);
    expect(result(be.cast(f.view, "int32"), "int32", [4])).toEqual([-2, 0, 7, -300]);
    expect(result(be.cast(f.view, "uint8"), "uint8", [4])).toEqual([254, 0, 7, 212]);
  });

  it("copies materialize broadcasts, flips and transposes", () => {
    const x = flipped2d();
    expect(result(be.copy(x.view), "float32", [3, 4])).toEqual(indices([3, 4]).map((i) => x.at(i)));
    const t = transposed3d();
    expect(result(be.copy(t.view), "float32", [4, 3, 2])).toEqual(indices([4, 3, 2]).map((i) => t.at(i)));
    const long = operand(randomValues(64, 3), "float64", [2, 2, 32], [0, 32, 1]);
    expect(result(be.copy(long.view), "float64", [2, 2, 32])).toEqual(indices([2, 2, 32]).map((i) => long.at(i)));
  });
});

describe("CpuBackend matmul", () => {
  /** Naive float64 reference of a batched product of two operands of the given shapes. */
  function reference(a: Operand, b: Operand): number[] {
    const ra = a.view.shape.length;
    const batch = a.view.shape.slice(0, ra - 2);
    const m = a.view.shape[ra - 2] as number;
    const k = a.view.shape[ra - 1] as number;
    const n = b.view.shape[ra - 1] as number;
    const out: number[] = [];
    for (const bi of indices(batch)) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let t = 0; t < k; t++) s += a.at([...bi, i, t]) * b.at([...bi, t, j]);
          out.push(s);
        }
      }
    }
    return out;
  }

  function expectClose(got: readonly number[], want: readonly number[], tol: number): void {
    expect(got.length).toBe(want.length);
    let worst = 0;
    got.forEach((g, i) => (worst = Math.max(worst, Math.abs(g - (want[i] as number)))));
    expect(worst).toBeLessThanOrEqual(tol);
  }

  /** A contiguous float operand of `shape`, or its transposed-last-two-axes view when `transposed`. */
  function matrix(shape: readonly number[], seed: number, transposed = false, dtype: DType = "float32"): Operand {
    const values = randomValues(sizeOf(shape), seed);
    if (!transposed) return operand(values, dtype, shape);
    const r = shape.length;
    const stored = [...shape.slice(0, r - 2), shape[r - 1] as number, shape[r - 2] as number];
    const strides = contiguousStrides(stored);
    return operand(values, dtype, shape, [...strides.slice(0, r - 2), strides[r - 1] as number, strides[r - 2] as number]);
  }

  it("matches a naive product for sizes around the tile and block edges", () => {
    for (const [m, k, n] of [[1, 1, 1], [1, 64, 7], [9, 20, 1], [2, 3, 3], [3, 4, 4], [5, 7, 9], [13, 300, 11], [2, 5, 530], [97, 33, 17]] as const) {
      for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        const a = matrix([m, k], m * 31 + k, ta);
        const b = matrix([k, n], n * 17 + k, tb);
        expectClose(result(be.matmul(a.view, b.view), "float32", [m, n]), reference(a, b), 1e-5 * Math.sqrt(k) * 4);
      }
    }
  });

  it("batches with broadcast (stride 0), flipped and offset operands", () => {
    const a = matrix([3, 6, 5], 5);
    const shared = operand([7, ...randomValues(5 * 4, 9)], "float32", [3, 5, 4], [0, 4, 1], 1);
    expectClose(result(be.matmul(a.view, shared.view), "float32", [3, 6, 4]), reference(a, shared), 1e-5);
    const flipped = operand(randomValues(3 * 5 * 4, 12), "float32", [3, 5, 4], [-20, 4, -1], 43);
    expectClose(result(be.matmul(a.view, flipped.view), "float32", [3, 6, 4]), reference(a, flipped), 1e-5);
    const b4 = operand(randomValues(2 * 3 * 5 * 2, 13), "float32", [2, 3, 5, 2], [0, 10, 2, 1]);
    const a4 = operand(randomValues(2 * 3 * 6 * 5, 14), "float32", [2, 3, 6, 5]);
    expectClose(result(be.matmul(a4.view, b4.view), "float32", [2, 3, 6, 2]), reference(a4, b4), 1e-5);
  });

  it("handles the attention shapes with a transposed second operand", () => {
    const q = matrix([4, 16, 8], 21);
    const kT = matrix([4, 8, 16], 22, true);
    expectClose(result(be.matmul(q.view, kT.view), "float32", [4, 16, 16]), reference(q, kT), 1e-5);
  });

  it("keeps float64 precision", () => {
    const a = matrix([7, 40], 31, false, "float64");
    const b = matrix([40, 6], 32, true, "float64");
    expectClose(result(be.matmul(a.view, b.view), "float64", [7, 6]), reference(a, b), 1e-13);
  });

  it("gives zeros for k = 0 and an empty result for m = 0", () => {
    const a = operand([1], "float32", [2, 0], [0, 1]);
    const b = operand([1], "float32", [0, 3], [3, 1]);
    expect(result(be.matmul(a.view, b.view), "float32", [2, 3])).toEqual([0, 0, 0, 0, 0, 0]);
    const e = operand([1], "float32", [0, 4], [4, 1]);
    const f = operand(randomValues(12), "float32", [4, 3]);
    expect(result(be.matmul(e.view, f.view), "float32", [0, 3])).toEqual([]);
  });

  it("multiplies int32 exactly modulo 2^32", () => {
    const av = [2 ** 31 - 1, 123456789, -5, 77777, 3, -(2 ** 31)];
    const bv = [987654321, 2, 46341, -46341, 2 ** 30, 9];
    const a = operand(av, "int32", [2, 3]);
    const b = operand(bv, "int32", [3, 2], [1, 3]);
    const want = indices([2, 2]).map(([i, j]) => {
      let s = 0n;
      for (let t = 0; t < 3; t++) s += BigInt(a.at([i as number, t])) * BigInt(b.at([t, j as number]));
      return Number(BigInt.asIntN(32, s));
    });
    expect(result(be.matmul(a.view, b.view), "int32", [2, 2])).toEqual(want);
  });
});

describe("CpuBackend gather and scatterAdd", () => {
  it("takes along every axis with wrap-once and clamping", () => {
    const x = transposed3d();
    const idx = operand([0, -1, 5, -9, 1, 2], "int32", [2, 3]);
    for (const axis of [0, 1, 2]) {
      const n = x.view.shape[axis] as number;
      const outShape = [...x.view.shape.slice(0, axis), 2, 3, ...x.view.shape.slice(axis + 1)];
      const want = indices(outShape).map((o) => {
        const raw = idx.at(o.slice(axis, axis + 2));
        const w = raw < 0 ? raw + n : raw;
        const i = Math.min(Math.max(w, 0), n - 1);
        return x.at([...o.slice(0, axis), i, ...o.slice(axis + 2)]);
      });
      expect(result(be.gather(x.view, idx.view, axis), "float32", outShape), `axis ${axis}`).toEqual(want);
    }
  });

  it("accepts strided and rank-0 indices", () => {
    const x = operand([10, 20, 30, 40, 50, 60], "int32", [2, 3]);
    const idx = operand([2, 9, 0, 9, 1], "int32", [3], [-2], 4);
    expect(result(be.gather(x.view, idx.view, 1), "int32", [2, 3])).toEqual([20, 10, 30, 50, 40, 60]);
    const scalar = operand([-1], "int32", []);
    expect(result(be.gather(x.view, scalar.view, 0), "int32", [3])).toEqual([40, 50, 60]);
    const empty = operand([0], "int32", [0]);
    expect(result(be.gather(x.view, empty.view, 0), "int32", [0, 3])).toEqual([]);
  });

  it("is the adjoint of gather, accumulating repeated indices", () => {
    const idx = operand([1, -1, 1, 7], "int32", [2, 2]);
    const updates = operand(randomValues(48, 5), "float64", [3, 2, 2, 2], [16, 2, 1, 8]);
    const shape = [3, 3, 2];
    const got = result(be.scatterAdd(updates.view, idx.view, 1, shape), "float64", shape);
    const want = new Array<number>(sizeOf(shape)).fill(0);
    for (const u of indices(updates.view.shape)) {
      const raw = idx.at([u[1] as number, u[2] as number]);
      const i = Math.min(Math.max(raw < 0 ? raw + 3 : raw, 0), 2);
      const at = (u[0] as number) * 6 + i * 2 + (u[3] as number);
      want[at] = (want[at] as number) + updates.at(u);
    }
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i] as number, 12));
    expect(got.slice(0, 2)).toEqual([0, 0]);
  });

  it("scatters int32 with wrapping sums", () => {
    const idx = operand([0, 0], "int32", [2]);
    const updates = operand([2 ** 31 - 1, 1], "int32", [2]);
    expect(result(be.scatterAdd(updates.view, idx.view, 0, [2]), "int32", [2])).toEqual([-(2 ** 31), 0]);
  });
});

describe("CpuBackend pad and concat", () => {
  it("pads with lo, hi and interior widths around a flipped view", () => {
    const x = operand([1, 2, 3, 4, 5, 6], "int32", [2, 3], [-3, 1], 3);
    const widths: PadWidth[] = [{ lo: 1, hi: 0, interior: 1 }, { lo: 0, hi: 2, interior: 0 }];
    const got = result(be.pad(x.view, widths, -1), "int32", [4, 5]);
    expect(got).toEqual([-1, -1, -1, -1, -1, 4, 5, 6, -1, -1, -1, -1, -1, -1, -1, 1, 2, 3, -1, -1]);
  });

  it("pads rank 0, empty and float inputs", () => {
    const s = operand([5], "float32", []);
    expect(result(be.pad(s.view, [], 0), "float32", [])).toEqual([5]);
    const e = operand([1], "float32", [0], [1]);
    expect(result(be.pad(e.view, [{ lo: 1, hi: 1, interior: 3 }], 2.5), "float32", [2])).toEqual([2.5, 2.5]);
    const one = operand([7], "float64", [1]);
    expect(result(be.pad(one.view, [{ lo: 0, hi: 0, interior: 4 }], 0), "float64", [1])).toEqual([7]);
  });

  it("concatenates strided views, skipping empty ones", () => {
    const a = operand([1, 2, 3, 4], "float32", [2, 2], [1, 2]);
    const empty = operand([0], "float32", [2, 0], [0, 1]);
    const b = operand([9], "float32", [2, 1], [0, 0]);
    expect(result(be.concat([a.view, empty.view, b.view], 1), "float32", [2, 3])).toEqual([1, 3, 9, 2, 4, 9]);
    const r = operand([5, 6], "int32", [1, 2]);
    expect(result(be.concat([r.view, r.view], 0), "int32", [2, 2])).toEqual([5, 6, 5, 6]);
  });
});

describe("CpuBackend randomUniform", () => {
  it("is the threefry stream of the key, in [0, 1)", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const want = allocHost(dtype, 9);
      uniformFromStream([1, 2], 9, want);
      const got = result(be.randomUniform([1, 2], 9, dtype), dtype, [9]);
      expect(got).toEqual(Array.from(want));
      expect(got.every((v) => v >= 0 && v < 1)).toBe(true);
    }
    expect(result(be.randomUniform([1, 2], 4, "float32"), "float32", [4])).not.toEqual(result(be.randomUniform([1, 3], 4, "float32"), "float32", [4]));
  });
});
