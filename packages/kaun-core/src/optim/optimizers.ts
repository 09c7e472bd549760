/**
 * The optimizers: chains of the building blocks with the update rules (and
 * defaults) of PyTorch and optax. SGD (with momentum and Nesterov), Adam,
 * AdamW, RMSprop, Adagrad and Lion.
 */
import { checkBool, checkNonNegative, checkOptions, fail } from "../util.js";
import { clipByGlobalNorm } from "./clip.js";
import type { Mask } from "./mask.js";
import { adagradSums, adamMoments, checkDecay, lionMoments, rmsMoments } from "./moments.js";
import type { Rate, Schedule } from "./schedule.js";
import type { Optimizer } from "./transform.js";
import { alias } from "./transform.js";
import { decayedWeights, learningRateScale, momentumTrace, scheduleParam } from "./transforms.js";

/** A learning rate: a number (constant) or a {@link Schedule}. */
export type LearningRate = Rate;

/** Options shared by every optimizer. */
export interface CommonOptions {
  /** The learning rate: a number or a schedule of the step index. */
  readonly lr: LearningRate;
  /** When set, gradients are first clipped to this global L2 norm (`Optim.clipByGlobalNorm`); defaults to no clipping. */
  readonly clipGlobalNorm?: number;
}

const COMMON_KEYS = ["lr", "clipGlobalNorm"] as const;

/** `clipFirst(fn, v)` is the clipping transformation of the `clipGlobalNorm` option, or undefined without it. */
function clipFirst(fn: string, v: unknown): Optimizer | undefined {
  if (v === undefined) return undefined;
  checkNonNegative(fn, "clipGlobalNorm", v);
  return clipByGlobalNorm(v as number);
}

/** `common(fn, options)` is the hyperparameters and the first and last parts every optimizer shares (clipping, the learning rate). */
function common(fn: string, options: CommonOptions): { lr: number | string; clip: Optimizer | undefined; rate: Optimizer; clipGlobalNorm?: number } {
  const rate = learningRateScale(fn, options.lr);
  const clip = clipFirst(fn, options.clipGlobalNorm);
  return { lr: scheduleParam(options.lr), clip, rate, ...(options.clipGlobalNorm === undefined ? {} : { clipGlobalNorm: options.clipGlobalNorm }) };
}

/** `optionalDecay(fn, weightDecay, mask)` is the weight-decay part of an optimizer whose decay defaults to 0: left out when `weightDecay` is 0 and no mask is given. */
function optionalDecay(fn: string, weightDecay: number, mask: unknown): Optimizer | undefined {
  return weightDecay === 0 && mask === undefined ? undefined : decayedWeights(fn, weightDecay, mask, "weightDecay");
}

/** Options of {@link sgd}. */
export interface SgdOptions extends CommonOptions {
  /** The momentum coefficient; defaults to 0 (plain SGD, no state). */
  readonly momentum?: number;
  /** Whether to use Nesterov momentum; defaults to false. */
  readonly nesterov?: boolean;
}

/**
 * `sgd({ lr, momentum?, nesterov?, clipGlobalNorm? })` is stochastic gradient
 * descent: `p ← p - lr * u`, where `u = g` without momentum, and with
 * momentum `trace ← g + momentum * trace` and `u = trace` (or
 * `u = g + momentum * trace` with Nesterov), as PyTorch's `SGD` (no
 * dampening) and optax's `sgd`: `chain(trace({ decay: momentum, nesterov }), scaleByLearningRate(lr))`.
 * `momentum` defaults to 0. `nesterov` defaults to false. `clipGlobalNorm` defaults to none.
 * @throws InvalidArgumentError when `lr` is neither a finite number nor a
 * function, `momentum` is negative or not finite, `nesterov` is not a
 * boolean or is set without momentum, `clipGlobalNorm` is negative, or an option is unknown.
 */
