import * as nx from "@raven-ts/nx";
import { Fn, Layer, Rng, type Vars } from "@raven-ts/kaun-core";
import { describe, expect, it } from "vitest";
import { decoderLM, transformerBlock } from "../src/index.js";
import { expectClose } from "../src/testing/index.js";

/** `greedyByApply(lm, vars, prompt, n)` is `prompt` ([1, t]) extended by `n` tokens, each the argmax of `apply` on the whole sequence so far (no cache). */
function greedyByApply(lm: ReturnType<typeof decoderLM>, vars: Vars, prompt: nx.Tensor, n: number): number[] {
  let seq = Array.from(prompt.dataSync());
  for (let i = 0; i < n; i++) {
    const [logits] = Layer.apply(lm, vars, nx.tensor(Int32Array.from(seq), { shape: [1, seq.length] }), { training: false });
    seq = [...seq, nx.argmax(nx.slice(logits, [0, -1])).item() as number];
  }
  return seq;
}

describe("transformerBlock", () => {
  it("is x + attn(norm(x)) followed by h + mlp(norm(h)) (checked against its sub-layers)", () => {
    const block = transformerBlock({ embedDim: 16, numHeads: 4, numKvHeads: 2, mlpDim: 24, isCausal: true, rope: true, activation: "silu" });
    const vars = Rng.run(0, () => Layer.init(block, { dtype: "float32" }));
    const p = vars.params as Record<string, Record<string, nx.Tensor>>;
    expect(Object.keys(p).sort()).toEqual(["attn", "attn_norm", "mlp_in", "mlp_norm", "mlp_out"]);
    expect(p.mlp_in!.weight!.shape).toEqual([16, 24]);
    const x = nx.random.normal(nx.random.key(1), [2, 5, 16]);
    const [y] = Layer.apply(block, vars, x, { training: false });
    // Recompute with plain ops: rmsNorm with unit scale at init, then the attention layer itself.
    const rms = (t: nx.Tensor, scale: nx.Tensor): nx.Tensor => nx.mul(nx.div(t, nx.sqrt(nx.add(nx.mean(nx.square(t), { axes: -1, keepdims: true }), 1e-6))), scale);
    const norm1 = Object.values(p.attn_norm!)[0] as nx.Tensor;
    const norm2 = Object.values(p.mlp_norm!)[0] as nx.Tensor;
    const [a] = Layer.apply(block.attention, { params: p.attn!, state: {}, dtype: "float32" }, rms(x, norm1), { training: false });
    const h = nx.add(x, a);
    const hidden = nx.add(nx.matmul(rms(h, norm2), p.mlp_in!.weight!), p.mlp_in!.bias!);
    const act = nx.mul(hidden, nx.sigmoid(hidden));
    const expected = nx.add(h, nx.add(nx.matmul(act, p.mlp_out!.weight!), p.mlp_out!.bias!));
    expectClose(y.dataSync(), expected.dataSync(), { atol: 1e-4, rtol: 1e-3 }, "block output");
  });

  it("decodes with a KV cache to the same outputs as apply", () => {
    const block = transformerBlock({ embedDim: 16, numHeads: 4, numKvHeads: 1, isCausal: true, rope: true, norm: "layerNorm" });
    const vars = Rng.run(2, () => Layer.init(block, { dtype: "float32" }));
    const x = nx.random.normal(nx.random.key(3), [1, 6, 16]);
    const [full] = Layer.apply(block, vars, x, { training: false });
    let cache = block.initCache({ batch: 1, maxLength: 6 });
    const pieces: nx.Tensor[] = [];
    for (let t = 0; t < 6; t++) {
      const [y, c] = block.decode(vars, nx.slice(x, [null, { start: t, stop: t + 1 }]), cache);
      pieces.push(y);
      cache = c;
    }
    expectClose(nx.concatenate(pieces, { axis: 1 }).dataSync(), full.dataSync(), { atol: 1e-5, rtol: 1e-4 }, "block decode");
  });

  it("uses normEps in both norms (layerNorm, eps 0.5, checked by hand) and reports its config", () => {
    const block = transformerBlock({ embedDim: 8, numHeads: 2, mlpDim: 12, norm: "layerNorm", normEps: 0.5, activation: "relu" });
    expect(block.config).toMatchObject({ embedDim: 8, numHeads: 2, numKvHeads: 2, mlpDim: 12, norm: "layerNorm", normEps: 0.5, activation: "relu" });
    expect(transformerBlock({ embedDim: 8, numHeads: 2 }).config.normEps).toBe(1e-6);
    expect(transformerBlock({ embedDim: 8, numHeads: 2, norm: "layerNorm" }).config.normEps).toBe(1e-5);
    const vars = Rng.run(5, () => Layer.init(block, { dtype: "float64" }));
    const p = vars.params as Record<string, Record<string, nx.Tensor>>;
    const x = nx.random.normal(nx.random.key(6), [1, 3, 8], "float64");
    const [y] = Layer.apply(block, vars, x, { training: false });
    // Layer norm with eps 0.5 over the last axis (gamma 1, beta 0 at init), written out with plain ops.
    const ln = (t: nx.Tensor): nx.Tensor => {
      const c = nx.sub(t, nx.mean(t, { axes: -1, keepdims: true }));
      return nx.div(c, nx.sqrt(nx.add(nx.mean(nx.square(c), { axes: -1, keepdims: true }), 0.5)));
    };
    const [a] = Layer.apply(block.attention, { params: p.attn!, state: {}, dtype: "float64" }, ln(x), { training: false });
    const h = nx.add(x, a);
    const hidden = nx.maximum(nx.add(nx.matmul(ln(h), p.mlp_in!.weight!), p.mlp_in!.bias!), 0);
    const expected = nx.add(h, nx.add(nx.matmul(hidden, p.mlp_out!.weight!), p.mlp_out!.bias!));
    expectClose(y.dataSync(), expected.dataSync(), { atol: 1e-12, rtol: 1e-12 }, "block output with normEps 0.5");
  });

  it("gated MLPs: mlp holds gate_proj, up_proj [embedDim, mlpDim] and down_proj [mlpDim, embedDim], and y = h + Fn.<kind>(norm(h))", () => {
    for (const [kind, gate] of [["glu", "sigmoid"], ["swiglu", "silu"], ["geglu", "gelu"]] as const) {
      const block = transformerBlock({ embedDim: 8, numHeads: 2, mlpDim: 12, mlp: kind, isCausal: true, rope: true });
      expect(block.config).toMatchObject({ mlp: kind, activation: gate, mlpDim: 12 });
      expect(transformerBlock({ embedDim: 8, numHeads: 2, mlp: kind, activation: gate }).config.activation).toBe(gate);
      const vars = Rng.run(7, () => Layer.init(block, { dtype: "float64" }));
      const p = vars.params as Record<string, Record<string, nx.Tensor>>;
      expect(Object.keys(p).sort()).toEqual(["attn", "attn_norm", "mlp", "mlp_norm"]);
      expect(Object.fromEntries(Object.entries(p.mlp!).map(([k, t]) => [k, t.shape]))).toEqual({ gate_proj: [8, 12], up_proj: [8, 12], down_proj: [12, 8] });
      const x = nx.random.normal(nx.random.key(8), [2, 4, 8], "float64");
      const [y] = Layer.apply(block, vars, x, { training: false });
      const rms = (t: nx.Tensor): nx.Tensor => nx.div(t, nx.sqrt(nx.add(nx.mean(nx.square(t), { axes: -1, keepdims: true }), 1e-6)));
      const [a] = Layer.apply(block.attention, { params: p.attn!, state: {}, dtype: "float64" }, rms(x), { training: false });
      const h = nx.add(x, a);
      const n = rms(h);
      const act = { glu: nx.sigmoid, swiglu: Fn.silu, geglu: Fn.gelu }[kind];
      const expected = nx.add(h, nx.matmul(nx.mul(act(nx.matmul(n, p.mlp!.gate_proj!)), nx.matmul(n, p.mlp!.up_proj!)), p.mlp!.down_proj!));
      expectClose(y.dataSync(), expected.dataSync(), { atol: 1e-12, rtol: 1e-12 }, `${kind} block output`);
    }
  });

  it("a dense block's parameters draw the same keys as before the mlp option (its sub-layers keep their order)", () => {
    const dense = Rng.run(3, () => Layer.init(transformerBlock({ embedDim: 8, numHeads: 2, mlp: "dense" }), { dtype: "float32" }));
    const implicit = Rng.run(3, () => Layer.init(transformerBlock({ embedDim: 8, numHeads: 2 }), { dtype: "float32" }));
    const flat = (v: typeof dense): number[] => nx.tree.leaves(v.params as nx.tree.Tree).flatMap((t) => Array.from(t.dataSync()));
    expect(flat(dense)).toEqual(flat(implicit));
  });

  it("rejects bad MLP and norm options", () => {
    expect(() => transformerBlock({ embedDim: 8, numHeads: 2, mlpDim: 0 })).toThrow("kaun.transformerBlock: mlpDim must be a positive integer, got 0");
    expect(() => transformerBlock({ embedDim: 8, numHeads: 2, norm: "batchNorm" as "rmsNorm" })).toThrow('kaun.transformerBlock: norm must be one of "rmsNorm", "layerNorm", got "batchNorm"');
    expect(() => transformerBlock({ embedDim: 8, numHeads: 2, normEps: -1 })).toThrow("kaun.transformerBlock: normEps must be a finite non-negative number, got -1");
    expect(() => transformerBlock({ embedDim: 8, numHeads: 2, normEps: Number.NaN })).toThrow("normEps must be a finite non-negative number, got NaN");
  });
});

