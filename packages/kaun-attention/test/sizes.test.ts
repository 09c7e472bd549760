// Sizes beyond what a backend holds are refused up front (in milliseconds,
// nothing allocated), naming the function the user called.
import * as nx from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { Layer, Rng } from "@raven-ts/kaun-core";
import { describe, expect, it } from "vitest";
import { multiHeadAttention, ropeTables } from "../src/index.js";

const LIMIT = 'more than backend "cpu" holds in one tensor: 268435456 (2^28)';

describe("sizes", () => {
  it("ropeTables refuses tables larger than the host holds", () => {
    expectInvalidArgument(() => ropeTables(1e6, 1e6), "kaun.ropeTables", "shape [1000000,1000000] has 1000000000000 elements", LIMIT);
    expect(ropeTables(4, 2).cos.length).toBe(8);
  });

  it("multiHeadAttention's init refuses projections larger than the backend holds, before making any", () => {
    const mha = multiHeadAttention({ embedDim: 2 ** 16, numHeads: 8 });
    const live = nx.memory().numTensors;
    expectInvalidArgument(() => Rng.run(0, () => Layer.init(mha)), "kaun.multiHeadAttention", "shape [65536,65536] has 4294967296 elements", LIMIT);
    expectInvalidArgument(() => Rng.run(0, () => mha.init({ dtype: "float32" })), "kaun.multiHeadAttention", LIMIT);
    expect(nx.memory().numTensors).toBe(live);
  });
});
