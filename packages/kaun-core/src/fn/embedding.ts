/** Embedding lookup. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { checkBool, checkFloatTensor, checkOptions, checkSameDevice, checkTensor, fail } from "../util.js";

/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /** The table, `[vocabSize, embedDim]`, float. */
  readonly embedding: Tensor;
  /** Whether the rows are multiplied by `sqrt(embedDim)`; defaults to true (as Kaun). */
  readonly scale?: boolean;
}

/**
 * `embedding(indices, { embedding, scale? })` gathers the rows of the table
 * `embedding` (`[vocabSize, embedDim]`) at the int32 `indices`: the result
 * has shape `[...indices.shape, embedDim]` and the table's dtype, multiplied
 * by `sqrt(embedDim)` when `scale`. The indices are read back to the host
 * and checked, so an out-of-range id is an error rather than a silently
 * clamped row. Differentiable with respect to the table.
 * @throws InvalidArgumentError when `indices` is not an int32 tensor, the
 * table is not a rank-2 float tensor with at least one row, or an index is
 * negative or not below `vocabSize` (naming the first such index and its
 * position), `options` is not an object, or the indices and the table live on
 * different backends.
 */
export function embedding(indices: Tensor, options: EmbeddingOptions): Tensor {
  const fn = "Fn.embedding";
  const idx = checkTensor(fn, "indices", indices);
  if (idx.dtype !== "int32") throw fail(fn, `indices must be an int32 tensor, got ${idx.dtype} ${nx.fmtShape(idx.shape)}`);
  const table = checkFloatTensor(fn, "embedding", checkOptions(fn, options, "{ embedding }", ["embedding", "scale"]).embedding);
  if (table.ndim !== 2 || (table.shape[0] as number) < 1) throw fail(fn, `embedding must be a [vocabSize, embedDim] table with vocabSize >= 1, got shape ${nx.fmtShape(table.shape)}`);
  const scale = checkBool(fn, "scale", options.scale, true);
  return lookup(fn, idx, table, scale);
}

/**
 * `lookup(fn, ids, table, scale)` is {@link embedding} of checked arguments:
 * it checks the ids' range and the tensors' backend, naming `fn` (the
 * function the user called) in errors.
 */
export function lookup(fn: string, idx: Tensor, table: Tensor, scale: boolean): Tensor {
  checkSameDevice(fn, [idx, table]);
  const vocab = table.shape[0] as number;
  const ids = idx.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id < 0 || id >= vocab) throw fail(fn, `index ${id} at flat position ${i} of indices ${nx.fmtShape(idx.shape)} is out of range for a vocabulary of ${vocab}`);
  }
  return nx.tidy(() => {
    const rows = nx.take(table, idx, { axis: 0 });
    return scale ? nx.mul(rows, Math.sqrt(table.shape[1] as number)) : rows;
  });
}
