/**
 * The CPU backend's storage: each `DataId` it hands out is an object holding
 * the typed array (of `dtype.ts`'s `allocHost` class) that stores the buffer.
 * With the WebAssembly kernels, the buffer is a block of the {@link Arena} in
 * the WebAssembly memory, and its typed-array view is made only when a
 * TypeScript kernel or a read asks for it (the SIMD kernels address the
 * block directly); otherwise it is an ordinary array.
 */
import type { DataId } from "../backend.js";
import type { HostArray, HostArrayView } from "../dtype.js";
import type { Arena } from "./wasm/arena.js";

/** What a CPU `DataId` really is. `live` turns false when the buffer is freed. */
interface CpuBuffer {
  /** The typed array holding the elements; for an arena block, a view made on first use. */
  array: HostArray | undefined;
  /** The class of `array`. */
  readonly view: HostArrayView;
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
  const buffer: CpuBuffer = { array, view: array.constructor as HostArrayView, live: true, arena: undefined, ptr: 0, bytes: array.byteLength, generation: 0 };
  return buffer as unknown as DataId;
}

/** `arenaDataId(arena, ptr, bytes, view)` is a new handle on the `bytes`-byte block at `ptr` of `arena`, read through typed arrays of class `view`. */
export function arenaDataId(arena: Arena, ptr: number, bytes: number, view: HostArrayView): DataId {
  const buffer: CpuBuffer = { array: undefined, view, live: true, arena, ptr, bytes, generation: arena.generation };
  return buffer as unknown as DataId;
}

/** `hostArrayOf(id)` is the typed array behind a handle (for an arena block, a view made on first use, and anew if the memory has grown since). */
export function hostArrayOf(id: DataId): HostArray {
  const buffer = id as unknown as CpuBuffer;
  const arena = buffer.arena;
  if (arena !== undefined && (buffer.array === undefined || buffer.generation !== arena.generation)) {
    const View = buffer.view;
    buffer.array = new View(arena.memory.buffer, buffer.ptr, buffer.bytes / (View as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
    buffer.generation = arena.generation;
  }
  return buffer.array as HostArray;
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

/** What {@link release} gives back: the buffer's array (as last viewed; none for an arena block never viewed), its arena block if any, and its byte size. */
export interface Released {
  readonly array: HostArray | undefined;
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
