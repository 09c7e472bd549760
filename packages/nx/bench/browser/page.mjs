// The Chromium benchmark page: nx's CPU backend (WebAssembly SIMD kernels,
// one thread and two) and @tensorflow/tfjs-backend-wasm (SIMD, one thread)
// on the same page. bench/browser.mjs serves it cross-origin isolated, so
// nx's second thread is a Web Worker on shared memory; the timing loop runs
// in the page (round-robin), Node only collects the samples.
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as nx from "../../src/index.ts";
import { seededUniform } from "../../src/testing/seeded.ts";

/** `n` deterministic float32 values in [-1, 1). */
function seeded(n, seed) {
  const next = seededUniform(seed);
  return Float32Array.from({ length: n }, () => 2 * next() - 1);
}

const backends = { nx: nx.cpuBackend({ threads: 1 }), "nx 2 threads": nx.cpuBackend({ threads: 2 }) };
let inputs = null;

globalThis.nxBench = {
  /** Loads tfjs-wasm (one thread) and makes the `[n, n]` inputs on every side. */
  async setup(n) {
    setWasmPaths("/tfjs-wasm/");
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    await tf.setBackend("wasm");
    await tf.ready();
    const a = seeded(n * n, 1);
    const b = seeded(n * n, 2);
    inputs = { tf: [tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])] };
    for (const [name, backend] of Object.entries(backends)) {
      nx.setBackend(backend);
      inputs[name] = [nx.tensor(a, { shape: [n, n] }), nx.tensor(b, { shape: [n, n] })];
      nx.matmul(...inputs[name]).dispose();
    }
    // Let the second thread's worker start before timing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return {
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      simd: backends.nx.simd,
      threads: backends["nx 2 threads"].threads,
      tfjs: `${tf.getBackend()} simd=${await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")} threads=${await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")}`,
    };
  },
  /** `rounds` interleaved samples (ms) per side of one product read back with dataSync. */
  run(rounds) {
    const sides = ["nx", "nx 2 threads", "tfjs-wasm"];
    const samples = Object.fromEntries(sides.map((s) => [s, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < sides.length; i++) {
        const side = sides[(r + i) % sides.length];
        const t = performance.now();
        if (side === "tfjs-wasm") {
          const out = tf.matMul(inputs.tf[0], inputs.tf[1]);
          out.dataSync();
          out.dispose();
        } else {
          nx.setBackend(backends[side]);
          const out = nx.matmul(...inputs[side]);
          out.dataSync();
          out.dispose();
        }
        samples[side].push(performance.now() - t);
      }
    }
    return samples;
  },
  /** Largest |nx - tfjs| of the products. */
  check() {
    const want = tf.matMul(inputs.tf[0], inputs.tf[1]);
    const y = want.dataSync();
    let m = 0;
    for (const side of Object.keys(backends)) {
      nx.setBackend(backends[side]);
      const got = nx.matmul(...inputs[side]);
      const x = got.dataSync();
      for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
      got.dispose();
    }
    want.dispose();
    return m;
  },
};
