import { describe, expect, it } from "vitest";
// The main job's training code (examples/tiny-lm.mjs imports the built package).
import { sample, splitCorpus, trainCharLM } from "../examples/tiny-lm.mjs";

describe("the tiny-LM demo", () => {
  it("trains a few steps with falling loss, reports validation perplexity, samples text; the numbers repeat run to run", () => {
    const options = { steps: 12, batch: 8, seqLen: 32 };
    const result = trainCharLM(options);
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
    const again = trainCharLM(options);
    expect(again.losses).toEqual(result.losses);
    expect(again.validation.perplexity).toBe(result.validation.perplexity);
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
});
