/**
 * The demo's recipe (model and training settings, character tokenizer,
 * batches, trainer, checkpoint format) and its training text, shared with
 * `pnpm demo` so a model trained here and one trained there are the same kind.
 */
export * from "../../../../packages/kaun-attention/examples/char-lm.mjs";
import sonnets from "../../../../packages/kaun-attention/examples/data/sonnets.txt?raw";

/** Nine of Shakespeare's sonnets (public domain): the text the Train panel learns. */
export const TRAINING_TEXT: string = sonnets;
