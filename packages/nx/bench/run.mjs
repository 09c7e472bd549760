// Benchmark: @raven-ts/nx (CPU backend) against TensorFlow.js (tfjs-core with
// the cpu and wasm backends), timed interleaved in one process.
//
//   pnpm --filter @raven-ts/nx build && pnpm --filter @raven-ts/nx bench
//   node --expose-gc bench/run.mjs [--peers-only] [--quick] [--only matmul] [--markdown]
//
// Every competitor gets the same float32 inputs (seeded), its result is
// checked against tfjs-cpu's once before timing, and every timed call reads
// its result back (dataSync) and disposes what it created, on both sides.
// See BENCHMARKS.md for the recorded figures.

import { compare, formatMs, formatTable, loadTfjs, machineLine, parseBenchArgs, resultsOnce, seededNormal, selectCases } from "@raven-ts/bench";
import * as tf from "@tensorflow/tfjs-core";

const USAGE = `usage: node --expose-gc bench/run.mjs [options]

  --peers-only   time the tfjs peers only (nx need not be built)
  --ts           also time nx's pure-TypeScript kernels (cpuBackend({ simd: false }))
  --tfjs-cpu     also time tfjs-cpu (slow on the large cases)
  --quick        few repetitions: a smoke test, not figures to record
  --only <text>  only cases whose label contains <text> (repeatable)
  --markdown     also print the results as a markdown table (for BENCHMARKS.md)
  --help         this text`;

const args = parseBenchArgs(USAGE, {
  "peers-only": { type: "boolean", default: false },
  ts: { type: "boolean", default: false },
  "tfjs-cpu": { type: "boolean", default: false },
});

// ---------------------------------------------------------------------------
// nx, from the package's own build

/** @type {any} */
let nx;
if (!args["peers-only"]) {
  const distUrl = new URL("../dist/index.js", import.meta.url);
  try {
    nx = await import(distUrl.href);
  } catch (err) {
    const e = /** @type {{ code?: string, message?: string }} */ (err);
    if (e.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist")) {
      console.error(
        "nx is not built (packages/nx/dist/index.js is missing).\n" +
          "Run `pnpm --filter @raven-ts/nx build` first, or pass --peers-only to time the tfjs peers alone.",
      );
    } else {
      console.error("importing packages/nx/dist/index.js failed:", err);
    }
    process.exit(1);
  }
  const needed = ["tensor", "matmul", "transpose", "div", "softmax", "tidy", "memory", "setBackend"];
  const missing = needed.filter((name) => typeof nx[name] !== "function");
  if (missing.length > 0) {
    console.error(`the nx build does not export ${missing.join(", ")}; rebuild nx (pnpm --filter @raven-ts/nx build)`);
    process.exit(1);
  }
  nx.setBackend("cpu");
}

/**
 * nx's competitors: the CPU backend's WebAssembly kernels on one thread and
 * on two, and (with --ts) its pure-TypeScript kernels.
 * @type {{ name: string, backend: any }[]}
 */
const nxBackends = nx
  ? [
      { name: "nx", backend: nx.cpuBackend({ threads: 1 }) },
      { name: "nx 2 threads", backend: nx.cpuBackend({ threads: 2 }) },
      ...(args.ts ? [{ name: "nx-ts", backend: nx.cpuBackend({ simd: false }) }] : []),
    ]
  : [];

// ---------------------------------------------------------------------------
// tfjs: cpu and wasm backends, wasm loaded from the local package (offline),
// production mode, cpu selected (the shared helper of @raven-ts/bench)

const peers = await loadTfjs({ from: import.meta.url }).catch((err) => {
  console.error(err);
  process.exit(1);
});
const useTf = peers.use;

// ---------------------------------------------------------------------------
// cases

/**
 * @typedef {object} Case
 * @property {string} label
 * @property {{ name: string, shape: number[] }[]} inputs
 * @property {(nx: any, xs: any[]) => any} nx      returns a tensor (intermediates disposed)
 * @property {(xs: tf.Tensor[]) => tf.Tensor} tf    returns a tensor (intermediates disposed)
 * @property {number} warmup
 * @property {number} runs
 * @property {boolean} [random] the results are random draws (from different generators), so they are not compared
 */

/**
 * float32 `[n, n]` products in one layout: `A·B`, `A·Bᵀ` or `Aᵀ·B` (the
 * transposed operand is stored transposed: nx takes a transposed view, tfjs
 * its `transposeA`/`transposeB` flags).
 *
 * @param {number} n @param {"A·B" | "A·Bᵀ" | "Aᵀ·B"} layout @param {number} warmup @param {number} runs @returns {Case}
 */
