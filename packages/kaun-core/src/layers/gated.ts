/** Gated MLP layers: GLU, SwiGLU (LLaMA's MLP) and GeGLU. */
import * as nx from "@raven-ts/nx";
import type { GateKind } from "../fn/gated.js";
import { gatedMlp } from "../fn/gated.js";
import type { Initializer } from "../init.js";
import { glorotUniform } from "../init.js";
import type { Layer } from "../layer.js";
import { checkFunction, checkModelInput, checkOptions, checkPositiveInt, checkSameDevice } from "../util.js";
import { checkLastAxis, initParams, param } from "./params.js";

/** Options of {@link glu}, {@link swiglu} and {@link geglu}. */
export interface GatedMlpOptions {
  /** The size of the input's last axis. */
  readonly inFeatures: number;
  /** The width of the gated hidden layer. */
  readonly hiddenFeatures: number;
  /** The size of the output's last axis; defaults to `inFeatures`. */
  readonly outFeatures?: number;
  /** The initialiser of the three matrices; defaults to `Init.glorotUniform()`. */
  readonly weightInit?: Initializer;
}

function gatedLayer(fn: string, kind: GateKind, options: GatedMlpOptions): Layer {
  checkOptions(fn, options, "{ inFeatures, hiddenFeatures }", ["inFeatures", "hiddenFeatures", "outFeatures", "weightInit"]);
  const inF = checkPositiveInt(fn, "inFeatures", options.inFeatures);
  const hidden = checkPositiveInt(fn, "hiddenFeatures", options.hiddenFeatures);
  const outF = checkPositiveInt(fn, "outFeatures", options.outFeatures ?? inF);
  const init = checkFunction(fn, "weightInit", options.weightInit ?? glorotUniform());
  return {
    init: ({ dtype }) => ({
      params: initParams(fn, dtype, { gate_proj: [[inF, hidden], init], up_proj: [[inF, hidden], init], down_proj: [[hidden, outF], init] }),
      state: {},
      dtype,
    }),
    apply: ({ params, state, dtype }, x) => {
      checkModelInput(fn, x, dtype);
      checkLastAxis(fn, x, inF, "inFeatures");
      const weights = {
        gate_proj: param(fn, params, "gate_proj", dtype, [inF, hidden]),
        up_proj: param(fn, params, "up_proj", dtype, [inF, hidden]),
        down_proj: param(fn, params, "down_proj", dtype, [hidden, outF]),
      };
      checkSameDevice(fn, [x, weights.gate_proj, weights.up_proj, weights.down_proj]);
      return [nx.tidy(() => gatedMlp(kind, x, weights)), state];
    },
  };
}

/**
 * `glu({ inFeatures, hiddenFeatures, outFeatures?, weightInit? })` is the
 * GLU MLP `(sigmoid(x @ gate_proj) * (x @ up_proj)) @ down_proj` (`Fn.glu`)
 * on the last axis: input `[..., inFeatures]`, output `[..., outFeatures]`.
 * Parameters (no biases, as Shazeer's and LLaMA's): `gate_proj` and
 * `up_proj` `[inFeatures, hiddenFeatures]`, `down_proj` `[hiddenFeatures, outFeatures]`.
 * `outFeatures` defaults to `inFeatures`; `weightInit` to `Init.glorotUniform()`.
 * @throws InvalidArgumentError when a size is not a positive integer, the
 * initialiser is not a function, or an option is unknown; from `init`, when a
 * parameter is more than the backend holds; when applied, when the input's
 * dtype is not the model's, its last axis is not `inFeatures`, a parameter is
 * missing or misshapen, or it lives on another backend than the params.
 */
export function glu(options: GatedMlpOptions): Layer {
  return gatedLayer("Layer.glu", "glu", options);
}

/**
 * `swiglu({ inFeatures, hiddenFeatures, outFeatures?, weightInit? })` is
 * LLaMA's MLP, `(silu(x @ gate_proj) * (x @ up_proj)) @ down_proj`
 * (`Fn.swiglu`), with the parameters, shapes and defaults of {@link glu}
 * (Hugging Face's LLaMA names: `mlp.gate_proj`, `mlp.up_proj`,
 * `mlp.down_proj`, whose `weight`s are these matrices transposed).
 * @throws InvalidArgumentError as {@link glu}.
 */
export function swiglu(options: GatedMlpOptions): Layer {
  return gatedLayer("Layer.swiglu", "swiglu", options);
}

/**
 * `geglu({ inFeatures, hiddenFeatures, outFeatures?, weightInit? })` is the
 * GeGLU MLP, `(gelu(x @ gate_proj) * (x @ up_proj)) @ down_proj` with the
 * exact GELU (`Fn.geglu`), with the parameters, shapes and defaults of {@link glu}.
 * @throws InvalidArgumentError as {@link glu}.
 */
export function geglu(options: GatedMlpOptions): Layer {
  return gatedLayer("Layer.geglu", "geglu", options);
}
