/**
 * The Train panel: the demo's tiny decoder-only model learns the sonnets in
 * the engine (a Web Worker, or the main thread where the backend needs it),
 * with start / pause / reset, a backend picker, a live loss chart, speed,
 * progress, and the weights as .safetensors files.
 */
import type { EngineClient } from "../engine/client.js";
import type { ModelInfo, TrainProgress } from "../engine/protocol.js";
import { BACKENDS, backendChoice } from "../model/backends.js";
import { TRAINING_TEXT, charVocab, encode, unigramEntropy } from "../model/demo.js";
import { lossChart } from "../ui/charts.js";
import { byId, download, numberOf, readChosenFile } from "../ui/dom.js";
import { ErrorBox } from "../ui/errors.js";

/** `describeModel(m)` is one line about the model: where its weights come from, its size and its backend. */
export function describeModel(m: ModelInfo): string {
  const c = m.config;
  return `${m.origin} · step ${m.step} of ${m.budget} · ${c.numLayers} blocks, width ${c.embedDim}, ${c.numHeads} heads (${c.numKvHeads} kv), ${m.vocab.length}-character vocabulary, ${m.parameters.toLocaleString("en-US")} parameters · ${m.backend.summary}`;
}

export function mountTrain(client: EngineClient): void {
  const backend = byId("tr-backend", HTMLSelectElement);
  const steps = byId("tr-steps", HTMLInputElement);
  const seed = byId("tr-seed", HTMLInputElement);
  const start = byId("tr-start", HTMLButtonElement);
  const pause = byId("tr-pause", HTMLButtonElement);
  const reset = byId("tr-reset", HTMLButtonElement);
  const placement = byId("tr-placement", HTMLElement);
  const downloadButton = byId("tr-download", HTMLButtonElement);
  const upload = byId("tr-upload", HTMLInputElement);
  const stepOut = byId("tr-step", HTMLOutputElement);
  const lossOut = byId("tr-loss", HTMLOutputElement);
  const spsOut = byId("tr-sps", HTMLOutputElement);
  const tpsOut = byId("tr-tps", HTMLOutputElement);
  const progress = byId("tr-progress", HTMLProgressElement);
  const modelLine = byId("tr-model", HTMLElement);
  const info = byId("train-info", HTMLElement);
  const errors = new ErrorBox(byId("train-error", HTMLElement));
  const vocab = charVocab(TRAINING_TEXT);
  const chart = lossChart(byId("tr-chart", HTMLCanvasElement), unigramEntropy(encode(vocab, TRAINING_TEXT), vocab.length));

  backend.replaceChildren(...BACKENDS.map((b) => new Option(b.label, b.id)));
  let selected = backend.value;
  let training = false;
  let busy = false;
  /** What a long action is doing, shown while it runs. */
  let doing: string | undefined;
  let model: ModelInfo | undefined;

  const render = (): void => {
    start.disabled = training || busy || model?.trainable === false || (model !== undefined && model.step >= model.budget);
    pause.disabled = !training;
    reset.disabled = busy;
    backend.disabled = busy;
    downloadButton.disabled = busy;
    steps.disabled = training;
    const where = client.placement;
    placement.textContent =
      doing !== undefined
        ? doing
        : where.where === "worker"
        ? "Training runs in a Web Worker, off the main thread."
        : `Training runs on the main thread, yielding between steps (the page may pause during each step), because the Web Worker could not use this backend: ${where.reason ?? ""}`;
    if (model !== undefined) {
      modelLine.textContent = describeModel(model);
      stepOut.value = `${model.step} / ${model.budget}`;
      progress.max = model.budget;
      progress.value = model.step;
      info.hidden = model.trainable;
      info.textContent = model.trainable ? "" : "This model was trained on a different text (its vocabulary differs from the sonnets'): it can generate and be explored, but not train here. Reset to train a new one.";
    }
  };

  const showProgress = (p: TrainProgress): void => {
    stepOut.value = `${p.step} / ${p.budget}`;
    lossOut.value = p.loss.toFixed(3);
    spsOut.value = p.stepsPerSecond >= 1 ? p.stepsPerSecond.toFixed(1) : p.stepsPerSecond.toPrecision(2);
    tpsOut.value = Math.round(p.tokensPerSecond).toLocaleString("en-US");
    progress.max = p.budget;
    progress.value = p.step;
    chart.push(p.step, p.loss);
  };

  client.on((event) => {
    if (event.event === "progress") showProgress(event.progress);
    if (event.event === "model") {
      model = event.model;
      training = event.training;
      if (selected !== event.model.backend.id) backend.value = selected = event.model.backend.id;
      render();
    }
  });

  /** Runs a user action with the buttons locked, showing its error. */
  const act = async <T>(fn: () => Promise<T>, context?: string, what?: string): Promise<T | undefined> => {
    busy = true;
    doing = what;
    render();
    try {
      return await errors.guard(fn, context);
    } finally {
      busy = false;
      doing = undefined;
      render();
    }
  };

  start.addEventListener("click", () => {
    errors.clear();
    training = true;
    render();
    client.call("train", { budget: numberOf(steps) }).then(
      (stop) => {
        training = false;
        model = stop.model;
        render();
      },
      (e: unknown) => {
        training = false;
        errors.show(e, "Training stopped");
        render();
      },
    );
  });
  pause.addEventListener("click", () => {
    pause.disabled = true;
    void errors.guard(() => client.call("pause", {}));
  });
  reset.addEventListener("click", () => {
    void act(async () => {
      const m = await client.call("reset", { seed: numberOf(seed), budget: numberOf(steps) });
      chart.reset(m.budget);
      for (const out of [lossOut, spsOut, tpsOut]) out.value = "–";
    });
  });
  backend.addEventListener("change", () => {
    const wanted = backend.value;
    const { label } = backendChoice(wanted);
    void act(async () => {
      try {
        await client.setBackend(wanted);
        selected = wanted;
      } catch (e) {
        backend.value = selected;
        throw e;
      }
    }, `Could not switch to ${label}`, `Starting ${label} and moving the weights to it…`);
  });
  downloadButton.addEventListener("click", () => {
    void act(async () => {
      const { bytes } = await client.call("exportWeights", {});
      download(bytes, `tiny-lm-step${model?.step ?? 0}.safetensors`);
    }, "Could not save the weights");
  });
  upload.addEventListener("change", () => {
    void (async () => {
      const chosen = await readChosenFile(upload);
      if (chosen === undefined) return;
      await act(async () => {
        const m = await client.call("importWeights", { bytes: chosen.bytes, origin: `file ${chosen.name}`, budget: numberOf(steps) });
        chart.reset(m.budget);
        for (const out of [lossOut, spsOut, tpsOut]) out.value = "–";
      }, `Could not open ${chosen.name}`);
    })();
  });
  steps.addEventListener("change", () => {
    if (model !== undefined && model.step === 0 && Number.isInteger(numberOf(steps)) && numberOf(steps) > 0) {
      progress.max = numberOf(steps);
      stepOut.value = `0 / ${numberOf(steps)}`;
      chart.reset(numberOf(steps));
    }
  });
  render();
}
