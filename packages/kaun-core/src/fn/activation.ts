/**
 * Elementwise activations on float tensors. Each preserves its argument's
 * shape and dtype, is differentiable through `@raven-ts/rune`, and releases
 * its intermediate tensors before returning (only the result stays live).
 */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { checkFinite, checkFloatTensor, fail, optionalOptions } from "../util.js";

/** `relu(x)` is `max(x, 0)` (its derivative at 0 is taken as 0, as PyTorch). @throws InvalidArgumentError when `x` is not a float tensor. */
export function relu(x: Tensor): Tensor {
  checkFloatTensor("Fn.relu", "x", x);
  return nx.tidy(() => nx.where(nx.greater(x, 0), x, 0));
}

/** `geluOf(x)` is the exact GELU of a checked tensor (the caller tidies). Internal. */
export function geluOf(x: Tensor): Tensor {
  return nx.mul(nx.mul(x, 0.5), nx.add(nx.erf(nx.mul(x, Math.SQRT1_2)), 1));
}

/** `gelu(x)` is the exact Gaussian error linear unit `0.5 * x * (1 + erf(x / sqrt 2))` (PyTorch's default `GELU()`). @throws InvalidArgumentError when `x` is not a float tensor. */
export function gelu(x: Tensor): Tensor {
  checkFloatTensor("Fn.gelu", "x", x);
  return nx.tidy(() => geluOf(x));
}

