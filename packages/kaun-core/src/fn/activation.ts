/**
 * Elementwise activations on float tensors. Each preserves its argument's
 * shape and dtype, is differentiable through `@raven-ts/rune`, and releases
 * its intermediate tensors before returning (only the result stays live).
 */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { checkFloatTensor } from "../util.js";

/** `relu(x)` is `max(x, 0)` (its derivative at 0 is taken as 0, as PyTorch). @throws InvalidArgumentError when `x` is not a float tensor. */
export function relu(x: Tensor): Tensor {
  checkFloatTensor("Fn.relu", "x", x);
  return nx.tidy(() => nx.where(nx.greater(x, 0), x, 0));
}

/** `gelu(x)` is the exact Gaussian error linear unit `0.5 * x * (1 + erf(x / sqrt 2))` (PyTorch's default `GELU()`). @throws InvalidArgumentError when `x` is not a float tensor. */
export function gelu(x: Tensor): Tensor {
  checkFloatTensor("Fn.gelu", "x", x);
  return nx.tidy(() => nx.mul(nx.mul(x, 0.5), nx.add(nx.erf(nx.mul(x, Math.SQRT1_2)), 1)));
}

/** `geluApprox(x)` is the tanh approximation `0.5 * x * (1 + tanh(sqrt(2/π) * (x + 0.044715 x³)))` (GPT-2's). @throws InvalidArgumentError when `x` is not a float tensor. */
export function geluApprox(x: Tensor): Tensor {
  checkFloatTensor("Fn.geluApprox", "x", x);
  return nx.tidy(() => {
    const inner = nx.mul(nx.add(x, nx.mul(nx.mul(nx.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return nx.mul(nx.mul(x, 0.5), nx.add(nx.tanh(inner), 1));
  });
}

/** `silu(x)` is `x * sigmoid(x)` (Swish). @throws InvalidArgumentError when `x` is not a float tensor. */
export function silu(x: Tensor): Tensor {
  checkFloatTensor("Fn.silu", "x", x);
  return nx.tidy(() => nx.mul(x, nx.sigmoid(x)));
}

/** `sigmoid(x)` is `1 / (1 + exp(-x))`, without overflow for large `|x|`. @throws InvalidArgumentError when `x` is not a float tensor. */
export function sigmoid(x: Tensor): Tensor {
  checkFloatTensor("Fn.sigmoid", "x", x);
  return nx.sigmoid(x);
}

/** `tanh(x)` is the hyperbolic tangent. @throws InvalidArgumentError when `x` is not a float tensor. */
export function tanh(x: Tensor): Tensor {
  checkFloatTensor("Fn.tanh", "x", x);
  return nx.tanh(x);
}

/**
 * `softplus(x)` is `log(1 + exp(x))`, computed without overflow (`x + log1p(exp(-x))`
 * for `x ≥ 0`, `log1p(exp(x))` below) and with finite gradients everywhere.
 * @throws InvalidArgumentError when `x` is not a float tensor.
 */
export function softplus(x: Tensor): Tensor {
  checkFloatTensor("Fn.softplus", "x", x);
  return nx.tidy(() => {
    const pos = nx.greaterEqual(x, 0);
    // Each branch only ever sees inputs where it is finite, so neither value nor gradient overflows.
    const xp = nx.where(pos, x, 0);
    const xn = nx.where(pos, 0, x);
    return nx.where(pos, nx.add(xp, nx.log1p(nx.exp(nx.neg(xp)))), nx.log1p(nx.exp(xn)));
  });
}
