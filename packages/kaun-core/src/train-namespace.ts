/** Everything reachable as `Train.*`: the trainer, its state, the training step and loop, prediction and evaluation. */
export type { Batch, FitDataOptions, FitOptions, LossFn, PredictOptions, StepOptions, StepReport, Trainer, TrainState } from "./train.js";
export { disposeStale, fit, init, make, makeState, predict, step } from "./train.js";
export type { BatchReading } from "./train-batch.js";
export type { EvaluateOptions } from "./evaluate.js";
export { evaluate } from "./evaluate.js";
