// The demo's character-level language model, without Node APIs, so the Node demo
// (tiny-lm.mjs) and the browser playground (apps/playground) share one recipe:
// the model and training settings, the tokenizer, the batch stream, the trainer,
// and the checkpoint (weights plus the model config, from kaun-attention's
// modelMetadata, and the vocabulary in the safetensors `__metadata__`).
import * as nx from "@raven-ts/nx";
import { Checkpoint, Data, Loss, Optim, Train } from "@raven-ts/kaun-core";
import { MODEL_METADATA_KEYS, decoderLM, modelFromCheckpoint, modelMetadata } from "../dist/index.js";

/** The demo model's `decoderLM` options (`vocabSize` comes from the text; `model.config` resolves the rest). */
export const TINY_LM = Object.freeze({
  embedDim: 64,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  mlpDim: 128,
  dropout: 0.1,
  ropeTheta: 10000,
  norm: "rmsNorm",
  activation: "gelu",
});

/** The demo's training settings: batch shape and the AdamW + warmup-cosine schedule. */
export const TRAINING = Object.freeze({ batch: 16, seqLen: 64, peakLr: 3e-3, warmupSteps: 20, endLr: 3e-4, weightDecay: 0.01 });

/** What {@link tinyLMTrainer} trains with and on, as a checkpoint's `raven.training` records it. */
export const RECIPE = Object.freeze({ optimizer: "adamw", schedule: "warmupCosineDecay", text: "sonnets.txt" });

/** `charVocab(text)` is the sorted list of distinct characters of `text` (token id = index). */
export function charVocab(text) {
  return [...new Set(text)].sort();
}

/**
 * `encode(vocab, text)` is the int32 token ids of `text`.
 * @throws InvalidArgumentError naming the characters `vocab` lacks.
 */
export function encode(vocab, text) {
  const index = new Map(vocab.map((c, i) => [c, i]));
  const unknown = [...new Set([...text].filter((c) => !index.has(c)))];
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 8).map((c) => JSON.stringify(c)).join(", ");
    throw new nx.InvalidArgumentError("tinyLM.encode", `the vocabulary has no ${shown}${unknown.length > 8 ? ` and ${unknown.length - 8} more` : ""} (it knows ${vocab.length} characters)`);
  }
  return Int32Array.from(text, (c) => index.get(c));
}

/** `decodeIds(vocab, ids)` is the text of the token ids `ids`. */
export function decodeIds(vocab, ids) {
  return Array.from(ids, (id) => vocab[id] ?? "\uFFFD").join("");
}

/** `unigramEntropy(ids, vocabSize)` is the unigram (character-frequency) entropy of `ids`, in nats: the loss of a model that ignores context. */
export function unigramEntropy(ids, vocabSize) {
  const counts = new Float64Array(vocabSize);
  for (const id of ids) counts[id] += 1;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / ids.length) * Math.log(c / ids.length);
  return h;
}

/** `tinyLMConfig(vocabSize)` is the demo model's `decoderLM` options for a vocabulary of `vocabSize`. */
export function tinyLMConfig(vocabSize) {
  return { vocabSize, ...TINY_LM };
}

/**
 * `tinyLMTrainer(config, { steps, ...TRAINING })` is `{ model, trainer }`: the
 * `decoderLM` of `config` and its AdamW trainer with a warmup-cosine schedule
 * decaying over `steps`.
 */
export function tinyLMTrainer(config, { steps, peakLr = TRAINING.peakLr, warmupSteps = TRAINING.warmupSteps, endLr = TRAINING.endLr, weightDecay = TRAINING.weightDecay }) {
  const model = decoderLM(config);
  const lr = Optim.warmupCosineDecay({ peakValue: peakLr, warmupSteps: Math.min(warmupSteps, steps), decaySteps: steps, endValue: endLr });
  return { model, trainer: Train.make({ model, optimizer: Optim.adamw({ lr, weightDecay }) }) };
}

/**
 * `windowBatch(ids, starts, seqLen)` is the windows of `ids` at `starts`:
 * int32 inputs `x` `[starts.length, seqLen]` and their next-character
 * `labels` (the same windows shifted by one).
 */
export function windowBatch(ids, starts, seqLen) {
  const x = new Int32Array(starts.length * seqLen);
  const y = new Int32Array(starts.length * seqLen);
  starts.forEach((s, b) => {
    x.set(ids.subarray(s, s + seqLen), b * seqLen);
    y.set(ids.subarray(s + 1, s + seqLen + 1), b * seqLen);
  });
  return { x: nx.tensor(x, { shape: [starts.length, seqLen] }), labels: nx.tensor(y, { shape: [starts.length, seqLen] }) };
}

