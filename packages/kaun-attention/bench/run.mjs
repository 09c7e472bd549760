// Benchmark: @raven-ts/kaun-attention's multiHeadAttention (on nx's CPU
// backend, gradients through @raven-ts/rune) against the same layer composed
// from TensorFlow.js ops on tfjs-cpu and tfjs-wasm, timed interleaved in one
// process.
//
//   pnpm turbo run build --filter=@raven-ts/kaun-attention... && pnpm --filter @raven-ts/kaun-attention bench
//   node --expose-gc bench/run.mjs [--quick] [--only <text>] [--markdown]
//
// Every competitor gets the same float32 weights and inputs (seeded); before
// timing, each tfjs result is checked against ours (max abs difference
// < 1e-3). Every timed call reads its results back (dataSync) and disposes
// what it created, on both sides (nx.tidy / nx.dispose, tf.tidy).
// See BENCHMARKS.md for the recorded figures.

import os from "node:os";

import { compare, formatMs, formatTable, loadTfjs, machineLine, maxAbsDiff, parseBenchArgs, resultsOnce, seededNormal, selectCases } from "@raven-ts/bench";
import * as tf from "@tensorflow/tfjs-core";

const USAGE = `usage: node --expose-gc bench/run.mjs [options]

  --ts           also time ours on nx's pure-TypeScript kernels (cpuBackend({ simd: false }))
  --tfjs-cpu     also time the tfjs-cpu peer (slow)
  --quick        few repetitions: a smoke test, not figures to record
  --only <text>  only cases whose label contains <text> (repeatable)
  --markdown     also print the results as a markdown table (for BENCHMARKS.md)
  --help         this text`;

const args = parseBenchArgs(USAGE, {
  ts: { type: "boolean", default: false },
  "tfjs-cpu": { type: "boolean", default: false },
});

// ---------------------------------------------------------------------------
// ours, from the built dists

/** @type {any} */
let nx;
/** @type {any} */
let rune;
/** @type {any} */
let attention;
try {
  nx = await import("@raven-ts/nx");
  rune = await import("@raven-ts/rune");
  attention = await import(new URL("../dist/index.js", import.meta.url).href);
} catch (err) {
  console.error(
    "importing the built packages failed; build them first:\n" +
      "  cd ../.. && pnpm turbo run build --filter=@raven-ts/kaun-attention...\n",
    err,
  );
  process.exit(1);
}
nx.setBackend("cpu");

/**
 * Our competitors: nx's CPU backend with its WebAssembly kernels on one
 * thread and on two, and (with --ts) its pure-TypeScript kernels.
 * @type {{ name: string, backend: any }[]}
 */
const oursBackends = [
  { name: "ours", backend: nx.cpuBackend({ threads: 1 }) },
  { name: "ours 2 threads", backend: nx.cpuBackend({ threads: 2 }) },
  ...(args.ts ? [{ name: "ours-ts", backend: nx.cpuBackend({ simd: false }) }] : []),
];

// ---------------------------------------------------------------------------
// shapes and data

const B = 4; // batch
const T = 128; // sequence length (forward cases); the decode step's cache holds T - 1
const E = 256; // embedDim
const H = 8; // query heads
const HD = E / H; // headDim
const THETA = 10000;
const TOL = 1e-3;

/**
 * Host data shared by every competitor: input, cotangent, decode prompt and
 * new token, and the weights of one configuration (Glorot-like scale).
 *
 * @param {number} kv
 */
function hostData(kv) {
  const w = (/** @type {number} */ rows, /** @type {number} */ cols, /** @type {number} */ seed) =>
    seededNormal(rows * cols, seed).map((v) => v / Math.sqrt(rows));
  return {
    x: seededNormal(B * T * E, 1),
    r: seededNormal(B * T * E, 2),
    prompt: seededNormal(B * (T - 1) * E, 3),
    token: seededNormal(B * E, 4),
    q_proj: w(E, H * HD, 10),
    k_proj: w(E, kv * HD, 11 + 10 * kv),
    v_proj: w(E, kv * HD, 12 + 10 * kv),
    out_proj: w(H * HD, E, 13),
  };
}

/**
 * The `[len, HD]` RoPE tables of positions `offset .. offset + len - 1`
 * (rotate-half: each frequency in both halves), computed in float64 by
 * kaun-attention's `ropeTables` and handed to tfjs as float32 constants, as a
 * tfjs model would precompute them.
 *
 * @param {number} len @param {number} offset
 */
