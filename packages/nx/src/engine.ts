/**
 * The engine: the backend registry, the current backend, live-tensor
 * accounting and `tidy` scopes. Tensors register here when created and
 * deregister when disposed or garbage-collected.
 */
import type { Backend, BackendCapabilities, DataId } from "./backend.js";
import { cpuBackend } from "./cpu/index.js";
import type { DType } from "./dtype.js";
import { DTYPES, isDType } from "./dtype.js";
import { InvalidArgumentError, fmtValue } from "./errors.js";

/** A function that builds a backend instance; called once, the first time the backend is selected. */
export type BackendFactory = () => Backend;

/**
 * The registry starts with the CPU backend under `"cpu"`. It is part of the
 * engine's own state rather than a module-level `registerBackend` call, so a
 * bundler that drops side-effect-only statements (`sideEffects: false`)
 * cannot lose the default backend.
 */
const factories = new Map<string, BackendFactory>([["cpu", cpuBackend]]);
const instances = new Map<string, Backend>();
let current: Backend | undefined;
const DEFAULT_BACKEND = "cpu";

/** The methods of a backend, listed exhaustively (a new method of `Backend` fails the type check until it is listed). */
const BACKEND_METHODS: { readonly [K in Exclude<keyof Backend, "name" | "capabilities">]: true } = {
  upload: true, read: true, readAsync: true, free: true, memory: true, fill: true, iota: true, unary: true, binary: true, compare: true,
  where: true, reduce: true, softmax: true, argReduce: true, scan: true, sort: true, cast: true, copy: true, matmul: true, gather: true, scatterAdd: true, pad: true,
  concat: true, updateSlice: true, randomUniform: true,
};

/** The dtypes the frontend itself computes in, which every backend must store. */
const REQUIRED_DTYPES: readonly DType[] = ["float32", "int32", "bool"];

function checkCapabilities(fn: string, caps: unknown, name: string): void {
  const bad = (detail: string): InvalidArgumentError => new InvalidArgumentError(fn, `backend ${JSON.stringify(name)}: capabilities${detail}`);
  if (typeof caps !== "object" || caps === null) throw bad(` must be an object, got ${fmtValue(caps)}`);
  const { dtypes, maxElements, maxExactInteger, subnormals } = caps as Partial<BackendCapabilities>;
  if (!Array.isArray(dtypes) || !dtypes.every(isDType)) throw bad(`.dtypes must be an array of dtypes (${DTYPES.join(", ")}), got ${fmtValue(dtypes)}`);
  const missing = REQUIRED_DTYPES.filter((d) => !dtypes.includes(d));
  if (missing.length > 0) throw bad(`.dtypes must include ${REQUIRED_DTYPES.join(", ")}; missing ${missing.join(", ")}`);
  if (typeof maxElements !== "number" || !Number.isSafeInteger(maxElements) || maxElements < 1) throw bad(`.maxElements must be a positive safe integer, got ${fmtValue(maxElements)}`);
  if (typeof maxExactInteger !== "number" || !(maxExactInteger >= 1)) throw bad(`.maxExactInteger must be a number >= 1 (Infinity allowed), got ${fmtValue(maxExactInteger)}`);
  if (typeof subnormals !== "boolean") throw bad(`.subnormals must be a boolean, got ${fmtValue(subnormals)}`);
}

/**
 * `checkBackend(fn, v)` returns `v` when it is a backend: an object with a
 * non-empty string `name`, valid `capabilities` (see `BackendCapabilities`)
 * and every method of `Backend`.
 * @throws InvalidArgumentError naming `fn` and the first thing missing otherwise.
 */
function checkBackend(fn: string, v: unknown): Backend {
  if (typeof v !== "object" || v === null) throw new InvalidArgumentError(fn, `expected a backend (an object implementing nx's Backend), got ${fmtValue(v)}`);
  const b = v as Partial<Backend>;
  if (typeof b.name !== "string" || b.name.length === 0) throw new InvalidArgumentError(fn, `a backend must have a non-empty string name, got ${fmtValue(b.name)}`);
  for (const m of Object.keys(BACKEND_METHODS) as (keyof typeof BACKEND_METHODS)[]) {
    if (typeof b[m] !== "function") throw new InvalidArgumentError(fn, `backend ${JSON.stringify(b.name)} lacks the method ${m}`);
  }
  checkCapabilities(fn, b.capabilities, b.name);
  return v as Backend;
}

function checkName(fn: string, name: unknown): string {
  if (typeof name !== "string" || name.length === 0) throw new InvalidArgumentError(fn, `name must be a non-empty string, got ${fmtValue(name)}`);
  return name;
}

