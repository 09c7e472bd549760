// Sizes (DESIGN.md "Sizes have documented limits, checked before anything is
// allocated"): on the default CPU backend (2^28 elements per tensor), every
// op whose result cannot be held is refused up front with the size and the
// limit, leaving no tensor and no buffer behind. Before this check, oneHot(x, 1e9)
// ran for 26 s and then died with a RangeError.
import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import { expectInvalidArgument } from "../src/testing/index.js";
import { restrictedBackend } from "./support/restricted.js";

const LIMIT = 'more than backend "cpu" holds in one tensor: 268435456 (2^28)';

/** Checks that `call` is refused naming `fn`, the size and the limit, leaving the CPU backend's buffers and the live tensors as they were. */
function refused(fn: string, call: () => unknown, size: string): void {
  const before = nx.memory();
  expectInvalidArgument(call, fn, size, LIMIT);
  const after = nx.memory();
  expect(after.numTensors).toBe(before.numTensors);
  expect(after.backends.cpu?.buffers).toBe(before.backends.cpu?.buffers);
}

describe("sizes the CPU backend cannot hold", () => {
  const key = nx.random.key(0);
  const idx = nx.tensor([3], { dtype: "int32" });
  const x = nx.ones([2, 2]);

  it("are refused by the creation ops", () => {
    refused("nx.zeros", () => nx.zeros([1e6, 1e6]), "shape [1000000,1000000] has 1000000000000 elements");
    refused("nx.full", () => nx.full([2 ** 20, 2 ** 9], 1), "536870912 elements");
    refused("nx.arange", () => nx.arange(2 ** 30), "shape [1073741824] has 1073741824 elements");
    refused("nx.arange", () => nx.arange(0, 1, 1e-9), "1000000000 elements");
    refused("nx.linspace", () => nx.linspace(0, 1, 1e9), "1000000000 elements");
    refused("nx.eye", () => nx.eye(1e5), "shape [100000,100000] has 10000000000 elements");
  });

  it("are refused by the samplers", () => {
    refused("nx.random.normal", () => nx.random.normal(key, [2 ** 30]), "1073741824 elements");
    refused("nx.random.uniform", () => nx.random.uniform(key, [2 ** 15, 2 ** 15], "float64"), "1073741824 elements");
    refused("nx.random.randint", () => nx.random.randint(key, [2 ** 29], 0, 10), "536870912 elements");
    refused("nx.random.bernoulli", () => nx.random.bernoulli(key, 0.5, [2 ** 29]), "536870912 elements");
    refused("nx.random.truncatedNormal", () => nx.random.truncatedNormal(key, [2 ** 29]), "536870912 elements");
    refused("nx.random.permutation", () => nx.random.permutation(key, 2 ** 30), "1073741824 elements");
  });

  it("are refused by the ops that grow a tensor", () => {
    refused("nx.oneHot", () => nx.oneHot(idx, 1e9), "shape [1,1000000000] has 1000000000 elements");
    refused("nx.tile", () => nx.tile(x, [1e5, 1e5]), "shape [200000,200000]");
    refused("nx.repeat", () => nx.repeat(x, 1e9), "shape [4000000000]");
    refused("nx.repeat", () => nx.repeat(x, [1e9, 1], { axis: 0 }), "shape [1000000001,2]");
    refused("nx.pad", () => nx.pad(x, 1e5), "shape [200002,200002]");
    const col = nx.ones([2 ** 15, 1]);
    const row = nx.ones([1, 2 ** 15]);
    refused("nx.add", () => nx.add(col, row), "shape [32768,32768]");
    refused("nx.matmul", () => nx.matmul(col, row), "shape [32768,32768]");
  });

  it("are refused when moving to a backend that cannot hold them", () => {
    const small = restrictedBackend("small", { maxElements: 3, dtypes: ["float32", "int32", "bool"] });
    expectInvalidArgument(() => nx.toBackend(x, small.backend), "nx.toBackend", "shape [2,2] has 4 elements", 'backend "small" holds in one tensor: 3');
    expectInvalidArgument(() => nx.toBackend(nx.zeros([2], "float64"), small.backend), "nx.toBackend", 'backend "small" does not store float64');
    expect(small.calls()).toBe(0);
  });
});
