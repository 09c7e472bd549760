/**
 * Gradient transformations, as optax and Raven's Vega define them: an
 * `Optimizer` turns gradients into updates (which `Optim.step` adds to the
 * parameters), keeping per-parameter state in named slots. Building blocks
 * (`scaleByAdam`, `trace`, `scaleByLearningRate`, ...) compose with
 * {@link chain}; the optimizers (`sgd`, `adam`, `adamw`, ...) are chains.
 */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { isTracing } from "@raven-ts/nx/primitives";
import { describe, fail } from "../util.js";
import type { Schedule } from "./schedule.js";

/** One parameter as a transformation sees it: its dotted path (`"blocks.0.attn.q_proj"`) and its tensor. */
export interface ParamInfo {
  /** The dotted path of the parameter in its tree (`""` for a bare tensor). */
  readonly path: string;
  /** The parameter. */
  readonly value: Tensor;
}

/** The leaves of each slot, by slot name, in the order of the parameters' leaves. */
export type SlotLeaves = Readonly<Record<string, readonly Tensor[]>>;

/**
 * Internal: the tensor work of one update. `updates[i]` belongs to parameter
 * `i` (the gradients, for the first transformation of a chain); returns the
 * transformed updates and the new leaves of every slot the transformation
 * keeps. A transformation that works leaf by leaf (made by {@link perLeaf})
 * also carries its per-leaf function as `leaf`, so that a chain runs its
 * consecutive leaf-wise parts parameter by parameter.
 */
export interface Apply {
  (updates: readonly Tensor[], slots: SlotLeaves): [Tensor[], SlotLeaves];
  readonly leaf?: LeafWork;
}

/** One leaf-wise transformation: its slots and `f(update, slotValues, i)` for parameter `i`, slot values in the order of `slots`. */
export interface LeafWork {
  readonly slots: readonly string[];
  readonly f: (u: Tensor, state: readonly Tensor[], i: number) => [Tensor, readonly Tensor[]];
}

/**
 * Internal: `rule(fn, count, params)` prepares the update that follows `count`
 * updates already applied: host work only (schedules, masks), throwing
 * `InvalidArgumentError` naming `kaun.<fn>` before any tensor is made, and
 * returns the tensor work.
 */
export type Rule = (fn: string, count: number, params: readonly ParamInfo[]) => Apply;

/**
 * A gradient transformation: what `Optim.init`, `Optim.step` and
 * `Train.make` take. The optimizers (`Optim.adam`, ...) and the building
 * blocks (`Optim.scaleByAdam`, ...) are all of this type, and
 * `Optim.chain(...)` composes them. Its updates are added to the
 * parameters, so a descent ends with `Optim.scaleByLearningRate`.
 */
export interface Optimizer {
  /** `"adam"`, `"chain"`, `"scaleByAdam"`, ... */
  readonly name: string;
  /** The hyperparameters, for display and logging. */
  readonly hyperparams: Readonly<Record<string, number | boolean | string>>;
  /** The names of the per-parameter state trees it keeps (`["mu", "nu"]` for Adam), unique within a chain. */
  readonly slots: readonly string[];
  /** The learning rate of update number `step` (0 for the first), when it holds exactly one `scaleByLearningRate`; `undefined` otherwise. */
  readonly learningRate: Schedule | undefined;
  /** The transformations it chains, in order (empty for a building block). */
  readonly parts: readonly Optimizer[];
  /** Internal: the value every element of each slot starts from. */
  readonly slotInit: Readonly<Record<string, number>>;
  /** Internal: the update rule. */
  readonly rule: Rule;
}

/** What {@link makeTransform} needs. */
export interface TransformSpec {
  readonly name: string;
  readonly hyperparams?: Readonly<Record<string, number | boolean | string>>;
  /** Slot name → the initial value of its elements. */
  readonly slots?: Readonly<Record<string, number>>;
  readonly learningRate?: Schedule;
  readonly parts?: readonly Optimizer[];
  readonly rule: Rule;
}

/** `makeTransform(spec)` is the frozen {@link Optimizer} of `spec`. Internal. */
export function makeTransform(spec: TransformSpec): Optimizer {
  const slotInit = Object.freeze({ ...(spec.slots ?? {}) });
  return Object.freeze({
    name: spec.name,
    hyperparams: Object.freeze({ ...(spec.hyperparams ?? {}) }),
    slots: Object.freeze(Object.keys(slotInit)),
    learningRate: spec.learningRate,
    parts: Object.freeze([...(spec.parts ?? [])]),
    slotInit,
    rule: spec.rule,
  });
}

/** `isOptimizer(v)` is true for an {@link Optimizer} (a value with an update rule and slot names). */
export function isOptimizer(v: unknown): v is Optimizer {
  return typeof v === "object" && v !== null && typeof (v as Optimizer).rule === "function" && Array.isArray((v as Optimizer).slots);
}

/**
 * `checkOptimizer(fn, v, name?)` returns `v` when it is an {@link Optimizer}.
 * @throws InvalidArgumentError naming `kaun.<fn>` (and the argument `name`, when given) otherwise.
 */
export function checkOptimizer(fn: string, v: unknown, name?: string): Optimizer {
  if (!isOptimizer(v)) {
    const what = "an optimizer or gradient transformation made by Optim (Optim.adam, Optim.chain, ...)";
    throw fail(fn, name === undefined ? `expected ${what}, got ${describe(v)}` : `${name} must be ${what}, got ${describe(v)}`);
  }
  return v;
}

/** `pickSlots(slots, names)` is the entries of `slots` named in `names`. */
export function pickSlots(slots: SlotLeaves, names: readonly string[]): SlotLeaves {
  return Object.fromEntries(names.map((n) => [n, slots[n] as readonly Tensor[]]));
}