describe("decoderLM", () => {
  const lm = decoderLM({ vocabSize: 11, embedDim: 16, numLayers: 2, numHeads: 4, numKvHeads: 2, mlpDim: 32 });
  const vars = Rng.run(4, () => Layer.init(lm, { dtype: "float32" }));
  const tokens = nx.tensor(Int32Array.from([1, 5, 2, 9, 3, 3, 7, 0, 4, 10, 6, 8]), { shape: [2, 6] });

  it("maps int32 tokens [B, T] to logits [B, T, vocab], causally", () => {
    const [logits] = Layer.apply(lm, vars, tokens, { training: false });
    expect(logits.shape).toEqual([2, 6, 11]);
    // Changing the last token must not change earlier positions' logits.
    const changed = nx.tensor(Int32Array.from([1, 5, 2, 9, 3, 4, 7, 0, 4, 10, 6, 1]), { shape: [2, 6] });
    const [other] = Layer.apply(lm, vars, changed, { training: false });
    expectClose(nx.slice(other, [null, { stop: 5 }]).dataSync(), nx.slice(logits, [null, { stop: 5 }]).dataSync(), { atol: 1e-6, rtol: 1e-6 }, "prefix logits");
  });

  it("decode(prefill + steps) equals apply", () => {
    const [full] = Layer.apply(lm, vars, tokens, { training: false });
    let caches = lm.initCache({ batch: 2, maxLength: 6 });
    const [first, c1] = lm.decode(vars, nx.slice(tokens, [null, { stop: 3 }]), caches);
    caches = c1;
    const pieces = [first];
    for (let t = 3; t < 6; t++) {
      const [y, c] = lm.decode(vars, nx.slice(tokens, [null, { start: t, stop: t + 1 }]), caches);
      pieces.push(y);
      caches = c;
    }
    expectClose(nx.concatenate(pieces, { axis: 1 }).dataSync(), full.dataSync(), { atol: 1e-5, rtol: 1e-4 }, "lm decode");
  });

  it("generate: greedy continuation equals repeated argmax of apply; sampling is reproducible per key", () => {
    const prompt = nx.slice(tokens, [{ stop: 1 }, { stop: 3 }]);
    const greedy = lm.generate(vars, prompt, { maxNewTokens: 4, temperature: 0 });
    expect(Array.from(greedy.dataSync())).toEqual(greedyByApply(lm, vars, prompt, 4));
    const a = lm.generate(vars, prompt, { maxNewTokens: 5, key: nx.random.key(9) });
    const b = lm.generate(vars, prompt, { maxNewTokens: 5, key: nx.random.key(9) });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(() => lm.generate(vars, prompt, { maxNewTokens: 2 })).toThrow("a key is required");
  });
});

