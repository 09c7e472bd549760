// Frontend behaviour that does not depend on the backend: the Tensor API,
// printing, views sharing storage, memory accounting (tidy/keep/dispose),
// dtype promotion, backend selection and mixing backends.
import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import type { DType } from "../src/index.js";
import { CpuBackend } from "../src/index.js";
import { expectInvalid } from "../src/testing/index.js";

const live = (): number => nx.memory().numTensors;
const cpuBytes = (): number => nx.memory().backends.cpu?.bytes ?? 0;
const cpuBuffers = (): number => nx.memory().backends.cpu?.buffers ?? 0;

describe("Tensor API", () => {
  it("reports shape, dtype, size and ndim", () => {
    const x = nx.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.shape).toEqual([2, 3]);
    expect(Object.isFrozen(x.shape)).toBe(true);
    expect(x.dtype).toBe("float32");
    expect(x.size).toBe(6);
    expect(x.ndim).toBe(2);
    const s = nx.scalar(7, "int32");
    expect([s.shape, s.size, s.ndim, s.dtype]).toEqual([[], 1, 0, "int32"]);
    const e = nx.zeros([3, 0, 2], "uint8");
    expect([e.size, e.ndim]).toEqual([0, 3]);
  });

  it("infers dtype and shape in nx.tensor", () => {
    expect(nx.tensor([true, false]).dtype).toBe("bool");
    expect(nx.tensor([1, true]).dtype).toBe("float32");
    expect(nx.tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(nx.tensor(new Uint8Array([1, 2])).dtype).toBe("uint8");
    expect(nx.tensor(new Float64Array([1, 2])).dtype).toBe("float64");
    expect(nx.tensor([]).shape).toEqual([0]);
    expect(nx.tensor([[], []]).shape).toEqual([2, 0]);
    expect(nx.tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).arraySync()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(nx.tensor(new Float32Array([1.5, -2.5]), { dtype: "int32" }).arraySync()).toEqual([1, -2]);
    expect(nx.tensor([300, -1, 2.9], { dtype: "uint8" }).arraySync()).toEqual([44, 255, 2]);
    expect(nx.tensor(5).shape).toEqual([]);
  });

  it("copies the caller's data", () => {
    const host = new Float32Array([1, 2, 3]);
    const x = nx.tensor(host);
    host[0] = 99;
    expect([...x.dataSync()]).toEqual([1, 2, 3]);
    const out = x.dataSync();
    out[1] = 42;
    expect([...x.dataSync()]).toEqual([1, 2, 3]);
  });

  it("reads back as typed arrays, nested arrays and items, synchronously and not", async () => {
    const x = nx.transpose(nx.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" }));
    const data = x.dataSync();
    expect(data).toBeInstanceOf(Int32Array);
    expect([...data]).toEqual([1, 4, 2, 5, 3, 6]);
    expect(x.arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect([...(await x.data())]).toEqual([1, 4, 2, 5, 3, 6]);
    expect(await x.array()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(nx.tensor([[true], [false]]).arraySync()).toEqual([[true], [false]]);
    expect(nx.tensor([true]).dataSync()).toBeInstanceOf(Uint8Array);
    expect(nx.zeros([2], "float64").dataSync()).toBeInstanceOf(Float64Array);
    expect(nx.scalar(2.5).arraySync()).toBe(2.5);
    expect(nx.zeros([0, 2]).arraySync()).toEqual([]);
    expect(nx.zeros([2, 0]).arraySync()).toEqual([[], []]);
  });

  it("item() returns the only element and rejects other sizes", () => {
    expect(nx.scalar(3.5).item()).toBe(3.5);
    expect(nx.tensor([[7]], { dtype: "int32" }).item()).toBe(7);
    expect(nx.scalar(true).item()).toBe(true);
    expect(nx.tensor([0], { dtype: "bool" }).item()).toBe(false);
    const pair = nx.tensor([1, 2]);
    const empty = nx.zeros([0]);
    expectInvalid("Tensor.item", () => pair.item());
    expectInvalid("Tensor.item", () => empty.item());
  });

  it("throws a clear error when a disposed tensor is used", async () => {
    const x = nx.tensor([1, 2]);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expectInvalid("Tensor.dataSync", () => x.dataSync());
    expect(() => x.arraySync()).toThrow(/disposed/);
    const one = nx.scalar(1);
    one.dispose();
    expect(() => one.item()).toThrow(/disposed/);
    expectInvalid("nx.add", () => nx.add(x, 1));
    expectInvalid("nx.reshape", () => nx.reshape(x, [1, 2]));
    expectInvalid("nx.transpose", () => nx.transpose(x));
    expectInvalid("nx.sum", () => nx.sum(x));
    expect(() => x.data()).toThrow(/^Tensor\.data: .*disposed/);
    expect(() => x.dataSync()).toThrow(/tensor \[2\] float32 \(id \d+\) was disposed and can no longer be used/);
    expect(x.toString()).toBe("Tensor(disposed, shape=[2], dtype=float32)");
    x.dispose(); // idempotent
  });

  it("isTensor recognizes tensors only", () => {
    expect(nx.isTensor(nx.scalar(1))).toBe(true);
    expect(nx.isTensor(1)).toBe(false);
    expect(nx.isTensor({ shape: [], dtype: "float32" })).toBe(false);
  });
});

describe("toString", () => {
  it("prints like numpy, with the shape and dtype", () => {
    expect(nx.tensor([[1, 2], [3, 4]], { dtype: "int32" }).toString()).toBe("[[1, 2],\n [3, 4]]\nTensor(shape=[2,2], dtype=int32)");
    expect(nx.tensor([1.5, -2, 0.25]).toString()).toBe("[ 1.5,  -2., 0.25]\nTensor(shape=[3], dtype=float32)");
    expect(nx.scalar(3).toString()).toBe("3.\nTensor(shape=[], dtype=float32)");
    expect(nx.zeros([2, 0]).toString()).toBe("[[],\n []]\nTensor(shape=[2,0], dtype=float32)");
    expect(nx.zeros([2, 2, 2], "int32").toString()).toBe("[[[0, 0],\n  [0, 0]],\n\n [[0, 0],\n  [0, 0]]]\nTensor(shape=[2,2,2], dtype=int32)");
    expect(nx.tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]).toString()).toBe("[ nan,  inf, -inf]\nTensor(shape=[3], dtype=float32)");
    expect(nx.tensor([true, false]).toString().toLowerCase()).toBe("[ true, false]\ntensor(shape=[2], dtype=bool)");
    expect(nx.transpose(nx.tensor([[1, 2], [3, 4]], { dtype: "int32" })).toString()).toBe("[[1, 3],\n [2, 4]]\nTensor(shape=[2,2], dtype=int32)");
  });

  it("elides the middle of each axis beyond 1000 elements", () => {
    expect(nx.arange(2000).toString()).toBe("[   0,    1,    2, ..., 1997, 1998, 1999]\nTensor(shape=[2000], dtype=int32)");
    const m = nx.reshape(nx.arange(2500), [50, 50]).toString();
    expect(m.split("\n")).toEqual([
      "[[   0,    1,    2, ...,   47,   48,   49],",
      " [  50,   51,   52, ...,   97,   98,   99],",
      " [ 100,  101,  102, ...,  147,  148,  149],",
      " ...,",
      " [2350, 2351, 2352, ..., 2397, 2398, 2399],",
      " [2400, 2401, 2402, ..., 2447, 2448, 2449],",
      " [2450, 2451, 2452, ..., 2497, 2498, 2499]]",
      "Tensor(shape=[50,50], dtype=int32)",
    ]);
    // At the threshold nothing is elided.
    const full = nx.arange(1000).toString();
    expect(full).not.toContain("...");
    expect(full).toContain(" 500,");
    // A huge tensor prints quickly and briefly.
    expect(nx.zeros([1000, 1000]).toString().length).toBeLessThan(400);
  });
});

describe("views share storage", () => {
  it("transpose, slice, broadcastTo, expandDims, squeeze, flip and contiguous reshape allocate nothing", () => {
    const x = nx.reshape(nx.arange(24, undefined, 1, { dtype: "float32" }), [2, 3, 4]);
    const bytes = cpuBytes();
    const buffers = cpuBuffers();
    const tensors = live();
    const views = [
      nx.transpose(x, [2, 0, 1]),
      nx.slice(x, [1, { step: -1 }, { start: 1, stop: 3 }]),
      nx.broadcastTo(nx.slice(x, [{ stop: 1 }]), [5, 3, 4]),
      nx.expandDims(x, [0, -1]),
      nx.squeeze(nx.expandDims(x, 1)),
      nx.flip(x),
      nx.reshape(x, [6, 4]),
      nx.reshape(nx.slice(x, [1]), [-1]),
      nx.contiguous(x),
      nx.cast(x, "float32"),
      nx.floor(nx.cast(x, "int32")),
    ];
    // Only the int32 cast allocated.
    expect(cpuBuffers()).toBe(buffers + 1);
    expect(cpuBytes()).toBe(bytes + 24 * 4);
    // Every view is a live tensor (intermediate views included).
    expect(live()).toBeGreaterThanOrEqual(tensors + views.length);
    expect(views[0]?.isContiguous).toBe(false);
    expect(views[6]?.isContiguous).toBe(true);
    expect(views[1]?.arraySync()).toEqual([[21, 22], [17, 18], [13, 14]]);
  });

  it("reshape of a transposed tensor copies", () => {
    const x = nx.tensor([[1, 2, 3], [4, 5, 6]]);
    const t = nx.transpose(x);
    const bytes = cpuBytes();
    const r = nx.reshape(t, [6]);
    expect(cpuBytes()).toBe(bytes + 6 * 4);
    expect(r.isContiguous).toBe(true);
    expect([...r.dataSync()]).toEqual([1, 4, 2, 5, 3, 6]);
    // ... while a reshape that strides allow does not.
    const bytes2 = cpuBytes();
    const s = nx.slice(x, [null, { start: 1 }]);
    expect(nx.reshape(s, [4]).arraySync()).toEqual([2, 3, 5, 6]);
    expect(cpuBytes()).toBe(bytes2 + 4 * 4);
    nx.reshape(nx.expandDims(t, 0), [3, 2]);
    nx.reshape(s, [2, 1, 2]);
    expect(cpuBytes()).toBe(bytes2 + 4 * 4);
  });

  it("a view outlives the tensor it was made from; storage goes with the last view", () => {
    const before = cpuBuffers();
    const x = nx.tensor([1, 2, 3, 4]);
    const v = nx.flip(x);
    x.dispose();
    expect(cpuBuffers()).toBe(before + 1);
    expect([...v.dataSync()]).toEqual([4, 3, 2, 1]);
    v.dispose();
    expect(cpuBuffers()).toBe(before);
  });
});

describe("memory: tidy, keep, dispose", () => {
  it("tidy disposes what fn created except its result, which moves to the enclosing scope", () => {
    const before = live();
    const outer = nx.tidy(() => {
      const a = nx.ones([4]);
      const inner = nx.tidy(() => {
        const b = nx.mul(a, 2);
        const c = nx.add(b, 1);
        return { c, pair: [nx.neg(c), 5] as const };
      });
      expect(inner.c.isDisposed).toBe(false);
      return inner.pair[0];
    });
    expect(live()).toBe(before + 1);
    expect([...outer.dataSync()]).toEqual([-3, -3, -3, -3]);
    outer.dispose();
    expect(live()).toBe(before);
  });

  it("tidy returns non-tensor results and disposes everything", () => {
    const before = live();
    const v = nx.tidy(() => nx.sum(nx.arange(5)).item());
    expect(v).toBe(10);
    expect(live()).toBe(before);
  });

  it("keep exempts a tensor from every enclosing tidy", () => {
    const before = live();
    let kept: nx.Tensor | undefined;
    nx.tidy(() => {
      nx.tidy(() => {
        kept = nx.keep(nx.ones([2]));
        nx.zeros([3]);
      });
    });
    expect(live()).toBe(before + 1);
    expect(kept?.isDisposed).toBe(false);
    kept?.dispose();
    expect(live()).toBe(before);
  });

  it("tidy leaves tensors created before it alone", () => {
    const x = nx.ones([2]);
    nx.tidy(() => nx.add(x, x));
    expect(x.isDisposed).toBe(false);
  });

  it("dispose takes any pytree and is idempotent", () => {
    const before = live();
    const tree = { a: nx.ones([1]), b: [nx.zeros([2]), { c: nx.scalar(1) }], d: null, e: 3 };
    expect(live()).toBe(before + 3);
    nx.dispose(tree);
    nx.dispose(tree);
    expect(live()).toBe(before);
    expect(tree.a.isDisposed).toBe(true);
  });

  it("memory() reports live tensors and bytes per backend", () => {
    const m0 = nx.memory();
    const x = nx.zeros([10], "float64");
    const m1 = nx.memory();
    expect(m1.numTensors).toBe(m0.numTensors + 1);
    expect(m1.numBytes).toBe(m0.numBytes + 80);
    expect(m1.backends.cpu?.tensorBytes).toBe((m0.backends.cpu?.tensorBytes ?? 0) + 80);
    const v = nx.transpose(nx.reshape(x, [2, 5]));
    const m2 = nx.memory();
    expect(m2.numBytes).toBe(m1.numBytes);
    expect(m2.numTensors).toBe(m1.numTensors + 2);
    nx.dispose([x, v]);
    const m3 = nx.memory();
    // The reshape view is still alive (not disposed), so the buffer is too.
    expect(m3.numBytes).toBe(m1.numBytes);
  });

  it("tidy rejects async functions", () => {
    expectInvalid("nx.tidy", () => nx.tidy(async () => 1));
  });
});

describe("dtype promotion", () => {
  const order: DType[] = ["bool", "uint8", "int32", "float32", "float64"];

  it("promoteTypes is the lattice bool < uint8 < int32 < float32 < float64", () => {
    const table: Record<DType, Record<DType, DType>> = {
      bool: { bool: "bool", uint8: "uint8", int32: "int32", float32: "float32", float64: "float64" },
      uint8: { bool: "uint8", uint8: "uint8", int32: "int32", float32: "float32", float64: "float64" },
      int32: { bool: "int32", uint8: "int32", int32: "int32", float32: "float32", float64: "float64" },
      float32: { bool: "float32", uint8: "float32", int32: "float32", float32: "float32", float64: "float64" },
      float64: { bool: "float64", uint8: "float64", int32: "float64", float32: "float64", float64: "float64" },
    };
    for (const a of order) for (const b of order) expect(nx.promoteTypes(a, b), `${a} + ${b}`).toBe(table[a][b]);
    expect(nx.DTYPES).toEqual(order);
  });

  it("elementwise ops compute in the promoted dtype (bool arithmetic as int32, div as float)", () => {
    for (const a of order) {
      for (const b of order) {
        const x = nx.ones([2], a);
        const y = nx.ones([2], b);
        const p = nx.promoteTypes(a, b);
        expect(nx.add(x, y).dtype, `add ${a} ${b}`).toBe(p === "bool" ? "int32" : p);
        expect(nx.maximum(x, y).dtype, `maximum ${a} ${b}`).toBe(p);
        expect(nx.div(x, y).dtype, `div ${a} ${b}`).toBe(p === "float64" ? "float64" : "float32");
        expect(nx.equal(x, y).dtype).toBe("bool");
        expect(nx.logicalAnd(x, y).dtype).toBe("bool");
        expect(nx.where(nx.ones([2], "bool"), x, y).dtype).toBe(p);
        expect(nx.concatenate([x, y]).dtype).toBe(p);
        expect(nx.matmul(x, y).dtype, `matmul ${a} ${b}`).toBe(p === "bool" || p === "uint8" ? "int32" : p);
      }
    }
  });

  it("JS numbers are weakly typed", () => {
    const cases: [DType, number | boolean, DType][] = [
      ["float32", 1e300, "float32"],
      ["float64", 0.5, "float64"],
      ["int32", 3, "int32"],
      ["int32", 2.5, "float32"],
      ["int32", Number.NaN, "float32"],
      ["int32", Number.POSITIVE_INFINITY, "float32"],
      ["int32", true, "int32"],
      ["uint8", 255, "uint8"],
      ["uint8", 256, "int32"],
      ["uint8", -1, "int32"],
      ["uint8", 0.5, "float32"],
      ["bool", 1, "int32"],
      ["bool", 1.5, "float32"],
    ];
    for (const [dtype, v, out] of cases) {
      expect(nx.maximum(nx.ones([1], dtype), v).dtype, `maximum(${dtype}, ${v})`).toBe(out);
      expect(nx.maximum(v, nx.ones([1], dtype)).dtype, `maximum(${v}, ${dtype})`).toBe(out);
    }
    expect(nx.maximum(nx.ones([1], "bool"), true).dtype).toBe("bool");
    expect(nx.add(nx.ones([1], "bool"), true).dtype).toBe("int32");
    expect(nx.add(2, 3).dtype).toBe("float32");
    expect(nx.add(true, false).dtype).toBe("int32");
    expect(nx.equal(nx.ones([1], "uint8"), 300).arraySync()).toEqual([false]);
    expect(nx.add(nx.tensor([250], { dtype: "uint8" }), 10).arraySync()).toEqual([4]);
    expect(nx.add(nx.tensor([250], { dtype: "uint8" }), 300).arraySync()).toEqual([550]);
  });

  it("unary ops, reductions and scans pick the documented dtypes", () => {
    const b = nx.ones([2, 2], "bool");
    const u = nx.ones([2, 2], "uint8");
    const i = nx.ones([2, 2], "int32");
    expect([nx.neg(b).dtype, nx.abs(b).dtype, nx.sign(u).dtype, nx.floor(i).dtype, nx.round(b).dtype]).toEqual(["int32", "int32", "uint8", "int32", "bool"]);
    expect([nx.sqrt(i).dtype, nx.exp(u).dtype, nx.sigmoid(b).dtype, nx.sqrt(nx.ones([1], "float64")).dtype]).toEqual(["float32", "float32", "float32", "float64"]);
    expect([nx.isNaN(i).dtype, nx.logicalNot(u).dtype, nx.isFinite(nx.ones([1])).dtype]).toEqual(["bool", "bool", "bool"]);
    expect([nx.sum(b).dtype, nx.sum(u).dtype, nx.prod(u).dtype, nx.max(u).dtype, nx.min(b).dtype]).toEqual(["int32", "int32", "int32", "uint8", "bool"]);
    expect([nx.mean(i).dtype, nx.var(u).dtype, nx.std(b).dtype, nx.logsumexp(i).dtype, nx.softmax(i).dtype]).toEqual(["float32", "float32", "float32", "float32", "float32"]);
    expect([nx.argmax(u).dtype, nx.argmin(nx.ones([2], "float64")).dtype]).toEqual(["int32", "int32"]);
    expect([nx.cumsum(b).dtype, nx.cumprod(u).dtype, nx.cumsum(nx.ones([1], "float64")).dtype]).toEqual(["int32", "int32", "float64"]);
    expect([nx.arange(3).dtype, nx.arange(0.5).dtype, nx.linspace(0, 1, 3).dtype, nx.eye(2).dtype, nx.full([1], true).dtype]).toEqual([
      "int32", "float32", "float32", "float32", "bool",
    ]);
    expect(nx.oneHot(nx.tensor([0], { dtype: "int32" }), 2).dtype).toBe("float32");
  });
});

describe("backends", () => {
  it("selects the CPU backend by default and lists registered backends", () => {
    expect(nx.getBackend().name).toBe("cpu");
    expect(nx.listBackends()).toContain("cpu");
    expect(nx.ones([1]).backend).toBe(nx.getBackend());
  });

  it("rejects unknown and empty backend names", () => {
    expectInvalid("nx.setBackend", () => nx.setBackend("no-such-backend"));
    expectInvalid("nx.registerBackend", () => nx.registerBackend("", () => new CpuBackend()));
  });

  it("selects a registered backend by name and an instance directly", () => {
    const previous = nx.getBackend();
    try {
      nx.registerBackend("cpu-alt", () => Object.assign(new CpuBackend(), { name: "cpu-alt" }) as CpuBackend);
      expect(nx.listBackends()).toContain("cpu-alt");
      const alt = nx.setBackend("cpu-alt");
      expect(alt.name).toBe("cpu-alt");
      expect(nx.getBackend()).toBe(alt);
      const x = nx.ones([3]);
      expect(x.backend).toBe(alt);
      expect(nx.memory().backends["cpu-alt"]?.tensors).toBe(1);
      x.dispose();
      expect(nx.setBackend("cpu-alt")).toBe(alt); // built once
    } finally {
      nx.setBackend(previous);
    }
    expect(nx.getBackend()).toBe(previous);
  });

  it("mixing tensors of two backends throws, and toBackend moves a tensor", () => {
    const other = new CpuBackend();
    const a = nx.tensor([[1, 2], [3, 4]]);
    const b = nx.toBackend(nx.tensor([[1, 0], [0, 1]]), other);
    expect(b.backend).toBe(other);
    expect(b.arraySync()).toEqual([[1, 0], [0, 1]]);
    expectInvalid("nx.add", () => nx.add(a, b));
    const cond = nx.ones([2, 2], "bool");
    const idx = nx.toBackend(nx.tensor([0], { dtype: "int32" }), other);
    const idx2 = nx.toBackend(nx.zeros([2, 1], "int32"), other);
    expectInvalid("nx.where", () => nx.where(cond, a, b));
    expectInvalid("nx.matmul", () => nx.matmul(a, b));
    expectInvalid("nx.concatenate", () => nx.concatenate([a, b]));
    expectInvalid("nx.stack", () => nx.stack([a, b]));
    expectInvalid("nx.take", () => nx.take(a, idx));
    expectInvalid("nx.takeAlongAxis", () => nx.takeAlongAxis(a, idx2, { axis: 1 }));
    expect(() => nx.add(a, b)).toThrow(/different backends/);
    // Ops on one backend stay there.
    expect(nx.add(b, b).backend).toBe(other);
    expect(nx.matmul(nx.toBackend(a, other), b).arraySync()).toEqual([[1, 2], [3, 4]]);
  });
});
