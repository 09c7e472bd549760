/**
 * Optimizers over parameter trees: SGD (with momentum and Nesterov), Adam
 * and AdamW, with the update rules of optax and PyTorch.
 */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { isTracing } from "@raven-ts/nx/primitives";
import type { Ptree } from "../ptree.js";
import { treeCall, zerosLike } from "../ptree.js";
import { checkBool, checkFinite, checkNonNegative, checkSameDevice, checkTensor, describe, fail } from "../util.js";
import { clipByGlobalNorm } from "./clip.js";
import type { Schedule } from "./schedule.js";
import { constant } from "./schedule.js";

/** A learning rate: a number (constant) or a {@link Schedule}. */
export type LearningRate = number | Schedule;

/** The per-leaf rule: new parameter and new slot values from the old ones. */
type Rule = (p: Tensor, g: Tensor, slots: readonly Tensor[], lr: number, t: number) => [Tensor, Tensor[]];

/** An optimizer, as built by {@link sgd}, {@link adam} or {@link adamw}. Pass it to `Optim.init` or `Train.make`. */
export interface Optimizer {
  /** `"sgd"`, `"adam"` or `"adamw"`. */
  readonly name: string;
  /** The hyperparameters, for display and logging. */
  readonly hyperparams: Readonly<Record<string, number | boolean | string>>;
  /** The learning rate of update number `step` (0 for the first). */
  readonly learningRate: Schedule;
  /** The names of the per-parameter state trees (`["trace"]`, `["mu", "nu"]`, or none). */
  readonly slots: readonly string[];
  /** When set, gradients are clipped to this global L2 norm before each update. */
  readonly clipGlobalNorm: number | undefined;
  /** Internal: the per-leaf update rule. */
  readonly rule: Rule;
}

/**
 * The state of an optimizer: `count` (int32 scalar: updates applied so far)
 * and one tree per slot, each shaped like the parameters (`mu` and `nu` for
 * Adam, `trace` for SGD with momentum). It is a plain pytree of tensors, so it
 * checkpoints; it also carries a link to its optimizer under a symbol key,
 * invisible to pytree traversals (and restored by `Checkpoint.fromBytes` from
 * its `like` argument, or by {@link restore}).
 */
export interface OptState {
  /** The number of updates applied so far (int32 scalar). */
  readonly count: Tensor;
  /** The slot trees, by name. */
  readonly [slot: string]: Ptree;
}

const OPTIMIZER: unique symbol = Symbol.for("@raven-ts/kaun-core/optimizer");

function attach(opt: Optimizer, state: Record<string, Ptree>): OptState {
  Object.defineProperty(state, OPTIMIZER, { value: opt, enumerable: false, writable: false, configurable: false });
  return state as OptState;
}

function checkOptimizer(fn: string, opt: unknown): Optimizer {
  if (typeof opt !== "object" || opt === null || typeof (opt as Optimizer).rule !== "function" || typeof (opt as Optimizer).learningRate !== "function") {
    throw fail(fn, `expected an optimizer made by Optim.sgd, Optim.adam or Optim.adamw, got ${describe(opt)}`);
  }
  return opt as Optimizer;
}

/** `optimizerOf(state)` is the optimizer a state was made for, or `undefined` when it carries none. */
export function optimizerOf(state: OptState): Optimizer | undefined {
  return (state as unknown as { [OPTIMIZER]?: Optimizer })[OPTIMIZER];
}

function lrSchedule(fn: string, lr: unknown): Schedule {
  if (typeof lr === "function") return lr as Schedule;
  if (typeof lr === "number") return constant(checkFinite(fn, "lr", lr));
  throw fail(fn, `lr must be a number or a schedule function, got ${describe(lr)}`);
}

function clipOption(fn: string, v: unknown): number | undefined {
  return v === undefined ? undefined : checkNonNegative(fn, "clipGlobalNorm", v);
}

/** Options shared by every optimizer. */
export interface CommonOptions {
  /** The learning rate: a number or a schedule of the step index. */
  readonly lr: LearningRate;
  /** When set, gradients are first clipped to this global L2 norm (`Optim.clipByGlobalNorm`); defaults to no clipping. */
  readonly clipGlobalNorm?: number;
}

/** Options of {@link sgd}. */
export interface SgdOptions extends CommonOptions {
  /** The momentum coefficient; defaults to 0 (plain SGD, no state). */
  readonly momentum?: number;
  /** Whether to use Nesterov momentum; defaults to false. */
  readonly nesterov?: boolean;
}

