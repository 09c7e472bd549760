/** Gradient clipping: by the global L2 norm, and by value. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import type { Ptree } from "../ptree.js";
import { tensorLeaves } from "../tree-args.js";
import { checkNonNegative, checkSameDevice, checkTensor, fail } from "../util.js";
import type { Optimizer } from "./transform.js";
import { makeTransform, perLeaf } from "./transform.js";

function floatLeaves(fn: string, grads: Ptree): Tensor[] {
  const leaves = tensorLeaves(fn, grads).map(([path, g]) => {
    checkTensor(fn, `leaf ${nx.fmtValue(path)}`, g);
    if (!nx.isFloat(g.dtype)) throw fail(fn, `leaf ${nx.fmtValue(path)} is ${g.dtype} ${nx.fmtShape(g.shape)}; gradients must be float`);
    return g;
  });
  checkSameDevice(fn, leaves);
  return leaves;
}

/**
 * `globalNorm(grads)` is the L2 norm of all the leaves of `grads` taken
 * together, `sqrt(Σ g²)`, as a float32 scalar tensor (float64 when any leaf is
 * float64); 0 for a tree without leaves.
 * @throws InvalidArgumentError when a leaf is not a float tensor (naming its path).
 */
export function globalNorm(grads: Ptree): Tensor {
  const leaves = floatLeaves("Optim.globalNorm", grads);
  return nx.tidy(() => norm(leaves));
}

/** `norm(leaves)` is the global L2 norm of checked float leaves (the caller tidies). */
function norm(leaves: readonly Tensor[]): Tensor {
  const dtype = leaves.some((g) => g.dtype === "float64") ? "float64" : "float32";
  let total = nx.zeros([], dtype);
  for (const g of leaves) total = nx.add(total, nx.sum(nx.mul(g, g)));
  return nx.sqrt(total);
}

/** `scaleToNorm(leaves, max)` is `leaves` times `max / max(norm, max)` (0 when that is not positive), on the device (the caller tidies). */
function scaleToNorm(leaves: readonly Tensor[], max: number): Tensor[] {
  const factor = nx.div(max, nx.maximum(norm(leaves), max));
  const safe = nx.where(nx.greater(factor, 0), factor, 0);
  return leaves.map((g) => nx.mul(g, nx.cast(safe, g.dtype)));
}

/**
 * `clipByGlobalNorm(maxNorm)` is the transformation that scales the updates
 * by `maxNorm / max(globalNorm(updates), maxNorm)` (optax's
 * `clip_by_global_norm`): unchanged (multiplied by exactly 1) when their
 * global norm is at most `maxNorm`, otherwise rescaled to it. Stateless.
 * (PyTorch's `clip_grad_norm_` divides by `norm + 1e-6` instead, so its
 * clipped gradients are smaller by about `1e-6 / norm` relative.)
 *
 * `clipByGlobalNorm(grads, maxNorm)` applies the same to the tree `grads`
 * and returns the clipped tree. Computed on the device, without reading the norm back.
 * @throws InvalidArgumentError when `maxNorm` is negative or not finite, or a leaf of `grads` is not a float tensor.
 */
export function clipByGlobalNorm(maxNorm: number): Optimizer;
export function clipByGlobalNorm(grads: Ptree, maxNorm: number): Ptree;
export function clipByGlobalNorm(...args: [number] | [Ptree, number]): Ptree | Optimizer {
  const fn = "Optim.clipByGlobalNorm";
  if (args.length === 1 && typeof args[0] === "number") {
    const max = checkNonNegative(fn, "maxNorm", args[0]);
    return makeTransform({ name: "clipByGlobalNorm", hyperparams: { maxNorm: max }, rule: () => (updates) => [scaleToNorm(updates, max), {}] });
  }
  const [grads, maxNorm] = args as [Ptree, number];
  const max = checkNonNegative(fn, "maxNorm", maxNorm);
  const leaves = floatLeaves(fn, grads);
  const def = nx.tree.flatten<unknown>(grads)[1];
  return nx.tidy(() => nx.tree.unflatten(def, scaleToNorm(leaves, max)) as Ptree);
}

/**
 * `clipByValue(maxDelta)` is the transformation that clips every element of
 * the updates to `[-maxDelta, maxDelta]` (optax's `clip`, PyTorch's
 * `clip_grad_value_`). Stateless.
 * @throws InvalidArgumentError when `maxDelta` is negative or not finite.
 */
export function clipByValue(maxDelta: number): Optimizer {
  const max = checkNonNegative("Optim.clipByValue", "maxDelta", maxDelta);
  return makeTransform({ name: "clipByValue", hyperparams: { maxDelta: max }, rule: () => perLeaf([], (u) => [nx.clip(u, -max, max), []]) });
}
