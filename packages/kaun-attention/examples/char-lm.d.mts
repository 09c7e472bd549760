import type { Tensor } from "@raven-ts/nx";
import type { Dataset, Ptree, TextWindow, Trainer, Vars } from "@raven-ts/kaun-core";
import type { DecoderLMConfig, DecoderLMLayer, DecoderLMOptions } from "../src/index.js";

/** The demo model's `decoderLM` options (all but `vocabSize`). */
export declare const TINY_LM: Readonly<Omit<DecoderLMOptions, "vocabSize">>;

/** The demo's training settings. */
export interface TrainingSettings {
  readonly batch: number;
  readonly seqLen: number;
  readonly peakLr: number;
  readonly warmupSteps: number;
  readonly endLr: number;
  readonly weightDecay: number;
}
export declare const TRAINING: Readonly<TrainingSettings>;

/** What `tinyLMTrainer` trains with and on, as a checkpoint's `raven.training` records it. */
export declare const RECIPE: Readonly<{ optimizer: "adamw"; schedule: "warmupCosineDecay"; text: "sonnets.txt" }>;

/** A `decoderLM` config with every default resolved (`model.config`), as a checkpoint stores it. */
export type TinyLMConfig = DecoderLMConfig;

/** One training batch of {@link batches}. */
export interface TextBatch {
  readonly x: Tensor;
  readonly loss: (logits: Tensor) => Tensor;
  dispose(): void;
}

export function charVocab(text: string): string[];
export function encode(vocab: readonly string[], text: string): Int32Array;
export function decodeIds(vocab: readonly string[], ids: ArrayLike<number>): string;
/** The unigram (character-frequency) entropy of `ids`, in nats: the loss of a model that ignores context. */
export function unigramEntropy(ids: Int32Array, vocabSize: number): number;
export function tinyLMConfig(vocabSize: number): DecoderLMOptions;
export function tinyLMTrainer(
  config: DecoderLMOptions,
  options: { readonly steps: number } & Partial<Omit<TrainingSettings, "batch" | "seqLen">>,
): { model: DecoderLMLayer; trainer: Trainer<"int32", "float"> };
export function windowBatch(ids: Int32Array, starts: readonly number[], seqLen: number): { x: Tensor; labels: Tensor };
export function trainingData(ids: Int32Array, options: { readonly batch: number; readonly seqLen: number; readonly seed: number }): Dataset<TextWindow>;
export function batches(ids: Int32Array, options: { readonly batch: number; readonly seqLen: number; readonly seed: number }): Generator<TextBatch, never, void>;

/** What a checkpoint records besides its weights. */
export interface CheckpointInfo {
  /** The model (its kind and `config` go in the metadata). */
  readonly model: DecoderLMLayer;
  readonly vocab: readonly string[];
  readonly training?: Readonly<Record<string, unknown>>;
}
export function checkpointMetadata(info: CheckpointInfo): Record<string, string>;
export function checkpointBytes(params: Ptree, info: CheckpointInfo): Uint8Array;

/** A model read back by {@link readCheckpoint}. */
export interface LoadedCharLM {
  readonly model: DecoderLMLayer;
  readonly vars: Vars;
  readonly config: DecoderLMConfig;
  readonly vocab: string[];
  readonly training: Readonly<Record<string, unknown>> | undefined;
}
export function readCheckpoint(bytes: Uint8Array): LoadedCharLM;
