/**
 * Choosing the gpu.js mode: what each mode needs, what `auto` picks, and the
 * error when an explicit mode cannot run here.
 */
import { GPU } from "gpu.js";
import { InvalidArgumentError } from "@raven-ts/nx";
import type { EngineMode } from "./gpu/engine.js";

/** The modes `gpujsBackend` accepts: `auto` or one gpu.js mode. */
export type GpujsMode = "auto" | EngineMode;

/** Every mode name, for validation and docs. */
export const GPUJS_MODES: readonly GpujsMode[] = ["auto", "webgl2", "webgl", "headlessgl", "webasm", "cpu"];

/**
 * `isBrowser()` is true in a browser page (a DOM canvas) or a browser Web
 * Worker with `OffscreenCanvas`: the places where gpu.js draws its WebGL
 * kernels on a canvas. Node has neither.
 */
export function isBrowser(): boolean {
  const hasDom = typeof document !== "undefined" && typeof window !== "undefined";
  const scope = (globalThis as { WorkerGlobalScope?: abstract new () => unknown }).WorkerGlobalScope;
  const isWorker = typeof scope === "function" && globalThis instanceof scope;
  return hasDom || (isWorker && typeof OffscreenCanvas !== "undefined");
}

const AVAILABLE: Record<EngineMode, () => boolean> = {
  webgl2: () => isBrowser() && GPU.isWebGL2Supported,
  webgl: () => isBrowser() && GPU.isWebGLSupported,
  headlessgl: () => !isBrowser() && GPU.isHeadlessGLSupported,
  webasm: () => GPU.isWebAssemblySupported,
  cpu: () => true,
};

/** `isModeAvailable(mode)` is true when `mode` can run in this environment. */
export function isModeAvailable(mode: EngineMode): boolean {
  try {
    return AVAILABLE[mode]();
  } catch {
    return false;
  }
}

const WHY_NOT: Record<EngineMode, string> = {
  webgl2: "it needs a browser page or Web Worker (with OffscreenCanvas) with WebGL2",
  webgl: "it needs a browser page or Web Worker (with OffscreenCanvas) with WebGL",
  headlessgl: "it needs Node with the `gl` package built and a display (in CI: run under `xvfb-run -a`)",
  webasm: "it needs WebAssembly",
  cpu: "",
};

/**
 * `resolveMode(mode)` is the gpu.js mode to run: `mode` itself when it is
 * available; for `auto`, in a browser webgl2, then webgl, then webasm; in
 * Node headlessgl when a GL context can be created, else webasm; `cpu` last.
 * @throws InvalidArgumentError for an unknown mode, or an explicit mode that cannot run here (saying what it needs).
 */
export function resolveMode(mode: GpujsMode): EngineMode {
  if (!GPUJS_MODES.includes(mode)) {
    throw new InvalidArgumentError("gpujsBackend", `unknown mode ${JSON.stringify(mode)}; expected one of ${GPUJS_MODES.join(", ")}`);
  }
  if (mode !== "auto") {
    if (!isModeAvailable(mode)) throw new InvalidArgumentError("gpujsBackend", `mode "${mode}" is not available here: ${WHY_NOT[mode]}`);
    return mode;
  }
  const order: EngineMode[] = isBrowser() ? ["webgl2", "webgl", "webasm", "cpu"] : ["headlessgl", "webasm", "cpu"];
  return order.find(isModeAvailable) ?? "cpu";
}
