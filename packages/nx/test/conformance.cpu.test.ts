// The backend conformance suite (`@raven-ts/nx/testing`) run on the CPU backend's two paths:
// the WebAssembly SIMD kernels (the default, here with two threads) and the pure-TypeScript kernels.
import { describe, expect, it } from "vitest";
import { createWasmRuntime } from "../src/cpu/wasm/runtime.js";
import { cpuBackend, WasmCpuBackend } from "../src/index.js";
import { describeBackendConformance } from "../src/testing/index.js";

describe("cpu backend paths", () => {
  it("the default runs the WebAssembly SIMD kernels (Node 20 has WebAssembly SIMD)", () => {
    expect((cpuBackend() as { simd?: boolean }).simd).toBe(true);
  });
  it("simd: false selects the pure-TypeScript kernels", () => {
    expect((cpuBackend({ simd: false }) as { simd?: boolean }).simd).toBe(false);
  });
});

describeBackendConformance("cpu (wasm simd, 2 threads)", () => cpuBackend({ threads: 2 }));
describeBackendConformance("cpu (typescript)", () => cpuBackend({ simd: false }));

// An unshared WebAssembly memory (a page that is not cross-origin isolated): growing it detaches
// every view, so buffers are re-viewed after each growth; no threads there.
describeBackendConformance("cpu (wasm simd, unshared memory)", () => new WasmCpuBackend(createWasmRuntime({ shared: false }), 2));