export function sgd(options: SgdOptions): Optimizer {
  const fn = "Optim.sgd";
  checkOptions(fn, options, "{ lr }", [...COMMON_KEYS, "momentum", "nesterov"]);
  const { clip, rate, ...shared } = common(fn, options);
  const momentum = checkNonNegative(fn, "momentum", options.momentum ?? 0);
  const nesterov = checkBool(fn, "nesterov", options.nesterov, false);
  if (nesterov && momentum === 0) throw fail(fn, "nesterov needs a positive momentum");
  const trace = momentum === 0 ? undefined : momentumTrace(fn, { decay: momentum, nesterov }, "momentum");
  return alias(fn, "sgd", { momentum, nesterov, ...shared }, [clip, trace, rate]);
}

/** Options of {@link adam}. */
export interface AdamOptions extends CommonOptions {
  /** The decay of the first-moment average; defaults to 0.9. */
  readonly b1?: number;
  /** The decay of the second-moment average; defaults to 0.999. */
  readonly b2?: number;
  /** Added to the denominator; defaults to 1e-8. */
  readonly eps?: number;
}

/** Options of {@link adamw}. */
export interface AdamWOptions extends AdamOptions {
  /** The decoupled weight-decay coefficient; defaults to 0.01. */
  readonly weightDecay?: number;
  /** Which parameters decay (a `Mask`, such as `Optim.matricesOnly()`); defaults to all. */
  readonly mask?: Mask;
}

const ADAM_KEYS = [...COMMON_KEYS, "b1", "b2", "eps"] as const;

/**
 * `adam({ lr, b1?, b2?, eps?, clipGlobalNorm? })` is Adam (Kingma and Ba,
 * 2015) with bias correction: `mu ← b1 mu + (1 - b1) g`,
 * `nu ← b2 nu + (1 - b2) g²`, `p ← p - lr * m̂ / (sqrt(n̂) + eps)` with
 * `m̂ = mu / (1 - b1^t)`, `n̂ = nu / (1 - b2^t)` at update `t = 1, 2, ...`
 * (optax's `adam`, PyTorch's `Adam`): `chain(scaleByAdam(...), scaleByLearningRate(lr))`.
 * `b1` defaults to 0.9, `b2` to 0.999, `eps` to 1e-8, `clipGlobalNorm` to none.
 * @throws InvalidArgumentError when `lr` is neither a finite number nor a
 * function, `b1` or `b2` is outside `[0, 1)`, `eps` is negative, `clipGlobalNorm` is negative, or an option is unknown.
 */
export function adam(options: AdamOptions): Optimizer {
  const fn = "Optim.adam";
  checkOptions(fn, options, "{ lr }", ADAM_KEYS);
  const { clip, rate, ...shared } = common(fn, options);
  const moments = adamMoments(fn, options);
  return alias(fn, "adam", { ...moments.hyperparams, ...shared }, [clip, moments, rate]);
}

/**
 * `adamw({ lr, weightDecay?, mask?, b1?, b2?, eps?, clipGlobalNorm? })` is
 * Adam with decoupled weight decay (Loshchilov and Hutter, 2019): the Adam
 * direction plus `weightDecay * p`, scaled by `lr`, so
 * `p ← p - lr * (adam + weightDecay * p)` (optax's `adamw`, PyTorch's
 * `AdamW`): `chain(scaleByAdam(...), addDecayedWeights({ rate: weightDecay, mask }), scaleByLearningRate(lr))`.
 * `weightDecay` defaults to 0.01; `mask` to every parameter (PyTorch's
 * parameter groups with `weight_decay: 0` are a mask: `Optim.matricesOnly()`
 * is the usual one); the others as {@link adam}.
 * @throws InvalidArgumentError as {@link adam}, or when `weightDecay` is negative or not finite, or `mask` is neither a function nor a tree of booleans.
 */
export function adamw(options: AdamWOptions): Optimizer {
  const fn = "Optim.adamw";
  checkOptions(fn, options, "{ lr }", [...ADAM_KEYS, "weightDecay", "mask"]);
  const { clip, rate, ...shared } = common(fn, options);
  const weightDecay = checkNonNegative(fn, "weightDecay", options.weightDecay ?? 0.01);
  const moments = adamMoments(fn, options);
  const decay = decayedWeights(fn, weightDecay, options.mask, "weightDecay");
  return alias(fn, "adamw", { ...moments.hyperparams, weightDecay, ...shared }, [clip, moments, decay, rate]);
}