describe("decoderLM options", () => {
  const tokens = nx.tensor(Int32Array.from([3, 1, 4, 1, 5, 9, 2, 6]), { shape: [2, 4] });

  it("reports its config with the defaults filled in; decoderLM(config) has the same parameters", () => {
    const lm = decoderLM({ vocabSize: 10, embedDim: 8, numLayers: 1, numHeads: 2 });
    expect(lm.config).toEqual({
      vocabSize: 10, embedDim: 8, numLayers: 1, numHeads: 2, numKvHeads: 2, mlpDim: 32, dropout: 0,
      ropeTheta: 10000, norm: "rmsNorm", normEps: 1e-6, mlp: "dense", activation: "gelu", tieEmbeddings: false,
    });
    const again = decoderLM(JSON.parse(JSON.stringify(lm.config)) as typeof lm.config);
    const shapes = (m: typeof lm): [string, readonly number[]][] =>
      nx.tree.flattenWithPaths<nx.Tensor>(Rng.run(0, () => Layer.init(m, { dtype: "float32" })).params as nx.tree.Tree<nx.Tensor>).map(([k, t]) => [k, t.shape]);
    expect(shapes(again)).toEqual(shapes(lm));
  });

  it("normEps reaches the final norm: logits follow rmsNorm with that eps", () => {
    // With one block, scale all of the block's output projections to zero, so the final norm sees the scaled embedding itself.
    const lm = decoderLM({ vocabSize: 6, embedDim: 4, numLayers: 1, numHeads: 1, normEps: 3 });
    const vars = Rng.run(1, () => Layer.init(lm, { dtype: "float64" }));
    const p = vars.params as { embed: { embedding: nx.Tensor }; blocks: Record<string, Record<string, nx.Tensor>>[]; lm_head: { weight: nx.Tensor; bias: nx.Tensor } };
    const block = p.blocks[0]!;
    const zeroed = { ...p, blocks: [{ ...block, attn: { ...block.attn!, out_proj: nx.zerosLike(block.attn!.out_proj!) }, mlp_out: { weight: nx.zerosLike(block.mlp_out!.weight!), bias: nx.zerosLike(block.mlp_out!.bias!) } }] };
    const ids = nx.tensor(Int32Array.from([0, 5]), { shape: [1, 2] });
    const [logits] = Layer.apply(lm, { ...vars, params: zeroed }, ids, { training: false });
    const e = nx.mul(nx.take(p.embed.embedding, ids, { axis: 0 }), 2); // rows × sqrt(embedDim = 4)
    const normed = nx.div(e, nx.sqrt(nx.add(nx.mean(nx.square(e), { axes: -1, keepdims: true }), 3)));
    const expected = nx.add(nx.matmul(normed, p.lm_head.weight), p.lm_head.bias);
    expectClose(logits.dataSync(), expected.dataSync(), { atol: 1e-12, rtol: 1e-12 }, "logits with normEps 3");
  });

  it("tieEmbeddings: no lm_head; logits equal an untied model whose head is the transposed table without bias", () => {
    const opts = { vocabSize: 10, embedDim: 8, numLayers: 2, numHeads: 2, numKvHeads: 1, mlpDim: 16 } as const;
    const tied = decoderLM({ ...opts, tieEmbeddings: true });
    expect(tied.config.tieEmbeddings).toBe(true);
    const vars = Rng.run(2, () => Layer.init(tied, { dtype: "float32" }));
    const p = vars.params as Record<string, unknown> & { embed: { embedding: nx.Tensor } };
    expect(Object.keys(p).sort()).toEqual(["blocks", "embed", "final_norm"]);
    const untied = decoderLM(opts);
    const head = { weight: nx.transpose(p.embed.embedding), bias: nx.zeros([10]) };
    const [expected] = Layer.apply(untied, { params: { ...p, lm_head: head }, state: { ...(vars.state as object), lm_head: {} }, dtype: "float32" }, tokens, { training: false });
    const [logits] = Layer.apply(tied, vars, tokens, { training: false });
    expectClose(logits.dataSync(), expected.dataSync(), { atol: 1e-6, rtol: 1e-6 }, "tied logits");
    // KV-cached decoding uses the same head.
    const [prefill, caches] = tied.decode(vars, nx.slice(tokens, [null, { stop: 3 }]), tied.initCache({ batch: 2, maxLength: 4 }));
    const [last] = tied.decode(vars, nx.slice(tokens, [null, { start: 3 }]), caches);
    expectClose(nx.concatenate([prefill, last], { axis: 1 }).dataSync(), logits.dataSync(), { atol: 1e-5, rtol: 1e-4 }, "tied decode");
  });

  it("a swiglu decoderLM: config round trip, KV-cached decode equals apply, greedy generate", () => {
    const swiglu = decoderLM({ vocabSize: 11, embedDim: 16, numLayers: 2, numHeads: 4, numKvHeads: 2, mlpDim: 24, mlp: "swiglu" });
    expect(swiglu.config).toMatchObject({ mlp: "swiglu", activation: "silu", mlpDim: 24 });
    expect(decoderLM(JSON.parse(JSON.stringify(swiglu.config)) as typeof swiglu.config).config).toEqual(swiglu.config);
    const v = Rng.run(5, () => Layer.init(swiglu, { dtype: "float32" }));
    const block0 = (v.params as { blocks: Record<string, Record<string, nx.Tensor>>[] }).blocks[0]!;
    expect(Object.keys(block0.mlp!)).toEqual(["gate_proj", "up_proj", "down_proj"]);
    const [full] = Layer.apply(swiglu, v, tokens, { training: false });
    const [prefill, caches] = swiglu.decode(v, nx.slice(tokens, [null, { stop: 2 }]), swiglu.initCache({ batch: 2, maxLength: 4 }));
    const [rest] = swiglu.decode(v, nx.slice(tokens, [null, { start: 2 }]), caches);
    expectClose(nx.concatenate([prefill, rest], { axis: 1 }).dataSync(), full.dataSync(), { atol: 1e-5, rtol: 1e-4 }, "swiglu decode");
    const prompt = nx.slice(tokens, [{ stop: 1 }, { stop: 2 }]);
    const greedy = swiglu.generate(v, prompt, { maxNewTokens: 3, temperature: 0 });
    expect(Array.from(greedy.dataSync())).toEqual(greedyByApply(swiglu, v, prompt, 3));
  });

  it("rejects a tieEmbeddings that is not a boolean", () => {
    expect(() => decoderLM({ vocabSize: 4, embedDim: 4, numLayers: 1, numHeads: 1, tieEmbeddings: "yes" as unknown as boolean })).toThrow('kaun.decoderLM: tieEmbeddings must be a boolean, got "yes"');
  });
});