function ropeTables(len, offset) {
  const { cos, sin } = attention.ropeTables(len, HD, { theta: THETA, offset });
  return { cos: Float32Array.from(cos), sin: Float32Array.from(sin) };
}

// ---------------------------------------------------------------------------
// the tfjs peer: the same layer composed from tfjs ops

/**
 * @typedef {object} TfWeights
 * @property {tf.Tensor2D} q @property {tf.Tensor2D} k @property {tf.Tensor2D} v @property {tf.Tensor2D} o
 */
/** @typedef {{ cos: tf.Tensor, sin: tf.Tensor }} TfRope */

/**
 * Rotate-half RoPE on `x` `[b, heads, t, HD]` with `[t, HD]` tables.
 *
 * @param {tf.Tensor} x @param {TfRope} tables
 */
function tfRope(x, tables) {
  const [first, second] = tf.split(x, 2, -1);
  const rotated = tf.concat([tf.neg(/** @type {tf.Tensor} */ (second)), /** @type {tf.Tensor} */ (first)], -1);
  return tf.add(tf.mul(x, tables.cos), tf.mul(rotated, tables.sin));
}

/**
 * The key and value heads `[b, kv, t, HD]` of `x` (keys RoPE-rotated).
 *
 * @param {number} kv @param {TfWeights} w @param {tf.Tensor} x @param {TfRope | undefined} rope
 */
function tfKeysValues(kv, w, x, rope) {
  const [b, t] = /** @type {[number, number, number]} */ (x.shape);
  const x2 = tf.reshape(x, [b * t, E]);
  let k = tf.transpose(tf.reshape(tf.matMul(x2, w.k), [b, t, kv, HD]), [0, 2, 1, 3]);
  const v = tf.transpose(tf.reshape(tf.matMul(x2, w.v), [b, t, kv, HD]), [0, 2, 1, 3]);
  if (rope) k = tfRope(k, rope);
  return { k, v };
}

/**
 * Multi-head self-attention of `x` `[b, t, E]` (no mask: the forward cases
 * are not causal, and a decode step's single query sees every cached key).
 * With `cache`, the new keys and values are appended to the cached ones.
 * GQA folds the `G` query heads of each key/value head into the query axis
 * (`[b, kv, G·t, HD]`), so one batched matMul per kv head serves its group
 * without copying keys and values.
 *
 * @param {number} kv @param {TfWeights} w @param {tf.Tensor} x
 * @param {TfRope | undefined} rope @param {{ k: tf.Tensor, v: tf.Tensor } | undefined} [cache]
 */
function tfAttention(kv, w, x, rope, cache) {
  const [b, t] = /** @type {[number, number, number]} */ (x.shape);
  const g = H / kv;
  const x2 = tf.reshape(x, [b * t, E]);
  let q = tf.transpose(tf.reshape(tf.matMul(x2, w.q), [b, t, H, HD]), [0, 2, 1, 3]);
  if (rope) q = tfRope(q, rope);
  let { k, v } = tfKeysValues(kv, w, x, rope);
  if (cache) {
    k = tf.concat([cache.k, k], 2);
    v = tf.concat([cache.v, v], 2);
  }
  const qg = /** @type {tf.Tensor4D} */ (tf.reshape(q, [b, kv, g * t, HD]));
  const scores = tf.mul(tf.matMul(qg, /** @type {tf.Tensor4D} */ (k), false, true), 1 / Math.sqrt(HD));
  const heads = tf.matMul(/** @type {tf.Tensor4D} */ (tf.softmax(scores)), /** @type {tf.Tensor4D} */ (v));
  const merged = tf.reshape(tf.transpose(tf.reshape(heads, [b, H, t, HD]), [0, 2, 1, 3]), [b * t, H * HD]);
  return tf.reshape(tf.matMul(/** @type {tf.Tensor2D} */ (merged), w.o), [b, t, E]);
}

// ---------------------------------------------------------------------------
// cases

/**
 * @typedef {object} Case
 * @property {string} label
 * @property {"forward" | "grad" | "decode"} kind
 * @property {number} kv       key/value heads
 * @property {boolean} rope
 * @property {number} warmup
 * @property {number} runs
 * @property {number} [inner]  calls per sample
 */

