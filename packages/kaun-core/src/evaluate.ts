/** `Train.evaluate`: a model's metrics over a dataset, as plain numbers. */
import * as nx from "@raven-ts/nx";
import { InvalidArgumentError } from "@raven-ts/nx";
import type { ElementKind } from "./layer.js";
import { checkResult } from "./layer.js";
import type { Metric } from "./metric/metric.js";
import { MEAN_TRACKER } from "./metric/mean.js";
import { checkState, checkTrainer, type Trainer, type TrainState } from "./train.js";
import { batchReader, checkIterable, eachBatch, type BatchReading } from "./train-batch.js";
import { describe, fail, isRecord, optionalOptions } from "./util.js";

/** Options of {@link evaluate}: how a batch is read (see `BatchReading`). */
export type EvaluateOptions<B> = BatchReading<B>;

/** `checkMetrics(fn, metrics)` returns `metrics` when it is an object of metrics (`update`, `compute`, `reset`), none of them a mean tracker. */
function checkMetrics<M extends Record<string, Metric>>(fn: string, metrics: M): M {
  if (!isRecord(metrics)) throw fail(fn, `metrics must be an object of named metrics such as { ppl: Metric.perplexity() }, got ${describe(metrics)}`);
  for (const [name, m] of Object.entries(metrics)) {
    const metric = m as Partial<Metric> | null;
    if (typeof metric !== "object" || metric === null || typeof metric.update !== "function" || typeof metric.compute !== "function" || typeof metric.reset !== "function") {
      throw fail(fn, `metrics.${name} must be a metric (update, compute, reset) such as Metric.accuracy(), got ${describe(m)}`);
    }
    if (MEAN_TRACKER in metric) throw fail(fn, `metrics.${name} is a Metric.mean tracker, whose update takes values rather than predictions and targets; track values with it in your own loop`);
  }
  return metrics;
}

/**
 * `evaluate(t, state, data, metrics, { input?, target?, ctx? })` runs the
 * model in evaluation mode (`training: false`: no dropout, the layer state
 * unchanged) over every batch of `data` (a `Data` dataset, one epoch of it,
 * or any iterable of batches) and returns each metric's value over all of
 * them as a plain number, under the metric's key:
 * `evaluate(t, s, valid, { ppl: Metric.perplexity(), acc: Metric.accuracy() })`
 * is `{ ppl: 4.2, acc: 0.41 }`. Every metric is reset first, then updated
 * with `(output, target(batch))` per batch. A batch is read as by
 * `Train.fit` with `options.loss`: input `batch.inputs` and targets
 * `batch.targets` unless `input`/`target` say otherwise, context `ctx` (a
 * Context or a function of the batch; defaults to none).
 *
 * The model's outputs are disposed once the metrics have read them; the
 * batches of a `Data` dataset are disposed too (those of another iterable
 * stay the caller's), so nothing stays live. An empty `data` gives each
 * metric's value for no data (NaN for most).
 * @throws InvalidArgumentError naming `kaun.Train.evaluate` when `t` or
 * `state` is malformed, `data` is not iterable, `metrics` is not an object
 * of metrics (or holds a `Metric.mean` tracker), an option is malformed, a
 * batch lacks its input or targets tensor, the model rejects an input, or a
 * metric rejects a batch (the metric's own message follows its name);
 * whatever `input`, `target` or `ctx` throws propagates.
 */
export function evaluate<I extends ElementKind, O extends ElementKind, B, M extends Record<string, Metric>>(
  t: Trainer<I, O>,
  state: TrainState,
  data: Iterable<B>,
  metrics: M,
  options: EvaluateOptions<B> = {},
): { [K in keyof M]: number } {
  const fn = "Train.evaluate";
  const tr = checkTrainer(fn, t);
  const st = checkState(fn, state);
  const batches = checkIterable<B>(fn, data, "data");
  const named = Object.entries(checkMetrics(fn, metrics));
  const read = batchReader<B>(fn, optionalOptions(fn, options, ["input", "target", "ctx"]));
  const { params, state: layerState, dtype } = st.vars;
  named.forEach(([, m]) => m.reset());
  eachBatch(batches, (batch, n) => {
    const { x, targets, ctx } = read(n, batch);
    const output = nx.tidy(() => checkResult(fn, tr.model.apply({ params, state: layerState, dtype, training: false, ctx }, x))[0]);
    try {
      for (const [name, m] of named) {
        try {
          m.update(output, targets);
        } catch (e) {
          if (e instanceof InvalidArgumentError) throw fail(fn, `metric ${name} rejected batch ${n}: ${e.message}`);
          throw e;
        }
      }
    } finally {
      output.dispose();
    }
  });
  return Object.fromEntries(named.map(([name, m]) => [name, m.compute()])) as { [K in keyof M]: number };
}
