/** Explicit memory management: `tidy`, `dispose`, `keep`, and moving tensors between backends. */
import type { Backend } from "../backend.js";
import type { DType } from "../dtype.js";
import { checkDType } from "../dtype.js";
import { runScoped, trackInScope } from "../engine.js";
import { InvalidArgumentError } from "../errors.js";
import { bind, isHeld } from "../primitives.js";
import { Tensor } from "../tensor.js";
import type { Tree } from "../tree.js";
import { leaves } from "../tree.js";
import { fromHost } from "./creation.js";
import { castTo, checkTensor } from "./operands.js";

/**
 * `tidy(fn)` runs `fn` and then disposes every tensor created during the call,
 * except the tensors in its result (any pytree of tensors), which move to the
 * enclosing scope. Scopes nest. `fn` must be synchronous. Tensors an active
 * autodiff tape still needs are handed to the enclosing scope rather than
 * disposed, so `tidy` is safe inside differentiated functions. When `fn`
 * throws, the tensors it created are disposed and the error propagates.
 * @throws InvalidArgumentError when `fn` returns a Promise (tensors would be disposed before it settles).
 */
export function tidy<T>(fn: () => T): T {
  const result = runScoped(fn, (scope, value) => {
    // On a throw, `value` is undefined: everything the scope created is released.
    const kept = new Set<unknown>(value instanceof Promise ? [] : leaves(value as Tree<unknown>));
    for (const t of scope) {
      if (kept.has(t) || isHeld(t as Tensor)) trackInScope(t);
      else if (!keptForever.has(t as Tensor)) t.dispose();
    }
  });
  if (result instanceof Promise) {
    throw new InvalidArgumentError("nx.tidy", "fn returned a Promise; tidy only accepts synchronous functions");
  }
  return result;
}

/** `dispose(tree)` disposes every tensor in a pytree (a tensor, nested arrays, plain objects). Disposing twice is harmless. */
export function dispose(tree: unknown): void {
  for (const t of leaves(tree as Tree<unknown>)) if (t instanceof Tensor) t.dispose();
}

const keptForever = new WeakSet<Tensor>();

/** `keep(x)` is `x`, exempted from disposal by the enclosing `tidy` scopes. */
export function keep<T extends Tensor>(x: T): T {
  checkTensor("nx.keep", x);
  keptForever.add(x);
  return x;
}


/**
 * `cast(x, dtype)` converts the elements to `dtype`: to an integer type
 * truncates toward zero and wraps (int32 modulo 2^32, uint8 modulo 256; NaN
 * becomes 0); to `bool` is `x != 0`. Casting to the same dtype returns a view.
 * @throws InvalidArgumentError for an unknown dtype.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  const fn = "nx.cast";
  checkTensor(fn, x);
  checkDType(fn, dtype);
  return x.dtype === dtype ? bind("reshape", [x], { shape: x.shape }) : castTo(x, dtype);
}

/**
 * `toBackend(x, backend)` is `x` on `backend`: a view of `x` when it already
 * lives there, otherwise a copy read back to the host and uploaded.
 * @throws InvalidArgumentError when `x` is not a live tensor.
 */
export function toBackend(x: Tensor, backend: Backend): Tensor {
  checkTensor("nx.toBackend", x);
  if (x.backend === backend) return bind("reshape", [x], { shape: x.shape });
  return fromHost(x.dataSync(), x.dtype, x.shape, backend);
}
