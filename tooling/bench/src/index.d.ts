// Types of @raven-ts/bench (the implementation is ./index.js, plain ESM).

import type { ParseArgsConfig } from "node:util";

/** Summary of one competitor's timed samples, all in milliseconds. */
export interface Stats {
  /** Number of timed samples. */
  readonly n: number;
  /** Median sample (linear interpolation between the two middle samples). */
  readonly median: number;
  /** 10th percentile. */
  readonly p10: number;
  /** 90th percentile. */
  readonly p90: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Every timed sample, in the order measured. */
  readonly samples: readonly number[];
}

/** `Stats` of one named competitor. */
export interface Measurement extends Stats {
  readonly name: string;
}

/**
 * One side of a comparison. Only `fn` is timed; the hooks run untimed.
 * Make `fn` force completion of its work (read the result back, e.g. with
 * `dataSync()`), or return a promise that settles when the work is done:
 * the harness awaits it before stopping the clock.
 */
export interface Competitor {
  /** Name shown in tables and used in ratios; unique within one comparison. */
  readonly name: string;
  /** The work to time. */
  readonly fn: () => unknown;
  /** Called once before the first round (after `activate`). */
  readonly setup?: () => unknown;
  /** Called once after the last round, even if a round threw (after `activate`). */
  readonly teardown?: () => unknown;
  /**
   * Called untimed before every call into this competitor (setup, each warmup
   * and timed sample, teardown). Select the competitor's backend here, e.g.
   * `() => tf.setBackend("wasm")`.
   */
  readonly activate?: () => unknown;
}

export interface CompareOptions {
  /** Untimed rounds before timing starts. Default 3. */
  readonly warmup?: number;
  /** Timed rounds; each gives one sample per competitor. Default 10. */
  readonly runs?: number;
  /** Calls of `fn` per sample (the sample is their mean); raise it for sub-millisecond work. Default 1. */
  readonly inner?: number;
  /**
   * Run one full garbage collection (untimed) after setup, before the warmup.
   * `"auto"` (the default) does so when `global.gc` exists (`node --expose-gc`);
   * `true` requires it; `false` never does. There is deliberately no GC
   * between samples: a forced full GC discards optimised code, so every
   * sample would pay for re-compilation.
   */
  readonly gc?: boolean | "auto";
}

/** One line of a results table. */
export interface TableRow {
  /** The case, e.g. `"matmul 512"`. */
  readonly label: string;
  readonly results: readonly Measurement[];
}

export interface TableOptions {
  /** Ratio columns `[a, b]`, each printed as `a / b` = median(a) / median(b). Takes precedence over `reference`. */
  readonly ratios?: readonly (readonly [string, string])[];
  /** Print the ratio of every other competitor to this one. */
  readonly reference?: string;
  /** Print the p10–p90 spread after each median. Default true. */
  readonly spread?: boolean;
  /** A GitHub markdown table instead of aligned text. Default false. */
  readonly markdown?: boolean;
  /** Header of the first column. Default `"case"`. */
  readonly caseHeader?: string;
}

/** The machine a benchmark ran on. */
export interface MachineInfo {
  /** CPU model from `os.cpus()`. */
  readonly cpu: string;
  /** Logical CPUs (`os.cpus().length`). */
  readonly cores: number;
  /** Total memory in GiB. */
  readonly memoryGiB: number;
  /** `process.version`. */
  readonly node: string;
  /** `"<platform> <arch>"`. */
  readonly platform: string;
  /** The date, `YYYY-MM-DD`. */
  readonly date: string;
}

/**
 * `quantile(sorted, q)` is the q-quantile of the ascending samples `sorted`,
 * interpolating linearly (numpy's default method).
 *
 * @throws RangeError if `sorted` is empty or `q` is outside [0, 1].
 */
export function quantile(sorted: ArrayLike<number>, q: number): number;