/** @type {Case[]} */
let cases = [
  { label: "forward, 8 heads", kind: "forward", kv: H, rope: false, warmup: 2, runs: 12 },
  { label: "forward, GQA 8q/2kv", kind: "forward", kv: 2, rope: false, warmup: 2, runs: 12 },
  { label: "forward, 8 heads + RoPE", kind: "forward", kv: H, rope: true, warmup: 2, runs: 12 },
  { label: "forward+backward, 8 heads", kind: "grad", kv: H, rope: false, warmup: 2, runs: 7 },
  { label: "decode step (127 cached), 8 heads", kind: "decode", kv: H, rope: false, warmup: 10, runs: 40, inner: 4 },
  { label: "decode step (127 cached), GQA 2kv + RoPE", kind: "decode", kv: 2, rope: true, warmup: 10, runs: 40, inner: 4 },
];
cases = selectCases(cases, args.only);
if (args.quick) cases = cases.map((c) => ({ ...c, warmup: 1, runs: 2, inner: 1 }));

// ---------------------------------------------------------------------------
// tfjs: cpu and wasm backends, offline, with tfjs's gradient definitions when
// a case needs them (the shared helper of @raven-ts/bench)

const peers = await loadTfjs({ from: import.meta.url, gradients: cases.some((c) => c.kind === "grad") }).catch((err) => {
  console.error(err);
  process.exit(1);
});

/** @param {Case} c */
function describe(c) {
  const what = {
    forward: `x [${B},${T},${E}] → out`,
    grad: `value and gradients of sum(out * r) w.r.t. the 4 weights and x [${B},${T},${E}]`,
    decode: `one token [${B},1,${E}] attending to ${T - 1} cached positions + itself`,
  }[c.kind];
  return `${c.label}: ${what}`;
}

// ---------------------------------------------------------------------------
// competitors: { name, activate?, setup, fn, teardown, result }
//   fn: the timed call (results read back and disposed)
//   result: untimed, the results as Float32Arrays, for the agreement check

/** Reads every tensor of `outs` back and returns copies of the values. @param {{ dataSync(): ArrayLike<number> }[]} outs */
const readBack = (outs) => outs.map((t) => Float32Array.from(t.dataSync()));

/** @param {Case} c @param {ReturnType<typeof hostData>} data @param {{ name: string, backend: any }} which */
function oursCompetitor(c, data, which) {
  const layer = attention.multiHeadAttention({ embedDim: E, numHeads: H, numKvHeads: c.kv, rope: c.rope, ropeTheta: THETA, isCausal: c.kind === "decode" });
  const t = (/** @type {Float32Array} */ d, /** @type {number[]} */ shape) => nx.tensor(d, { shape, dtype: "float32" });
  /** @type {any} */
  let s = {};
  /** @type {() => any[]} */
  let run = () => [];

  const setup = () => {
    const params = {
      q_proj: t(data.q_proj, [E, H * HD]),
      k_proj: t(data.k_proj, [E, c.kv * HD]),
      v_proj: t(data.v_proj, [E, c.kv * HD]),
      out_proj: t(data.out_proj, [H * HD, E]),
    };
    const vars = { params, state: {}, dtype: "float32" };
    s = { params, vars, owned: [params] };
    if (c.kind === "forward") {
      s.x = t(data.x, [B, T, E]);
      s.owned.push(s.x);
      run = () => [nx.tidy(() => layer.apply({ ...vars, training: false }, s.x)[0])];
    } else if (c.kind === "grad") {
      s.x = t(data.x, [B, T, E]);
      s.r = t(data.r, [B, T, E]);
      s.owned.push(s.x, s.r);
      const loss = (/** @type {any} */ inputs) =>
        nx.sum(nx.mul(layer.apply({ params: inputs.params, state: {}, dtype: "float32", training: false }, inputs.x)[0], s.r));
      const valueAndGrad = rune.valueAndGrad(loss);
      run = () =>
        nx.tidy(() => {
          const [value, grads] = valueAndGrad({ params, x: s.x });
          const g = grads.params;
          return [value, grads.x, g.q_proj, g.k_proj, g.v_proj, g.out_proj];
        });
    } else {
      // Prefill T - 1 positions once (untimed); every step extends that same cache.
      const cache = nx.tidy(() => {
        const empty = layer.initCache({ batch: B, maxLength: T, dtype: "float32" });
        return layer.decode(vars, t(data.prompt, [B, T - 1, E]), empty)[1];
      });
      s.cache = cache;
      s.token = t(data.token, [B, 1, E]);
      s.owned.push(cache.k, cache.v, s.token);
      // keepCache: every step decodes from the same prefix; only the output
      // leaves the tidy (the extended cache is disposed with it).
      run = () => [nx.tidy(() => layer.decode(vars, s.token, s.cache, { keepCache: true })[0])];
    }
  };
  return {
    name: which.name,
    activate: () => nx.setBackend(which.backend),
    // Setup runs the case once and waits a moment, so a threaded backend's workers are ready before timing.
    setup: async () => {
      setup();
      nx.dispose(run());
      await new Promise((resolve) => setTimeout(resolve, 100));
    },
    fn: () => {
      const outs = run();
      for (const o of outs) o.dataSync();
      nx.dispose(outs);
    },
    teardown: () => nx.dispose(s.owned),
    result: () => {
      const outs = run();
      const values = readBack(outs);
      nx.dispose(outs);
      return values;
    },
  };
}

