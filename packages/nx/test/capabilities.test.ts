// Backend capabilities (backend.ts): the frontend refuses what a backend
// declares it cannot do, before calling it, naming the op the user called;
// every sampler works without float64 on the backend; libraries name their
// own functions with runOp and pre-check allocations with checkAllocation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import { CpuBackend } from "../src/index.js";
import { expectInvalid, expectInvalidArgument } from "../src/testing/index.js";
import { restrictedBackend } from "./support/restricted.js";

describe("the CPU backend's capabilities", () => {
  it("declares every dtype, 2^28 elements per tensor, exact integers and subnormals", () => {
    expect(new CpuBackend().capabilities).toEqual({
      dtypes: ["bool", "uint8", "int32", "float32", "float64"],
      maxElements: 2 ** 28,
      maxExactInteger: Number.POSITIVE_INFINITY,
      subnormals: true,
    });
  });
});

describe("a backend storing float32, int32 and bool, at most 100 elements per tensor", () => {
  const small = restrictedBackend("small", { dtypes: ["float32", "int32", "bool"], maxElements: 100, maxExactInteger: 2 ** 24 });
  let previous: nx.Backend;
  beforeAll(() => {
    previous = nx.getBackend();
    nx.setBackend(small.backend);
  });
  afterAll(() => {
    nx.setBackend(previous);
  });

  /** Checks that `call` throws naming `fn` with `fragments`, without calling the backend or leaving a tensor behind. */
  const refused = (fn: string, call: () => unknown, ...fragments: string[]): void => {
    const calls = small.calls();
    const live = nx.memory().numTensors;
    expectInvalidArgument(call, fn, ...fragments);
    expect(small.calls(), `${fn} called the backend before refusing`).toBe(calls);
    expect(nx.memory().numTensors).toBe(live);
  };

  it("refuses a dtype it does not store, from every entry point, before calling it", () => {
    const x = nx.ones([2]);
    const stored = 'backend "small" does not store float64 (it stores float32, int32, bool)';
    refused("nx.zeros", () => nx.zeros([2], "float64"), stored);
    refused("nx.ones", () => nx.ones([2], { dtype: "float64" }), stored);
    refused("nx.full", () => nx.full([2], 1, "float64"), stored);
    refused("nx.scalar", () => nx.scalar(1, "float64"), stored);
    refused("nx.tensor", () => nx.tensor([1, 2], { dtype: "float64" }), stored);
    refused("nx.tensor", () => nx.tensor(new Float64Array(2)), stored);
    refused("nx.arange", () => nx.arange(0, 3, 1, { dtype: "float64" }), stored);
    refused("nx.linspace", () => nx.linspace(0, 1, 3, { dtype: "float64" }), stored);
    refused("nx.eye", () => nx.eye(2, 2, { dtype: "float64" }), stored);
    refused("nx.fullLike", () => nx.fullLike(x, 1, "float64"), stored);
    refused("nx.cast", () => nx.cast(x, "float64"), stored);
    const idx = nx.tensor([0], { dtype: "int32" });
    refused("nx.oneHot", () => nx.oneHot(idx, 2, { dtype: "float64" }), stored);
    refused("nx.random.uniform", () => nx.random.uniform(nx.random.key(0), [2], "float64"), stored);
    refused("nx.random.normal", () => nx.random.normal(nx.random.key(0), [2], "float64"), stored);
    refused("nx.random.truncatedNormal", () => nx.random.truncatedNormal(nx.random.key(0), [2], "float64"), stored);
    refused("nx.random.randint", () => nx.random.randint(nx.random.key(0), [2], 0, 9, "uint8"), "does not store uint8");
  });

  it("refuses a result beyond 100 elements before any backend call, naming the op the user called", () => {
    const col = nx.ones([10, 1]);
    const row = nx.ones([1, 11]);
    const half = nx.ones([51]);
    const wide = nx.broadcastTo(nx.scalar(2), [101]); // a view: nothing allocated
    const idx = nx.tensor([0, 1], { dtype: "int32" });
    const limit = ['backend "small" holds in one tensor: 100'];
    refused("nx.zeros", () => nx.zeros([101]), "shape [101] has 101 elements", ...limit);
    refused("nx.add", () => nx.add(col, row), "shape [10,11] has 110 elements", ...limit);
    refused("nx.matmul", () => nx.matmul(col, row), "110 elements", ...limit);
    refused("nx.mul", () => nx.mul(wide, 3), "101 elements", ...limit); // no constant is made first
    const positive = nx.greater(col, 0);
    refused("nx.where", () => nx.where(positive, row, 0), "110 elements", ...limit);
    refused("nx.oneHot", () => nx.oneHot(idx, 51), "shape [2,51] has 102 elements", ...limit);
    refused("nx.tile", () => nx.tile(half, 2), "102 elements", ...limit);
    refused("nx.repeat", () => nx.repeat(half, 2), "102 elements", ...limit);
    const pair = nx.ones([2]);
    refused("nx.repeat", () => nx.repeat(pair, [1, 100]), "101 elements", ...limit);
    refused("nx.pad", () => nx.pad(half, [25, 25]), "101 elements", ...limit);
    refused("nx.concatenate", () => nx.concatenate([half, half]), "102 elements", ...limit);
    refused("nx.random.normal", () => nx.random.normal(nx.random.key(1), [101]), "101 elements", ...limit);
    refused("nx.random.permutation", () => nx.random.permutation(nx.random.key(1), 101), "101 elements", ...limit);
    // Composites report the op the user called, not the inner op that would have allocated.
    refused("nx.stack", () => nx.stack([half, half]), "102 elements", ...limit);
    refused("nx.softmax", () => nx.softmax(wide), "101 elements", ...limit);
    refused("nx.var", () => nx.var(wide), "101 elements", ...limit);
    refused("nx.contiguous", () => nx.contiguous(wide), "101 elements", ...limit);
    const square = nx.broadcastTo(nx.scalar(1), [11, 10]);
    refused("nx.tril", () => nx.tril(square), "110 elements", ...limit);
    // A result within the limit is computed.
    expect(nx.sum(nx.add(col, nx.ones([1, 10]))).item()).toBe(200);
  });

  it("draws every sampler without float64, with the CPU backend's values", () => {
    const key = nx.random.key(7);
    const draw = (): number[][] =>
      nx.tidy(() =>
        [
          nx.random.randint(key, [20], -5, 1000),
          nx.random.uniform(key, [5], "float32", { minval: -2, maxval: 3 }),
          nx.random.normal(key, [5]),
          nx.random.truncatedNormal(key, [5]),
          nx.random.bernoulli(key, 0.3, [6]),
          nx.random.permutation(key, 9),
        ].map((t) => [...t.dataSync()]),
      );
    const here = draw();
    nx.setBackend("cpu");
    const onCpu = draw();
    nx.setBackend(small.backend);
    expect(here).toEqual(onCpu);
    expect(here[0]?.every((v) => Number.isInteger(v) && v >= -5 && v < 1000)).toBe(true);
  });
});