/**
 * `registerBackend(name, factory)` makes a backend selectable by `name`.
 * Registering a name again replaces the factory (an instance already built stays until re-selected).
 * The factory runs when the backend is first selected; what it returns is
 * checked then (as {@link setBackend} checks an instance).
 * @throws InvalidArgumentError when `name` is not a non-empty string or `factory` is not a function; nothing is registered then.
 */
export function registerBackend(name: string, factory: BackendFactory): void {
  const fn = "nx.registerBackend";
  checkName(fn, name);
  if (typeof factory !== "function") throw new InvalidArgumentError(fn, `factory must be a function returning a backend, got ${fmtValue(factory)}`);
  factories.set(name, factory);
  instances.delete(name);
}

/**
 * `setBackend(nameOrInstance)` selects the backend new tensors are created on
 * and returns it. A name is looked up in the registry (built on first use);
 * an instance is used as given (and registered under its `name`), and the
 * result is typed as that instance (`setBackend(gpujsBackend()).mode`).
 * @throws InvalidArgumentError when no backend is registered under the name,
 * the factory's result or the instance is not a backend (an object with a
 * name, valid capabilities and every method of `Backend`), or the argument is
 * neither; the current backend and the registry are unchanged then.
 */
export function setBackend<B extends Backend>(instance: B): B;
export function setBackend(nameOrInstance: string | Backend): Backend;
export function setBackend(nameOrInstance: string | Backend): Backend {
  const backend = resolveBackend("nx.setBackend", nameOrInstance);
  if (typeof nameOrInstance !== "string") instances.set(backend.name, backend);
  current = backend;
  return current;
}

/**
 * `resolveBackend(fn, nameOrInstance)` is the backend a `backend` argument
 * names: a registered name (built on first use, without selecting it) or a
 * backend instance, checked. Internal.
 * @throws InvalidArgumentError naming `fn` otherwise.
 */
export function resolveBackend(fn: string, nameOrInstance: unknown): Backend {
  if (typeof nameOrInstance === "string") return instanceOf(nameOrInstance, fn);
  if (typeof nameOrInstance !== "object" || nameOrInstance === null) {
    throw new InvalidArgumentError(fn, `backend must be a registered name or a backend instance, got ${fmtValue(nameOrInstance)}`);
  }
  return checkBackend(fn, nameOrInstance);
}

function instanceOf(name: string, fn: string): Backend {
  const built = instances.get(name);
  if (built) return built;
  const factory = factories.get(name);
  if (!factory) throw new InvalidArgumentError(fn, `no backend registered under ${fmtValue(name)}; registered: ${[...factories.keys()].join(", ") || "none"}`);
  const backend = checkBackend(fn, factory());
  instances.set(name, backend);
  return backend;
}

/** `getBackend()` is the current backend (the CPU backend, built on first use, until `setBackend` is called). */
export function getBackend(): Backend {
  current ??= instanceOf(DEFAULT_BACKEND, "nx.getBackend");
  return current;
}

/** `listBackends()` is the names of the registered backends. */
export function listBackends(): string[] {
  return [...factories.keys()];
}

// ---------------------------------------------------------------------------
// The op the user called

/**
 * The public ops in progress, outermost first. A size or dtype the backend
 * cannot hold is reported under the outermost one: the function the user
 * called, not the op it is composed of.
 */
const opNames: string[] = [];

/**
 * `runNamedScoped(fn, body, settle)` is `runScoped(body, settle)` run as the
 * public op `fn` (see {@link userOp}); every public op runs this way. Internal.
 */
export function runNamedScoped<T>(fn: string, body: () => T, settle: (scope: Set<Disposable>, result: T | undefined) => void): T {
  opNames.push(fn);
  try {
    return runScoped(body, settle);
  } finally {
    opNames.pop();
  }
}

/** `userOp(fallback)` is the outermost public op in progress, or `fallback` when none is. Internal. */
export function userOp(fallback: string): string {
  return opNames[0] ?? fallback;
}

// ---------------------------------------------------------------------------
// Storage and live accounting

/**
 * What releasing a buffer needs, kept apart from its {@link Storage} so that
 * the finalizer can release a storage the garbage collector reclaimed.
 */
interface StorageState {
  readonly backend: Backend;
  readonly data: DataId;
  readonly bytes: number;
  /** Live tensors viewing the buffer. */
  refs: number;
  /** Whether the finalizer watches the storage. */
  watched: boolean;
}

/**
 * Releases the buffers of storages the garbage collector reclaimed with
 * tensors still counted on them (tensors that were never disposed): one
 * registration per buffer, not per tensor, since every tensor viewing a
 * buffer holds its storage. Those tensors leave the live counts then.
 *
 * A storage is registered only once one of its tensors is outside every
 * scope (`tidy`, or a public op in progress): while a scope holds a tensor
 * it cannot be collected, and the scope disposes it or hands it on. So the
 * intermediates of an op, created and disposed inside it, never pay for a
 * registration.
 */
