/**
 * Hand-written conformance groups: the storage contract of `backend.ts`
 * (upload/read/free/memory, strided reads, fill, iota), views that must not
 * allocate, memory accounting through `tidy`/`dispose`, async reads, and the
 * `nx.random` streams.
 */
import { expect } from "vitest";
import type { Backend, DataId, View } from "../backend.js";
import type { DType, HostArray } from "../dtype.js";
import { itemSize } from "../dtype.js";
import * as nx from "../index.js";
import { contiguousStrides } from "../shape.js";
import { compareHost } from "./compare.js";
import { expectInvalidArgument } from "./invalid-argument.js";
import type { SuiteContext } from "./harness.js";
import { drawRandomCase, randomCaseNeeds, runRandomCase } from "./runner.js";
import { RANDOM_VECTORS } from "./vectors.js";

const HOST: Record<DType, { from(values: readonly number[]): HostArray; new (n: number): HostArray }> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

const SAMPLE: Record<DType, readonly number[]> = {
  float32: [1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, -3.25, 1e-30],
  float64: [0.1, -2.5e300, Number.NaN, Number.NEGATIVE_INFINITY, 5e-324, 7],
  int32: [-2147483648, 2147483647, 0, -1, 5, 9],
  uint8: [0, 255, 128, 1, 7, 9],
  bool: [1, 0, 0, 1, 1, 0],
};

function sameValues(a: HostArray, b: readonly number[]): boolean {
  return a.length === b.length && b.every((v, i) => Object.is(a[i], v) || (Number.isNaN(v) && Number.isNaN(a[i] as number)));
}

function contiguousView(data: View["data"], dtype: DType, shape: readonly number[]): View {
  return { data, dtype, shape, strides: contiguousStrides(shape), offset: 0 };
}

