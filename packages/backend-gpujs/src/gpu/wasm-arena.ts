/**
 * One WebAssembly memory for all the `webasm` kernels of an engine.
 *
 * gpu.js 2.24 gives every `webasm` kernel its own `WebAssembly.Memory`
 * (laid out `[ arguments | constants | output ]`, offsets baked into the
 * module), and a kernel keeps it as long as it lives. Browsers cap how many
 * memories may be alive at once, whatever their size: Chromium reserves
 * 8 GiB of address space for each 32-bit memory inside V8's 1 TiB sandbox,
 * so a renderer process holds about 125 (measured on Chromium 156; the next
 * one throws `RangeError: WebAssembly.Memory(): could not allocate memory`).
 * One training step of a small transformer builds about 180 kernels, and
 * this backend keeps its kernels. Node 20 builds V8 without that sandbox
 * (3,000 live memories measured), so it never hit the cap.
 *
 * Kernels launch synchronously, one at a time, and each launch writes all
 * of its arguments before it runs and copies its output out after, so they
 * can take turns in one memory: the arena. It grows to the largest layout a
 * kernel needs (at most {@link ARENA_MAX_PAGES}, 256 MiB); a kernel whose
 * layout is larger, or that holds constant arrays or runs threaded (this
 * backend makes neither), keeps gpu.js's own memory.
 *
 * This module subclasses gpu.js's `WebAssemblyKernel` and replaces only the
 * step that instantiates a compiled module: it imports the arena instead of
 * a new memory. It relies on these internals of gpu.js 2.24.1 (pinned
 * exactly; the Node `webasm` suites and the browser training test
 * exercise all of them):
 * `computeLayout`, `_assembleModule`, `_threadable`, `threadDim`,
 * `usedMathImports`, `_moduleCache`, `_active`, and the fields `run()` reads
 * from a cache entry.
 */
import { WebAssemblyKernel } from "gpu.js";

/** Bytes of a WebAssembly page. */
const PAGE_BYTES = 65536;

/**
 * The most pages the arena grows to. gpu.js declares each module's memory
 * import with maximum `max(its own pages, 4096)`, and an imported memory's
 * maximum must not exceed the declared one, so 4096 pages (256 MiB) is the
 * largest memory every module accepts.
 */
export const ARENA_MAX_PAGES = 4096;

/** Where gpu.js's layout puts one argument or constant array. */
interface ArrayRecord {
  readonly offset: number;
  readonly flatLength: number;
}

/** gpu.js's memory layout of one kernel and size signature. */
interface Layout {
  readonly arrays: Readonly<Record<string, ArrayRecord>>;
  readonly constantArrays: Readonly<Record<string, ArrayRecord>>;
  readonly outputOffset: number;
}

/** A gpu.js module-cache entry: what the kernel's `run()` reads, and what its `destroy()` scrubs. */
interface Entry {
  sizeSignature: string;
  shared: boolean;
  layout: Layout;
  cells: number;
  module: WebAssembly.Module | null;
  memory: WebAssembly.Memory | null;
  mathImports: string[];
  sizeX: number;
  instance: WebAssembly.Instance | null;
  run: WebAssembly.ExportValue | null;
  runSimd: WebAssembly.ExportValue | null;
  f32: Float32Array | null;
  i32: Int32Array | null;
  bytes: Uint8Array<ArrayBuffer> | null;
}

/** The internals of gpu.js's `WebAssemblyKernel` the arena kernel uses. */
interface WasmKernelInternals {
  threadDim: number[];
  usedMathImports: Set<string>;
  _moduleCache: Map<string, Entry>;
  _active: Entry | null;
  _threadable(): boolean;
  computeLayout(args: IArguments): Layout;
  _assembleModule(layout: Layout, cells: number, shared: boolean): { bytes: Uint8Array<ArrayBuffer>; initial: number; maximum: number };
  _instantiate(entryKey: string, args: IArguments): void;
  run(...args: unknown[]): unknown;
}

type WasmKernelClass = new (...args: unknown[]) => WasmKernelInternals;

/** The shared memory, created on first use and grown as kernels need. */
export class WasmArena {
  /** The most pages the arena grows to; a kernel that needs more keeps its own memory. */
  readonly maxPages: number;
  #memory: WebAssembly.Memory | null = null;
  #f32: Float32Array | null = null;
  #i32: Int32Array | null = null;

