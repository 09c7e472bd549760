/**
 * The WebAssembly runtime of the CPU backend: one memory (shared between
 * threads where `SharedArrayBuffer` exists), the kernel module assembled
 * from TypeScript at first use, its arena, and the thread pool. There is one
 * runtime per JavaScript realm, made lazily: every SIMD CPU backend instance
 * stores its buffers in it.
 */
import { ModuleBuilder } from "./assembler.js";
import { Arena } from "./arena.js";
import { emitKernels, SCRATCH_BYTES } from "./kernels.js";
import type { Task } from "./threads.js";
import { CONTROL_BYTES, ThreadPool } from "./threads.js";

/** The largest memory: WebAssembly's 32-bit address space, 4 GiB. */
const MAX_PAGES = 65536;
/** The memory at start: 1 MiB (it grows with the tensors it holds). */
const INITIAL_PAGES = 16;

/** A tiny module whose one function returns `i8x16.splat(0)`: valid only where fixed-width SIMD is. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: i32.const 0; i8x16.splat; end
]);

/** A tiny module whose one function is `f32x4.relaxed_madd` of its three v128 parameters: valid only where relaxed SIMD is. */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type section: (v128, v128, v128) -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code
]);

/** `relaxedSimdSupported()` is whether this engine has relaxed SIMD (`relaxed_madd`), used for the GEMM's multiply-adds. */
function relaxedSimdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** `simdSupported()` is whether this engine runs WebAssembly with fixed-width SIMD (checked by `WebAssembly.validate`). */
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The exports of the kernel module, by name. */
export type Kernels = Readonly<Record<string, (...args: number[]) => number>>;

/** The runtime: memory, kernels, arena, threads. */
export interface WasmRuntime {
  readonly memory: WebAssembly.Memory;
  /** Whether the memory is shared (threads need it). */
  readonly shared: boolean;
  readonly kernels: Kernels;
  /** The export names, in the order thread-pool jobs index them. */
  readonly names: readonly string[];
  readonly arena: Arena;
  /** The calling thread's kernel scratch (packed blocks), {@link SCRATCH_BYTES} bytes. */
  readonly scratch: number;
  /** `pool(threads)` is a pool of `threads - 1` workers (plus the caller), or undefined when threads are unavailable or `threads < 2`. */
  pool(threads: number): ThreadPool | undefined;
}

let runtime: WasmRuntime | null | undefined;

/** `newMemory(share)` is the largest memory this engine gives, shared when it can be and `share` allows. */
function newMemory(share: boolean): { memory: WebAssembly.Memory; shared: boolean } {
  if (share && typeof SharedArrayBuffer === "function") {
    for (const maximum of [MAX_PAGES, MAX_PAGES / 4, MAX_PAGES / 16]) {
      try {
        return { memory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true }), shared: true };
      } catch {
        // a smaller reservation, or no shared memory at all
      }
    }
  }
  return { memory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES }), shared: false };
}

/** Options of {@link createWasmRuntime}. */
export interface WasmRuntimeOptions {
  /** Use a shared memory where the engine has one (default true); false forces an unshared memory, as in a page that is not cross-origin isolated. */
  readonly shared?: boolean;
}

/**
 * `createWasmRuntime(options)` is a new runtime with its own memory (the
 * backends normally share the realm's one, {@link wasmRuntime}; tests make
 * others, e.g. on an unshared memory).
 */
export function createWasmRuntime(options: WasmRuntimeOptions = {}): WasmRuntime {
  const { memory, shared } = newMemory(options.shared ?? true);
  const mod = new ModuleBuilder({ initialPages: INITIAL_PAGES, maximumPages: MAX_PAGES, shared });
  emitKernels(mod, relaxedSimdSupported());
  const bytes = mod.encode();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const kernels = instance.exports as unknown as Kernels;
  const names = mod.names;
  // Address 0 stays unused (a null pointer is never a buffer).
  const arena = new Arena(memory, 64);
  const scratch = arena.alloc(SCRATCH_BYTES);
  const pools = new Map<number, ThreadPool>();
  let workerScratch: number[] = [];
  return {
    memory,
    shared,
    kernels,
    names,
    arena,
    scratch,
    pool(threads: number): ThreadPool | undefined {
      if (!shared || threads < 2) return undefined;
      let p = pools.get(threads);
      if (p === undefined) {
        while (workerScratch.length < threads - 1) workerScratch = [...workerScratch, arena.alloc(SCRATCH_BYTES)];
        const fns: Task[] = names.map((n) => kernels[n] as Task);
        const control = arena.alloc(CONTROL_BYTES);
        new Uint8Array(memory.buffer, control, CONTROL_BYTES).fill(0);
        p = new ThreadPool(memory, control, bytes, names, fns, scratch, workerScratch.slice(0, threads - 1));
        pools.set(threads, p);
      }
      return p;
    },
  };
}

/** `wasmRuntime()` is the realm's runtime (built on first call), or undefined when WebAssembly SIMD is unavailable. */
export function wasmRuntime(): WasmRuntime | undefined {
  if (runtime === undefined) runtime = simdSupported() ? createWasmRuntime() : null;
  return runtime ?? undefined;
}
