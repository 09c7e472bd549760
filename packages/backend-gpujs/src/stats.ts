/** Counters a backend keeps for tests and benchmarks (see {@link GpujsStats}). */

/** What `backend.stats()` reports; every count is cumulative since the backend was made. */
export interface GpujsStats {
  /** The gpu.js mode kernels run in. */
  readonly mode: string;
  /** Kernels built (cache misses); a kernel is built once per op and shape signature. */
  readonly kernelsCompiled: number;
  /** Kernel launches. */
  readonly kernelRuns: number;
  /** Launches served by an already-built kernel. */
  readonly cacheHits: number;
  /** Kernels built, per op family (`"binary.add"`, `"matmul.pack"`, ...). */
  readonly compiledByOp: Readonly<Record<string, number>>;
  /** Host-to-device copies (`upload`). */
  readonly uploads: number;
  /** Device-to-host copies (`read`/`readAsync`). */
  readonly reads: number;
  /** Kernels gpu.js degraded to its CPU kernel behind our back (must stay 0 outside `cpu` mode). */
  readonly fallbacks: number;
  /** The reasons gpu.js gave for those fallbacks, first few only. */
  readonly fallbackReasons: readonly string[];
}

/** Mutable counters behind {@link GpujsStats}. */
export class StatsCounter {
  kernelsCompiled = 0;
  kernelRuns = 0;
  cacheHits = 0;
  uploads = 0;
  reads = 0;
  fallbacks = 0;
  readonly compiledByOp = new Map<string, number>();
  readonly fallbackReasons: string[] = [];

  /** `compiled(op)` counts one kernel built for `op`. */
  compiled(op: string): void {
    this.kernelsCompiled++;
    this.compiledByOp.set(op, (this.compiledByOp.get(op) ?? 0) + 1);
  }

  /** `fellBack(op, reason)` counts one kernel gpu.js moved to its CPU kernel. */
  fellBack(op: string, reason: string): void {
    this.fallbacks++;
    if (this.fallbackReasons.length < 8) this.fallbackReasons.push(`${op}: ${reason}`);
  }

  /** `snapshot(mode)` is an immutable copy of the counters. */
  snapshot(mode: string): GpujsStats {
    return {
      mode,
      kernelsCompiled: this.kernelsCompiled,
      kernelRuns: this.kernelRuns,
      cacheHits: this.cacheHits,
      compiledByOp: Object.fromEntries(this.compiledByOp),
      uploads: this.uploads,
      reads: this.reads,
      fallbacks: this.fallbacks,
      fallbackReasons: [...this.fallbackReasons],
    };
  }
}
