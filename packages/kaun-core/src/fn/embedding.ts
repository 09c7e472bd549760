/** Embedding lookup. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { checkBool, checkFloatTensor, checkTensor, fail, shapeStr } from "../util.js";

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
 * negative or not below `vocabSize` (naming the first such index and its position).
 */
export function embedding(indices: Tensor, options: EmbeddingOptions): Tensor {
  const fn = "Fn.embedding";
  const idx = checkTensor(fn, "indices", indices);
  if (idx.dtype !== "int32") throw fail(fn, `indices must be an int32 tensor, got ${idx.dtype} ${shapeStr(idx.shape)}`);
  if (typeof options !== "object" || options === null) throw fail(fn, "options { embedding } are required");
  const table = checkFloatTensor(fn, "embedding", options.embedding);
  if (table.ndim !== 2 || (table.shape[0] as number) < 1) throw fail(fn, `embedding must be a [vocabSize, embedDim] table with vocabSize >= 1, got shape ${shapeStr(table.shape)}`);
  const scale = checkBool(fn, "scale", options.scale ?? true);
  const vocab = table.shape[0] as number;
  const ids = idx.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id < 0 || id >= vocab) throw fail(fn, `index ${id} at flat position ${i} of indices ${shapeStr(idx.shape)} is out of range for a vocabulary of ${vocab}`);
  }
  const rows = nx.take(table, idx, { axis: 0 });
  return scale ? nx.mul(rows, Math.sqrt(table.shape[1] as number)) : rows;
}
