/**
 * The playground page: four panels (attention explorer, training, generation,
 * benchmarks) over one engine. URL options: `?engine=main` runs the engine on
 * the main thread; `?workerBackends=cpu,...` limits what the Web Worker may
 * build (the others then fall back to the main thread).
 */
import "./styles.css";
import { EngineClient } from "./engine/client.js";
import type { ModelInfo } from "./engine/protocol.js";
import { mountBench } from "./panels/bench.js";
import { mountExplorer } from "./panels/explorer.js";
import { mountGenerate } from "./panels/generate.js";
import { mountTrain } from "./panels/train.js";
import { byId } from "./ui/dom.js";
import { ErrorBox } from "./ui/errors.js";

const PANELS = ["explorer", "train", "generate", "bench"] as const;

/** What the end-to-end tests (and curious users, from the console) can reach. */
export interface PlaygroundHook {
  readonly client: EngineClient;
  /** The greedy continuation computed without the KV cache, to compare with the Generate panel. */
  greedyReference(prompt: string, maxNewTokens: number): Promise<string>;
  /** Resolves once the first model is loaded. */
  readonly ready: Promise<ModelInfo>;
}

declare global {
  interface Window {
    ravenPlayground?: PlaygroundHook;
  }
}

const appErrors = new ErrorBox(byId("app-error", HTMLElement));
window.addEventListener("error", (e) => appErrors.show(e.error ?? e.message, "Unexpected error"));
window.addEventListener("unhandledrejection", (e) => appErrors.show(e.reason, "Unexpected error"));

function showPanel(): void {
  const wanted = location.hash.slice(1);
  const current = (PANELS as readonly string[]).includes(wanted) ? wanted : "explorer";
  for (const id of PANELS) {
    byId(id, HTMLElement).hidden = id !== current;
    byId(`tab-${id}`, HTMLAnchorElement).setAttribute("aria-selected", String(id === current));
  }
}
window.addEventListener("hashchange", showPanel);
showPanel();

const params = new URLSearchParams(location.search);
const workerBackends = params.get("workerBackends");
const client = new EngineClient({ forceMain: params.get("engine") === "main", ...(workerBackends === null ? {} : { workerBackends: workerBackends.split(",") }) });
let latest: ModelInfo | undefined;
client.on((event) => {
  if (event.event === "model") latest = event.model;
});

mountExplorer(client, () => latest);
mountTrain(client);
mountGenerate(client);
mountBench(client);

byId("isolation", HTMLElement).textContent = crossOriginIsolated ? "Cross-origin isolated: SharedArrayBuffer available" : "Not cross-origin isolated";

const ready = client.call("reset", { seed: 0, budget: 300 });
ready.catch((e: unknown) => appErrors.show(e, "The engine did not start"));
window.ravenPlayground = {
  client,
  greedyReference: async (prompt, maxNewTokens) => (await client.call("greedyReference", { prompt, maxNewTokens })).text,
  ready,
};
