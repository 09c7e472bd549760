/**
 * `Optim`: optimizers over parameter trees (`sgd`, `adam`, `adamw`),
 * learning-rate schedules and gradient clipping.
 *
 * ```ts
 * const opt = Optim.adam({ lr: 1e-3 });
 * let state = Optim.init(opt, params);
 * [params, state] = Optim.step(state, params, grads);
 * ```
 */
export type { AdamOptions, AdamWOptions, CommonOptions, LearningRate, Optimizer, OptState, SgdOptions } from "./optimizers.js";
export { adam, adamw, init, optimizerOf, restore, sgd, step } from "./optimizers.js";
export type { CosineDecayOptions, LinearWarmupOptions, Schedule, Segment, WarmupCosineDecayOptions } from "./schedule.js";
export { constant, cosineDecay, join, linearWarmup, warmupCosineDecay } from "./schedule.js";
export { clipByGlobalNorm, globalNorm } from "./clip.js";
