// A character-level decoder-only language model trained on examples/data/sonnets.txt, in Node.
// `trainCharLM` is the reusable part (the demo script and its test call it); the recipe
// itself (settings, tokenizer, batches, checkpoint format) is in char-lm.mjs.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as nx from "@raven-ts/nx";
import { Rng, Train } from "@raven-ts/kaun-core";
import { Checkpoint } from "@raven-ts/kaun-core/node";
import { TRAINING, batches, charVocab, checkpointMetadata, decodeIds, encode, tinyLMConfig, tinyLMTrainer, unigramEntropy, windowBatch } from "./char-lm.mjs";

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
 * Trains the tiny decoder (GQA + RoPE + causal, dropout) for `steps` steps and
 * returns `{ model, config, state, losses, corpus, entropy, tokensPerSecond, training }`.
 * `onStep({ step, loss, tokensPerSecond })` is called after every step.
 */
export function trainCharLM({ steps = 300, batch = TRAINING.batch, seqLen = TRAINING.seqLen, seed = 0, onStep } = {}) {
  const corpus = loadCorpus();
  const { model, trainer } = tinyLMTrainer(tinyLMConfig(corpus.chars.length), { steps });
  const config = model.config;
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
  const training = { ...TRAINING, batch, seqLen, steps, seed, optimizer: "adamw", schedule: "warmupCosineDecay", text: "sonnets.txt" };
  return { model, config, state, losses, corpus, entropy: unigramEntropy(corpus.ids, config.vocabSize), tokensPerSecond: (losses.length * batch * seqLen) / seconds, training };
}

/** Samples `length` characters after `prompt` from a trained model (temperature `temperature`, seeded). */
export function sample({ model, state, corpus }, prompt, { length = 200, temperature = 0.8, seed = 0 } = {}) {
  const ids = encode(corpus.chars, prompt);
  const input = nx.tensor(ids, { shape: [1, ids.length] });
  const out = model.generate(state.vars, input, { maxNewTokens: length, temperature, key: nx.random.key(seed) });
  const text = decodeIds(corpus.chars, out.dataSync());
  nx.dispose([input, out]);
  return text;
}

/**
 * Saves the trained model's weights to the safetensors file `path`, with the
 * model config, the vocabulary and the training settings in its metadata
 * (char-lm.mjs's format, which the playground and `readCheckpoint` read).
 */
export async function saveCharLM({ state, config, corpus, training }, path) {
  // Atomic: a temporary file, fsync, then rename over `path`.
  await Checkpoint.save(path, state.vars.params, { metadata: checkpointMetadata({ config, vocab: corpus.chars, training }) });
}
