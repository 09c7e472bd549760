/** Functional updates of a block of a tensor: `dynamicUpdateSlice` (JAX's `lax.dynamic_update_slice`). */
import { InvalidArgumentError, fmtShape, fmtValue } from "../errors.js";
import { checkBool, checkOptions } from "../options.js";
import { bind, isHeld } from "../primitives.js";
import { runOp } from "../scope.js";
import type { Tensor } from "../tensor.js";
import { checkSameBackend, checkTensor } from "./operands.js";

/** Options of {@link dynamicUpdateSlice}. */
export interface DynamicUpdateSliceOptions {
  /**
   * Give `x` up to the call: it is disposed when the call returns, and when
   * no other tensor views its storage, the result is written into that
   * storage instead of a copy of `x`. Defaults to false.
   */
  readonly donate?: boolean;
}

/**
 * `dynamicUpdateSlice(x, update, starts, { donate? })` is a new tensor equal
 * to `x` except for the block at `starts`, which holds `update`: element `i`
 * of `update` lands at `starts + i` (JAX's `lax.dynamic_update_slice`).
 * `update` has `x`'s rank and dtype and no axis longer than `x`'s; `starts`
 * has one integer per axis, clamped (as JAX does) so that the block fits:
 * `min(max(starts[a], 0), x.shape[a] - update.shape[a])`. The result has
 * `x`'s shape and dtype.
 *
 * It is functional: `x` is unchanged, unless `donate` is true. Then `x` is
 * consumed: the call disposes it, and when `x` is a whole C-order tensor
 * that no other tensor views (a buffer from `nx.zeros`, or a previous
 * result), the backend writes `update` into `x`'s storage and the result
 * takes it over, so no copy of `x` is made. This is how a preallocated
 * KV cache grows by one position per step at the cost of that position.
 * While an autodiff trace records `x` (inside `rune.grad`), it is neither
 * reused nor disposed: the trace owns it until it ends. `donate` defaults
 * to false.
 * @throws InvalidArgumentError when `x` or `update` is not a live tensor,
 * their dtypes or ranks differ, an axis of `update` is longer than `x`'s,
 * `starts` is not an array of one integer per axis, the options are bad, or
 * the tensors live on different backends; nothing is disposed then.
 */
export function dynamicUpdateSlice(x: Tensor, update: Tensor, starts: readonly number[], options?: DynamicUpdateSliceOptions): Tensor {
  const fn = "nx.dynamicUpdateSlice";
  return runOp(fn, () => {
    checkTensor(fn, x);
    checkTensor(fn, update, "update");
    checkSameBackend(fn, [x, update]);
    const o = checkOptions(fn, options, ["donate"]);
    if (update.dtype !== x.dtype) throw new InvalidArgumentError(fn, `update must have x's dtype ${x.dtype}, got ${update.dtype}; cast it first`);
    if (update.ndim !== x.ndim || update.shape.some((d, a) => d > (x.shape[a] as number))) {
      throw new InvalidArgumentError(fn, `update ${fmtShape(update.shape)} must have x's rank and fit in x ${fmtShape(x.shape)}`);
    }
    if (!Array.isArray(starts) || starts.length !== x.ndim || !starts.every((s) => typeof s === "number" && Number.isSafeInteger(s))) {
      throw new InvalidArgumentError(fn, `starts must be an array of ${x.ndim} integers (one per axis of x), got ${fmtValue(starts)}`);
    }
    const donate = checkBool(fn, "donate", o.donate, false);
    const clamped = starts.map((s, a) => Math.min(Math.max(s, 0), (x.shape[a] as number) - (update.shape[a] as number)));
    const out = bind("updateSlice", [x, update], { starts: clamped, donate });
    if (donate && !isHeld(x)) x.dispose();
    return out;
  });
}