/**
 * `sgd({ lr, momentum?, nesterov?, clipGlobalNorm? })` is stochastic gradient
 * descent: `p ← p - lr * u`, where `u = g` without momentum, and with
 * momentum `trace ← g + momentum * trace` and `u = trace` (or
 * `u = g + momentum * trace` with Nesterov), as PyTorch's `SGD` (no
 * dampening) and optax's `sgd`. `momentum` defaults to 0. `nesterov` defaults
 * to false. `clipGlobalNorm` defaults to none.
 * @throws InvalidArgumentError when `lr` is neither a finite number nor a
 * function, `momentum` is negative or not finite, `nesterov` is not a
 * boolean or is set without momentum, or `clipGlobalNorm` is negative.
 */
export function sgd(options: SgdOptions): Optimizer {
  const fn = "Optim.sgd";
  if (typeof options !== "object" || options === null) throw fail(fn, "options { lr } are required");
  const learningRate = lrSchedule(fn, options.lr);
  const momentum = checkNonNegative(fn, "momentum", options.momentum ?? 0);
  const nesterov = checkBool(fn, "nesterov", options.nesterov, false);
  if (nesterov && momentum === 0) throw fail(fn, "nesterov needs a positive momentum");
  const clip = clipOption(fn, options.clipGlobalNorm);
  const rule: Rule =
    momentum === 0
      ? (p, g, _s, lr) => [nx.sub(p, nx.mul(g, lr)), []]
      : (p, g, [trace], lr) => {
          const tr = nx.add(g, nx.mul(trace as Tensor, momentum));
          const u = nesterov ? nx.add(g, nx.mul(tr, momentum)) : tr;
          return [nx.sub(p, nx.mul(u, lr)), [tr]];
        };
  return Object.freeze({
    name: "sgd",
    hyperparams: Object.freeze({ momentum, nesterov, ...(typeof options.lr === "number" ? { lr: options.lr } : { lr: "schedule" }) }),
    learningRate,
    slots: Object.freeze(momentum === 0 ? [] : ["trace"]),
    clipGlobalNorm: clip,
    rule,
  });
}

/** Options of {@link adam}. */
export interface AdamOptions extends CommonOptions {
  /** The decay of the first-moment average; defaults to 0.9. */
  readonly b1?: number;
  /** The decay of the second-moment average; defaults to 0.999. */
  readonly b2?: number;
  /** Added to the denominator; defaults to 1e-8. */
  readonly eps?: number;
}

/** Options of {@link adamw}. */
export interface AdamWOptions extends AdamOptions {
  /** The decoupled weight-decay coefficient; defaults to 0.01. */
  readonly weightDecay?: number;
}

function adamLike(fn: string, name: string, options: AdamWOptions, weightDecay: number): Optimizer {
  const learningRate = lrSchedule(fn, options.lr);
  const b1 = checkFinite(fn, "b1", options.b1 ?? 0.9);
  const b2 = checkFinite(fn, "b2", options.b2 ?? 0.999);
  if (!(b1 >= 0 && b1 < 1)) throw fail(fn, `b1 must be in [0, 1), got ${b1}`);
  if (!(b2 >= 0 && b2 < 1)) throw fail(fn, `b2 must be in [0, 1), got ${b2}`);
  const eps = checkNonNegative(fn, "eps", options.eps ?? 1e-8);
  const clip = clipOption(fn, options.clipGlobalNorm);
  const rule: Rule = (p, g, [mu0, nu0], lr, t) => {
    const mu = nx.add(nx.mul(mu0 as Tensor, b1), nx.mul(g, 1 - b1));
    const nu = nx.add(nx.mul(nu0 as Tensor, b2), nx.mul(nx.mul(g, g), 1 - b2));
    const muHat = nx.div(mu, 1 - b1 ** t);
    const nuHat = nx.div(nu, 1 - b2 ** t);
    let u = nx.div(muHat, nx.add(nx.sqrt(nuHat), eps));
    if (weightDecay !== 0) u = nx.add(u, nx.mul(p, weightDecay));
    return [nx.sub(p, nx.mul(u, lr)), [mu, nu]];
  };
  return Object.freeze({
    name,
    hyperparams: Object.freeze({ b1, b2, eps, ...(name === "adamw" ? { weightDecay } : {}), ...(typeof options.lr === "number" ? { lr: options.lr } : { lr: "schedule" }) }),
    learningRate,
    slots: Object.freeze(["mu", "nu"]),
    clipGlobalNorm: clip,
    rule,
  });
}

