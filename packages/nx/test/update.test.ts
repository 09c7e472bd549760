// dynamicUpdateSlice's ownership rules on both CPU paths: a donated tensor is
// consumed and, when nothing else views its buffer, the result takes the
// buffer over (no new buffer, no copy); otherwise the op is purely
// functional. Values are checked against hand-written expectations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import { addTracer } from "../src/primitives.js";

const buffers = (): number => nx.memory().backends.cpu?.buffers ?? 0;

for (const [name, make] of [
  ["typescript", () => nx.cpuBackend({ simd: false })],
  ["wasm simd", () => nx.cpuBackend({ threads: 1 })],
] as const) {
  describe(`dynamicUpdateSlice on cpu (${name})`, () => {
    let previous: nx.Backend;
    beforeAll(() => {
      previous = nx.getBackend();
      nx.setBackend(make());
    });
    afterAll(() => {
      nx.setBackend(previous);
    });

    it("without donate leaves x as it was", () => {
      const x = nx.tensor([[1, 2, 3], [4, 5, 6]]);
      const y = nx.dynamicUpdateSlice(x, nx.tensor([[9, 8]]), [1, 1]);
      expect(y.arraySync()).toEqual([[1, 2, 3], [4, 9, 8]]);
      expect(x.isDisposed).toBe(false);
      expect(x.arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
      nx.dispose([x, y]);
    });

    it("a donated whole tensor gives its buffer to the result: no new buffer", () => {
      const x = nx.zeros([2, 3, 4]);
      const u = nx.ones([2, 1, 4]);
      const tensorsBefore = nx.memory().numTensors;
      const buffersBefore = buffers();
      const y = nx.dynamicUpdateSlice(x, u, [0, 2, 0], { donate: true });
      expect(x.isDisposed).toBe(true);
      expect(buffers()).toBe(buffersBefore);
      expect(nx.memory().numTensors).toBe(tensorsBefore);
      expect(nx.sum(y, { axes: [0, 2] }).arraySync()).toEqual([0, 0, 8]);
      nx.dispose([y, u]);
    });

    it("a donated view, or a tensor another view shares, is copied (the other view keeps its values) and still consumed", () => {
      const base = nx.reshape(nx.arange(6, undefined, 1, { dtype: "float32" }), [2, 3]);
      const t = nx.transpose(base);
      const y = nx.dynamicUpdateSlice(t, nx.tensor([[-1, -2]]), [2, 0], { donate: true });
      expect(t.isDisposed).toBe(true);
      expect(y.arraySync()).toEqual([[0, 3], [1, 4], [-1, -2]]);
      const shared = nx.reshape(base, [6]);
      const z = nx.dynamicUpdateSlice(base, nx.tensor([[7]]), [0, 0], { donate: true });
      expect(base.isDisposed).toBe(true);
      expect(z.arraySync()).toEqual([[7, 1, 2], [3, 4, 5]]);
      expect(shared.arraySync()).toEqual([0, 1, 2, 3, 4, 5]);
      nx.dispose([y, z, shared]);
    });

    it("a rejected donating call leaves x live and unchanged", () => {
      const x = nx.zeros([2, 2]);
      const before = nx.memory().numTensors;
      expect(() => nx.dynamicUpdateSlice(x, nx.zeros([3, 1]), [0, 0], { donate: true })).toThrow("nx.dynamicUpdateSlice: update [3,1] must have x's rank and fit in x [2,2]");
      expect(nx.memory().numTensors).toBe(before + 1); // the update made in the call
      expect(x.isDisposed).toBe(false);
      expect(x.arraySync()).toEqual([[0, 0], [0, 0]]);
      x.dispose();
    });

    it("while a tracer holds x, x is neither reused nor disposed", () => {
      const x = nx.zeros([3]);
      const stop = addTracer({ record: () => undefined, holds: (t) => t === x });
      try {
        const y = nx.dynamicUpdateSlice(x, nx.ones([1]), [1], { donate: true });
        expect(x.isDisposed).toBe(false);
        expect(x.arraySync()).toEqual([0, 0, 0]);
        expect(y.arraySync()).toEqual([0, 1, 0]);
        y.dispose();
      } finally {
        stop();
      }
      x.dispose();
    });

    it("a cache updated 1,000 times by donation holds one buffer and constant memory", () => {
      let cache = nx.zeros([2, 4, 1000, 8]);
      const step = nx.ones([2, 4, 1, 8]);
      const tensors = nx.memory().numTensors;
      const bufs = buffers();
      const bytes = nx.memory().numBytes;
      for (let i = 0; i < 1000; i++) cache = nx.dynamicUpdateSlice(cache, step, [0, 0, i, 0], { donate: true });
      expect([nx.memory().numTensors, buffers(), nx.memory().numBytes]).toEqual([tensors, bufs, bytes]);
      expect(nx.sum(cache).item()).toBe(2 * 4 * 1000 * 8);
      nx.dispose([cache, step]);
    });
  });
}
