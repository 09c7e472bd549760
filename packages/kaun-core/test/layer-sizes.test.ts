// Layer.init of a layer too large for the backend: refused before any
// parameter is allocated (in milliseconds, not after filling gigabytes),
// naming the layer function and stating the size and the limit; a composite
// whose later layer fails leaves no earlier parameter behind.
import * as nx from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { describe, expect, test } from "vitest";
import { Layer, Rng } from "../src/index.js";

const LIMIT = 'more than backend "cpu" holds in one tensor: 268435456 (2^28)';

/** Checks that initialising `layer` is refused naming `fn`, leaving the live tensors and CPU buffers as they were. */
function refused(layer: Layer<never, never>, fn: string, ...fragments: string[]): void {
  const before = nx.memory();
  expectInvalidArgument(() => Rng.run(0, () => Layer.init(layer)), fn, ...fragments, LIMIT);
  const after = nx.memory();
  expect(after.numTensors).toBe(before.numTensors);
  expect(after.backends.cpu?.buffers ?? 0).toBe(before.backends.cpu?.buffers ?? 0);
}

describe("Layer.init of layers larger than the backend holds", () => {
  test("is refused before allocating, naming the layer", () => {
    refused(Layer.embedding({ vocabSize: 50_000, embedDim: 1e6 }) as Layer<never, never>, "kaun.Layer.embedding", "shape [50000,1000000] has 50000000000 elements");
    refused(Layer.linear({ inFeatures: 1e6, outFeatures: 1e6 }) as Layer<never, never>, "kaun.Layer.linear", "shape [1000000,1000000]");
    refused(Layer.layerNorm({ dim: 1e9 }) as Layer<never, never>, "kaun.Layer.layerNorm", "shape [1000000000]");
    refused(Layer.rmsNorm({ dim: 1e9 }) as Layer<never, never>, "kaun.Layer.rmsNorm", "shape [1000000000]");
  });

  test("leaves nothing of a composite whose later layer is refused", () => {
    const model = Layer.sequential([Layer.linear({ inFeatures: 4, outFeatures: 8 }), Layer.relu(), Layer.linear({ inFeatures: 8, outFeatures: 1e9 })]);
    refused(model as Layer<never, never>, "kaun.Layer.linear", "shape [8,1000000000]");
    const pair = Layer.compose(Layer.embedding({ vocabSize: 10, embedDim: 4 }), Layer.linear({ inFeatures: 4, outFeatures: 1e9 }));
    refused(pair as Layer<never, never>, "kaun.Layer.linear", "shape [4,1000000000]");
  });

  test("still initialises what fits", () => {
    const vars = Rng.run(0, () => Layer.init(Layer.linear({ inFeatures: 3, outFeatures: 2 })));
    expect((vars.params as { weight: nx.Tensor }).weight.shape).toEqual([3, 2]);
  });
});
