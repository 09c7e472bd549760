/** The embedding layer. */
import { embedding as fnEmbedding } from "../fn/embedding.js";
import { normal } from "../init.js";
import type { Layer } from "../layer.js";
import { checkBool, checkPositiveInt, checkTensor, fail, shapeStr } from "../util.js";
import { initParams, param } from "./params.js";

/** Options of {@link embedding}. */
export interface EmbeddingLayerOptions {
  /** The number of rows (token ids `0 .. vocabSize-1`). */
  readonly vocabSize: number;
  /** The size of each row. */
  readonly embedDim: number;
  /** Whether rows are multiplied by `sqrt(embedDim)`; defaults to true (as Kaun). */
  readonly scale?: boolean;
}

/**
 * `embedding({ vocabSize, embedDim, scale? })` looks up int32 token ids:
 * input `[...]` (int32), output `[..., embedDim]` in the model's dtype, each
 * row multiplied by `sqrt(embedDim)` when `scale`. `scale` defaults to true.
 *
 * Parameters: `embedding` `[vocabSize, embedDim]`, initialised from `N(0, 0.02²)`.
 * @throws InvalidArgumentError when a size is not a positive integer or
 * `scale` is not a boolean; from `init`, when the table is more than the
 * backend holds; when applied, when the input is not int32 or an id is out of range.
 */
export function embedding(options: EmbeddingLayerOptions): Layer<"int32", "float"> {
  const fn = "Layer.embedding";
  if (typeof options !== "object" || options === null) throw fail(fn, "options { vocabSize, embedDim } are required");
  const vocab = checkPositiveInt(fn, "vocabSize", options.vocabSize);
  const dim = checkPositiveInt(fn, "embedDim", options.embedDim);
  const scale = checkBool(fn, "scale", options.scale ?? true);
  const init = normal({ stddev: 0.02 });
  return {
    init: ({ dtype }) => ({ params: initParams(fn, dtype, { embedding: [[vocab, dim], init] }), state: {}, dtype }),
    apply: ({ params, state, dtype }, x) => {
      const ids = checkTensor(fn, "input", x);
      if (ids.dtype !== "int32") throw fail(fn, `input must be int32 token ids, got ${ids.dtype} ${shapeStr(ids.shape)}`);
      const table = param(fn, params, "embedding", dtype, [vocab, dim]);
      return [fnEmbedding(ids, { embedding: table, scale }), state];
    },
  };
}
