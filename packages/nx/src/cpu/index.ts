/**
 * The pure-TypeScript CPU backend, nx's default and reference backend.
 */
export { CpuBackend, cpuBackend } from "./backend.js";
