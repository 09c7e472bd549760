/**
 * The building blocks around the moment estimates: momentum (`trace`), the
 * learning rate (`scaleByLearningRate`) and weight decay
 * (`addDecayedWeights`), as optax and Raven's Vega name them. Each is an
 * {@link Optimizer} to compose with `Optim.chain`.
 */
import * as nx from "@raven-ts/nx";
import { checkBool, checkNonNegative, checkOptions, optionalOptions } from "../util.js";
import type { Mask } from "./mask.js";
import { checkMask, resolveMask } from "./mask.js";
import type { Rate } from "./schedule.js";
import { asSchedule, evalSchedule } from "./schedule.js";
import type { Optimizer } from "./transform.js";
import { makeTransform, perLeaf } from "./transform.js";

/** `scheduleParam(lr)` is how a rate shows in `hyperparams`: the number, or `"schedule"`. */
export function scheduleParam(rate: unknown): number | string {
  return typeof rate === "number" ? rate : "schedule";
}

/** Options of {@link trace}. */
export interface TraceOptions {
  /** The momentum coefficient; defaults to 0.9. */
  readonly decay?: number;
  /** Whether to use Nesterov momentum; defaults to false. */
  readonly nesterov?: boolean;
}

/** `momentumTrace(fn, options)` is {@link trace}, its errors naming `kaun.<fn>` (and `decayName` for the coefficient). Internal. */
export function momentumTrace(fn: string, options: TraceOptions, decayName = "decay"): Optimizer {
  const decay = checkNonNegative(fn, decayName, options.decay ?? 0.9);
  const nesterov = checkBool(fn, "nesterov", options.nesterov, false);
  return makeTransform({
    name: "trace",
    hyperparams: { decay, nesterov },
    slots: { trace: 0 },
    rule: () =>
      perLeaf(["trace"], (g, [trace0]) => {
        const tr = nx.add(g, nx.mul(trace0 as nx.Tensor, decay));
        return [nesterov ? nx.add(g, nx.mul(tr, decay)) : tr, [tr]];
      }),
  });
}

/**
 * `trace({ decay?, nesterov? })` is momentum (optax's `trace`, the buffer
 * of PyTorch's `SGD` without dampening): `trace ← g + decay * trace`,
 * update `trace`, or `g + decay * trace` with Nesterov. Slot `trace` (zeros).
 * `decay` defaults to 0.9; `nesterov` to false.
 * @throws InvalidArgumentError when `decay` is negative or not finite, `nesterov` is not a boolean, or an option is unknown.
 */
export function trace(options?: TraceOptions): Optimizer {
  const fn = "Optim.trace";
  return momentumTrace(fn, optionalOptions(fn, options, ["decay", "nesterov"]));
}

/** `learningRateScale(fn, lr)` is {@link scaleByLearningRate}, its errors naming `kaun.<fn>`. Internal. */
export function learningRateScale(fn: string, lr: unknown): Optimizer {
  const schedule = asSchedule(fn, "lr", lr);
  return makeTransform({
    name: "scaleByLearningRate",
    hyperparams: { lr: scheduleParam(lr) },
    learningRate: schedule,
    rule: (stepFn, count) => {
      const rate = evalSchedule(stepFn, "learning-rate", schedule, count);
      return perLeaf([], (u) => [nx.mul(u, -rate), []]);
    },
  });
}

/**
 * `scaleByLearningRate(lr)` multiplies the updates by `-lr(count)` (the
 * minus sign makes the chain descend), where `count` is the number of
 * updates already applied: `lr` is a number or a schedule (`Optim.cosineDecay(...)`, ...).
 * Stateless. At each step, a schedule that returns a non-finite rate is an
 * error of `Optim.step`.
 * @throws InvalidArgumentError when `lr` is neither a finite number nor a function.
 */
export function scaleByLearningRate(lr: Rate): Optimizer {
  return learningRateScale("Optim.scaleByLearningRate", lr);
}

/** Options of {@link addDecayedWeights}. */
export interface AddDecayedWeightsOptions {
  /** The weight-decay coefficient: a number ≥ 0 or a schedule. */
  readonly rate: Rate;
  /** Which parameters decay (see `Optim.Mask`); defaults to all. */
  readonly mask?: Mask;
}

/** `decayedWeights(fn, rate, mask)` is {@link addDecayedWeights}, its errors naming `kaun.<fn>` (and `rateName` for the rate). Internal. */
export function decayedWeights(fn: string, rate: unknown, mask: unknown, rateName = "rate"): Optimizer {
  const schedule = asSchedule(fn, rateName, rate, { nonNegative: true });
  const checked = checkMask(fn, mask);
  return makeTransform({
    name: "addDecayedWeights",
    hyperparams: { rate: scheduleParam(rate), masked: checked !== undefined },
    rule: (stepFn, count, params) => {
      const r = evalSchedule(stepFn, "weight-decay rate", schedule, count);
      const decays = resolveMask(stepFn, checked, params);
      return perLeaf([], (u, _state, i) => [r !== 0 && decays[i] === true ? nx.add(u, nx.mul((params[i] as { value: nx.Tensor }).value, r)) : u, []]);
    },
  });
}

/**
 * `addDecayedWeights({ rate, mask? })` adds `rate(count) * p` to the update
 * of each parameter `p` the mask selects (optax's `add_decayed_weights`).
 * Before `scaleByLearningRate` it is decoupled weight decay (AdamW's, Lion's);
 * before a moment estimate (`scaleByRms`, `scaleByAdagrad`) it is PyTorch's
 * L2 `weight_decay`. `rate` is a number ≥ 0 or a schedule; `mask` defaults to
 * every parameter. Stateless.
 * @throws InvalidArgumentError when the options are missing, `rate` is negative, not finite or not a function, `mask` is neither a function nor a tree of booleans, or an option is unknown.
 */
export function addDecayedWeights(options: AddDecayedWeightsOptions): Optimizer {
  const fn = "Optim.addDecayedWeights";
  checkOptions(fn, options, "{ rate }", ["rate", "mask"]);
  return decayedWeights(fn, options.rate, options.mask);
}
