/**
 * `Optim`: optimizers as composable gradient transformations (optax's and
 * Raven's Vega's design): building blocks (`scaleByAdam`, `trace`,
 * `scaleByLearningRate`, `addDecayedWeights`, `clipByGlobalNorm`, ...),
 * `chain` to compose them, the usual optimizers as chains (`sgd`, `adam`,
 * `adamw`, `rmsprop`, `adagrad`, `lion`), weight-decay masks, gradient
 * accumulation (`multiSteps`) and learning-rate schedules.
 *
 * ```ts
 * const opt = Optim.adamw({ lr: 1e-3, mask: Optim.matricesOnly() });
 * let state = Optim.init(opt, params);
 * [params, state] = Optim.step(state, params, grads);
 * ```
 */
export type { Optimizer } from "./transform.js";
export { chain } from "./transform.js";
export type { OptState } from "./state.js";
export { init, optimizerOf, restore, step } from "./state.js";
export type { AdagradOptions, AdamOptions, AdamWOptions, CommonOptions, LearningRate, LionOptions, RmspropOptions, SgdOptions } from "./optimizers.js";
export { adagrad, adam, adamw, lion, rmsprop, sgd } from "./optimizers.js";
export type { ScaleByAdagradOptions, ScaleByAdamOptions, ScaleByLionOptions, ScaleByRmsOptions } from "./moments.js";
export { scaleByAdagrad, scaleByAdam, scaleByLion, scaleByRms } from "./moments.js";
export type { AddDecayedWeightsOptions, TraceOptions } from "./transforms.js";
export { addDecayedWeights, scaleByLearningRate, trace } from "./transforms.js";
export type { Mask, MaskFn, MatricesOnlyOptions } from "./mask.js";
export { matricesOnly } from "./mask.js";
export { multiSteps } from "./multi-steps.js";
export { clipByGlobalNorm, clipByValue, globalNorm } from "./clip.js";
export type { CosineDecayOptions, LinearWarmupOptions, Rate, Schedule, Segment, WarmupCosineDecayOptions } from "./schedule.js";
export { constant, cosineDecay, join, linearWarmup, warmupCosineDecay } from "./schedule.js";
export type { CosineDecayRestartsOptions, ExponentialDecayOptions, PiecewiseConstantOptions, PolynomialDecayOptions } from "./decay-schedules.js";
export { cosineDecayRestarts, exponentialDecay, piecewiseConstant, polynomialDecay } from "./decay-schedules.js";
export type { OneCycleOptions } from "./one-cycle.js";
export { oneCycle } from "./one-cycle.js";
