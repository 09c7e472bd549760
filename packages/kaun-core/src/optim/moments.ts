/**
 * The moment estimates the optimizers scale their updates by, as optax and
 * Raven's Vega name them: `scaleByAdam`, `scaleByRms` (RMSprop),
 * `scaleByAdagrad` and `scaleByLion`. Each is an {@link Optimizer} to compose
 * with `Optim.chain`, keeping its moments in named slots.
 */
import * as nx from "@raven-ts/nx";
import { checkBool, checkFinite, checkNonNegative, describe, fail, optionalOptions } from "../util.js";
import type { Optimizer } from "./transform.js";
import { makeTransform, perLeaf } from "./transform.js";

/** `checkDecay(fn, name, v)` returns `v` when it is a number in `[0, 1)` (an exponential moving average's decay). */
export function checkDecay(fn: string, name: string, v: unknown): number {
  const d = checkFinite(fn, name, v);
  if (!(d >= 0 && d < 1)) throw fail(fn, `${name} must be in [0, 1), got ${describe(v)}`);
  return d;
}

/** Options of {@link scaleByAdam}. */
export interface ScaleByAdamOptions {
  /** The decay of the first-moment average; defaults to 0.9. */
  readonly b1?: number;
  /** The decay of the second-moment average; defaults to 0.999. */
  readonly b2?: number;
  /** Added to the denominator; defaults to 1e-8. */
  readonly eps?: number;
}

/** `adamMoments(fn, options)` is {@link scaleByAdam}, its errors naming `kaun.<fn>`. Internal. */
export function adamMoments(fn: string, options: ScaleByAdamOptions): Optimizer {
  const b1 = checkDecay(fn, "b1", options.b1 ?? 0.9);
  const b2 = checkDecay(fn, "b2", options.b2 ?? 0.999);
  const eps = checkNonNegative(fn, "eps", options.eps ?? 1e-8);
  return makeTransform({
    name: "scaleByAdam",
    hyperparams: { b1, b2, eps },
    slots: { mu: 0, nu: 0 },
    rule: (_fn, count) => {
      const t = count + 1;
      return perLeaf(["mu", "nu"], (g, [mu0, nu0]) => {
        const mu = nx.add(nx.mul(mu0 as nx.Tensor, b1), nx.mul(g, 1 - b1));
        const nu = nx.add(nx.mul(nu0 as nx.Tensor, b2), nx.mul(nx.mul(g, g), 1 - b2));
        const muHat = nx.div(mu, 1 - b1 ** t);
        const nuHat = nx.div(nu, 1 - b2 ** t);
        return [nx.div(muHat, nx.add(nx.sqrt(nuHat), eps)), [mu, nu]];
      });
    },
  });
}

/**
 * `scaleByAdam({ b1?, b2?, eps? })` scales the updates by Adam's
 * bias-corrected moments (Kingma and Ba, 2015): `mu ← b1 mu + (1 - b1) g`,
 * `nu ← b2 nu + (1 - b2) g²`, update `m̂ / (sqrt(n̂) + eps)` with
 * `m̂ = mu / (1 - b1^t)`, `n̂ = nu / (1 - b2^t)` at update `t = 1, 2, ...`.
 * Slots `mu`, `nu` (zeros). `b1` defaults to 0.9, `b2` to 0.999, `eps` to 1e-8.
 * @throws InvalidArgumentError when `b1` or `b2` is outside `[0, 1)`, `eps` is negative, or an option is unknown.
 */
export function scaleByAdam(options?: ScaleByAdamOptions): Optimizer {
  const fn = "Optim.scaleByAdam";
  return adamMoments(fn, optionalOptions(fn, options, ["b1", "b2", "eps"]));
}

/** Options of {@link scaleByRms}. */
export interface ScaleByRmsOptions {
  /** The decay of the squared-gradient average (PyTorch's `alpha`); defaults to 0.99. */
  readonly decay?: number;
  /** Added to the denominator; defaults to 1e-8. */
  readonly eps?: number;
  /** Whether to divide by the centred root mean square (an estimate of the standard deviation); defaults to false. */
  readonly centered?: boolean;
  /** Whether `eps` goes inside the square root (optax's default) instead of after it (PyTorch's); defaults to false. */
  readonly epsInSqrt?: boolean;
}

/** `rmsMoments(fn, options)` is {@link scaleByRms}, its errors naming `kaun.<fn>`. Internal. */
export function rmsMoments(fn: string, options: ScaleByRmsOptions): Optimizer {
  const decay = checkDecay(fn, "decay", options.decay ?? 0.99);
  const eps = checkNonNegative(fn, "eps", options.eps ?? 1e-8);
  const centered = checkBool(fn, "centered", options.centered, false);
  const epsInSqrt = checkBool(fn, "epsInSqrt", options.epsInSqrt, false);
  const slots = centered ? ["nu", "mu"] : ["nu"];
  return makeTransform({
    name: "scaleByRms",
    hyperparams: { decay, eps, centered, epsInSqrt },
    slots: centered ? { nu: 0, mu: 0 } : { nu: 0 },
    rule: () =>
      perLeaf(slots, (g, [nu0, mu0]) => {
        const nu = nx.add(nx.mul(nu0 as nx.Tensor, decay), nx.mul(nx.mul(g, g), 1 - decay));
        const mu = centered ? nx.add(nx.mul(mu0 as nx.Tensor, decay), nx.mul(g, 1 - decay)) : undefined;
        // E[g²] - E[g]² is ≥ 0 in exact arithmetic; rounding may take it just below.
        const variance = mu === undefined ? nu : nx.maximum(nx.sub(nu, nx.mul(mu, mu)), 0);
        const denominator = epsInSqrt ? nx.sqrt(nx.add(variance, eps)) : nx.add(nx.sqrt(variance), eps);
        return [nx.div(g, denominator), mu === undefined ? [nu] : [nu, mu]];
      }),
  });
}

