/**
 * Masks: which parameters a transformation (weight decay) applies to, by
 * parameter path, as optax's `mask` argument.
 */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { treeCall } from "../tree-args.js";
import { checkBool, describe, fail, optionalOptions } from "../util.js";
import type { ParamInfo } from "./transform.js";

/** A mask predicate: `true` when the parameter at the dotted `path` (`"blocks.0.mlp_in.weight"`) is to be transformed. */
export type MaskFn = (path: string, param: Tensor) => boolean;

/**
 * A mask: a {@link MaskFn}, or a tree of booleans shaped like the parameters
 * or like a prefix of them (a boolean at a subtree covers every parameter
 * below it: `{ embed: false, blocks: true, final_norm: false, lm_head: true }`).
 */
export type Mask = MaskFn | nx.tree.Tree<boolean>;

/** A mask checked by {@link checkMask}: the predicate, or the tree's `[path, flag]` entries. */
export type CheckedMask = MaskFn | readonly (readonly [string, boolean])[];

/**
 * `checkMask(fn, mask)` is `mask` ready for {@link resolveMask}, or
 * `undefined` when it is undefined (every parameter). Internal.
 * @throws InvalidArgumentError naming `kaun.<fn>` when `mask` is neither a function nor a tree of booleans (naming the first other leaf), or has a cycle.
 */
export function checkMask(fn: string, mask: unknown): CheckedMask | undefined {
  if (mask === undefined) return undefined;
  if (typeof mask === "function") return mask as MaskFn;
  if (typeof mask !== "object" || mask === null) throw fail(fn, `mask must be a function (path, param) => boolean or a tree of booleans, got ${describe(mask)}`);
  const entries = treeCall(fn, () => nx.tree.flattenWithPaths<unknown>(mask as nx.tree.Tree<unknown>));
  for (const [path, flag] of entries) {
    if (typeof flag !== "boolean") throw fail(fn, `mask must be a function or a tree of booleans; the leaf at ${path === "" ? "the root" : nx.fmtValue(path)} is ${describe(flag)}`);
  }
  return entries as [string, boolean][];
}

/** `covers(prefix, path)` is true when the mask entry at `prefix` applies to the parameter at `path`. */
function covers(prefix: string, path: string): boolean {
  return prefix === "" || path === prefix || path.startsWith(`${prefix}.`);
}

/**
 * `resolveMask(fn, mask, params)` is one flag per parameter: the predicate's
 * answer, or the value of the tree entry at the parameter's path or its
 * longest prefix; all true without a mask. Internal.
 * @throws InvalidArgumentError naming `kaun.<fn>` when the predicate returns a
 * non-boolean, or the tree leaves a parameter uncovered or holds an entry that
 * applies to no parameter.
 */
export function resolveMask(fn: string, mask: CheckedMask | undefined, params: readonly ParamInfo[]): boolean[] {
  if (mask === undefined) return params.map(() => true);
  if (typeof mask === "function") {
    return params.map(({ path, value }) => {
      const flag: unknown = mask(path, value);
      if (typeof flag !== "boolean") throw fail(fn, `the mask returned ${describe(flag)} for the parameter ${nx.fmtValue(path)}; it must return a boolean`);
      return flag;
    });
  }
  const used = new Set<string>();
  const flags = params.map(({ path }) => {
    let best: readonly [string, boolean] | undefined;
    for (const entry of mask) if (covers(entry[0], path) && (best === undefined || entry[0].length > best[0].length)) best = entry;
    if (best === undefined) throw fail(fn, `the mask has no entry for the parameter ${nx.fmtValue(path)}`);
    used.add(best[0]);
    return best[1];
  });
  const stray = mask.find(([prefix]) => !used.has(prefix));
  if (stray !== undefined) throw fail(fn, `the mask's entry ${nx.fmtValue(stray[0])} matches no parameter`);
  return flags;
}

/** Options of {@link matricesOnly}. */
export interface MatricesOnlyOptions {
  /** Whether embedding tables (leaves named `embedding`) count as matrices; defaults to false. */
  readonly embeddings?: boolean;
}

/**
 * `matricesOnly({ embeddings? })` is the usual weight-decay mask: true for
 * parameters of rank ≥ 2 (the weights of matrix products), false for
 * vectors and scalars (biases, norm scales and offsets) and for embedding
 * tables (leaves whose last path segment is `embedding`, as in
 * `Layer.embedding`; a tied LM head reads that table too). `embeddings`
 * defaults to false (`true` decays embeddings as well, as nanoGPT does).
 * ```ts
 * Optim.adamw({ lr: 3e-4, weightDecay: 0.1, mask: Optim.matricesOnly() })
 * ```
 * @throws InvalidArgumentError when the options are not an object or `embeddings` is not a boolean.
 */
export function matricesOnly(options?: MatricesOnlyOptions): MaskFn {
  const fn = "Optim.matricesOnly";
  const embeddings = checkBool(fn, "embeddings", optionalOptions(fn, options, ["embeddings"]).embeddings, false);
  return (path, param) => param.ndim >= 2 && (embeddings || path.split(".").pop() !== "embedding");
}
