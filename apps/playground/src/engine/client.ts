/**
 * The page's side of the engine: calls as Promises, events to listeners. The
 * engine runs in a Web Worker; when a backend cannot run in the worker on
 * this browser, the client moves the engine (and the model's weights) to the
 * main thread, where it yields between steps, and back when a later backend
 * can run in the worker.
 */
import { Engine, type EngineOptions } from "./engine.js";
import type { CallMessage, CallName, Calls, EngineEvent, EngineMessage, ModelInfo } from "./protocol.js";

/** One place the engine runs, with its pending calls. */
class Host {
  readonly where: "worker" | "main";
  readonly #send: (message: CallMessage) => void;
  readonly #onEvent: (event: EngineEvent, host: Host) => void;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;

  constructor(where: "worker" | "main", send: (message: CallMessage) => void, onEvent: (event: EngineEvent, host: Host) => void) {
    this.where = where;
    this.#send = send;
    this.#onEvent = onEvent;
  }

  receive(message: EngineMessage): void {
    if (!("id" in message)) {
      this.#onEvent(message, this);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
  }

  /** Fails every pending call (the worker died). */
  failAll(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  call<K extends CallName>(call: K, args: Calls[K]["args"]): Promise<Calls[K]["result"]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#send({ id, call, args } as CallMessage);
    });
  }
}

/** How the page starts the engine. */
export interface ClientOptions {
  /** Run the engine on the main thread from the start (`?engine=main`). */
  readonly forceMain: boolean;
  /** Backend ids the worker may build (`?workerBackends=a,b`); all when undefined. */
  readonly workerBackends?: readonly string[];
}

export class EngineClient {
  readonly #listeners = new Set<(event: EngineEvent) => void>();
  readonly #options: ClientOptions;
  #worker: Host | undefined;
  #main: Host | undefined;
  #active: Host;
  /** Why the engine runs on the main thread, when it does. */
  #mainReason: string | undefined;

  constructor(options: ClientOptions) {
    this.#options = options;
    if (options.forceMain) {
      this.#mainReason = "the page asked for it (?engine=main)";
      this.#active = this.#mainHost();
    } else {
      this.#active = this.#workerHost();
    }
  }

  /** Where the engine runs now, and why when it is the main thread. */
  get placement(): { where: "worker" | "main"; reason?: string } {
    return this.#active.where === "worker" || this.#mainReason === undefined ? { where: this.#active.where } : { where: "main", reason: this.#mainReason };
  }

  /** `on(listener)` subscribes to engine events; returns the unsubscribe function. */
  on(listener: (event: EngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** `call(name, args)` runs a call on the engine where it runs now. */
  call<K extends Exclude<CallName, "setBackend">>(call: K, args: Calls[K]["args"]): Promise<Calls[K]["result"]> {
    return this.#active.call(call, args);
  }

  /**
   * `setBackend(id)` selects a backend, in the worker when it can run there,
   * else on the main thread; the model's weights (and step count) follow.
   * @throws Error naming what failed in each place tried.
   */
  async setBackend(id: string): Promise<ModelInfo> {
    if (this.#options.forceMain) return this.#active.call("setBackend", { backend: id });
    const worker = this.#workerHost();
    let workerError: Error;
    try {
      const info = await worker.call("setBackend", { backend: id });
      return this.#active === worker ? info : await this.#move(worker, undefined);
    } catch (e) {
      workerError = e as Error;
    }
    const main = this.#mainHost();
    try {
      await main.call("setBackend", { backend: id });
    } catch (e) {
      throw Object.assign(new Error(`in a Web Worker: ${workerError.message} — on the main thread: ${(e as Error).message}`), { name: (e as Error).name });
    }
    return this.#move(main, workerError.message);
  }

  /** Moves the model from the active host to `to` and makes `to` active. */
  async #move(to: Host, mainReason: string | undefined): Promise<ModelInfo> {
    const from = this.#active;
    const model = await from.call("pause", {});
    const { bytes } = await from.call("exportWeights", {});
    const info = await to.call("importWeights", { bytes, origin: model.origin, step: model.step, budget: model.budget });
    this.#active = to;
    this.#mainReason = mainReason;
    this.#emit({ event: "model", model: info, training: false });
    return info;
  }

  #emit(event: EngineEvent): void {
    for (const l of this.#listeners) l(event);
  }

  #onEvent = (event: EngineEvent, host: Host): void => {
    if (host === this.#active) this.#emit(event);
  };

  #workerHost(): Host {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(new URL("./engine.worker.ts", import.meta.url), { type: "module", name: "raven-ts engine" });
    const host = new Host("worker", (m) => worker.postMessage(m), this.#onEvent);
    worker.onmessage = (e: MessageEvent<EngineMessage>) => host.receive(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      host.failAll(new Error(`the engine's Web Worker failed: ${e.message || "it could not start"}`));
    };
    const configure: EngineOptions = { host: "worker", ...(this.#options.workerBackends === undefined ? {} : { allowedBackends: this.#options.workerBackends }) };
    worker.postMessage({ configure });
    this.#worker = host;
    return host;
  }

  #mainHost(): Host {
    if (this.#main !== undefined) return this.#main;
    // Calls start in a later task, as a worker's would: the UI event that made the call finishes (and the page repaints) first.
    const engine = new Engine({ host: "main" }, (m) => queueMicrotask(() => host.receive(m)));
    const host: Host = new Host("main", (m) => setTimeout(() => engine.handle(m), 0), this.#onEvent);
    this.#main = host;
    return host;
  }
}
