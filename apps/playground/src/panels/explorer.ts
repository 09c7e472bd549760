/**
 * The attention explorer: a heatmap per head of `multiHeadAttention`'s
 * attention probabilities for the typed text, with random seeded weights,
 * the Train panel's model or a .safetensors file (one block at a time).
 * Computed on the page's CPU backend after every change.
 */
import * as nx from "@raven-ts/nx";
import type { EngineClient } from "../engine/client.js";
import type { ModelInfo } from "../engine/protocol.js";
import { MAX_TOKENS, attentionMaps, onExplorerCpu, type MapSettings, type MapSource } from "../model/attention-maps.js";
import { readCheckpoint, type LoadedCharLM } from "../model/demo.js";
import { byId, numberOf, readChosenFile } from "../ui/dom.js";
import { ErrorBox } from "../ui/errors.js";
import { heatmapFigure, renderLegend } from "../ui/heatmap.js";

type SourceKind = "random" | "trained" | "file";

export function mountExplorer(client: EngineClient, latestModel: () => ModelInfo | undefined): void {
  const form = byId("explorer-form", HTMLFormElement);
  const text = byId("ex-text", HTMLInputElement);
  const seed = byId("ex-seed", HTMLInputElement);
  const layer = byId("ex-layer", HTMLSelectElement);
  const embedDim = byId("ex-embed", HTMLInputElement);
  const numHeads = byId("ex-heads", HTMLInputElement);
  const numKvHeads = byId("ex-kv", HTMLInputElement);
  const padding = byId("ex-pad", HTMLInputElement);
  const isCausal = byId("ex-causal", HTMLInputElement);
  const rope = byId("ex-rope", HTMLInputElement);
  const fileInput = byId("ex-file", HTMLInputElement);
  const refresh = byId("ex-refresh", HTMLButtonElement);
  const sourceInfo = byId("ex-source-info", HTMLElement);
  const grid = byId("ex-heatmaps", HTMLElement);
  const legend = byId("ex-legend", HTMLElement);
  const summary = byId("ex-summary", HTMLElement);
  const tooltip = byId("ex-tooltip", HTMLElement);
  const errors = new ErrorBox(byId("explorer-error", HTMLElement));
  const radios = [...form.querySelectorAll<HTMLInputElement>('input[name="ex-source"]')];

  const models: { trained?: LoadedCharLM; file?: LoadedCharLM; fileName?: string } = {};
  /** The source whose maps are shown. */
  let shown: SourceKind = "random";

  const sourceKind = (): SourceKind => (radios.find((r) => r.checked)?.value ?? "random") as SourceKind;
  const setSourceKind = (kind: SourceKind): void => {
    for (const r of radios) r.checked = r.value === kind;
  };
  const currentModel = (): LoadedCharLM | undefined => (sourceKind() === "trained" ? models.trained : sourceKind() === "file" ? models.file : undefined);

  /** Shows the model's architecture in the (then fixed) size and mask fields (a decoder is causal with RoPE) and offers its layers. */
  const syncFields = (): void => {
    const model = currentModel();
    for (const input of [embedDim, numHeads, numKvHeads, seed, isCausal, rope]) input.disabled = model !== undefined;
    layer.disabled = model === undefined;
    if (model === undefined) {
      sourceInfo.textContent = "A multi-head attention layer initialised from the seed, over seeded random embeddings of the characters.";
      return;
    }
    embedDim.value = String(model.config.embedDim);
    numHeads.value = String(model.config.numHeads);
    numKvHeads.value = String(model.config.numKvHeads);
    isCausal.checked = true;
    rope.checked = true;
    const keep = Math.min(Number(layer.value) || 0, model.config.numLayers - 1);
    layer.replaceChildren(...Array.from({ length: model.config.numLayers }, (_, i) => new Option(`block ${i}`, String(i), false, i === keep)));
    const trained = latestModel();
    sourceInfo.textContent =
      sourceKind() === "trained"
        ? `The Train panel's model${trained === undefined ? "" : ` (${trained.origin}, step ${trained.step})`}: the attention of the chosen block over its normalised input, from the model's own pass (causal, RoPE).`
        : `${models.fileName ?? "file"}: the attention of the chosen block over its normalised input, from the model's own pass (causal, RoPE).`;
  };

  const settings = (): MapSettings => ({
    text: text.value,
    embedDim: numberOf(embedDim),
    numHeads: numberOf(numHeads),
    numKvHeads: numberOf(numKvHeads),
    isCausal: isCausal.checked,
    rope: rope.checked,
    padding: numberOf(padding),
  });

  const source = (): MapSource => {
    const model = currentModel();
    return model === undefined ? { kind: "random", seed: numberOf(seed) } : { kind: "model", model, layer: Number(layer.value) };
  };

  /**
   * The latest change the user made (a setting, the weights' source, a file,
   * Refresh). Each change takes the next number and marks the grid
   * "computing"; only the outcome of the latest change writes the grid, the
   * error box, `data-state` ("ready" or "error") and `data-version` (its
   * number), so a superseded computation or load never overwrites a newer status.
   */
  let request = 0;
  const begin = (): number => {
    grid.dataset.state = "computing";
    return ++request;
  };

  /** `compute(ticket)` draws the maps of the current settings, if `ticket` is still the latest change. */
  const compute = (ticket: number): void => {
    if (ticket !== request) return;
    errors.clear();
    try {
      const kind = sourceKind();
      if (kind !== "random" && currentModel() === undefined) {
        throw new Error(kind === "trained" ? "the Train panel's model is not loaded yet: press Refresh from Train" : "open a .safetensors file (from the Train panel's Download, or pnpm demo)");
      }
      const s = source();
      if (s.kind === "random" && !Number.isSafeInteger(s.seed)) throw new nx.InvalidArgumentError("playground.explorer", `the seed must be an integer, got ${seed.value}`);
      const chosen = settings();
      const maps = onExplorerCpu(() => attentionMaps(chosen, s));
      const max = Math.max(...maps.weights.flat(2), 1e-6);
      renderLegend(legend, max);
      const groups = maps.numHeads / maps.numKvHeads;
      grid.replaceChildren(...maps.weights.map((w, h) => heatmapFigure({ head: h, kvHead: Math.floor(h / groups), weights: w, tokens: maps.tokens, max }, tooltip)));
      const masked = chosen.padding;
      summary.textContent = `${maps.tokens.length} tokens · ${maps.numHeads} query heads reading ${maps.numKvHeads} key/value heads${chosen.isCausal ? " · causal" : ""}${chosen.rope ? " · RoPE" : ""}${masked > 0 ? ` · last ${masked} masked as padding` : ""}. Rows are queries, columns keys; each row sums to 1.`;
      grid.dataset.state = "ready";
    } catch (e) {
      grid.replaceChildren();
      legend.replaceChildren();
      summary.textContent = "";
      errors.show(e);
      grid.dataset.state = "error";
    }
    grid.dataset.version = String(ticket);
  };

  /** `failed(ticket, e, context)` shows why change `ticket` failed (the maps stay), if it is still the latest change. */
  const failed = (ticket: number, e: unknown, context: string): void => {
    if (ticket !== request) return;
    errors.show(e, context);
    grid.dataset.state = "error";
    grid.dataset.version = String(ticket);
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  /** A setting changed: recompute shortly (typing coalesces into one computation). */
  const schedule = (): void => {
    const ticket = begin();
    clearTimeout(timer);
    timer = setTimeout(() => compute(ticket), 120);
  };

  /** Shows `kind`'s weights now, as the latest change; a model source shows the model's own masks (causal, RoPE). */
  const show = (kind: SourceKind): void => {
    shown = kind;
    setSourceKind(kind);
    syncFields();
    compute(begin());
  };

  /**
   * `arrived(ticket, kind)` after the model of `kind` was loaded for change
   * `ticket`: it is shown, if that change is still the latest, or if a later
   * change left `kind` chosen (the maps then use it with the later settings).
   */
  const arrived = (ticket: number, kind: SourceKind): void => {
    if (ticket === request || sourceKind() === kind) show(kind);
  };

  const loadTrained = async (): Promise<void> => {
    refresh.disabled = true;
    try {
      const { bytes } = await client.call("exportWeights", {});
      const loaded = onExplorerCpu(() => readCheckpoint(bytes));
      if (models.trained !== undefined) nx.dispose(models.trained.vars.params);
      models.trained = loaded;
    } finally {
      refresh.disabled = false;
    }
  };

  /**
   * Shows `kind`'s weights: the Train panel's model is fetched first when
   * asked (`reload`) or not fetched yet. On failure the previous source stays.
   */
  const useSource = async (kind: SourceKind, reload = false): Promise<void> => {
    if (kind === "trained" && (reload || models.trained === undefined)) {
      const ticket = begin();
      try {
        await loadTrained();
      } catch (e) {
        if (ticket === request) setSourceKind(shown);
        failed(ticket, e, "Could not read the Train panel's model");
        return;
      }
      arrived(ticket, kind);
      return;
    }
    show(kind);
  };

  form.addEventListener("input", (e) => {
    // The source radios and the file input have handlers of their own.
    if (e.target === fileInput || (e.target instanceof HTMLInputElement && e.target.name === "ex-source")) return;
    schedule();
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  for (const r of radios) r.addEventListener("change", () => void useSource(sourceKind()));
  refresh.addEventListener("click", () => void useSource("trained", true));
  fileInput.addEventListener("change", () => {
    const ticket = begin();
    void (async () => {
      const chosen = await readChosenFile(fileInput);
      if (chosen === undefined) {
        // The file dialog was cancelled: the maps of the settings stand.
        compute(ticket);
        return;
      }
      try {
        const loaded = onExplorerCpu(() => readCheckpoint(chosen.bytes));
        if (models.file !== undefined) nx.dispose(models.file.vars.params);
        models.file = loaded;
        models.fileName = chosen.name;
      } catch (e) {
        failed(ticket, e, `Could not open ${chosen.name}`);
        return;
      }
      arrived(ticket, "file");
    })();
  });

  text.maxLength = MAX_TOKENS;
  syncFields();
  compute(begin());
}
