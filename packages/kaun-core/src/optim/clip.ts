/** Gradient clipping by the global L2 norm. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import type { Ptree } from "../ptree.js";
import { map, tensorLeaves } from "../ptree.js";
import { checkNonNegative, checkSameDevice, checkTensor, fail } from "../util.js";

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
  return norm(leaves);
}

/** `norm(leaves)` is the global L2 norm of checked float leaves. */
function norm(leaves: readonly Tensor[]): Tensor {
  const dtype = leaves.some((g) => g.dtype === "float64") ? "float64" : "float32";
  return nx.tidy(() => {
    let total = nx.zeros([], dtype);
    for (const g of leaves) total = nx.add(total, nx.sum(nx.mul(g, g)));
    return nx.sqrt(total);
  });
}

/**
 * `clipByGlobalNorm(grads, maxNorm)` is `grads` scaled by
 * `maxNorm / max(globalNorm(grads), maxNorm)`: unchanged (multiplied by
 * exactly 1) when the global norm is at most `maxNorm`, otherwise rescaled so
 * the global norm is `maxNorm`. Computed on the device, without reading the norm back.
 * @throws InvalidArgumentError when `maxNorm` is negative or not finite, or a leaf is not a float tensor.
 */
export function clipByGlobalNorm(grads: Ptree, maxNorm: number): Ptree {
  const fn = "Optim.clipByGlobalNorm";
  const max = checkNonNegative(fn, "maxNorm", maxNorm);
  const leaves = floatLeaves(fn, grads);
  return nx.tidy(() => {
    const factor = nx.div(max, nx.maximum(norm(leaves), max));
    const safe = nx.where(nx.greater(factor, 0), factor, 0);
    return map((g) => nx.mul(g, nx.cast(safe, g.dtype)), grads);
  });
}
