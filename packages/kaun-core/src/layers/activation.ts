/** Parameterless layers: activations and flatten. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import * as A from "../fn/activation.js";
import type { Layer } from "../layer.js";
import type { EluOptions, HardSigmoidOptions, LeakyReluOptions } from "../fn/activation.js";
import { checkModelInput, fail } from "../util.js";

function pointwise(fn: string, f: (x: Tensor) => Tensor): Layer {
  return {
    init: ({ dtype }) => ({ params: {}, state: {}, dtype }),
    apply: ({ state, dtype }, x) => [f(checkModelInput(fn, x, dtype)), state],
  };
}

/** `relu()` is the layer `max(x, 0)`. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const relu = (): Layer => pointwise("Layer.relu", A.relu);
/** `gelu()` is the layer of the exact GELU `0.5 x (1 + erf(x / sqrt 2))`. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const gelu = (): Layer => pointwise("Layer.gelu", A.gelu);
/** `silu()` is the layer `x * sigmoid(x)`. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const silu = (): Layer => pointwise("Layer.silu", A.silu);
/** `tanh()` is the layer `tanh(x)`. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const tanh = (): Layer => pointwise("Layer.tanh", A.tanh);
/** `sigmoid()` is the layer `1 / (1 + exp(-x))`. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const sigmoid = (): Layer => pointwise("Layer.sigmoid", A.sigmoid);

/** `relu6()` is the layer `min(max(x, 0), 6)`. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const relu6 = (): Layer => pointwise("Layer.relu6", A.relu6);
/** `selu()` is the layer `Fn.selu` (scaled ELU with the self-normalising constants). No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const selu = (): Layer => pointwise("Layer.selu", A.selu);
/** `mish()` is the layer `x * tanh(softplus(x))`. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const mish = (): Layer => pointwise("Layer.mish", A.mish);
/** `hardSwish()` is the layer `x * relu6(x + 3) / 6`. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const hardSwish = (): Layer => pointwise("Layer.hardSwish", A.hardSwish);
/** `softsign()` is the layer `x / (1 + |x|)`. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const softsign = (): Layer => pointwise("Layer.softsign", A.softsign);
/** `logSigmoid()` is the layer `log(sigmoid(x))`, computed stably. No parameters. @throws InvalidArgumentError when applied to an input whose dtype is not the model's. */
export const logSigmoid = (): Layer => pointwise("Layer.logSigmoid", A.logSigmoid);

/**
 * `leakyRelu({ negativeSlope? })` is the layer `Fn.leakyRelu` (`x` for
 * `x > 0`, `negativeSlope * x` elsewhere). No parameters. `negativeSlope` defaults to 0.01.
 * @throws InvalidArgumentError when `negativeSlope` is not finite or an option is unknown; when applied, as the other activations.
 */
export function leakyRelu(options?: LeakyReluOptions): Layer {
  const fn = "Layer.leakyRelu";
  const checked = A.leakyReluOptions(fn, options);
  return pointwise(fn, (x) => A.leakyRelu(x, checked));
}

/**
 * `elu({ alpha? })` is the layer `Fn.elu` (`x` for `x > 0`, `alpha (exp(x) - 1)`
 * elsewhere). No parameters. `alpha` defaults to 1.
 * @throws InvalidArgumentError when `alpha` is not finite or an option is unknown; when applied, as the other activations.
 */
export function elu(options?: EluOptions): Layer {
  const fn = "Layer.elu";
  const checked = A.eluOptions(fn, options, false);
  return pointwise(fn, (x) => A.elu(x, checked));
}

/**
 * `celu({ alpha? })` is the layer `Fn.celu` (`max(0, x) + min(0, alpha (exp(x / alpha) - 1))`).
 * No parameters. `alpha` defaults to 1.
 * @throws InvalidArgumentError when `alpha` is 0 or not finite or an option is unknown; when applied, as the other activations.
 */
export function celu(options?: EluOptions): Layer {
  const fn = "Layer.celu";
  const checked = A.eluOptions(fn, options, true);
  return pointwise(fn, (x) => A.celu(x, checked));
}

/**
 * `hardSigmoid({ alpha?, beta? })` is the layer `Fn.hardSigmoid`
 * (`max(0, min(1, alpha x + beta))`). No parameters. `alpha` defaults to
 * 1/6 and `beta` to 0.5 (PyTorch's `Hardsigmoid`).
 * @throws InvalidArgumentError when a value is not finite or an option is unknown; when applied, as the other activations.
 */
export function hardSigmoid(options?: HardSigmoidOptions): Layer {
  const fn = "Layer.hardSigmoid";
  const checked = A.hardSigmoidOptions(fn, options);
  return pointwise(fn, (x) => A.hardSigmoid(x, checked));
}

/**
 * `flatten()` is the layer that keeps the first (batch) axis and flattens the
 * rest: `[batch, d1, ..., dn]` becomes `[batch, d1 * ... * dn]` (`[batch]`
 * becomes `[batch, 1]`). No parameters.
 * @throws InvalidArgumentError when applied to a rank-0 input or one whose dtype is not the model's.
 */
export function flatten(): Layer {
  const fn = "Layer.flatten";
  return pointwise(fn, (x) => {
    if (x.ndim === 0) throw fail(fn, `input must have a batch axis, got shape ${nx.fmtShape(x.shape)}`);
    const rest = x.shape.slice(1).reduce((a, b) => a * b, 1);
    return nx.reshape(x, [x.shape[0] as number, rest]);
  });
}
