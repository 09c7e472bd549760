/**
 * The CPU backend's storage: each `DataId` it hands out is an object holding
 * the typed array (of `dtype.ts`'s `allocHost` class) that stores the buffer.
 */
import type { DataId } from "../backend.js";
import type { HostArray } from "../dtype.js";

/** What a CPU `DataId` really is. `live` turns false when the buffer is freed. */
interface CpuBuffer {
  readonly array: HostArray;
  live: boolean;
}

/** `toDataId(array)` is a new opaque handle on `array`, which the CPU backend then owns. */
export function toDataId(array: HostArray): DataId {
  const buffer: CpuBuffer = { array, live: true };
  return buffer as unknown as DataId;
}

/** `hostArrayOf(id)` is the typed array behind a handle made by {@link toDataId}. */
export function hostArrayOf(id: DataId): HostArray {
  return (id as unknown as CpuBuffer).array;
}

/**
 * `release(id)` marks the buffer behind `id` as freed and returns its array,
 * or `undefined` when it was already freed (so accounting never counts a buffer twice).
 */
export function release(id: DataId): HostArray | undefined {
  const buffer = id as unknown as CpuBuffer;
  if (!buffer.live) return undefined;
  buffer.live = false;
  return buffer.array;
}
