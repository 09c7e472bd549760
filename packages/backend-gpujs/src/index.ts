/**
 * `@raven-ts/backend-gpujs`: the `@raven-ts/nx` Backend on gpu.js kernels.
 *
 * ```ts
 * import * as nx from "@raven-ts/nx";
 * import { gpujsBackend } from "@raven-ts/backend-gpujs";
 * nx.setBackend(gpujsBackend({ mode: "auto" }));
 * ```
 *
 * gpu.js computes in float32: `float32` is native; `int32`, `uint8` and
 * `bool` are stored as float32 and exact while |v| <= 2^24; `float64` is not
 * stored. Buffers hold at most 2^24 elements. The backend declares all of
 * this in `backend.capabilities`, and nx refuses what it excludes (an
 * `InvalidArgumentError` naming the op) before any kernel runs.
 */
export type { GpujsBackendOptions } from "./backend.js";
export { GpujsBackend, gpujsBackend } from "./backend.js";
export type { GpujsMode } from "./mode.js";
export { GPUJS_MODES, isModeAvailable, resolveMode } from "./mode.js";
export type { EngineMode } from "./gpu/engine.js";
export type { GpujsStats } from "./stats.js";
export { MAX_ELEMENTS } from "./gpu/limits.js";
