/**
 * The messages between the page and the engine (which trains, generates and
 * benchmarks, in a Web Worker or, where a backend cannot run in one, on the
 * main thread). Every call gets one reply; training and generation also
 * stream events while they run.
 */
import type { DecoderLMConfig } from "@raven-ts/kaun-attention";

/** The backend the engine computes on. */
export interface BackendInfo {
  readonly id: string;
  readonly label: string;
  readonly library: string;
  /** How it computes (for gpu.js, its resolved mode). */
  readonly mode: string;
  /** Its name in one line, for the page: the label made precise by the mode ("nx CPU (WebAssembly SIMD, 2 threads)"). */
  readonly summary: string;
  /** Where the engine runs. */
  readonly host: "worker" | "main";
}

/** The model the engine holds. */
export interface ModelInfo {
  /** Training steps taken. */
  readonly step: number;
  /** The step budget of the learning-rate schedule. */
  readonly budget: number;
  readonly config: DecoderLMConfig;
  readonly vocab: readonly string[];
  /** Number of parameters. */
  readonly parameters: number;
  /** False when the vocabulary differs from the training text's (a model from another text: generate only). */
  readonly trainable: boolean;
  /** Where the weights come from, for the page ("random init, seed 0", "file tiny-lm.safetensors"). */
  readonly origin: string;
  readonly backend: BackendInfo;
}

/** One training step, as the Train panel shows it. */
export interface TrainProgress {
  readonly step: number;
  readonly budget: number;
  readonly loss: number;
  /** Over the last few steps. */
  readonly stepsPerSecond: number;
  readonly tokensPerSecond: number;
  /** When the step finished: `performance.timeOrigin + performance.now()` on the engine's thread (milliseconds since the epoch, comparable across threads). */
  readonly finishedAt: number;
}

/** Why a `train` call returned. */
export interface TrainStop {
  readonly reason: "paused" | "finished";
  readonly model: ModelInfo;
}

/** What a `generate` call returns once done. */
export interface GenerateDone {
  /** The generated characters (the prompt excluded). */
  readonly text: string;
  readonly tokens: number;
  readonly seconds: number;
  readonly tokensPerSecond: number;
  /** True when `stopGenerate` ended it early. */
  readonly stopped: boolean;
}

/** The benchmark cases, in the order the Bench panel shows them. */
export const BENCH_CASES = ["matmul 256", "matmul 512", "MHA forward"] as const;

/** One benchmark case. */
export type BenchCase = (typeof BENCH_CASES)[number];

/** One benchmark figure, or why a backend could not run. */
export interface BenchRow {
  readonly backend: string;
  readonly label: string;
  readonly library: string;
  readonly mode: string;
  readonly host: "worker" | "main";
  readonly case: BenchCase;
  /** Median milliseconds per run (the result read back included), or undefined when `error` is set. */
  readonly ms?: number;
  readonly gflops?: number;
  readonly runs?: number;
  readonly error?: string;
}

/** Every call: its arguments and its result. */
export interface Calls {
  /** Select a backend (the model's weights move to it; the optimizer state restarts). */
  setBackend: { args: { backend: string }; result: ModelInfo };
  /** A freshly initialised model (from `seed`) with a schedule over `budget` steps. */
  reset: { args: { seed: number; budget: number }; result: ModelInfo };
  /** Train until the budget is reached or `pause` is called; streams `progress`. */
  train: { args: { budget: number }; result: TrainStop };
  /** Stop training after the current step; resolves once it has stopped. */
  pause: { args: Record<string, never>; result: ModelInfo };
  /** The weights as a .safetensors file (with the model config and vocabulary in its metadata). */
  exportWeights: { args: Record<string, never>; result: { bytes: Uint8Array } };
  /**
   * Load a .safetensors file written by the playground or `pnpm demo`; a new
   * optimizer state starts at `step` (default 0) of a schedule over `budget`
   * steps (default: the current budget).
   */
  importWeights: { args: { bytes: Uint8Array; origin: string; step?: number; budget?: number }; result: ModelInfo };
  /**
   * Continue `prompt` by KV-cache decoding, streaming `token` events; each
   * token is chosen as `decoderLM.generate` chooses it (kaun-attention's
   * `sampleTokens`: temperature, then top-k, top-p, min-p; `topK` undefined
   * keeps every token), with the key of `seed` folded by the step.
   */
  generate: { args: { prompt: string; maxNewTokens: number; temperature: number; topK?: number; topP: number; minP: number; seed: number }; result: GenerateDone };
  /** End a running generation after the current token. */
  stopGenerate: { args: Record<string, never>; result: null };
  /** The greedy continuation computed without the KV cache (the whole sequence through the model at every step). */
  greedyReference: { args: { prompt: string; maxNewTokens: number }; result: { text: string } };
  /** Time the benchmark cases on each listed backend; streams `bench` events. */
  bench: { args: { backends: readonly string[] }; result: BenchRow[] };
}

export type CallName = keyof Calls;

/** A call as posted to the engine. */
export type CallMessage = { [K in CallName]: { readonly id: number; readonly call: K; readonly args: Calls[K]["args"] } }[CallName];

/** Events the engine streams while it works. */
export type EngineEvent =
  | { readonly event: "progress"; readonly progress: TrainProgress }
  | { readonly event: "token"; readonly text: string }
  | { readonly event: "bench"; readonly row: BenchRow; readonly done: number; readonly total: number }
  | { readonly event: "model"; readonly model: ModelInfo; readonly training: boolean };

/** A reply to a call. */
export type ReplyMessage =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

/** What the engine posts: replies and events. */
export type EngineMessage = ReplyMessage | EngineEvent;
