/**
 * A few training steps of a small `decoderLM` on the current backend, shared
 * by the Node tests and the headless-Chromium page: the model (two blocks,
 * width 16, GQA, RoPE, dropout, RMSNorm, GELU), AdamW, and fixed batches of
 * a short repeating token sequence. One step builds about 180 distinct
 * kernels on the gpujs backend (one per op and shape signature), more
 * than the ~125 WebAssembly memories a Chromium renderer may hold at once.
 */
import * as nx from "@raven-ts/nx";
import { Loss, Optim, Rng, Train } from "@raven-ts/kaun-core";
import { decoderLM } from "@raven-ts/kaun-attention";

/** The model's vocabulary size. */
const VOCAB = 12;
/** Batch rows and tokens per row. */
const BATCH = 4;
const SEQ = 8;

/** `tokens(offset)` is the `[BATCH, SEQ]` int32 tokens of a fixed sequence starting `offset` tokens in. */
function tokens(offset: number): nx.Tensor {
  const ids = Int32Array.from({ length: BATCH * SEQ }, (_, i) => {
    const t = Math.floor(i / SEQ) * (SEQ + 1) + (i % SEQ) + offset;
    return (t * 7 + (t >> 3)) % VOCAB;
  });
  return nx.tensor(ids, { shape: [BATCH, SEQ] });
}

/**
 * `trainSmallDecoder(steps, losses)` initialises the model from seed 0 on
 * the current backend, trains it for `steps` steps (dropout keys from
 * seed 1), appending the loss of each step to `losses` (so a caller keeps
 * them when a step throws), and returns `losses`. It releases everything it
 * made.
 */
export function trainSmallDecoder(steps: number, losses: number[] = []): number[] {
  const model = decoderLM({ vocabSize: VOCAB, embedDim: 16, numLayers: 2, numHeads: 4, numKvHeads: 2, mlpDim: 32, dropout: 0.1, norm: "rmsNorm", activation: "gelu" });
  const trainer = Train.make({ model, optimizer: Optim.adamw({ lr: 1e-2, weightDecay: 0.01 }) });
  let state = Rng.run(0, () => Train.init(trainer, { dtype: "float32" }));
  const x = tokens(0);
  const labels = tokens(1);
  try {
    Rng.run(1, () => {
      for (let i = 0; i < steps; i++) {
        const [loss, next] = Train.step(trainer, state, x, { loss: (logits) => Loss.crossEntropySparse(logits, labels) });
        Train.disposeStale(state, next);
        state = next;
        losses.push(loss.item() as number);
        loss.dispose();
      }
    });
  } finally {
    nx.dispose([x, labels, state]);
  }
  return losses;
}
