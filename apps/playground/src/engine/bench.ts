/**
 * The Bench panel's cases, timed on the current nx backend: matmul 256 and
 * 512, and a multi-head attention forward pass. A run includes reading the
 * result back (`await y.data()`), the only way to know a GPU finished.
 */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { Layer, Rng } from "@raven-ts/kaun-core";
import { multiHeadAttention } from "@raven-ts/kaun-attention";
import type { BenchCase } from "./protocol.js";

/** The MHA case: batch 1, 128 positions, width 256, 8 heads. */
export const MHA_CASE = { batch: 1, seqLen: 128, embedDim: 256, numHeads: 8 } as const;

/** One case: its name, its floating-point operations per run, and how to time it. */
export interface TimedCase {
  readonly name: BenchCase;
  readonly flops: number;
  /** Median milliseconds per run over at least 3 runs (up to 20 within about a second), after one warm-up run; `pause` yields between runs. */
  time(pause: () => Promise<void>): Promise<{ ms: number; runs: number }>;
}

async function median(setup: () => { run: () => Tensor; dispose: () => void }, pause: () => Promise<void>): Promise<{ ms: number; runs: number }> {
  const { run, dispose } = setup();
  try {
    const warm = run(); // compiles kernels on the GPU backends
    await warm.data();
    warm.dispose();
    const times: number[] = [];
    const started = performance.now();
    while (times.length < 3 || (times.length < 20 && performance.now() - started < 1000)) {
      const t0 = performance.now();
      const y = run();
      await y.data();
      times.push(performance.now() - t0);
      y.dispose();
      await pause();
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)] as number, runs: times.length };
  } finally {
    dispose();
  }
}

function matmulCase(n: 256 | 512): TimedCase {
  return {
    name: `matmul ${n}`,
    flops: 2 * n ** 3,
    time: (pause) =>
      median(() => {
        const a = nx.random.normal(nx.random.key(1), [n, n]);
        const b = nx.random.normal(nx.random.key(2), [n, n]);
        return { run: () => nx.matmul(a, b), dispose: () => nx.dispose([a, b]) };
      }, pause),
  };
}

function mhaCase(): TimedCase {
  const { batch, seqLen, embedDim, numHeads } = MHA_CASE;
  // Four projections (2·T·D² each) and two attention products (2·T²·D each).
  const flops = batch * (4 * 2 * seqLen * embedDim * embedDim + 2 * 2 * seqLen * seqLen * embedDim);
  return {
    name: "MHA forward",
    flops,
    time: (pause) =>
      median(() => {
        const attn = multiHeadAttention({ embedDim, numHeads, isCausal: true, rope: true });
        const vars = Rng.run(0, () => Layer.init(attn, { dtype: "float32" }));
        const x = nx.random.normal(nx.random.key(3), [batch, seqLen, embedDim]);
        return { run: () => Layer.apply(attn, vars, x, { training: false })[0], dispose: () => nx.dispose([x, vars.params]) };
      }, pause),
  };
}

/** `benchCases()` is the cases in the order the panel shows them. */
export function benchCases(): TimedCase[] {
  return [matmulCase(256), matmulCase(512), mhaCase()];
}
