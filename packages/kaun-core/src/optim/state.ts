/**
 * Optimizer states and updates: `init`, `step`, `restore`, `optimizerOf`,
 * for any {@link Optimizer} (an optimizer, a building block or a chain).
 */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { isTracing } from "@raven-ts/nx/primitives";
import type { Ptree } from "../ptree.js";
import { treeCall } from "../tree-args.js";
import { checkSameDevice, checkTensor, describe, fail, reworded } from "../util.js";
import type { Apply, LeafWork, Optimizer, ParamInfo } from "./transform.js";
import { checkOptimizer, leafMajor } from "./transform.js";

/**
 * The state of an optimizer: `count` (int32 scalar: the `Optim.step` calls
 * so far) and one tree per slot, each shaped like the parameters (`mu` and
 * `nu` for Adam, `trace` for SGD with momentum). It is a plain pytree of
 * tensors, so it checkpoints; it also carries a link to its optimizer under
 * a symbol key, invisible to pytree traversals (and restored by
 * `Checkpoint.fromBytes` from its `like` argument, or by {@link restore}).
 */
export interface OptState {
  /** The number of `Optim.step` calls so far (int32 scalar). */
  readonly count: Tensor;
  /** The slot trees, by name. */
  readonly [slot: string]: Ptree;
}

const OPTIMIZER: unique symbol = Symbol.for("@raven-ts/kaun-core/optimizer");

function attach(opt: Optimizer, state: Record<string, Ptree>): OptState {
  Object.defineProperty(state, OPTIMIZER, { value: opt, enumerable: false, writable: false, configurable: false });
  return state as OptState;
}

/** `optimizerOf(state)` is the optimizer a state was made for, or `undefined` when it carries none (or is not an object). */
export function optimizerOf(state: OptState): Optimizer | undefined {
  return typeof state === "object" && state !== null ? (state as unknown as { [OPTIMIZER]?: Optimizer })[OPTIMIZER] : undefined;
}

function floatParams(fn: string, params: Ptree): [ParamInfo[], nx.tree.TreeDef] {
  const [leaves, def] = treeCall(fn, () => nx.tree.flatten<unknown>(params));
  const paths = nx.tree.flattenWithPaths<unknown>(params);
  const infos = leaves.map((p, i) => {
    const path = paths[i]?.[0] ?? "";
    if (!nx.isTensor(p)) throw fail(fn, `the parameter at ${nx.fmtValue(path)} is ${describe(p)}, not a Tensor`);
    checkTensor(fn, `the parameter at ${nx.fmtValue(path)}`, p);
    if (!nx.isFloat(p.dtype)) throw fail(fn, `the parameter at ${nx.fmtValue(path)} is ${p.dtype} ${nx.fmtShape(p.shape)}; only float parameters can be optimized`);
    return { path, value: p };
  });
  return [infos, def];
}

/**
 * `init(opt, params)` is the optimizer state for `params`: `count` 0 and one
 * tree shaped like `params` per slot of `opt`, filled with the slot's
 * initial value (zeros, except Adagrad's `initialAccumulatorValue`).
 * @throws InvalidArgumentError when `opt` is not an optimizer or a leaf of `params` is not a float tensor (naming its path).
 */
export function init(opt: Optimizer, params: Ptree): OptState {
  const fn = "Optim.init";
  const o = checkOptimizer(fn, opt);
  floatParams(fn, params);
  const state: Record<string, Ptree> = { count: nx.scalar(0, "int32") };
  for (const s of o.slots) {
    const value = o.slotInit[s] ?? 0;
    state[s] = nx.tree.map((p: Tensor) => nx.fullLike(p, value), params);
  }
  return attach(o, state);
}

function checkStateShape(fn: string, o: Optimizer, tree: unknown): void {
  if (typeof tree !== "object" || tree === null || Array.isArray(tree)) throw fail(fn, `state must be an object { count${o.slots.map((s) => `, ${s}`).join("")} }, got ${describe(tree)}`);
  const count = (tree as { count?: unknown }).count;
  if (!nx.isTensor(count) || count.dtype !== "int32" || count.ndim !== 0) throw fail(fn, `state.count must be an int32 scalar tensor, got ${describe(count)}`);
  checkTensor(fn, "state.count", count);
  for (const s of o.slots) if (!Object.prototype.hasOwnProperty.call(tree, s)) throw fail(fn, `state has no ${nx.fmtValue(s)} tree (the ${o.name} optimizer needs ${o.slots.join(", ")})`);
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

/** Checks that grads mirror params, leaf by leaf, naming the first mismatch. */
function checkGrads(fn: string, params: Ptree, grads: Ptree): void {
  reworded(fn, /^nx\.tree\.map2: ([\s\S]*)$/, "grads do not mirror params: ", () =>
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
    ),
  );
}

