/**
 * The page side of the browser test's `webasm` training check: a few steps
 * of the small decoderLM (test/support/decoder.ts) on a new gpujs backend in
 * `webasm` mode, counting the WebAssembly memories it creates (Chromium lets
 * a renderer hold only about 125 at once).
 */
import * as nx from "@raven-ts/nx";
import { gpujsBackend } from "../../src/index.js";
import { trainSmallDecoder } from "../support/decoder.js";
import { watchMemories } from "../support/memories.js";

/** What {@link trainDecoder} reports back to the Node test. */
export interface TrainingReport {
  readonly mode: string;
  /** The loss of each step taken (fewer than asked when a step threw). */
  readonly losses: readonly number[];
  /** The error a step threw, if one did. */
  readonly error?: string;
  readonly kernelsCompiled: number;
  /** `WebAssembly.Memory` objects constructed during training. */
  readonly memoriesCreated: number;
  readonly fallbacks: number;
  readonly liveBuffers: number;
}

/** `trainDecoder(steps)` trains the small decoderLM for `steps` steps on gpujs `webasm` and reports. */
export function trainDecoder(steps: number): TrainingReport {
  const backend = gpujsBackend({ mode: "webasm", name: "gpujs-webasm-training" });
  const previous = nx.getBackend();
  nx.setBackend(backend);
  const losses: number[] = [];
  let error: string | undefined;
  const memories = watchMemories();
  try {
    trainSmallDecoder(steps, losses);
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } finally {
    memories.stop();
    nx.setBackend(previous);
  }
  const stats = backend.stats();
  return {
    mode: backend.mode,
    losses,
    ...(error === undefined ? {} : { error }),
    kernelsCompiled: stats.kernelsCompiled,
    memoriesCreated: memories.created,
    fallbacks: stats.fallbacks,
    liveBuffers: backend.memory().buffers,
  };
}
