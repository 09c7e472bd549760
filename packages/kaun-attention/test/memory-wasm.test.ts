// Memory stays flat over 1,000 training steps of the tiny decoder LM (forward, backward, AdamW)
// on the CPU backend's WebAssembly path: live tensors, backend buffers and bytes, and the
// WebAssembly memory itself (which can only grow) are the same after step 1,000 as after step 20.
import * as nx from "@raven-ts/nx";
import { describe, expect, it } from "vitest";
import { trainCharLM } from "../examples/tiny-lm.mjs";

describe("memory over 1,000 training steps (cpu, wasm simd)", () => {
  it("live tensors, buffers, bytes and the WebAssembly memory size stay flat", () => {
    const backend = nx.cpuBackend();
    expect(backend).toBeInstanceOf(nx.WasmCpuBackend);
    const previous = nx.getBackend();
    nx.setBackend(backend);
    const snapshots = new Map<number, { tensors: number; buffers: number; bytes: number; reserved: number }>();
    try {
      trainCharLM({
        steps: 1000,
        batch: 2,
        seqLen: 16,
        onStep: ({ step }: { step: number }) => {
          if (step !== 20 && step !== 1000) return;
          const m = nx.memory();
          const cpu = m.backends.cpu;
          snapshots.set(step, { tensors: m.numTensors, buffers: cpu?.buffers ?? -1, bytes: cpu?.bytes ?? -1, reserved: (backend as nx.WasmCpuBackend).reservedBytes });
        },
      });
    } finally {
      nx.setBackend(previous);
    }
    const early = snapshots.get(20);
    const late = snapshots.get(1000);
    expect(early).toBeDefined();
    expect(late).toEqual(early);
  }, 300_000);
});
