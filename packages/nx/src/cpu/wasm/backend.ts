/**
 * The CPU backend on WebAssembly: buffers live in the runtime's memory (so
 * kernels read and write them in place, and threads share them), hot
 * primitives run WebAssembly SIMD kernels, and every other primitive runs
 * the pure-TypeScript kernel of {@link CpuBackend} on views of that memory,
 * its result copied into the arena.
 */
import type { BinaryOp, CompareOp, DataId, PadWidth, ReduceOp, SoftmaxOp, SortOp, UnaryOp, View } from "../../backend.js";
import type { DType, FloatDType, HostArray, HostArrayView } from "../../dtype.js";
import { hostArrayClass, itemSize } from "../../dtype.js";
import { contiguousStrides, isContiguous, sizeOf } from "../../shape.js";
import { CpuBackend } from "../backend.js";
import { blockLayout, padLayout } from "../movement.js";
import { recycle } from "../pool.js";
import { selectsTopK } from "../sort.js";
import type { Released } from "../storage.js";
import { arenaDataId, arenaPointerOf, hostArrayOf } from "../storage.js";
import type { SimdBinaryOp, SimdCompareOp, SimdUnaryOp } from "./elementwise.js";
import { SIMD_BINARY, SIMD_COMPARE, SIMD_UNARY } from "./elementwise.js";
import { matmulInto } from "./matmul.js";
import type { SimdReduceOp } from "./reduce.js";
import { SIMD_REDUCE } from "./reduce.js";
import { RowTables } from "./rows.js";
import type { WasmRuntime } from "./runtime.js";
import type { ThreadPool } from "./threads.js";