/**
 * `summarize(samples)` is the median, p10, p90, mean, min and max of `samples`.
 *
 * @throws RangeError if `samples` is empty.
 */
export function summarize(samples: readonly number[]): Stats;

/**
 * `compare(competitors, options)` times every competitor in one process,
 * interleaved round-robin (the first competitor of each round rotates), and
 * returns one `Measurement` per competitor in the order given.
 *
 * @throws RangeError if there are no competitors, two share a name, or an
 *   option is not an integer in range; Error if `gc: true` without `--expose-gc`.
 */
export function compare(competitors: readonly Competitor[], options?: CompareOptions): Promise<Measurement[]>;

/** `time(fn, options)` times one function as `compare` would (warmup, then timed runs). */
export function time(fn: () => unknown, options?: CompareOptions): Promise<Stats>;

/** `formatMs(ms)` prints milliseconds with about three significant digits. */
export function formatMs(ms: number): string;

/** `formatRatio(r)` prints a ratio such as `"0.21×"`; `"—"` when not finite. */
export function formatRatio(r: number): string;

/**
 * `formatTable(rows, options)` is a table of medians (ms, with p10–p90) per
 * competitor and ratio columns; aligned text, or markdown with `markdown: true`.
 * A missing measurement prints as `"—"`.
 */
export function formatTable(rows: readonly TableRow[], options?: TableOptions): string;

/** `machineInfo()` describes this machine (CPU model, logical CPUs, memory, Node, platform, date). */
export function machineInfo(): MachineInfo;

/** `machineLine(info?)` is the machine description on one line. */
export function machineLine(info?: MachineInfo): string;

/**
 * `seededNormal(size, seed)` is `size` standard-normal float32 samples from a
 * fixed seed (default 0), identical on every run and platform.
 *
 * @throws RangeError if `size` is not a non-negative integer.
 */
export function seededNormal(size: number, seed?: number): Float32Array;

/**
 * `resultsOnce(competitors, read)` runs every competitor once, untimed and in
 * order (`activate`, `setup`, `read(competitor)`, then `teardown` even when
 * `read` throws), and resolves to what `read` returned for each.
 */
export function resultsOnce<C extends Competitor, R>(competitors: readonly C[], read: (competitor: C) => R): Promise<R[]>;

/**
 * `maxAbsDiff(a, b)` is the largest `|a[i] - b[i]|`: `Infinity` when the
 * lengths differ or a difference is NaN, 0 for two empty arrays.
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number;

/** Command-line options in `node:util` `parseArgs`'s format, by long name (e.g. `{ "peers-only": { type: "boolean", default: false } }`). */
export type BenchOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** What {@link parseBenchArgs} returns: the workspace's options, then the script's own. */
export interface BenchArgs {
  /** `--quick`: few repetitions, a smoke test rather than figures to record. Default false. */
  readonly quick: boolean;
  /** `--only <text>` (repeatable): run only the cases whose label contains one of these; undefined when not given. */
  readonly only: readonly string[] | undefined;
  /** `--markdown`: also print the results as a markdown table. Default false. */
  readonly markdown: boolean;
  /** `--help`: never true in a returned value (`parseBenchArgs` prints the usage and exits). */
  readonly help: boolean;
  /** The values of the script's `extraOptions`, by long name, as `parseArgs` returns them. */
  readonly [extra: string]: string | boolean | readonly (string | boolean)[] | undefined;
}

/**
 * `parseBenchArgs(usage, extraOptions?, argv?)` parses a benchmark script's
 * command line with `node:util`'s strict `parseArgs`: the options every
 * workspace benchmark takes (`--quick`, `--only <text>` repeatable,
 * `--markdown`, `--help`) plus `extraOptions` (in `parseArgs`'s format, e.g.
 * `{ "peers-only": { type: "boolean", default: false } }`). `argv` defaults
 * to `process.argv.slice(2)`; a leading `--` (which `pnpm bench -- --quick`
 * passes through) is skipped. With `--help` it prints `usage` to stdout and
 * exits the process with status 0; otherwise it returns the values.
 *
 * @throws TypeError if `usage` is not a string, or (from `parseArgs`) for an
 *   unknown option, a positional argument or a missing option value;
 *   RangeError if `extraOptions` redefines one of the workspace's options.
 */
