/**
 * The CPU backend on WebAssembly: buffers live in the runtime's memory (so
 * kernels read and write them in place, and threads share them), hot
 * primitives run WebAssembly SIMD kernels, and every other primitive runs
 * the pure-TypeScript kernel of {@link CpuBackend} on views of that memory,
 * its result copied into the arena.
 */
import type { BinaryOp, DataId, ReduceOp, UnaryOp, View } from "../../backend.js";
import type { DType, HostArray } from "../../dtype.js";
import { allocHost, itemSize } from "../../dtype.js";
import { isContiguous, sizeOf } from "../../shape.js";
import { CpuBackend } from "../backend.js";
import { recycle } from "../pool.js";
import type { Released } from "../storage.js";
import { arenaDataId, arenaPointerOf } from "../storage.js";
import type { SimdBinaryOp, SimdReduceOp, SimdUnaryOp } from "./elementwise.js";
import { SIMD_BINARY, SIMD_REDUCE, SIMD_UNARY } from "./elementwise.js";
import { matmulInto } from "./matmul.js";
import { RowTables } from "./rows.js";
import type { WasmRuntime } from "./runtime.js";
import type { ThreadPool } from "./threads.js";

/** The typed-array class of each dtype (as `allocHost` chooses it). */
type ArrayClass = new (buffer: ArrayBufferLike, at: number, n: number) => HostArray;

function classOf(dtype: DType): ArrayClass {
  return allocHost(dtype, 0).constructor as ArrayClass;
}

const simdBinary = new Set<string>(SIMD_BINARY);
const simdUnary = new Set<string>(SIMD_UNARY);
const simdReduce = new Set<string>(SIMD_REDUCE);

/** A float32 row kernel: `(table, rows, n, out, ...steps)`. */
type RowKernel = (table: number, rows: number, n: number, out: number, ...steps: number[]) => void;

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
  readonly #rows: RowTables;

  constructor(runtime: WasmRuntime, threads: number) {
    super();
    this.#rt = runtime;
    this.#pool = runtime.pool(threads);
    this.#rows = new RowTables(runtime.arena);
    this.threads = this.#pool === undefined ? 1 : threads;
  }

  /**
   * The bytes of WebAssembly memory the CPU backends hold (used and free
   * blocks: it only grows, to the largest working set so far). All SIMD CPU
   * backends of a realm share this memory.
   */
  get reservedBytes(): number {
    return this.#rt.memory.buffer.byteLength;
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

  #rowKernel(name: string): RowKernel {
    return this.#rt.kernels[name] as RowKernel;
  }

  override copy(x: View): DataId {
    const bytes = itemSize(x.dtype);
    const { id, ptr } = this.#alloc(x.dtype, sizeOf(x.shape));
    const walk = this.#rows.walk(x.shape, [x]);
    this.#rowKernel(`copy_${bytes}`)(walk.table, walk.rows, walk.n, ptr, walk.steps[0] as number);
    return id;
  }

  override where(cond: View, a: View, b: View): DataId {
    if (a.dtype !== "float32") return super.where(cond, a, b);
    const { id, ptr } = this.#alloc("float32", sizeOf(a.shape));
    const walk = this.#rows.walk(a.shape, [cond, a, b]);
    this.#rowKernel("where_f32")(walk.table, walk.rows, walk.n, ptr, walk.steps[0] as number, walk.steps[1] as number, walk.steps[2] as number);
    return id;
  }

  override binary(op: BinaryOp, a: View, b: View): DataId {
    if (a.dtype !== "float32" || !simdBinary.has(op)) return super.binary(op, a, b);
    const { id, ptr } = this.#alloc("float32", sizeOf(a.shape));
    const walk = this.#rows.walk(a.shape, [a, b]);
    this.#rowKernel(`binary_${op as SimdBinaryOp}_f32`)(walk.table, walk.rows, walk.n, ptr, walk.steps[0] as number, walk.steps[1] as number);
    return id;
  }

  override unary(op: UnaryOp, x: View): DataId {
    if (x.dtype !== "float32" || !simdUnary.has(op)) return super.unary(op, x);
    const { id, ptr } = this.#alloc("float32", sizeOf(x.shape));
    const walk = this.#rows.walk(x.shape, [x]);
    this.#rowKernel(`unary_${op as SimdUnaryOp}_f32`)(walk.table, walk.rows, walk.n, ptr, walk.steps[0] as number);
    return id;
  }

  /** float32 reductions over trailing axes stored contiguously (softmax's case) run as row kernels. */
  override reduce(op: ReduceOp, x: View, axes: readonly number[]): DataId {
    const rank = x.shape.length;
    const lead = rank - axes.length;
    const trailing = axes.length > 0 && axes.every((axis, i) => axis === lead + i);
    const inner = x.shape.slice(lead);
    const n = sizeOf(inner);
    if (x.dtype !== "float32" || !simdReduce.has(op) || !trailing || n === 0 || !isContiguous(inner, x.strides.slice(lead))) return super.reduce(op, x, axes);
    const outer = x.shape.slice(0, lead);
    const { id, ptr } = this.#alloc("float32", sizeOf(outer));
    // Each output element reduces one contiguous run of n inputs; the table holds every run's start.
    const runs = this.#rows.starts(outer, { strides: x.strides.slice(0, lead), offset: x.offset }, arenaPointerOf(x.data), 4);
    this.#rowKernel(`reduce_${op as SimdReduceOp}_f32`)(runs.table, runs.rows, n, ptr);
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