function matmulCase(n, layout, warmup, runs) {
  const ta = layout === "Aᵀ·B";
  const tb = layout === "A·Bᵀ";
  return {
    label: `matmul ${n} ${layout}`,
    inputs: [
      { name: "a", shape: [n, n] },
      { name: "b", shape: [n, n] },
    ],
    nx: (nx, [a, b]) => nx.tidy(() => nx.matmul(ta ? nx.transpose(a) : a, tb ? nx.transpose(b) : b)),
    tf: ([a, b]) => tf.matMul(/** @type {tf.Tensor2D} */ (a), /** @type {tf.Tensor2D} */ (b), ta, tb),
    warmup,
    runs,
  };
}

/** @type {("A·B" | "A·Bᵀ" | "Aᵀ·B")[]} */
const LAYOUTS = ["A·B", "A·Bᵀ", "Aᵀ·B"];

const B = 4;
const H = 8;
const T = 128;
const D = 32;

/** @type {Case} */
const attentionCase = {
  label: `attention core [${B},${H},${T},${D}]`,
  inputs: [
    { name: "q", shape: [B, H, T, D] },
    { name: "k", shape: [B, H, T, D] },
    { name: "v", shape: [B, H, T, D] },
  ],
  // softmax(q kᵀ / √d) v
  nx: (nx, [q, k, v]) =>
    nx.tidy(() => {
      const scores = nx.div(nx.matmul(q, nx.transpose(k, [0, 1, 3, 2])), Math.sqrt(D));
      return nx.matmul(nx.softmax(scores, { axes: [-1] }), v);
    }),
  // tfjs's idiomatic form: matMul with transposeB rather than a materialised transpose.
  tf: ([q, k, v]) =>
    tf.tidy(() => {
      const scores = tf.div(tf.matMul(/** @type {tf.Tensor4D} */ (q), /** @type {tf.Tensor4D} */ (k), false, true), Math.sqrt(D));
      return tf.matMul(tf.softmax(scores), /** @type {tf.Tensor4D} */ (v));
    }),
  warmup: 3,
  runs: 15,
};

/**
 * Decoding-time sampling over a vocabulary: the `k` largest logits of each row
 * of `[batch, vocab]` (values read back; `k = vocab` is a full descending
 * sort, as top-p needs), against tfjs's `topk`.
 *
 * @param {number} batch @param {number} vocab @param {number} k @returns {Case}
 */
function topkCase(batch, vocab, k) {
  return {
    label: `topk ${k === vocab ? "all" : k} [${batch},${vocab}]`,
    inputs: [{ name: "logits", shape: [batch, vocab] }],
    nx: (nx, [x]) => {
      const [values, indices] = nx.topk(x, k);
      indices.dispose();
      return values;
    },
    tf: ([x]) => {
      const { values, indices } = tf.topk(x, k);
      indices.dispose();
      return values;
    },
    warmup: 3,
    runs: 15,
  };
}

/** @type {Case} */
const categoricalCase = {
  label: "categorical [8,32000]",
  inputs: [{ name: "logits", shape: [8, 32000] }],
  nx: (nx, [x]) => nx.random.categorical(nx.random.key(7), x),
  tf: ([x]) => tf.multinomial(/** @type {tf.Tensor2D} */ (x), 1, 7),
  warmup: 3,
  runs: 15,
  random: true,
};

/** @type {Case[]} */
let cases = [
  matmulCase(128, "A·B", 10, 40),
  matmulCase(256, "A·B", 5, 25),
  ...LAYOUTS.map((layout) => matmulCase(512, layout, 3, 15)),
  ...LAYOUTS.map((layout) => matmulCase(1024, layout, 2, 7)),
  attentionCase,
  topkCase(8, 32000, 50),
  topkCase(1, 50257, 50),
  topkCase(8, 32000, 32000),
  categoricalCase,
];
cases = selectCases(cases, args.only);
if (args.quick) cases = cases.map((c) => ({ ...c, warmup: 1, runs: Math.min(c.runs, 3) }));

// ---------------------------------------------------------------------------
// competitors

/**
 * The tfjs competitor on `backend`; its inputs are created while that backend
 * is active so no timed call moves data between backends.
 *
 * @param {Case} c @param {Float32Array[]} data @param {"cpu" | "wasm"} backend
 */
function tfCompetitor(c, data, backend) {
  /** @type {tf.Tensor[]} */
  let xs = [];
  return {
    name: `tfjs-${backend}`,
    activate: () => useTf(backend),
    setup: () => {
      xs = c.inputs.map((inp, i) => tf.tensor(/** @type {Float32Array} */ (data[i]), inp.shape, "float32"));
    },
    fn: () => {
      const out = c.tf(xs);
      out.dataSync();
      out.dispose();
    },
    teardown: () => tf.dispose(xs),
    /** Untimed: the result, for the correctness check. */
    result: () => {
      const out = c.tf(xs);
      const values = /** @type {Float32Array} */ (out.dataSync().slice());
      out.dispose();
      return values;
    },
  };
}

