import * as nx from "@raven-ts/nx";
import { Context, Layer, Rng, type Vars } from "@raven-ts/kaun-core";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { describe, expect, it } from "vitest";
import { attentionMaskKey, multiHeadAttention } from "../src/index.js";
import { expectClose, loadGoldenCases, mhaSetup, type MhaCase } from "../src/testing/index.js";

const cases = loadGoldenCases();


describe("attentionMaskKey", () => {
  it('is "attention_mask"', () => expect(attentionMaskKey).toBe("attention_mask"));
});

describe("multiHeadAttention: construction", () => {
  it("rejects embedDim not divisible by numHeads, and numHeads not divisible by numKvHeads", () => {
    expectInvalidArgument(() => multiHeadAttention({ embedDim: 10, numHeads: 4 }), "kaun.multiHeadAttention", "embedDim (10)", "numHeads (4)");
    expectInvalidArgument(() => multiHeadAttention({ embedDim: 12, numHeads: 6, numKvHeads: 4 }), "kaun.multiHeadAttention", "numHeads (6)", "numKvHeads (4)");
  });
  it("rejects non-positive or non-integer sizes, dropout outside [0, 1), bad ropeTheta, odd head size with rope", () => {
    expectInvalidArgument(() => multiHeadAttention({ embedDim: 0, numHeads: 1 }), "kaun.multiHeadAttention", "embedDim must be a positive integer, got 0");
    expectInvalidArgument(() => multiHeadAttention({ embedDim: 8, numHeads: 2.5 }), "kaun.multiHeadAttention", "numHeads must be a positive integer, got 2.5");
    expectInvalidArgument(() => multiHeadAttention({ embedDim: 8, numHeads: 2, numKvHeads: -1 }), "kaun.multiHeadAttention", "numKvHeads must be a positive integer, got -1");
    expectInvalidArgument(() => multiHeadAttention({ embedDim: 8, numHeads: 2, dropout: 1 }), "kaun.multiHeadAttention", "dropout must be a number in [0, 1), got 1");
    expectInvalidArgument(() => multiHeadAttention({ embedDim: 8, numHeads: 2, dropout: -0.1 }), "kaun.multiHeadAttention", "dropout must be a number in [0, 1), got -0.1");
    expectInvalidArgument(() => multiHeadAttention({ embedDim: 8, numHeads: 2, rope: true, ropeTheta: 0 }), "kaun.multiHeadAttention", "ropeTheta must be a positive finite number, got 0");
    expectInvalidArgument(() => multiHeadAttention({ embedDim: 6, numHeads: 2, rope: true }), "kaun.multiHeadAttention", "rope needs an even head size", "6 / 2 = 3");
  });
  it("has exactly the seed's params with the seed's shapes, Glorot-uniform", () => {
    const layer = multiHeadAttention({ embedDim: 64, numHeads: 8, numKvHeads: 2 });
    const vars = Rng.run(0, () => Layer.init(layer, { dtype: "float32" }));
    const params = vars.params as Record<string, nx.Tensor>;
    expect(Object.keys(params).sort()).toEqual(["k_proj", "out_proj", "q_proj", "v_proj"]);
    const expected: Record<string, number[]> = { q_proj: [64, 64], k_proj: [64, 16], v_proj: [64, 16], out_proj: [64, 64] };
    for (const [name, shape] of Object.entries(expected)) {
      const p = params[name] as nx.Tensor;
      expect(p.shape).toEqual(shape);
      const [fanIn, fanOut] = shape as [number, number];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const values = Array.from(p.dataSync());
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(limit);
      // Uniform(-limit, limit) has variance limit^2 / 3; with n >= 1024 samples the estimate is within 15%.
      const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
      expect(Math.abs(variance / (limit * limit / 3) - 1)).toBeLessThan(0.15);
    }
    expect(vars.state).toEqual({});
    const again = Rng.run(0, () => Layer.init(layer, { dtype: "float32" }));
    expect(Array.from((again.params as Record<string, nx.Tensor>).q_proj!.dataSync())).toEqual(Array.from(params.q_proj!.dataSync()));
  });
});