const finalizer = new FinalizationRegistry<StorageState>((state) => {
  if (state.refs === 0) return;
  const c = liveOf(state.backend);
  c.tensors -= state.refs;
  c.bytes -= state.refs * state.bytes;
  state.refs = 0;
  state.backend.free(state.data);
});

/** A backend buffer shared by every tensor that views it; freed when its last view goes (or, for forgotten tensors, when the garbage collector reclaims the storage). */
export class Storage {
  readonly #state: StorageState;

  constructor(backend: Backend, data: DataId, bytes: number) {
    this.#state = { backend, data, bytes, refs: 0, watched: false };
  }

  /** `watch()` has the finalizer release the buffer if this storage is collected with tensors still counted on it (see `finalizer`). */
  watch(): void {
    const state = this.#state;
    if (state.watched || state.refs === 0) return;
    state.watched = true;
    finalizer.register(this, state, state);
  }

  get backend(): Backend {
    return this.#state.backend;
  }

  get data(): DataId {
    return this.#state.data;
  }

  get bytes(): number {
    return this.#state.bytes;
  }

  /** The number of live tensors viewing this buffer. */
  get refs(): number {
    return this.#state.refs;
  }

  retain(): void {
    this.#state.refs++;
  }

  release(): void {
    const state = this.#state;
    if (--state.refs !== 0) return;
    if (state.watched) finalizer.unregister(state);
    state.backend.free(state.data);
  }
}

interface LiveCount {
  tensors: number;
  bytes: number;
}

const live = new Map<string, LiveCount>();

function liveOf(backend: Backend): LiveCount {
  let c = live.get(backend.name);
  if (!c) {
    c = { tensors: 0, bytes: 0 };
    live.set(backend.name, c);
  }
  return c;
}

/** Records a new tensor view over `storage`. Internal: called by the Tensor constructor. */
export function trackCreate(storage: Storage): void {
  storage.retain();
  const c = liveOf(storage.backend);
  c.tensors++;
  c.bytes += storage.bytes;
}

/** Records the end of a tensor view over `storage`. Internal: called by `Tensor.dispose`. */
export function trackRelease(storage: Storage): void {
  const c = liveOf(storage.backend);
  c.tensors--;
  c.bytes -= storage.bytes;
  storage.release();
}

/** Live memory of one backend, as `nx.memory()` reports it. */
export interface BackendMemoryReport {
  /** Tensors (views included) created and not yet disposed or collected. */
  readonly tensors: number;
  /** Bytes those tensors address (a buffer shared by several views counts once per view). */
  readonly tensorBytes: number;
  /** Buffers the backend holds. */
  readonly buffers: number;
  /** Bytes the backend holds. */
  readonly bytes: number;
}

/** What `nx.memory()` returns. */
export interface MemoryReport {
  /** Live tensors on every backend. */
  readonly numTensors: number;
  /** Bytes the backends hold, all together. */
  readonly numBytes: number;
  /** The same, per backend name. */
  readonly backends: Readonly<Record<string, BackendMemoryReport>>;
}

/**
 * `memory()` is the live tensors and bytes per backend that has been used.
 * Counts fall when tensors are disposed (or, for forgotten tensors, when the
 * garbage collector finalizes them).
 */
export function memory(): MemoryReport {
  const backends: Record<string, BackendMemoryReport> = {};
  let numTensors = 0;
  let numBytes = 0;
  for (const [name, backend] of instances) {
    const c = live.get(name) ?? { tensors: 0, bytes: 0 };
    const m = backend.memory();
    backends[name] = { tensors: c.tensors, tensorBytes: c.bytes, buffers: m.buffers, bytes: m.bytes };
    numTensors += c.tensors;
    numBytes += m.bytes;
  }
  return { numTensors, numBytes, backends };
}

// ---------------------------------------------------------------------------
// tidy scopes

/** Anything disposable that a tidy scope tracks. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Disposable>[] = [];

/** Adds a tensor to the innermost scope (`tidy` or a public op) and returns true, or returns false when no scope is open. Internal. */
export function trackInScope(t: Disposable): boolean {
  const scope = scopes[scopes.length - 1];
  if (scope === undefined) return false;
  scope.add(t);
  return true;
}

/**
 * Runs `fn` in a new scope, then hands every tensor created in it to
 * `settle(scope, result)` (with `result` undefined when `fn` threw, in which
 * case the error propagates after settling). Internal to `tidy`.
 */
export function runScoped<T>(fn: () => T, settle: (scope: Set<Disposable>, result: T | undefined) => void): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T | undefined;
  try {
    result = fn();
    return result;
  } finally {
    scopes.pop();
    settle(scope, result);
  }
}
