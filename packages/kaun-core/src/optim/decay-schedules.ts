/**
 * More learning-rate schedules: exponential and polynomial decay, step
 * functions and cosine decay with warm restarts. Like every schedule, each
 * is a function of the number of updates already applied (0 for the first).
 */
import { checkBool, checkFinite, checkNonNegInt, checkOptions, checkPositive, checkPositiveInt, describe, fail } from "../util.js";
import type { Schedule } from "./schedule.js";

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** The rate at step 0 (and before `transitionBegin`). */
  readonly initValue: number;
  /** The number of steps over which the rate is multiplied by `decayRate`. */
  readonly transitionSteps: number;
  /** The factor per `transitionSteps` steps (< 1 decays, > 1 grows). */
  readonly decayRate: number;
  /** The step the decay starts at; defaults to 0. */
  readonly transitionBegin?: number;
  /** Whether the rate drops in whole steps every `transitionSteps` (PyTorch's `StepLR`) rather than continuously; defaults to false. */
  readonly staircase?: boolean;
  /** A bound the rate never passes (a floor when decaying, a ceiling when growing); defaults to none. */
  readonly endValue?: number;
}

/**
 * `exponentialDecay({ initValue, transitionSteps, decayRate, transitionBegin?, staircase?, endValue? })`
 * is optax's `exponential_decay`: `initValue * decayRate ^ ((step - transitionBegin) / transitionSteps)`
 * (the exponent floored with `staircase`), `initValue` up to `transitionBegin`,
 * bounded by `endValue`. PyTorch's `ExponentialLR(gamma)` is
 * `{ transitionSteps: 1, decayRate: gamma }` and `StepLR(step_size, gamma)`
 * adds `staircase: true`. `transitionBegin` defaults to 0, `staircase` to
 * false, `endValue` to none.
 * @throws InvalidArgumentError when the options are missing or unknown, a value is not finite, `decayRate` is not positive, `transitionSteps` is not a positive integer or `transitionBegin` not a non-negative one.
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const fn = "Optim.exponentialDecay";
  checkOptions(fn, options, "{ initValue, transitionSteps, decayRate }", ["initValue", "transitionSteps", "decayRate", "transitionBegin", "staircase", "endValue"]);
  const init = checkFinite(fn, "initValue", options.initValue);
  const steps = checkPositiveInt(fn, "transitionSteps", options.transitionSteps);
  const rate = checkPositive(fn, "decayRate", options.decayRate);
  const begin = checkNonNegInt(fn, "transitionBegin", options.transitionBegin ?? 0);
  const staircase = checkBool(fn, "staircase", options.staircase, false);
  const end = options.endValue === undefined ? undefined : checkFinite(fn, "endValue", options.endValue);
  return (step) => {
    const elapsed = step - begin;
    const exponent = staircase ? Math.floor(elapsed / steps) : elapsed / steps;
    const value = elapsed <= 0 ? init : init * rate ** exponent;
    if (end === undefined) return value;
    return rate < 1 ? Math.max(value, end) : Math.min(value, end);
  };
}

/** Options of {@link polynomialDecay}. */
export interface PolynomialDecayOptions {
  /** The rate at step 0 (and before `transitionBegin`). */
  readonly initValue: number;
  /** The rate from `transitionBegin + transitionSteps` on. */
  readonly endValue: number;
  /** The exponent of the decay; defaults to 1 (linear). */
  readonly power?: number;
  /** The length of the decay. */
  readonly transitionSteps: number;
  /** The step the decay starts at; defaults to 0. */
  readonly transitionBegin?: number;
}

/**
 * `polynomialDecay({ initValue, endValue, power?, transitionSteps, transitionBegin? })`
 * is optax's `polynomial_schedule`: `(initValue - endValue) * (1 - c / transitionSteps) ^ power + endValue`
 * with `c = clip(step - transitionBegin, 0, transitionSteps)`. PyTorch's
 * `PolynomialLR(total_iters, power)` is `{ endValue: 0, transitionSteps: total_iters, power }`.
 * `power` defaults to 1; `transitionBegin` to 0.
 * @throws InvalidArgumentError when the options are missing or unknown, a value is not finite, `power` is not positive, `transitionSteps` is not a positive integer or `transitionBegin` not a non-negative one.
 */
export function polynomialDecay(options: PolynomialDecayOptions): Schedule {
  const fn = "Optim.polynomialDecay";
  checkOptions(fn, options, "{ initValue, endValue, transitionSteps }", ["initValue", "endValue", "power", "transitionSteps", "transitionBegin"]);
  const init = checkFinite(fn, "initValue", options.initValue);
  const end = checkFinite(fn, "endValue", options.endValue);
  const power = checkPositive(fn, "power", options.power ?? 1);
  const steps = checkPositiveInt(fn, "transitionSteps", options.transitionSteps);
  const begin = checkNonNegInt(fn, "transitionBegin", options.transitionBegin ?? 0);
  return (step) => {
    const c = Math.min(Math.max(step - begin, 0), steps);
    return (init - end) * (1 - c / steps) ** power + end;
  };
}

