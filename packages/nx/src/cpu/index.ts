/**
 * nx's CPU backend, the default: WebAssembly SIMD kernels where the engine
 * has them, the pure-TypeScript kernels (the reference) otherwise.
 */
export { CpuBackend } from "./backend.js";
export { WasmCpuBackend } from "./wasm/backend.js";
export { cpuBackend } from "./factory.js";
export type { CpuBackendOptions } from "./factory.js";
