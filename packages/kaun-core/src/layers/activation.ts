/** Parameterless layers: activations and flatten. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import * as A from "../fn/activation.js";
import type { Layer } from "../layer.js";
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