/**
 * `trainingData(ids, { batch, seqLen, seed })` is the demo's training
 * pipeline (kaun-core `Data`), endless: every window of `seqLen + 1` tokens
 * of `ids` (`Data.textWindows` with stride 1: inputs and next-token
 * targets), in a new random order each epoch from `seed` (`shuffle`, the
 * same on every backend), in batches of `batch` (`{ inputs, targets }`,
 * int32 `[batch, seqLen]`; the last, smaller batch of an epoch dropped),
 * epoch after epoch. Bound it with `.take(steps)`; each batch is the
 * consumer's to dispose (`Train.fit` does).
 */
export function trainingData(ids, { batch, seqLen, seed }) {
  return Data.textWindows(ids, { seqLen, stride: 1 }).shuffle(nx.random.key(seed)).batch(batch, { dropLast: true }).repeat();
}

/**
 * `batches(ids, { batch, seqLen, seed })` is {@link trainingData} as an
 * endless stream of steps `{ x, loss, dispose }`: inputs `x` `[batch, seqLen]`,
 * the next-token cross-entropy as `loss`, and `dispose()` to call once the
 * step is taken (for loops that call `Train.step` themselves).
 */
export function* batches(ids, { batch, seqLen, seed }) {
  for (const b of trainingData(ids, { batch, seqLen, seed })) {
    yield { x: b.inputs, loss: (logits) => Loss.crossEntropySparse(logits, b.targets), dispose: () => nx.dispose(b) };
  }
}

/**
 * `checkpointMetadata({ model, vocab, training? })` is the `__metadata__` of
 * a tiny-LM checkpoint: kaun-attention's `modelMetadata(model)` (the model
 * kind and its config) with the character vocabulary under
 * `MODEL_METADATA_KEYS.vocab` and (when given) the training settings under
 * `MODEL_METADATA_KEYS.training`, as JSON.
 */
export function checkpointMetadata({ model, vocab, training }) {
  const extra = { [MODEL_METADATA_KEYS.vocab]: JSON.stringify(vocab) };
  if (training !== undefined) extra[MODEL_METADATA_KEYS.training] = JSON.stringify(training);
  return modelMetadata(model, extra);
}

/**
 * `checkpointBytes(params, { model, vocab, training? })` is the safetensors
 * file of a tiny LM: the tensors of `params` (`decoderLM` params, dotted names
 * such as `blocks.0.attn.q_proj`) with {@link checkpointMetadata}.
 */
export function checkpointBytes(params, info) {
  return Checkpoint.toBytes(params, { metadata: checkpointMetadata(info) });
}

/** `parseJson(fn, key, text)` is the JSON value of metadata entry `key`. @throws InvalidArgumentError naming `fn` when `text` is not JSON. */
function parseJson(fn, key, text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new nx.InvalidArgumentError(fn, `metadata ${JSON.stringify(key)} is not valid JSON`);
  }
}

/**
 * `readCheckpoint(bytes)` is `{ model, vars, config, vocab, training }` for a
 * file written by {@link checkpointBytes}: kaun-attention's
 * `modelFromCheckpoint(bytes, { kind: "decoderLM" })` (the model rebuilt from
 * its config, the weights on the current backend) with the vocabulary and
 * the recorded training settings (`undefined` when absent) read from the
 * metadata.
 * @throws InvalidArgumentError as `modelFromCheckpoint` (a file that is not
 * safetensors, lacks the model description, or whose tensors do not fit it),
 * and naming `tinyLM.readCheckpoint` when the vocabulary is missing, is not
 * a JSON array of single characters or its size differs from `vocabSize`,
 * or the training settings are not JSON; nothing stays loaded then.
 */
export function readCheckpoint(bytes) {
  const fn = "tinyLM.readCheckpoint";
  const { layer, vars, metadata } = modelFromCheckpoint(bytes, { kind: "decoderLM" });
  try {
    const vocab = parseJson(fn, MODEL_METADATA_KEYS.vocab, metadata[MODEL_METADATA_KEYS.vocab] ?? "");
    if (!Array.isArray(vocab) || !vocab.every((c) => typeof c === "string" && [...c].length === 1)) {
      throw new nx.InvalidArgumentError(fn, `metadata ${JSON.stringify(MODEL_METADATA_KEYS.vocab)} must be a JSON array of single characters (token id i is vocab[i])`);
    }
    if (vocab.length !== layer.config.vocabSize) throw new nx.InvalidArgumentError(fn, `the vocabulary has ${vocab.length} characters but the config's vocabSize is ${layer.config.vocabSize}`);
    const trainingText = metadata[MODEL_METADATA_KEYS.training];
    const training = trainingText === undefined ? undefined : parseJson(fn, MODEL_METADATA_KEYS.training, trainingText);
    return { model: layer, vars, config: layer.config, vocab, training };
  } catch (e) {
    nx.dispose(vars.params);
    throw e;
  }
}
