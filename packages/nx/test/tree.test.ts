import { describe, expect, it } from "vitest";
import type { Backend, DataId } from "../src/backend.js";
import { Storage } from "../src/engine.js";
import { Tensor } from "../src/tensor.js";
import type { Tree, TreeDef } from "../src/tree.js";
import { flatten, flattenWithPaths, leaves, map, map2, unflatten } from "../src/tree.js";
import { expectInvalidArgument } from "../src/testing/index.js";

// Tree utilities never touch tensor data, so a tensor over a stub backend is enough.
const stubBackend = { name: "tree-test-stub", free: () => undefined } as unknown as Backend;
let nextBuffer = 0;
function fakeTensor(): Tensor {
  return new Tensor(new Storage(stubBackend, { id: nextBuffer++ } as unknown as DataId, 0), "float32", [0], [1], 0);
}

describe("nx.tree on tensor trees", () => {
  const w0 = fakeTensor();
  const b0 = fakeTensor();
  const w1 = fakeTensor();
  const head = fakeTensor();
  const params: Tree = { layer: [{ w: w0, b: b0 }, { w: w1, b: null }], head: { w: head }, extra: undefined };

  it("leaves are depth first, arrays by index, objects in key order, empty subtrees skipped", () => {
    const ls = leaves(params);
    expect(ls).toHaveLength(4);
    expect(ls[0]).toBe(w0);
    expect(ls[1]).toBe(b0);
    expect(ls[2]).toBe(w1);
    expect(ls[3]).toBe(head);
  });

  it("tensors are leaves, never traversed", () => {
    const t = fakeTensor();
    expect(leaves(t)).toEqual([t]);
    expect(flattenWithPaths(t)).toEqual([["", t]]);
  });

  it("flattenWithPaths gives dotted paths", () => {
    const pairs = flattenWithPaths(params);
    expect(pairs.map(([p]) => p)).toEqual(["layer.0.w", "layer.0.b", "layer.1.w", "head.w"]);
    expect(pairs.map(([, t]) => t)).toEqual([w0, b0, w1, head]);
  });

  it("flatten / unflatten round-trips, keeping null and undefined in place", () => {
    const [ls, def] = flatten(params);
    expect(ls).toEqual([w0, b0, w1, head]);
    const back = unflatten(def, ls) as { layer: { w: Tensor; b: Tensor | null }[]; head: { w: Tensor }; extra?: undefined };
    expect(back).not.toBe(params);
    expect(back.layer[0]?.w).toBe(w0);
    expect(back.layer[1]?.b).toBeNull();
    expect(Object.keys(back)).toEqual(["layer", "head", "extra"]);
    expect("extra" in back && back.extra === undefined).toBe(true);
    expect(back.head.w).toBe(head);
  });

  it("map passes (leaf, path) and preserves structure", () => {
    const seen: string[] = [];
    const out = map((t: Tensor, path) => {
      seen.push(path);
      return t.id;
    }, params);
    expect(seen).toEqual(["layer.0.w", "layer.0.b", "layer.1.w", "head.w"]);
    expect(out).toEqual({ layer: [{ w: w0.id, b: b0.id }, { w: w1.id, b: null }], head: { w: head.id }, extra: undefined });
  });

  it("map2 pairs leaves at equal paths", () => {
    const other = map((t: Tensor) => t.id * 10, params);
    const out = map2((t: Tensor, n: number, path) => `${path}:${n / 10 === t.id}`, params, other);
    expect(flattenWithPaths(out).map(([, v]) => v)).toEqual(["layer.0.w:true", "layer.0.b:true", "layer.1.w:true", "head.w:true"]);
  });
});

