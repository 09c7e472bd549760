/**
 * Internal: kaun's walks of a user's trees — calls of `nx.tree` with their
 * errors worded as errors of the kaun function the user called, and the
 * release of the tensors a new tree no longer holds.
 */
import type { Tensor } from "@raven-ts/nx";
import { fmtValue, isTensor, tree } from "@raven-ts/nx";
import type { Ptree } from "./ptree.js";
import { describe, fail, reworded } from "./util.js";

/**
 * `treeCall(fn, f)` is `f()`, a call of `nx.tree`, with its argument errors
 * (`"nx.tree.map: the tree contains a cycle ..."`) reworded as errors of
 * `kaun.<fn>`, the function the user called. Internal.
 */
export function treeCall<T>(fn: string, f: () => T): T {
  return reworded(fn, /^nx\.tree\.\w+: ([\s\S]*)$/, "", f);
}

/** `tensorLeaves(fn, t)` is the `[path, tensor]` pairs of `t`. @throws InvalidArgumentError naming `fn` when a leaf is not a tensor or the tree has a cycle. Internal. */
export function tensorLeaves(fn: string, t: Ptree): [string, Tensor][] {
  const pairs = treeCall(fn, () => tree.flattenWithPaths<unknown>(t));
  for (const [path, leaf] of pairs) {
    if (!isTensor(leaf)) throw fail(fn, `the leaf at ${path === "" ? "the root" : fmtValue(path)} is ${describe(leaf)}, not a Tensor`);
  }
  return pairs as [string, Tensor][];
}

/** `disposeUnheld(old, current)` disposes every tensor leaf of `old` that `current` does not also hold. Internal. */
export function disposeUnheld(old: unknown, current: unknown): void {
  const kept = new Set(tree.leaves<unknown>(current as tree.Tree<unknown>));
  for (const leaf of tree.leaves<unknown>(old as tree.Tree<unknown>)) if (isTensor(leaf) && !kept.has(leaf)) leaf.dispose();
}
