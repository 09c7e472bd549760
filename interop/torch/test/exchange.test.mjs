// raven-ts <-> PyTorch: checkpoints cross in both directions and give the same numbers;
// AdamW steps and the learning-rate schedule agree. The PyTorch side is test/torch_side.py.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as nx from "@raven-ts/nx";
import { Context, Layer, Loss, Optim, Rng, Train } from "@raven-ts/kaun-core";
import { Checkpoint } from "@raven-ts/kaun-core/node";
import { attentionMaskKey, decoderLM, modelFromCheckpoint, modelMetadata, multiHeadAttention } from "@raven-ts/kaun-attention";
import { runPython } from "../js/python.mjs";
import { relativeError, SKIP_REASON, torchPython } from "./helpers.mjs";

/** The bound: logits equal within 1e-5 relative in float32. */
const TOLERANCE = { float32: 1e-5, float64: 1e-12 };

/** The padding masks: row 0 keeps all, row 1 drops its last three keys, row 2 keeps none (its outputs are zeros). */
const PADDING = [
  [1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0],
];
/** Left padding: with a causal mask, the first queries of row 1 see no key. */
const LEFT_PADDING = [
  [1, 1, 1, 1, 1, 1, 1],
  [0, 0, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1, 1, 0],
];

/**
 * @typedef {{ name: string, kind: "multiHeadAttention" | "decoderLM", options: Record<string, unknown>, mask?: number[][], dtype?: "float32" | "float64" }} Case
 * @type {Case[]}
 */
const CASES = [
  { name: "mha-plain", kind: "multiHeadAttention", options: { embedDim: 16, numHeads: 4 } },
  { name: "mha-causal", kind: "multiHeadAttention", options: { embedDim: 16, numHeads: 4, isCausal: true } },
  { name: "mha-gqa", kind: "multiHeadAttention", options: { embedDim: 16, numHeads: 4, numKvHeads: 2 } },
  { name: "mha-rope", kind: "multiHeadAttention", options: { embedDim: 16, numHeads: 4, rope: true, ropeTheta: 500 } },
  { name: "mha-padding", kind: "multiHeadAttention", options: { embedDim: 16, numHeads: 4 }, mask: PADDING },
  { name: "mha-all", kind: "multiHeadAttention", options: { embedDim: 16, numHeads: 4, numKvHeads: 1, isCausal: true, rope: true }, mask: LEFT_PADDING },
  { name: "lm-demo", kind: "decoderLM", options: { vocabSize: 13, embedDim: 16, numLayers: 2, numHeads: 4, numKvHeads: 2, mlpDim: 32, dropout: 0.1 } },
  {
    name: "lm-tied-layernorm",
    kind: "decoderLM",
    options: { vocabSize: 13, embedDim: 16, numLayers: 1, numHeads: 2, numKvHeads: 1, norm: "layerNorm", normEps: 1e-3, activation: "silu", tieEmbeddings: true, ropeTheta: 500 },
  },
  { name: "lm-relu", kind: "decoderLM", options: { vocabSize: 13, embedDim: 8, numLayers: 2, numHeads: 2, mlpDim: 24, activation: "relu", normEps: 1e-4 } },
  { name: "lm-swiglu", kind: "decoderLM", options: { vocabSize: 13, embedDim: 16, numLayers: 2, numHeads: 4, numKvHeads: 2, mlpDim: 24, mlp: "swiglu", dropout: 0.1 } },
  { name: "lm-geglu-tied", kind: "decoderLM", options: { vocabSize: 13, embedDim: 8, numLayers: 1, numHeads: 2, mlpDim: 20, mlp: "geglu", tieEmbeddings: true, norm: "layerNorm" } },
  { name: "lm-glu", kind: "decoderLM", options: { vocabSize: 13, embedDim: 8, numLayers: 1, numHeads: 2, mlp: "glu", activation: "sigmoid" } },
];
/** One float64 case (PyTorch → raven-ts): the dtype travels with the file. */
const FLOAT64_CASE = /** @type {Case} */ ({ name: "mha-all-f64", kind: "multiHeadAttention", options: CASES[5]?.options ?? {}, mask: LEFT_PADDING, dtype: "float64" });
const GREEDY = { promptLen: 3, maxNewTokens: 10 };
const ADAMW = { lr: 3e-3, weightDecay: 0.01, steps: 3 };
/** The demo's schedule (examples/tiny-lm.mjs) over 400 steps, which the DDP script uses. */
const SCHEDULE = { peakValue: 3e-3, warmupSteps: 20, decaySteps: 400, endValue: 3e-4, steps: 440 };

