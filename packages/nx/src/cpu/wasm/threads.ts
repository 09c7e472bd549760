/**
 * Threads for the WebAssembly kernels: a pool of workers (`worker_threads`
 * in Node, Web Workers in a cross-origin-isolated page) that instantiate the
 * same module on the same shared memory and run the tasks of a job with the
 * calling thread.
 *
 * The backend's API is synchronous, so a job is handed over through a
 * control block of shared memory, not messages: the caller writes the job
 * (an export, its argument rows), bumps a sequence word and wakes the
 * workers with `Atomics.notify`; every thread, the caller included, takes
 * tasks from one counter until none are left, and the caller waits until the
 * last task is done — with `Atomics.wait` where the thread may block (Node's
 * main thread, workers), spinning on `Atomics.load` on a browser's main
 * thread, where blocking is forbidden. Tasks are taken dynamically, so a
 * worker that wakes late (or a core busy with another process) only takes
 * fewer of them.
 *
 * Workers start lazily, in the background, the first time a job could use
 * them; until one reports ready, jobs run on the calling thread alone. They
 * are never waited for at start-up, never paid per job, and never keep a
 * Node process alive (`unref`). After a job, and when woken ahead of one
 * (`wake`), a worker polls for the next job for tens of microseconds before
 * it sleeps, since waking a sleeping thread costs about as long.
 */

/** Words of the control block (an Int32Array at its byte address). */
const SEQ = 0;
const DONE = 1;
const READY = 2;
const FN = 3;
const ARGC = 4;
const ARGS = 5;
/** Set by a worker whose task threw (the job still completes; the caller then throws). */
const FAILED = 6;
/** The task counter, a 64-bit word (job tag in the high half, tasks left in the low half) at byte 32. */
const NEXT64_BYTE = 32;
/** Bytes of the control block. */
export const CONTROL_BYTES = 64;
/** Polls of the sequence word a worker makes before it sleeps (tens of microseconds). */
const SPINS = 20000;

/**
 * The worker's program: receive the module bytes, the memory, the control
 * block's address, the export names and its scratch address; instantiate;
 * report ready; then loop forever taking tasks of the jobs it is woken for.
 * One source for Node (`eval` worker, CommonJS) and browsers (blob worker).
 */
const WORKER_SOURCE = `"use strict";
function start(init) {
  const { bytes, memory, control, names, scratch } = init;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const fns = names.map((n) => instance.exports[n]);
  const ctl = new Int32Array(memory.buffer, control, ${CONTROL_BYTES / 4});
  const next = new BigInt64Array(memory.buffer, control + ${NEXT64_BYTE}, 1);
  Atomics.add(ctl, ${READY}, 1);
  let seen = Atomics.load(ctl, ${SEQ});
  for (;;) {
    // Spin a little before sleeping: the next job often follows within microseconds.
    for (let spin = 0; spin < ${SPINS} && Atomics.load(ctl, ${SEQ}) === seen; spin++);
    if (Atomics.load(ctl, ${SEQ}) === seen) Atomics.wait(ctl, ${SEQ}, seen);
    if (Atomics.load(ctl, ${SEQ}) === seen) continue; // woken ahead of a job (wake()): spin again
    seen = Atomics.load(ctl, ${SEQ});
    const tag = BigInt(seen >>> 0) << 32n;
    const fn = fns[Atomics.load(ctl, ${FN})];
    const argc = Atomics.load(ctl, ${ARGC});
    const args = Atomics.load(ctl, ${ARGS}) >>> 0;
    const words = new Int32Array(memory.buffer);
    for (;;) {
      const v = Atomics.load(next, 0);
      const left = Number(v & 0xffffffffn);
      if ((v & ~0xffffffffn) !== tag || left === 0) break;
      if (Atomics.compareExchange(next, 0, v, v - 1n) !== v) continue;
      const row = (args >>> 2) + (left - 1) * argc;
      const a = Array.from(words.subarray(row, row + argc));
      a.push(scratch);
      try {
        fn(...a);
      } catch {
        Atomics.store(ctl, ${FAILED}, 1);
      }
      Atomics.add(ctl, ${DONE}, 1);
      Atomics.notify(ctl, ${DONE});
    }
  }
}
if (typeof require === "function") {
  const { workerData } = require("node:worker_threads");
  start(workerData);
} else {
  self.onmessage = (e) => start(e.data);
}
`;

/** What a worker is started with. */
interface WorkerInit {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly memory: WebAssembly.Memory;
  readonly control: number;
  readonly names: readonly string[];
  readonly scratch: number;
}

/** The `worker_threads` module of Node, found without a static import (browser bundles never see it). */
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: WorkerInit }) => { unref(): void };
}

/** `startWorker(init)` starts one worker, or returns false when this environment has no way to. */
function startWorker(init: WorkerInit): boolean {
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule === "function") {
    const threads = proc.getBuiltinModule("node:worker_threads") as NodeWorkerThreads | undefined;
    if (threads === undefined) return false;
    const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: init });
    worker.unref();
    return true;
  }
  const scope = globalThis as { Worker?: new (url: string) => { postMessage(data: unknown): void }; crossOriginIsolated?: boolean; Blob?: typeof Blob; URL?: typeof URL };
  if (scope.Worker === undefined || scope.crossOriginIsolated !== true || scope.Blob === undefined || scope.URL === undefined) return false;
  const url = scope.URL.createObjectURL(new scope.Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const worker = new scope.Worker(url);
  worker.postMessage(init);
  return true;
}

