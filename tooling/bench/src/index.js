// @raven-ts/bench: a small benchmark harness for the workspace.
//
// Plain ESM JavaScript; the public types live in ./index.d.ts beside this file.
// The habits it enforces: warm up before timing, time several competitors
// interleaved in one process (so machine noise hits all of them alike), report
// medians with a p10-p90 spread, print ratios against peers measured in the
// same run, and print the machine the numbers came from.

import { createRequire, register } from "node:module";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** @typedef {import("./index.js").Stats} Stats */
/** @typedef {import("./index.js").Measurement} Measurement */
/** @typedef {import("./index.js").Competitor} Competitor */
/** @typedef {import("./index.js").CompareOptions} CompareOptions */
/** @typedef {import("./index.js").TableRow} TableRow */
/** @typedef {import("./index.js").TableOptions} TableOptions */
/** @typedef {import("./index.js").MachineInfo} MachineInfo */
/** @typedef {import("./index.js").TfjsBackendName} TfjsBackendName */
/** @typedef {import("./index.js").LoadTfjsOptions} LoadTfjsOptions */
/** @typedef {import("./index.js").BenchArgs} BenchArgs */
/** @typedef {import("./index.js").BenchOptionsConfig} BenchOptionsConfig */

/**
 * @param {unknown} v
 * @returns {v is PromiseLike<unknown>}
 */
function isThenable(v) {
  return (
    v !== null &&
    (typeof v === "object" || typeof v === "function") &&
    typeof (/** @type {{ then?: unknown }} */ (v).then) === "function"
  );
}

/**
 * @param {string} fn
 * @param {string} what
 * @param {unknown} v
 * @param {number} min
 * @returns {number}
 */
