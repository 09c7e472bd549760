import * as nx from "@raven-ts/nx";
import { describe, expect, test } from "vitest";
import { Ptree } from "../src/index.js";
import { values } from "./helpers.js";

describe("Ptree", () => {
  const tree = {
    layers: [{ weight: nx.ones([2, 3]), bias: nx.zeros([3]) }, {}, { weight: nx.ones([3, 1], "float64") }],
    head: { ids: nx.tensor([1, 2, 3, 4], { dtype: "int32" }) },
  };

  test("countParameters sums the sizes of all leaves", () => {
    expect(Ptree.countParameters(tree)).toBe(6 + 3 + 3 + 4);
    expect(Ptree.countParameters({})).toBe(0);
    expect(Ptree.countParameters(nx.zeros([5, 5]))).toBe(25);
  });

  test("flattenWithPaths uses dotted paths in depth-first order", () => {
    expect(Ptree.flattenWithPaths(tree).map(([p, t]) => [p, t.shape])).toEqual([
      ["layers.0.weight", [2, 3]],
      ["layers.0.bias", [3]],
      ["layers.2.weight", [3, 1]],
      ["head.ids", [4]],
    ]);
    expect(Ptree.flattenWithPaths(nx.zeros([1]))[0]?.[0]).toBe("");
  });

  test("zerosLike keeps structure, shapes and dtypes", () => {
    const z = Ptree.zerosLike(tree);
    const pairs = Ptree.flattenWithPaths(z);
    expect(pairs.map(([p, t]) => [p, t.dtype, t.shape])).toEqual(Ptree.flattenWithPaths(tree).map(([p, t]) => [p, t.dtype, t.shape]));
    for (const [, t] of pairs) expect(values(t).every((v) => v === 0)).toBe(true);
    expect((z as { layers: unknown[] }).layers[1]).toEqual({});
  });

  test("non-tensor leaves are reported by path", () => {
    expect(() => Ptree.countParameters({ a: { b: 3 } } as unknown as Ptree)).toThrow('kaun.Ptree.countParameters: the leaf at "a.b" is 3, not a Tensor');
  });
});
