/**
 * The frontend's one check of a backend's capabilities: whether a tensor of
 * a shape and dtype can live on a backend (the dtype is stored there and the
 * size is within its `maxElements`). Every allocation runs it before the
 * backend is called; ops with computed result sizes run it up front, before
 * anything (host arrays included) is allocated.
 */
import type { Backend } from "./backend.js";
import type { DType } from "./dtype.js";
import { checkDType } from "./dtype.js";
import { getBackend, resolveBackend, userOp } from "./engine.js";
import { InvalidArgumentError, fmtShape, fmtValue } from "./errors.js";
import { checkShape, sizeOf } from "./shape.js";

/** `fmtCount(n)` is `n` as written, with `(2^k)` appended for a power of two from 2^10 up. */
function fmtCount(n: number): string {
  const k = Math.log2(n);
  return Number.isInteger(k) && k >= 10 ? `${n} (2^${k})` : String(n);
}

/**
 * `checkStored(fn, backend, dtype)` checks that `backend` stores `dtype`.
 * @throws InvalidArgumentError naming the outermost public op in progress
 * (see `runOp`), else `fn`, with the backend and the dtypes it stores otherwise.
 */
function checkStored(fn: string, backend: Backend, dtype: DType): void {
  const stored = backend.capabilities.dtypes;
  if (stored.includes(dtype)) return;
  throw new InvalidArgumentError(
    userOp(fn),
    `backend ${JSON.stringify(backend.name)} does not store ${dtype} (it stores ${stored.join(", ")}); cast to one of those, or compute on a backend that does (nx.toBackend)`,
  );
}

/**
 * `checkFits(fn, backend, shape, dtype)` checks that a tensor of `shape`
 * (already validated) and `dtype` can be allocated on `backend`: the dtype is
 * stored there and the size is at most its `maxElements`.
 * @throws InvalidArgumentError naming the outermost public op in progress
 * (see `runOp`), else `fn`, with the size and the limit otherwise.
 */
export function checkFits(fn: string, backend: Backend, shape: readonly number[], dtype: DType): void {
  checkStored(fn, backend, dtype);
  const size = sizeOf(shape);
  const limit = backend.capabilities.maxElements;
  if (size > limit) {
    throw new InvalidArgumentError(
      userOp(fn),
      `a tensor of shape ${fmtShape(shape)} has ${size} elements, more than backend ${JSON.stringify(backend.name)} holds in one tensor: ${fmtCount(limit)}`,
    );
  }
}

/**
 * `checkAllocation(fn, shape, dtype, backend?)` checks, without allocating,
 * that a tensor of `shape` and `dtype` can be created on `backend` (a
 * registered name or an instance; the current backend by default): `shape`
 * is an array of at most 64 non-negative integers, the backend stores
 * `dtype`, and the size is within its `capabilities.maxElements`. Libraries
 * built on nx call it before allocating several tensors, so that a call that
 * cannot complete fails before creating any. Host arrays are bounded by the
 * CPU backend's limits: check them with `backend` `"cpu"`.
 * @throws InvalidArgumentError naming `fn` (the caller's public function)
 * with the size and the limit, or the dtype and the dtypes the backend
 * stores; or for a bad shape, dtype or backend.
 */
export function checkAllocation(fn: string, shape: readonly number[], dtype: DType, backend?: string | Backend): void {
  if (typeof fn !== "string") throw new InvalidArgumentError("nx.checkAllocation", `fn must be the name of the calling function, got ${fmtValue(fn)}`);
  const s = checkShape(fn, shape);
  const d = checkDType(fn, dtype);
  checkFits(fn, backend === undefined ? getBackend() : resolveBackend(fn, backend), s, d);
}
