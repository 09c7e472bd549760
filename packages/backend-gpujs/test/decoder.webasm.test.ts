// A small decoderLM trained on the gpujs backend in `webasm` mode: its
// losses match nx's CPU backend step by step, and its ~180 kernels share one
// WebAssembly memory (gpu.js alone would give each its own; Chromium holds
// only about 125 at once, see src/gpu/wasm-arena.ts).
import * as nx from "@raven-ts/nx";
import { describe, expect, it } from "vitest";
import { gpujsBackend } from "../src/index.js";
import { trainSmallDecoder } from "./support/decoder.js";
import { watchMemories } from "./support/memories.js";

const STEPS = 4;

describe("gpujs webasm: a small decoderLM", () => {
  it("trains with the CPU backend's losses, its kernels sharing one WebAssembly memory", () => {
    const previous = nx.getBackend();
    nx.setBackend(nx.cpuBackend());
    const want = trainSmallDecoder(STEPS);
    const backend = gpujsBackend({ mode: "webasm", name: "gpujs-decoder" });
    nx.setBackend(backend);
    try {
      const memories = watchMemories();
      let got: number[];
      try {
        got = trainSmallDecoder(STEPS);
      } finally {
        memories.stop();
      }
      expect(backend.stats().kernelsCompiled).toBeGreaterThan(125);
      expect(memories.created).toBe(1);
      expect(backend.stats().fallbacks).toBe(0);
      expect(got).toHaveLength(STEPS);
      got.forEach((l, i) => expect(Math.abs(l - (want[i] as number))).toBeLessThan(1e-4 * Math.abs(want[i] as number) + 1e-5));
      expect(got.at(-1)).toBeLessThan(got[0] as number);
      expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
    } finally {
      nx.setBackend(previous);
    }
  }, 120_000);
});