/** @param {Case} c @param {ReturnType<typeof hostData>} data @param {"cpu" | "wasm"} backend */
function tfCompetitor(c, data, backend) {
  /** @type {tf.Tensor[]} */
  let owned = [];
  /** @type {() => tf.Tensor[]} */
  let run = () => [];

  const setup = () => {
    const w = {
      q: tf.tensor2d(data.q_proj, [E, H * HD]),
      k: tf.tensor2d(data.k_proj, [E, c.kv * HD]),
      v: tf.tensor2d(data.v_proj, [E, c.kv * HD]),
      o: tf.tensor2d(data.out_proj, [H * HD, E]),
    };
    owned = [w.q, w.k, w.v, w.o];
    /** @param {number} len @param {number} offset @returns {TfRope | undefined} */
    const tables = (len, offset) => {
      if (!c.rope) return undefined;
      const { cos, sin } = ropeTables(len, offset);
      const r = { cos: tf.tensor2d(cos, [len, HD]), sin: tf.tensor2d(sin, [len, HD]) };
      owned.push(r.cos, r.sin);
      return r;
    };
    if (c.kind === "forward") {
      const x = tf.tensor3d(data.x, [B, T, E]);
      const rope = tables(T, 0);
      owned.push(x);
      run = () => [tf.tidy(() => tfAttention(c.kv, w, x, rope))];
    } else if (c.kind === "grad") {
      const x = tf.tensor3d(data.x, [B, T, E]);
      const r = tf.tensor3d(data.r, [B, T, E]);
      const rope = tables(T, 0);
      owned.push(x, r);
      const valueAndGrads = tf.valueAndGrads((/** @type {tf.Tensor[]} */ ...[xx, q, k, v, o]) =>
        tf.sum(tf.mul(tfAttention(c.kv, /** @type {TfWeights} */ ({ q, k, v, o }), /** @type {tf.Tensor} */ (xx), rope), r)),
      );
      run = () =>
        tf.tidy(() => {
          const { value, grads } = valueAndGrads([x, w.q, w.k, w.v, w.o]);
          return [value, ...grads];
        });
    } else {
      // The cache: keys (rotated at positions 0 .. T - 2) and values of the prompt.
      const promptRope = tables(T - 1, 0);
      const cache = tf.tidy(() => tfKeysValues(c.kv, w, tf.tensor3d(data.prompt, [B, T - 1, E]), promptRope));
      const token = tf.tensor3d(data.token, [B, 1, E]);
      const rope = tables(1, T - 1);
      owned.push(cache.k, cache.v, token);
      run = () => [tf.tidy(() => tfAttention(c.kv, w, token, rope, cache))];
    }
  };
  return {
    name: `tfjs-${backend}`,
    activate: () => peers.use(backend),
    setup,
    fn: () => {
      const outs = run();
      for (const o of outs) o.dataSync();
      tf.dispose(outs);
    },
    teardown: () => tf.dispose(owned),
    result: () => {
      const outs = run();
      const values = readBack(outs);
      tf.dispose(outs);
      return values;
    },
  };
}

