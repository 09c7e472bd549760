// The PyTorch float64 attention references (kaun-attention's `fixtures/attention_golden.json`),
// reproduced by @raven-ts/kaun-attention on the gpujs backend in float32 with
// kaun-attention's own tolerances (the suite it runs on the CPU backend).
import { describeAttentionGolden } from "@raven-ts/kaun-attention/testing";
import type { EngineMode } from "../src/index.js";
import { gpujsBackend } from "../src/index.js";
import { describeMode } from "./support/modes.js";

for (const mode of ["webasm", "cpu", "headlessgl"] as const satisfies readonly EngineMode[]) {
  describeMode(mode, () => describeAttentionGolden(`gpujs ${mode}`, () => gpujsBackend({ mode })));
}
