/**
 * `cpuBackend(options)`: the CPU backend's factory, choosing between the
 * WebAssembly SIMD kernels (the default where the engine has them) and the
 * pure-TypeScript kernels.
 */
import { InvalidArgumentError } from "../errors.js";
import { checkBool, checkInteger, checkOptions } from "../options.js";
import { CpuBackend } from "./backend.js";
import { WasmCpuBackend } from "./wasm/backend.js";
import { wasmRuntime } from "./wasm/runtime.js";

/** Options of {@link cpuBackend}. */
export interface CpuBackendOptions {
  /**
   * Run the WebAssembly SIMD kernels. Default `true`, which falls back to the
   * pure-TypeScript kernels where the engine lacks WebAssembly SIMD; `false`
   * always uses the pure-TypeScript kernels.
   */
  readonly simd?: boolean;
  /**
   * The threads large kernels may use, the calling thread included. Default:
   * the machine's hardware threads, at most 8. `0` or `1` runs everything on
   * the calling thread; at most {@link MAX_THREADS}. Threads need the SIMD
   * kernels and shared memory (Node, or a cross-origin-isolated page);
   * elsewhere this is ignored.
   */
  readonly threads?: number;
}

/** The most threads the default uses. */
const MAX_DEFAULT_THREADS = 8;
/** The most threads `cpuBackend` accepts. */
export const MAX_THREADS = 64;

/** `hardwareThreads()` is the number of hardware threads this process may use (1 when unknown). */
function hardwareThreads(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  if (typeof os?.availableParallelism === "function") return os.availableParallelism();
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

/**
 * `cpuBackend(options)` is a new CPU backend: a {@link WasmCpuBackend}
 * (buffers in WebAssembly memory, SIMD kernels, threads) when `simd` is not
 * `false` and the engine supports WebAssembly SIMD, a {@link CpuBackend}
 * (pure TypeScript, ordinary typed arrays) otherwise. Both register as `"cpu"`
 * and compute the same results up to float rounding.
 * @throws InvalidArgumentError when `options` is not an object of the options
 *   above, `simd` is not a boolean, or `threads` is not an integer from 0 to
 *   {@link MAX_THREADS}.
 */
export function cpuBackend(options?: CpuBackendOptions): CpuBackend {
  const fn = "nx.cpuBackend";
  const o = checkOptions(fn, options, ["simd", "threads"]);
  const simd = checkBool(fn, "simd", o.simd, true);
  const requested = o.threads === undefined ? Math.min(hardwareThreads(), MAX_DEFAULT_THREADS) : checkInteger(fn, "threads", o.threads, 0);
  if (requested > MAX_THREADS) throw new InvalidArgumentError(fn, `threads must be at most ${MAX_THREADS}, got ${requested}`);
  const runtime = simd ? wasmRuntime() : undefined;
  if (runtime === undefined) return new CpuBackend();
  return new WasmCpuBackend(runtime, Math.max(1, requested));
}
