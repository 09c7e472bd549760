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
import { Context } from "./context.js";
import type { ElementKind, Layer, Vars } from "./layer.js";
import { checkResult, init as layerInit } from "./layer.js";
import type { OptState } from "./optim/state.js";
import type { Optimizer } from "./optim/transform.js";
import { init as optimInit, step as optimStep } from "./optim/state.js";
import type { Ptree } from "./ptree.js";
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

function checkTrainer(fn: string, t: unknown): Trainer<ElementKind, ElementKind> {
  const tr = t as Trainer<ElementKind, ElementKind> | null;
  if (typeof tr !== "object" || tr === null || typeof tr.model?.apply !== "function" || typeof tr.optimizer?.rule !== "function") {
    throw fail(fn, `expected a trainer made by Train.make, got ${describe(t)}`);
  }
  return tr;
}

function checkState(fn: string, s: unknown): TrainState {
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

function checkCtx(fn: string, ctx: unknown): Context | undefined {
  if (ctx !== undefined && !(ctx instanceof Context)) throw fail(fn, `ctx must be a Context, got ${describe(ctx)}`);
  return ctx;
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
  if (typeof optimizer !== "object" || optimizer === null || typeof optimizer.rule !== "function") throw fail(fn, `optimizer must be made by Optim.sgd, Optim.adam or Optim.adamw, got ${describe(optimizer)}`);
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
  const keep = new Set(nx.tree.leaves<unknown>(current as unknown as nx.tree.Tree<unknown>));
  for (const leaf of nx.tree.leaves<unknown>(old as unknown as nx.tree.Tree<unknown>)) {
    if (nx.isTensor(leaf) && !keep.has(leaf)) leaf.dispose();
  }
}

/** A batch for {@link fit}: the model's input and the loss of its output (closing over the batch's targets). */
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

/** Options of {@link fit}. */
export interface FitOptions {
  /** Called after every step; returning `false` stops training after that step. Defaults to none. */
  readonly onStep?: (report: StepReport) => boolean | void;
  /** Auxiliary tensors for every forward pass (a batch's own `ctx` wins); defaults to none. */
  readonly ctx?: Context;
  /** Whether forward passes are training passes (dropout active); defaults to true. */
  readonly training?: boolean;
}

/**
 * `fit(t, state, batches, { onStep?, ctx?, training? })` runs {@link step}
 * on every batch of `batches` (any iterable, consumed lazily) in order and
 * returns the final training state. After each step the loss is read back
 * and `onStep({ step, loss, state })` is called; returning `false` stops early.
 * The states `fit` creates and then supersedes are disposed as it goes, as
 * are the loss tensors, so memory stays flat however long it runs; `state`
 * (the caller's) is left intact. `onStep`, `ctx` default to none; `training`
 * defaults to true.
 * @throws InvalidArgumentError when `batches` is not iterable, a batch is not
 * `{ x, loss }`, or as {@link step}; whatever `onStep` throws propagates
 * (the state of the last completed step is then lost, since fit has not returned it).
 */
export function fit<I extends ElementKind, O extends ElementKind>(t: Trainer<I, O>, state: TrainState, batches: Iterable<Batch>, options: FitOptions = {}): TrainState {
  const fn = "Train.fit";
  checkTrainer(fn, t);
  checkState(fn, state);
  if (batches === null || typeof batches !== "object" || typeof (batches as Iterable<Batch>)[Symbol.iterator] !== "function") {
    throw fail(fn, `batches must be an iterable of { x, loss }, got ${describe(batches)}`);
  }
  const o = optionalOptions(fn, options, ["onStep", "ctx", "training"]);
  const onStep = o.onStep === undefined ? undefined : checkFunction(fn, "onStep", o.onStep);
  const ctx = checkCtx(fn, o.ctx);
  const training = checkBool(fn, "training", o.training, true);
  let current = state;
  let n = 0;
  for (const batch of batches) {
    if (typeof batch !== "object" || batch === null || !nx.isTensor(batch.x) || typeof batch.loss !== "function") {
      throw fail(fn, `batch ${n} must be { x: Tensor, loss: (output) => Tensor }, got ${describe(batch)}`);
    }
    const batchCtx = batch.ctx ?? ctx;
    const [lossValue, next] = step(t, current, batch.x, { loss: batch.loss, training, ...(batchCtx === undefined ? {} : { ctx: batchCtx }) });
    if (current !== state) disposeStale(current, next);
    current = next;
    n++;
    const lossNumber = Number(lossValue.item());
    lossValue.dispose();
    if (onStep !== undefined && onStep({ step: n, loss: lossNumber, state: current }) === false) break;
  }
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
