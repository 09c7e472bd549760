import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";

// A stack of matrices times one matrix is computed as one product with the batch folded into rows.
describe("matmul of a batch of matrices by one matrix", () => {
  it("matches per-batch products, for transposed (non-contiguous) left operands too", () => {
    const a = nx.transpose(nx.reshape(nx.arange(24, undefined, undefined, { dtype: "float32" }), [2, 4, 3]), [0, 2, 1]); // [2,3,4], strided
    const w = nx.reshape(nx.arange(8, undefined, undefined, { dtype: "float32" }), [4, 2]);
    const out = nx.matmul(a, w).arraySync() as number[][][];
    const av = a.arraySync() as number[][][];
    const wv = w.arraySync() as number[][];
    for (let b = 0; b < 2; b++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 2; j++) {
          let s = 0;
          for (let k = 0; k < 4; k++) s += (av[b]![i]![k] as number) * (wv[k]![j] as number);
          expect(out[b]![i]![j]).toBe(s);
        }
  });
  it("handles k = 0 and an empty batch", () => {
    expect(nx.matmul(nx.ones([2, 3, 0]), nx.ones([0, 4])).arraySync()).toEqual(Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => [0, 0, 0, 0])));
    expect(nx.matmul(nx.ones([0, 3, 2]), nx.ones([2, 4])).shape).toEqual([0, 3, 4]);
  });
});
