// sort, argsort and topk beyond the conformance vectors: stability on long
// lanes full of ties against an independent reference (JavaScript's stable
// Array.prototype.sort with an explicit comparator), every dtype, NaN
// placement in both directions, and memory: results only, compact topk.
import { beforeAll, describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import { seededUniform } from "../src/testing/index.js";
import { referenceOrder } from "./support/sort-reference.js";

beforeAll(() => {
  nx.setBackend(nx.cpuBackend());
});

describe("sort and argsort", () => {
  it("are stable on long lanes full of ties, in both directions, for every dtype", () => {
    const rand = seededUniform(11);
    for (const dtype of nx.DTYPES) {
      for (const n of [1, 2, 15, 16, 17, 100, 1000, 4099]) {
        const values = Array.from({ length: 2 * n }, () => {
          const r = rand();
          if (dtype === "bool") return r < 0.5 ? 0 : 1;
          if (dtype === "uint8") return Math.floor(r * 7);
          if (dtype === "int32") return Math.floor(r * 9) - 4;
          return r < 0.05 ? Number.NaN : r < 0.1 ? -0 : Math.round(r * 10) / 2;
        });
        const x = nx.tensor(values, { dtype, shape: [2, n] });
        for (const descending of [false, true]) {
          const got = [...nx.argsort(x, { descending }).dataSync()];
          const sorted = [...nx.sort(x, { descending }).dataSync()];
          for (let row = 0; row < 2; row++) {
            const lane = values.slice(row * n, (row + 1) * n).map((v) => (dtype === "float32" ? Math.fround(v) : v));
            const want = referenceOrder(lane, descending);
            expect(got.slice(row * n, (row + 1) * n)).toEqual(want);
            expect(sorted.slice(row * n, (row + 1) * n).map((v) => (Object.is(v, -0) ? 0 : v))).toEqual(want.map((i) => (Object.is(lane[i], -0) ? 0 : lane[i])));
          }
        }
      }
    }
  });

  it("sorts long lanes read through strides (transposed and flipped views)", () => {
    const rand = seededUniform(12);
    const n = 700;
    const values = Array.from({ length: 3 * n }, () => Math.round(rand() * 40) / 4);
    const base = nx.tensor(values, { shape: [n, 3] });
    for (const dtype of ["float32", "int32", "float64"] as const) {
      const x = nx.flip(nx.cast(base, dtype), 0); // lanes along axis 0, stride -3
      const got = nx.argsort(x, { axis: 0, descending: dtype === "int32" }).arraySync() as number[][];
      for (let col = 0; col < 3; col++) {
        const lane = Array.from({ length: n }, (_, i) => (dtype === "int32" ? Math.trunc(values[(n - 1 - i) * 3 + col] as number) : (values[(n - 1 - i) * 3 + col] as number)));
        expect(got.map((row) => row[col])).toEqual(referenceOrder(lane, dtype === "int32"));
      }
    }
  });

  it("sort keeps -0 where it was (values, not keys, are written)", () => {
    const s = [...nx.sort(nx.tensor([0, -0, -1, 0, -0])).dataSync()];
    expect(s.map((v) => Object.is(v, -0))).toEqual([false, false, true, false, true]);
  });

  it("puts NaN last ascending and first descending, keeping NaNs in order", () => {
    const x = nx.tensor([Number.NaN, Infinity, 1, Number.NaN, -Infinity]);
    expect([...nx.argsort(x).dataSync()]).toEqual([4, 2, 1, 0, 3]);
    expect([...nx.argsort(x, { descending: true }).dataSync()]).toEqual([0, 3, 1, 2, 4]);
  });

  it("sorts along any axis of a strided view", () => {
    const x = nx.transpose(nx.tensor([[3, 1, 2], [0, 5, 4]]));
    expect(nx.sort(x, { axis: 0 }).arraySync()).toEqual([[1, 0], [2, 4], [3, 5]]);
    expect(nx.argsort(x, { axis: 1, descending: true }).arraySync()).toEqual([[0, 1], [1, 0], [1, 0]]);
  });
});

describe("topk", () => {
  it("is the k largest with their indices, lower index first among ties", () => {
    const [v, i] = nx.topk(nx.tensor([[1, 5, 5, 2, 5], [0, -1, 7, 7, 3]]), 3);
    expect(v.arraySync()).toEqual([[5, 5, 5], [7, 7, 3]]);
    expect(i.arraySync()).toEqual([[1, 2, 4], [2, 3, 4]]);
    expect(i.dtype).toBe("int32");
  });

  it("equals the first k of the stable descending order for every k, dtype and input order", () => {
    const rand = seededUniform(13);
    const n = 2000;
    const inputs: Record<string, number[]> = {
      ties: Array.from({ length: n }, () => (rand() < 0.02 ? Number.NaN : Math.floor(rand() * 30))),
      ascending: Array.from({ length: n }, (_, i) => Math.floor(i / 3)),
      descending: Array.from({ length: n }, (_, i) => Math.floor((n - i) / 3)),
    };
    for (const dtype of ["float32", "int32", "uint8", "float64"] as const) {
      for (const [name, raw] of Object.entries(inputs)) {
        const values = raw.map((v) => (dtype === "float32" || dtype === "float64" ? v : Number.isNaN(v) ? 0 : dtype === "uint8" ? v % 256 : v));
        const x = nx.tensor(values, { dtype });
        const want = referenceOrder(values.map((v) => (dtype === "float32" ? Math.fround(v) : v)), true);
        for (const k of [1, 7, 64, 128, 129, 250, 251, n]) {
          const [v, i] = nx.topk(x, k);
          expect([...i.dataSync()], `${dtype} ${name} k=${k}`).toEqual(want.slice(0, k));
          expect([...v.dataSync()]).toEqual(want.slice(0, k).map((j) => (dtype === "float32" ? Math.fround(values[j] as number) : values[j])));
          nx.dispose([v, i]);
        }
      }
    }
  });

  it("counts NaN as the largest value (as PyTorch)", () => {
    const [v, i] = nx.topk(nx.tensor([1, Number.NaN, 3]), 2);
    expect([...v.dataSync()]).toEqual([Number.NaN, 3]);
    expect([...i.dataSync()]).toEqual([1, 2]);
  });

  it("leaves exactly its two results alive, each compact (not a view of the whole sorted lanes)", () => {
    const x = nx.reshape(nx.arange(4000, undefined, 1, { dtype: "float32" }), [4, 1000]);
    const before = nx.memory();
    const [v, i] = nx.topk(x, 5);
    const after = nx.memory();
    expect(after.numTensors - before.numTensors).toBe(2);
    // Two buffers of 4 × 5 elements (float32 and int32), not of 4 × 1000.
    expect(after.numBytes - before.numBytes).toBe(2 * 4 * 5 * 4);
    expect(v.arraySync()).toEqual([0, 1, 2, 3].map((r) => [999, 998, 997, 996, 995].map((c) => r * 1000 + c)));
    nx.dispose([v, i]);
    expect(nx.memory().numTensors).toBe(before.numTensors);
  });

  it("with k = 0 gives empty results, and with k = n the whole descending sort", () => {
    const x = nx.tensor([[2, 1, 3]]);
    const [v0, i0] = nx.topk(x, 0);
    expect(v0.shape).toEqual([1, 0]);
    expect(i0.shape).toEqual([1, 0]);
    const [v3, i3] = nx.topk(x, 3);
    expect(v3.arraySync()).toEqual([[3, 2, 1]]);
    expect(i3.arraySync()).toEqual([[2, 0, 1]]);
  });
});