/**
 * `scaleByRms({ decay?, eps?, centered?, epsInSqrt? })` divides the updates
 * by the root mean square of past gradients (RMSprop, as PyTorch's
 * `RMSprop`): `nu ← decay nu + (1 - decay) g²`, update `g / (sqrt(nu) + eps)`;
 * with `centered`, also `mu ← decay mu + (1 - decay) g` and update
 * `g / (sqrt(nu - mu²) + eps)` (the difference floored at 0). Slots `nu`
 * and, when centred, `mu` (zeros). `decay` defaults to 0.99 (PyTorch's
 * `alpha`), `eps` to 1e-8 after the square root (`epsInSqrt: true` puts it
 * inside, as optax; optax's `decay` default is 0.9), `centered` to false.
 * @throws InvalidArgumentError when `decay` is outside `[0, 1)`, `eps` is negative, a flag is not a boolean, or an option is unknown.
 */
export function scaleByRms(options?: ScaleByRmsOptions): Optimizer {
  const fn = "Optim.scaleByRms";
  return rmsMoments(fn, optionalOptions(fn, options, ["decay", "eps", "centered", "epsInSqrt"]));
}

/** Options of {@link scaleByAdagrad}. */
export interface ScaleByAdagradOptions {
  /** Added to the denominator; defaults to 1e-10 (PyTorch's). */
  readonly eps?: number;
  /** The value every element of the sum of squares starts from; defaults to 0 (PyTorch's). */
  readonly initialAccumulatorValue?: number;
}

/** `adagradSums(fn, options)` is {@link scaleByAdagrad}, its errors naming `kaun.<fn>`. Internal. */
export function adagradSums(fn: string, options: ScaleByAdagradOptions): Optimizer {
  const eps = checkNonNegative(fn, "eps", options.eps ?? 1e-10);
  const initial = checkNonNegative(fn, "initialAccumulatorValue", options.initialAccumulatorValue ?? 0);
  return makeTransform({
    name: "scaleByAdagrad",
    hyperparams: { eps, initialAccumulatorValue: initial },
    slots: { sum_of_squares: initial },
    rule: () =>
      perLeaf(["sum_of_squares"], (g, [s0]) => {
        const s = nx.add(s0 as nx.Tensor, nx.mul(g, g));
        return [nx.div(g, nx.add(nx.sqrt(s), eps)), [s]];
      }),
  });
}

/**
 * `scaleByAdagrad({ eps?, initialAccumulatorValue? })` divides the updates
 * by the root of the summed squares of all gradients so far (Adagrad, as
 * PyTorch's `Adagrad`): `s ← s + g²`, update `g / (sqrt(s) + eps)`. Slot
 * `sum_of_squares`, starting at `initialAccumulatorValue` (default 0;
 * optax's is 0.1). `eps` defaults to 1e-10.
 * @throws InvalidArgumentError when a value is negative or not finite, or an option is unknown.
 */
export function scaleByAdagrad(options?: ScaleByAdagradOptions): Optimizer {
  const fn = "Optim.scaleByAdagrad";
  return adagradSums(fn, optionalOptions(fn, options, ["eps", "initialAccumulatorValue"]));
}

/** Options of {@link scaleByLion}. */
export interface ScaleByLionOptions {
  /** The interpolation between momentum and gradient that gives the update's sign; defaults to 0.9. */
  readonly b1?: number;
  /** The decay of the momentum; defaults to 0.99. */
  readonly b2?: number;
}

/** `lionMoments(fn, options)` is {@link scaleByLion}, its errors naming `kaun.<fn>`. Internal. */
export function lionMoments(fn: string, options: ScaleByLionOptions): Optimizer {
  const b1 = checkDecay(fn, "b1", options.b1 ?? 0.9);
  const b2 = checkDecay(fn, "b2", options.b2 ?? 0.99);
  return makeTransform({
    name: "scaleByLion",
    hyperparams: { b1, b2 },
    slots: { mu: 0 },
    rule: () =>
      perLeaf(["mu"], (g, [mu0]) => {
        const m = mu0 as nx.Tensor;
        const update = nx.sign(nx.add(nx.mul(m, b1), nx.mul(g, 1 - b1)));
        return [update, [nx.add(nx.mul(m, b2), nx.mul(g, 1 - b2))]];
      }),
  });
}

/**
 * `scaleByLion({ b1?, b2? })` is Lion's update (Chen et al., 2023,
 * "Symbolic Discovery of Optimization Algorithms"): update
 * `sign(b1 mu + (1 - b1) g)` (each element -1, 0 or 1), then
 * `mu ← b2 mu + (1 - b2) g`. Slot `mu` (zeros). `b1` defaults to 0.9, `b2` to 0.99.
 * @throws InvalidArgumentError when `b1` or `b2` is outside `[0, 1)`, or an option is unknown.
 */
export function scaleByLion(options?: ScaleByLionOptions): Optimizer {
  const fn = "Optim.scaleByLion";
  return lionMoments(fn, optionalOptions(fn, options, ["b1", "b2"]));
}
