/**
 * What every metric shares: the {@link Metric} interface (a streaming
 * accumulator: `update` per batch, `compute`, `reset`) and the reading of
 * predictions as class labels.
 */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { checkTensor, describe, fail } from "../util.js";

/**
 * A streaming metric: `update(predictions, targets)` adds a batch (the
 * values are read back, so nothing stays live), `compute()` is the value
 * over every batch since the last `reset()` (or since it was made), as a
 * plain number. `Train.evaluate` drives metrics over a dataset.
 */
export interface Metric {
  /** What it measures: `"accuracy"`, `"top5Accuracy"`, `"perplexity"`, `"precision"`, `"recall"`, `"f1"`. */
  readonly name: string;
  /** Adds a batch of predictions (model outputs) and their targets. */
  update(predictions: Tensor, targets: Tensor): void;
  /** The metric over every batch added since the last reset. */
  compute(): number;
  /** Forgets every batch added. */
  reset(): void;
}

/** The integer dtypes read as class labels. */
const LABEL_DTYPES: readonly nx.DType[] = ["int32", "uint8", "bool"];

/** `isLabels(t)` is true when `t` holds class labels (int32, uint8 or bool). */
export function isLabels(t: Tensor): boolean {
  return LABEL_DTYPES.includes(t.dtype);
}

/** `checkTargets(fn, targets)` returns `targets` when it is a live tensor of class labels (int32, uint8 or bool). */
export function checkTargets(fn: string, targets: unknown): Tensor {
  const t = checkTensor(fn, "targets", targets);
  if (!isLabels(t)) throw fail(fn, `targets must be class labels (an int32, uint8 or bool tensor), got ${describe(t)}`);
  return t;
}

/** `hostValues(t)` is the elements of `t` as numbers (bool as 0/1), C order. */
export function hostValues(t: Tensor): ArrayLike<number> {
  return t.dataSync() as ArrayLike<number>;
}

/** `isClassScores(predictions, targets)` is true when `predictions` is float `[...targets.shape, C]` with `C >= 1`. */
export function isClassScores(predictions: Tensor, targets: Tensor): boolean {
  return (
    nx.isFloat(predictions.dtype) &&
    predictions.ndim === targets.ndim + 1 &&
    targets.shape.every((d, i) => predictions.shape[i] === d) &&
    (predictions.shape[targets.ndim] as number) >= 1
  );
}

/** The forms predictions take, as the error messages list them. */
export const PREDICTION_FORMS = "class labels of the targets' shape (int32, uint8 or bool), binary scores of the targets' shape (float, thresholded), or class scores [...targets.shape, classes] (float)";

/**
 * `predictedLabels(fn, predictions, targets, threshold)` is the predicted
 * class of every target position, on the host: the labels themselves for
 * integer predictions of the targets' shape, `score > threshold` (1 or 0)
 * for float predictions of the targets' shape, the first largest score
 * (`argmax`) for float predictions `[...targets.shape, C]`.
 * @throws InvalidArgumentError naming `fn` when `predictions` has none of those forms, lives on another backend, or holds NaN.
 */
export function predictedLabels(fn: string, predictions: Tensor, targets: Tensor, threshold: number): ArrayLike<number> {
  nx.checkSameBackend(`kaun.${fn}`, [predictions, targets]);
  if (nx.shapesEqual(predictions.shape, targets.shape)) {
    if (isLabels(predictions)) return hostValues(predictions);
    const scores = hostValues(predictions);
    const labels = new Int32Array(scores.length);
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] as number;
      if (Number.isNaN(s)) throw fail(fn, `predictions hold NaN at flat position ${i}`);
      labels[i] = s > threshold ? 1 : 0;
    }
    return labels;
  }
  if (!isClassScores(predictions, targets)) {
    throw fail(fn, `predictions ${describe(predictions)} must be ${PREDICTION_FORMS} for targets ${nx.fmtShape(targets.shape)}`);
  }
  if (targets.size === 0) return new Int32Array(0);
  const [labels, nan] = nx.tidy(() => [hostValues(nx.argmax(predictions, { axis: -1 })), nx.max(nx.cast(nx.isNaN(predictions), "int32")).item()]);
  if (nan !== 0) throw fail(fn, "predictions hold NaN");
  return labels;
}
