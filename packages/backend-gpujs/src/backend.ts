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
  UnaryOp,
  View,
} from "@raven-ts/nx";
import type { StoredDType } from "./dtypes.js";
import { checkDType, fromFloat32, toFloat32 } from "./dtypes.js";
import { Engine } from "./gpu/engine.js";
import type { EngineMode } from "./gpu/engine.js";
import { checkSize } from "./gpu/limits.js";
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

const FN = "gpujs";

/** The nx backend on gpu.js. Build it with {@link gpujsBackend}. */
export class GpujsBackend implements Backend {
  readonly name: string;
  /** The gpu.js mode kernels run in (`auto` already resolved). */
  readonly mode: EngineMode;
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
  }

  /** `stats()` is the kernel-compile, launch and transfer counters so far (for tests and benchmarks). */
  stats(): GpujsStats {
    return this.#stats.snapshot(this.mode);
  }

  /** `maxElements()` is the largest buffer this backend accepts (2^24, or less where the GL texture size limits it). */
  maxElements(): number {
    return Math.min(2 ** 24, this.#engine.maxTextureSize ** 2);
  }

  #add(b: DeviceBuffer): DataId {
    return this.#table.add(b);
  }

  upload(data: HostArray, dtype: DType): DataId {
    checkDType(`${FN}.upload`, dtype);
    checkSize(`${FN}.upload`, data.length, this.#engine.maxTextureSize);
    this.#stats.uploads++;
    return this.#add(upload(this.#runner, `${FN}.upload`, toFloat32(data)));
  }

  read(view: View): HostArray {
    const dtype = checkDType(`${FN}.read`, view.dtype);
    this.#stats.reads++;
    const size = sizeOf(view.shape);
    if (size === 0) return fromFloat32(new Float32Array(0), dtype);
    const src = this.#table.get(view.data);
    if (src.size === size && isIdentity(view.shape, stridedOf(view)) && src.data !== null) {
      return fromFloat32(this.#engine.toHost(src.data, size), dtype);
    }
    const tmp = runMap(this.#runner, this.#table, `${FN}.read`, "copy", [view], "v0");
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

  fill(size: number, value: number, dtype: DType): DataId {
    checkDType(`${FN}.fill`, dtype);
    return this.#add(fill(this.#runner, `${FN}.fill`, size, value));
  }

  iota(size: number, start: number, step: number, dtype: DType): DataId {
    const d = checkDType(`${FN}.iota`, dtype);
    return this.#add(iota(this.#runner, `${FN}.iota`, size, start, step, d));
  }

  unary(op: UnaryOp, x: View): DataId {
    const d = checkDType(`${FN}.${op}`, x.dtype);
    return this.#add(runMap(this.#runner, this.#table, `${FN}.${op}`, `unary.${op}`, [x], UNARY[op](d)));
  }

  binary(op: BinaryOp, a: View, b: View): DataId {
    const d = checkDType(`${FN}.${op}`, a.dtype);
    return this.#add(runMap(this.#runner, this.#table, `${FN}.${op}`, `binary.${op}`, [a, b], BINARY[op](d)));
  }

  compare(op: CompareOp, a: View, b: View): DataId {
    checkDType(`${FN}.${op}`, a.dtype);
    return this.#add(runMap(this.#runner, this.#table, `${FN}.${op}`, `compare.${op}`, [a, b], COMPARE[op]));
  }

  where(cond: View, a: View, b: View): DataId {
    checkDType(`${FN}.where`, a.dtype);
    return this.#add(runMap(this.#runner, this.#table, `${FN}.where`, "where", [cond, a, b], WHERE));
  }

  reduce(op: ReduceOp, x: View, axes: readonly number[]): DataId {
    const d = checkDType(`${FN}.${op}`, x.dtype);
    return this.#add(reduce(this.#runner, this.#table, `${FN}.${op}`, op, x, axes, d));
  }

  argReduce(op: ArgReduceOp, x: View, axis: number): DataId {
    checkDType(`${FN}.${op}`, x.dtype);
    return this.#add(argReduce(this.#runner, this.#table, `${FN}.${op}`, op, x, axis));
  }

  scan(op: ScanOp, x: View, axis: number): DataId {
    const d = checkDType(`${FN}.${op}`, x.dtype);
    return this.#add(scan(this.#runner, this.#table, `${FN}.${op}`, op, x, axis, d));
  }

  cast(x: View, dtype: DType): DataId {
    const from = checkDType(`${FN}.cast`, x.dtype);
    const to = checkDType(`${FN}.cast`, dtype);
    return this.#add(runMap(this.#runner, this.#table, `${FN}.cast`, `cast.${from}.${to}`, [x], castExpr(from, to)));
  }

  copy(x: View): DataId {
    checkDType(`${FN}.copy`, x.dtype);
    return this.#add(runMap(this.#runner, this.#table, `${FN}.copy`, "copy", [x], "v0"));
  }

  matmul(a: View, b: View): DataId {
    const d: StoredDType = checkDType(`${FN}.matmul`, a.dtype);
    return this.#add(matmul(this.#runner, this.#table, `${FN}.matmul`, a, b, d));
  }

  gather(x: View, indices: View, axis: number): DataId {
    checkDType(`${FN}.gather`, x.dtype);
    return this.#add(gather(this.#runner, this.#table, `${FN}.gather`, x, indices, axis));
  }

  scatterAdd(updates: View, indices: View, axis: number, shape: readonly number[]): DataId {
    const d = checkDType(`${FN}.scatterAdd`, updates.dtype);
    return this.#add(scatterAdd(this.#runner, this.#table, `${FN}.scatterAdd`, updates, indices, axis, shape, d));
  }

  pad(x: View, widths: readonly PadWidth[], value: number): DataId {
    checkDType(`${FN}.pad`, x.dtype);
    return this.#add(pad(this.#runner, this.#table, `${FN}.pad`, x, widths, value));
  }

  concat(xs: readonly View[], axis: number): DataId {
    for (const x of xs) checkDType(`${FN}.concat`, x.dtype);
    return this.#add(concat(this.#runner, this.#table, `${FN}.concat`, xs, axis));
  }

  randomUniform(key: readonly [number, number], size: number, dtype: FloatDType): DataId {
    checkDType(`${FN}.randomUniform`, dtype);
    return this.#add(randomUniform(this.#runner, `${FN}.randomUniform`, key, size));
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