describe("nx.tree structure rules", () => {
  it("any non-array, non-plain-object value is a leaf", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const p = new Point(1);
    const typed = new Float32Array(2);
    const fnLeaf = (): number => 1;
    const tree = { n: 1, s: "a", p, typed, f: fnLeaf, nested: [true, [2]], bare: Object.assign(Object.create(null) as object, { z: 3 }) };
    expect(flattenWithPaths(tree as Tree<unknown>)).toEqual([
      ["n", 1],
      ["s", "a"],
      ["p", p],
      ["typed", typed],
      ["f", fnLeaf],
      ["nested.0", true],
      ["nested.1.0", 2],
      ["bare.z", 3],
    ]);
  });

  it("a lone leaf, null and undefined at the root", () => {
    expect(leaves(5)).toEqual([5]);
    expect(leaves(null)).toEqual([]);
    expect(leaves(undefined)).toEqual([]);
    expect(map((x: number) => x + 1, 5)).toBe(6);
    expect(map((x: number) => x + 1, null)).toBeNull();
    const [ls, def] = flatten<number>(undefined);
    expect(ls).toEqual([]);
    expect(unflatten(def, [])).toBeUndefined();
  });

  it("empty containers have no leaves but survive a round trip", () => {
    const tree = { a: [], b: {}, c: [[], { d: [] }] };
    const [ls, def] = flatten(tree);
    expect(ls).toEqual([]);
    expect(unflatten(def, [])).toEqual(tree);
    expect(map((x: number) => x, tree)).toEqual(tree);
  });

  it("object keys follow Object.keys order (insertion order, integer-like keys first)", () => {
    const tree = { z: 1, a: 2, 10: 3, 2: 4 };
    expect(flattenWithPaths(tree).map(([p]) => p)).toEqual(["2", "10", "z", "a"]);
  });

  it("treedefs are plain data describing the structure", () => {
    const [, def] = flatten({ a: [1, null], b: 2 });
    const expected: TreeDef = {
      kind: "object",
      keys: ["a", "b"],
      children: [{ kind: "array", children: [{ kind: "leaf" }, { kind: "empty", value: null }] }, { kind: "leaf" }],
    };
    expect(def).toEqual(expected);
    expect(Object.isFrozen(def)).toBe(true);
  });

  it("unflatten validates the number of leaves", () => {
    const [, def] = flatten({ a: 1, b: [2, 3] });
    expect(unflatten(def, ["x", "y", "z"])).toEqual({ a: "x", b: ["y", "z"] });
    expectInvalidArgument(() => unflatten(def, [1, 2]), "nx.tree.unflatten", "treedef has 3 leaves but 2 were given");
    expectInvalidArgument(() => unflatten(def, [1, 2, 3, 4]), "nx.tree.unflatten", "3 leaves but 4");
    expectInvalidArgument(() => unflatten(def, "abc" as unknown as string[]), "nx.tree.unflatten", "leaves must be an array");
  });

  it("map does not mutate its input and builds new containers", () => {
    const tree = { a: [1, 2], b: { c: 3 } };
    const out = map((x: number) => x * 2, tree) as { a: number[]; b: { c: number } };
    expect(out).toEqual({ a: [2, 4], b: { c: 6 } });
    expect(tree).toEqual({ a: [1, 2], b: { c: 3 } });
    expect(out.a).not.toBe(tree.a);
  });

  it("map2 names the path where structures differ", () => {
    const f = (x: number, y: number): number => x + y;
    expectInvalidArgument(() => map2(f, { a: [1, 2] }, { a: [1] }), "nx.tree.map2", `at "a": a is an array of length 2, b is an array of length 1`);
    expectInvalidArgument(() => map2(f, { a: { b: [1, 2] } }, { a: { b: [1, { c: 2 }] } }), "nx.tree.map2", `at "a.b.1": a is a leaf, b is an object with keys ["c"]`);
    expectInvalidArgument(() => map2(f, { a: 1, b: 2 }, { a: 1, c: 2 }), "nx.tree.map2", `at the root: keys only in a: ["b"]; keys only in b: ["c"]`);
    expectInvalidArgument(() => map2(f, [1], 2), "nx.tree.map2", "at the root: a is an array of length 1, b is a leaf");
    expectInvalidArgument(() => map2(f, { a: null }, { a: 1 }), "nx.tree.map2", `at "a": a is null, b is a leaf`);
  });

  it("map2 accepts the same keys in another order and treats null and undefined alike", () => {
    expect(map2((x: number, y: number) => x - y, { a: 5, b: 7, c: null }, { b: 1, a: 2, c: undefined })).toEqual({ a: 3, b: 6, c: null });
  });

  it("cycles are rejected with the path where they close", () => {
    const cyclic: { a: unknown[] } = { a: [] };
    cyclic.a.push(cyclic);
    expectInvalidArgument(() => leaves(cyclic as unknown as Tree<number>), "nx.tree.leaves", `cycle at "a.0"`);
    expectInvalidArgument(() => map((x: number) => x, cyclic as unknown as Tree<number>), "nx.tree.map", `cycle at "a.0"`);
    expectInvalidArgument(() => flatten(cyclic as unknown as Tree<number>), "nx.tree.flatten", "cycle");
  });

  it("shared (non-cyclic) subtrees are visited once per occurrence", () => {
    const shared = [1, 2];
    expect(flattenWithPaths({ x: shared, y: shared })).toEqual([
      ["x.0", 1],
      ["x.1", 2],
      ["y.0", 1],
      ["y.1", 2],
    ]);
  });

  it("map and map2 reject a non-function", () => {
    expectInvalidArgument(() => map(42 as unknown as (x: number) => number, [1]), "nx.tree.map", "f must be a function");
    expectInvalidArgument(() => map2(null as unknown as (x: number, y: number) => number, [1], [1]), "nx.tree.map2", "f must be a function");
  });
});