/** Options of {@link rmsprop}. */
export interface RmspropOptions extends CommonOptions {
  /** The decay of the squared-gradient average; defaults to 0.99. */
  readonly alpha?: number;
  /** Added to the denominator, after the square root; defaults to 1e-8. */
  readonly eps?: number;
  /** The momentum coefficient; defaults to 0. */
  readonly momentum?: number;
  /** Whether to normalise by the centred second moment; defaults to false. */
  readonly centered?: boolean;
  /** The L2 penalty added to the gradients (`g + weightDecay * p`); defaults to 0. */
  readonly weightDecay?: number;
  /** Which parameters the penalty applies to; defaults to all. */
  readonly mask?: Mask;
}

/**
 * `rmsprop({ lr, alpha?, eps?, momentum?, centered?, weightDecay?, mask?, clipGlobalNorm? })`
 * is PyTorch's `RMSprop`: `g ← g + weightDecay * p`, `nu ← alpha nu + (1 - alpha) g²`,
 * `d = sqrt(nu) + eps` (with `centered`, `sqrt(nu - mu²) + eps` where
 * `mu ← alpha mu + (1 - alpha) g`), then `p ← p - lr * g / d`, or with
 * momentum `buf ← momentum * buf + g / d`, `p ← p - lr * buf`:
 * `chain(addDecayedWeights, scaleByRms, trace, scaleByLearningRate)`.
 * `alpha` defaults to 0.99, `eps` to 1e-8, `momentum` to 0, `centered` to
 * false, `weightDecay` to 0 (coupled, L2, as PyTorch's), `mask` to all.
 * (optax's `rmsprop` puts `eps` inside the square root and decays by 0.9;
 * build it with `Optim.scaleByRms({ decay: 0.9, epsInSqrt: true })`.)
 * @throws InvalidArgumentError when `lr` is neither a finite number nor a function, `alpha` is outside `[0, 1)`, a value is negative or not finite, a flag is not a boolean, or an option is unknown.
 */
export function rmsprop(options: RmspropOptions): Optimizer {
  const fn = "Optim.rmsprop";
  checkOptions(fn, options, "{ lr }", [...COMMON_KEYS, "alpha", "eps", "momentum", "centered", "weightDecay", "mask"]);
  const { clip, rate, ...shared } = common(fn, options);
  const weightDecay = checkNonNegative(fn, "weightDecay", options.weightDecay ?? 0);
  const momentum = checkNonNegative(fn, "momentum", options.momentum ?? 0);
  const alpha = checkDecay(fn, "alpha", options.alpha ?? 0.99);
  const eps = checkNonNegative(fn, "eps", options.eps ?? 1e-8);
  const centered = checkBool(fn, "centered", options.centered, false);
  const rms = rmsMoments(fn, { decay: alpha, eps, centered });
  const l2 = optionalDecay(fn, weightDecay, options.mask);
  const trace = momentum === 0 ? undefined : momentumTrace(fn, { decay: momentum }, "momentum");
  return alias(fn, "rmsprop", { alpha, eps, momentum, centered, weightDecay, ...shared }, [clip, l2, rms, trace, rate]);
}

/** Options of {@link adagrad}. */
export interface AdagradOptions extends CommonOptions {
  /** The decay of the learning rate: update `t` (from 1) uses `lr / (1 + (t - 1) * lrDecay)`; defaults to 0. */
  readonly lrDecay?: number;
  /** The value the sum of squares starts from; defaults to 0. */
  readonly initialAccumulatorValue?: number;
  /** Added to the denominator, after the square root; defaults to 1e-10. */
  readonly eps?: number;
  /** The L2 penalty added to the gradients (`g + weightDecay * p`); defaults to 0. */
  readonly weightDecay?: number;
  /** Which parameters the penalty applies to; defaults to all. */
  readonly mask?: Mask;
}