/**
 * `step(state, params, grads)` is `[newParams, newState]`: one update by the
 * state's optimizer with gradients `grads` (a tree shaped like `params`, as
 * `rune.grad` returns it): the optimizer turns the gradients into updates,
 * which are added to the parameters, and `count` increases by one (read back
 * from the device for the schedules). Every tensor of the result is new (a
 * slot the update leaves as it was is a fresh view of the same storage), the
 * intermediates are disposed (`nx.tidy`), and the inputs are left intact:
 * freeing the old params and state afterwards is always safe.
 * @throws InvalidArgumentError when `state` carries no optimizer (see
 * {@link restore}) or lacks a slot, `grads` does not have `params`'
 * structure, a gradient's shape or dtype differs from its parameter's, a
 * parameter is not float, a tensor was disposed or lives on another backend
 * than the others, a schedule returns a non-finite value, or a weight-decay
 * mask does not fit the parameters; nothing is computed then.
 */
export function step(state: OptState, params: Ptree, grads: Ptree): [Ptree, OptState] {
  const fn = "Optim.step";
  if (typeof state !== "object" || state === null) throw fail(fn, `state must be an optimizer state made by Optim.init, got ${describe(state)}`);
  const opt = optimizerOf(state);
  if (opt === undefined) throw fail(fn, "state carries no optimizer: it was not made by Optim.init (reattach one with Optim.restore(opt, state))");
  checkStateShape(fn, opt, state);
  const [infos, def] = floatParams(fn, params);
  checkGrads(fn, params, grads);
  const slotLeaves = opt.slots.map((s) => {
    const [leaves] = treeCall(fn, () => nx.tree.flatten<unknown>(state[s] as Ptree));
    if (leaves.length !== infos.length || !leaves.every((l, i) => nx.isTensor(l) && nx.shapesEqual(l.shape, (infos[i] as ParamInfo).value.shape))) {
      throw fail(fn, `state.${s} does not match the parameters' structure and shapes`);
    }
    leaves.forEach((l) => checkTensor(fn, `a leaf of state.${s}`, l));
    return leaves as Tensor[];
  });
  const gLeaves = nx.tree.flatten<unknown>(grads as nx.tree.Tree<unknown>)[0] as Tensor[];
  checkSameDevice(fn, [state.count, ...infos.map((p) => p.value), ...gLeaves, ...slotLeaves.flat()]);
  const t = Number(state.count.item());
  const apply = opt.rule(fn, t, infos);
  // p + u, fused into a leaf-wise update so that each parameter's work (and its intermediates) completes before the next one's.
  const addTo: LeafWork = { slots: [], f: (u, _state, i) => [nx.add((infos[i] as ParamInfo).value, u), []] };
  const update: Apply =
    apply.leaf !== undefined
      ? leafMajor([apply.leaf, addTo])
      : (updates, slots) => {
          const [u, state] = apply(updates, slots);
          return [u.map((x, i) => addTo.f(x, [], i)[0]), state];
        };
  const inputs = new Set<Tensor>(slotLeaves.flat());
  // A slot an update leaves unchanged gets a new handle on the same storage, so the result shares no tensor with the inputs.
  const fresh = (x: Tensor): Tensor => (inputs.has(x) ? nx.contiguous(x) : x);
  const run = (): [Ptree, OptState] => {
    const [newParams, slotsOut] = update(gLeaves, Object.fromEntries(opt.slots.map((s, j) => [s, slotLeaves[j] as Tensor[]])));
    const out: Record<string, Ptree> = { count: nx.scalar(t + 1, "int32") };
    for (const s of opt.slots) out[s] = nx.tree.unflatten(def, (slotsOut[s] as readonly Tensor[]).map(fresh)) as Ptree;
    return [nx.tree.unflatten(def, newParams) as Ptree, attach(opt, out)];
  };
  return isTracing() ? run() : nx.tidy(run);
}
