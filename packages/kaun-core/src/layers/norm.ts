/** Normalisation layers. */
import { layerNorm as fnLayerNorm, rmsNorm as fnRmsNorm } from "../fn/norm.js";
import type { Layer } from "../layer.js";
import { ones, zeros } from "../init.js";
import { checkModelInput, checkNonNegative, checkOptions, checkPositiveInt, checkSameDevice } from "../util.js";
import { checkLastAxis, initParams, param } from "./params.js";

/** Options of {@link layerNorm}. */
export interface LayerNormLayerOptions {
  /** The size of the normalised last axis. */
  readonly dim: number;
  /** Added to the variance; defaults to 1e-5. */
  readonly eps?: number;
}

/**
 * `layerNorm({ dim, eps? })` is layer normalisation over the last axis with a
 * learned affine map: `(x - mean) / sqrt(var + eps) * gamma + beta` (biased
 * variance). Input and output `[..., dim]`. `eps` defaults to 1e-5.
 *
 * Parameters: `gamma` `[dim]` (initialised to ones), `beta` `[dim]` (zeros).
 * @throws InvalidArgumentError when `dim` is not a positive integer or `eps`
 * is negative or `options` is not an object; from `init`, when `dim` is more
 * than the backend holds; when applied, when the input is not a live tensor
 * of the model's dtype, its last axis is not `dim`, or it lives on another
 * backend than the params.
 */
export function layerNorm(options: LayerNormLayerOptions): Layer {
  const fn = "Layer.layerNorm";
  const dim = checkPositiveInt(fn, "dim", checkOptions(fn, options, "{ dim }", ["dim", "eps"]).dim);
  const eps = checkNonNegative(fn, "eps", options.eps ?? 1e-5);
  return {
    init: ({ dtype }) => ({ params: initParams(fn, dtype, { gamma: [[dim], ones], beta: [[dim], zeros] }), state: {}, dtype }),
    apply: ({ params, state, dtype }, x) => {
      checkModelInput(fn, x, dtype);
      checkLastAxis(fn, x, dim, "dim");
      const gamma = param(fn, params, "gamma", dtype, [dim]);
      const beta = param(fn, params, "beta", dtype, [dim]);
      checkSameDevice(fn, [x, gamma, beta]);
      return [fnLayerNorm(x, { eps, gamma, beta }), state];
    },
  };
}

/** Options of {@link rmsNorm}. */
export interface RmsNormLayerOptions {
  /** The size of the normalised last axis. */
  readonly dim: number;
  /** Added to the mean square; defaults to 1e-6. */
  readonly eps?: number;
}

/**
 * `rmsNorm({ dim, eps? })` is RMS normalisation over the last axis with a
 * learned scale: `x / sqrt(mean(x²) + eps) * scale`. Input and output
 * `[..., dim]`. `eps` defaults to 1e-6.
 *
 * Parameters: `scale` `[dim]` (initialised to ones).
 * @throws InvalidArgumentError as {@link layerNorm}.
 */
export function rmsNorm(options: RmsNormLayerOptions): Layer {
  const fn = "Layer.rmsNorm";
  const dim = checkPositiveInt(fn, "dim", checkOptions(fn, options, "{ dim }", ["dim", "eps"]).dim);
  const eps = checkNonNegative(fn, "eps", options.eps ?? 1e-6);
  return {
    init: ({ dtype }) => ({ params: initParams(fn, dtype, { scale: [[dim], ones] }), state: {}, dtype }),
    apply: ({ params, state, dtype }, x) => {
      checkModelInput(fn, x, dtype);
      checkLastAxis(fn, x, dim, "dim");
      const scale = param(fn, params, "scale", dtype, [dim]);
      checkSameDevice(fn, [x, scale]);
      return [fnRmsNorm(x, { eps, gamma: scale }), state];
    },
  };
}
