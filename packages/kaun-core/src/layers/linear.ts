/** The dense layer. */
import * as nx from "@raven-ts/nx";
import type { Initializer } from "../init.js";
import { glorotUniform, zeros } from "../init.js";
import type { Layer } from "../layer.js";
import { checkFunction, checkModelInput, checkOptions, checkPositiveInt, checkSameDevice } from "../util.js";
import { checkLastAxis, initParams, param } from "./params.js";

/** Options of {@link linear}. */
export interface LinearOptions {
  /** The size of the input's last axis. */
  readonly inFeatures: number;
  /** The size of the output's last axis. */
  readonly outFeatures: number;
  /** The initialiser of `weight`; defaults to `Init.glorotUniform()`. */
  readonly weightInit?: Initializer;
  /** The initialiser of `bias`; defaults to `Init.zeros`. */
  readonly biasInit?: Initializer;
}

/**
 * `linear({ inFeatures, outFeatures, weightInit?, biasInit? })` is the fully
 * connected map `y = x @ weight + bias` on the last axis: input
 * `[..., inFeatures]`, output `[..., outFeatures]`.
 * `weightInit` defaults to `Init.glorotUniform()`. `biasInit` defaults to `Init.zeros`.
 *
 * Parameters: `weight` `[inFeatures, outFeatures]`, `bias` `[outFeatures]`.
 * @throws InvalidArgumentError when a size is not a positive integer or an
 * initialiser is not a function; from `init`, when a parameter is more than
 * the backend holds (before any is made); when applied, when the input's
 * dtype is not the model's, its last axis is not `inFeatures`, or it lives on
 * another backend than the params.
 */
export function linear(options: LinearOptions): Layer {
  const fn = "Layer.linear";
  checkOptions(fn, options, "{ inFeatures, outFeatures }", ["inFeatures", "outFeatures", "weightInit", "biasInit"]);
  const inF = checkPositiveInt(fn, "inFeatures", options.inFeatures);
  const outF = checkPositiveInt(fn, "outFeatures", options.outFeatures);
  const weightInit = checkFunction(fn, "weightInit", options.weightInit ?? glorotUniform());
  const biasInit = checkFunction(fn, "biasInit", options.biasInit ?? zeros);
  return {
    init: ({ dtype }) => ({
      params: initParams(fn, dtype, { weight: [[inF, outF], weightInit], bias: [[outF], biasInit] }),
      state: {},
      dtype,
    }),
    apply: ({ params, state, dtype }, x) => {
      checkModelInput(fn, x, dtype);
      checkLastAxis(fn, x, inF, "inFeatures");
      const weight = param(fn, params, "weight", dtype, [inF, outF]);
      const bias = param(fn, params, "bias", dtype, [outF]);
      checkSameDevice(fn, [x, weight, bias]);
      return [nx.tidy(() => nx.add(nx.matmul(x, weight), bias)), state];
    },
  };
}