/** `canBlock()` is whether this thread may call `Atomics.wait` (false on a browser's main thread). */
function canBlock(probe: Int32Array): boolean {
  try {
    Atomics.wait(probe, 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** An export the pool can run, called as `fn(...row, scratch)`. */
export type Task = (...args: number[]) => void;

/**
 * A `ThreadPool` runs jobs over `1 + workers` threads. `run(fn, rows)` calls
 * export `names[fn]` once per argument row (each followed by the running
 * thread's scratch address), spread over the threads, and returns when all
 * calls are done.
 */
export class ThreadPool {
  readonly #memory: WebAssembly.Memory;
  readonly #control: number;
  readonly #fns: readonly Task[];
  readonly #scratch: number;
  readonly #block: boolean;
  #seq = 0;
  #started = false;

  /**
   * @param memory the shared memory; `control` is the byte address of {@link CONTROL_BYTES} zeroed bytes in it.
   * @param bytes the module the workers instantiate; `names` its exports jobs may run, `fns` the caller's own instances of them.
   * @param scratch the caller's scratch address; `workerScratch` one address per worker.
   */
  constructor(
    memory: WebAssembly.Memory,
    control: number,
    readonly bytes: Uint8Array<ArrayBuffer>,
    readonly names: readonly string[],
    fns: readonly Task[],
    scratch: number,
    readonly workerScratch: readonly number[],
  ) {
    this.#memory = memory;
    this.#control = control;
    this.#fns = fns;
    this.#scratch = scratch;
    this.#block = canBlock(this.#ctl());
  }

  #ctl(): Int32Array {
    return new Int32Array(this.#memory.buffer, this.#control, CONTROL_BYTES / 4);
  }

  /** Workers that have started and may take tasks (they start on first use). */
  get ready(): number {
    return Atomics.load(this.#ctl(), READY);
  }

  /** `start()` starts the workers in the background (once); they take tasks from the first job after they are ready. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const scratch of this.workerScratch) {
      if (!startWorker({ bytes: this.bytes, memory: this.#memory, control: this.#control, names: this.names, scratch })) return;
    }
  }

  /**
   * `wake()` wakes sleeping workers ahead of a job (they poll for it a
   * moment before sleeping again), so the job's hand-over does not wait for
   * a thread to be scheduled; call it before preparing a job's arguments.
   */
  wake(): void {
    if (this.#started && Atomics.load(this.#ctl(), READY) > 0) Atomics.notify(this.#ctl(), SEQ);
  }

  /**
   * `run(fn, argc, args, tasks)` runs export `fn` (an index of `names`) for
   * each of `tasks` rows of `argc` i32 arguments stored at byte address
   * `args`, on this thread and on every ready worker, and returns when all
   * are done. Rows run in any order and must not depend on each other.
   * @throws Error when a task threw on a worker (the caller's own tasks' errors propagate as thrown).
   */
  run(fn: number, argc: number, args: number, tasks: number): void {
    this.start();
    const ctl = this.#ctl();
    const call = this.#fns[fn] as Task;
    const words = new Int32Array(this.#memory.buffer);
    if (tasks <= 1 || Atomics.load(ctl, READY) === 0) {
      for (let t = 0; t < tasks; t++) this.#call(call, words, args, argc, t);
      return;
    }
    const seq = (this.#seq = (this.#seq + 1) | 0);
    const next = new BigInt64Array(this.#memory.buffer, this.#control + NEXT64_BYTE, 1);
    const tag = BigInt(seq >>> 0) << 32n;
    Atomics.store(ctl, FN, fn);
    Atomics.store(ctl, ARGC, argc);
    Atomics.store(ctl, ARGS, args);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(next, 0, tag | BigInt(tasks));
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    let failure: unknown;
    for (;;) {
      const v = Atomics.load(next, 0);
      const left = Number(v & 0xffffffffn);
      if (left === 0) break;
      if (Atomics.compareExchange(next, 0, v, v - 1n) !== v) continue;
      try {
        this.#call(call, words, args, argc, left - 1);
      } catch (e) {
        failure ??= e;
      }
      Atomics.add(ctl, DONE, 1);
    }
    // Even after a failure, wait for the workers' tasks: they write memory the caller may free next.
    for (let done = Atomics.load(ctl, DONE); done < tasks; done = Atomics.load(ctl, DONE)) {
      if (this.#block) Atomics.wait(ctl, DONE, done);
    }
    if (failure !== undefined) throw failure;
    if (Atomics.load(ctl, FAILED) !== 0) throw new Error("nx cpu: a WebAssembly kernel failed on a worker thread");
  }

  #call(call: Task, words: Int32Array, args: number, argc: number, t: number): void {
    const row = (args >>> 2) + t * argc;
    const a = Array.from(words.subarray(row, row + argc));
    a.push(this.#scratch);
    call(...a);
  }
}