/** `geluApprox(x)` is the tanh approximation `0.5 * x * (1 + tanh(sqrt(2/π) * (x + 0.044715 x³)))` (GPT-2's). @throws InvalidArgumentError when `x` is not a float tensor. */
export function geluApprox(x: Tensor): Tensor {
  checkFloatTensor("Fn.geluApprox", "x", x);
  return nx.tidy(() => {
    const inner = nx.mul(nx.add(x, nx.mul(nx.mul(nx.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return nx.mul(nx.mul(x, 0.5), nx.add(nx.tanh(inner), 1));
  });
}

/** `siluOf(x)` is `x * sigmoid(x)` of a checked tensor (the caller tidies). Internal. */
export function siluOf(x: Tensor): Tensor {
  return nx.mul(x, nx.sigmoid(x));
}

/** `silu(x)` is `x * sigmoid(x)` (Swish). @throws InvalidArgumentError when `x` is not a float tensor. */
export function silu(x: Tensor): Tensor {
  checkFloatTensor("Fn.silu", "x", x);
  return nx.tidy(() => siluOf(x));
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

/** `softplusOf(x)` is `log(1 + exp(x))` without overflow and with finite gradients (the caller tidies). */
function softplusOf(x: Tensor): Tensor {
  const pos = nx.greaterEqual(x, 0);
  // Each branch only ever sees inputs where it is finite, so neither value nor gradient overflows.
  const xp = nx.where(pos, x, 0);
  const xn = nx.where(pos, 0, x);
  return nx.where(pos, nx.add(xp, nx.log1p(nx.exp(nx.neg(xp)))), nx.log1p(nx.exp(xn)));
}

/**
 * `softplus(x)` is `log(1 + exp(x))`, computed without overflow (`x + log1p(exp(-x))`
 * for `x ≥ 0`, `log1p(exp(x))` below) and with finite gradients everywhere.
 * @throws InvalidArgumentError when `x` is not a float tensor.
 */
export function softplus(x: Tensor): Tensor {
  checkFloatTensor("Fn.softplus", "x", x);
  return nx.tidy(() => softplusOf(x));
}

/**
 * `logSigmoid(x)` is `log(sigmoid(x)) = -softplus(-x)` (PyTorch's
 * `logsigmoid`), computed without overflow or `log(0)`: about `x` for very
 * negative `x`, about `-exp(-x)` for large `x`; its gradient is `sigmoid(-x)`.
 * @throws InvalidArgumentError when `x` is not a float tensor.
 */
export function logSigmoid(x: Tensor): Tensor {
  checkFloatTensor("Fn.logSigmoid", "x", x);
  return nx.tidy(() => nx.neg(softplusOf(nx.neg(x))));
}

/** `relu6(x)` is `min(max(x, 0), 6)` (MobileNet's; PyTorch's `ReLU6`). @throws InvalidArgumentError when `x` is not a float tensor. */
export function relu6(x: Tensor): Tensor {
  checkFloatTensor("Fn.relu6", "x", x);
  return nx.clip(x, 0, 6);
}

/** Options of {@link leakyRelu}. */
export interface LeakyReluOptions {
  /** The slope for negative inputs; defaults to 0.01. */
  readonly negativeSlope?: number;
}

/**
 * `leakyRelu(x, { negativeSlope? })` is `x` where `x > 0` and
 * `negativeSlope * x` elsewhere (Raven's and PyTorch's `leaky_relu`).
 * `negativeSlope` defaults to 0.01.
 * @throws InvalidArgumentError when `x` is not a float tensor, `negativeSlope` is not finite, or an option is unknown.
 */
export function leakyRelu(x: Tensor, options?: LeakyReluOptions): Tensor {
  const fn = "Fn.leakyRelu";
  checkFloatTensor(fn, "x", x);
  const { negativeSlope } = leakyReluOptions(fn, options);
  return nx.tidy(() => nx.where(nx.greater(x, 0), x, nx.mul(x, negativeSlope)));
}

/** `leakyReluOptions(fn, options)` is the options of {@link leakyRelu}, checked, defaults filled in. Internal. */
export function leakyReluOptions(fn: string, options: LeakyReluOptions | undefined): Required<LeakyReluOptions> {
  return { negativeSlope: checkFinite(fn, "negativeSlope", optionalOptions(fn, options, ["negativeSlope"]).negativeSlope ?? 0.01) };
}

/** Options of {@link elu} and {@link celu}. */
export interface EluOptions {
  /** The scale of the negative part; defaults to 1. */
  readonly alpha?: number;
}

/** `expLinear(x, alpha, inner)` is `x` where `x > 0`, else `alpha * (exp(x * inner) - 1)`, evaluated on `min(x, 0)` so neither branch overflows (the caller tidies). */
function expLinear(x: Tensor, alpha: number, inner: number): Tensor {
  const positive = nx.greater(x, 0);
  const negative = nx.where(positive, 0, x);
  return nx.where(positive, x, nx.mul(nx.expm1(nx.mul(negative, inner)), alpha));
}

/**
 * `elu(x, { alpha? })` is `x` where `x > 0` and `alpha * (exp(x) - 1)`
 * elsewhere (Clevert et al., 2016; PyTorch's `ELU`). `alpha` defaults to 1.
 * @throws InvalidArgumentError when `x` is not a float tensor, `alpha` is not finite, or an option is unknown.
 */
export function elu(x: Tensor, options?: EluOptions): Tensor {
  const fn = "Fn.elu";
  checkFloatTensor(fn, "x", x);
  const { alpha } = eluOptions(fn, options, false);
  return nx.tidy(() => expLinear(x, alpha, 1));
}

/** `eluOptions(fn, options, nonZero)` is the options of {@link elu} (of {@link celu} when `nonZero`), checked, defaults filled in. Internal. */
export function eluOptions(fn: string, options: EluOptions | undefined, nonZero: boolean): Required<EluOptions> {
  const alpha = checkFinite(fn, "alpha", optionalOptions(fn, options, ["alpha"]).alpha ?? 1);
  if (nonZero && alpha === 0) throw fail(fn, "alpha must not be 0 (celu divides by it)");
  return { alpha };
}

/** SELU's constants (Klambauer et al., 2017), as PyTorch's. */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * `selu(x)` is `scale * elu(x, { alpha })` with the self-normalising
 * constants `alpha = 1.6732632423543772848…` and `scale = 1.0507009873554804934…`
 * (Klambauer et al., 2017; PyTorch's `SELU`). Pair it with `Init.lecunNormal`.
 * @throws InvalidArgumentError when `x` is not a float tensor.
 */
export function selu(x: Tensor): Tensor {
  checkFloatTensor("Fn.selu", "x", x);
  return nx.tidy(() => nx.mul(expLinear(x, SELU_ALPHA, 1), SELU_SCALE));
}

/**
 * `celu(x, { alpha? })` is `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`
 * (Barron, 2017; PyTorch's `CELU`), continuously differentiable for any
 * `alpha`. `alpha` defaults to 1.
 * @throws InvalidArgumentError when `x` is not a float tensor, `alpha` is 0 or not finite, or an option is unknown.
 */
export function celu(x: Tensor, options?: EluOptions): Tensor {
  const fn = "Fn.celu";
  checkFloatTensor(fn, "x", x);
  const { alpha } = eluOptions(fn, options, true);
  // For either sign of alpha, the min picks alpha (exp(x / alpha) - 1) exactly where x ≤ 0.
  return nx.tidy(() => expLinear(x, alpha, 1 / alpha));
}

/** `mish(x)` is `x * tanh(softplus(x))` (Misra, 2019; PyTorch's `Mish`). @throws InvalidArgumentError when `x` is not a float tensor. */
export function mish(x: Tensor): Tensor {
  checkFloatTensor("Fn.mish", "x", x);
  return nx.tidy(() => nx.mul(x, nx.tanh(softplusOf(x))));
}

/** Options of {@link hardSigmoid}. */
export interface HardSigmoidOptions {
  /** The slope; defaults to 1/6. */
  readonly alpha?: number;
  /** The value at 0; defaults to 0.5. */
  readonly beta?: number;
}

/**
 * `hardSigmoid(x, { alpha?, beta? })` is `max(0, min(1, alpha * x + beta))`
 * (Raven's `hard_sigmoid`); the defaults `alpha` 1/6 and `beta` 0.5 make it
 * PyTorch's `Hardsigmoid`, `relu6(x + 3) / 6`.
 * @throws InvalidArgumentError when `x` is not a float tensor, a value is not finite, or an option is unknown.
 */
export function hardSigmoid(x: Tensor, options?: HardSigmoidOptions): Tensor {
  const fn = "Fn.hardSigmoid";
  checkFloatTensor(fn, "x", x);
  const { alpha, beta } = hardSigmoidOptions(fn, options);
  return nx.tidy(() => nx.clip(nx.add(nx.mul(x, alpha), beta), 0, 1));
}

/** `hardSigmoidOptions(fn, options)` is the options of {@link hardSigmoid}, checked, defaults filled in. Internal. */
export function hardSigmoidOptions(fn: string, options: HardSigmoidOptions | undefined): Required<HardSigmoidOptions> {
  const o = optionalOptions(fn, options, ["alpha", "beta"]);
  return { alpha: checkFinite(fn, "alpha", o.alpha ?? 1 / 6), beta: checkFinite(fn, "beta", o.beta ?? 0.5) };
}

/** `hardSwish(x)` is `x * relu6(x + 3) / 6` (Howard et al., 2019; PyTorch's `Hardswish`). @throws InvalidArgumentError when `x` is not a float tensor. */
export function hardSwish(x: Tensor): Tensor {
  checkFloatTensor("Fn.hardSwish", "x", x);
  return nx.tidy(() => nx.mul(x, nx.div(nx.clip(nx.add(x, 3), 0, 6), 6)));
}

/** `softsign(x)` is `x / (1 + |x|)` (PyTorch's `Softsign`). @throws InvalidArgumentError when `x` is not a float tensor. */
export function softsign(x: Tensor): Tensor {
  checkFloatTensor("Fn.softsign", "x", x);
  return nx.tidy(() => nx.div(x, nx.add(nx.abs(x), 1)));
}
