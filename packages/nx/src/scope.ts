/**
 * `tidy` and `keep`: scoped disposal of the tensors a computation creates.
 * Every public op runs its body in a scope too, so its intermediates (casts,
 * weak-scalar constants, broadcast views, partial results) are released as
 * soon as it returns, which GPU backends rely on.
 */
import { runScoped, trackInScope } from "./engine.js";
import { InvalidArgumentError } from "./errors.js";
import { checkTensor } from "./ops/operands.js";
import { isHeld } from "./primitives.js";
import type { Tensor } from "./tensor.js";
import type { Tree } from "./tree.js";
import { leaves } from "./tree.js";

const keptForever = new WeakSet<Tensor>();

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

/** `keep(x)` is `x`, exempted from disposal by the enclosing `tidy` scopes. @throws InvalidArgumentError when `x` is not a live tensor. */
export function keep<T extends Tensor>(x: T): T {
  checkTensor("nx.keep", x);
  keptForever.add(x);
  return x;
}