/** Options of {@link piecewiseConstant}. */
export interface PiecewiseConstantOptions {
  /** The steps at which the rate changes, strictly increasing non-negative integers. */
  readonly boundaries: readonly number[];
  /** The rates: `values[i]` from `boundaries[i - 1]` (or 0) up to `boundaries[i]`; one more than `boundaries`. */
  readonly values: readonly number[];
}

/**
 * `piecewiseConstant({ boundaries, values })` is a step function:
 * `values[i]` where `i` is the number of boundaries `≤ step`, so the rate
 * changes at each boundary step itself, as optax's
 * `piecewise_constant_schedule` and PyTorch's `MultiStepLR` (optax's
 * `(init, { b: scale })` is `values[i] = init * scale_1 * ... * scale_i`;
 * `MultiStepLR(milestones, gamma)` is `values[i] = lr * gamma ** i`).
 * @throws InvalidArgumentError when the options are missing or unknown, `boundaries` are not strictly increasing non-negative integers, or `values` is not one longer than `boundaries` or holds a non-finite value.
 */
export function piecewiseConstant(options: PiecewiseConstantOptions): Schedule {
  const fn = "Optim.piecewiseConstant";
  checkOptions(fn, options, "{ boundaries, values }", ["boundaries", "values"]);
  const { boundaries, values } = options;
  if (!Array.isArray(boundaries)) throw fail(fn, `boundaries must be an array of step numbers, got ${describe(boundaries)}`);
  if (!Array.isArray(values) || values.length !== boundaries.length + 1) {
    throw fail(fn, `values must be an array one longer than boundaries (${boundaries.length + 1} values), got ${describe(values)}`);
  }
  const bs = boundaries.map((b, i) => checkNonNegInt(fn, `boundaries[${i}]`, b));
  bs.forEach((b, i) => {
    if (i > 0 && b <= (bs[i - 1] as number)) throw fail(fn, `boundaries must be strictly increasing, got ${bs[i - 1]} then ${b}`);
  });
  const vs = values.map((v, i) => checkFinite(fn, `values[${i}]`, v));
  return (step) => {
    let i = 0;
    while (i < bs.length && step >= (bs[i] as number)) i++;
    return vs[i] as number;
  };
}

/** Options of {@link cosineDecayRestarts}. */
export interface CosineDecayRestartsOptions {
  /** The rate at the start of the first period. */
  readonly initValue: number;
  /** The length of the first period. */
  readonly decaySteps: number;
  /** The factor each period's length is multiplied by after a restart (≥ 1); defaults to 1. */
  readonly tMul?: number;
  /** The factor each period's peak is multiplied by after a restart; defaults to 1. */
  readonly mMul?: number;
  /** The floor of the decay as a fraction of `initValue`; defaults to 0. */
  readonly alpha?: number;
}

/**
 * `cosineDecayRestarts({ initValue, decaySteps, tMul?, mMul?, alpha? })` is
 * cosine decay with warm restarts (SGDR, Loshchilov and Hutter, 2017), as
 * Raven's Vega and Keras's `CosineDecayRestarts` define it: period `i`
 * (from 0) lasts `decaySteps * tMul^i` steps, and at fraction `f` of it the
 * rate is `initValue * ((1 - alpha) * mMul^i * (1 + cos(π f)) / 2 + alpha)`.
 * PyTorch's `CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)` is
 * `{ decaySteps: T_0, tMul: T_mult, alpha: eta_min / lr }`. `tMul` defaults
 * to 1 (Keras's default is 2), `mMul` to 1, `alpha` to 0.
 * @throws InvalidArgumentError when the options are missing or unknown, a value is not finite, `decaySteps` is not a positive integer, `tMul` is below 1, or `mMul` is negative.
 */
export function cosineDecayRestarts(options: CosineDecayRestartsOptions): Schedule {
  const fn = "Optim.cosineDecayRestarts";
  checkOptions(fn, options, "{ initValue, decaySteps }", ["initValue", "decaySteps", "tMul", "mMul", "alpha"]);
  const init = checkFinite(fn, "initValue", options.initValue);
  const first = checkPositiveInt(fn, "decaySteps", options.decaySteps);
  const tMul = checkFinite(fn, "tMul", options.tMul ?? 1);
  if (tMul < 1) throw fail(fn, `tMul must be at least 1 (periods never shrink), got ${tMul}`);
  const mMul = checkFinite(fn, "mMul", options.mMul ?? 1);
  if (mMul < 0) throw fail(fn, `mMul must be non-negative, got ${mMul}`);
  const alpha = checkFinite(fn, "alpha", options.alpha ?? 0);
  return (step) => {
    const s = Math.max(step, 0);
    let restarts = 0;
    let start = 0;
    let period = first;
    if (tMul === 1) {
      restarts = Math.floor(s / first);
      start = restarts * first;
    } else {
      while (s >= start + period) {
        start += period;
        period *= tMul;
        restarts++;
      }
    }
    const cosine = 0.5 * mMul ** restarts * (1 + Math.cos((Math.PI * (s - start)) / period));
    return init * ((1 - alpha) * cosine + alpha);
  };
}