/**
 * An nx competitor on `backend`; its inputs live there. Setup runs the case
 * once and waits a moment, so a threaded backend's workers (started by the
 * first large product) are ready before timing.
 *
 * @param {Case} c @param {Float32Array[]} data @param {{ name: string, backend: any }} which
 */
function nxCompetitor(c, data, which) {
  /** @type {any[]} */
  let xs = [];
  return {
    name: which.name,
    activate: () => nx.setBackend(which.backend),
    setup: async () => {
      xs = c.inputs.map((inp, i) => nx.tensor(data[i], { shape: inp.shape, dtype: "float32" }));
      c.nx(nx, xs).dispose();
      await new Promise((resolve) => setTimeout(resolve, 100));
    },
    fn: () => {
      const out = c.nx(nx, xs);
      out.dataSync();
      out.dispose();
    },
    teardown: () => {
      for (const x of xs) x.dispose();
    },
    result: () => {
      const out = c.nx(nx, xs);
      const values = Float32Array.from(out.dataSync());
      out.dispose();
      return values;
    },
  };
}

/** max |a - b| / max(1, max |b|) */
function relMaxDiff(/** @type {Float32Array} */ a, /** @type {Float32Array} */ b) {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    const x = /** @type {number} */ (a[i]);
    const y = /** @type {number} */ (b[i]);
    diff = Math.max(diff, Math.abs(x - y));
    scale = Math.max(scale, Math.abs(y));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}

const liveCounts = () => ({ tf: tf.memory().numTensors, nx: nx ? nx.memory().numTensors : 0 });

// ---------------------------------------------------------------------------
// run

console.log(`@raven-ts/nx benchmark${args.quick ? " (--quick: smoke test, do not record)" : ""}`);
console.log(`machine: ${machineLine()}`);
console.log(
  `peers: ${peers.description}${nx ? "" : "; nx skipped (--peers-only)"}`,
);
for (const which of nxBackends) console.log(`${which.name}: cpu backend, ${which.backend.simd ? "WebAssembly SIMD kernels" : "pure-TypeScript kernels"}, ${which.backend.threads} thread(s)`);
if (typeof (/** @type {{ gc?: unknown }} */ (globalThis).gc) !== "function") {
  console.log("note: run with node --expose-gc for a full GC before each case");
}
console.log("timings: median ms per call (p10–p90), inputs resident, result read back with dataSync\n");

/** @type {import("@raven-ts/bench").TableRow[]} */
const rows = [];
for (const c of cases) {
  const data = c.inputs.map((inp, i) => seededNormal(inp.shape.reduce((p, d) => p * d, 1), 1000 * rows.length + i));
  const competitors = [...nxBackends.map((which) => nxCompetitor(c, data, which)), ...(args["tfjs-cpu"] ? [tfCompetitor(c, data, "cpu")] : []), tfCompetitor(c, data, "wasm")];

  const before = liveCounts();
  // Correctness first: every competitor's result against the reference (tfjs-cpu's when it runs, else tfjs-wasm's).
  const referenceName = args["tfjs-cpu"] ? "tfjs-cpu" : "tfjs-wasm";
  const checkOrder = [...competitors.filter((x) => x.name === referenceName), ...competitors.filter((x) => x.name !== referenceName)];
  const [reference, ...others] = await resultsOnce(checkOrder, (comp) => comp.result());
  for (const [k, values] of c.random ? [] : others.entries()) {
    const comp = /** @type {(typeof checkOrder)[number]} */ (checkOrder[k + 1]);
    const err = relMaxDiff(values, /** @type {Float32Array} */ (reference));
    if (!(err <= 1e-3)) {
      console.error(`${c.label}: ${comp.name} disagrees with ${referenceName} (max relative difference ${err})`);
      process.exit(1);
    }
  }

  const results = await compare(competitors, { warmup: c.warmup, runs: c.runs });
  rows.push({ label: c.label, results });
  const after = liveCounts();
  if (after.tf !== before.tf || after.nx !== before.nx) {
    console.warn(`warning: ${c.label} leaked tensors (tfjs ${before.tf} → ${after.tf}, nx ${before.nx} → ${after.nx})`);
  }
  console.log(`${c.label}: ${results.map((m) => `${m.name} ${formatMs(m.median)} ms`).join(" · ")}`);
}

const ratios = /** @type {[string, string][]} */ ([
  ...nxBackends.map((which) => [which.name, "tfjs-wasm"]),
  ...(args["tfjs-cpu"] ? (nx ? [["nx", "tfjs-cpu"]] : [["tfjs-wasm", "tfjs-cpu"]]) : []),
]);
console.log(`\n${formatTable(rows, { ratios })}`);
if (args.markdown) {
  console.log(`\n${formatTable(rows, { ratios, markdown: true })}`);
}