/** `registerBackendContractTests(ctx)`: the storage primitives, called directly on the backend. */
export function registerBackendContractTests(ctx: SuiteContext): void {
  for (const dtype of nx.DTYPES) {
    ctx.test(`backend.upload-read.${dtype}`, () => {
      const b = ctx.backend();
      const values = SAMPLE[dtype].map((v) => (dtype === "float32" ? Math.fround(v) : v));
      const host = HOST[dtype].from(values);
      const before = b.memory();
      const id = b.upload(host, dtype);
      host.fill(0); // the backend must not retain the caller's array
      const view = contiguousView(id, dtype, [2, 3]);
      const first = b.read(view);
      expect(first).toBeInstanceOf(HOST[dtype]);
      expect(sameValues(first, values)).toBe(true);
      first.fill(0); // read returns a fresh copy
      expect(sameValues(b.read(view), values)).toBe(true);
      const grown = b.memory();
      expect(grown.buffers).toBe(before.buffers + 1);
      expect(grown.bytes).toBeGreaterThanOrEqual(before.bytes + values.length * itemSize(dtype));
      b.free(id);
      expect(b.memory()).toEqual(before);
    }, { dtypes: [dtype] });
    ctx.testAsync(`backend.read-async.${dtype}`, async () => {
      const b = ctx.backend();
      const values = SAMPLE[dtype].map((v) => (dtype === "float32" ? Math.fround(v) : v));
      const id = b.upload(HOST[dtype].from(values), dtype);
      try {
        const view: View = { data: id, dtype, shape: [3, 2], strides: [1, 3], offset: 0 };
        const sync = b.read(view);
        const got = await b.readAsync(view);
        expect(sameValues(got, [...sync])).toBe(true);
        expect(sameValues(sync, [0, 3, 1, 4, 2, 5].map((i) => values[i] as number))).toBe(true);
      } finally {
        b.free(id);
      }
    }, { dtypes: [dtype] });
  }

  ctx.test("backend.read-strided", () => {
    const b = ctx.backend();
    const id = b.upload(Float32Array.from({ length: 12 }, (_, i) => i), "float32");
    try {
      const read = (shape: number[], strides: number[], offset: number): number[] => [...b.read({ data: id, dtype: "float32", shape, strides, offset })];
      expect(read([3], [-1], 2)).toEqual([2, 1, 0]);
      expect(read([2, 3], [1, 2], 5)).toEqual([5, 7, 9, 6, 8, 10]);
      expect(read([2, 2], [-6, -1], 11)).toEqual([11, 10, 5, 4]);
      expect(read([3, 2], [0, 4], 1)).toEqual([1, 5, 1, 5, 1, 5]);
      expect(read([], [], 7)).toEqual([7]);
      expect(read([0, 3], [3, 1], 0)).toEqual([]);
      expect(read([2, 1, 2], [6, 100, 3], 1)).toEqual([1, 4, 7, 10]);
    } finally {
      b.free(id);
    }
  });

  // One test per dtype, so a backend without one of them skips only its test.
  const fillIota: readonly (readonly [DType, (b: Backend) => DataId, readonly number[]])[] = [
    ["float32", (b) => b.fill(4, 2.5, "float32"), [2.5, 2.5, 2.5, 2.5]],
    ["int32", (b) => b.fill(2, -7, "int32"), [-7, -7]],
    ["bool", (b) => b.fill(3, 1, "bool"), [1, 1, 1]],
    ["float64", (b) => b.fill(0, 1, "float64"), []],
    ["float32", (b) => b.iota(5, 0.5, 0.25, "float32"), [0.5, 0.75, 1, 1.25, 1.5]],
    ["int32", (b) => b.iota(4, 10, -3, "int32"), [10, 7, 4, 1]],
    ["uint8", (b) => b.iota(3, 254, 1, "uint8"), [254, 255, 0]],
    ["float64", (b) => b.iota(3, 0.1, 0.1, "float64"), [0.1, 0.2, 0.1 + 2 * 0.1]],
  ];
  for (const dtype of new Set(fillIota.map(([d]) => d))) {
    ctx.test(
      `backend.fill-iota.${dtype}`,
      () => {
        const b = ctx.backend();
        for (const [d, make, values] of fillIota) {
          if (d !== dtype) continue;
          const id = make(b);
          try {
            const got = b.read(contiguousView(id, dtype, [values.length]));
            const m = compareHost(dtype, [values.length], got, { dtype, shape: [values.length], data: [...values] }, { atol: 0, rtol: 1e-15 });
            expect(m).toBeUndefined();
          } finally {
            b.free(id);
          }
        }
      },
      { dtypes: [dtype] },
    );
  }
}