describe("runOp", () => {
  const small = restrictedBackend("tiny", { maxElements: 10 });

  it("names a library's public function in capability errors and releases what the body made", () => {
    const x = nx.ones([4], { backend: small.backend });
    const made: nx.Tensor[] = [];
    expectInvalid("mylib.expand", () =>
      nx.runOp("mylib.expand", () => {
        made.push(nx.mul(x, 2));
        return nx.tile(made[0] as nx.Tensor, 3);
      }),
    );
    const y = nx.runOp("mylib.double", () => {
      made.push(nx.mul(x, 2));
      return nx.add(made[1] as nx.Tensor, 0);
    });
    expect(made.map((t) => t.isDisposed)).toEqual([true, true]);
    expect(x.isDisposed).toBe(false);
    expect([...y.dataSync()]).toEqual([2, 2, 2, 2]);
  });

  it("rejects a missing name or body", () => {
    expectInvalidArgument(() => nx.runOp("", () => 1), "nx.runOp", "fn must be");
    expectInvalidArgument(() => nx.runOp("lib.f", null as unknown as () => number), "nx.runOp", "body must be a function, got null");
  });
});

describe("checkAllocation", () => {
  const small = restrictedBackend("small2", { dtypes: ["float32", "int32", "bool"], maxElements: 100 });

  it("accepts what fits the backend and refuses the rest under the caller's name", () => {
    nx.checkAllocation("lib.init", [10, 10], "float32", small.backend);
    expectInvalidArgument(() => nx.checkAllocation("lib.init", [10, 11], "float32", small.backend), "lib.init", "shape [10,11] has 110 elements", "100");
    expectInvalidArgument(() => nx.checkAllocation("lib.init", [2], "float64", small.backend), "lib.init", "does not store float64");
    expectInvalidArgument(() => nx.checkAllocation("lib.init", [1e6, 1e6], "float32"), "lib.init", "1000000000000 elements", "268435456 (2^28)");
    nx.checkAllocation("lib.init", [2 ** 14, 2 ** 14], "float64", "cpu");
    expect(small.calls()).toBe(0);
  });

  it("checks its arguments", () => {
    expectInvalidArgument(() => nx.checkAllocation("lib.init", [-1], "float32"), "lib.init", "shape must contain non-negative integers");
    expectInvalidArgument(() => nx.checkAllocation("lib.init", [2], "float16" as nx.DType), "lib.init", 'unknown dtype "float16"');
    expectInvalidArgument(() => nx.checkAllocation("lib.init", [2], "float32", "nope"), "lib.init", 'no backend registered under "nope"');
    expectInvalidArgument(() => nx.checkAllocation(null as unknown as string, [2], "float32"), "nx.checkAllocation", "fn must be");
  });
});
