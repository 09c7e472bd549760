/** Internal: making and reading a layer's named parameters with clear errors. */
import type { FloatDType, Tensor } from "@raven-ts/nx";
import { checkAllocation, isTensor, tidy } from "@raven-ts/nx";
import type { Initializer } from "../init.js";
import type { Ptree } from "../ptree.js";
import { describe, fail, shapeStr } from "../util.js";

/**
 * `param(fn, params, name, dtype, shape)` is the tensor `params[name]`, checked
 * to have `dtype` and `shape`.
 * @throws InvalidArgumentError naming the layer, the parameter and what is wrong.
 */
export function param(fn: string, params: Ptree, name: string, dtype: FloatDType, shape: readonly number[]): Tensor {
  if (typeof params !== "object" || params === null || Array.isArray(params) || isTensor(params)) {
    throw fail(fn, `params must be an object holding ${JSON.stringify(name)}, got ${describe(params)}`);
  }
  const t = Object.prototype.hasOwnProperty.call(params, name) ? (params as { readonly [k: string]: Ptree })[name] : undefined;
  if (!isTensor(t)) throw fail(fn, `params.${name} must be a tensor, got ${describe(t)}`);
  if (t.dtype !== dtype) throw fail(fn, `params.${name} has dtype ${t.dtype}, but the model dtype is ${dtype}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw fail(fn, `params.${name} has shape ${shapeStr(t.shape)}, expected ${shapeStr(shape)}`);
  }
  return t;
}

/** `lastAxis(fn, x, size, what)` checks that `x` has rank ≥ 1 and last axis `size`. */
export function checkLastAxis(fn: string, x: Tensor, size: number, what: string): void {
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== size) throw fail(fn, `input of shape ${shapeStr(x.shape)} must have a last axis of size ${what} = ${size}`);
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
  for (const [, [shape]] of entries) checkAllocation(fn, shape, dtype);
  return tidy(() => Object.fromEntries(entries.map(([name, [shape, init]]) => [name, init(shape, dtype)])));
}
