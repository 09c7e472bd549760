// `pnpm interop`: the whole hand-off on this machine.
//   node roundtrip.mjs [--raven-steps N] [--torch-steps N] [--nprocs N] [--out DIR]
// 1. raven-ts trains the demo's decoderLM (examples/tiny-lm.mjs) and saves out/raven.safetensors;
// 2. PyTorch continues with DistributedDataParallel (train_ddp.py, --nprocs loopback workers)
//    and writes out/torch.safetensors and out/torch-report.json;
// 3. raven-ts loads the result, checks its loss on PyTorch's fixed batch, and samples text.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { findTorchPython, INTEROP_DIR, NO_TORCH } from "./js/python.mjs";
import { roundTrip } from "./js/roundtrip.mjs";

const { values } = parseArgs({
  options: {
    "raven-steps": { type: "string", default: "40" },
    "torch-steps": { type: "string", default: "400" },
    nprocs: { type: "string", default: "2" },
    out: { type: "string", default: resolve(INTEROP_DIR, "out") },
  },
});
const counts = { ravenSteps: Number(values["raven-steps"]), torchSteps: Number(values["torch-steps"]), nprocs: Number(values.nprocs) };
for (const [name, n] of Object.entries(counts)) {
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`roundtrip: ${name} must be a positive integer, got ${n}`);
    process.exit(2);
  }
}
const found = findTorchPython();
if (!found) {
  console.error(`roundtrip: ${NO_TORCH}`);
  process.exit(1);
}

const dir = resolve(String(values.out));
console.log(`1. raven-ts trains the demo's model for ${counts.ravenSteps} steps (CPU backend)`);
const started = performance.now();
const r = await roundTrip(found.python, {
  dir,
  ...counts,
  inherit: true,
  logEvery: Math.max(1, Math.round(counts.torchSteps / 10)),
  onStep: ({ step, loss, tokensPerSecond }) => {
    if (step === 1 || step % 10 === 0 || step === counts.ravenSteps) console.log(`   step ${step}/${counts.ravenSteps}  loss ${loss.toFixed(3)}  ${Math.round(tokensPerSecond)} tok/s`);
  },
});
const { report } = r;
const relative = Math.abs(r.ravenLoss - report.fixedLossAfter) / Math.abs(report.fixedLossAfter);
console.log(`
raven-ts:  ${counts.ravenSteps} steps, wrote ${r.paths.raven}
PyTorch:   ${report.worldSize} DDP workers (${report.backend}), ${report.steps} steps, ${Math.round(report.tokensPerSecond)} tokens/s, wrote ${r.paths.torch}
           fixed-batch loss ${report.fixedLossBefore.toFixed(4)} -> ${report.fixedLossAfter.toFixed(4)} nats/char
raven-ts:  loaded it back; loss on the same batch ${r.ravenLoss.toFixed(6)} (PyTorch reported ${report.fixedLossAfter.toFixed(6)}; relative difference ${relative.toExponential(1)})
whole round trip: ${((performance.now() - started) / 1000).toFixed(1)} s

sample (raven-ts, KV-cached generate, temperature 0.7):
`);
console.log(r.sample({ model: r.model, state: { ...r.trained.state, vars: r.vars }, corpus: r.corpus }, "Shall I compare thee", { length: 200, temperature: 0.7, seed: 1 }).replace(/^/gm, "  "));
if (!(relative <= 1e-5)) {
  console.error(`\nroundtrip: raven-ts and PyTorch disagree on the fixed batch's loss (relative difference ${relative})`);
  process.exit(1);
}
