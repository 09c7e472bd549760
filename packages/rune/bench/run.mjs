// Benchmark: rune's valueAndGrad of an MLP loss against the forward pass
// alone (and against a hand-written backward pass with nx ops), timed
// interleaved in one process on nx's CPU backend.
//
//   pnpm --filter @raven-ts/nx build && pnpm --filter @raven-ts/rune build && pnpm --filter @raven-ts/rune bench
//   node --expose-gc bench/run.mjs [--quick] [--only <text>] [--markdown]
//
// The model: batch 64, 256 → 512 → 256, tanh hidden layer, mean squared
// error; float32, seeded inputs. Every timed call reads its results back
// (dataSync) and disposes what it created. The gradients of rune and of the
// hand-written backward pass are compared once before timing.
// See BENCHMARKS.md for the recorded figures.

import { compare, formatMs, formatRatio, formatTable, machineLine, parseBenchArgs, seededNormal, selectCases } from "@raven-ts/bench";
import * as nx from "@raven-ts/nx";

const USAGE = `usage: node --expose-gc bench/run.mjs [options]

  --quick        few repetitions: a smoke test, not figures to record
  --only <text>  only cases whose label contains <text> (repeatable; there is one case)
  --markdown     also print the results as a markdown table (for BENCHMARKS.md)
  --help         this text`;

const args = parseBenchArgs(USAGE);

/** @type {typeof import("../dist/index.js")} */
let rune;
try {
  rune = await import(new URL("../dist/index.js", import.meta.url).href);
} catch (err) {
  console.error("importing packages/rune/dist/index.js failed (run `pnpm --filter @raven-ts/rune build` first):", err);
  process.exit(1);
}

nx.setBackend("cpu");

const [B, D, H, O] = [64, 256, 512, 256];
const LABEL = `MLP ${B}×${D}→${H}→${O} tanh, MSE`;
selectCases([{ label: LABEL }], args.only); // exits when --only names no case of this benchmark
const t = (n, shape, seed, scale = 1) => nx.tensor(seededNormal(n, seed).map((v) => v * scale), { shape });
const x = t(B * D, [B, D], 1);
const y = t(B * O, [B, O], 2);
const params = {
  w1: t(D * H, [D, H], 3, 1 / Math.sqrt(D)),
  b1: t(H, [H], 4, 0.1),
  w2: t(H * O, [H, O], 5, 1 / Math.sqrt(H)),
  b2: t(O, [O], 6, 0.1),
};

/** The loss: mean((tanh(x w1 + b1) w2 + b2 - y)^2). */
function loss(p) {
  const h = nx.tanh(nx.add(nx.matmul(x, p.w1), p.b1));
  const out = nx.add(nx.matmul(h, p.w2), p.b2);
  return nx.mean(nx.square(nx.sub(out, y)));
}

/** The same gradients, derived by hand and written with nx ops. */
function handValueAndGrad(p) {
  const h = nx.tanh(nx.add(nx.matmul(x, p.w1), p.b1));
  const d = nx.sub(nx.add(nx.matmul(h, p.w2), p.b2), y);
  const value = nx.mean(nx.square(d));
  const dout = nx.mul(d, 2 / (B * O));
  const dz = nx.mul(nx.matmul(dout, nx.transpose(p.w2)), nx.sub(1, nx.square(h)));
  const grads = {
    w1: nx.matmul(nx.transpose(x), dz),
    b1: nx.sum(dz, { axes: 0 }),
    w2: nx.matmul(nx.transpose(h), dout),
    b2: nx.sum(dout, { axes: 0 }),
  };
  return [value, grads];
}

const valueAndGrad = rune.valueAndGrad(loss);

/** Runs `fn` in a tidy scope and reads every tensor of its result back. */
function readAll(fn) {
  nx.tidy(() => {
    for (const leaf of nx.tree.leaves(fn())) leaf.dataSync();
  });
}

// Check once that rune and the hand-written backward pass agree.
nx.tidy(() => {
  const [v1, g1] = valueAndGrad(params);
  const [v2, g2] = handValueAndGrad(params);
  let worst = Math.abs(v1.item() - v2.item()) / Math.abs(v2.item());
  for (const k of Object.keys(g2)) {
    const a = g1[k].dataSync();
    const b = g2[k].dataSync();
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    worst = Math.max(worst, diff / scale);
  }
  if (!(worst < 1e-4)) {
    console.error(`rune's gradients differ from the hand-written ones (relative ${worst})`);
    process.exit(1);
  }
  console.log(`rune vs hand-written gradients: max relative difference ${worst.toExponential(1)}`);
});

const live = nx.memory().numTensors;
const results = await compare(
  [
    { name: "forward", fn: () => readAll(() => loss(params)) },
    { name: "valueAndGrad", fn: () => readAll(() => valueAndGrad(params)) },
    { name: "hand backward", fn: () => readAll(() => handValueAndGrad(params)) },
  ],
  args.quick ? { warmup: 1, runs: 3 } : { warmup: 5, runs: 25 },
);
if (nx.memory().numTensors !== live) {
  console.error(`live tensors changed during the run: ${live} → ${nx.memory().numTensors}`);
  process.exit(1);
}

const rows = [{ label: LABEL, results }];
const ratios = [
  ["valueAndGrad", "forward"],
  ["hand backward", "forward"],
  ["valueAndGrad", "hand backward"],
];
console.log(machineLine());
console.log(formatTable(rows, { ratios }));
if (args.markdown) console.log(`\n${formatTable(rows, { ratios, markdown: true })}`);
const [fwd, vag] = results;
const ratio = vag.median / fwd.median;
console.log(`\nvalueAndGrad / forward: ${formatRatio(ratio)} (median ${formatMs(vag.median)} vs ${formatMs(fwd.median)} ms; target ≤ 3×)`);
// On a shared machine the fastest samples are the least disturbed ones.
console.log(`fastest samples: forward ${formatMs(fwd.min)} ms, valueAndGrad ${formatMs(vag.min)} ms, hand backward ${formatMs(results[2].min)} ms; valueAndGrad / forward ${formatRatio(vag.min / fwd.min)}`);