/**
 * `adagrad({ lr, lrDecay?, initialAccumulatorValue?, eps?, weightDecay?, mask?, clipGlobalNorm? })`
 * is PyTorch's `Adagrad`: `g ← g + weightDecay * p`, `s ← s + g²`,
 * `p ← p - lr_t * g / (sqrt(s) + eps)` with `lr_t = lr / (1 + (t - 1) * lrDecay)`
 * at update `t = 1, 2, ...` (`lr` may itself be a schedule):
 * `chain(addDecayedWeights, scaleByAdagrad, scaleByLearningRate)`.
 * `lrDecay` defaults to 0, `initialAccumulatorValue` to 0, `eps` to 1e-10,
 * `weightDecay` to 0 (coupled, L2), `mask` to all.
 * @throws InvalidArgumentError when `lr` is neither a finite number nor a function, a value is negative or not finite, or an option is unknown.
 */
export function adagrad(options: AdagradOptions): Optimizer {
  const fn = "Optim.adagrad";
  checkOptions(fn, options, "{ lr }", [...COMMON_KEYS, "lrDecay", "initialAccumulatorValue", "eps", "weightDecay", "mask"]);
  const { clip, rate: plain, ...shared } = common(fn, options);
  const lrDecay = checkNonNegative(fn, "lrDecay", options.lrDecay ?? 0);
  const weightDecay = checkNonNegative(fn, "weightDecay", options.weightDecay ?? 0);
  const sums = adagradSums(fn, options);
  const base = plain.learningRate as Schedule;
  const rate = lrDecay === 0 ? plain : learningRateScale(fn, (step: number) => base(step) / (1 + step * lrDecay));
  const l2 = optionalDecay(fn, weightDecay, options.mask);
  return alias(fn, "adagrad", { lrDecay, ...sums.hyperparams, weightDecay, ...shared }, [clip, l2, sums, rate]);
}

/** Options of {@link lion}. */
export interface LionOptions extends CommonOptions {
  /** The interpolation that gives the update's sign; defaults to 0.9. */
  readonly b1?: number;
  /** The decay of the momentum; defaults to 0.99. */
  readonly b2?: number;
  /** The decoupled weight-decay coefficient; defaults to 0. */
  readonly weightDecay?: number;
  /** Which parameters decay; defaults to all. */
  readonly mask?: Mask;
}

/**
 * `lion({ lr, b1?, b2?, weightDecay?, mask?, clipGlobalNorm? })` is Lion as
 * published (Chen et al., 2023): `c = b1 mu + (1 - b1) g`,
 * `p ← p - lr * (sign(c) + weightDecay * p)`, `mu ← b2 mu + (1 - b2) g`:
 * `chain(scaleByLion, addDecayedWeights, scaleByLearningRate)`. Its
 * updates have magnitude `lr` per element, so it wants a learning rate
 * 3-10× smaller than AdamW's (and a larger weight decay). `b1` defaults to
 * 0.9, `b2` to 0.99, `weightDecay` to 0 (the paper's reference code; optax's
 * default is 1e-3), `mask` to all.
 * @throws InvalidArgumentError when `lr` is neither a finite number nor a function, `b1` or `b2` is outside `[0, 1)`, `weightDecay` is negative, or an option is unknown.
 */
export function lion(options: LionOptions): Optimizer {
  const fn = "Optim.lion";
  checkOptions(fn, options, "{ lr }", [...COMMON_KEYS, "b1", "b2", "weightDecay", "mask"]);
  const { clip, rate, ...shared } = common(fn, options);
  const weightDecay = checkNonNegative(fn, "weightDecay", options.weightDecay ?? 0);
  const moments = lionMoments(fn, options);
  const decay = optionalDecay(fn, weightDecay, options.mask);
  return alias(fn, "lion", { ...moments.hyperparams, weightDecay, ...shared }, [clip, moments, decay, rate]);
}
