// A character-level decoder-only language model trained on examples/data/sonnets.txt.
// `trainCharLM` is the reusable part (the demo script and its test call it).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as nx from "@raven-ts/nx";
import { Loss, Optim, Rng, Train } from "@raven-ts/kaun-core";
import { decoderLM } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));

/** The training text, and its character vocabulary. */
export function loadCorpus() {
  const text = readFileSync(resolve(here, "data/sonnets.txt"), "utf8");
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  const ids = Int32Array.from(text, (c) => /** @type {number} */ (index.get(c)));
  return { text, chars, ids };
}

/** The unigram (character-frequency) entropy of `ids`, in nats: the loss of a model that ignores context. */
export function unigramEntropy(ids, vocabSize) {
  const counts = new Float64Array(vocabSize);
  for (const id of ids) counts[id] += 1;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / ids.length) * Math.log(c / ids.length);
  return h;
}

/**
 * The windows of `ids` at `starts`: int32 inputs `x` `[starts.length, seqLen]`
 * and their next-character `labels` (the same windows shifted by one).
 */
export function windowBatch(ids, starts, seqLen) {
  const x = new Int32Array(starts.length * seqLen);
  const y = new Int32Array(starts.length * seqLen);
  starts.forEach((s, b) => {
    x.set(ids.subarray(s, s + seqLen), b * seqLen);
    y.set(ids.subarray(s + 1, s + seqLen + 1), b * seqLen);
  });
  return { x: nx.tensor(x, { shape: [starts.length, seqLen] }), labels: nx.tensor(y, { shape: [starts.length, seqLen] }) };
}

/** An endless stream of batches of `batch` random windows of `seqLen + 1` characters (inputs and next-character labels). */
function* batches(ids, { batch, seqLen, seed }) {
  let key = nx.random.key(seed);
  for (;;) {
    const [next, sub] = nx.random.split(key);
    key = next;
    const starts = nx.tidy(() => nx.random.randint(sub, [batch], 0, ids.length - seqLen - 1).dataSync());
    const { x, labels } = windowBatch(ids, Array.from(starts), seqLen);
    yield { x, loss: (logits) => Loss.crossEntropySparse(logits, labels), dispose: () => nx.dispose([x, labels]) };
  }
}

/**
 * Trains the tiny decoder (GQA + RoPE + causal, dropout) for `steps` steps and
 * returns `{ model, state, losses, corpus, entropy, tokensPerSecond }`.
 * `onStep({ step, loss, tokensPerSecond })` is called after every step.
 */
export function trainCharLM({ steps = 300, batch = 16, seqLen = 64, seed = 0, onStep } = {}) {
  const corpus = loadCorpus();
  const vocabSize = corpus.chars.length;
  const model = decoderLM({ vocabSize, embedDim: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, mlpDim: 128, dropout: 0.1 });
  const trainer = Train.make({ model, optimizer: Optim.adamw({ lr: Optim.warmupCosineDecay({ peakValue: 3e-3, warmupSteps: 20, decaySteps: steps, endValue: 3e-4 }), weightDecay: 0.01 }) });
  const losses = [];
  const started = performance.now();
  const state = Rng.run(seed, () => {
    const initial = Train.init(trainer, { dtype: "float32" });
    const stream = batches(corpus.ids, { batch, seqLen, seed: seed + 1 });
    let previous;
    const limited = {
      *[Symbol.iterator]() {
        for (let i = 0; i < steps; i++) {
          previous?.dispose();
          previous = stream.next().value;
          yield previous;
        }
      },
    };
    const final = Train.fit(trainer, initial, limited, {
      onStep: ({ step, loss }) => {
        losses.push(loss);
        const seconds = (performance.now() - started) / 1000;
        onStep?.({ step, loss, tokensPerSecond: (step * batch * seqLen) / seconds });
      },
    });
    previous?.dispose();
    return final;
  });
  const seconds = (performance.now() - started) / 1000;
  return { model, state, losses, corpus, entropy: unigramEntropy(corpus.ids, vocabSize), tokensPerSecond: (losses.length * batch * seqLen) / seconds };
}

/** Samples `length` characters after `prompt` from a trained model (temperature `temperature`, seeded). */
export function sample({ model, state, corpus }, prompt, { length = 200, temperature = 0.8, seed = 0 } = {}) {
  const index = new Map(corpus.chars.map((c, i) => [c, i]));
  const ids = Int32Array.from(prompt, (c) => index.get(c) ?? 0);
  const out = model.generate(state.vars, nx.tensor(ids, { shape: [1, ids.length] }), { maxNewTokens: length, temperature, key: nx.random.key(seed) });
  const text = Array.from(out.dataSync(), (id) => corpus.chars[id]).join("");
  out.dispose();
  return text;
}
