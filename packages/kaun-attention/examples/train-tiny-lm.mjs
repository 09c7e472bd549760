// The main job: train the tiny decoder-only model on Shakespeare's sonnets on the CPU backend,
// with a progress bar (kaun-core Data pipelines feed Train.fit), report the perplexity on the
// held-back end of the text (Train.evaluate + Metric.perplexity), then print a continuation sampled
// with top-k and nucleus (top-p) filtering.
//   node examples/train-tiny-lm.mjs [--steps N]
import { sample, trainCharLM } from "./tiny-lm.mjs";

const stepsArg = process.argv.indexOf("--steps");
const steps = stepsArg >= 0 ? Number(process.argv[stepsArg + 1]) : 400;
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
