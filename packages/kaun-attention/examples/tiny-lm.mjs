// A character-level decoder-only language model trained on examples/data/sonnets.txt, in Node.
// `trainCharLM` is the reusable part (the demo script and its test call it): kaun-core's Data
// pipelines feed Train.fit, and Train.evaluate reports the held-back perplexity. The recipe
// itself (settings, tokenizer, batches, checkpoint format) is in char-lm.mjs.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as nx from "@raven-ts/nx";
import { Data, Loss, Metric, Rng, Train } from "@raven-ts/kaun-core";
import { Checkpoint } from "@raven-ts/kaun-core/node";
import { RECIPE, TRAINING, charVocab, checkpointMetadata, decodeIds, encode, tinyLMConfig, tinyLMTrainer, trainingData, unigramEntropy, windowBatch } from "./char-lm.mjs";

// The recipe's helpers other tools use with the corpus (interop/torch evaluates fixed windows).
export { unigramEntropy, windowBatch };

const here = dirname(fileURLToPath(import.meta.url));

/** The training text, and its character vocabulary. */
export function loadCorpus() {
  const text = readFileSync(resolve(here, "data/sonnets.txt"), "utf8");
  const chars = charVocab(text);
  return { text, chars, ids: encode(chars, text) };
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
 * `{ model, trainer, config, state, losses, corpus, entropy, tokensPerSecond, training, validation }`.
 * The batches are char-lm.mjs's `trainingData` (kaun-core `Data`: every
 * window of the training ids, shuffled anew each epoch from `seed + 1`),
 * fed to `Train.fit`; `validation` is `{ perplexity, tokens }` on the
 * held-back windows (`Train.evaluate` with `Metric.perplexity`). The same
 * options give the same numbers on every run. `onStep({ step, loss, tokensPerSecond })`
 * is called after every step.
 */
export function trainCharLM({ steps = 300, batch = TRAINING.batch, seqLen = TRAINING.seqLen, seed = 0, validFraction = 0.1, onStep } = {}) {
  const corpus = loadCorpus();
  const { model, trainer } = tinyLMTrainer(tinyLMConfig(corpus.chars.length), { steps });
  const config = model.config;
  const { train, valid } = splitCorpus(corpus.ids, validFraction);
  const losses = [];
  const started = performance.now();
  const state = Rng.run(seed, () =>
    Train.fit(trainer, Train.init(trainer, { dtype: "float32" }), trainingData(train, { batch, seqLen, seed: seed + 1 }).take(steps), {
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
  const training = { ...TRAINING, batch, seqLen, steps, seed, validFraction, ...RECIPE };
  return {
    model,
    trainer,
    config,
    state,
    losses,
    corpus,
    entropy: unigramEntropy(corpus.ids, config.vocabSize),
    tokensPerSecond: (losses.length * batch * seqLen) / seconds,
    training,
    validation: { perplexity, tokens: held.length * seqLen },
  };
}

/**
 * Samples `length` characters after `prompt` from a trained model: temperature
 * `temperature`, then (when given) top-k `topK` and nucleus `topP` filtering,
 * seeded by `seed`.
 */
export function sample({ model, state, corpus }, prompt, { length = 200, temperature = 0.8, topK, topP, seed = 0 } = {}) {
  const ids = encode(corpus.chars, prompt);
  const input = nx.tensor(ids, { shape: [1, ids.length] });
  const out = model.generate(state.vars, input, { maxNewTokens: length, temperature, ...(topK === undefined ? {} : { topK }), ...(topP === undefined ? {} : { topP }), key: nx.random.key(seed) });
  const text = decodeIds(corpus.chars, out.dataSync());
  nx.dispose([input, out]);
  return text;
}

/**
 * Saves the trained model's weights to the safetensors file `path`, with the
 * model config, the vocabulary and the training settings in its metadata
 * (char-lm.mjs's format, which the playground and `readCheckpoint` read).
 */
export async function saveCharLM({ model, state, corpus, training }, path) {
  // Atomic: a temporary file, fsync, then rename over `path`.
  await Checkpoint.save(path, state.vars.params, { metadata: checkpointMetadata({ model, vocab: corpus.chars, training }) });
}
