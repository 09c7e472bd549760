/**
 * `Data`: lazy input pipelines for training and evaluation, in the spirit of
 * tf.data, Grain and PyTorch's `DataLoader`:
 *
 * ```ts
 * const train = Data.textWindows(ids, { seqLen: 64, stride: 1 })
 *   .shuffle(nx.random.key(0))      // a new order each epoch, reproducible
 *   .batch(16, { dropLast: true })  // { inputs: [16, 64], targets: [16, 64] }
 *   .repeat()                       // endless epochs ...
 *   .take(1000);                    // ... bounded to 1000 batches
 * Train.fit(trainer, state, train, { loss: Loss.crossEntropySparse });
 * ```
 *
 * Sources: {@link ofTensors} (rows of a tree of tensors) and
 * {@link textWindows} (next-token windows of token ids). Stages:
 * `shuffle`, `batch`, `map`, `take`, `repeat`, and `epoch(e)` to run one
 * epoch (see {@link Dataset} for epochs and who disposes what).
 */
export type { BatchOptions } from "./dataset.js";
export { Dataset, isDataset } from "./dataset.js";
export type { TextWindow, TextWindowsOptions } from "./sources.js";
export { ofTensors, textWindows } from "./sources.js";
