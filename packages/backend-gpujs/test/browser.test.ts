// The gpujs backend in headless Chromium (Debian's chromium, driven by
// playwright-core), in `webgl2` and `webgl` modes. Both run on SwiftShader
// here (no GPU). The page runs nx's conformance vectors, the random-stream
// vectors, rune's gradient checks and kaun-attention's golden cases
// (test/browser/suite.ts) and reports back; each failure is listed by id.
// In `webasm` mode the page trains a small decoderLM (test/browser/training.ts):
// Chromium lets a renderer hold only about 125 WebAssembly memories.
import { fileURLToPath } from "node:url";
import { GOLDEN_TOLERANCES, loadGoldenCases } from "@raven-ts/kaun-attention/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- plain JS helper shared with the benchmarks
import { browserTestsRun, bundle, openPage } from "../scripts/chromium.mjs";
import * as nx from "@raven-ts/nx";
import type { SuiteOptions, SuiteReport } from "./browser/suite.js";
import type { TrainingReport } from "./browser/training.js";
import type { WorkerModeReport } from "./browser/worker.js";
import { trainSmallDecoder } from "./support/decoder.js";

interface Page {
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
}

/**
 * Options of the in-page suite, with the tolerances that differ from the CPU
 * backend's and why (what runs at all follows from the backend's
 * capabilities, as in the Node runs):
 * - SwiftShader's `sin`/`cos`/`tan` are accurate to about 5e-5 absolute
 *   (nx's default float32 tolerance is atol 1e-6, rtol 1e-5): 2e-4.
 * - `normal` draws go through `log` and `cos`: 1e-3 relative for the same reason.
 * - `uniform` with bounds is `minval + u * (maxval - minval)`; SwiftShader
 *   fuses the multiply-add, so results may differ by 1 ulp: 1e-6.
 *   (Unbounded `uniform` and `bernoulli` stay bit-exact.)
 */
/** Every attention reference of the fixture: RoPE outputs, MHA outputs and gradients. */
const GOLDEN = loadGoldenCases();

const OPTIONS: SuiteOptions = {
  opTolerance: {
    sin: { atol: 2e-4, rtol: 2e-4 },
    cos: { atol: 2e-4, rtol: 2e-4 },
    tan: { atol: 2e-4, rtol: 2e-4 },
  },
  // The golden cases use kaun-attention's own float32 tolerances against PyTorch float64.
  golden: GOLDEN,
  goldenTolerance: GOLDEN_TOLERANCES,
  randomTolerance: {
    normal: { atol: 1e-4, rtol: 1e-3 },
    "uniform-bounded": { atol: 1e-6, rtol: 1e-6 },
  },
};

const available = browserTestsRun();

describe.skipIf(!available)("gpujs in headless Chromium (SwiftShader)", () => {
  let page: Page;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const script = await bundle(fileURLToPath(new URL("./browser/page.ts", import.meta.url)));
    ({ page, close } = await openPage(script));
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  for (const mode of ["webgl2", "webgl"] as const) {
    it(`${mode}: conformance vectors, random streams, gradient checks and attention golden cases pass`, async () => {
      const report: SuiteReport = await page.evaluate(
        ([m, o]) => (globalThis as unknown as { gpujsSuite: { runSuite: (m: string, o: SuiteOptions) => SuiteReport } }).gpujsSuite.runSuite(m, o),
        [mode, OPTIONS] as const,
      );
      const failed = report.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.error ?? ""}`);
      expect(report.mode).toBe(mode);
      expect(report.results.length).toBeGreaterThan(100);
      expect(failed).toEqual([]);
      expect(report.fallbacks).toBe(0);
      expect(report.liveBuffers).toBe(0);
    }, 600_000);
  }

  it("webasm: trains a small decoderLM (about 180 kernels) with the CPU backend's losses in one WebAssembly memory", async () => {
    const steps = 4;
    const previous = nx.getBackend();
    nx.setBackend(nx.cpuBackend());
    let want: number[];
    try {
      want = trainSmallDecoder(steps);
    } finally {
      nx.setBackend(previous);
    }
    const report: TrainingReport = await page.evaluate(
      (n) => (globalThis as unknown as { gpujsSuite: { trainDecoder: (n: number) => TrainingReport } }).gpujsSuite.trainDecoder(n),
      steps,
    );
    expect(report.error).toBeUndefined();
    expect(report.mode).toBe("webasm");
    // More kernels than Chromium has WebAssembly memories: each kernel with its own would fail.
    expect(report.kernelsCompiled).toBeGreaterThan(125);
    expect(report.memoriesCreated).toBe(1);
    expect(report.fallbacks).toBe(0);
    expect(report.liveBuffers).toBe(0);
    expect(report.losses).toHaveLength(steps);
    report.losses.forEach((l, i) => expect(Math.abs(l - (want[i] as number))).toBeLessThan(1e-4 * Math.abs(want[i] as number) + 1e-5));
  }, 120_000);

  it("runs in a Web Worker (OffscreenCanvas): auto picks webgl2, and webgl2 and webgl compute", async () => {
    const workerScript: string = await bundle(fileURLToPath(new URL("./browser/worker.ts", import.meta.url)));
    const reports: WorkerModeReport[] = await page.evaluate(
      (source) =>
        new Promise<WorkerModeReport[]>((resolve, reject) => {
          const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
          worker.onmessage = (e: MessageEvent) => {
            worker.terminate();
            resolve(e.data as WorkerModeReport[]);
          };
          worker.onerror = (e) => reject(new Error(e.message));
        }),
      workerScript,
    );
    expect(reports).toEqual([
      { requested: "auto", mode: "webgl2", values: [4, 5, 10, 11], fallbacks: 0 },
      { requested: "webgl2", mode: "webgl2", values: [4, 5, 10, 11], fallbacks: 0 },
      { requested: "webgl", mode: "webgl", values: [4, 5, 10, 11], fallbacks: 0 },
    ]);
  }, 120_000);
});
