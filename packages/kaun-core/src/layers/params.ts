/** Internal: making and reading a layer's named parameters and sub-trees with clear errors. */
import type { FloatDType, Tensor } from "@raven-ts/nx";
import { checkAllocation, fmtShape, fmtValue, shapesEqual, tidy } from "@raven-ts/nx";
import type { Initializer } from "../init.js";
import type { Ptree } from "../ptree.js";
import { checkTensor, describe, fail, isRecord } from "../util.js";

/**
 * `field(fn, tree, name, what)` is `tree[name]`, an own property of the
 * object `tree` (`what` names the tree in errors: `"params"`, `"state"`).
 * @throws InvalidArgumentError naming `fn` when `tree` is not an object holding `name`.
 */
export function field(fn: string, tree: Ptree, name: string, what: string): Ptree {
  if (!isRecord(tree)) throw fail(fn, `${what} must be an object holding ${fmtValue(name)}, got ${describe(tree)}`);
  if (!Object.prototype.hasOwnProperty.call(tree, name)) throw fail(fn, `${what} has no entry ${fmtValue(name)}`);
  return tree[name] as Ptree;
}

/**
 * `param(fn, params, name, dtype, shape)` is the live tensor `params[name]`,
 * checked to have `dtype` and `shape`.
 * @throws InvalidArgumentError naming the layer, the parameter and what is wrong.
 */
export function param(fn: string, params: Ptree, name: string, dtype: FloatDType, shape: readonly number[]): Tensor {
  const t = checkTensor(fn, `params.${name}`, field(fn, params, name, "params"));
  if (t.dtype !== dtype) throw fail(fn, `params.${name} has dtype ${t.dtype}, but the model dtype is ${dtype}`);
  if (!shapesEqual(t.shape, shape)) throw fail(fn, `params.${name} has shape ${fmtShape(t.shape)}, expected ${fmtShape(shape)}`);
  return t;
}

/** `checkLastAxis(fn, x, size, what)` checks that `x` has rank ≥ 1 and last axis `size`. */
export function checkLastAxis(fn: string, x: Tensor, size: number, what: string): void {
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== size) throw fail(fn, `input of shape ${fmtShape(x.shape)} must have a last axis of size ${what} = ${size}`);
}

/**
 * `initParams(fn, dtype, specs)` is `{ name: init(shape, dtype) }` for every
 * `name: [shape, init]` of `specs`, in order. Every shape is checked against
 * the current backend first (nx's `checkAllocation`), so a layer too large to
 * hold fails before allocating any parameter, with an error naming `fn`, the
 * size and the limit; when an initialiser throws, the parameters already made
 * are disposed.
 * @throws InvalidArgumentError naming `fn` when a parameter cannot be held; whatever an initialiser throws.
 */
export function initParams(fn: string, dtype: FloatDType, specs: Readonly<Record<string, readonly [readonly number[], Initializer]>>): Record<string, Tensor> {
  const entries = Object.entries(specs);
  for (const [, [shape]] of entries) checkAllocation(`kaun.${fn}`, shape, dtype);
  return tidy(() => Object.fromEntries(entries.map(([name, [shape, init]]) => [name, init(shape, dtype)])));
}
