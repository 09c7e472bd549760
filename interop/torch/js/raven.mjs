// The raven-ts side of the hand-off: checkpoints that carry their model's configuration.
import { readFileSync } from "node:fs";
import * as nx from "@raven-ts/nx";
import { Layer, Loss, Rng } from "@raven-ts/kaun-core";
import { Checkpoint } from "@raven-ts/kaun-core/node";
import { decoderLM, multiHeadAttention } from "@raven-ts/kaun-attention";
// The demo's batches (packages/kaun-attention/examples).
import { windowBatch } from "../../../packages/kaun-attention/examples/tiny-lm.mjs";

/** The `__metadata__` keys naming the model kind and its options (JSON), as `raven_torch.checkpoint` reads them. */
export const MODEL_KEY = "raven.model";
export const CONFIG_KEY = "raven.config";

/**
 * @typedef {"decoderLM" | "multiHeadAttention"} ModelKind
 * @typedef {import("@raven-ts/kaun-attention").DecoderLMLayer | import("@raven-ts/kaun-attention").MultiHeadAttentionLayer} ModelLayer
 */

/**
 * `modelOptions(kind, model)` is the options object that rebuilds `model`
 * (its resolved `config`; `multiHeadAttention`'s derived `headDim` dropped).
 * @param {ModelKind} kind
 * @param {ModelLayer} model
 * @returns {Record<string, unknown>}
 */
export function modelOptions(kind, model) {
  if (kind === "decoderLM") return { .../** @type {import("@raven-ts/kaun-attention").DecoderLMLayer} */ (model).config };
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { headDim, ...options } = /** @type {import("@raven-ts/kaun-attention").MultiHeadAttentionLayer} */ (model).config;
  return options;
}

/**
 * `checkpointMetadata(kind, model, extra?)` is the `__metadata__` that lets
 * PyTorch (`raven_torch.load_raven`) and raven-ts rebuild `model`: `raven.model`
 * and `raven.config`, plus the strings of `extra`.
 * @param {ModelKind} kind
 * @param {ModelLayer} model
 * @param {Record<string, string>} [extra]
 * @returns {Record<string, string>}
 */
export function checkpointMetadata(kind, model, extra = {}) {
  return { ...extra, [MODEL_KEY]: kind, [CONFIG_KEY]: JSON.stringify(modelOptions(kind, model)) };
}

/**
 * `buildModel(kind, options)` is the raven-ts layer of a checkpoint's `raven.model` and `raven.config`.
 * @param {string | undefined} kind
 * @param {string | undefined} optionsJson
 * @returns {{ kind: ModelKind, model: ModelLayer }}
 */
export function buildModel(kind, optionsJson) {
  if (optionsJson === undefined) throw new Error(`the checkpoint's metadata has no ${CONFIG_KEY}`);
  const options = JSON.parse(optionsJson);
  if (kind === "decoderLM") return { kind, model: decoderLM(options) };
  if (kind === "multiHeadAttention") return { kind, model: multiHeadAttention(options) };
  throw new Error(`the checkpoint's ${MODEL_KEY} is ${JSON.stringify(kind)}, expected "decoderLM" or "multiHeadAttention"`);
}

/**
 * `loadCheckpoint(path)` rebuilds the model a checkpoint's metadata names and
 * loads its params with `Checkpoint.load` (dtype from the file's first tensor).
 * @param {string} path
 * @returns {Promise<{ kind: ModelKind, model: ModelLayer, vars: import("@raven-ts/kaun-core").Vars, metadata: Record<string, string> }>}
 */
export async function loadCheckpoint(path) {
  const { metadata, tensors } = Checkpoint.inspect(readFileSync(path));
  const { kind, model } = buildModel(metadata[MODEL_KEY], metadata[CONFIG_KEY]);
  const dtype = tensors[0]?.dtype === "F64" ? "float64" : "float32";
  const like = Rng.run(0, () => Layer.init(/** @type {import("@raven-ts/kaun-core").Layer<"float" | "int32", "float">} */ (model), { dtype }));
  const params = await Checkpoint.load(path, { like: like.params });
  return { kind, model, vars: { ...like, params }, metadata };
}

/**
 * `batchLoss(model, vars, ids, starts, seqLen)` is the mean cross-entropy (nats
 * per character) of the language model on the windows at `starts`, without dropout.
 * @param {import("@raven-ts/kaun-attention").DecoderLMLayer} model
 * @param {import("@raven-ts/kaun-core").Vars} vars
 * @param {Int32Array} ids
 * @param {readonly number[]} starts
 * @param {number} seqLen
 * @returns {number}
 */
export function batchLoss(model, vars, ids, starts, seqLen) {
  return nx.tidy(() => {
    const { x, labels } = windowBatch(ids, starts, seqLen);
    const [logits] = Layer.apply(model, vars, x, { training: false });
    return Number(Loss.crossEntropySparse(logits, labels).item());
  });
}
