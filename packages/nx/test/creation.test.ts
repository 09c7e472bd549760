// Creation ops that target a backend: `*Like` ops create on their input's
// backend, the others take a `backend` option (a registered name or an
// instance) without changing the current backend; and `nx.tensor` on deeply
// nested data is a clear error, not a stack overflow.
import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import { expectInvalidArgument } from "../src/testing/index.js";
import { restrictedBackend } from "./support/restricted.js";

describe("creation on a chosen backend", () => {
  const other = restrictedBackend("other", {}).backend;
  nx.registerBackend("other-by-name", () => restrictedBackend("other-by-name", {}).backend);

  it("makes zerosLike, onesLike and fullLike on the input's backend", () => {
    const x = nx.tensor([[1, 2], [3, 4]], { backend: other });
    expect(nx.getBackend().name).toBe("cpu");
    for (const t of [nx.zerosLike(x), nx.onesLike(x, "int32"), nx.fullLike(x, 7)]) expect(t.backend).toBe(other);
    expect(nx.fullLike(x, 7).arraySync()).toEqual([[7, 7], [7, 7]]);
    expect(nx.onesLike(x, "int32").dtype).toBe("int32");
    // ...so they combine with x without a transfer.
    expect(nx.add(x, nx.onesLike(x)).arraySync()).toEqual([[2, 3], [4, 5]]);
  });

  it("takes a backend option (instance or registered name) in every other creation op", () => {
    const made = [
      nx.tensor([1, 2], { backend: other }),
      nx.tensor(new Int32Array([1, 2]), { backend: "other-by-name" }),
      nx.scalar(3, { backend: other, dtype: "int32" }),
      nx.zeros([2], { backend: other }),
      nx.ones([2], { backend: "other-by-name", dtype: "uint8" }),
      nx.full([2], 5, { backend: other }),
      nx.arange(0, 4, 2, { backend: other }),
      nx.linspace(0, 1, 3, { backend: other, endpoint: true }),
      nx.eye(2, 3, { k: 1, backend: other }),
    ];
    expect(made.map((t) => t.backend.name)).toEqual(["other", "other-by-name", "other", "other", "other-by-name", "other", "other", "other", "other"]);
    expect(made.map((t) => t.arraySync())).toEqual([[1, 2], [1, 2], 3, [0, 0], [1, 1], [5, 5], [0, 2], [0, 0.5, 1], [[0, 1, 0], [0, 0, 1]]]);
    expect(made[2]?.dtype).toBe("int32");
    expect(made[4]?.dtype).toBe("uint8");
    expect(nx.getBackend().name).toBe("cpu");
  });

  it("keeps accepting a dtype in place of the options", () => {
    expect([nx.zeros([1], "int32").dtype, nx.ones([1], "bool").dtype, nx.full([1], 2, "uint8").dtype, nx.scalar(1, "float64").dtype]).toEqual(["int32", "bool", "uint8", "float64"]);
  });

  it("rejects an unknown backend or option", () => {
    expectInvalidArgument(() => nx.zeros([2], { backend: "nowhere" }), "nx.zeros", 'no backend registered under "nowhere"');
    expectInvalidArgument(() => nx.tensor([1], { backend: null as unknown as string }), "nx.tensor", "backend must be a registered name or a backend instance, got null");
    expectInvalidArgument(() => nx.full([2], 1, { backend: {} as nx.Backend }), "nx.full", "a backend must have a non-empty string name");
    expectInvalidArgument(() => nx.arange(3, undefined, 1, { device: "gpu" } as nx.ArangeOptions), "nx.arange", 'unknown option "device"; expected dtype, backend');
  });
});

describe("nx.tensor on nested arrays", () => {
  const nest = (depth: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  };

  it("accepts 64 levels, the most axes a tensor has", () => {
    const t = nx.tensor(nest(64) as nx.TensorData);
    expect(t.ndim).toBe(64);
    expect(t.item()).toBe(1);
  });

  it("rejects deeper nesting with a clear error instead of overflowing the stack", () => {
    for (const depth of [65, 1000, 100_000]) {
      expectInvalidArgument(() => nx.tensor(nest(depth) as nx.TensorData), "nx.tensor", "data is nested more than 64 levels deep; tensors have at most 64 axes");
    }
  });

  it("names a hole or a non-number by its position", () => {
    // eslint-disable-next-line no-sparse-arrays
    expectInvalidArgument(() => nx.tensor([1, , 3] as unknown as number[]), "nx.tensor", "non-numeric value at data[1]: undefined");
    expectInvalidArgument(() => nx.tensor([[1, 2], [3, "4"]] as unknown as number[][]), "nx.tensor", 'at data[1][1]: "4"');
  });
});
