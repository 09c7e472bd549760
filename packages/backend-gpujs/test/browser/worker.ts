/**
 * Entry of the Web Worker bundle of the browser test: in a worker (no DOM;
 * gpu.js draws on an OffscreenCanvas) it builds the backend in each WebGL
 * mode, multiplies two small matrices and posts back what it got.
 */
import * as nx from "@raven-ts/nx";
import type { GpujsMode } from "../../src/index.js";
import { gpujsBackend } from "../../src/index.js";

/** What the worker reports per requested mode. */
export interface WorkerModeReport {
  readonly requested: GpujsMode;
  readonly mode?: string;
  readonly values?: number[];
  readonly fallbacks?: number;
  readonly error?: string;
}

const reports: WorkerModeReport[] = [];
for (const requested of ["auto", "webgl2", "webgl"] as const) {
  try {
    const backend = gpujsBackend({ mode: requested, name: `gpujs-${requested}` });
    nx.setBackend(backend);
    // [[1,2,3],[4,5,6]] @ [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
    const y = nx.matmul(nx.tensor([[1, 2, 3], [4, 5, 6]]), nx.tensor([[1, 0], [0, 1], [1, 1]]));
    reports.push({ requested, mode: backend.mode, values: Array.from(y.dataSync()), fallbacks: backend.stats().fallbacks });
  } catch (e) {
    reports.push({ requested, error: e instanceof Error ? e.message : String(e) });
  }
}
postMessage(reports);
