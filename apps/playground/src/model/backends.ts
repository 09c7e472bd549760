/**
 * The compute backends the playground offers. The backend picker, the
 * trainer and the bench all read this one list: a new backend (such as a
 * WebAssembly-SIMD CPU path of nx) is one more entry here.
 */
import * as nx from "@raven-ts/nx";
import type { Backend } from "@raven-ts/nx";

/** One selectable backend. */
export interface BackendChoice {
  /** The picker's value and the backend's registry name. */
  readonly id: string;
  /** What the picker shows. */
  readonly label: string;
  /** The library behind it (the bench names it). */
  readonly library: string;
  /** How it computes (the bench names it). */
  readonly mode: string;
  /**
   * Builds the backend (the gpu.js module is loaded on demand).
   * @throws InvalidArgumentError when this device lacks what it needs (the message says what).
   */
  readonly create: () => Promise<Backend>;
}

type GpujsMode = "webgl2" | "webgl" | "webasm";

function gpujs(mode: GpujsMode, label: string): BackendChoice {
  const id = `gpujs-${mode}`;
  return {
    id,
    label: `gpu.js ${label}`,
    library: "gpu.js",
    mode,
    create: async () => {
      const { gpujsBackend } = await import("@raven-ts/backend-gpujs");
      return gpujsBackend({ mode, name: id });
    },
  };
}

export const BACKENDS: readonly BackendChoice[] = [
  // The engine's own default instance, so tensors made before a switch stay on the same backend.
  { id: "cpu", label: "nx CPU", library: "nx", mode: "TypeScript kernels", create: async () => nx.setBackend("cpu") },
  gpujs("webgl2", "WebGL2"),
  gpujs("webgl", "WebGL"),
  gpujs("webasm", "WebAssembly"),
];

/** `backendChoice(id)` is the entry of {@link BACKENDS} with that id. @throws Error for an unknown id. */
export function backendChoice(id: string): BackendChoice {
  const choice = BACKENDS.find((b) => b.id === id);
  if (choice === undefined) throw new Error(`unknown backend ${JSON.stringify(id)}; the playground offers ${BACKENDS.map((b) => b.id).join(", ")}`);
  return choice;
}
