// The benchmark's TensorFlow.js peer of `pnpm demo`'s model: the same
// decoder-only language model (`decoderLM` with 2 pre-norm blocks of
// RMSNorm → causal GQA attention with RoPE → residual → RMSNorm → GELU MLP →
// residual, a final RMSNorm and a linear head with bias), written with
// tfjs ops the way a tfjs user would, trained one step at a time with tfjs's
// own autodiff (`tf.variableGrads`) and an AdamW update written out
// (`p ← p - lr · (m̂ / (√v̂ + eps) + weightDecay · p)`, bias-corrected, as
// kaun-core's `Optim.adamw` and PyTorch's `AdamW`). Dropout is tfjs's
// `tf.dropout` (inverted), on the attention weights and both residual
// branches, as in kaun-attention's `transformerBlock`.

import * as tf from "@tensorflow/tfjs-core";

/**
 * @typedef {object} LmConfig
 * @property {number} vocabSize
 * @property {number} embedDim
 * @property {number} numLayers
 * @property {number} numHeads
 * @property {number} numKvHeads
 * @property {number} mlpDim
 * @property {number} dropout
 * @property {number} ropeTheta
 * @property {number} normEps
 * @property {number} seqLen the sequence length the RoPE tables and causal mask are made for
 */

/**
 * The rotate-half RoPE tables `[seqLen, headDim]` (each frequency in both
 * halves) and a sign table that turns `concat([second, first])` into
 * `concat([-second, first])`.
 *
 * @param {number} seqLen @param {number} headDim @param {number} theta
 */
function ropeTables(seqLen, headDim, theta) {
  const half = headDim / 2;
  const cos = new Float32Array(seqLen * headDim);
  const sin = new Float32Array(seqLen * headDim);
  for (let p = 0; p < seqLen; p++) {
    for (let j = 0; j < half; j++) {
      const angle = p * theta ** (-(2 * j) / headDim);
      cos[p * headDim + j] = cos[p * headDim + j + half] = Math.cos(angle);
      sin[p * headDim + j] = sin[p * headDim + j + half] = Math.sin(angle);
    }
  }
  return { cos: tf.tensor2d(cos, [seqLen, headDim]), sin: tf.tensor2d(sin, [seqLen, headDim]) };
}

/**
 * `tfjsLM(config, initial, optimizer)` is the tfjs model with its weights
 * (`tf.variable`s, initialised from `initial`: the host values of kaun's
 * params by their dotted paths) and AdamW slots: `step(tokens, labels,
 * training)` runs one training step and returns the loss (before the
 * update); `reset()` restores the initial weights and empty slots;
 * `weights()` the current weights by path; `dispose()` frees everything.
 *
 * @param {LmConfig} cfg
 * @param {Map<string, { values: Float32Array, shape: number[] }>} initial
 * @param {{ lr: number, b1: number, b2: number, eps: number, weightDecay: number }} opt
 */
