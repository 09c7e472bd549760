/**
 * The CPU backend: nx's reference semantics in plain TypeScript over typed
 * arrays. The class only does bookkeeping (wrapping results as buffers and
 * counting them); each primitive's kernel lives in its own module.
 */
import type { ArgReduceOp, Backend, BackendCapabilities, BackendMemory, BinaryOp, CompareOp, DataId, PadWidth, ReduceOp, ScanOp, SortOp, UnaryOp, View } from "../backend.js";
import type { DType, FloatDType, HostArray } from "../dtype.js";
import { DTYPES, castScalar } from "../dtype.js";
import { allocZeroed, recycle } from "./pool.js";
import { uniformFromStream } from "../random/threefry.js";
import { argReduce } from "./argreduce.js";
import { binary } from "./binary.js";
import { cast } from "./cast.js";
import { compare } from "./compare.js";
import { gather, scatterAdd } from "./gather.js";
import { matmul } from "./matmul.js";
import { concat, pad, toHost } from "./movement.js";
import { reduce } from "./reduce.js";
import { scan } from "./scan.js";
import { sort } from "./sort.js";
import type { Released } from "./storage.js";
import { byteSizeOf, release, toDataId } from "./storage.js";
import { unary } from "./unary.js";
import { where } from "./where.js";

/**
 * What the CPU backend can do: every dtype, exact integer arithmetic, IEEE
 * subnormals, and at most 2^28 elements per tensor (1 GiB of float32, 2 GiB
 * of float64): one buffer stays well within JS engines' typed-array limits
 * and a 32-bit WebAssembly memory, and a size beyond it is rejected before
 * anything is allocated instead of exhausting memory.
 */
const CPU_CAPABILITIES: BackendCapabilities = Object.freeze({
  dtypes: DTYPES,
  maxElements: 2 ** 28,
  maxExactInteger: Number.POSITIVE_INFINITY,
  subnormals: true,
});

/**
 * `CpuBackend` is the `"cpu"` backend: buffers are typed arrays (the class
 * `allocHost` gives each dtype), every primitive accepts arbitrary strided
 * views and returns a fresh C-contiguous buffer, and `memory()` counts the
 * buffers made by `upload`, `fill`, `iota` and every compute primitive until
 * they are freed (`read` copies are the caller's and not counted).
 */
export class CpuBackend implements Backend {
  readonly name = "cpu";
  readonly capabilities: BackendCapabilities = CPU_CAPABILITIES;
  /** Whether the WebAssembly SIMD kernels run (false here: the pure-TypeScript kernels). */
  readonly simd: boolean = false;
  /** The threads large kernels may use (1 here). */
  readonly threads: number = 1;
  #buffers = 0;
  #bytes = 0;

  /** Wraps a freshly made array (a kernel's result) as a counted buffer. */
  #own(array: HostArray): DataId {
    return this.counted(this.store(array));
  }

  /** `counted(id)` counts a new buffer in `memory()` and returns it. */
  protected counted(id: DataId): DataId {
    this.#buffers++;
    this.#bytes += byteSizeOf(id);
    return id;
  }

  /** `store(array)` is the buffer that keeps a kernel's fresh result: here the array itself. */
  protected store(array: HostArray): DataId {
    return toDataId(array);
  }

  /** `discard(buffer)` disposes of a freed buffer's storage: here, large arrays are recycled. */
  protected discard(buffer: Released): void {
    recycle(buffer.array);
  }

  upload(data: HostArray, _dtype: DType): DataId {
    return this.#own(data.slice());
  }

  read(view: View): HostArray {
    return toHost(view);
  }

  readAsync(view: View): Promise<HostArray> {
    return Promise.resolve(toHost(view));
  }

  free(data: DataId): void {
    const buffer = release(data);
    if (buffer === undefined) return;
    this.#buffers--;
    this.#bytes -= buffer.bytes;
    this.discard(buffer);
  }

  memory(): BackendMemory {
    return { buffers: this.#buffers, bytes: this.#bytes };
  }

  fill(size: number, value: number, dtype: DType): DataId {
    const out = allocZeroed(dtype, size);
    if (value !== 0) out.fill(value);
    return this.#own(out);
  }

  iota(size: number, start: number, step: number, dtype: DType): DataId {
    const out = allocZeroed(dtype, size);
    for (let i = 0; i < size; i++) out[i] = castScalar(start + i * step, dtype);
    return this.#own(out);
  }

  unary(op: UnaryOp, x: View): DataId {
    return this.#own(unary(op, x));
  }

  binary(op: BinaryOp, a: View, b: View): DataId {
    return this.#own(binary(op, a, b));
  }

  compare(op: CompareOp, a: View, b: View): DataId {
    return this.#own(compare(op, a, b));
  }

  where(cond: View, a: View, b: View): DataId {
    return this.#own(where(cond, a, b));
  }

  reduce(op: ReduceOp, x: View, axes: readonly number[]): DataId {
    return this.#own(reduce(op, x, axes));
  }

  argReduce(op: ArgReduceOp, x: View, axis: number): DataId {
    return this.#own(argReduce(op, x, axis));
  }

  scan(op: ScanOp, x: View, axis: number): DataId {
    return this.#own(scan(op, x, axis));
  }

  sort(op: SortOp, x: View, axis: number, descending: boolean, k: number): DataId {
    return this.#own(sort(op, x, axis, descending, k));
  }

  cast(x: View, dtype: DType): DataId {
    return this.#own(cast(x, dtype));
  }

  copy(x: View): DataId {
    return this.#own(toHost(x));
  }

  matmul(a: View, b: View): DataId {
    return this.#own(matmul(a, b));
  }

  gather(x: View, indices: View, axis: number): DataId {
    return this.#own(gather(x, indices, axis));
  }

  scatterAdd(updates: View, indices: View, axis: number, shape: readonly number[]): DataId {
    return this.#own(scatterAdd(updates, indices, axis, shape));
  }

  pad(x: View, widths: readonly PadWidth[], value: number): DataId {
    return this.#own(pad(x, widths, value));
  }

  concat(xs: readonly View[], axis: number): DataId {
    return this.#own(concat(xs, axis));
  }

  randomUniform(key: readonly [number, number], size: number, dtype: FloatDType): DataId {
    const out = allocZeroed(dtype, size);
    uniformFromStream(key, size, out);
    return this.#own(out);
  }
}
