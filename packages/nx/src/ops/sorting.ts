/**
 * Sorting along an axis: `sort`, `argsort` and `topk`. All three are stable
 * (equal values keep their original order, in both directions) and place NaN
 * above every number, as numpy does for an ascending sort.
 */
import { InvalidArgumentError, fmtShape } from "../errors.js";
import { checkBool, checkInteger, checkOptions } from "../options.js";
import { bind, isTracing } from "../primitives.js";
import { runOp } from "../scope.js";
import { normalizeAxis } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { gatherAlongAxis } from "./indexing.js";
import { checkTensor } from "./operands.js";

/** Options of `sort` and `argsort`. */
export interface SortOptions {
  /** The axis sorted along (negative counts from the end); defaults to -1, the last axis. */
  readonly axis?: number;
  /** Whether the largest values come first; defaults to false (ascending). */
  readonly descending?: boolean;
}

/** The checked, normalized `{ axis, descending }` of a sort of `x`. */
function sortArgs(fn: string, x: Tensor, options: SortOptions | undefined): { axis: number; descending: boolean } {
  checkTensor(fn, x);
  const o = checkOptions(fn, options, ["axis", "descending"]);
  if (x.ndim === 0) throw new InvalidArgumentError(fn, "cannot sort a scalar (rank 0); reshape it to [1] first");
  return { axis: normalizeAxis(fn, o.axis ?? -1, x.ndim), descending: checkBool(fn, "descending", o.descending, false) };
}

/**
 * `sort(x, { axis?, descending? })` is `x` with the values of every lane
 * along `axis` in ascending order (descending when asked), same shape and
 * dtype. The sort is stable: equal values (`-0` and `0` included) keep their
 * original order, in both directions. NaN compares above every number: last
 * in an ascending sort (as numpy), first in a descending one.
 * `axis` defaults to -1 (the last axis); `descending` to false.
 * Differentiable: the gradient of each output element flows back to the
 * input element it came from.
 * @throws InvalidArgumentError when `x` is not a live tensor or is rank 0, for a bad axis or option.
 */
export function sort(x: Tensor, options?: SortOptions): Tensor {
  const fn = "nx.sort";
  return runOp(fn, () => {
    const { axis, descending } = sortArgs(fn, x, options);
    return bind("sort", [x], { axis, descending, k: x.shape[axis] as number });
  });
}

/**
 * `argsort(x, { axis?, descending? })` is the int32 tensor of `x`'s shape
 * whose lanes along `axis` hold the indices that sort `x` (so
 * `takeAlongAxis(x, argsort(x), { axis })` is `sort(x)`), with {@link sort}'s
 * order: stable (ties keep their original order in both directions), NaN
 * last ascending and first descending.
 * `axis` defaults to -1 (the last axis); `descending` to false.
 * @throws InvalidArgumentError as {@link sort}, or when the backend cannot hold the int32 result.
 */
export function argsort(x: Tensor, options?: SortOptions): Tensor {
  const fn = "nx.argsort";
  return runOp(fn, () => {
    const { axis, descending } = sortArgs(fn, x, options);
    return bind("argsort", [x], { axis, descending, k: x.shape[axis] as number });
  });
}

/** Options of `topk`. */
export interface TopkOptions {
  /** The axis searched (negative counts from the end); defaults to -1, the last axis. */
  readonly axis?: number;
}

/**
 * `topk(x, k, { axis? })` is `[values, indices]`: the `k` largest values of
 * every lane along `axis`, largest first, and their int32 indices along
 * `axis`; both have `x`'s shape with `axis` of size `k`. Equal values come in
 * the order of their indices (lower index first); NaN counts as larger than
 * every number (as in PyTorch). `values` has `x`'s dtype and is
 * differentiable (the gradient flows back to the selected elements).
 * `axis` defaults to -1 (the last axis).
 * @throws InvalidArgumentError when `x` is not a live tensor or is rank 0,
 * `k` is not an integer in `[0, n]` (`n` the size of `axis`), for a bad axis
 * or option, or when the backend cannot hold the results.
 */
export function topk(x: Tensor, k: number, options?: TopkOptions): [Tensor, Tensor] {
  const fn = "nx.topk";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const o = checkOptions(fn, options, ["axis"]);
    if (x.ndim === 0) throw new InvalidArgumentError(fn, "cannot search a scalar (rank 0); reshape it to [1] first");
    const axis = normalizeAxis(fn, o.axis ?? -1, x.ndim);
    const n = x.shape[axis] as number;
    checkInteger(fn, "k", k, 0);
    if (k > n) throw new InvalidArgumentError(fn, `k = ${k} exceeds the size ${n} of axis ${axis} (shape ${fmtShape(x.shape)})`);
    const params = { axis, descending: true, k };
    const indices = bind("argsort", [x], params);
    // Under a tape the values come from the `sort` primitive, whose gradient is a gather; otherwise
    // (sampling) gathering them through the indices saves a second sort. Both give the same values.
    const values = isTracing() ? bind("sort", [x], params) : gatherAlongAxis(x, indices, axis, indices.shape);
    return [values, indices];
  });
}
