/**
 * The one module that touches gpu.js. Its typings are loose (kernels return
 * `KernelOutput`, a union of nested arrays and textures), so this module pins
 * down the small subset the backend uses: flat 1-D kernels built from source
 * text, pipelined (device-resident) outputs, and explicit texture release.
 * Everything else in the package sees only {@link DeviceArray} and
 * {@link CompiledKernel}.
 */
import { GPU } from "gpu.js";
import type { IKernelRunShortcut, ITypesList, KernelVariable, Texture } from "gpu.js";
import { WasmArena, arenaKernelClass } from "./wasm-arena.js";

/** A gpu.js execution mode this package drives (gpu.js's own names). */
export type EngineMode = "webgl2" | "webgl" | "headlessgl" | "webasm" | "cpu";

/**
 * A kernel result kept where the mode keeps it: a GL texture in the GL modes
 * (never read back until asked), a fresh Float32Array in `webasm` and `cpu`
 * (gpu.js has no device memory there).
 */
export type DeviceArray = Texture | Float32Array;

/** One kernel argument: a device array or a float scalar. */
export type KernelArg = DeviceArray | number;

/**
 * The value type a kernel returns per output element: one float, or four
 * (`return [a, b, c, d]`, a vec4 texture; GL modes only). gpu.js infers it
 * from the source.
 */
export type ReturnKind = "scalar" | "vec4";

/** A helper function the kernel source may call, as gpu.js function settings. */
export interface HelperFunction {
  readonly name: string;
  /** JavaScript source of a named function (the subset gpu.js translates). */
  readonly source: string;
  /** gpu.js types of the parameters, in order (`"Number"` for floats). */
  readonly argumentTypes: readonly string[];
  readonly returnType: string;
}

/** What {@link Engine.compile} needs to build one kernel. */
export interface KernelRecipe {
  /** `function (a, b, ...) { ... }` source text. */
  readonly source: string;
  /** Number of output elements (vec4 texels for kernels returning four values). */
  readonly outputSize: number;
  /**
   * gpu.js type of every parameter, by name (see {@link argumentType}); scalars
   * are `Float` so an integral value never changes the kernel's types.
   */
  readonly argumentTypes: Readonly<Record<string, string>>;
  readonly helpers: readonly HelperFunction[];
}

/** A compiled gpu.js kernel bound to its output size. */
export interface CompiledKernel {
  /** Runs the kernel; the result is owned by the caller (release it with {@link Engine.release}). */
  run(args: readonly KernelArg[]): DeviceArray;
  /** Why gpu.js degraded this kernel to its CPU kernel, or `null` when it did not. */
  readonly fallbackReason: string | null;
  destroy(): void;
}

/** The `mode` gpu.js's kernel classes report for each of our modes (GL classes all say `"gpu"`). */
const KERNEL_MODE: Record<EngineMode, string> = {
  webgl2: "gpu",
  webgl: "gpu",
  headlessgl: "gpu",
  webasm: "webasm",
  cpu: "cpu",
};

/** What the shortcut gpu.js returns exposes at run time beyond its typings. */
interface ShortcutInternals {
  readonly kernel: { readonly constructor: { readonly name: string; readonly mode?: string }; readonly fallbackReason?: string | null };
}

/** The runtime shape of a GL texture beyond the public typings. */
interface TextureInternals {
  toArray(): unknown;
  delete(): void;
}

/** `argumentType(arg)` is the gpu.js type of a kernel argument (`Float`, `Array`, or the texture's type). */
export function argumentType(arg: KernelArg): string {
  if (typeof arg === "number") return "Float";
  if (arg instanceof Float32Array) return "Array";
  return (arg as unknown as { readonly type: string }).type;
}

/** `isTexture(d)` is true when `d` is a gpu.js texture rather than a host array. */
export function isTexture(d: DeviceArray): d is Texture {
  return !(d instanceof Float32Array);
}