export function parseBenchArgs(usage: string, extraOptions?: BenchOptionsConfig, argv?: readonly string[]): BenchArgs;

/**
 * `selectCases(cases, only)` is the cases whose `label` contains one of the
 * strings of `only` (`BenchArgs.only`), in their order; a copy of all of them
 * when `only` is undefined. When `only` matches no case it prints
 * `no case matches --only <only>` to stderr and exits the process with status 1.
 */
export function selectCases<C extends { readonly label: string }>(cases: readonly C[], only: readonly string[] | undefined): C[];

/** The tfjs backends `loadTfjs` sets up. */
export type TfjsBackendName = "cpu" | "wasm";

export interface LoadTfjsOptions {
  /**
   * Where to resolve the tfjs packages from: the calling module's URL
   * (`import.meta.url`) or a file path inside the benchmarked package, which
   * declares `@tensorflow/tfjs-core`, `-backend-cpu` and `-backend-wasm`.
   */
  readonly from: string | URL;
  /**
   * Also register tfjs's gradient definitions, so `tf.grad`, `tf.grads`,
   * `tf.valueAndGrads` and `tf.variableGrads` work: tfjs-core's Node bundle
   * leaves them out, and its `dist/register_all_gradients` module (written for
   * bundlers) is loaded through a module resolve hook that this registers for
   * the process (it only completes the extensionless relative imports of
   * tfjs-core's `dist/` files). Default false.
   */
  readonly gradients?: boolean;
}

/** TensorFlow.js, ready as a benchmark peer (what `loadTfjs` resolves to). */
export interface TfjsPeers<TF = unknown> {
  /**
   * The tfjs-core module: the same instance as the caller's
   * `import * as tf from "@tensorflow/tfjs-core"`. Pass
   * `typeof import("@tensorflow/tfjs-core")` as `TF` for its types.
   */
  readonly tf: TF;
  /**
   * `use(name)` selects the backend (a no-op when it is already selected);
   * made for `Competitor.activate`, e.g. `activate: () => peers.use("wasm")`.
   * @throws Error (rejects) when the backend fails to initialise.
   */
  use(name: TfjsBackendName): Promise<void>;
  /** `tf.version_core`, e.g. `"4.22.0"`. */
  readonly version: string;
  /** Whether tfjs's gradient definitions were registered (`LoadTfjsOptions.gradients`). */
  readonly gradients: boolean;
  /** The directory the `.wasm` binaries are loaded from (ends with a path separator). */
  readonly wasmDir: string;
  /** Whether the wasm backend runs its SIMD build. */
  readonly wasmSimd: boolean;
  /** Whether the wasm backend runs multithreaded. */
  readonly wasmThreads: boolean;
  /** The peers on one line, e.g. `"tfjs-core 4.22.0; tfjs-cpu; tfjs-wasm (SIMD on, threads off)"`. */
  readonly description: string;
}

/**
 * `loadTfjs({ from })` sets up TensorFlow.js in Node, offline, as a benchmark
 * peer: tfjs-core with the cpu and wasm backends, resolved from `from` (this
 * harness does not depend on tfjs), the wasm binaries loaded from the
 * installed package, production mode on, the wasm backend initialised once
 * (its SIMD and threads flags read) and the cpu backend left selected; with
 * `gradients: true`, tfjs's gradient definitions registered as well.
 *
 * @throws TypeError (rejects) when `from` is missing; Error when a tfjs
 *   package cannot be resolved from `from` or the wasm backend fails to initialise.
 */
export function loadTfjs<TF = unknown>(options: LoadTfjsOptions): Promise<TfjsPeers<TF>>;