/** Names of the checked results, per kind. */
const RESULT_NAMES = {
  forward: ["out"],
  grad: ["value", "d x", "d q_proj", "d k_proj", "d v_proj", "d out_proj"],
  decode: ["out"],
};

const liveCounts = () => ({ tf: tf.memory().numTensors, nx: nx.memory().numTensors });
const loadLine = () => os.loadavg().map((l) => l.toFixed(2)).join(", ");

// ---------------------------------------------------------------------------
// run

const started = performance.now();
console.log(`@raven-ts/kaun-attention benchmark${args.quick ? " (--quick: smoke test, do not record)" : ""}`);
console.log(`machine: ${machineLine()}`);
console.log(`load average (1, 5, 15 min) at start: ${loadLine()}`);
console.log(`peers: ${peers.description}; ours: multiHeadAttention on nx's cpu backend, gradients by rune.valueAndGrad`);
if (typeof (/** @type {{ gc?: unknown }} */ (globalThis).gc) !== "function") {
  console.log("note: run with node --expose-gc for a full GC before each case");
}
console.log(`layer: embedDim ${E}, ${H} heads of ${HD}, float32, no dropout; x [${B},${T},${E}]`);
console.log("timings: median ms per call (p10–p90), inputs resident, results read back with dataSync\n");

/** @type {import("@raven-ts/bench").TableRow[]} */
const rows = [];
/** @type {Map<number, ReturnType<typeof hostData>>} */
const dataByKv = new Map();
for (const c of cases) {
  let data = dataByKv.get(c.kv);
  if (!data) dataByKv.set(c.kv, (data = hostData(c.kv)));
  const competitors = [...oursBackends.map((which) => oursCompetitor(c, data, which)), ...(args["tfjs-cpu"] ? [tfCompetitor(c, data, "cpu")] : []), tfCompetitor(c, data, "wasm")];
  console.log(describe(c));

  const before = liveCounts();
  // Agreement first: every other result against ours (one thread).
  const [reference, ...others] = await resultsOnce(competitors, (comp) => comp.result());
  /** @type {string[]} */
  const diffs = [];
  for (const [k, values] of others.entries()) {
    const comp = /** @type {(typeof competitors)[number]} */ (competitors[k + 1]);
    const names = RESULT_NAMES[c.kind];
    let worst = 0;
    for (let i = 0; i < names.length; i++) {
      const ours = /** @type {Float32Array} */ (reference?.[i]);
      const theirs = values[i] ?? new Float32Array(0);
      // The loss is a sum of B·T·E products: compare it relative to its size.
      const scale = c.kind === "grad" && i === 0 ? Math.max(1, Math.abs(/** @type {number} */ (ours[0]))) : 1;
      const d = maxAbsDiff(theirs, ours) / scale;
      worst = Math.max(worst, d);
      if (!(d < TOL)) {
        console.error(`${c.label}: ${comp.name} disagrees with ours on ${names[i]} (max ${scale === 1 ? "abs" : "rel"} difference ${d})`);
        process.exit(1);
      }
    }
    diffs.push(`${comp.name} ${worst.toExponential(1)}`);
  }
  console.log(`  agreement with ours (max abs diff${c.kind === "grad" ? "; value relative" : ""}): ${diffs.join(", ")}`);

  const results = await compare(competitors, { warmup: c.warmup, runs: c.runs, inner: c.inner ?? 1 });
  rows.push({ label: c.label, results });
  const after = liveCounts();
  if (after.tf !== before.tf || after.nx !== before.nx) {
    console.warn(`  warning: leaked tensors (tfjs ${before.tf} → ${after.tf}, nx ${before.nx} → ${after.nx})`);
  }
  console.log(`  ${results.map((m) => `${m.name} ${formatMs(m.median)} ms`).join(" · ")}`);
}

/** @type {[string, string][]} */
const ratios = [...oursBackends.map((which) => /** @type {[string, string]} */ ([which.name, "tfjs-wasm"])), ...(args["tfjs-cpu"] ? [/** @type {[string, string]} */ (["ours", "tfjs-cpu"])] : [])];
console.log(`\n${formatTable(rows, { ratios })}`);
if (args.markdown) console.log(`\n${formatTable(rows, { ratios, markdown: true })}`);
console.log(`\nload average (1, 5, 15 min) at end: ${loadLine()}`);
console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
