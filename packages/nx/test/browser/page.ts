// The page of test/browser.test.ts: nx's CPU backend in Chromium, checked against values computed
// here in float64. Served cross-origin isolated (shared memory, a Web Worker thread) or not
// (an unshared memory that detaches its views when it grows, no threads).
import { wasmRuntime } from "../../src/cpu/wasm/runtime.js";
import * as nx from "../../src/index.js";
import { seededUniform } from "../../src/testing/seeded.js";

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const next = seededUniform(seed);
  return Float32Array.from({ length: n }, () => 2 * next() - 1);
}

/** Largest |nx matmul - float64 product| / sqrt(k), for `[b, m, k] @ [k, n]` with `b` transposed in storage. */
function matmulError(batch: number, m: number, k: number, n: number): number {
  const a = values(batch * m * k, 1);
  const bt = values(n * k, 2);
  const got = nx.matmul(nx.tensor(a, { shape: [batch, m, k] }), nx.transpose(nx.tensor(bt, { shape: [n, k] }))).dataSync();
  let err = 0;
  for (let e = 0; e < batch; e++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += (a[(e * m + i) * k + t] as number) * (bt[j * k + t] as number);
        err = Math.max(err, Math.abs(s - (got[(e * m + i) * n + j] as number)));
      }
    }
  }
  return err / Math.sqrt(k);
}

(globalThis as { nxPage?: unknown }).nxPage = {
  async run() {
    const backend = nx.cpuBackend({ threads: 2 }) as nx.WasmCpuBackend;
    nx.setBackend(backend);
    const first = matmulError(4, 150, 130, 140);
    // Let the worker (if any) start, then run the threaded product again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const threaded = matmulError(4, 150, 130, 140);
    const small = nx.tensor([1, 2, 3]);
    const before = backend.reservedBytes;
    const big = nx.zeros([8, 1 << 20]);
    const grown = backend.reservedBytes > before;
    const expErr = Math.max(...Array.from(nx.exp(nx.tensor([-1, 0, 0.5, 10])).dataSync(), (v, i) => Math.abs(v / Math.exp([-1, 0, 0.5, 10][i] as number) - 1)));
    const after = Array.from(nx.mul(small, 2).dataSync());
    big.dispose();
    return {
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      simd: backend.simd,
      threads: backend.threads,
      workersReady: wasmRuntime()?.pool(2)?.ready ?? 0,
      matmulError: Math.max(first, threaded),
      grown,
      after,
      expErr,
      sum: nx.sum(nx.tensor(values(1000, 3))).item(),
      wantSum: values(1000, 3).reduce((s, v) => s + v, 0),
    };
  },
};
