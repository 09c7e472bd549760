/** Explicit memory management: `dispose`, `cast`, and moving tensors between backends (`tidy` and `keep` live in `scope.ts`). */
import type { Backend } from "../backend.js";
import { checkFits } from "../capacity.js";
import type { DType } from "../dtype.js";
import { checkDType } from "../dtype.js";
import { resolveBackend } from "../engine.js";
import { bind } from "../primitives.js";
import { runOp } from "../scope.js";
import { Tensor } from "../tensor.js";
import type { Tree } from "../pytree.js";
import { leavesOf } from "../pytree.js";
import { fromHost } from "./creation.js";
import { castTo, checkTensor } from "./operands.js";

/**
 * `dispose(tree)` disposes every tensor in a pytree (a tensor, nested arrays,
 * plain objects); other leaves are ignored. Disposing twice is harmless.
 * @throws InvalidArgumentError when the tree contains a cycle or is nested too deeply (see `nx.tree`); nothing is disposed then.
 */
export function dispose(tree: unknown): void {
  for (const t of leavesOf("nx.dispose", tree as Tree<unknown>)) if (t instanceof Tensor) t.dispose();
}

/**
 * `cast(x, dtype)` converts the elements to `dtype`: to an integer type
 * truncates toward zero and wraps (int32 modulo 2^32, uint8 modulo 256; NaN
 * becomes 0); to `bool` is `x != 0`. Casting to the same dtype returns a view.
 * @throws InvalidArgumentError for an unknown dtype, or one `x`'s backend does not store.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  const fn = "nx.cast";
  return runOp(fn, () => {
    checkTensor(fn, x);
    checkDType(fn, dtype);
    return x.dtype === dtype ? bind("reshape", [x], { shape: x.shape }) : castTo(x, dtype);
  });
}

/**
 * `toBackend(x, backend)` is `x` on `backend` (a registered name or a backend
 * instance): a view of `x` when it already lives there, otherwise a copy read
 * back to the host and uploaded.
 * @throws InvalidArgumentError when `x` is not a live tensor, `backend` is
 * neither a registered name nor a backend, or `backend` cannot hold `x`
 * (its dtype or its size).
 */
export function toBackend(x: Tensor, backend: string | Backend): Tensor {
  const fn = "nx.toBackend";
  return runOp(fn, () => {
    checkTensor(fn, x);
    const target = resolveBackend(fn, backend);
    if (x.backend === target) return bind("reshape", [x], { shape: x.shape });
    checkFits(fn, target, x.shape, x.dtype);
    return fromHost(fn, x.dataSync(), x.dtype, x.shape, target);
  });
}
