/**
 * `Metric`: streaming evaluation metrics. Each is an accumulator:
 * `update(predictions, targets)` per batch, `compute()` for the value over
 * every batch so far (a plain number), `reset()` to start again.
 * `Train.evaluate(trainer, state, data, { ppl: Metric.perplexity() })` runs
 * a model over a dataset and returns `{ ppl: number }`.
 *
 * - `accuracy({ topK?, threshold? })`: top-1 or top-k accuracy.
 * - `perplexity({ ignoreIndex? })`: exp of the mean token NLL, weighted by token counts.
 * - `precision`, `recall`, `f1` (`{ average: "binary" | "macro", zeroDivision? }`): scikit-learn's definitions.
 * - `mean()`: a running weighted mean of values (a training loss, say).
 */
export type { Metric } from "./metric.js";
export type { AccuracyOptions } from "./accuracy.js";
export { accuracy } from "./accuracy.js";
export type { PerplexityOptions } from "./perplexity.js";
export { perplexity } from "./perplexity.js";
export type { ClassificationOptions } from "./classification.js";
export { f1, precision, recall } from "./classification.js";
export type { MeanTracker } from "./mean.js";
export { mean } from "./mean.js";
