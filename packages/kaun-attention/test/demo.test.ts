import { describe, expect, it } from "vitest";
// The main job's training code (examples/tiny-lm.mjs imports the built package).
import { sample, trainCharLM } from "../examples/tiny-lm.mjs";

describe("the tiny-LM demo", () => {
  it("trains a few steps with falling loss and samples text", () => {
    const result = trainCharLM({ steps: 12, batch: 8, seqLen: 32 });
    expect(result.losses).toHaveLength(12);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    // Initial loss ≈ log(vocab) for near-uniform logits; a dozen Adam steps lower it clearly.
    const first = result.losses[0] as number;
    expect(first).toBeGreaterThan(Math.log(result.corpus.chars.length) - 0.5);
    expect(result.losses.slice(-3).reduce((a, b) => a + b, 0) / 3).toBeLessThan(first - 0.5);
    const text = sample(result, "Shall", { length: 20, seed: 3 });
    expect(text.startsWith("Shall")).toBe(true);
    expect(text).toHaveLength(25);
  });
});
