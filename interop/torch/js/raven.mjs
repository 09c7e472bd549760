// The raven-ts side of the hand-off. Checkpoints carry their model's configuration
// through kaun-attention's modelMetadata / modelFromCheckpoint (raven_torch.checkpoint
// reads and writes the same metadata); what is left here is the loss both sides compare.
import * as nx from "@raven-ts/nx";
import { Layer, Loss } from "@raven-ts/kaun-core";
// The demo's batches (packages/kaun-attention/examples).
import { windowBatch } from "../../../packages/kaun-attention/examples/tiny-lm.mjs";

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
