/**
 * `GpujsBackend`: nx's {@link Backend} on gpu.js kernels. Each primitive
 * generates (once per op and shape signature) a kernel in gpu.js's
 * JavaScript subset and runs it in the chosen mode; results stay on the
 * device (GL textures, or gpu.js's host arrays in `webasm`/`cpu`) until
 * `read`/`readAsync`.
 */
import type {
  ArgReduceOp,
  Backend,
  BackendCapabilities,
  BackendMemory,
  BinaryOp,
  CompareOp,
  DataId,
  DType,
  FloatDType,
  HostArray,
  PadWidth,
  ReduceOp,
  ScanOp,
  SortOp,
  UnaryOp,
  View,
} from "@raven-ts/nx";
import { MAX_EXACT_INTEGER, STORED_DTYPES, fromFloat32, stored, toFloat32 } from "./dtypes.js";
import { Engine } from "./gpu/engine.js";
import type { EngineMode } from "./gpu/engine.js";
import { maxElements } from "./gpu/limits.js";
import type { GpujsMode } from "./mode.js";
import { resolveMode } from "./mode.js";
import { sizeOf } from "@raven-ts/nx";
import { isIdentity } from "./codegen/strided.js";
import { fill, iota, upload } from "./ops/creation.js";
import { BINARY, COMPARE, UNARY, WHERE, castExpr } from "./ops/elementwise.js";
import { gather, scatterAdd } from "./ops/indexing.js";
import { concat, pad } from "./ops/layout.js";
import { runMap, stridedOf } from "./ops/map.js";
import { matmul } from "./ops/matmul.js";
import { randomUniform } from "./ops/random.js";
import { argReduce, reduce } from "./ops/reduce.js";
import { scan } from "./ops/scan.js";
import { sort } from "./ops/sort.js";
import { KernelRunner } from "./runner.js";
import type { GpujsStats } from "./stats.js";
import { StatsCounter } from "./stats.js";
import { BufferTable } from "./storage.js";
import type { DeviceBuffer } from "./storage.js";

/** Options of {@link gpujsBackend}. */
export interface GpujsBackendOptions {
  /**
   * The gpu.js mode. Default `"auto"`: in a browser `webgl2`, then `webgl`;
   * in Node `headlessgl` when a GL context can be created, else `webasm`.
   */
  readonly mode?: GpujsMode;
  /** The registry name. Default `"gpujs"`. */
  readonly name?: string;
}

/**
 * The nx backend on gpu.js. Build it with {@link gpujsBackend}. Like every
 * backend it trusts its arguments (the nx frontend validates them against
 * its capabilities: no float64, at most `maxElements` per buffer).
 */
export class GpujsBackend implements Backend {
  readonly name: string;
  /** The gpu.js mode kernels run in (`auto` already resolved). */
  readonly mode: EngineMode;
  /**
   * What this backend can do: float32, int32, uint8 and bool (stored as
   * float32, so integers are exact up to 2^24 in magnitude), at most 2^24
   * elements per buffer (less where a GL context's `MAX_TEXTURE_SIZE`² is
   * smaller), and subnormals except on GL, which flushes them to zero.
   */
  readonly capabilities: BackendCapabilities;
  readonly #engine: Engine;
  readonly #table = new BufferTable();
  readonly #stats = new StatsCounter();
  readonly #runner: KernelRunner;

  /**
   * `new GpujsBackend(options)`: see {@link gpujsBackend}.
   * @throws InvalidArgumentError for an unknown mode or one unavailable here.
   */
  constructor(options: GpujsBackendOptions = {}) {
    this.name = options.name ?? "gpujs";
    this.mode = resolveMode(options.mode ?? "auto");
    this.#engine = new Engine(this.mode);
    this.#runner = new KernelRunner(this.#engine, this.#stats);
    this.capabilities = Object.freeze({
      dtypes: STORED_DTYPES,
      maxElements: maxElements(this.#engine.maxTextureSize),
      maxExactInteger: MAX_EXACT_INTEGER,
      subnormals: !this.#engine.isGL,
    });
  }

  /** `stats()` is the kernel-compile, launch and transfer counters so far (for tests and benchmarks). */
  stats(): GpujsStats {
    return this.#stats.snapshot(this.mode);
  }

  #add(b: DeviceBuffer): DataId {
    return this.#table.add(b);
  }

  upload(data: HostArray, _dtype: DType): DataId {
    this.#stats.uploads++;
    return this.#add(upload(this.#runner, toFloat32(data)));
  }