/** `registerMemoryTests(ctx)`: views share storage; results are fresh buffers; dispose and tidy release them. */
export function registerMemoryTests(ctx: SuiteContext): void {
  ctx.test("memory.views-do-not-allocate", () => {
    const b = ctx.backend();
    const x = nx.tensor([[1, 2, 3], [4, 5, 6]]);
    const before = b.memory();
    const views = [
      nx.transpose(x),
      nx.slice(x, [null, { step: -2 }]),
      nx.broadcastTo(x, [4, 2, 3]),
      nx.expandDims(x, 0),
      nx.reshape(x, [3, 2]),
      nx.squeeze(nx.expandDims(x, 1)),
      nx.flip(x, 0),
      nx.cast(x, "float32"),
      nx.contiguous(x),
      ...nx.split(x, 3, { axis: 1 }),
    ];
    expect(b.memory()).toEqual(before);
    expect(views[0]?.arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  ctx.test("memory.results-are-fresh-buffers", () => {
    const b = ctx.backend();
    const x = nx.tensor([1, 2, 3]);
    const before = b.memory().buffers;
    const y = nx.add(x, x);
    expect(b.memory().buffers).toBe(before + 1);
    y.dispose();
    expect(b.memory().buffers).toBe(before);
    expect(x.dataSync()).toEqual(Float32Array.from([1, 2, 3]));
  });

  ctx.test("memory.view-keeps-storage", () => {
    const b = ctx.backend();
    const before = b.memory().buffers;
    const x = nx.tensor([[1, 2], [3, 4]]);
    const t = nx.transpose(x);
    x.dispose();
    expect(b.memory().buffers).toBe(before + 1);
    expect(t.arraySync()).toEqual([[1, 3], [2, 4]]);
    t.dispose();
    expect(b.memory().buffers).toBe(before);
  });

  ctx.test("memory.tidy-releases-intermediates", () => {
    const b = ctx.backend();
    const before = b.memory();
    const tensorsBefore = nx.memory().numTensors;
    const kept = nx.tidy(() => {
      const x = nx.arange(12);
      const y = nx.reshape(nx.mul(nx.cast(x, "float32"), 0.5), [3, 4]);
      const z = nx.softmax(nx.matmul(y, nx.transpose(y)));
      nx.sum(nx.where(nx.greater(z, 0.5), z, -1));
      return { z, parts: [nx.max(z, { axes: 1 })] };
    });
    expect(nx.memory().numTensors).toBe(tensorsBefore + 2);
    expect(b.memory().buffers).toBe(before.buffers + 2);
    nx.dispose(kept);
    expect(nx.memory().numTensors).toBe(tensorsBefore);
    expect(b.memory()).toEqual(before);
  });

  ctx.test("memory.reshape-of-transposed-copies", () => {
    const b = ctx.backend();
    const x = nx.tensor([[1, 2, 3], [4, 5, 6]]);
    const t = nx.transpose(x);
    const before = b.memory().buffers;
    const r = nx.reshape(t, [6]);
    expect(b.memory().buffers).toBe(before + 1);
    expect([...r.dataSync()]).toEqual([1, 4, 2, 5, 3, 6]);
  });

  ctx.test("memory.disposed-tensor-throws", () => {
    const x = nx.tensor([1, 2]);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(() => x.dataSync()).toThrow(/disposed/);
    expect(() => nx.add(x, 1)).toThrow(/^nx\.add: .*disposed/);
    x.dispose(); // idempotent
  });

  ctx.testAsync("memory.async-reads", async () => {
    const x = nx.tensor([[1, 2], [3, 4]], { dtype: "int32" });
    const t = nx.transpose(x);
    try {
      expect([...(await t.data())]).toEqual([1, 3, 2, 4]);
      expect(await t.array()).toEqual([[1, 3], [2, 4]]);
    } finally {
      nx.dispose([x, t]);
    }
  });
}

/** `registerRandomTests(ctx)`: `nx.random` draws equal the independently computed threefry2x32 streams and the samplers built on them. */
export function registerRandomTests(ctx: SuiteContext): void {
  for (const c of RANDOM_VECTORS) {
    ctx.test(c.id, () => {
      // The raw stream and every discrete draw must be bit-identical on every backend; transformed floats within tolerance.
      const exact = c.kind === "uniform" && c.minval === undefined;
      runRandomCase(c, exact ? { atol: 0, rtol: 0 } : c.dtype === "float64" ? ctx.tolerances.float64 : ctx.tolerances.float32);
      // Same key, same values.
      const a = drawRandomCase(c);
      const b = drawRandomCase(c);
      expect([...b.dataSync()]).toEqual([...a.dataSync()]);
    }, randomCaseNeeds(c));
  }
}

/**
 * Calls whose result has `limit + 1` or more elements, made from small
 * inputs or broadcast views (nothing large is allocated to set them up).
 */
const OVERSIZED: readonly (readonly [string, (limit: number) => () => unknown])[] = [
  ["nx.zeros", (n) => () => nx.zeros([n + 1])],
  ["nx.full", (n) => () => nx.full([n + 1, 1], 2)],
  ["nx.arange", (n) => () => nx.arange(n + 1)],
  ["nx.linspace", (n) => () => nx.linspace(0, 1, n + 1)],
  ["nx.eye", (n) => () => nx.eye(1, n + 1)],
  ["nx.random.uniform", (n) => () => nx.random.uniform(nx.random.key(0), [n + 1])],
  ["nx.random.normal", (n) => () => nx.random.normal(nx.random.key(0), [n + 1])],
  ["nx.random.randint", (n) => () => nx.random.randint(nx.random.key(0), [n + 1], 0, 10)],
  ["nx.random.bernoulli", (n) => () => nx.random.bernoulli(nx.random.key(0), 0.5, [n + 1])],
  ["nx.oneHot", (n) => { const i = nx.zeros([1], "int32"); return () => nx.oneHot(i, n + 1); }],
  ["nx.tile", (n) => { const x = nx.ones([1]); return () => nx.tile(x, n + 1); }],
  ["nx.repeat", (n) => { const x = nx.ones([1]); return () => nx.repeat(x, n + 1); }],
  ["nx.pad", (n) => { const x = nx.ones([1]); return () => nx.pad(x, [0, n]); }],
  ["nx.add", (n) => { const a = nx.broadcastTo(nx.ones([1, 1]), [n, 1]); const b = nx.ones([1, 2]); return () => nx.add(a, b); }],
  ["nx.matmul", (n) => { const a = nx.broadcastTo(nx.ones([1, 1]), [n, 1]); const b = nx.ones([1, 2]); return () => nx.matmul(a, b); }],
  ["nx.stack", (n) => { const a = nx.broadcastTo(nx.ones([1]), [n]); return () => nx.stack([a, a]); }],
  ["nx.concatenate", (n) => { const a = nx.broadcastTo(nx.ones([1]), [n]); return () => nx.concatenate([a, a]); }],
  ["nx.contiguous", (n) => { const a = nx.broadcastTo(nx.ones([1]), [n + 1]); return () => nx.contiguous(a); }],
  ["nx.softmax", (n) => { const a = nx.broadcastTo(nx.ones([1]), [n + 1]); return () => nx.softmax(a); }],
  ["nx.einsum", (n) => { const a = nx.broadcastTo(nx.ones([1]), [n]); const b = nx.ones([2]); return () => nx.einsum("i,j->ij", a, b); }],
  ["nx.random.categorical", (n) => { const l = nx.ones([1, 2]); return () => nx.random.categorical(nx.random.key(0), l, { shape: [n] }); }],
];

/** `registerCapabilityTests(ctx)`: the frontend refuses, before any backend call, what the backend's capabilities exclude. */
export function registerCapabilityTests(ctx: SuiteContext): void {
  for (const [fn, make] of OVERSIZED) {
    ctx.test(`capabilities.max-elements.${fn.slice(3)}`, () => {
      const b = ctx.backend();
      const limit = b.capabilities.maxElements;
      const call = make(limit);
      const before = b.memory();
      const err = expectInvalidArgument(call, fn, "elements", String(limit));
      expect(err.message).toContain(`backend ${JSON.stringify(b.name)}`);
      expect(b.memory()).toEqual(before);
    });
  }
  ctx.test("capabilities.dtypes-not-stored", () => {
    const b = ctx.backend();
    const missing = nx.DTYPES.filter((d) => !b.capabilities.dtypes.includes(d));
    const x = nx.ones([2]);
    const before = b.memory();
    for (const d of missing) {
      expectInvalidArgument(() => nx.zeros([2], d), "nx.zeros", `does not store ${d}`);
      expectInvalidArgument(() => nx.tensor([1, 2], { dtype: d }), "nx.tensor", `does not store ${d}`);
      expectInvalidArgument(() => nx.cast(x, d), "nx.cast", `does not store ${d}`);
      expectInvalidArgument(() => nx.arange(0, 3, 1, { dtype: d }), "nx.arange", `does not store ${d}`);
      if (nx.isFloat(d)) expectInvalidArgument(() => nx.random.normal(nx.random.key(0), [2], d), "nx.random.normal", `does not store ${d}`);
    }
    expect(b.memory()).toEqual(before);
    // Every sampler works with a dtype the backend stores (randint needs no float64 on the backend).
    const r = nx.random.randint(nx.random.key(3), [4], 0, 100);
    expect(r.dtype).toBe("int32");
    expect([...r.dataSync()].every((v) => v >= 0 && v < 100)).toBe(true);
  });
}
