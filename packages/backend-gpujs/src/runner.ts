/**
 * Compiles, caches and launches kernels. A kernel is cached by its source
 * (which bakes in the op, dtype handling, shapes and strides), its output
 * size and the kind and size of each argument, so one op on one shape
 * signature compiles once; {@link StatsCounter} records every build.
 */
import type { CompiledKernel, DeviceArray, Engine } from "./gpu/engine.js";
import { argumentType, isTexture } from "./gpu/engine.js";
import type { KernelSpec } from "./codegen/kernel.js";
import { assemble } from "./codegen/kernel.js";
import type { StatsCounter } from "./stats.js";
import type { DeviceBuffer } from "./storage.js";

/** A non-empty buffer, as kernels take them. */
export interface LiveBuffer extends DeviceBuffer {
  readonly data: DeviceArray;
}

/** `isLive(b)` is true when `b` holds device data (is not empty). */
export function isLive(b: DeviceBuffer): b is LiveBuffer {
  return b.data !== null;
}

/** The empty buffer: gpu.js cannot make zero-sized outputs, so none is made. */
export const EMPTY: DeviceBuffer = Object.freeze({ size: 0, data: null });

/** Launches kernels for one engine, caching them by signature. */
export class KernelRunner {
  readonly engine: Engine;
  readonly #stats: StatsCounter;
  readonly #cache = new Map<string, CompiledKernel>();

  constructor(engine: Engine, stats: StatsCounter) {
    this.engine = engine;
    this.#stats = stats;
  }

  /**
   * `run(spec, outputSize, inputs, scalars)` launches `spec` over
   * `outputSize` output elements with `inputs` bound to `spec.buffers` and
   * `scalars` to `spec.scalars`, and returns the new buffer (the empty buffer
   * when `outputSize` is 0, without launching).
   * Frontend guarantees: `outputSize` is within the backend's `maxElements`
   * (the kernels' own intermediate buffers are never larger than their op's result).
   */
  run(spec: KernelSpec, outputSize: number, inputs: readonly DeviceBuffer[], scalars: readonly number[] = []): DeviceBuffer {
    if (outputSize === 0) return EMPTY;
    const args: (DeviceArray | number)[] = inputs.map((b, i) => {
      if (!isLive(b)) throw new Error(`gpujs ${spec.family}: input ${spec.buffers[i] ?? i} is empty; kernels never read empty buffers`);
      return b.data;
    });
    const assembled = assemble(spec);
    args.push(...scalars);
    if (assembled.specials) args.push(Number.NaN, Number.POSITIVE_INFINITY);
    const signature = inputs.map((b) => `${b.data !== null && isTexture(b.data) ? "t" : "a"}${b.size}`).join(",");
    const key = `${outputSize}|${signature}|${spec.returns ?? "scalar"}|${assembled.source}`;
    let kernel = this.#cache.get(key);
    const fresh = kernel === undefined;
    if (kernel === undefined) {
      kernel = this.engine.compile({
        source: assembled.source,
        outputSize,
        argumentTypes: Object.fromEntries(assembled.params.map((p, i) => [p, argumentType(args[i] as DeviceArray | number)])),
        helpers: assembled.helpers,
      });
      this.#cache.set(key, kernel);
      this.#stats.compiled(spec.family);
    } else {
      this.#stats.cacheHits++;
    }
    this.#stats.kernelRuns++;
    const data = kernel.run(args);
    if (fresh) {
      const reason = kernel.fallbackReason;
      if (reason !== null) this.#stats.fellBack(spec.family, reason);
    }
    return { size: outputSize, data };
  }

  /** `release(b)` frees the device memory of `b`. */
  release(b: DeviceBuffer): void {
    if (b.data !== null) this.engine.release(b.data);
  }

  /** `kernelCount()` is the number of cached kernels. */
  kernelCount(): number {
    return this.#cache.size;
  }

  /** `destroy()` destroys every cached kernel. */
  destroy(): void {
    for (const k of this.#cache.values()) k.destroy();
    this.#cache.clear();
  }
}
