/** Explicit memory management: `dispose`, `cast`, and moving tensors between backends (`tidy` and `keep` live in `scope.ts`). */
import type { Backend } from "../backend.js";
import type { DType } from "../dtype.js";
import { checkDType } from "../dtype.js";
import { bind } from "../primitives.js";
import { Tensor } from "../tensor.js";
import type { Tree } from "../tree.js";
import { leaves } from "../tree.js";
import { fromHost } from "./creation.js";
import { castTo, checkTensor } from "./operands.js";

/** `dispose(tree)` disposes every tensor in a pytree (a tensor, nested arrays, plain objects). Disposing twice is harmless. */
export function dispose(tree: unknown): void {
  for (const t of leaves(tree as Tree<unknown>)) if (t instanceof Tensor) t.dispose();
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
