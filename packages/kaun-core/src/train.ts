/**
 * `Train`: the training loop. A trainer pairs a model with an optimizer; a
 * training state bundles the model's variables with the optimizer state.
 *
 * Targets are not an argument of their own: the loss is a function of the
 * model's output that closes over the batch's targets, so any target shape,
 * dtype or loss works:
 *
 * ```ts
 * const t = Train.make({ model, optimizer: Optim.adam({ lr: 1e-2 }) });
 * let state = Rng.run(0, () => Train.init(t, { dtype: "float32" }));
 * const [loss, next] = Train.step(t, state, x, { loss: (y) => Loss.mse(y, target) });
 * ```
 */
import type { FloatDType, Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { valueAndGrad } from "@raven-ts/rune";
import { checkCtx, type Context } from "./context.js";
import type { ElementKind, Layer, Vars } from "./layer.js";
import { checkResult, init as layerInit } from "./layer.js";
import type { OptState } from "./optim/state.js";
import type { Optimizer } from "./optim/transform.js";
import { init as optimInit, step as optimStep } from "./optim/state.js";
import type { Ptree } from "./ptree.js";
import { disposeUnheld } from "./tree-args.js";
import { batchReader, checkIterable, eachBatch, type BatchReading } from "./train-batch.js";
import { checkBool, checkFloatDType, checkFunction, checkOptions, checkTensor, describe, fail, optionalOptions } from "./util.js";

/** A model paired with an optimizer, as {@link make} returns it. */
export interface Trainer<I extends ElementKind = "float", O extends ElementKind = "float"> {
  /** The model. */
  readonly model: Layer<I, O>;
  /** The optimizer of its params. */
  readonly optimizer: Optimizer;
}

/** The state of training: the model's variables and the optimizer's state (a pytree of tensors, so it checkpoints). */
export interface TrainState {
  /** The model's params, state and dtype. */
  readonly vars: Vars;
  /** The optimizer's state for `vars.params`. */
  readonly opt: OptState;
}

/** A loss: a scalar float tensor computed from the model's output (closing over the batch's targets). */
export type LossFn = (output: Tensor) => Tensor;

/** `checkTrainer(fn, t)` returns `t` when it is a trainer made by {@link make}. Internal. */
export function checkTrainer(fn: string, t: unknown): Trainer<ElementKind, ElementKind> {
  const tr = t as Trainer<ElementKind, ElementKind> | null;
  if (typeof tr !== "object" || tr === null || typeof tr.model?.apply !== "function" || typeof tr.optimizer?.rule !== "function") {
    throw fail(fn, `expected a trainer made by Train.make, got ${describe(t)}`);
  }
  return tr;
}

/** `checkState(fn, s)` returns `s` when it is a training state with live tensors. Internal. */
export function checkState(fn: string, s: unknown): TrainState {
  const st = s as TrainState | null;
  if (typeof st !== "object" || st === null || typeof st.vars !== "object" || st.vars === null || typeof st.opt !== "object" || st.opt === null) {
    throw fail(fn, `expected a training state { vars, opt } made by Train.init or Train.makeState, got ${describe(s)}`);
  }
  checkFloatDType(fn, st.vars.dtype);
  const leaves = nx.tree.flatten<unknown>([st.vars.params, st.vars.state, st.opt] as nx.tree.Tree<unknown>)[0];
  leaves.forEach((t) => {
    if (nx.isTensor(t)) checkTensor(fn, "a tensor of the training state", t);
  });
  return st;
}

/**
 * `make({ model, optimizer })` is a trainer.
 * @throws InvalidArgumentError when `model` is not a layer or `optimizer` is not an optimizer.
 */
export function make<I extends ElementKind, O extends ElementKind>(options: { readonly model: Layer<I, O>; readonly optimizer: Optimizer }): Trainer<I, O> {
  const fn = "Train.make";
  if (typeof options !== "object" || options === null) throw fail(fn, "options { model, optimizer } are required");
  const { model, optimizer } = options;
  if (typeof model !== "object" || model === null || typeof model.init !== "function" || typeof model.apply !== "function") throw fail(fn, `model must be a layer, got ${describe(model)}`);
  if (typeof optimizer !== "object" || optimizer === null || typeof optimizer.rule !== "function") throw fail(fn, `optimizer must be made by Optim.sgd, Optim.adam, Optim.chain or another Optim transformation, got ${describe(optimizer)}`);
  return Object.freeze({ model, optimizer });
}

/**
 * `init(t, { dtype? })` is a fresh training state: the model's variables
 * (`Layer.init`, keys from the implicit `Rng` scope) and the optimizer state
 * for their params. `dtype` defaults to `"float32"`.
 * @throws InvalidArgumentError when `t` is not a trainer or `dtype` is not float32 or float64.
 */
export function init<I extends ElementKind, O extends ElementKind>(t: Trainer<I, O>, options: { readonly dtype?: FloatDType } = {}): TrainState {
  const fn = "Train.init";
  const tr = checkTrainer(fn, t);
  const vars = layerInit(tr.model, { dtype: checkFloatDType(fn, optionalOptions(fn, options, ["dtype"]).dtype ?? "float32") });
  return { vars, opt: optimInit(tr.optimizer, vars.params) };
}

/**
 * `makeState(t, vars)` is a training state holding `vars` (for example
 * loaded from a checkpoint) and a fresh optimizer state for its params.
 * @throws InvalidArgumentError when `t` is not a trainer or `vars` is not `{ params, state, dtype }` with float params.
 */
export function makeState<I extends ElementKind, O extends ElementKind>(t: Trainer<I, O>, vars: Vars): TrainState {
  const fn = "Train.makeState";
  const tr = checkTrainer(fn, t);
  if (typeof vars !== "object" || vars === null) throw fail(fn, `vars must be { params, state, dtype }, got ${describe(vars)}`);
  checkFloatDType(fn, vars.dtype);
  return { vars, opt: optimInit(tr.optimizer, vars.params) };
}

/** Options of {@link step}. */
export interface StepOptions {
  /** The loss of the model's output (closing over the targets); must return a one-element float tensor. */
  readonly loss: LossFn;
  /** Per-call auxiliary tensors for the forward pass; defaults to none. */
  readonly ctx?: Context;
  /** Whether the forward pass is a training pass (dropout active); defaults to true. */
  readonly training?: boolean;
}

/**
 * `step(t, state, x, { loss, ctx?, training? })` is one training step,
 * `[lossValue, newState]`: the forward pass of `t.model` on `x` (keys for
 * dropout from the implicit `Rng` scope), the gradient of `loss(output)`
 * with respect to the params (`rune.valueAndGrad`), and one optimizer
 * update; the layer state returned by the forward pass is threaded into the
 * new state. `lossValue` is the loss before the update (a scalar tensor).
 *
 * Every intermediate tensor is disposed (`nx.tidy`), so only `lossValue` and
 * the new state's tensors are created. `state` itself is left intact: when
 * it is no longer needed, free the tensors it does not share with the new
 * state with {@link disposeStale} (`Train.fit` does this for you).
 * `training` defaults to true; `ctx` defaults to none.
 * @throws InvalidArgumentError when `t` or `state` is malformed, `loss` is
 * not a function or does not return a one-element float tensor, `ctx` is not
 * a `Context`, or the model rejects `x` (for example an input dtype other
 * than the model's).
 */
export function step<I extends ElementKind, O extends ElementKind>(t: Trainer<I, O>, state: TrainState, x: Tensor, options: StepOptions): [Tensor, TrainState] {
  const fn = "Train.step";
  const tr = checkTrainer(fn, t);
  const st = checkState(fn, state);
  checkTensor(fn, "x", x);
  const lossFn = checkFunction(fn, "loss", checkOptions(fn, options, "{ loss }", ["loss", "ctx", "training"]).loss);
  const training = checkBool(fn, "training", options.training, true);
  const ctx = checkCtx(fn, options.ctx);
  const { params, state: layerState, dtype } = st.vars;
  return nx.tidy(() => {
    const objective = (p: Ptree): [Tensor, Ptree] => {
      const [y, newLayerState] = tr.model.apply({ params: p, state: layerState, dtype, training, ctx }, x);
      const l = lossFn(y);
      if (!nx.isTensor(l) || l.size !== 1 || !nx.isFloat(l.dtype)) {
        throw fail(fn, `loss must return a one-element float tensor, got ${nx.isTensor(l) ? `${l.dtype} ${nx.fmtShape(l.shape)}` : describe(l)}`);
      }
      return [l, newLayerState];
    };
    const [[lossValue, newLayerState], grads] = valueAndGrad(objective, { hasAux: true })(params);
    const [newParams, newOpt] = optimStep(st.opt, params, grads);
    const next: TrainState = { vars: { params: newParams, state: newLayerState, dtype }, opt: newOpt };
    return [lossValue, next];
  });
}

/**
 * `disposeStale(old, current)` disposes every tensor of the training state
 * `old` that `current` does not also hold (parameters and optimizer slots
 * replaced by a step), so a hand-written loop keeps memory flat:
 * `const [l, next] = Train.step(t, s, x, o); Train.disposeStale(s, next); s = next;`.
 * Do not use `old` afterwards.
 */
export function disposeStale(old: TrainState, current: TrainState): void {
  disposeUnheld(old, current);
}

/** A batch for {@link fit} given as a plain iterable: the model's input and the loss of its output (closing over the batch's targets). */
export interface Batch {
  /** The model's input. */
  readonly x: Tensor;
  /** The loss of the model's output for this batch. */
  readonly loss: LossFn;
  /** Per-batch auxiliary tensors (such as this batch's attention mask); defaults to `fit`'s `ctx`. */
  readonly ctx?: Context;
}

/** What {@link fit} reports after every step. */
export interface StepReport {
  /** The 1-based number of the step just taken. */
  readonly step: number;
  /** The loss of the step (before its update), read back as a number. */
  readonly loss: number;
  /** The training state after the step (valid until the next step replaces it). */
  readonly state: TrainState;
}

/** Options of {@link fit} over batches `{ x, loss, ctx? }`. */
export interface FitOptions {
  /** Called after every step; returning `false` stops training after that step. Defaults to none. */
  readonly onStep?: (report: StepReport) => boolean | void;
  /** Auxiliary tensors for every forward pass (a batch's own `ctx` wins); defaults to none. */
  readonly ctx?: Context;
  /** Whether forward passes are training passes (dropout active); defaults to true. */
  readonly training?: boolean;
}

/**
 * Options of {@link fit} over a dataset of trees of tensors (such as
 * `Data.textWindows`' `{ inputs, targets }`): the loss is given here, as a
 * function of the model's output and the batch's targets.
 */
export interface FitDataOptions<B> extends BatchReading<B> {
  /** The loss of a batch: a one-element float tensor from the model's output, the targets (`target(batch)`) and the batch itself; `Loss.crossEntropySparse` fits as it is. */
  readonly loss: (output: Tensor, targets: Tensor, batch: B) => Tensor;
  /** Called after every step; returning `false` stops training after that step. Defaults to none. */
  readonly onStep?: (report: StepReport) => boolean | void;
  /** Whether forward passes are training passes (dropout active); defaults to true. */
  readonly training?: boolean;
}

/**
 * `fit(t, state, batches, options?)` runs {@link step} on every batch, in
 * order, and returns the final training state. `batches` is any iterable,
 * consumed lazily: a `Data` dataset (one epoch of it: its next pass), an
 * array, a generator. A batch is read one of two ways:
 *
 * - With `options.loss` (a dataset of trees): the model's input is
 *   `input(batch)` (default `batch.inputs`), the loss is
 *   `loss(output, target(batch), batch)` (default targets `batch.targets`),
 *   the context `ctx` (a `Context`, or a function of the batch). So
 *   `fit(t, s, Data.textWindows(ids, { seqLen }).batch(8), { loss: Loss.crossEntropySparse })`
 *   trains a language model.
 * - Without it, every batch is `{ x, loss, ctx? }` (`loss` a function of
 *   the output closing over the targets; `ctx` defaults to `options.ctx`).
 *
 * After each step the loss is read back and `onStep({ step, loss, state })`
 * is called; returning `false` stops early.
 *
 * **Memory.** The states `fit` creates and then supersedes are disposed as
 * it goes, as are the loss tensors; `state` (the caller's) is left intact.
 * The batches of a `Data` dataset are fit's: each is disposed after its
 * step (also when stopping early or on an error). The batches of any other
 * iterable stay the caller's (an array may repeat one batch). So memory stays
 * flat however long training runs. `onStep` and `ctx` default to none;
 * `training` defaults to true.
 * @throws InvalidArgumentError when `batches` is not iterable, an option is
 * malformed, a batch is not `{ x, loss }` (without `options.loss`) or lacks
 * its input or targets tensor (with it), or as {@link step}; whatever
 * `onStep`, `input`, `target` or `loss` throws propagates (the state of the
 * last completed step is then lost, since fit has not returned it).
 */
export function fit<I extends ElementKind, O extends ElementKind>(t: Trainer<I, O>, state: TrainState, batches: Iterable<Batch>, options?: FitOptions): TrainState;
export function fit<I extends ElementKind, O extends ElementKind, B>(t: Trainer<I, O>, state: TrainState, batches: Iterable<B>, options: FitDataOptions<B>): TrainState;
export function fit<I extends ElementKind, O extends ElementKind, B>(t: Trainer<I, O>, state: TrainState, batches: Iterable<B | Batch>, options: FitOptions | FitDataOptions<B> = {}): TrainState {
  const fn = "Train.fit";
  checkTrainer(fn, t);
  checkState(fn, state);
  const data = checkIterable<B | Batch>(fn, batches, "batches");
  const o = optionalOptions(fn, options as FitDataOptions<B> & FitOptions, ["onStep", "ctx", "training", "loss", "input", "target"]);
  const onStep = o.onStep === undefined ? undefined : checkFunction(fn, "onStep", o.onStep);
  const training = checkBool(fn, "training", o.training, true);
  const dataLoss = o.loss === undefined ? undefined : checkFunction(fn, "loss", o.loss);
  if (dataLoss === undefined && (o.input !== undefined || o.target !== undefined)) throw fail(fn, "input and target read the batches of a dataset; pass loss: (output, targets) => tensor with them");
  const read = dataLoss === undefined ? undefined : batchReader<B>(fn, o);
  const ctx = read === undefined ? checkCtx(fn, o.ctx) : undefined;
  let current = state;
  eachBatch(data, (batch, n) => {
    let x: Tensor;
    let loss: LossFn;
    let batchCtx: Context | undefined;
    if (read === undefined || dataLoss === undefined) {
      const b = batch as Batch;
      if (typeof b !== "object" || b === null || !nx.isTensor(b.x) || typeof b.loss !== "function") {
        throw fail(fn, `batch ${n} must be { x: Tensor, loss: (output) => Tensor }, got ${describe(batch)}; for batches of tensors such as { inputs, targets }, pass options.loss`);
      }
      x = b.x;
      loss = b.loss;
      batchCtx = b.ctx ?? ctx;
    } else {
      const r = read(n, batch as B);
      x = r.x;
      loss = (output) => dataLoss(output, r.targets, batch as B);
      batchCtx = r.ctx;
    }
    const [lossValue, next] = step(t, current, x, { loss, training, ...(batchCtx === undefined ? {} : { ctx: batchCtx }) });
    if (current !== state) disposeStale(current, next);
    current = next;
    const lossNumber = Number(lossValue.item());
    lossValue.dispose();
    return onStep === undefined || onStep({ step: n + 1, loss: lossNumber, state: current }) !== false;
  });
  return current;
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Per-call auxiliary tensors; defaults to none. */
  readonly ctx?: Context;
}

/**
 * `predict(t, state, x, { ctx? })` is the model's output on `x` in
 * evaluation mode (`training: false`: no dropout; the layer state is not
 * updated). `ctx` defaults to none.
 * @throws InvalidArgumentError when `t` or `state` is malformed or the model rejects `x`.
 */
export function predict<I extends ElementKind, O extends ElementKind>(t: Trainer<I, O>, state: TrainState, x: Tensor, options: PredictOptions = {}): Tensor {
  const fn = "Train.predict";
  const tr = checkTrainer(fn, t);
  const st = checkState(fn, state);
  const ctx = checkCtx(fn, optionalOptions(fn, options, ["ctx"]).ctx);
  const { params, state: layerState, dtype } = st.vars;
  return nx.tidy(() => checkResult(fn, tr.model.apply({ params, state: layerState, dtype, training: false, ctx }, x))[0]);
}
