/**
 * The checks the headless-Chromium test runs inside the page, on the gpujs
 * backend in a WebGL mode: nx's conformance vectors, every random-stream
 * vector (bit-exact) and rune's gradient checks against the CPU backend's
 * float64 gradients (each as far as the backend's capabilities allow, as the
 * Node suites decide), PyTorch attention references (kaun-attention's
 * `multiHeadAttention`, forward and gradients), and the live-buffer count
 * after all of it.
 */
import * as nx from "@raven-ts/nx";
import type { Backend, FloatDType, Tensor } from "@raven-ts/nx";
import type { RandomCase, Tolerance, VectorCase } from "@raven-ts/nx/testing";
import { DEFAULT_TOLERANCES, RANDOM_VECTORS, VECTORS, seededUniform } from "@raven-ts/nx/testing";
import * as rune from "@raven-ts/rune";
import type { GoldenCase, GoldenTolerances } from "@raven-ts/kaun-attention/testing/golden";
import { checkMhaForward, checkMhaGradients, checkRopeCase } from "@raven-ts/kaun-attention/testing/golden";
import type { GradientCase } from "@raven-ts/rune/testing";
import { GRADIENT_CASES, caseDTypes as gradientDTypes } from "@raven-ts/rune/testing";
// `runCase` turns a vector case into public-API calls and compares; its
// subpath needs no test runner, so it bundles for the page as it is.
import { caseNeeds, randomCaseNeeds, runCase, runRandomCase, unmetNeeds } from "@raven-ts/nx/testing/runner";
import type { EngineMode } from "../../src/index.js";
import { gpujsBackend } from "../../src/index.js";


/** One check's outcome. */
export interface CheckResult {
  readonly id: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** What {@link runSuite} reports back to the Node test. */
export interface SuiteReport {
  readonly mode: string;
  readonly renderer: string;
  readonly results: readonly CheckResult[];
  readonly liveBuffers: number;
  readonly fallbacks: number;
  readonly kernelsCompiled: number;
  readonly millis: number;
}

/** Options of {@link runSuite}. */
export interface SuiteOptions {
  /** float32 tolerances replacing the defaults for the cases of some ops (the test says why). */
  readonly opTolerance: Readonly<Record<string, Tolerance>>;
  /** Tolerances of the random streams by kind (`uniform` with bounds, `normal`); exact otherwise. */
  readonly randomTolerance: Readonly<Record<string, Tolerance>>;
  /** Attention references to reproduce (`rope` outputs; MHA outputs and gradients of `sum(out * cotangent)`). */
  readonly golden: readonly GoldenCase[];
  /** Tolerances of the golden forward outputs and gradients. */
  readonly goldenTolerance: GoldenTolerances;
}

/** `pickVectors(backend)` is the conformance vectors the backend's capabilities allow. */
export function pickVectors(backend: Backend): VectorCase[] {
  return VECTORS.filter((c) => unmetNeeds(caseNeeds(c), backend.capabilities) === undefined);
}

function check(id: string, fn: () => void): CheckResult {
  try {
    nx.tidy(fn);
    return { id, ok: true };
  } catch (e) {
    return { id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function randomCheck(c: RandomCase, options: SuiteOptions): void {
  const kind = c.kind === "uniform" && c.minval !== undefined ? "uniform-bounded" : c.kind;
  runRandomCase(c, options.randomTolerance[kind] ?? { atol: 0, rtol: 0 });
}


/**
 * Rune's gradient of `sum(f(x) * c)` on the backend under test (float32)
 * against the same gradient on nx's CPU backend in float64; the largest
 * difference relative to the largest gradient must stay below 1e-3
 * (float32 rounding over a dozen ops, as rune's own float32 tolerance).
 */
function gradientCheck(c: GradientCase, backend: Backend): void {
  const rand = seededUniform(c.name.length * 7919);
  const values = c.inputs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = s.range ?? [-1, 1];
    return s.values ? [...s.values] : Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rand()));
  });
  const grads = (dtype: FloatDType): Float64Array[] => {
    const xs = values.map((v, i) => nx.tensor(v, { shape: (c.inputs[i] as GradientCase["inputs"][number]).shape, dtype }));
    const outSize = nx.tidy(() => c.f(xs, dtype).size);
    const cot = nx.tensor(Array.from({ length: outSize }, (_, i) => Math.sin(i + 1)), { dtype });
    const g = rune.grad((ys: Tensor[]) => nx.sum(nx.mul(nx.reshape(c.f(ys, dtype), [-1]), cot)))(xs);
    return g.map((t) => Float64Array.from(t.dataSync()));
  };
  const got = grads("float32");
  nx.setBackend("cpu");
  let want: Float64Array[];
  try {
    want = grads("float64");
  } finally {
    nx.setBackend(backend);
  }
  let err = 0;
  let scale = 0;
  want.forEach((w, i) => {
    const g = got[i] as Float64Array;
    w.forEach((v, j) => {
      err = Math.max(err, Math.abs(v - (g[j] as number)));
      scale = Math.max(scale, Math.abs(v));
    });
  });
  const rel = err / Math.max(scale, 1e-12);
  if (!(rel < 1e-3)) throw new Error(`${c.name}: relative gradient error ${rel.toExponential(2)} (max |diff| ${err.toExponential(2)})`);
}

/** `runSuite(mode, options)` runs every check on a new gpujs backend in `mode` and reports. */
export function runSuite(mode: EngineMode, options: SuiteOptions): SuiteReport {
  const t0 = performance.now();
  const backend = gpujsBackend({ mode });
  const previous = nx.getBackend();
  nx.setBackend(backend);
  const results: CheckResult[] = [];
  try {
    for (const c of pickVectors(backend)) {
      const loose = options.opTolerance[c.op];
      const tolerances = loose ? { ...DEFAULT_TOLERANCES, float32: loose } : DEFAULT_TOLERANCES;
      results.push(check(c.id, () => runCase(c, tolerances)));
    }
    for (const c of RANDOM_VECTORS) {
      if (unmetNeeds(randomCaseNeeds(c), backend.capabilities) === undefined) results.push(check(c.id, () => randomCheck(c, options)));
    }
    for (const c of GRADIENT_CASES) {
      if (unmetNeeds({ dtypes: gradientDTypes(c, "float32") }, backend.capabilities) === undefined) results.push(check(`grad.${c.name}`, () => gradientCheck(c, backend)));
    }
    for (const c of options.golden) {
      results.push(check(`golden.${c.name}`, () => {
        if (c.kind === "rope") return checkRopeCase(c, options.goldenTolerance.forward);
        checkMhaForward(c, options.goldenTolerance.forward);
        checkMhaGradients(c, options.goldenTolerance.grad);
      }));
    }
  } finally {
    nx.setBackend(previous);
  }
  const canvas = document.createElement("canvas");
  const gl = canvas.getContext("webgl2") ?? canvas.getContext("webgl");
  const info = gl?.getExtension("WEBGL_debug_renderer_info");
  const renderer = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "unknown";
  const stats = backend.stats();
  return {
    mode: backend.mode,
    renderer,
    results,
    liveBuffers: backend.memory().buffers,
    fallbacks: stats.fallbacks,
    kernelsCompiled: stats.kernelsCompiled,
    millis: performance.now() - t0,
  };
}