/**
 * The inputs of a case: `x` `[3, 7, 16]` (and its mask) for attention, `tokens` `[2, 9]` for a language model.
 * @param {Case} c
 * @param {number} seed
 * @returns {Record<string, nx.Tensor>}
 */
function inputsOf(c, seed) {
  const dtype = c.dtype ?? "float32";
  if (c.kind === "decoderLM") return { tokens: nx.random.randint(nx.random.key(seed), [2, 9], 0, Number(c.options.vocabSize)) };
  const x = nx.random.normal(nx.random.key(seed), [3, 7, Number(c.options.embedDim)], dtype);
  return c.mask ? { x, attention_mask: nx.tensor(Int32Array.from(c.mask.flat()), { shape: [3, 7] }) } : { x };
}

/**
 * The model's output on `inputs`, in inference mode.
 * @param {Case} c
 * @param {import("@raven-ts/kaun-attention").ModelLayer} model
 * @param {import("@raven-ts/kaun-core").Vars} vars
 * @param {Record<string, nx.Tensor>} inputs
 */
function outputOf(c, model, vars, inputs) {
  const layer = /** @type {import("@raven-ts/kaun-core").Layer<"float" | "int32", "float">} */ (model);
  if (c.kind === "decoderLM") return Layer.apply(layer, vars, /** @type {nx.Tensor} */ (inputs.tokens), { training: false })[0];
  const ctx = inputs.attention_mask ? Context.empty.set(attentionMaskKey, inputs.attention_mask) : undefined;
  return Layer.apply(layer, vars, /** @type {nx.Tensor} */ (inputs.x), { training: false, ...(ctx ? { ctx } : {}) })[0];
}

/**
 * Trains the raven-ts model of `c` for three AdamW steps (MSE to a random target for attention,
 * next-token cross-entropy on random tokens for a language model), so its params are not the initial ones.
 * @param {Case} c
 * @param {number} seed
 * @param {Record<string, nx.Tensor>} inputs
 */
function trainedRaven(c, seed, inputs) {
  const options = /** @type {unknown} */ (c.options);
  const model = c.kind === "decoderLM" ? decoderLM(/** @type {import("@raven-ts/kaun-attention").DecoderLMOptions} */ (options)) : multiHeadAttention(/** @type {import("@raven-ts/kaun-attention").MultiHeadAttentionOptions} */ (options));
  const layer = /** @type {import("@raven-ts/kaun-core").Layer<"float" | "int32", "float">} */ (model);
  const trainer = Train.make({ model: layer, optimizer: Optim.adamw({ lr: 1e-2 }) });
  return Rng.run(seed, () => {
    let state = Train.init(trainer, { dtype: "float32" });
    const input = /** @type {nx.Tensor} */ (inputs.tokens ?? inputs.x);
    const target = c.kind === "decoderLM" ? nx.random.randint(nx.random.key(seed + 1), input.shape, 0, Number(c.options.vocabSize)) : nx.random.normal(nx.random.key(seed + 1), input.shape);
    /** @param {nx.Tensor} out */
    const loss = (out) => (c.kind === "decoderLM" ? Loss.crossEntropySparse(out, target) : Loss.mse(out, target));
    const ctx = inputs.attention_mask ? Context.empty.set(attentionMaskKey, inputs.attention_mask) : undefined;
    for (let i = 0; i < 3; i++) [, state] = Train.step(trainer, state, input, { loss, ...(ctx ? { ctx } : {}) });
    return { model, vars: state.vars };
  });
}

const python = torchPython();

