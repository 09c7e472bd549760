/**
 * The engine: holds the tiny decoder-only model, trains it on the demo's
 * text, generates with the KV cache, and times the benchmark cases. It runs
 * in a Web Worker (engine.worker.ts) or, where a backend cannot run in a
 * worker, on the main thread (client.ts); either way it yields between
 * steps, so pause and stop messages are handled within one step.
 */
import * as nx from "@raven-ts/nx";
import type { Backend, Tensor } from "@raven-ts/nx";
import { Layer, Ptree, Rng, Train, type TrainState, type Trainer } from "@raven-ts/kaun-core";
import { sampleTokens, type DecoderLMLayer } from "@raven-ts/kaun-attention";
import { backendChoice, type BackendChoice } from "../model/backends.js";
import { RECIPE, TRAINING, TRAINING_TEXT, batches, charVocab, checkpointBytes, decodeIds, encode, readCheckpoint, tinyLMConfig, tinyLMTrainer, type TextBatch } from "../model/demo.js";
import { benchCases } from "./bench.js";
import type { BackendInfo, BenchRow, CallMessage, Calls, EngineMessage, GenerateDone, ModelInfo, TrainStop } from "./protocol.js";

/** Where the engine runs, and the backends it may build there (all when undefined). */
export interface EngineOptions {
  readonly host: "worker" | "main";
  /** Backend ids this host may build; others are reported as unavailable here (to exercise the main-thread fallback). */
  readonly allowedBackends?: readonly string[];
}

/** The model the engine holds. */
interface Held {
  readonly model: DecoderLMLayer;
  readonly trainer: Trainer<"int32", "float">;
  readonly vocab: readonly string[];
  readonly trainable: boolean;
  readonly origin: string;
  readonly budget: number;
  readonly seed: number;
  readonly stream: Generator<TextBatch, never, void>;
  state: TrainState;
  step: number;
}

/** `nextTask()` resolves in a new task, letting queued messages (pause, stop) run first. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** `nextFrame()` resolves after the page has rendered a frame and handled pending input (for the main-thread engine). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** Steps/s is measured over this many recent steps. */
const SPEED_WINDOW = 10;

/** The step budget before the page sets one. */
const DEFAULT_BUDGET = 300;

/** @throws InvalidArgumentError naming `fn` when `budget` is not an integer in [1, 100000]. */
function checkBudget(fn: string, budget: number): void {
  if (!Number.isInteger(budget) || budget < 1 || budget > 100_000) throw new nx.InvalidArgumentError(fn, `the step budget must be an integer in [1, 100000], got ${String(budget)}`);
}

