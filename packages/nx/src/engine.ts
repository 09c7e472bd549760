/**
 * The engine: the backend registry, the current backend, live-tensor
 * accounting and `tidy` scopes. Tensors register here when created and
 * deregister when disposed or garbage-collected.
 */
import type { Backend, DataId } from "./backend.js";
import { cpuBackend } from "./cpu/index.js";
import { InvalidArgumentError } from "./errors.js";

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
let defaultName = "cpu";

/**
 * `registerBackend(name, factory)` makes a backend selectable by `name`.
 * Registering a name again replaces the factory (an instance already built stays until re-selected).
 * @throws InvalidArgumentError when `name` is empty.
 */
export function registerBackend(name: string, factory: BackendFactory): void {
  if (typeof name !== "string" || name.length === 0) throw new InvalidArgumentError("nx.registerBackend", `name must be a non-empty string, got ${JSON.stringify(name)}`);
  factories.set(name, factory);
  instances.delete(name);
}

/** `setDefaultBackendName(name)` is the backend `getBackend()` builds when none was selected (initially `"cpu"`). */
export function setDefaultBackendName(name: string): void {
  defaultName = name;
}

/**
 * `setBackend(nameOrInstance)` selects the backend new tensors are created on
 * and returns it. A name is looked up in the registry (built on first use);
 * an instance is used as given (and registered under its `name`).
 * @throws InvalidArgumentError when no backend is registered under the name.
 */
export function setBackend(nameOrInstance: string | Backend): Backend {
  if (typeof nameOrInstance !== "string") {
    instances.set(nameOrInstance.name, nameOrInstance);
    current = nameOrInstance;
    return current;
  }
  current = instanceOf(nameOrInstance, "nx.setBackend");
  return current;
}

function instanceOf(name: string, fn: string): Backend {
  const built = instances.get(name);
  if (built) return built;
  const factory = factories.get(name);
  if (!factory) throw new InvalidArgumentError(fn, `no backend registered under ${JSON.stringify(name)}; registered: ${[...factories.keys()].join(", ") || "none"}`);
  const backend = factory();
  instances.set(name, backend);
  return backend;
}

/** `getBackend()` is the current backend (the default one, built on first use, until `setBackend` is called). */
export function getBackend(): Backend {
  current ??= instanceOf(defaultName, "nx.getBackend");
  return current;
}

/** `listBackends()` is the names of the registered backends. */
export function listBackends(): string[] {
  return [...factories.keys()];
}

// ---------------------------------------------------------------------------
// Storage and live accounting

/** A backend buffer shared by every tensor that views it; freed when its last view goes. */
export class Storage {
  #refs = 0;

  constructor(
    readonly backend: Backend,
    readonly data: DataId,
    readonly bytes: number,
  ) {}

  retain(): void {
    this.#refs++;
  }

  release(): void {
    if (--this.#refs === 0) this.backend.free(this.data);
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

/** Records the end of a tensor view over `storage`. Internal: called by dispose and the finalizer. */
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

/** Adds a freshly created tensor to the innermost `tidy` scope. Internal. */
export function trackInScope(t: Disposable): void {
  scopes[scopes.length - 1]?.add(t);
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
