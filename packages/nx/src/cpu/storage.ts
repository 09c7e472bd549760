/**
 * The CPU backend's storage: each `DataId` it hands out is an object holding
 * the typed array (of `dtype.ts`'s `allocHost` class) that stores the buffer.
 * With the WebAssembly kernels, that array is a view on the WebAssembly
 * memory at a block of the {@link Arena}; otherwise it is an ordinary array.
 */
import type { DataId } from "../backend.js";
import type { HostArray } from "../dtype.js";
import type { Arena } from "./wasm/arena.js";

/** What a CPU `DataId` really is. `live` turns false when the buffer is freed. */
interface CpuBuffer {
  array: HostArray;
  live: boolean;
  /** The arena holding the buffer, or `undefined` for an ordinary array. */
  readonly arena: Arena | undefined;
  /** Byte address of the block in the arena's memory (0 for an ordinary array). */
  readonly ptr: number;
  /** Bytes requested from the arena for the block. */
  readonly bytes: number;
  /** The arena's generation when `array` was made (a grown, non-shared memory detaches older views). */
  generation: number;
}

/** `toDataId(array)` is a new opaque handle on `array`, which the CPU backend then owns. */
export function toDataId(array: HostArray): DataId {
  const buffer: CpuBuffer = { array, live: true, arena: undefined, ptr: 0, bytes: array.byteLength, generation: 0 };
  return buffer as unknown as DataId;
}

/** `arenaDataId(arena, ptr, array)` is a new handle on the block at `ptr` of `arena`, viewed as `array`. */
export function arenaDataId(arena: Arena, ptr: number, array: HostArray): DataId {
  const buffer: CpuBuffer = { array, live: true, arena, ptr, bytes: array.byteLength, generation: arena.generation };
  return buffer as unknown as DataId;
}

/** `hostArrayOf(id)` is the typed array behind a handle (a view made anew if the arena's memory has grown since). */
export function hostArrayOf(id: DataId): HostArray {
  const buffer = id as unknown as CpuBuffer;
  const arena = buffer.arena;
  if (arena !== undefined && buffer.generation !== arena.generation) {
    const Class = buffer.array.constructor as new (b: ArrayBufferLike, at: number, n: number) => HostArray;
    buffer.array = new Class(arena.memory.buffer, buffer.ptr, buffer.bytes / buffer.array.BYTES_PER_ELEMENT);
    buffer.generation = arena.generation;
  }
  return buffer.array;
}

/** `arenaPointerOf(id)` is the byte address of an arena buffer in its memory, or -1 for an ordinary array. */
export function arenaPointerOf(id: DataId): number {
  const buffer = id as unknown as CpuBuffer;
  return buffer.arena === undefined ? -1 : buffer.ptr;
}

/** `byteSizeOf(id)` is the bytes the buffer behind `id` holds. */
export function byteSizeOf(id: DataId): number {
  return (id as unknown as CpuBuffer).bytes;
}

/** What {@link release} gives back: the buffer's array (as last viewed), its arena block if any, and its byte size. */
export interface Released {
  readonly array: HostArray;
  readonly arena: Arena | undefined;
  readonly ptr: number;
  readonly bytes: number;
}

/**
 * `release(id)` marks the buffer behind `id` as freed and returns what it
 * held, or `undefined` when it was already freed (so accounting never counts
 * a buffer twice).
 */
export function release(id: DataId): Released | undefined {
  const buffer = id as unknown as CpuBuffer;
  if (!buffer.live) return undefined;
  buffer.live = false;
  return buffer;
}