/** A gpu.js instance in one mode, plus the facts the backend plans with. */
export class Engine {
  readonly mode: EngineMode;
  /** True for the GL modes, whose results are textures. */
  readonly isGL: boolean;
  /** The largest texture side the context allows (Infinity off GL). */
  readonly maxTextureSize: number;
  readonly #gpu: GPU;
  /** The one WebAssembly memory of the `webasm` kernels (see wasm-arena.ts); `null` in the other modes. */
  readonly #arena: WasmArena | null;

  /**
   * `new Engine(mode)` creates a gpu.js instance in `mode`; in `webasm` its
   * kernels share one WebAssembly memory.
   * @throws Error when gpu.js rejects the mode here.
   */
  constructor(mode: EngineMode) {
    this.mode = mode;
    this.isGL = mode === "webgl2" || mode === "webgl" || mode === "headlessgl";
    this.#gpu = new GPU({ mode });
    this.#arena = mode === "webasm" ? new WasmArena() : null;
    if (this.#arena !== null) this.#gpu.Kernel = arenaKernelClass(this.#arena);
    this.maxTextureSize = this.isGL ? readMaxTextureSize(this.#gpu) : Number.POSITIVE_INFINITY;
  }

  /** `compile(recipe)` builds (lazily, on first run) the kernel `recipe` describes. */
  compile(recipe: KernelRecipe): CompiledKernel {
    const shortcut: IKernelRunShortcut = this.#gpu.createKernel(recipe.source, {
      output: [recipe.outputSize],
      pipeline: true,
      immutable: true,
      precision: "single",
      tactic: "precision",
      argumentTypes: { ...recipe.argumentTypes } as ITypesList,
      dynamicOutput: false,
      dynamicArguments: false,
    });
    for (const h of recipe.helpers) {
      shortcut.addFunction({ name: h.name, source: h.source, argumentTypes: [...h.argumentTypes], returnType: h.returnType });
    }
    const internals = shortcut as unknown as ShortcutInternals;
    const mode = this.mode;
    return {
      run: (args) => {
        const out = shortcut(...(args as KernelVariable[])) as unknown;
        if (out instanceof Float32Array) return out;
        if (typeof out === "object" && out !== null && "toArray" in out) return out as Texture;
        throw new Error(`gpu.js kernel returned an unexpected ${Object.prototype.toString.call(out)}`);
      },
      get fallbackReason() {
        // gpu.js records why it degraded a kernel (#868); the class's static `mode` (minifier-safe) tells where it runs.
        const k = internals.kernel;
        if (k.fallbackReason) return k.fallbackReason;
        const ran = k.constructor.mode;
        return ran !== undefined && ran !== KERNEL_MODE[mode] ? `gpu.js ran this kernel in its "${ran}" mode` : null;
      },
      destroy: () => shortcut.destroy(),
    };
  }

  /** `toHost(d, size)` is a fresh Float32Array of the first `size` values of `d` (a GPU→host read on GL). */
  toHost(d: DeviceArray, size: number): Float32Array {
    if (!isTexture(d)) return d.slice(0, size);
    const arr = (d as unknown as TextureInternals).toArray();
    if (arr instanceof Float32Array) return arr.length === size ? arr : arr.slice(0, size);
    throw new Error("gpu.js texture read back in an unexpected layout");
  }

  /** `release(d)` frees the device memory of `d` (a no-op for host arrays, which the GC reclaims). */
  release(d: DeviceArray): void {
    if (isTexture(d)) (d as unknown as TextureInternals).delete();
  }

  /** `destroy()` releases every kernel and texture gpu.js holds for this engine, and the `webasm` kernels' shared memory. */
  async destroy(): Promise<void> {
    await this.#gpu.destroy();
    this.#arena?.release();
  }
}

/** The run-time shape of `gpu.Kernel` beyond the public typings. */
interface KernelClassInternals {
  readonly features?: { readonly maxTextureSize?: unknown };
}

function readMaxTextureSize(gpu: GPU): number {
  const v = (gpu.Kernel as unknown as KernelClassInternals).features?.maxTextureSize;
  return typeof v === "number" && v > 0 ? v : 4096;
}