function checkInt(fn, what, v, min) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new RangeError(`bench.${fn}: ${what} must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

/**
 * `quantile(sorted, q)` is the q-quantile of ascending `sorted`, interpolating
 * linearly between neighbouring samples (numpy's default "linear" method).
 *
 * @param {ArrayLike<number>} sorted
 * @param {number} q
 * @returns {number}
 */
export function quantile(sorted, q) {
  if (sorted.length === 0) throw new RangeError("bench.quantile: no samples");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`bench.quantile: q must be in [0, 1], got ${q}`);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = /** @type {number} */ (sorted[lo]);
  const b = /** @type {number} */ (sorted[hi]);
  return a + (b - a) * (pos - lo);
}

/**
 * `summarize(samples)` is the median, p10, p90, mean, min and max of `samples`
 * (milliseconds), with the samples kept in measurement order.
 *
 * @param {readonly number[]} samples
 * @returns {Stats}
 */
export function summarize(samples) {
  if (samples.length === 0) throw new RangeError("bench.summarize: no samples");
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const s of samples) total += s;
  return {
    n: samples.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    mean: total / samples.length,
    min: /** @type {number} */ (sorted[0]),
    max: /** @type {number} */ (sorted[sorted.length - 1]),
    samples: [...samples],
  };
}

/**
 * @param {boolean | "auto" | undefined} option
 * @returns {(() => void) | undefined}
 */
function resolveGc(option) {
  const g = /** @type {{ gc?: unknown }} */ (globalThis).gc;
  const available = typeof g === "function" ? /** @type {() => void} */ (g) : undefined;
  if (option === false) return undefined;
  if (option === true && available === undefined) {
    throw new Error("bench.compare: gc: true needs node --expose-gc");
  }
  return available;
}

/**
 * One sample: `inner` calls of `fn`, awaiting any promise it returns, timed as
 * a whole and divided by `inner`.
 *
 * @param {() => unknown} fn
 * @param {number} inner
 * @returns {Promise<number>}
 */
async function sampleOnce(fn, inner) {
  const t0 = performance.now();
  for (let i = 0; i < inner; i++) {
    const r = fn();
    if (isThenable(r)) await r;
  }
  return (performance.now() - t0) / inner;
}

/**
 * `compare(competitors, options)` times every competitor in one process,
 * interleaved: each round calls every competitor once, and the starting
 * competitor rotates from round to round, so slow drifts of the machine
 * (thermal throttling, a neighbour's load, GC pressure) land on all of them.
 * `warmup` untimed rounds (default 3) precede `runs` timed rounds (default 10);
 * with `node --expose-gc`, one full GC runs after setup, before the warmup.
 * Returns one `Measurement` per competitor, in the order given.
 *
 * @param {readonly Competitor[]} competitors
 * @param {CompareOptions} [options]
 * @returns {Promise<Measurement[]>}
 */
export async function compare(competitors, options = {}) {
  const warmup = checkInt("compare", "warmup", options.warmup ?? 3, 0);
  const runs = checkInt("compare", "runs", options.runs ?? 10, 1);
  const inner = checkInt("compare", "inner", options.inner ?? 1, 1);
  const gc = resolveGc(options.gc ?? "auto");
  if (competitors.length === 0) throw new RangeError("bench.compare: no competitors");
  const names = new Set();
  for (const c of competitors) {
    if (typeof c.name !== "string" || c.name === "") throw new TypeError("bench.compare: every competitor needs a name");
    if (typeof c.fn !== "function") throw new TypeError(`bench.compare: competitor ${c.name} has no fn`);
    if (names.has(c.name)) throw new RangeError(`bench.compare: duplicate competitor name ${c.name}`);
    names.add(c.name);
  }

  /** @param {Competitor} c @param {(() => unknown) | undefined} hook */
  const call = async (c, hook) => {
    if (c.activate) await c.activate();
    if (hook) await hook();
  };

  for (const c of competitors) await call(c, c.setup);
  try {
    // One full collection before warmup, none between samples: a forced full
    // GC discards optimised code and would make every sample pay for re-JIT.
    if (gc) gc();
    /** @type {number[][]} */
    const samples = competitors.map(() => []);
    const rounds = warmup + runs;
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < competitors.length; j++) {
        const i = (r + j) % competitors.length;
        const c = /** @type {Competitor} */ (competitors[i]);
        await call(c, undefined);
        const ms = await sampleOnce(c.fn, inner);
        if (r >= warmup) /** @type {number[]} */ (samples[i]).push(ms);
      }
    }
    return competitors.map((c, i) => ({ name: c.name, ...summarize(/** @type {number[]} */ (samples[i])) }));
  } finally {
    for (const c of competitors) await call(c, c.teardown);
  }
}

/**
 * `time(fn, options)` times one function: `warmup` untimed calls, then `runs`
 * timed calls (awaiting promises), summarised.
 *
 * @param {() => unknown} fn
 * @param {CompareOptions} [options]
 * @returns {Promise<Stats>}
 */
export async function time(fn, options = {}) {
  const [m] = await compare([{ name: "fn", fn }], options);
  const { name: _name, ...stats } = /** @type {Measurement} */ (m);
  return stats;
}

/**
 * `formatMs(ms)` prints a duration in milliseconds with about three
 * significant digits ("0.123", "12.3", "1234").
 *
 * @param {number} ms
 * @returns {string}
 */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return String(ms);
  const a = Math.abs(ms);
  if (a >= 100) return ms.toFixed(0);
  if (a >= 10) return ms.toFixed(1);
  if (a >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/**
 * `formatRatio(r)` prints a ratio such as "0.21×" or "3.4×".
 *
 * @param {number} r
 * @returns {string}
 */
export function formatRatio(r) {
  if (!Number.isFinite(r)) return "—";
  const a = Math.abs(r);
  return `${a >= 10 ? r.toFixed(1) : a >= 0.1 || a === 0 ? r.toFixed(2) : r.toFixed(3)}×`;
}

/**
 * @param {readonly TableRow[]} rows
 * @param {TableOptions} options
 * @returns {[string, string][]}
 */
function ratioPairs(rows, options) {
  if (options.ratios) return options.ratios.map(([a, b]) => [a, b]);
  const ref = options.reference;
  if (ref === undefined) return [];
  /** @type {string[]} */
  const others = [];
  for (const row of rows) {
    for (const m of row.results) if (m.name !== ref && !others.includes(m.name)) others.push(m.name);
  }
  return others.map((name) => [name, ref]);
}

/**
 * `formatTable(rows, options)` is a table with one line per row: the median
 * (ms) of every competitor, optionally its p10-p90 spread, and one column per
 * ratio `a/b` = median(a) / median(b). With `markdown: true` it is a GitHub
 * markdown table, ready to paste into BENCHMARKS.md.
 *
 * @param {readonly TableRow[]} rows
 * @param {TableOptions} [options]
 * @returns {string}
 */
export function formatTable(rows, options = {}) {
  /** @type {string[]} */
  const names = [];
  for (const row of rows) for (const m of row.results) if (!names.includes(m.name)) names.push(m.name);
  const pairs = ratioPairs(rows, options);
  const spread = options.spread ?? true;

  const header = [options.caseHeader ?? "case", ...names.map((n) => `${n} (ms)`), ...pairs.map(([a, b]) => `${a} / ${b}`)];
  const body = rows.map((row) => {
    /** @type {Map<string, Measurement>} */
    const by = new Map(row.results.map((m) => [m.name, m]));
    const cells = names.map((n) => {
      const m = by.get(n);
      if (!m) return "—";
      return spread ? `${formatMs(m.median)} (${formatMs(m.p10)}–${formatMs(m.p90)})` : formatMs(m.median);
    });
    const ratios = pairs.map(([a, b]) => {
      const ma = by.get(a);
      const mb = by.get(b);
      return ma && mb ? formatRatio(ma.median / mb.median) : "—";
    });
    return [row.label, ...cells, ...ratios];
  });

  if (options.markdown) {
    const line = (/** @type {string[]} */ cells) => `| ${cells.join(" | ")} |`;
    const align = header.map((_, i) => (i === 0 ? "---" : "---:"));
    return [line(header), line(align), ...body.map(line)].join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const pad = (/** @type {string[]} */ cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [pad(header), rule, ...body.map(pad)].join("\n");
}

/**
 * `machineInfo()` describes the machine the numbers come from: CPU model,
 * logical CPU count, total memory, Node version, platform and the date.
 *
 * @returns {MachineInfo}
 */
export function machineInfo() {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim().replace(/\s+/g, " ") || "unknown CPU";
  return {
    cpu: model,
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString().slice(0, 10),
  };
}

/**
 * `machineLine(info?)` is `machineInfo()` on one line, e.g.
 * "AMD EPYC 7B13 · 2 logical CPUs · 23.5 GiB · Node v20.20.2 · linux x64 · 2026-11-27".
 *
 * @param {MachineInfo} [info]
 * @returns {string}
 */
export function machineLine(info = machineInfo()) {
  return [
    info.cpu,
    `${info.cores} logical CPU${info.cores === 1 ? "" : "s"}`,
    `${info.memoryGiB.toFixed(1)} GiB`,
    `Node ${info.node}`,
    info.platform,
    info.date,
  ].join(" · ");
}

/**
 * `seededNormal(size, seed)` is a Float32Array of `size` standard-normal
 * samples from a fixed seed (mulberry32 + Box-Muller), so every competitor of
 * a benchmark can be fed the very same inputs.
 *
 * @param {number} size
 * @param {number} [seed]
 * @returns {Float32Array}
 */
export function seededNormal(size, seed = 0) {
  checkInt("seededNormal", "size", size, 0);
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < size) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * `resultsOnce(competitors, read)` runs every competitor once, untimed and in
 * order (`activate`, `setup`, `read(competitor)`, then `teardown` even when
 * `read` throws) and resolves to what `read` returned for each: the results a
 * benchmark checks for agreement before it times anything.
 *
 * @template {Competitor} C
 * @template R
 * @param {readonly C[]} competitors
 * @param {(competitor: C) => R} read
 * @returns {Promise<R[]>}
 */
export async function resultsOnce(competitors, read) {
  /** @type {R[]} */
  const out = [];
  for (const comp of competitors) {
    if (comp.activate) await comp.activate();
    if (comp.setup) await comp.setup();
    try {
      out.push(read(comp));
    } finally {
      if (comp.teardown) await comp.teardown();
    }
  }
  return out;
}

/**
 * `maxAbsDiff(a, b)` is the largest `|a[i] - b[i]|`; `Infinity` when the
 * lengths differ or any difference is NaN (a NaN on either side never passes
 * a tolerance check), 0 for two empty arrays.
 *
 * @param {ArrayLike<number>} a
 * @param {ArrayLike<number>} b
 * @returns {number}
 */
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(/** @type {number} */ (a[i]) - /** @type {number} */ (b[i]));
    if (Number.isNaN(d)) return Infinity;
    if (d > diff) diff = d;
  }
  return diff;
}

/**
 * The command-line options every benchmark script of the workspace takes:
 * `--quick`, `--only <text>` (repeatable), `--markdown` and `--help`.
 *
 * @type {Readonly<BenchOptionsConfig>}
 */
const BENCH_OPTIONS = Object.freeze({
  quick: { type: "boolean", default: false },
  only: { type: "string", multiple: true },
  markdown: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
});

/**
 * `parseBenchArgs(usage, extraOptions, argv)` parses a benchmark script's
 * command line (`argv`, by default `process.argv.slice(2)`, without a leading
 * `--`, which `pnpm bench -- --quick` passes through) with `node:util`'s
 * strict `parseArgs`: the workspace's options plus the script's own
 * `extraOptions`. With `--help` it prints `usage` and exits the process with
 * status 0; otherwise it returns the parsed values.
 *
 * @param {string} usage
 * @param {BenchOptionsConfig} [extraOptions]
 * @param {readonly string[]} [argv]
 * @returns {BenchArgs}
 */
export function parseBenchArgs(usage, extraOptions = {}, argv = process.argv.slice(2)) {
  if (typeof usage !== "string") throw new TypeError(`bench.parseBenchArgs: usage must be a string, got ${typeof usage}`);
  const clashes = Object.keys(extraOptions).filter((name) => Object.hasOwn(BENCH_OPTIONS, name));
  if (clashes.length > 0) throw new RangeError(`bench.parseBenchArgs: extraOptions may not redefine --${clashes.join(", --")}`);
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  const { values } = parseArgs({ args, options: { ...BENCH_OPTIONS, ...extraOptions }, strict: true, allowPositionals: false });
  if (/** @type {BenchArgs} */ (values).help) {
    console.log(usage);
    process.exit(0);
  }
  return /** @type {BenchArgs} */ (values);
}

/**
 * `selectCases(cases, only)` is the cases whose `label` contains one of the
 * strings of `only` (the `--only` values of {@link parseBenchArgs}), in their
 * order; all of them when `only` is undefined. When `only` matches no case it
 * prints `no case matches --only <only>` to stderr and exits the process with
 * status 1.
 *
 * @template {{ readonly label: string }} C
 * @param {readonly C[]} cases
 * @param {readonly string[] | undefined} only
 * @returns {C[]}
 */
export function selectCases(cases, only) {
  if (only === undefined) return [...cases];
  const picked = cases.filter((c) => only.some((f) => c.label.includes(f)));
  if (picked.length === 0) {
    console.error(`no case matches --only ${only.join(", ")}`);
    process.exit(1);
  }
  return picked;
}

let tfjsResolveHookRegistered = false;

/**
 * Registers tfjs's gradient definitions (`tf.grad`, `tf.grads`,
 * `tf.variableGrads`, ...): imports tfjs-core's `register_all_gradients` ES
 * module, whose extensionless relative imports a resolve hook completes (see
 * ./tfjs-esm-resolve.js). Its copy of tfjs-core shares the global engine and
 * registries with the Node bundle, so the gradients serve the caller's `tf`.
 *
 * @param {string} file the resolved path of `register_all_gradients.js`
 */
async function loadTfjsGradients(file) {
  if (!tfjsResolveHookRegistered) {
    register(new URL("./tfjs-esm-resolve.js", import.meta.url));
    tfjsResolveHookRegistered = true;
  }
  await import(pathToFileURL(file).href);
}

/** The tfjs packages `loadTfjs` needs, resolved from the caller. */
const TFJS_PACKAGES = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm"];

/**
 * `loadTfjs({ from, gradients })` sets TensorFlow.js up as a benchmark peer in Node,
 * offline: it loads tfjs-core and the cpu and wasm backends as the module at
 * `from` would resolve them (the benchmarked package declares them as
 * devDependencies; this harness does not depend on tfjs, and a static
 * `import * as tf from "@tensorflow/tfjs-core"` in that module gets the very
 * same instance), points the wasm backend at the `.wasm` files of the
 * installed package, enables production mode (no debug checks, no "install
 * tfjs-node" banner), initialises the wasm backend once (to fail early and to
 * read its SIMD and threads flags) and leaves the cpu backend selected.
 * With `gradients: true` it also registers tfjs's gradient definitions, which
 * tfjs-core's Node bundle leaves out (see `loadTfjsGradients`).
 *
 * @template [TF=unknown]
 * @param {LoadTfjsOptions} options
 * @returns {Promise<import("./index.js").TfjsPeers<TF>>}
 */
export async function loadTfjs(options) {
  const from = options?.from;
  if (!(typeof from === "string" || from instanceof URL) || String(from) === "") {
    throw new TypeError("bench.loadTfjs: options.from must be the caller's module URL (import.meta.url) or a file path");
  }
  const require = createRequire(from);
  /** @param {string} specifier */
  const resolve = (specifier) => {
    try {
      return require.resolve(specifier);
    } catch (err) {
      throw new Error(
        `bench.loadTfjs: cannot resolve ${specifier} from ${String(from)}; ` +
          `declare ${TFJS_PACKAGES.join(", ")} as devDependencies of the benchmarked package and run pnpm install`,
        { cause: err },
      );
    }
  };
  const [corePath, cpuPath, wasmPath] = TFJS_PACKAGES.map(resolve);
  const wasmDir = path.join(path.dirname(resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;

  // tfjs-core first: the backends register themselves with it on import.
  /** @type {any} */
  const tf = await import(pathToFileURL(/** @type {string} */ (corePath)).href);
  await import(pathToFileURL(/** @type {string} */ (cpuPath)).href);
  /** @type {any} */
  const wasm = await import(pathToFileURL(/** @type {string} */ (wasmPath)).href);
  wasm.setWasmPaths(wasmDir);
  // Before the gradients: their ES-module copy of tfjs-core skips its Node
  // platform setup in production mode (the bundle's is already in place).
  tf.enableProdMode();
  const gradients = options.gradients ?? false;
  if (gradients) await loadTfjsGradients(resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js"));

  /** @param {TfjsBackendName} name */
  const use = async (name) => {
    if (tf.getBackend() === name) return;
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`bench.loadTfjs: tfjs backend ${name} failed to initialise`);
  };
  try {
    await use("wasm");
  } catch (err) {
    throw new Error(`bench.loadTfjs: tfjs-backend-wasm did not initialise from ${wasmDir}`, { cause: err });
  }
  const wasmSimd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  const wasmThreads = Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
  await use("cpu");
  const version = String(tf.version_core);
  return {
    tf,
    use,
    version,
    gradients,
    wasmDir,
    wasmSimd,
    wasmThreads,
    description:
      `tfjs-core ${version}; tfjs-cpu; tfjs-wasm (SIMD ${wasmSimd ? "on" : "off"}, ` +
      `threads ${wasmThreads ? "on" : "off"})`,
  };
}