/**
 * `adam({ lr, b1?, b2?, eps?, clipGlobalNorm? })` is Adam (Kingma and Ba,
 * 2015) with bias correction: `mu ← b1 mu + (1 - b1) g`,
 * `nu ← b2 nu + (1 - b2) g²`, `p ← p - lr * m̂ / (sqrt(n̂) + eps)` with
 * `m̂ = mu / (1 - b1^t)`, `n̂ = nu / (1 - b2^t)` at update `t = 1, 2, ...`
 * (optax's `adam`, PyTorch's `Adam`). `b1` defaults to 0.9, `b2` to 0.999,
 * `eps` to 1e-8, `clipGlobalNorm` to none.
 * @throws InvalidArgumentError when `lr` is neither a finite number nor a
 * function, `b1` or `b2` is outside `[0, 1)`, `eps` is negative, or `clipGlobalNorm` is negative.
 */
export function adam(options: AdamOptions): Optimizer {
  const fn = "Optim.adam";
  if (typeof options !== "object" || options === null) throw fail(fn, "options { lr } are required");
  return adamLike(fn, "adam", options, 0);
}

/**
 * `adamw({ lr, weightDecay?, b1?, b2?, eps?, clipGlobalNorm? })` is Adam with
 * decoupled weight decay (Loshchilov and Hutter, 2019): the Adam direction
 * plus `weightDecay * p`, scaled by `lr`, so `p ← p - lr * (adam + weightDecay * p)`
 * (optax's `adamw`, PyTorch's `AdamW`). The decay applies to every leaf.
 * `weightDecay` defaults to 0.01; the others as {@link adam}.
 * @throws InvalidArgumentError as {@link adam}, or when `weightDecay` is negative or not finite.
 */
export function adamw(options: AdamWOptions): Optimizer {
  const fn = "Optim.adamw";
  if (typeof options !== "object" || options === null) throw fail(fn, "options { lr } are required");
  const wd = checkNonNegative(fn, "weightDecay", options.weightDecay ?? 0.01);
  return adamLike(fn, "adamw", options, wd);
}

function floatParams(fn: string, params: Ptree): [Tensor[], nx.tree.TreeDef] {
  const [leaves, def] = treeCall(fn, () => nx.tree.flatten<unknown>(params));
  const paths = nx.tree.flattenWithPaths<unknown>(params);
  leaves.forEach((p, i) => {
    const path = nx.fmtValue(paths[i]?.[0] ?? "");
    if (!nx.isTensor(p)) throw fail(fn, `the parameter at ${path} is ${describe(p)}, not a Tensor`);
    checkTensor(fn, `the parameter at ${path}`, p);
    if (!nx.isFloat(p.dtype)) throw fail(fn, `the parameter at ${path} is ${p.dtype} ${nx.fmtShape(p.shape)}; only float parameters can be optimized`);
  });
  return [leaves as Tensor[], def];
}

/**
 * `init(opt, params)` is the optimizer state for `params`: `count` 0 and one
 * zero tree shaped like `params` per slot of `opt`.
 * @throws InvalidArgumentError when `opt` is not an optimizer or a leaf of `params` is not a float tensor (naming its path).
 */
export function init(opt: Optimizer, params: Ptree): OptState {
  const fn = "Optim.init";
  const o = checkOptimizer(fn, opt);
  floatParams(fn, params);
  const state: Record<string, Ptree> = { count: nx.scalar(0, "int32") };
  for (const s of o.slots) state[s] = zerosLike(params);
  return attach(o, state);
}

/**
 * `restore(opt, tree)` is `tree` (an optimizer state rebuilt without its
 * link to the optimizer, for example by `nx.tree.map`) as a state of `opt`,
 * after checking it has `count` and `opt`'s slots.
 * @throws InvalidArgumentError when `opt` is not an optimizer, or `tree` lacks `count` (an int32 scalar) or a slot.
 */
export function restore(opt: Optimizer, tree: Readonly<Record<string, Ptree>>): OptState {
  const fn = "Optim.restore";
  const o = checkOptimizer(fn, opt);
  checkStateShape(fn, o, tree);
  return attach(o, { ...tree });
}

function checkStateShape(fn: string, o: Optimizer, tree: unknown): void {
  if (typeof tree !== "object" || tree === null || Array.isArray(tree)) throw fail(fn, `state must be an object { count, ${o.slots.join(", ")} }, got ${describe(tree)}`);
  const count = (tree as { count?: unknown }).count;
  if (!nx.isTensor(count) || count.dtype !== "int32" || count.ndim !== 0) throw fail(fn, `state.count must be an int32 scalar tensor, got ${describe(count)}`);
  checkTensor(fn, "state.count", count);
  for (const s of o.slots) if (!Object.prototype.hasOwnProperty.call(tree, s)) throw fail(fn, `state has no ${nx.fmtValue(s)} tree (the ${o.name} optimizer needs ${o.slots.join(", ")})`);
}