describe("multiHeadAttention: input validation", () => {
  const layer = multiHeadAttention({ embedDim: 8, numHeads: 2 });
  const vars = Rng.run(1, () => Layer.init(layer, { dtype: "float32" }));
  it("rejects an input that is not rank 3 or whose last axis is not embedDim", () => {
    expectInvalidArgument(() => Layer.apply(layer, vars, nx.zeros([4, 8]), { training: false }), "kaun.multiHeadAttention", "[batch, seqLen, embedDim = 8]", "[4,8]");
    expectInvalidArgument(() => Layer.apply(layer, vars, nx.zeros([1, 4, 6]), { training: false }), "kaun.multiHeadAttention", "[1,4,6]");
  });
  it("rejects an input dtype other than the model's", () => {
    expectInvalidArgument(() => Layer.apply(layer, vars, nx.zeros([1, 4, 8], "float64"), { training: false }), "kaun.multiHeadAttention", "float64", "float32");
  });
  it("rejects a padding mask whose shape is not [batch, seqK]", () => {
    const ctx = Context.empty.set(attentionMaskKey, nx.ones([1, 3], "int32"));
    expectInvalidArgument(() => Layer.apply(layer, vars, nx.zeros([1, 4, 8]), { training: false, ctx }), "kaun.multiHeadAttention", "[batch, seqK] = [1,4]", "[1,3]");
  });
  it("reads masks of any numeric dtype as nonzero-keeps", () => {
    const x = nx.random.normal(nx.random.key(3), [2, 4, 8]);
    const maskData = [1, 1, 0, 1, 0, 1, 1, 1];
    const outs = (["bool", "int32", "float32", "uint8"] as const).map((dtype) => {
      const ctx = Context.empty.set(attentionMaskKey, nx.tensor(maskData, { dtype, shape: [2, 4] }));
      return Array.from(Layer.apply(layer, vars, x, { training: false, ctx })[0].dataSync());
    });
    for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
  });
});

describe("multiHeadAttention: dropout on the attention weights", () => {
  // With q_proj = 0 every score is 0, so every weight is 1/T; with v_proj = out_proj = I and
  // x[b, j] = e_j, output[b, i, j] is the (dropped-out) weight of query i on key j.
  const T = 32;
  const p = 0.25;
  const eye = nx.eye(T);
  const probe = (dropout: number): { layer: ReturnType<typeof multiHeadAttention>; vars: Vars; x: nx.Tensor } => ({
    layer: multiHeadAttention({ embedDim: T, numHeads: 1, dropout }),
    vars: { params: { q_proj: nx.zeros([T, T]), k_proj: nx.zeros([T, T]), v_proj: eye, out_proj: eye }, state: {}, dtype: "float32" },
    x: nx.broadcastTo(nx.reshape(eye, [1, T, T]), [4, T, T]),
  });

  it("with training: false equals the dropout: 0 layer exactly", () => {
    const a = probe(p);
    const b = probe(0);
    const ya = Rng.run(0, () => Layer.apply(a.layer, a.vars, a.x, { training: false })[0]);
    const yb = Layer.apply(b.layer, b.vars, b.x, { training: false })[0];
    expect(Array.from(ya.dataSync())).toEqual(Array.from(yb.dataSync()));
    expect(Array.from(yb.dataSync()).every((v) => Math.abs(v - 1 / T) < 1e-7)).toBe(true);
  });

  it("with training: true is reproducible under Rng.run, differs from eval, keeps ≈ 1 - p scaled by 1/(1 - p)", () => {
    const { layer, vars, x } = probe(p);
    const train = (seed: number): Float32Array => Rng.run(seed, () => Layer.apply(layer, vars, x, { training: true })[0].dataSync() as Float32Array);
    const a = train(7);
    expect(Array.from(train(7))).toEqual(Array.from(a));
    expect(Array.from(train(8))).not.toEqual(Array.from(a));
    const kept = Array.from(a).filter((v) => v !== 0);
    for (const v of kept) expect(Math.abs(v - 1 / T / (1 - p))).toBeLessThan(1e-6);
    // 4096 Bernoulli(0.75) draws: standard deviation of the kept fraction is 0.0068; allow 5 of them.
    const n = a.length;
    expect(Math.abs(kept.length / n - (1 - p))).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
  });
});

function fixtureCase(name: string): MhaCase {
  const c = cases.find((k) => k.name === name);
  if (c?.kind !== "mha") throw new Error(`missing fixture case ${name}`);
  return c;
}