export class Engine {
  readonly #options: EngineOptions;
  /** How the engine yields between steps: a new task in a worker, a rendered frame on the main thread. */
  readonly #yield: () => Promise<void>;
  readonly #post: (message: EngineMessage, transfer?: Transferable[]) => void;
  readonly #backends = new Map<string, Backend>();
  readonly #corpus = (() => {
    const vocab = charVocab(TRAINING_TEXT);
    return { vocab, ids: encode(vocab, TRAINING_TEXT) };
  })();
  #choice: BackendChoice = backendChoice("cpu");
  #held: Held | undefined;
  /** Serialises the calls that use the model or switch backends. */
  #queue: Promise<unknown> = Promise.resolve();
  #training: Promise<TrainStop> | undefined;
  #stopTraining = false;
  #stopGenerating = false;

  constructor(options: EngineOptions, post: (message: EngineMessage, transfer?: Transferable[]) => void) {
    this.#options = options;
    this.#yield = options.host === "main" ? nextFrame : nextTask;
    this.#post = post;
    // The engine computes on the picker's instances only (the first model on the "cpu" entry's).
    const cpu = nx.cpuBackend();
    this.#backends.set(this.#choice.id, cpu);
    nx.setBackend(cpu);
  }

  /** `handle(message)` runs one call and posts its reply (errors as `{ ok: false, error }`). */
  handle(message: CallMessage): void {
    this.#dispatch(message).then(
      ([value, transfer]) => this.#post({ id: message.id, ok: true, value }, transfer),
      (e: unknown) => {
        const error = e instanceof Error ? { name: e.name, message: e.message } : { name: "Error", message: String(e) };
        this.#post({ id: message.id, ok: false, error });
      },
    );
  }

  async #dispatch(m: CallMessage): Promise<[unknown, Transferable[]?]> {
    switch (m.call) {
      case "setBackend":
        return [await this.#exclusive(() => this.#setBackend(m.args.backend))];
      case "reset":
        return [await this.#exclusive(async () => this.#reset(m.args.seed, m.args.budget))];
      case "train":
        return [await this.#train(m.args.budget)];
      case "pause":
        return [await this.#pause()];
      case "exportWeights": {
        const bytes = this.#exportWeights();
        return [{ bytes }, [bytes.buffer]];
      }
      case "importWeights":
        return [await this.#exclusive(async () => this.#importWeights(m.args))];
      case "generate":
        return [await this.#exclusive(() => this.#generate(m.args))];
      case "stopGenerate":
        this.#stopGenerating = true;
        return [null];
      case "greedyReference":
        return [await this.#exclusive(async () => this.#greedyReference(m.args.prompt, m.args.maxNewTokens))];
      case "bench":
        return [await this.#exclusive(() => this.#bench(m.args.backends))];
    }
  }

  /** Runs `fn` after every earlier exclusive call, pausing training first (training holds the model while it runs). */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.#pause();
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #backendInfo(): BackendInfo {
    const backend = nx.getBackend();
    return { id: this.#choice.id, label: this.#choice.label, library: this.#choice.library, mode: this.#choice.describe(backend), summary: this.#choice.summary(backend), host: this.#options.host };
  }

  #info(held: Held): ModelInfo {
    return {
      step: held.step,
      budget: held.budget,
      config: held.model.config,
      vocab: held.vocab,
      parameters: Ptree.countParameters(held.state.vars.params),
      trainable: held.trainable,
      origin: held.origin,
      backend: this.#backendInfo(),
    };
  }

  #announce(held: Held, training: boolean): ModelInfo {
    const model = this.#info(held);
    this.#post({ event: "model", model, training });
    return model;
  }

  /** The backend of `id`, built once. @throws InvalidArgumentError when this host lacks it. */
  async #backendFor(id: string): Promise<Backend> {
    const built = this.#backends.get(id);
    if (built) return built;
    const choice = backendChoice(id);
    const allowed = this.#options.allowedBackends;
    if (allowed !== undefined && !allowed.includes(id)) {
      throw new nx.InvalidArgumentError("playground", `${choice.label} is not available in a Web Worker here`);
    }
    const backend = await choice.create();
    this.#backends.set(id, backend);
    return backend;
  }

  #current(): Held {
    return (this.#held ??= this.#fresh(0, DEFAULT_BUDGET));
  }

  #fresh(seed: number, budget: number): Held {
    const { model, trainer } = tinyLMTrainer(tinyLMConfig(this.#corpus.vocab.length), { steps: budget });
    const state = Rng.run(seed, () => Train.init(trainer, { dtype: "float32" }));
    const stream = batches(this.#corpus.ids, { batch: TRAINING.batch, seqLen: TRAINING.seqLen, seed: seed + 1 });
    return { model, trainer, vocab: this.#corpus.vocab, trainable: true, origin: `random init, seed ${seed}`, budget, seed, stream, state, step: 0 };
  }

  #reset(seed: number, budget: number): ModelInfo {
    const fn = "playground.reset";
    if (!Number.isSafeInteger(seed)) throw new nx.InvalidArgumentError(fn, `the seed must be an integer, got ${String(seed)}`);
    checkBudget(fn, budget);
    const next = this.#fresh(seed, budget);
    this.#drop();
    this.#held = next;
    return this.#announce(next, false);
  }

  #drop(): void {
    if (this.#held !== undefined) nx.dispose(this.#held.state);
    this.#held = undefined;
  }

  async #setBackend(id: string): Promise<ModelInfo> {
    const backend = await this.#backendFor(id);
    const held = this.#held;
    // Move the weights through the checkpoint format (the optimizer state restarts on the new backend).
    const bytes = held === undefined ? undefined : checkpointBytes(held.state.vars.params, { model: held.model, vocab: held.vocab });
    nx.setBackend(backend);
    this.#choice = backendChoice(id);
    if (held === undefined || bytes === undefined) return this.#announce(this.#current(), false);
    const loaded = readCheckpoint(bytes);
    const state = Train.makeState(held.trainer, loaded.vars);
    nx.dispose(held.state);
    held.state = state;
    return this.#announce(held, false);
  }

  #importWeights({ bytes, origin, step = 0, budget = this.#held?.budget ?? DEFAULT_BUDGET }: Calls["importWeights"]["args"]): ModelInfo {
    checkBudget("playground.importWeights", budget);
    const loaded = readCheckpoint(bytes); // validates everything before anything changes
    const previous = this.#held;
    const { trainer } = tinyLMTrainer(loaded.config, { steps: budget });
    const sameVocab = loaded.vocab.length === this.#corpus.vocab.length && loaded.vocab.every((c, i) => c === this.#corpus.vocab[i]);
    const seed = previous?.seed ?? 0;
    const held: Held = {
      model: loaded.model,
      trainer,
      vocab: loaded.vocab,
      trainable: sameVocab,
      origin,
      budget,
      seed,
      stream: batches(this.#corpus.ids, { batch: TRAINING.batch, seqLen: TRAINING.seqLen, seed: seed + 1 }),
      state: Train.makeState(trainer, loaded.vars),
      step: Math.min(step, budget),
    };
    this.#drop();
    this.#held = held;
    return this.#announce(held, false);
  }

  #exportWeights(): Uint8Array {
    const held = this.#current();
    const training = { ...TRAINING, steps: held.step, budget: held.budget, seed: held.seed, ...RECIPE, trainedIn: "playground" };
    return checkpointBytes(held.state.vars.params, { model: held.model, vocab: held.vocab, training });
  }

  async #pause(): Promise<ModelInfo> {
    if (this.#training !== undefined) {
      this.#stopTraining = true;
      await this.#training.catch(() => undefined);
    }
    return this.#info(this.#current());
  }

  async #train(budget: number): Promise<TrainStop> {
    if (this.#training !== undefined) throw new nx.InvalidArgumentError("playground.train", "training is already running");
    await this.#queue;
    let held = this.#current();
    if (!held.trainable) {
      throw new nx.InvalidArgumentError("playground.train", `this model's vocabulary (${held.vocab.length} characters) differs from the training text's: it can generate, but not train on the sonnets`);
    }
    if (held.step === 0 && budget !== held.budget) held = this.#retarget(held, budget);
    this.#stopTraining = false;
    const run = this.#trainLoop(held);
    this.#training = run;
    this.#queue = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      this.#training = undefined;
    }
  }

  /** The held model with a schedule over `budget` steps (only before the first step). */
  #retarget(held: Held, budget: number): Held {
    checkBudget("playground.train", budget);
    const { trainer } = tinyLMTrainer(held.model.config, { steps: budget });
    const next: Held = { ...held, trainer, budget, state: Train.makeState(trainer, held.state.vars) };
    nx.dispose(held.state.opt);
    this.#held = next;
    return next;
  }

  async #trainLoop(held: Held): Promise<TrainStop> {
    this.#announce(held, true);
    const dropoutKey = nx.random.key(held.seed + 2);
    const stamps: number[] = [performance.now()];
    const tokensPerStep = TRAINING.batch * TRAINING.seqLen;
    while (held.step < held.budget && !this.#stopTraining) {
      const batch = held.stream.next().value;
      const [lossTensor, next] = Rng.withKey(nx.random.foldIn(dropoutKey, held.step), () => Train.step(held.trainer, held.state, batch.x, { loss: batch.loss }));
      batch.dispose();
      Train.disposeStale(held.state, next);
      held.state = next;
      held.step++;
      const loss = (await lossTensor.data())[0] as number;
      lossTensor.dispose();
      const finished = performance.now();
      stamps.push(finished);
      if (stamps.length > SPEED_WINDOW + 1) stamps.shift();
      const stepsPerSecond = ((stamps.length - 1) * 1000) / ((stamps.at(-1) as number) - (stamps[0] as number));
      const progress = { step: held.step, budget: held.budget, loss, stepsPerSecond, tokensPerSecond: stepsPerSecond * tokensPerStep, finishedAt: performance.timeOrigin + finished };
      this.#post({ event: "progress", progress });
      await this.#yield();
    }
    const reason = held.step >= held.budget ? "finished" : "paused";
    return { reason, model: this.#announce(held, false) };
  }

  async #generate(args: Calls["generate"]["args"]): Promise<GenerateDone> {
    const fn = "playground.generate";
    const { prompt, maxNewTokens, temperature, topK, topP, minP, seed } = args;
    if (prompt.length === 0) throw new nx.InvalidArgumentError(fn, "type a prompt of at least one character");
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens > 2000) throw new nx.InvalidArgumentError(fn, `the number of characters must be an integer in [1, 2000], got ${String(maxNewTokens)}`);
    if (temperature > 10) throw new nx.InvalidArgumentError(fn, `the temperature must be at most 10, got ${String(temperature)}`);
    if (!Number.isSafeInteger(seed)) throw new nx.InvalidArgumentError(fn, `the seed must be an integer, got ${String(seed)}`);
    const held = this.#current();
    const ids = encode(held.vocab, prompt);
    const { model } = held;
    const vars = held.state.vars;
    const key = nx.random.key(seed);
    // decoderLM.generate's choice of each token: sampleTokens checks the filters (at the first step, before any token is shown).
    const sampling = { temperature, topP, minP, ...(topK === undefined ? {} : { topK }) };
    let caches = model.initCache({ batch: 1, maxLength: ids.length + maxNewTokens });
    let input: Tensor = nx.tensor(ids, { shape: [1, ids.length] });
    this.#stopGenerating = false;
    const started = performance.now();
    let text = "";
    let tokens = 0;
    try {
      for (let step = 0; step < maxNewTokens && !this.#stopGenerating; step++) {
        // As decoderLM.generate: the last position's logits, the token chosen with the key folded by the step.
        const [next, nextCaches] = nx.tidy(() => {
          const [logits, extended] = model.decode(vars, input, caches);
          const last = nx.squeeze(nx.slice(logits, [null, { start: -1 }]), 1);
          return [nx.reshape(sampleTokens(last, { ...sampling, key: nx.random.foldIn(key, step) }), [1, 1]), extended] as const;
        });
        nx.dispose(caches);
        input.dispose();
        caches = nextCaches;
        input = next;
        const id = (await next.data())[0] as number;
        const char = decodeIds(held.vocab, [id]);
        text += char;
        tokens++;
        this.#post({ event: "token", text: char });
        await this.#yield();
      }
    } finally {
      nx.dispose(caches);
      input.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    return { text, tokens, seconds, tokensPerSecond: tokens / seconds, stopped: tokens < maxNewTokens };
  }

  #greedyReference(prompt: string, maxNewTokens: number): { text: string } {
    const held = this.#current();
    const ids = Array.from(encode(held.vocab, prompt));
    for (let i = 0; i < maxNewTokens; i++) {
      const id = nx.tidy(() => {
        const [logits] = Layer.apply(held.model, held.state.vars, nx.tensor(Int32Array.from(ids), { shape: [1, ids.length] }), { training: false });
        return Number(nx.argmax(nx.slice(logits, [0, -1]), { axis: -1 }).item());
      });
      ids.push(id);
    }
    return { text: decodeIds(held.vocab, ids.slice(ids.length - maxNewTokens)) };
  }

  async #bench(ids: readonly string[]): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const current = nx.getBackend();
    const cases = benchCases();
    const total = ids.length * cases.length;
    try {
      for (const id of ids) {
        const choice = backendChoice(id);
        const base = { backend: id, label: choice.label, library: choice.library, host: this.#options.host };
        let backend: Backend;
        try {
          backend = await this.#backendFor(id);
        } catch (e) {
          for (const c of cases) {
            const row: BenchRow = { ...base, mode: choice.mode, case: c.name, error: e instanceof Error ? e.message : String(e) };
            rows.push(row);
            this.#post({ event: "bench", row, done: rows.length, total });
          }
          continue;
        }
        nx.setBackend(backend);
        const mode = choice.describe(backend);
        for (const c of cases) {
          let row: BenchRow;
          try {
            const { ms, runs } = await c.time(this.#yield);
            row = { ...base, mode, case: c.name, ms, runs, gflops: c.flops / (ms * 1e6) };
          } catch (e) {
            row = { ...base, mode, case: c.name, error: e instanceof Error ? e.message : String(e) };
          }
          rows.push(row);
          this.#post({ event: "bench", row, done: rows.length, total });
        }
      }
    } finally {
      nx.setBackend(current);
    }
    return rows;
  }
}