/**
 * `step(state, params, grads)` is `[newParams, newState]`: one update of the
 * state's optimizer with gradients `grads` (a tree shaped like `params`, as
 * `rune.grad` returns it). The learning rate is the optimizer's schedule at
 * `count` (read back from the device), and `count` increases by one. When the
 * optimizer has `clipGlobalNorm`, `grads` are clipped first. Intermediate
 * tensors are disposed (`nx.tidy`); the inputs are left intact.
 * @throws InvalidArgumentError when `state` carries no optimizer (see
 * {@link restore}) or lacks a slot, `grads` does not have `params`'
 * structure, a gradient's shape or dtype differs from its parameter's, a
 * parameter is not float, a tensor was disposed or lives on another backend
 * than the others, or the schedule returns a non-finite rate.
 */
export function step(state: OptState, params: Ptree, grads: Ptree): [Ptree, OptState] {
  const fn = "Optim.step";
  if (typeof state !== "object" || state === null) throw fail(fn, `state must be an optimizer state made by Optim.init, got ${describe(state)}`);
  const opt = optimizerOf(state);
  if (opt === undefined) throw fail(fn, "state carries no optimizer: it was not made by Optim.init (reattach one with Optim.restore(opt, state))");
  checkStateShape(fn, opt, state);
  const [pLeaves, def] = floatParams(fn, params);
  // Checks that grads mirror params, leaf by leaf, naming the first mismatch.
  try {
    nx.tree.map2(
      (p: unknown, g: unknown, path: string) => {
        if (!nx.isTensor(g)) throw fail(fn, `the gradient at ${nx.fmtValue(path)} is ${describe(g)}, not a Tensor`);
        checkTensor(fn, `the gradient at ${nx.fmtValue(path)}`, g);
        const pt = p as Tensor;
        if (g.dtype !== pt.dtype || !nx.shapesEqual(g.shape, pt.shape)) {
          throw fail(fn, `the gradient at ${nx.fmtValue(path)} is ${g.dtype} ${nx.fmtShape(g.shape)} but the parameter is ${pt.dtype} ${nx.fmtShape(pt.shape)}`);
        }
        return g;
      },
      params as nx.tree.Tree<unknown>,
      grads as nx.tree.Tree<unknown>,
    );
  } catch (e) {
    const prefix = "nx.tree.map2: ";
    if (e instanceof nx.InvalidArgumentError && e.message.startsWith(prefix)) throw fail(fn, `grads do not mirror params: ${e.message.slice(prefix.length)}`);
    throw e;
  }
  const t = Number(state.count.item());
  const lr = opt.learningRate(t);
  if (typeof lr !== "number" || !Number.isFinite(lr)) throw fail(fn, `the learning-rate schedule returned ${describe(lr)} at step ${t}`);
  const slotLeaves = opt.slots.map((s) => {
    const [leaves] = treeCall(fn, () => nx.tree.flatten<unknown>(state[s] as Ptree));
    if (leaves.length !== pLeaves.length || !leaves.every((l, i) => nx.isTensor(l) && nx.shapesEqual(l.shape, (pLeaves[i] as Tensor).shape))) {
      throw fail(fn, `state.${s} does not match the parameters' structure and shapes`);
    }
    leaves.forEach((l) => checkTensor(fn, `a leaf of state.${s}`, l));
    return leaves as Tensor[];
  });
  checkSameDevice(fn, [state.count, ...pLeaves, ...(nx.tree.flatten<unknown>(grads as nx.tree.Tree<unknown>)[0] as Tensor[]), ...slotLeaves.flat()]);
  const run = (): [Ptree, OptState] => {
    const clipped = opt.clipGlobalNorm === undefined ? grads : clipByGlobalNorm(grads, opt.clipGlobalNorm);
    const [gLeaves] = nx.tree.flatten<unknown>(clipped);
    const newP: Tensor[] = [];
    const newSlots: Tensor[][] = opt.slots.map(() => []);
    pLeaves.forEach((p, i) => {
      const [np, ns] = opt.rule(p, gLeaves[i] as Tensor, slotLeaves.map((sl) => sl[i] as Tensor), lr, t + 1);
      newP.push(np);
      ns.forEach((s, j) => newSlots[j]?.push(s));
    });
    const out: Record<string, Ptree> = { count: nx.scalar(t + 1, "int32") };
    opt.slots.forEach((s, j) => {
      out[s] = nx.tree.unflatten(def, newSlots[j] as Tensor[]) as Ptree;
    });
    return [nx.tree.unflatten(def, newP) as Ptree, attach(opt, out)];
  };
  return isTracing() ? run() : nx.tidy(run);
}
