import type { Trainer, TrainState } from "@raven-ts/kaun-core";
import type { DecoderLMLayer } from "../src/index.js";
import type { TinyLMConfig } from "./char-lm.mjs";

/** The training text and its character vocabulary (sorted). */
export interface Corpus {
  readonly text: string;
  readonly chars: string[];
  readonly ids: Int32Array;
}

/** What `trainCharLM` returns. */
export interface TrainResult {
  readonly model: DecoderLMLayer;
  readonly trainer: Trainer<"int32", "float">;
  readonly config: TinyLMConfig;
  readonly state: TrainState;
  readonly losses: number[];
  readonly corpus: Corpus;
  /** The unigram entropy of the text, in nats per character. */
  readonly entropy: number;
  readonly tokensPerSecond: number;
  /** The training settings (recorded in the checkpoint). */
  readonly training: Readonly<Record<string, unknown>>;
  /** The perplexity on the held-back end of the text (`Train.evaluate` with `Metric.perplexity`), over `tokens` tokens. */
  readonly validation: { readonly perplexity: number; readonly tokens: number };
}

export function loadCorpus(): Corpus;
export { unigramEntropy, windowBatch } from "./char-lm.mjs";
export function splitCorpus(ids: Int32Array, validFraction: number): { train: Int32Array; valid: Int32Array };
export function trainCharLM(options?: {
  readonly steps?: number;
  readonly batch?: number;
  readonly seqLen?: number;
  readonly seed?: number;
  /** The fraction of the text (its end) held back for validation; defaults to 0.1. */
  readonly validFraction?: number;
  readonly onStep?: (report: { step: number; loss: number; tokensPerSecond: number }) => void;
}): TrainResult;
export function sample(
  result: Pick<TrainResult, "model" | "state" | "corpus">,
  prompt: string,
  options?: { readonly length?: number; readonly temperature?: number; readonly topK?: number; readonly topP?: number; readonly seed?: number },
): string;
export function saveCharLM(result: Pick<TrainResult, "model" | "state" | "corpus" | "training">, path: string): Promise<void>;