const simdBinary = new Set<string>(SIMD_BINARY);
const simdUnary = new Set<string>(SIMD_UNARY);
const simdReduce = new Set<string>(SIMD_REDUCE);
const simdCompare = new Set<string>(SIMD_COMPARE);

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
    return { id: this.counted(arenaDataId(arena, ptr, bytes, hostArrayClass(dtype))), ptr };
  }

  protected override store(array: HostArray): DataId {
    const arena = this.#rt.arena;
    const ptr = arena.alloc(array.byteLength);
    const View = array.constructor as HostArrayView;
    new View(arena.memory.buffer, ptr, array.length).set(array as never);
    recycle(array);
    return arenaDataId(arena, ptr, array.byteLength, View);
  }

  protected override discard(buffer: Released): void {
    if (buffer.arena !== undefined) buffer.arena.free(buffer.ptr, buffer.bytes);
  }

  override upload(data: HostArray, dtype: DType): DataId {
    const { id, ptr } = this.#alloc(dtype, data.length);
    new (hostArrayClass(dtype))(this.#rt.memory.buffer, ptr, data.length).set(data as never);
    return id;
  }

  #rowKernel(name: string): RowKernel {
    return this.#rt.kernels[name] as RowKernel;
  }

  /** `#copyInto(src, dst)` copies the elements of `src` to those of `dst` (a view of the same shape and dtype on another buffer). */
  #copyInto(src: View, dst: View): void {
    const walk = this.#rows.walk(src.shape, [src, dst]);
    this.#rowKernel(`copy_into_${itemSize(src.dtype)}`)(walk.table, walk.rows, walk.n, walk.steps[0] as number, walk.steps[1] as number);
  }

  /** `#filled(dtype, size, value)` is a new buffer of `size` copies of `value`. */
  #filled(dtype: DType, size: number, value: number): DataId {
    const { id } = this.#alloc(dtype, size);
    hostArrayOf(id).fill(value);
    return id;
  }

  override fill(size: number, value: number, dtype: DType): DataId {
    return this.#filled(dtype, size, value);
  }

  override copy(x: View): DataId {
    const { id } = this.#alloc(x.dtype, sizeOf(x.shape));
    this.#copyInto(x, { data: id, dtype: x.dtype, shape: x.shape, strides: contiguousStrides(x.shape), offset: 0 });
    return id;
  }

  override concat(xs: readonly View[], axis: number): DataId {
    const first = xs[0] as View;
    const shape = [...first.shape];
    shape[axis] = xs.reduce((total, x) => total + (x.shape[axis] as number), 0);
    const { id } = this.#alloc(first.dtype, sizeOf(shape));
    const strides = contiguousStrides(shape);
    let at = 0;
    for (const x of xs) {
      if (sizeOf(x.shape) > 0) this.#copyInto(x, { data: id, dtype: x.dtype, shape: x.shape, strides, offset: at * (strides[axis] as number) });
      at += x.shape[axis] as number;
    }
    return id;
  }

  override updateSlice(x: View, update: View, starts: readonly number[], inPlace: boolean): DataId {
    const out = inPlace ? x.data : this.copy(x);
    if (sizeOf(update.shape) === 0) return out;
    this.#copyInto(update, { data: out, dtype: update.dtype, shape: update.shape, ...blockLayout(x.shape, starts) });
    return out;
  }

  override pad(x: View, widths: readonly PadWidth[], value: number): DataId {
    const { shape, inner } = padLayout(x.shape, widths);
    const id = this.#filled(x.dtype, sizeOf(shape), value);
    if (sizeOf(x.shape) > 0) this.#copyInto(x, { data: id, dtype: x.dtype, shape: x.shape, ...inner });
    return id;
  }

  /** `#elementwise(kernel, dtype, views)` is a new buffer of `dtype` that the row kernel `kernel` fills from `views` (all of the output's shape). */
  #elementwise(kernel: string, dtype: DType, views: readonly View[]): DataId {
    const shape = (views[0] as View).shape;
    const { id, ptr } = this.#alloc(dtype, sizeOf(shape));
    const walk = this.#rows.walk(shape, views);
    this.#rowKernel(kernel)(walk.table, walk.rows, walk.n, ptr, ...walk.steps);
    return id;
  }

  override where(cond: View, a: View, b: View): DataId {
    if (a.dtype !== "float32") return super.where(cond, a, b);
    return this.#elementwise("where_f32", "float32", [cond, a, b]);
  }

  override binary(op: BinaryOp, a: View, b: View): DataId {
    if (a.dtype !== "float32" || !simdBinary.has(op)) return super.binary(op, a, b);
    return this.#elementwise(`binary_${op as SimdBinaryOp}_f32`, "float32", [a, b]);
  }

  override compare(op: CompareOp, a: View, b: View): DataId {
    if (a.dtype !== "float32" || !simdCompare.has(op)) return super.compare(op, a, b);
    return this.#elementwise(`compare_${op as SimdCompareOp}_f32`, "bool", [a, b]);
  }

  override unary(op: UnaryOp, x: View): DataId {
    if (x.dtype !== "float32" || !simdUnary.has(op)) return super.unary(op, x);
    return this.#elementwise(`unary_${op as SimdUnaryOp}_f32`, "float32", [x]);
  }

  /**
   * float32 reductions run SIMD kernels: over trailing axes stored
   * contiguously (softmax's case), each output reduces one run of the input;
   * when the innermost axis is kept (sums over leading axes, bias
   * gradients), rows of the input fold into rows of the output.
   */
  override reduce(op: ReduceOp, x: View, axes: readonly number[]): DataId {
    if (x.dtype !== "float32" || !simdReduce.has(op) || axes.length === 0 || sizeOf(x.shape) === 0) return super.reduce(op, x, axes);
    const rank = x.shape.length;
    const lead = rank - axes.length;
    const outer = x.shape.slice(0, lead);
    const inner = x.shape.slice(lead);
    if (axes.every((axis, i) => axis === lead + i) && isContiguous(inner, x.strides.slice(lead))) {
      const { id, ptr } = this.#alloc("float32", sizeOf(outer));
      // Each output element reduces one contiguous run of the inputs; the table holds every run's start.
      const runs = this.#rows.starts(outer, { strides: x.strides.slice(0, lead), offset: x.offset }, arenaPointerOf(x.data), 4);
      this.#rowKernel(`reduce_${op as SimdReduceOp}_f32`)(runs.table, runs.rows, sizeOf(inner), ptr);
      return id;
    }
    const outShape = x.shape.filter((_, i) => !axes.includes(i));
    const outStrides = contiguousStrides(outShape);
    let kept = 0;
    const accStrides = x.shape.map((_, i) => (axes.includes(i) ? 0 : (outStrides[kept++] as number)));
    // The accumulators start at the identity (-0 for sums: exact, as -0 + -0 keeps the sign).
    const id = this.#filled("float32", sizeOf(outShape), op === "sum" ? -0 : op === "max" ? -Infinity : Infinity);
    const walk = this.#rows.walk(x.shape, [x, { data: id, dtype: "float32", shape: x.shape, strides: accStrides, offset: 0 }]);
    if (walk.steps[1] === 0) {
      // the innermost axis is reduced but strided: the TypeScript kernel
      this.free(id);
      return super.reduce(op, x, axes);
    }
    this.#rowKernel(`fold_${op as SimdReduceOp}_f32`)(walk.table, walk.rows, walk.n, walk.steps[0] as number, walk.steps[1] as number);
    return id;
  }

  /**
   * float32 softmax and logSoftmax of contiguous rows run one SIMD kernel
   * (logSoftmax two, with the row sums' logarithms taken here in between).
   */
  override softmax(op: SoftmaxOp, x: View): DataId {
    const rank = x.shape.length;
    if (x.dtype !== "float32" || x.strides[rank - 1] !== 1) return super.softmax(op, x);
    const n = x.shape[rank - 1] as number;
    const outer = x.shape.slice(0, rank - 1);
    const { id, ptr } = this.#alloc("float32", sizeOf(x.shape));
    const rows = this.#rows.starts(outer, { strides: x.strides.slice(0, rank - 1), offset: x.offset }, arenaPointerOf(x.data), 4);
    const kernel = this.#rt.kernels.softmax_f32 as RowKernel;
    if (op === "softmax") {
      kernel(rows.table, rows.rows, n, ptr, 0, 0);
      return id;
    }
    const arena = this.#rt.arena;
    const bytes = rows.rows * 8;
    const stats = arena.alloc(bytes);
    kernel(rows.table, rows.rows, n, ptr, stats, 1);
    // Each row's sum becomes its logarithm (rounded to float32, as `log` of a float32 sum is).
    const values = new Float32Array(arena.memory.buffer, stats, rows.rows * 2);
    for (let r = 1; r < values.length; r += 2) values[r] = Math.log(values[r] as number);
    (this.#rt.kernels.logsoftmax_finish_f32 as RowKernel)(rows.table, rows.rows, n, ptr, stats);
    arena.free(stats, bytes);
    return id;
  }

  /**
   * A float32 top-k over contiguous rows of the last axis (the `k` small
   * enough that the TypeScript kernel selects too) runs the SIMD selection
   * kernel: the same order, so the same indices and values.
   */
  override sort(op: SortOp, x: View, axis: number, descending: boolean, k: number): DataId {
    const rank = x.shape.length;
    const n = x.shape[axis] as number;
    const rows = sizeOf(x.shape) / n;
    if (x.dtype !== "float32" || axis !== rank - 1 || x.strides[axis] !== 1 || k < 1 || rows === 0 || !selectsTopK(n, k)) return super.sort(op, x, axis, descending, k);
    const { id, ptr } = this.#alloc(op === "sort" ? "float32" : "int32", rows * k);
    const starts = this.#rows.starts(x.shape.slice(0, axis), { strides: x.strides.slice(0, axis), offset: x.offset }, arenaPointerOf(x.data), 4);
    this.#rowKernel(`select_f32_${descending ? "desc" : "asc"}`)(starts.table, starts.rows, n, k, ptr, op === "sort" ? 1 : 0, this.#rt.scratch);
    return id;
  }

  override randomUniform(key: readonly [number, number], size: number, dtype: FloatDType): DataId {
    const { id, ptr } = this.#alloc(dtype, size);
    (this.#rt.kernels[`random_${dtype === "float32" ? "f32" : "f64"}`] as RowKernel)(key[0] | 0, key[1] | 0, size, ptr, this.#rt.scratch);
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