  read(view: View): HostArray {
    const dtype = stored(view.dtype);
    this.#stats.reads++;
    const size = sizeOf(view.shape);
    if (size === 0) return fromFloat32(new Float32Array(0), dtype);
    const src = this.#table.get(view.data);
    if (src.size === size && isIdentity(view.shape, stridedOf(view)) && src.data !== null) {
      return fromFloat32(this.#engine.toHost(src.data, size), dtype);
    }
    const tmp = runMap(this.#runner, this.#table, "copy", [view], "v0");
    try {
      return fromFloat32(this.#engine.toHost(tmp.data as NonNullable<DeviceBuffer["data"]>, size), dtype);
    } finally {
      this.#runner.release(tmp);
    }
  }

  readAsync(view: View): Promise<HostArray> {
    try {
      return Promise.resolve(this.read(view));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  free(data: DataId): void {
    this.#runner.release(this.#table.remove(data));
  }

  memory(): BackendMemory {
    return this.#table.memory();
  }

  fill(size: number, value: number, _dtype: DType): DataId {
    return this.#add(fill(this.#runner, size, value));
  }

  iota(size: number, start: number, step: number, dtype: DType): DataId {
    return this.#add(iota(this.#runner, size, start, step, stored(dtype)));
  }

  unary(op: UnaryOp, x: View): DataId {
    return this.#add(runMap(this.#runner, this.#table, `unary.${op}`, [x], UNARY[op](stored(x.dtype))));
  }

  binary(op: BinaryOp, a: View, b: View): DataId {
    return this.#add(runMap(this.#runner, this.#table, `binary.${op}`, [a, b], BINARY[op](stored(a.dtype))));
  }

  compare(op: CompareOp, a: View, b: View): DataId {
    return this.#add(runMap(this.#runner, this.#table, `compare.${op}`, [a, b], COMPARE[op]));
  }

  where(cond: View, a: View, b: View): DataId {
    return this.#add(runMap(this.#runner, this.#table, "where", [cond, a, b], WHERE));
  }

  reduce(op: ReduceOp, x: View, axes: readonly number[]): DataId {
    return this.#add(reduce(this.#runner, this.#table, op, x, axes, stored(x.dtype)));
  }

  argReduce(op: ArgReduceOp, x: View, axis: number): DataId {
    return this.#add(argReduce(this.#runner, this.#table, op, x, axis));
  }

  scan(op: ScanOp, x: View, axis: number): DataId {
    return this.#add(scan(this.#runner, this.#table, op, x, axis, stored(x.dtype)));
  }

  sort(op: SortOp, x: View, axis: number, descending: boolean, k: number): DataId {
    return this.#add(sort(this.#runner, this.#table, op, x, axis, descending, k));
  }

  cast(x: View, dtype: DType): DataId {
    const from = stored(x.dtype);
    const to = stored(dtype);
    return this.#add(runMap(this.#runner, this.#table, `cast.${from}.${to}`, [x], castExpr(from, to)));
  }

  copy(x: View): DataId {
    return this.#add(runMap(this.#runner, this.#table, "copy", [x], "v0"));
  }

  matmul(a: View, b: View): DataId {
    return this.#add(matmul(this.#runner, this.#table, a, b, stored(a.dtype)));
  }

  gather(x: View, indices: View, axis: number): DataId {
    return this.#add(gather(this.#runner, this.#table, x, indices, axis));
  }

  scatterAdd(updates: View, indices: View, axis: number, shape: readonly number[]): DataId {
    return this.#add(scatterAdd(this.#runner, this.#table, updates, indices, axis, shape, stored(updates.dtype)));
  }

  pad(x: View, widths: readonly PadWidth[], value: number): DataId {
    return this.#add(pad(this.#runner, this.#table, x, widths, value));
  }

  concat(xs: readonly View[], axis: number): DataId {
    return this.#add(concat(this.#runner, this.#table, xs, axis));
  }

  randomUniform(key: readonly [number, number], size: number, _dtype: FloatDType): DataId {
    return this.#add(randomUniform(this.#runner, key, size));
  }

  /**
   * `destroy()` frees every buffer and kernel this backend holds. Tensors
   * still on it must not be used afterwards.
   */
  async destroy(): Promise<void> {
    for (const b of this.#table.entries()) this.#runner.release(b);
    this.#runner.destroy();
    await this.#engine.destroy();
  }
}

/**
 * `gpujsBackend(options)` is a new gpu.js backend for `nx.setBackend`.
 * `options.mode` picks the gpu.js mode (default `"auto"`; see
 * {@link GpujsBackendOptions}); the resolved mode is `backend.mode`.
 * @throws InvalidArgumentError for an unknown mode or one unavailable here.
 */
export function gpujsBackend(options: GpujsBackendOptions = {}): GpujsBackend {
  return new GpujsBackend(options);
}
