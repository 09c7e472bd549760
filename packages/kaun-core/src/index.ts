/**
 * `@raven-ts/kaun-core`: Kaun-style neural networks for TypeScript.
 *
 * - `Rng`: the implicit, nestable random-key scope.
 * - `Context`: per-call auxiliary tensors (attention masks, ...).
 * - `Ptree`: parameter trees.
 * - `Layer`: `{ init, apply }` layers, `compose`, `sequential`, and the standard layers.
 * - `Init`: weight initialisers.
 * - `Fn`: stateless functions (activations, norms, embedding, dropout, attention).
 * - `Optim`: optimizers and learning-rate schedules.
 * - `Loss`: training objectives.
 * - `Train`: the training loop and evaluation.
 * - `Data`: lazy input pipelines (`ofTensors`, `textWindows`, `shuffle`, `batch`, ...).
 * - `Metric`: streaming metrics (accuracy, perplexity, precision/recall/F1, mean).
 * - `Checkpoint`: safetensors serialisation (files via `@raven-ts/kaun-core/node`).
 */
import * as LayerNs from "./layer-namespace.js";
import * as MetricNs from "./metric/index.js";
import * as PtreeNs from "./ptree.js";

export * as Rng from "./rng.js";
export { Context } from "./context.js";
export * as Init from "./init.js";
export * as Fn from "./fn/index.js";
export * as Optim from "./optim/index.js";
export * as Loss from "./loss.js";
export * as Train from "./train-namespace.js";
export * as Data from "./data/index.js";
export * as Checkpoint from "./checkpoint/index.js";

/** `Ptree`: helpers on parameter trees (`countParameters`, `flattenWithPaths`, `zerosLike`, `leaves`, `map`, `map2`, `empty`). */
export const Ptree = PtreeNs;
/** A tree of tensors: a tensor, or arrays and plain objects of trees. */
export type Ptree = PtreeNs.Ptree;

/** `Layer`: the layer helpers (`init`, `apply`), combinators (`compose`, `sequential`, `named`) and standard layers (`linear`, `layerNorm`, ...). */
export const Layer = LayerNs;
/** A layer `{ init, apply }` consuming `I` and producing `O` element kinds. */
export type Layer<I extends LayerNs.ElementKind = "float", O extends LayerNs.ElementKind = "float"> = LayerNs.Layer<I, O>;

export type { ApplyArgs, ApplyOptions, ElementKind, InitOptions, Vars } from "./layer.js";
export type { Initializer } from "./init.js";
export type { Key } from "./rng.js";
export type { LearningRate, Optimizer, OptState, Schedule } from "./optim/index.js";
export type { Batch, FitDataOptions, LossFn, StepReport, Trainer, TrainState } from "./train.js";
export type { BatchReading, EvaluateOptions } from "./train-namespace.js";
export type { BatchOptions, Dataset, TextWindow, TextWindowsOptions } from "./data/index.js";
export type { AccuracyOptions, ClassificationOptions, MeanTracker, PerplexityOptions } from "./metric/index.js";

/** `Metric`: streaming metrics (`accuracy`, `perplexity`, `precision`, `recall`, `f1`, `mean`). */
export const Metric = MetricNs;
/** A streaming metric: `update(predictions, targets)`, `compute()`, `reset()`. */
export type Metric = MetricNs.Metric;