describe("multiHeadAttention.attentionWeights", () => {
  it("gives [batch, numHeads, seqQ, seqK] probabilities that reproduce the layer's output (GQA, causal, RoPE, padding)", () => {
    const c = fixtureCase("mha_B1T7E24H6KV2_c1_r1_500_int32");
    const { layer, vars, x, ctx } = mhaSetup(c);
    const params = vars.params as Record<"v_proj" | "out_proj", nx.Tensor>;
    const mask = c.attention_mask as NonNullable<MhaCase["attention_mask"]>;
    const w = layer.attentionWeights(vars, x, { ctx });
    const { numHeads, numKvHeads, embedDim } = c.config;
    const D = embedDim / numHeads;
    const T = c.x.shape[1] as number;
    expect(w.shape).toEqual([1, numHeads, T, T]);
    const wd = w.dataSync();
    for (let h = 0; h < numHeads; h++) {
      for (let i = 0; i < T; i++) {
        let rowSum = 0;
        for (let j = 0; j < T; j++) {
          const v = wd[(h * T + i) * T + j] as number;
          if (j > i || mask.data[j] === 0) expect(v).toBe(0);
          rowSum += v;
        }
        expect(Math.abs(rowSum - 1)).toBeLessThan(1e-5);
      }
    }
    // Independent recomposition: head h uses value head floor(h / (H / KV)); out = concat_h(W_h V_kv(h)) @ out_proj.
    const heads: nx.Tensor[] = [];
    for (let h = 0; h < numHeads; h++) {
      const kv = Math.floor(h / (numHeads / numKvHeads));
      const vh = nx.matmul(x, nx.slice(params.v_proj, [null, { start: kv * D, stop: (kv + 1) * D }]));
      heads.push(nx.matmul(nx.slice(w, [null, h]), vh));
    }
    const out = nx.matmul(nx.concatenate(heads, { axis: -1 }), params.out_proj);
    expectClose(out.dataSync(), c.expected.data, { atol: 2e-5, rtol: 2e-4 }, "recomposed output");
  });
});

describe("multiHeadAttention: KV-cache decoding", () => {
  const layer = multiHeadAttention({ embedDim: 32, numHeads: 8, numKvHeads: 2, isCausal: true, rope: true, ropeTheta: 500 });
  const vars = Rng.run(11, () => Layer.init(layer, { dtype: "float32" }));
  const T = 10;
  const x = nx.random.normal(nx.random.key(5), [2, T, 32]);

  it("prefill then one-token steps equal the full causal apply", () => {
    const [full] = Layer.apply(layer, vars, x, { training: false });
    let cache = layer.initCache({ batch: 2, maxLength: T });
    const [prefix, c1] = layer.decode(vars, nx.slice(x, [null, { stop: 6 }]), cache);
    cache = c1;
    const pieces = [prefix];
    for (let t = 6; t < T; t++) {
      const [y, next] = layer.decode(vars, nx.slice(x, [null, { start: t, stop: t + 1 }]), cache);
      expect(next.length).toBe(t + 1);
      pieces.push(y);
      cache = next;
    }
    expectClose(nx.concatenate(pieces, { axis: 1 }).dataSync(), full.dataSync(), { atol: 1e-5, rtol: 1e-4 }, "decoded vs full");
  });

  it("honours a padding mask covering every key position", () => {
    const maskData = [1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const fullMask = nx.tensor(maskData, { dtype: "bool", shape: [2, T] });
    const [full] = Layer.apply(layer, vars, x, { training: false, ctx: Context.empty.set(attentionMaskKey, fullMask) });
    let cache = layer.initCache({ batch: 2, maxLength: T });
    const pieces: nx.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const ctx = Context.empty.set(attentionMaskKey, nx.slice(fullMask, [null, { stop: t + 1 }]));
      const [y, next] = layer.decode(vars, nx.slice(x, [null, { start: t, stop: t + 1 }]), cache, { ctx });
      pieces.push(y);
      cache = next;
    }
    expectClose(nx.concatenate(pieces, { axis: 1 }).dataSync(), full.dataSync(), { atol: 1e-5, rtol: 1e-4 }, "masked decode vs full");
  });

  it("throws a clear error when the cache is full, and for a mismatched batch", () => {
    const cache = layer.initCache({ batch: 2, maxLength: 4 });
    const [, c] = layer.decode(vars, nx.slice(x, [null, { stop: 3 }]), cache);
    expectInvalidArgument(() => layer.decode(vars, nx.slice(x, [null, { start: 3, stop: 5 }]), c), "kaun.multiHeadAttention.decode", "the KV cache is full", "3 of 4", "2 more");
    expectInvalidArgument(() => layer.decode(vars, nx.zeros([1, 1, 32]), c), "kaun.multiHeadAttention.decode", "batch 2");
    expectInvalidArgument(() => layer.initCache({ batch: 0, maxLength: 4 }), "kaun.multiHeadAttention.initCache", "batch must be a positive integer, got 0");
  });
});
