/** The dropout layer. */
import { dropout as fnDropout } from "../fn/dropout.js";
import type { Layer } from "../layer.js";
import { checkModelInput, checkOptions, checkRate } from "../util.js";

/** Options of {@link dropout}. */
export interface DropoutLayerOptions {
  /** The probability of zeroing an element, in `[0, 1)`. */
  readonly rate: number;
}

/**
 * `dropout({ rate })` is inverted dropout: with `training: true` and
 * `rate > 0`, each element is zeroed with probability `rate` and the others
 * scaled by `1 / (1 - rate)`, the mask drawn with a key from the implicit
 * `Rng` scope; with `training: false` it is the identity (and draws no key).
 * Shape preserved; no parameters.
 * @throws InvalidArgumentError when `rate` is not in `[0, 1)`; when applied, when the input's dtype is not the model's.
 */
export function dropout(options: DropoutLayerOptions): Layer {
  const fn = "Layer.dropout";
  const rate = checkRate(fn, "rate", checkOptions(fn, options, "{ rate }", ["rate"]).rate);
  return {
    init: ({ dtype }) => ({ params: {}, state: {}, dtype }),
    apply: ({ state, dtype, training }, x) => {
      checkModelInput(fn, x, dtype);
      return [training && rate > 0 ? fnDropout(x, { rate }) : x, state];
    },
  };
}
