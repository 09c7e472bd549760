/** The embedding layer. */
import { fmtShape } from "@raven-ts/nx";
import { lookup } from "../fn/embedding.js";
import { normal } from "../init.js";
import type { Layer } from "../layer.js";
import { checkBool, checkOptions, checkPositiveInt, checkTensor, fail } from "../util.js";
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
 * `scale` is not a boolean or `options` is not an object; from `init`, when
 * the table is more than the backend holds; when applied, when the input is
 * not a live int32 tensor, an id is out of range, or the input and the table
 * live on different backends.
 */
export function embedding(options: EmbeddingLayerOptions): Layer<"int32", "float"> {
  const fn = "Layer.embedding";
  checkOptions(fn, options, "{ vocabSize, embedDim }", ["vocabSize", "embedDim", "scale"]);
  const vocab = checkPositiveInt(fn, "vocabSize", options.vocabSize);
  const dim = checkPositiveInt(fn, "embedDim", options.embedDim);
  const scale = checkBool(fn, "scale", options.scale, true);
  const init = normal({ stddev: 0.02 });
  return {
    init: ({ dtype }) => ({ params: initParams(fn, dtype, { embedding: [[vocab, dim], init] }), state: {}, dtype }),
    apply: ({ params, state, dtype }, x) => {
      const ids = checkTensor(fn, "input", x);
      if (ids.dtype !== "int32") throw fail(fn, `input must be int32 token ids, got ${ids.dtype} ${fmtShape(ids.shape)}`);
      const table = param(fn, params, "embedding", dtype, [vocab, dim]);
      return [lookup(fn, ids, table, scale), state];
    },
  };
}
