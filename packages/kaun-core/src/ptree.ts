/**
 * `Ptree`: the parameter and state trees of a model, the same pytrees
 * `nx.tree` handles: tensors as leaves, nested in arrays and plain objects
 * (`{ layers: [{ weight, bias }, ...] }`). A leaf's path is its keys and
 * array indices joined by dots (`"layers.0.weight"`), which is also its
 * name in a checkpoint.
 */
import type { Tensor } from "@raven-ts/nx";
import { tree, zerosLike as nxZerosLike } from "@raven-ts/nx";
import { tensorLeaves, treeCall } from "./tree-args.js";

/** A tree of tensors: a tensor, an array or a plain object of trees (`null`/`undefined` are empty subtrees). */
export type Ptree = tree.Tree<Tensor>;

/** The empty tree `{}`: what parameterless layers return as params and state. */
export function empty(): Ptree {
  return {};
}

/**
 * `countParameters(t)` is the total number of elements over the tensor leaves of `t`.
 * @throws InvalidArgumentError when a leaf is not a tensor (naming its path) or the tree has a cycle.
 */
export function countParameters(t: Ptree): number {
  return tensorLeaves("Ptree.countParameters", t).reduce((n, [, x]) => n + x.size, 0);
}

/**
 * `flattenWithPaths(t)` is the `[path, tensor]` pairs of `t`, depth first
 * (arrays by index, objects by key order), with dotted paths such as
 * `"layers.0.weight"` (`""` for a tensor at the root).
 * @throws InvalidArgumentError when a leaf is not a tensor (naming its path) or the tree has a cycle.
 */
export function flattenWithPaths(t: Ptree): [string, Tensor][] {
  return tensorLeaves("Ptree.flattenWithPaths", t);
}

/**
 * `leaves(t)` is the tensors of `t` in the order of {@link flattenWithPaths}.
 * @throws InvalidArgumentError when a leaf is not a tensor or the tree has a cycle.
 */
export function leaves(t: Ptree): Tensor[] {
  return tensorLeaves("Ptree.leaves", t).map(([, x]) => x);
}

/**
 * `zerosLike(t)` is a tree of `t`'s structure whose leaves are zeros of each leaf's shape and dtype.
 * @throws InvalidArgumentError when a leaf is not a tensor or the tree has a cycle.
 */
export function zerosLike(t: Ptree): Ptree {
  tensorLeaves("Ptree.zerosLike", t);
  return tree.map((x: Tensor) => nxZerosLike(x), t);
}

/**
 * `map(f, t)` is a tree of `t`'s structure whose leaves are `f(leaf, path)`.
 * @throws InvalidArgumentError when the tree has a cycle; whatever `f` throws propagates.
 */
export function map(f: (x: Tensor, path: string) => Tensor, t: Ptree): Ptree {
  return treeCall("Ptree.map", () => tree.map(f, t));
}

/**
 * `map2(f, a, b)` is a tree of `a`'s structure whose leaves are `f(leafA, leafB, path)` for the leaves at the same paths.
 * @throws InvalidArgumentError naming the first path where the structures differ.
 */
export function map2(f: (a: Tensor, b: Tensor, path: string) => Tensor, a: Ptree, b: Ptree): Ptree {
  return treeCall("Ptree.map2", () => tree.map2(f, a, b));
}
