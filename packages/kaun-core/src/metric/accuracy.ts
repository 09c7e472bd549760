/** `accuracy`: the fraction of predictions that are right (top-1, or the label among the k highest scores). */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { checkFinite, checkPositiveInt, checkTensor, describe, fail, optionalOptions } from "../util.js";
import { checkTargets, hostValues, isClassScores, PREDICTION_FORMS, predictedLabels, type Metric } from "./metric.js";

/** Options of {@link accuracy}. */
export interface AccuracyOptions {
  /** A prediction counts as right when the label is among the `topK` highest class scores; defaults to 1 (the highest). */
  readonly topK?: number;
  /** For binary scores of the targets' shape: the predicted label is 1 when the score is above it; defaults to 0 (scores are logits; use 0.5 for probabilities). */
  readonly threshold?: number;
}

/**
 * `accuracy({ topK?, threshold? })` is a streaming accuracy: the number of
 * right predictions over the number of targets, across every batch given
 * to `update(predictions, targets)` (so batches count by their size).
 * `targets` holds class labels (int32, uint8 or bool, any shape); `predictions` is
 * - class scores `[...targets.shape, C]` (logits or probabilities): right
 *   when fewer than `topK` classes rank above the label, ranking by score
 *   and, among equal scores, the lower class index first (so top-1 is
 *   `argmax`, the first maximum, as numpy; `topK >= C` is always right);
 *   labels must lie in `[0, C)`;
 * - predicted labels of the targets' shape (int32, uint8 or bool): right when equal;
 * - binary scores of the targets' shape (float): the label `score > threshold ? 1 : 0`.
 *
 * `compute()` is NaN before any target was added. `name` is `"accuracy"`,
 * or `"top<k>Accuracy"` for `topK > 1`. `topK` defaults to 1, `threshold` to 0.
 * @throws InvalidArgumentError when `topK` is not a positive integer or
 * `threshold` is not finite; `update` (naming `kaun.Metric.accuracy.update`),
 * when an argument is not a live tensor, targets are not labels,
 * predictions have none of the forms above (or are labels or binary scores
 * with `topK > 1`), scores hold NaN, a label is out of range, or the two
 * live on different backends. A rejected update adds nothing.
 */
export function accuracy(options: AccuracyOptions = {}): Metric {
  const o = optionalOptions("Metric.accuracy", options, ["topK", "threshold"]);
  const topK = o.topK === undefined ? 1 : checkPositiveInt("Metric.accuracy", "topK", o.topK);
  const threshold = o.threshold === undefined ? 0 : checkFinite("Metric.accuracy", "threshold", o.threshold);
  let correct = 0;
  let total = 0;
  return {
    name: topK === 1 ? "accuracy" : `top${topK}Accuracy`,
    update(predictions: Tensor, targets: Tensor): void {
      const fn = "Metric.accuracy.update";
      const p = checkTensor(fn, "predictions", predictions);
      const t = checkTargets(fn, targets);
      if (!isClassScores(p, t)) {
        if (!nx.shapesEqual(p.shape, t.shape)) throw fail(fn, `predictions ${describe(p)} must be ${PREDICTION_FORMS} for targets ${nx.fmtShape(t.shape)}`);
        if (topK > 1) throw fail(fn, `topK ${topK} needs class scores [...targets.shape, classes], got predictions ${describe(p)} for targets ${nx.fmtShape(t.shape)}`);
        const predicted = predictedLabels(fn, p, t, threshold);
        const labels = hostValues(t);
        let hits = 0;
        for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
        correct += hits;
        total += labels.length;
        return;
      }
      nx.checkSameBackend(`kaun.${fn}`, [p, t]);
      const classes = p.shape[t.ndim] as number;
      const labels = hostValues(t);
      for (let i = 0; i < labels.length; i++) {
        const label = labels[i] as number;
        if (label < 0 || label >= classes) throw fail(fn, `label ${label} at flat position ${i} is out of range for ${classes} classes`);
      }
      if (labels.length === 0) return;
      const [hits, nan] = nx.tidy(() => {
        const label = nx.expandDims(nx.cast(t, "int32"), -1); // [..., 1]
        const own = nx.takeAlongAxis(p, label, { axis: -1 }); // the label's score, [..., 1]
        const lower = nx.less(nx.arange(classes, undefined, 1, { backend: p.backend }), label); // class index below the label's
        const ahead = nx.logicalOr(nx.greater(p, own), nx.logicalAnd(nx.equal(p, own), lower));
        const rank = nx.sum(nx.cast(ahead, "int32"), { axes: -1 });
        const right = nx.sum(nx.cast(nx.less(rank, topK), "int32"));
        return [Number(right.item()), Number(nx.max(nx.cast(nx.isNaN(p), "int32")).item())];
      });
      if (nan !== 0) throw fail(fn, "predictions hold NaN");
      correct += hits;
      total += labels.length;
    },
    compute: () => (total === 0 ? Number.NaN : correct / total),
    reset: () => {
      correct = 0;
      total = 0;
    },
  };
}
