// The main job: train the tiny decoder-only model on Shakespeare's sonnets on the CPU backend,
// with a progress bar (kaun-core Data pipelines feed Train.fit), report the perplexity on the
// held-back end of the text (Train.evaluate + Metric.perplexity), print a continuation sampled
// with top-k and nucleus (top-p) filtering, and save the model to a .safetensors file
// (weights, plus the model config and vocabulary in its metadata) that the playground opens.
//   node examples/train-tiny-lm.mjs [--steps N] [--out FILE]
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sample, saveCharLM, trainCharLM } from "./tiny-lm.mjs";

const option = (name) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const steps = Number(option("--steps") ?? 400);
const out = resolve(option("--out") ?? resolve(dirname(fileURLToPath(import.meta.url)), "out/tiny-lm.safetensors"));
const width = 30;

const result = trainCharLM({
  steps,
  onStep: ({ step, loss, tokensPerSecond }) => {
    const filled = Math.round((step / steps) * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    const line = `[${bar}] step ${String(step).padStart(String(steps).length)}/${steps}  loss ${loss.toFixed(3)}  ${Math.round(tokensPerSecond)} tok/s`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
    else if (step === 1 || step % 25 === 0 || step === steps) console.log(line);
  },
});
if (process.stdout.isTTY) process.stdout.write("\n");

const first = result.losses[0];
const last = result.losses.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, result.losses.length);
console.log(`\nloss ${first.toFixed(3)} -> ${last.toFixed(3)} nats/char (mean of the last 20 steps); unigram entropy of the text: ${result.entropy.toFixed(3)}`);
console.log(last < result.entropy ? "the model beats the unigram baseline: it uses context." : "the loss is still above the unigram baseline.");
console.log(`validation perplexity on the held-back last tenth (${result.validation.tokens} characters): ${result.validation.perplexity.toFixed(2)} (unigram baseline: ${Math.exp(result.entropy).toFixed(2)}, uniform over ${result.corpus.chars.length} characters: ${result.corpus.chars.length})`);
console.log(`throughput: ${Math.round(result.tokensPerSecond)} tokens/s\n`);
const sampling = { temperature: 0.8, topK: 20, topP: 0.9 };
console.log(`sample (temperature ${sampling.temperature}, top-k ${sampling.topK}, top-p ${sampling.topP}):\n`);
console.log(sample(result, "Shall I compare thee", { length: 240, ...sampling, seed: 1 }));

mkdirSync(dirname(out), { recursive: true });
await saveCharLM(result, out);
console.log(`\nmodel saved to ${out}\n(open it in the playground: pnpm start, then Train › Open…, or Attention explorer › Open .safetensors)`);
