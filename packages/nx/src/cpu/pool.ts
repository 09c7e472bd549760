/**
 * Recycling of large freed buffers. A fresh multi-megabyte typed array costs
 * its pages' first-touch faults (about 3.5 ms per MiB on the VMs measured),
 * more than a product of that size spends on arithmetic at small sizes; a
 * disposed buffer of the same class and length is reused instead, zeroed.
 * Only buffers the backend frees are pooled, never arrays handed to callers.
 */
import type { DType, HostArray, HostArrayFor } from "../dtype.js";
import { allocHost } from "../dtype.js";

/** Smaller buffers are cheap to allocate and not worth tracking. */
const MIN_BYTES = 1 << 16;
/** The most bytes the pool holds; beyond it freed buffers go to the garbage collector. */
const MAX_POOLED_BYTES = 64 << 20;
/** The most buffers kept per class and length. */
const PER_SIZE = 4;

/** The typed-array class that stores each dtype (`allocHost`'s choice); bool and uint8 share one. */
const CLASS: Record<DType, string> = { float32: "Float32Array", float64: "Float64Array", int32: "Int32Array", uint8: "Uint8Array", bool: "Uint8Array" };

const pools = new Map<string, HostArray[]>();
let pooledBytes = 0;

function keyOf(array: HostArray): string {
  return `${array.constructor.name}:${array.length}`;
}

/** `recycle(array)` offers a freed buffer to the pool (kept when large enough and while the pool has room). */
export function recycle(array: HostArray): void {
  if (array.byteLength < MIN_BYTES || pooledBytes + array.byteLength > MAX_POOLED_BYTES) return;
  const key = keyOf(array);
  const list = pools.get(key) ?? [];
  if (list.length >= PER_SIZE) return;
  list.push(array);
  pools.set(key, list);
  pooledBytes += array.byteLength;
}

/** `allocZeroed(dtype, n)` is a zero-filled array of `n` elements of `dtype`: a pooled one when available, a new one otherwise. */
export function allocZeroed<D extends DType>(dtype: D, n: number): HostArrayFor[D] {
  const list = pools.get(`${CLASS[dtype]}:${n}`);
  const reused = list?.pop();
  if (reused === undefined) return allocHost(dtype, n);
  pooledBytes -= reused.byteLength;
  reused.fill(0);
  return reused as HostArrayFor[D];
}
