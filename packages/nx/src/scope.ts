/**
 * `tidy` and `keep`: scoped disposal of the tensors a computation creates.
 * Every public op runs its body in a scope too, so its intermediates (casts,
 * weak-scalar constants, broadcast views, partial results) are released as
 * soon as it returns, which GPU backends rely on.
 */
import type { Disposable } from "./engine.js";
import { runNamedScoped, runScoped, trackInScope } from "./engine.js";
import { InvalidArgumentError, fmtValue } from "./errors.js";
import { checkTensor } from "./ops/operands.js";
import { checkFunction } from "./options.js";
import { isHeld, isTracing } from "./primitives.js";
import { Tensor } from "./tensor.js";
import type { Tree } from "./pytree.js";
import { leaves } from "./pytree.js";

const keptForever = new WeakSet<Tensor>();

/**
 * Hands the tensors of `scope` in `value` (and those a tape holds) to the
 * enclosing scope and disposes the rest (except those `keep` exempts); a
 * tensor that leaves the last scope alive comes under the finalizer.
 */
function settle(scope: Set<Disposable>, value: unknown): void {
  if (scope.size === 0) return;
  const tracing = isTracing();
  // A single tensor (what most ops return) needs no walk of the result.
  const single = value instanceof Tensor;
  const kept = single ? undefined : new Set<unknown>(value instanceof Promise ? [] : leaves(value as Tree<unknown>));
  for (const t of scope) {
    if ((single ? t === value : (kept as Set<unknown>).has(t)) || (tracing && isHeld(t as Tensor))) {
      if (!trackInScope(t)) (t as Tensor).escapeScopes();
    } else if (keptForever.has(t as Tensor)) (t as Tensor).escapeScopes();
    else t.dispose();
  }
}

/**
 * `tidy(fn)` runs `fn` and then disposes every tensor created during the call,
 * except the tensors in its result (any pytree of tensors), which move to the
 * enclosing scope. Scopes nest. `fn` must be synchronous. Tensors an active
 * autodiff tape still needs are handed to the enclosing scope rather than
 * disposed, so `tidy` is safe inside differentiated functions. When `fn`
 * throws, the tensors it created are disposed and the error propagates.
 * @throws InvalidArgumentError when `fn` is not a function, or returns a Promise (tensors would be disposed before it settles).
 */
export function tidy<T>(fn: () => T): T {
  checkFunction("nx.tidy", "fn", fn);
  const result = runScoped(fn, settle);
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

/**
 * `runOp(fn, body)` runs `body` as the public function named `fn` (such as
 * `"nx.softmax"` or `"kaun.decode"`): like {@link tidy}, every tensor `body`
 * creates is disposed when it returns, except those in its result; and while
 * it runs, a tensor that the backend cannot hold (an unsupported dtype, more
 * than `maxElements` elements) is reported as an `InvalidArgumentError`
 * starting with `fn` (the outermost `runOp` in progress), not with the
 * inner op that would have allocated it. Every nx op runs this way; libraries
 * built on nx wrap their public functions in it. `body` must be synchronous
 * and must not call user code (an error in a user callback would be
 * reported under `fn`).
 * @throws InvalidArgumentError when `fn` is not a non-empty string or `body` not a function; whatever `body` throws propagates.
 */
export function runOp<T>(fn: string, body: () => T): T {
  if (typeof fn !== "string" || fn.length === 0) throw new InvalidArgumentError("nx.runOp", `fn must be the name of the public function, got ${fmtValue(fn)}`);
  checkFunction("nx.runOp", "body", body);
  return runNamedScoped(fn, body, settle);
}
