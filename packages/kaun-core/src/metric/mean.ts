/** `mean`: a running (weighted) mean of values, such as the training loss. */
import type { Tensor } from "@raven-ts/nx";
import { isTensor } from "@raven-ts/nx";
import { checkNonNegative, checkTensor, describe, fail } from "../util.js";

/** A running mean, as {@link mean} makes it. */
export interface MeanTracker {
  /** `"mean"`. */
  readonly name: "mean";
  /** Adds every element of `values` (a tensor or a number), each with weight `weight` (default 1). */
  update(values: Tensor | number, weight?: number): void;
  /** The weighted mean of every value added since the last reset (NaN before any weight was added). */
  compute(): number;
  /** Forgets every value added. */
  reset(): void;
}

/** Marks mean trackers, which `Train.evaluate` does not drive (their update takes values, not predictions and targets). */
export const MEAN_TRACKER = Symbol("MeanTracker");

/**
 * `mean()` is a running mean: `update(values, weight?)` adds each element
 * of `values` (a tensor of any dtype and shape, read back to the host, or
 * a number) with weight `weight`, and `compute()` is
 * `sum(weight · value) / sum(weight)` in float64 over everything added
 * since the last `reset()` (NaN before any weight; NaN values propagate).
 * Use it for a training loss in `onStep`, or with `weight` = batch size to
 * average per-batch means by examples. `weight` defaults to 1.
 * @throws InvalidArgumentError, from `update` (naming `kaun.Metric.mean.update`),
 * when `values` is neither a number nor a live tensor, or `weight` is not a
 * finite non-negative number.
 */
export function mean(): MeanTracker {
  let total = 0;
  let weights = 0;
  const tracker = {
    name: "mean" as const,
    update(values: Tensor | number, weight = 1): void {
      const fn = "Metric.mean.update";
      const w = checkNonNegative(fn, "weight", weight);
      if (typeof values === "number") {
        total += w * values;
        weights += w;
        return;
      }
      if (!isTensor(values)) throw fail(fn, `values must be a number or a Tensor, got ${describe(values)}`);
      const data = checkTensor(fn, "values", values).dataSync() as ArrayLike<number>;
      let sum = 0;
      for (let i = 0; i < data.length; i++) sum += data[i] as number;
      total += w * sum;
      weights += w * data.length;
    },
    compute: () => (weights === 0 ? Number.NaN : total / weights),
    reset: () => {
      total = 0;
      weights = 0;
    },
    [MEAN_TRACKER]: true,
  };
  return tracker;
}