describe("raven-ts <-> PyTorch (interop/torch/raven_torch)", { skip: python === undefined ? SKIP_REASON : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), "raven-interop-"));
  /** @type {Map<string, { case: Case, inputs: Record<string, nx.Tensor>, ravenOut?: nx.Tensor }>} */
  const prepared = new Map();
  /** @type {Record<string, nx.Tensor>} */
  const adamwTensors = {};

  before(async () => {
    const cases = [];
    let seed = 10;
    for (const c of CASES) {
      seed += 10;
      const inputs = inputsOf(c, seed);
      const { model, vars } = trainedRaven(c, seed, inputs);
      await Checkpoint.save(join(dir, `r2t-${c.name}.safetensors`), vars.params, { metadata: modelMetadata(model) });
      await Checkpoint.save(join(dir, `r2t-${c.name}.inputs.safetensors`), inputs);
      prepared.set(`r2t-${c.name}`, { case: c, inputs, ravenOut: outputOf(c, model, vars, inputs) });
      cases.push({ name: `r2t-${c.name}`, direction: "raven-to-torch" });
    }
    for (const c of [...CASES, FLOAT64_CASE]) {
      seed += 10;
      const inputs = inputsOf(c, seed);
      await Checkpoint.save(join(dir, `t2r-${c.name}.inputs.safetensors`), inputs);
      prepared.set(`t2r-${c.name}`, { case: c, inputs });
      cases.push({ name: `t2r-${c.name}`, direction: "torch-to-raven", kind: c.kind, options: c.options, dtype: c.dtype ?? "float32", seed, ...GREEDY });
    }
    // AdamW: params and three gradients, all float32.
    const shapes = { b: [4], embed: [5, 3], w: [3, 4] };
    let key = nx.random.key(7);
    for (const [name, shape] of Object.entries(shapes)) {
      const [k0, k1, k2, k3, next] = nx.random.split(key, 5);
      key = /** @type {nx.random.Key} */ (next);
      adamwTensors[`params.${name}`] = nx.random.normal(/** @type {nx.random.Key} */ (k0), shape);
      [k1, k2, k3].forEach((k, i) => {
        adamwTensors[`grads.${i}.${name}`] = nx.mul(nx.random.normal(/** @type {nx.random.Key} */ (k), shape), 0.1 * (i + 1));
      });
    }
    await Checkpoint.save(join(dir, "adamw.safetensors"), adamwTensors);
    writeFileSync(join(dir, "cases.json"), JSON.stringify({ cases, adamw: ADAMW, schedule: SCHEDULE }));
    runPython(/** @type {string} */ (python), ["test/torch_side.py", dir]);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * The PyTorch outputs of a case.
   * @param {string} name
   * @param {import("@raven-ts/kaun-core").Ptree} like
   */
  const torchOutputs = (name, like) => Checkpoint.loadSync(join(dir, `${name}.torch.safetensors`), { like });

  for (const c of CASES) {
    test(`raven-ts → PyTorch: ${c.name}: the twin's ${c.kind === "decoderLM" ? "logits" : "outputs"} equal raven-ts's (trained 3 steps)`, () => {
      const p = /** @type {{ inputs: Record<string, nx.Tensor>, ravenOut: nx.Tensor }} */ (prepared.get(`r2t-${c.name}`));
      const { out } = /** @type {{ out: nx.Tensor }} */ (torchOutputs(`r2t-${c.name}`, { out: p.ravenOut }));
      const err = relativeError(out.dataSync(), p.ravenOut.dataSync());
      assert.ok(err <= TOLERANCE.float32, `relative error ${err.toExponential(2)} > ${TOLERANCE.float32}`);
      if (c.mask === PADDING) assert.ok(Array.from(nx.slice(out, [2]).dataSync()).every((v) => v === 0), "a row with every key masked outputs zeros");
      console.log(`  r2t ${c.name}: relative error ${err.toExponential(2)}`);
    });
  }

  for (const c of [...CASES, FLOAT64_CASE]) {
    const dtype = c.dtype ?? "float32";
    test(`PyTorch → raven-ts: ${c.name} (${dtype}): Checkpoint.load of save_raven's file gives PyTorch's ${c.kind === "decoderLM" ? "logits and greedy tokens" : "outputs"}`, async () => {
      const p = /** @type {{ inputs: Record<string, nx.Tensor> }} */ (prepared.get(`t2r-${c.name}`));
      const loaded = modelFromCheckpoint(readFileSync(join(dir, `t2r-${c.name}.safetensors`)), { kind: c.kind });
      assert.equal(loaded.vars.dtype, dtype);
      const config = (/** @type {Record<string, string>} */ m) => JSON.parse(/** @type {string} */ (m["raven.config"]));
      assert.deepEqual(config(loaded.metadata), config(modelMetadata(loaded.layer)), "the metadata holds the resolved config");
      const mine = outputOf(c, loaded.layer, loaded.vars, p.inputs);
      const like = c.kind === "decoderLM" ? { out: mine, greedy: nx.zeros([2, GREEDY.promptLen + GREEDY.maxNewTokens], "int32") } : { out: mine };
      const theirs = /** @type {{ out: nx.Tensor, greedy?: nx.Tensor }} */ (torchOutputs(`t2r-${c.name}`, like));
      const err = relativeError(mine.dataSync(), theirs.out.dataSync());
      assert.ok(err <= TOLERANCE[dtype], `relative error ${err.toExponential(2)} > ${TOLERANCE[dtype]}`);
      console.log(`  t2r ${c.name}: relative error ${err.toExponential(2)}`);
      if (c.kind === "decoderLM") {
        const lm = /** @type {import("@raven-ts/kaun-attention").DecoderLMLayer} */ (loaded.layer);
        const prompt = nx.slice(/** @type {nx.Tensor} */ (p.inputs.tokens), [null, { stop: GREEDY.promptLen }]);
        const generated = lm.generate(loaded.vars, prompt, { maxNewTokens: GREEDY.maxNewTokens, temperature: 0 });
        assert.deepEqual(Array.from(generated.dataSync()), Array.from(/** @type {nx.Tensor} */ (theirs.greedy).dataSync()), "generate at temperature 0 equals PyTorch's greedy decoding");
      }
    });
  }

  test("one AdamW step at a time: torch.optim.AdamW and Optim.adamw give the same params (float32 rounding), three steps", () => {
    const names = ["b", "embed", "w"];
    /** @type {Record<string, nx.Tensor>} */
    let params = Object.fromEntries(names.map((n) => [n, /** @type {nx.Tensor} */ (adamwTensors[`params.${n}`])]));
    let state = Optim.init(Optim.adamw({ lr: ADAMW.lr, weightDecay: ADAMW.weightDecay }), params);
    /** @type {Record<string, nx.Tensor>} */
    const like = {};
    for (let k = 0; k < ADAMW.steps; k++) for (const n of names) like[`step.${k}.${n}`] = nx.zerosLike(/** @type {nx.Tensor} */ (adamwTensors[`params.${n}`]));
    const theirs = /** @type {Record<string, nx.Tensor>} */ (Checkpoint.loadSync(join(dir, "adamw.torch.safetensors"), { like }));
    // The bound: a few float32 roundings of values of magnitude ~1 (PyTorch decays p first, then adds the Adam step; we add both at once).
    let worst = 0;
    for (let k = 0; k < ADAMW.steps; k++) {
      const grads = Object.fromEntries(names.map((n) => [n, /** @type {nx.Tensor} */ (adamwTensors[`grads.${k}.${n}`])]));
      const [next, nextState] = Optim.step(state, params, grads);
      params = /** @type {Record<string, nx.Tensor>} */ (next);
      state = nextState;
      for (const n of names) {
        const mine = /** @type {nx.Tensor} */ (params[n]).dataSync();
        const start = /** @type {nx.Tensor} */ (adamwTensors[`params.${n}`]).dataSync();
        const torchValues = /** @type {nx.Tensor} */ (theirs[`step.${k}.${n}`]).dataSync();
        for (let i = 0; i < mine.length; i++) {
          const a = /** @type {number} */ (mine[i]);
          const b = /** @type {number} */ (torchValues[i]);
          worst = Math.max(worst, Math.abs(a - b) / Math.max(1, Math.abs(b)));
          assert.ok(Math.abs(a - b) <= 4 * 2 ** -23 * Math.max(1, Math.abs(b)), `step ${k + 1}, ${n}[${i}]: ${a} vs PyTorch ${b}`);
          assert.notEqual(b, /** @type {number} */ (start[i]), "the step moved the parameter");
        }
      }
    }
    console.log(`  AdamW: largest difference ${(worst / 2 ** -23).toFixed(2)} float32 ulp (of max(1, |p|))`);
  });

  test("the DDP script's learning-rate schedule equals Optim.warmupCosineDecay (the demo's settings)", () => {
    const theirs = /** @type {number[]} */ (JSON.parse(readFileSync(join(dir, "schedule.json"), "utf8")));
    const { steps, ...options } = SCHEDULE;
    const mine = Optim.warmupCosineDecay(options);
    assert.equal(theirs.length, steps);
    theirs.forEach((v, step) => assert.ok(Math.abs(v - mine(step)) <= 1e-15, `step ${step}: ${v} vs ${mine(step)}`));
  });
});
