/**
 * `precision`, `recall`, `f1`: binary or macro-averaged, with
 * scikit-learn's definitions and zero-division rule.
 */
import type { Tensor } from "@raven-ts/nx";
import { checkFinite, checkOneOf, checkTensor, describe, fail, optionalOptions } from "../util.js";
import { checkTargets, hostValues, predictedLabels, type Metric } from "./metric.js";

/** Options of {@link precision}, {@link recall} and {@link f1}. */
export interface ClassificationOptions {
  /** `"binary"`: the score of class 1 (labels must be 0 or 1); `"macro"`: the unweighted mean of the per-class scores. Defaults to `"binary"`. */
  readonly average?: "binary" | "macro";
  /** For binary scores of the targets' shape: the predicted label is 1 when the score is above it; defaults to 0 (logits; use 0.5 for probabilities). */
  readonly threshold?: number;
  /** The score when its denominator is 0: 0, 1 or NaN (NaN classes are left out of a macro mean); defaults to 0 (scikit-learn's `"warn"`, without the warning). */
  readonly zeroDivision?: number;
}

/** The counts of one class: true positives, false positives, false negatives. */
interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

type Kind = "precision" | "recall" | "f1";

/** The score of one class from its counts, `zeroDivision` when the denominator is 0. */
function score(kind: Kind, c: Counts, zeroDivision: number): number {
  const [num, den] = kind === "precision" ? [c.tp, c.tp + c.fp] : kind === "recall" ? [c.tp, c.tp + c.fn] : [2 * c.tp, 2 * c.tp + c.fp + c.fn];
  return den === 0 ? zeroDivision : num / den;
}

/** The metric of `kind` (see {@link precision}). */
function classification(kind: Kind, options: ClassificationOptions): Metric {
  const maker = `Metric.${kind}`;
  const o = optionalOptions(maker, options, ["average", "threshold", "zeroDivision"]);
  const average = o.average === undefined ? "binary" : checkOneOf(maker, "average", o.average, ["binary", "macro"] as const);
  const threshold = o.threshold === undefined ? 0 : checkFinite(maker, "threshold", o.threshold);
  const zeroDivision = o.zeroDivision ?? 0;
  if (!(zeroDivision === 0 || zeroDivision === 1 || Number.isNaN(zeroDivision))) throw fail(maker, `zeroDivision must be 0, 1 or NaN, got ${describe(zeroDivision)}`);
  const counts = new Map<number, Counts>();
  const of = (label: number): Counts => {
    let c = counts.get(label);
    if (c === undefined) {
      c = { tp: 0, fp: 0, fn: 0 };
      counts.set(label, c);
    }
    return c;
  };
  return {
    name: kind,
    update(predictions: Tensor, targets: Tensor): void {
      const fn = `${maker}.update`;
      const p = checkTensor(fn, "predictions", predictions);
      const t = checkTargets(fn, targets);
      const predicted = predictedLabels(fn, p, t, threshold);
      const truth = hostValues(t);
      if (average === "binary") {
        const check = (values: ArrayLike<number>, what: string): void => {
          for (let i = 0; i < values.length; i++) {
            const v = values[i] as number;
            if (v !== 0 && v !== 1) throw fail(fn, `average "binary" needs labels 0 and 1, found ${v} in ${what} at flat position ${i}; use average "macro" for more classes`);
          }
        };
        check(truth, "targets");
        check(predicted, "the predicted labels");
      }
      for (let i = 0; i < truth.length; i++) {
        const y = truth[i] as number;
        const yHat = predicted[i] as number;
        if (y === yHat) of(y).tp++;
        else {
          of(yHat).fp++;
          of(y).fn++;
        }
      }
    },
    compute(): number {
      if (average === "binary") return score(kind, counts.get(1) ?? { tp: 0, fp: 0, fn: 0 }, zeroDivision);
      // scikit-learn's macro average over the classes seen in targets or predictions, NaN scores left out.
      const scores = [...counts.keys()].sort((a, b) => a - b).map((label) => score(kind, counts.get(label) as Counts, zeroDivision)).filter((s) => !Number.isNaN(s));
      return scores.length === 0 ? Number.NaN : scores.reduce((a, b) => a + b, 0) / scores.length;
    },
    reset: () => counts.clear(),
  };
}

/**
 * `precision({ average?, threshold?, zeroDivision? })` is a streaming
 * precision, `tp / (tp + fp)`, with scikit-learn's `precision_score`
 * semantics (version 1.3 and later) over every batch given to
 * `update(predictions, targets)`: with `average: "binary"` the precision of
 * class 1 (every label must be 0 or 1); with `"macro"` the unweighted mean
 * over the classes that occur in the targets or the predictions so far
 * (scikit-learn's `labels=None`). A class whose denominator is 0 scores
 * `zeroDivision` (0, 1, or NaN to leave it out of the mean; NaN when no
 * class is left). `targets` holds class labels (int32, uint8 or bool);
 * `predictions` is predicted labels of the targets' shape, binary scores of
 * the targets' shape (label `score > threshold ? 1 : 0`), or class scores
 * `[...targets.shape, C]` (label `argmax`, the first maximum).
 * `average` defaults to `"binary"`, `threshold` to 0, `zeroDivision` to 0.
 * @throws InvalidArgumentError when `average` is neither `"binary"` nor
 * `"macro"`, `threshold` is not finite, or `zeroDivision` is not 0, 1 or
 * NaN; `update` (naming `kaun.Metric.precision.update`), when an argument is
 * not a live tensor, targets are not labels, predictions have none of the
 * forms above or hold NaN, the two live on different backends, or (binary)
 * a label is neither 0 nor 1. A rejected update adds nothing.
 */
export function precision(options: ClassificationOptions = {}): Metric {
  return classification("precision", options);
}

/**
 * `recall({ average?, threshold?, zeroDivision? })` is a streaming recall,
 * `tp / (tp + fn)`, with scikit-learn's `recall_score` semantics: as
 * {@link precision} in everything else (averages, inputs, zero division,
 * defaults, errors, naming `kaun.Metric.recall.update`).
 */
export function recall(options: ClassificationOptions = {}): Metric {
  return classification("recall", options);
}

/**
 * `f1({ average?, threshold?, zeroDivision? })` is a streaming F1 score,
 * `2 tp / (2 tp + fp + fn)` (the harmonic mean of precision and recall,
 * computed from the counts as scikit-learn ≥ 1.3 does, so it is
 * `zeroDivision` only when the class never occurs in targets nor
 * predictions), with scikit-learn's `f1_score` semantics: as
 * {@link precision} in everything else (averages, inputs, defaults,
 * errors, naming `kaun.Metric.f1.update`).
 */
export function f1(options: ClassificationOptions = {}): Metric {
  return classification("f1", options);
}