export function tfjsLM(cfg, initial, opt) {
  const { vocabSize: V, embedDim: E, numLayers, numHeads: H, numKvHeads: KV, seqLen: T } = cfg;
  const D = E / H;
  const G = H / KV;
  /** @type {Map<string, tf.Variable>} */
  const vars = new Map();
  /** @type {Map<string, tf.Variable>} */
  const mSlots = new Map();
  /** @type {Map<string, tf.Variable>} */
  const vSlots = new Map();
  // Variables outlive `tf.tidy`; the tensors they are made from do not.
  tf.tidy(() => {
    for (const [path, { values, shape }] of initial) {
      vars.set(path, tf.variable(tf.tensor(values, shape), true, path));
      mSlots.set(path, tf.variable(tf.zeros(shape), false));
      vSlots.set(path, tf.variable(tf.zeros(shape), false));
    }
  });
  let t = 0;
  const rope = ropeTables(T, D, cfg.ropeTheta);
  // Causal mask over the folded query axis (query row g·T + i sits at position i): 0 where kept, -1e9 where masked.
  const maskValues = new Float32Array(G * T * T);
  for (let g = 0; g < G; g++) for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) maskValues[(g * T + i) * T + j] = -1e9;
  const mask = tf.tensor2d(maskValues, [G * T, T]);
  const constants = [rope.cos, rope.sin, mask];

  /** @param {string} path */
  const w = (path) => /** @type {tf.Variable} */ (vars.get(path));
  /** @param {tf.Tensor} x @param {boolean} training */
  const drop = (x, training) => (training && cfg.dropout > 0 ? tf.dropout(x, cfg.dropout) : x);
  /** @param {tf.Tensor} x @param {string} path */
  const rmsNorm = (x, path) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), cfg.normEps))), w(path));
  /** Rotate-half RoPE on `[b, heads, T, D]`. @param {tf.Tensor} x */
  const applyRope = (x) => {
    const [first, second] = tf.split(x, 2, -1);
    const rotated = tf.concat([tf.neg(/** @type {tf.Tensor} */ (second)), /** @type {tf.Tensor} */ (first)], -1);
    return tf.add(tf.mul(x, rope.cos), tf.mul(rotated, rope.sin));
  };
  /** @param {tf.Tensor} x2 `[B·T, E]` @param {number} b @param {string} p @param {boolean} training */
  const attention = (x2, b, p, training) => {
    const heads = (/** @type {string} */ name, /** @type {number} */ n) => tf.transpose(tf.reshape(tf.matMul(x2, w(`${p}.${name}`)), [b, T, n, D]), [0, 2, 1, 3]);
    const q = applyRope(heads("q_proj", H)); // [b, H, T, D], head h = kv·G + g
    const k = applyRope(heads("k_proj", KV)); // [b, KV, T, D]
    const v = heads("v_proj", KV);
    // GQA: each kv head serves its G query heads, folded into the query axis.
    const qg = /** @type {tf.Tensor4D} */ (tf.reshape(q, [b, KV, G * T, D]));
    const scores = tf.add(tf.mul(tf.matMul(qg, /** @type {tf.Tensor4D} */ (k), false, true), 1 / Math.sqrt(D)), mask);
    const weights = drop(tf.softmax(scores), training);
    const out = tf.matMul(/** @type {tf.Tensor4D} */ (weights), /** @type {tf.Tensor4D} */ (v)); // [b, KV, G·T, D]
    const merged = tf.reshape(tf.transpose(tf.reshape(out, [b, H, T, D]), [0, 2, 1, 3]), [b * T, E]);
    return tf.matMul(/** @type {tf.Tensor2D} */ (merged), w(`${p}.out_proj`));
  };
  /** @param {tf.Tensor} x2 @param {string} path */
  const linear = (x2, path) => tf.add(tf.matMul(/** @type {tf.Tensor2D} */ (x2), w(`${path}.weight`)), w(`${path}.bias`));
  /** Exact GELU, `0.5 x (1 + erf(x / √2))`. @param {tf.Tensor} x */
  const gelu = (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));

  /** The mean cross-entropy of the next-token logits. @param {tf.Tensor} tokens @param {tf.Tensor} labels @param {boolean} training */
  const loss = (tokens, labels, training) => {
    const b = /** @type {number} */ (tokens.shape[0]);
    // The embedding as a one-hot product: tfjs-wasm has no kernel for `gather`'s gradient (UnsortedSegmentSum).
    let h = tf.mul(tf.matMul(tf.oneHot(tf.reshape(tokens, [-1]), V), w("embed.embedding")), Math.sqrt(E));
    for (let i = 0; i < numLayers; i++) {
      const p = `blocks.${i}`;
      h = tf.add(h, drop(attention(rmsNorm(h, `${p}.attn_norm.scale`), b, `${p}.attn`, training), training));
      h = tf.add(h, drop(linear(gelu(linear(rmsNorm(h, `${p}.mlp_norm.scale`), `${p}.mlp_in`)), `${p}.mlp_out`), training));
    }
    const logits = linear(rmsNorm(h, "final_norm.scale"), "lm_head");
    const picked = tf.sum(tf.mul(tf.oneHot(tf.reshape(labels, [-1]), V), tf.logSoftmax(logits)), -1);
    return /** @type {tf.Scalar} */ (tf.neg(tf.mean(picked)));
  };

  return {
    /** One training step (forward, backward, AdamW); the loss before the update. @param {tf.Tensor} tokens @param {tf.Tensor} labels @param {boolean} training */
    step(tokens, labels, training) {
      t += 1;
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => loss(tokens, labels, training), [...vars.values()]);
        const c1 = 1 - opt.b1 ** t;
        const c2 = 1 - opt.b2 ** t;
        for (const [path, p] of vars) {
          const g = /** @type {tf.Tensor} */ (grads[p.name]);
          const m = /** @type {tf.Variable} */ (mSlots.get(path));
          const v = /** @type {tf.Variable} */ (vSlots.get(path));
          m.assign(tf.add(tf.mul(m, opt.b1), tf.mul(g, 1 - opt.b1)));
          v.assign(tf.add(tf.mul(v, opt.b2), tf.mul(tf.square(g), 1 - opt.b2)));
          const update = tf.add(tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), opt.eps)), tf.mul(p, opt.weightDecay));
          p.assign(tf.sub(p, tf.mul(update, opt.lr)));
        }
        return value;
      });
    },
    reset() {
      t = 0;
      for (const [path, { values, shape }] of initial) {
        tf.tidy(() => /** @type {tf.Variable} */ (vars.get(path)).assign(tf.tensor(values, shape)));
        tf.tidy(() => /** @type {tf.Variable} */ (mSlots.get(path)).assign(tf.zeros(shape)));
        tf.tidy(() => /** @type {tf.Variable} */ (vSlots.get(path)).assign(tf.zeros(shape)));
      }
    },
    /** The current weights by dotted path (host copies). */
    weights() {
      return new Map([...vars].map(([path, p]) => [path, Float32Array.from(p.dataSync())]));
    },
    dispose() {
      tf.dispose([...vars.values(), ...mSlots.values(), ...vSlots.values(), ...constants]);
    },
  };
}
