/**
 * The compute backends the playground offers. The backend picker, the
 * trainer and the bench all read this one list: a new backend is one more
 * entry here. Each entry builds its own instance (both nx CPU paths register
 * as "cpu", so the engine keeps instances by entry, not by registry name).
 */
import * as nx from "@raven-ts/nx";
import type { Backend } from "@raven-ts/nx";

/** One selectable backend. */
export interface BackendChoice {
  /** The picker's value. */
  readonly id: string;
  /** What the picker shows. */
  readonly label: string;
  /** The library behind it (the bench names it). */
  readonly library: string;
  /** How it computes, before it is built (the bench names it). */
  readonly mode: string;
  /**
   * Builds a new instance of the backend (the gpu.js module is loaded on demand).
   * @throws InvalidArgumentError when this device lacks what it needs (the message says what).
   */
  readonly create: () => Promise<Backend>;
  /** `describe(backend)` is how the built backend computes here (the mode it resolved to, its threads). */
  readonly describe: (backend: Backend) => string;
  /** `summary(backend)` names the built backend in one line: the label, made precise by what it resolved to when the label does not say it. */
  readonly summary: (backend: Backend) => string;
}

type GpujsMode = "webgl2" | "webgl" | "webasm";

function nxCpu(simd: boolean): BackendChoice {
  const describe = (b: Backend): string => {
    if (!(b instanceof nx.CpuBackend)) return b.name;
    if (!b.simd) return simd ? "TypeScript kernels (no WebAssembly SIMD here)" : "TypeScript kernels";
    return `WebAssembly SIMD, ${b.threads} thread${b.threads === 1 ? "" : "s"}`;
  };
  return {
    id: simd ? "cpu" : "cpu-ts",
    label: simd ? "nx CPU (WebAssembly SIMD)" : "nx CPU (TypeScript)",
    library: "nx",
    mode: simd ? "WebAssembly SIMD" : "TypeScript kernels",
    create: async () => nx.cpuBackend({ simd }),
    describe,
    // "nx CPU (WebAssembly SIMD, 2 threads)": the mode replaces the label's parenthesis, which it restates.
    summary: (b) => (simd ? `nx CPU (${describe(b)})` : "nx CPU (TypeScript)"),
  };
}

function gpujs(mode: GpujsMode, label: string): BackendChoice {
  const id = `gpujs-${mode}`;
  /** The mode gpu.js resolved to. */
  const resolved = (b: Backend): string => (b as Backend & { readonly mode?: string }).mode ?? mode;
  return {
    id,
    label: `gpu.js ${label}`,
    library: "gpu.js",
    mode,
    create: async () => {
      const { gpujsBackend } = await import("@raven-ts/backend-gpujs");
      return gpujsBackend({ mode, name: id });
    },
    describe: (b) => resolved(b),
    summary: (b) => (resolved(b) === mode ? `gpu.js ${label}` : `gpu.js ${label} (running as ${resolved(b)})`),
  };
}

export const BACKENDS: readonly BackendChoice[] = [nxCpu(true), nxCpu(false), gpujs("webgl2", "WebGL2"), gpujs("webgl", "WebGL"), gpujs("webasm", "WebAssembly")];

/** `backendChoice(id)` is the entry of {@link BACKENDS} with that id. @throws Error for an unknown id. */
export function backendChoice(id: string): BackendChoice {
  const choice = BACKENDS.find((b) => b.id === id);
  if (choice === undefined) throw new Error(`unknown backend ${JSON.stringify(id)}; the playground offers ${BACKENDS.map((b) => b.id).join(", ")}`);
  return choice;
}
