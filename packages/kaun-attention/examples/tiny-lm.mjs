// A character-level decoder-only language model trained on examples/data/sonnets.txt.
// `trainCharLM` is the reusable part (the demo script and its test call it): kaun-core's
// Data pipelines feed Train.fit, and Train.evaluate reports the held-back perplexity.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as nx from "@raven-ts/nx";
import { Data, Loss, Metric, Optim, Rng, Train } from "@raven-ts/kaun-core";
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

/**
 * `splitCorpus(ids, validFraction)` is `{ train, valid }`: the text's ids
 * with the last `validFraction` of them held back for validation.
 */
export function splitCorpus(ids, validFraction) {
  const cut = ids.length - Math.round(ids.length * validFraction);
  return { train: ids.subarray(0, cut), valid: ids.subarray(cut) };
}

/**
 * Trains the tiny decoder (GQA + RoPE + causal, dropout) for `steps` steps on
 * all but the last `validFraction` of the text and returns
 * `{ model, trainer, state, losses, corpus, entropy, tokensPerSecond, validation }`.
 * Batches are `Data.textWindows` over the training ids (every start
 * position), shuffled (a new order each epoch, from `seed + 1`) and batched;
 * `validation` is `{ perplexity, tokens }` on the held-back windows
 * (`Train.evaluate` with `Metric.perplexity`). The same options give the
 * same numbers on every run. `onStep({ step, loss, tokensPerSecond })` is
 * called after every step.
 */
export function trainCharLM({ steps = 300, batch = 16, seqLen = 64, seed = 0, validFraction = 0.1, onStep } = {}) {
  const corpus = loadCorpus();
  const vocabSize = corpus.chars.length;
  const model = decoderLM({ vocabSize, embedDim: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, mlpDim: 128, dropout: 0.1 });
  const trainer = Train.make({ model, optimizer: Optim.adamw({ lr: Optim.warmupCosineDecay({ peakValue: 3e-3, warmupSteps: 20, decaySteps: steps, endValue: 3e-4 }), weightDecay: 0.01 }) });
  const { train, valid } = splitCorpus(corpus.ids, validFraction);
  const batches = Data.textWindows(train, { seqLen, stride: 1 })
    .shuffle(nx.random.key(seed + 1))
    .batch(batch, { dropLast: true })
    .repeat()
    .take(steps);
  const losses = [];
  const started = performance.now();
  const state = Rng.run(seed, () =>
    Train.fit(trainer, Train.init(trainer, { dtype: "float32" }), batches, {
      loss: Loss.crossEntropySparse,
      onStep: ({ step, loss }) => {
        losses.push(loss);
        const seconds = (performance.now() - started) / 1000;
        onStep?.({ step, loss, tokensPerSecond: (step * batch * seqLen) / seconds });
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const held = Data.textWindows(valid, { seqLen });
  const { perplexity } = Train.evaluate(trainer, state, held.batch(batch), { perplexity: Metric.perplexity() });
  return {
    model,
    trainer,
    state,
    losses,
    corpus,
    entropy: unigramEntropy(corpus.ids, vocabSize),
    tokensPerSecond: (losses.length * batch * seqLen) / seconds,
    validation: { perplexity, tokens: held.length * seqLen },
  };
}

/**
 * Samples `length` characters after `prompt` from a trained model: temperature
 * `temperature`, then (when given) top-k `topK` and nucleus `topP` filtering,
 * seeded by `seed`.
 */
export function sample({ model, state, corpus }, prompt, { length = 200, temperature = 0.8, topK, topP, seed = 0 } = {}) {
  const index = new Map(corpus.chars.map((c, i) => [c, i]));
  const ids = Int32Array.from(prompt, (c) => index.get(c) ?? 0);
  const input = nx.tensor(ids, { shape: [1, ids.length] });
  const out = model.generate(state.vars, input, { maxNewTokens: length, temperature, ...(topK === undefined ? {} : { topK }), ...(topP === undefined ? {} : { topP }), key: nx.random.key(seed) });
  const text = Array.from(out.dataSync(), (id) => corpus.chars[id]).join("");
  nx.dispose([input, out]);
  return text;
}
