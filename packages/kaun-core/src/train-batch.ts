/**
 * Reading the batches of a dataset for `Train.fit` and `Train.evaluate`:
 * which tensor is the model's input, which the targets, which context the
 * forward pass gets, and who disposes the batch.
 */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { checkCtx, type Context } from "./context.js";
import { isDataset } from "./data/dataset.js";
import { checkFunction, checkTensor, describe, fail, isRecord } from "./util.js";

/** How `Train.fit` and `Train.evaluate` read a batch `B` of a dataset. */
export interface BatchReading<B> {
  /** The model's input of a batch; defaults to `batch.inputs`. */
  readonly input?: (batch: B) => Tensor;
  /** The targets of a batch (given to the loss and the metrics); defaults to `batch.targets`. */
  readonly target?: (batch: B) => Tensor;
  /** The forward pass's context: one for every batch, or a function of the batch; defaults to none. */
  readonly ctx?: Context | ((batch: B) => Context | undefined);
}

/** A checked {@link BatchReading}: reads batch `n` as `{ x, targets, ctx }`. */
export type BatchReader<B> = (n: number, batch: B) => { x: Tensor; targets: Tensor; ctx: Context | undefined };

/** The tensor under `key` of a batch, or a selector's result, checked as a live tensor. */
function field<B>(fn: string, n: number, batch: B, key: "inputs" | "targets", select: ((batch: B) => Tensor) | undefined): Tensor {
  const option = key === "inputs" ? "input" : "target";
  if (select !== undefined) return checkTensor(fn, `${option}(batch ${n})`, select(batch));
  if (!isRecord(batch) || !nx.isTensor(batch[key])) {
    throw fail(fn, `batch ${n} has no tensor "${key}" (got ${describe(batch)}); pass ${option}: (batch) => tensor to say which tensor is the ${key === "inputs" ? "model's input" : "targets"}`);
  }
  return checkTensor(fn, `batch ${n}'s ${key}`, batch[key]);
}

/**
 * `batchReader(fn, reading)` checks the options of a {@link BatchReading}
 * and returns the reader of a batch.
 * @throws InvalidArgumentError naming `fn` when `input` or `target` is not a function or `ctx` is neither a Context nor a function.
 */
export function batchReader<B>(fn: string, reading: BatchReading<B>): BatchReader<B> {
  const input = reading.input === undefined ? undefined : checkFunction(fn, "input", reading.input);
  const target = reading.target === undefined ? undefined : checkFunction(fn, "target", reading.target);
  const ctx = reading.ctx;
  if (ctx !== undefined && typeof ctx !== "function") checkCtx(fn, ctx);
  return (n, batch) => ({
    x: field(fn, n, batch, "inputs", input),
    targets: field(fn, n, batch, "targets", target),
    ctx: typeof ctx === "function" ? checkCtx(fn, ctx(batch)) : ctx,
  });
}

/**
 * `eachBatch(data, body)` calls `body(batch, n)` for every batch of `data`
 * (any iterable) in order, until `body` returns false. When `data` is a
 * `Dataset`, its batches are the caller's and each is disposed once its
 * body has run (or thrown); the batches of any other iterable are left alone.
 */
export function eachBatch<B>(data: Iterable<B>, body: (batch: B, n: number) => boolean | void): void {
  const owned = isDataset(data);
  let n = 0;
  for (const batch of data) {
    try {
      if (body(batch, n++) === false) break;
    } finally {
      if (owned) nx.dispose(batch);
    }
  }
}

/** `checkIterable(fn, data)` returns `data` when it is iterable (a `Dataset`, an array, a generator ...). */
export function checkIterable<B>(fn: string, data: unknown, what: string): Iterable<B> {
  if (data === null || typeof data !== "object" || typeof (data as Iterable<B>)[Symbol.iterator] !== "function") {
    throw fail(fn, `${what} must be an iterable of batches (a Data dataset, an array, a generator), got ${describe(data)}`);
  }
  return data as Iterable<B>;
}
