import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";

// Large freed buffers are recycled by the CPU backend; kernels that accumulate into their output must get them zeroed.
describe("cpu buffer recycling", () => {
  it("a recycled output buffer starts from zeros (matmul and scatter accumulate into it)", () => {
    const n = 256; // 256 KiB float32 outputs: above the pooling threshold
    const a = nx.ones([n, n]);
    for (let round = 0; round < 3; round++) {
      const junk = nx.full([n, n], 7); // freed below, so its buffer is pooled
      junk.dispose();
      const y = nx.matmul(a, a);
      const values = y.dataSync();
      expect(values.every((v) => v === n)).toBe(true);
      y.dispose();
    }
    const idx = nx.zeros([4], "int32");
    for (let round = 0; round < 2; round++) {
      nx.full([1, 4 * 16384], 3).dispose();
      const sums = nx.sum(nx.oneHot(idx, 4 * 16384), { axes: 0 });
      expect(sums.shape).toEqual([65536]);
      const host = sums.dataSync();
      expect(host[0]).toBe(4);
      expect(host.slice(1).every((v) => v === 0)).toBe(true);
    }
  });
  it("memory() does not count pooled buffers as live", () => {
    const before = nx.memory().backends.cpu?.buffers ?? 0;
    nx.zeros([512, 512]).dispose();
    expect(nx.memory().backends.cpu?.buffers ?? 0).toBe(before);
  });
});