/** `scoped(f)` is `f()` inside `nx.tidy`, or bare while rune records (which needs the intermediates). */
function scoped<T extends nx.tree.Tree>(f: () => T): T {
  return isTracing() ? f() : nx.tidy(f);
}

/**
 * `leafMajor(works)` is the {@link Apply} that runs the leaf-wise `works` one
 * after another on parameter 0, then on parameter 1, ..., each parameter in
 * its own `nx.tidy` scope: a step then holds the intermediates of one
 * parameter at a time, not of the whole tree. Internal.
 */
export function leafMajor(works: readonly LeafWork[]): Apply {
  const slots = works.flatMap((w) => w.slots);
  const f: LeafWork["f"] = (u, state, i) => {
    let current = u;
    const out: Tensor[] = [];
    let at = 0;
    for (const w of works) {
      const [next, own] = w.f(current, state.slice(at, at + w.slots.length), i);
      at += w.slots.length;
      current = next;
      out.push(...own);
    }
    return [current, out];
  };
  const apply = (updates: readonly Tensor[], slotLeaves: SlotLeaves): [Tensor[], SlotLeaves] => {
    const out: Tensor[][] = slots.map(() => []);
    const next = updates.map((u, i) => {
      const [v, ...state] = scoped(() => {
        const [w, st] = f(
          u,
          slots.map((s) => (slotLeaves[s] as readonly Tensor[])[i] as Tensor),
          i,
        );
        return [w, ...st];
      });
      state.forEach((t, j) => out[j]?.push(t));
      return v as Tensor;
    });
    return [next, Object.fromEntries(slots.map((s, j) => [s, out[j] as Tensor[]]))];
  };
  return Object.assign(apply, { leaf: { slots, f } });
}

/** `perLeaf(slots, f)` is the {@link Apply} that runs `f(update, slotValues, i)` on every parameter, `slotValues` in the order of `slots`. */
export function perLeaf(slots: readonly string[], f: LeafWork["f"]): Apply {
  return leafMajor([{ slots, f }]);
}

function chainOf(fn: string, name: string, hyperparams: Readonly<Record<string, number | boolean | string>>, parts: readonly Optimizer[]): Optimizer {
  const slots: Record<string, number> = {};
  const owner: Record<string, number> = {};
  parts.forEach((p, i) => {
    for (const s of p.slots) {
      if (Object.prototype.hasOwnProperty.call(slots, s)) {
        const j = owner[s] as number;
        throw fail(fn, `transforms ${j} (${(parts[j] as Optimizer).name}) and ${i} (${p.name}) both keep a slot named ${nx.fmtValue(s)}; a chain's slot names must be unique`);
      }
      slots[s] = p.slotInit[s] as number;
      owner[s] = i;
    }
  });
  const rates = parts.map((p) => p.learningRate).filter((r): r is Schedule => r !== undefined);
  return makeTransform({
    name,
    hyperparams,
    slots,
    parts,
    ...(rates.length === 1 ? { learningRate: rates[0] } : {}),
    rule: (stepFn, count, params) => {
      const applies = parts.map((p) => p.rule(stepFn, count, params));
      // Consecutive leaf-wise parts run fused, parameter by parameter; the others (clipping, multiSteps) on the whole tree.
      const stages: { apply: Apply; slots: readonly string[] }[] = [];
      applies.forEach((apply, i) => {
        const last = stages[stages.length - 1];
        const slotsOf = (parts[i] as Optimizer).slots;
        if (apply.leaf !== undefined && last?.apply.leaf !== undefined) {
          const fused = leafMajor([last.apply.leaf, apply.leaf]);
          stages[stages.length - 1] = { apply: fused, slots: [...last.slots, ...slotsOf] };
        } else stages.push({ apply, slots: slotsOf });
      });
      const run: Apply = (updates, slotLeaves) => {
        let current = updates;
        const state: Record<string, readonly Tensor[]> = {};
        for (const stage of stages) {
          const [next, own] = stage.apply(current, pickSlots(slotLeaves, stage.slots));
          current = next;
          Object.assign(state, own);
        }
        return [current as Tensor[], state];
      };
      const only = stages.length === 1 ? stages[0]?.apply.leaf : undefined;
      return only === undefined ? run : Object.assign(run, { leaf: only });
    },
  });
}

/**
 * `chain(...transforms)` applies `transforms` in order, each to the updates
 * the one before produced (the first to the gradients), as optax's `chain`:
 * `chain(scaleByAdam(), addDecayedWeights({ rate: 0.01 }), scaleByLearningRate(1e-3))`
 * is AdamW. Its state holds the slots of every transformation (names must be
 * unique) beside one shared `count`. Chains nest: a chain is a
 * transformation. An empty chain passes the gradients through.
 * @throws InvalidArgumentError when a transform is not one, or two keep a slot of the same name.
 */
export function chain(...transforms: readonly Optimizer[]): Optimizer {
  const fn = "Optim.chain";
  transforms.forEach((t, i) => checkOptimizer(fn, t, `transforms[${i}]`));
  return chainOf(fn, "chain", {}, transforms);
}

/**
 * `alias(fn, name, hyperparams, parts)` is the chain of `parts` (the
 * `undefined` ones left out) under the optimizer's own name and
 * hyperparameters (`"adam"`, `{ b1, b2, eps, lr }`). Internal.
 */
export function alias(fn: string, name: string, hyperparams: Readonly<Record<string, number | boolean | string>>, parts: readonly (Optimizer | undefined)[]): Optimizer {
  return chainOf(
    fn,
    name,
    hyperparams,
    parts.filter((p): p is Optimizer => p !== undefined),
  );
}