  /** `new WasmArena(maxPages)`: an arena of at most `maxPages` pages (default and largest: {@link ARENA_MAX_PAGES}). */
  constructor(maxPages = ARENA_MAX_PAGES) {
    this.maxPages = Math.min(maxPages, ARENA_MAX_PAGES);
  }

  /** The arena's memory, or `null` before the first kernel. */
  get memory(): WebAssembly.Memory | null {
    return this.#memory;
  }

  /** Bytes the arena holds now (0 before the first kernel). */
  get bytes(): number {
    return this.#memory === null ? 0 : this.#memory.buffer.byteLength;
  }

  /**
   * `reserve(pages)` is the arena's memory with at least `pages` pages,
   * created or grown as needed. Growing replaces the memory's buffer; kernels
   * refresh their views through {@link refresh} before they run.
   * Caller guarantees: `pages <= maxPages`.
   */
  reserve(pages: number): WebAssembly.Memory {
    if (this.#memory === null) {
      this.#memory = new WebAssembly.Memory({ initial: pages, maximum: this.maxPages });
    } else {
      const have = this.#memory.buffer.byteLength / PAGE_BYTES;
      if (pages > have) this.#memory.grow(pages - have);
    }
    return this.#memory;
  }

  /**
   * `refresh(entry)` points the views of `entry` (a kernel's active cache
   * entry, or `null`) at the arena's current buffer when the entry runs in
   * the arena; other entries are left alone.
   */
  refresh(entry: Entry | null): void {
    const memory = this.#memory;
    if (entry === null || memory === null || entry.memory !== memory) return;
    if (this.#f32?.buffer !== memory.buffer) {
      this.#f32 = new Float32Array(memory.buffer);
      this.#i32 = new Int32Array(memory.buffer);
    }
    entry.f32 = this.#f32;
    entry.i32 = this.#i32;
  }

  /** `release()` drops the memory (the kernels using it must be destroyed first). */
  release(): void {
    this.#memory = null;
    this.#f32 = null;
    this.#i32 = null;
  }
}

/**
 * `arenaKernelClass(arena)` is a gpu.js `webasm` kernel class whose kernels
 * import `arena`'s memory instead of creating their own (see the module
 * comment for when a kernel keeps its own). Install it as a `GPU`
 * instance's `Kernel`.
 */
export function arenaKernelClass(arena: WasmArena): typeof WebAssemblyKernel {
  const Base = WebAssemblyKernel as unknown as WasmKernelClass;

  class ArenaKernel extends Base {
    override _instantiate(entryKey: string, args: IArguments): void {
      if (this._moduleCache.has(entryKey) || this._threadable()) {
        super._instantiate(entryKey, args);
        arena.refresh(this._active);
        return;
      }
      const layout = this.computeLayout(args);
      const [sizeX = 1, sizeY = 1, sizeZ = 1] = this.threadDim;
      const cells = sizeX * sizeY * sizeZ;
      const { bytes, initial } = this._assembleModule(layout, cells, false);
      if (initial > arena.maxPages || Object.keys(layout.constantArrays).length > 0) {
        super._instantiate(entryKey, args);
        return;
      }
      const memory = arena.reserve(initial);
      const mathImports = [...this.usedMathImports].sort();
      const env: Record<string, WebAssembly.ImportValue> = { memory };
      const math = Math as unknown as Readonly<Record<string, WebAssembly.ImportValue>>;
      for (const name of mathImports) env[`math_${name}`] = math[name] as WebAssembly.ImportValue;
      const module = new WebAssembly.Module(bytes);
      const instance = new WebAssembly.Instance(module, { env });
      const entry: Entry = {
        sizeSignature: entryKey,
        shared: false,
        layout,
        cells,
        module,
        memory,
        mathImports,
        sizeX,
        instance,
        run: instance.exports.run ?? null,
        runSimd: instance.exports.run_simd ?? null,
        f32: null,
        i32: null,
        bytes: null,
      };
      arena.refresh(entry);
      this._moduleCache.set(entryKey, entry);
      this._active = entry;
    }

    override run(...args: unknown[]): unknown {
      // Another kernel may have grown the arena since this one last ran.
      arena.refresh(this._active);
      return super.run(...args);
    }
  }

  return ArenaKernel as unknown as typeof WebAssemblyKernel;
}
