// The round trip: raven-ts trains the demo's model, PyTorch continues with DDP, raven-ts loads the result.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { modelFromCheckpoint } from "@raven-ts/kaun-attention";
// The demo's corpus, tokenizer, model, AdamW settings and checkpoint (packages/kaun-attention/examples).
import { loadCorpus, sample, saveCharLM, trainCharLM } from "../../../packages/kaun-attention/examples/tiny-lm.mjs";
import { batchLoss } from "./raven.mjs";
import { runPython } from "./python.mjs";

/**
 * @typedef {object} TorchReport What `train_ddp.py --report` writes.
 * @property {number} worldSize
 * @property {string} backend
 * @property {number} steps
 * @property {number} batch
 * @property {number} seqLen
 * @property {number[]} losses The loss of each step's global batch.
 * @property {number[]} fixedStarts The fixed batch's window starts.
 * @property {number} fixedLossBefore
 * @property {number} fixedLossAfter
 * @property {number} seconds
 * @property {number} tokensPerSecond
 */

/**
 * `ravenCheckpoint(path, { steps, batch?, seqLen? })` trains the demo's
 * decoderLM for `steps` steps (`trainCharLM`) and saves it as the demo does
 * (`saveCharLM`: the params with the model, config, vocabulary and training
 * settings in the metadata, which `raven_torch.load_raven` reads).
 * @param {string} path
 * @param {{ steps: number, batch?: number, seqLen?: number, onStep?: (r: { step: number, loss: number, tokensPerSecond: number }) => void }} options
 */
export async function ravenCheckpoint(path, options) {
  const result = trainCharLM(options);
  await saveCharLM(result, path);
  return result;
}

/**
 * `torchTrain(python, { checkpoint, out, report, steps, nprocs, inherit? })`
 * runs train_ddp.py (spawning `nprocs` loopback workers) and returns its report.
 * @param {string} python
 * @param {{ checkpoint: string, out: string, report: string, steps: number, nprocs: number, inherit?: boolean, logEvery?: number }} o
 * @returns {TorchReport}
 */
export function torchTrain(python, o) {
  const args = ["train_ddp.py", "--checkpoint", o.checkpoint, "--out", o.out, "--report", o.report, "--steps", String(o.steps), "--nprocs", String(o.nprocs), "--log-every", String(o.logEvery ?? 10)];
  runPython(python, args, { inherit: o.inherit ?? false });
  return JSON.parse(readFileSync(o.report, "utf8"));
}

/**
 * `roundTrip(python, { dir, ravenSteps, torchSteps, nprocs, inherit? })`:
 * raven-ts trains `ravenSteps` steps and saves `dir/raven.safetensors`;
 * PyTorch DDP trains `torchSteps` more and writes `dir/torch.safetensors`
 * (report `dir/torch-report.json`); raven-ts loads it and evaluates the
 * fixed batch PyTorch evaluated. Returns the report, the loaded model and
 * raven-ts's loss on that batch.
 * @param {string} python
 * @param {{ dir: string, ravenSteps: number, torchSteps: number, nprocs: number, inherit?: boolean, logEvery?: number, onStep?: (r: { step: number, loss: number, tokensPerSecond: number }) => void }} o
 */
export async function roundTrip(python, o) {
  mkdirSync(o.dir, { recursive: true });
  const paths = { raven: join(o.dir, "raven.safetensors"), torch: join(o.dir, "torch.safetensors"), report: join(o.dir, "torch-report.json") };
  const trained = await ravenCheckpoint(paths.raven, { steps: o.ravenSteps, ...(o.onStep ? { onStep: o.onStep } : {}) });
  const report = torchTrain(python, { checkpoint: paths.raven, out: paths.torch, report: paths.report, steps: o.torchSteps, nprocs: o.nprocs, inherit: o.inherit ?? false, logEvery: o.logEvery ?? 10 });
  const loaded = modelFromCheckpoint(readFileSync(paths.torch), { kind: "decoderLM" });
  const model = loaded.layer;
  const corpus = loadCorpus();
  const ravenLoss = batchLoss(model, loaded.vars, corpus.ids, report.fixedStarts, report.seqLen);
  const ravenLossBefore = batchLoss(trained.model, trained.state.vars, corpus.ids, report.fixedStarts, report.seqLen);
  return { paths, trained, report, model, vars: loaded.vars, metadata: loaded.metadata, corpus, ravenLoss, ravenLossBefore, sample };
}
