import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as nx from "@raven-ts/nx";
import { Checkpoint, Layer, Loss } from "@raven-ts/kaun-core";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { afterAll, describe, expect, it } from "vitest";
// The main job's training code (examples/tiny-lm.mjs imports the built package).
import { batches, checkpointBytes, encode, readCheckpoint, trainingData } from "../examples/char-lm.mjs";
import { decoderLM } from "../src/index.js";
import { sample, saveCharLM, splitCorpus, trainCharLM } from "../examples/tiny-lm.mjs";

const vocabOf = (ids: Int32Array): number => Math.max(...ids) + 1;

describe("the tiny-LM demo", () => {
  const result = trainCharLM({ steps: 12, batch: 8, seqLen: 32 });
  const dir = mkdtempSync(join(tmpdir(), "tiny-lm-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("trains a few steps with falling loss, reports validation perplexity, samples text; the numbers repeat run to run", () => {
    expect(result.losses).toHaveLength(12);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    // Initial loss ≈ log(vocab) for near-uniform logits; a dozen Adam steps lower it clearly.
    const vocab = result.corpus.chars.length;
    const first = result.losses[0] as number;
    expect(first).toBeGreaterThan(Math.log(vocab) - 0.5);
    expect(result.losses.slice(-3).reduce((a, b) => a + b, 0) / 3).toBeLessThan(first - 0.5);
    // The held-back tenth: non-overlapping windows of seqLen, perplexity below the uniform model's (vocab).
    const { valid } = splitCorpus(result.corpus.ids, 0.1);
    expect(result.validation.tokens).toBe((Math.floor((valid.length - 32 - 1) / 32) + 1) * 32);
    expect(result.validation.perplexity).toBeGreaterThan(1);
    expect(result.validation.perplexity).toBeLessThan(vocab);
    const again = trainCharLM({ steps: 12, batch: 8, seqLen: 32 });
    expect(again.losses).toEqual(result.losses);
    expect(again.validation.perplexity).toBe(result.validation.perplexity);
    nx.dispose(again.state);
    const text = sample(result, "Shall", { length: 20, topK: 10, topP: 0.9, seed: 3 });
    expect(text.startsWith("Shall")).toBe(true);
    expect(text).toHaveLength(25);
    expect(sample(result, "Shall", { length: 20, topK: 10, topP: 0.9, seed: 3 })).toBe(text);
  });

  it("holds back the end of the text", () => {
    const ids = Int32Array.from({ length: 100 }, (_, i) => i);
    const { train, valid } = splitCorpus(ids, 0.1);
    expect(Array.from(train)).toEqual(Array.from({ length: 90 }, (_, i) => i));
    expect(Array.from(valid)).toEqual(Array.from({ length: 10 }, (_, i) => 90 + i));
  });

  it("batches() steps through trainingData(): the same windows, as { x, loss, dispose }", () => {
    const ids = result.corpus.ids.subarray(0, 200);
    const options = { batch: 4, seqLen: 8, seed: 5 };
    const stream = batches(ids, options);
    const data = trainingData(ids, options);
    const before = nx.memory().numTensors;
    let n = 0;
    for (const b of data) {
      const step = stream.next().value;
      expect(Array.from(step.x.dataSync())).toEqual(Array.from(b.inputs.dataSync()));
      const logits = nx.oneHot(b.targets, vocabOf(ids), { dtype: "float32" });
      const [viaStep, viaData] = [step.loss(logits), Loss.crossEntropySparse(logits, b.targets)];
      expect(viaStep.item()).toBeCloseTo(viaData.item() as number, 6);
      step.dispose();
      nx.dispose([b, logits, viaStep, viaData]);
      if (++n === 60) break; // past the first epoch of floor(192 / 4) = 48 batches
    }
    expect(nx.memory().numTensors).toBe(before);
  });

  it("saves a .safetensors file with the config and vocabulary, which rebuilds the same model", async () => {
    const file = join(dir, "tiny.safetensors");
    await saveCharLM(result, file);
    const bytes = new Uint8Array(readFileSync(file));
    const { tensors, metadata } = Checkpoint.inspect(bytes);
    // The demo's architecture (TINY_LM): embedDim 64, 4 query heads and 2 kv heads of 16, 2 blocks.
    const shapes = Object.fromEntries(tensors.map((t) => [t.name, t.shape]));
    expect(shapes["blocks.0.attn.q_proj"]).toEqual([64, 64]);
    expect(shapes["blocks.1.attn.k_proj"]).toEqual([64, 32]);
    expect(shapes["embed.embedding"]).toEqual([result.corpus.chars.length, 64]);
    // The interop format (interop/torch's load_raven): the resolved config, every default spelled out.
    expect(JSON.parse(metadata["raven.config"] as string)).toEqual({
      vocabSize: result.corpus.chars.length, embedDim: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, mlpDim: 128, dropout: 0.1, ropeTheta: 10000, norm: "rmsNorm", normEps: 1e-6, mlp: "dense", activation: "gelu", tieEmbeddings: false,
    });
    expect(metadata["raven.model"]).toBe("decoderLM");
    expect(JSON.parse(metadata["raven.vocab"] as string)).toEqual(result.corpus.chars);
    expect(JSON.parse(metadata["raven.training"] as string)).toMatchObject({ steps: 12, batch: 8, seqLen: 32, validFraction: 0.1, optimizer: "adamw" });

    const loaded = readCheckpoint(bytes);
    const tokens = nx.tensor(encode(result.corpus.chars, "Shall I compare thee"), { shape: [1, 20] });
    const [expected] = Layer.apply(result.model, result.state.vars, tokens, { training: false });
    const [actual] = Layer.apply(loaded.model, loaded.vars, tokens, { training: false });
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    nx.dispose([tokens, expected, actual, loaded.vars.params]);
  });

  it("rejects files without the model description, or whose weights do not fit it, with readable errors, and keeps nothing", () => {
    const before = nx.memory().numTensors;
    const bare = Checkpoint.toBytes(result.state.vars.params);
    expectInvalidArgument(() => readCheckpoint(bare), "kaun.modelFromCheckpoint", 'no "raven.model" entry');
    const deeper = { model: decoderLM({ ...result.config, numLayers: 3 }), vocab: result.corpus.chars };
    expectInvalidArgument(() => readCheckpoint(checkpointBytes(result.state.vars.params, deeper)), "kaun.modelFromCheckpoint", "missing key", "blocks.2.");
    const shortVocab = { model: result.model, vocab: result.corpus.chars.slice(1) };
    expectInvalidArgument(() => readCheckpoint(checkpointBytes(result.state.vars.params, shortVocab)), "tinyLM.readCheckpoint", "vocabulary has");
    const noVocab = Checkpoint.toBytes(result.state.vars.params, { metadata: { "raven.model": "decoderLM", "raven.config": JSON.stringify(result.config) } });
    expectInvalidArgument(() => readCheckpoint(noVocab), "tinyLM.readCheckpoint", '"raven.vocab" is not valid JSON');
    expectInvalidArgument(() => readCheckpoint(new Uint8Array([1, 2, 3])), "kaun.modelFromCheckpoint", "truncated file");
    expect(nx.memory().numTensors).toBe(before);
    expectInvalidArgument(() => encode(result.corpus.chars, "Zebra"), "tinyLM.encode", '"Z"');
  });
});
