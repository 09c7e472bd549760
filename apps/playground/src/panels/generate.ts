/**
 * The Generate panel: the engine's model continues a prompt with KV-cache
 * decoding, one character at a time, streamed into the page, sampling as
 * `decoderLM.generate` does (temperature, top-k, top-p, min-p).
 */
import type { EngineClient } from "../engine/client.js";
import type { ModelInfo } from "../engine/protocol.js";
import { byId, numberOf, one } from "../ui/dom.js";
import { ErrorBox } from "../ui/errors.js";
import { describeModel } from "./train.js";

export function mountGenerate(client: EngineClient): void {
  const prompt = byId("gen-prompt", HTMLTextAreaElement);
  const length = byId("gen-length", HTMLInputElement);
  const temperature = byId("gen-temp", HTMLInputElement);
  const topK = byId("gen-topk", HTMLInputElement);
  const topP = byId("gen-topp", HTMLInputElement);
  const minP = byId("gen-minp", HTMLInputElement);
  const seed = byId("gen-seed", HTMLInputElement);
  const start = byId("gen-start", HTMLButtonElement);
  const stop = byId("gen-stop", HTMLButtonElement);
  const modelLine = byId("gen-model", HTMLElement);
  const count = byId("gen-count", HTMLOutputElement);
  const speed = byId("gen-tps", HTMLOutputElement);
  const output = byId("gen-output", HTMLElement);
  const promptOut = one(output, ".prompt", HTMLElement);
  const continuation = one(output, ".continuation", HTMLElement);
  const errors = new ErrorBox(byId("generate-error", HTMLElement));

  let running = false;
  let tokens = 0;
  let started = 0;

  const describe = (m: ModelInfo): string => {
    const untrained = m.step === 0 && m.origin.startsWith("random") ? " — untrained: train it in the Train panel, or open a .safetensors file there" : "";
    return `Model: ${describeModel(m)}${untrained}`;
  };

  client.on((event) => {
    if (event.event === "model") modelLine.textContent = describe(event.model);
    if (event.event === "token" && running) {
      continuation.textContent += event.text;
      tokens++;
      count.value = String(tokens);
      speed.value = (tokens / ((performance.now() - started) / 1000)).toFixed(1);
    }
  });

  start.addEventListener("click", () => {
    errors.clear();
    running = true;
    tokens = 0;
    started = performance.now();
    promptOut.textContent = prompt.value;
    continuation.textContent = "";
    count.value = "0";
    speed.value = "–";
    output.dataset.state = "running";
    start.disabled = true;
    stop.disabled = false;
    client
      .call("generate", {
        prompt: prompt.value,
        maxNewTokens: numberOf(length),
        temperature: numberOf(temperature),
        // An empty filter field keeps every token.
        ...(topK.value.trim() === "" ? {} : { topK: numberOf(topK) }),
        topP: topP.value.trim() === "" ? 1 : numberOf(topP),
        minP: minP.value.trim() === "" ? 0 : numberOf(minP),
        seed: numberOf(seed),
      })
      .then(
        (done) => {
          // The reply holds the whole continuation: it stays exact even if an event was missed.
          continuation.textContent = done.text;
          count.value = String(done.tokens);
          speed.value = done.tokensPerSecond.toFixed(1);
        },
        (e: unknown) => errors.show(e, "Could not generate"),
      )
      .finally(() => {
        running = false;
        output.dataset.state = "done";
        start.disabled = false;
        stop.disabled = true;
      });
  });
  stop.addEventListener("click", () => {
    void errors.guard(() => client.call("stopGenerate", {}));
  });
}
