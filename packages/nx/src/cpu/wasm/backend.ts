/**
 * The CPU backend on WebAssembly: buffers live in the runtime's memory (so
 * kernels read and write them in place, and threads share them), hot
 * primitives run WebAssembly SIMD kernels, and every other primitive runs
 * the pure-TypeScript kernel of {@link CpuBackend} on views of that memory,
 * its result copied into the arena.
 */
import type { DataId, View } from "../../backend.js";
import type { DType, HostArray } from "../../dtype.js";
import { allocHost, itemSize } from "../../dtype.js";
import { sizeOf } from "../../shape.js";
import { CpuBackend } from "../backend.js";
import { recycle } from "../pool.js";
import type { Released } from "../storage.js";
import { arenaDataId } from "../storage.js";
import { matmulInto } from "./matmul.js";
import type { WasmRuntime } from "./runtime.js";
import type { ThreadPool } from "./threads.js";

/** The typed-array class of each dtype (as `allocHost` chooses it). */
type ArrayClass = new (buffer: ArrayBufferLike, at: number, n: number) => HostArray;

function classOf(dtype: DType): ArrayClass {
  return allocHost(dtype, 0).constructor as ArrayClass;
}

/**
 * `WasmCpuBackend` is the `"cpu"` backend with WebAssembly SIMD kernels
 * (float32 and float64 `matmul`, ...) and up to `threads` threads for
 * large ones. Its buffers are blocks of WebAssembly memory, reused once
 * freed (the memory never shrinks): dispose tensors, or let `nx.tidy` do it,
 * so their blocks return to the arena; the `FinalizationRegistry` frees
 * forgotten ones only when the event loop runs.
 */
export class WasmCpuBackend extends CpuBackend {
  override readonly simd = true;
  override readonly threads: number;
  readonly #rt: WasmRuntime;
  readonly #pool: ThreadPool | undefined;

  constructor(runtime: WasmRuntime, threads: number) {
    super();
    this.#rt = runtime;
    this.#pool = runtime.pool(threads);
    this.threads = this.#pool === undefined ? 1 : threads;
  }

  /** `alloc(dtype, n)` is a new counted buffer of `n` elements in the arena (contents unspecified) and its byte address. */
  #alloc(dtype: DType, n: number): { id: DataId; ptr: number } {
    const arena = this.#rt.arena;
    const bytes = n * itemSize(dtype);
    const ptr = arena.alloc(bytes);
    const array = new (classOf(dtype))(arena.memory.buffer, ptr, n);
    return { id: this.counted(arenaDataId(arena, ptr, array)), ptr };
  }

  protected override store(array: HostArray): DataId {
    const arena = this.#rt.arena;
    const ptr = arena.alloc(array.byteLength);
    const view = new (array.constructor as ArrayClass)(arena.memory.buffer, ptr, array.length);
    view.set(array as never);
    recycle(array);
    return arenaDataId(arena, ptr, view);
  }

  protected override discard(buffer: Released): void {
    if (buffer.arena !== undefined) buffer.arena.free(buffer.ptr, buffer.bytes);
  }

  override upload(data: HostArray, dtype: DType): DataId {
    const { id, ptr } = this.#alloc(dtype, data.length);
    new (data.constructor as ArrayClass)(this.#rt.memory.buffer, ptr, data.length).set(data as never);
    return id;
  }

  override matmul(a: View, b: View): DataId {
    if (a.dtype !== "float32" && a.dtype !== "float64") return super.matmul(a, b);
    const rank = a.shape.length;
    const size = sizeOf(a.shape.slice(0, rank - 1)) * (b.shape[rank - 1] as number);
    const { id, ptr } = this.#alloc(a.dtype, size);
    matmulInto(this.#rt, this.#pool, a, b, ptr);
    return id;
  }
}
