import type { TrainState } from "@raven-ts/kaun-core";
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
  readonly config: TinyLMConfig;
  readonly state: TrainState;
  readonly losses: number[];
  readonly corpus: Corpus;
  /** The unigram entropy of the text, in nats per character. */
  readonly entropy: number;
  readonly tokensPerSecond: number;
  /** The training settings (recorded in the checkpoint). */
  readonly training: Readonly<Record<string, unknown>>;
}

export function loadCorpus(): Corpus;
export { unigramEntropy, windowBatch } from "./char-lm.mjs";
export function trainCharLM(options?: {
  readonly steps?: number;
  readonly batch?: number;
  readonly seqLen?: number;
  readonly seed?: number;
  readonly onStep?: (report: { step: number; loss: number; tokensPerSecond: number }) => void;
}): TrainResult;
export function sample(
  result: Pick<TrainResult, "model" | "state" | "corpus">,
  prompt: string,
  options?: { readonly length?: number; readonly temperature?: number; readonly seed?: number },
): string;
export function saveCharLM(result: Pick<TrainResult, "state" | "config" | "corpus" | "training">, path: string): Promise<void>;
