// The attention maps of a whole model and of one block, checked against the
// same computation composed by hand from the model's parts: the embedding and
// the norms written out with nx ops, earlier blocks through Layer.apply, and
// the attention's own attentionWeights (itself checked against PyTorch in
// mha.test.ts).
import * as nx from "@raven-ts/nx";
import { Context, Layer, Rng, type Ptree, type Vars } from "@raven-ts/kaun-core";
import { describe, expect, it } from "vitest";
import { attentionMaskKey, decoderLM, transformerBlock, type DecoderLMLayer } from "../src/index.js";
import { expectClose } from "../src/testing/index.js";

type Tree = Record<string, unknown>;
const sub = (tree: Ptree, ...path: (string | number)[]): Ptree => path.reduce<unknown>((t, k) => (t as Tree)[k], tree) as Ptree;

/** `normByHand(kind, x, params, eps)` is rmsNorm (`x / sqrt(mean(x²) + eps) * scale`) or layerNorm (`(x - mean) / sqrt(var + eps) * gamma + beta`) over the last axis. */
function normByHand(kind: "rmsNorm" | "layerNorm", x: nx.Tensor, params: Ptree, eps: number): nx.Tensor {
  const p = params as Record<string, nx.Tensor>;
  if (kind === "rmsNorm") return nx.mul(nx.div(x, nx.sqrt(nx.add(nx.mean(nx.square(x), { axes: -1, keepdims: true }), eps))), p.scale as nx.Tensor);
  const centred = nx.sub(x, nx.mean(x, { axes: -1, keepdims: true }));
  const variance = nx.mean(nx.square(centred), { axes: -1, keepdims: true });
  return nx.add(nx.mul(nx.div(centred, nx.sqrt(nx.add(variance, eps))), p.gamma as nx.Tensor), p.beta as nx.Tensor);
}

/**
 * `byHand(lm, vars, tokens, layer, ctx)` is block `layer`'s attention weights:
 * embedding rows × sqrt(embedDim), blocks `0 .. layer-1` by `Layer.apply`,
 * block `layer`'s pre-attention norm by hand, then its attention's `attentionWeights`.
 */
function byHand(lm: DecoderLMLayer, vars: Vars, tokens: nx.Tensor, layer: number, ctx?: Context): nx.Tensor {
  const { embedDim, norm, normEps } = lm.config;
  const blockVars = (i: number): Vars => ({ params: sub(vars.params, "blocks", i), state: sub(vars.state, "blocks", i), dtype: vars.dtype });
  let h = nx.mul(nx.take(sub(vars.params, "embed", "embedding") as nx.Tensor, tokens, { axis: 0 }), Math.sqrt(embedDim));
  for (let i = 0; i < layer; i++) [h] = Layer.apply(lm.blocks[i] as DecoderLMLayer["blocks"][number], blockVars(i), h, { training: false, ...(ctx === undefined ? {} : { ctx }) });
  const normed = normByHand(norm, h, sub(vars.params, "blocks", layer, "attn_norm"), normEps);
  const attention = (lm.blocks[layer] as DecoderLMLayer["blocks"][number]).attention;
  return attention.attentionWeights({ params: sub(vars.params, "blocks", layer, "attn"), state: {}, dtype: vars.dtype }, normed, ctx === undefined ? {} : { ctx });
}

/** `expectCausalProbabilities(w, keep)` checks `w` `[batch, heads, T, T]`: exactly 0 above the diagonal and on masked keys (`keep[b][j] === 0`), rows summing to 1. */
function expectCausalProbabilities(w: nx.Tensor, keep: number[][]): void {
  const [B, H, T] = w.shape as [number, number, number, number];
  const data = w.dataSync();
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        let sum = 0;
        for (let j = 0; j < T; j++) {
          const v = data[((b * H + h) * T + i) * T + j] as number;
          if (j > i || keep[b]?.[j] === 0) expect(v, `[${b},${h},${i},${j}]`).toBe(0);
          else expect(v).toBeGreaterThan(0);
          sum += v;
        }
        expect(Math.abs(sum - 1), `row [${b},${h},${i}] sums to ${sum}`).toBeLessThan(1e-5);
      }
    }
  }
}

describe("decoderLM.attentionWeights", () => {
  const lm = decoderLM({ vocabSize: 11, embedDim: 16, numLayers: 3, numHeads: 4, numKvHeads: 2, mlpDim: 24, dropout: 0.3 });
  const vars = Rng.run(4, () => Layer.init(lm, { dtype: "float32" }));
  const tokens = nx.tensor(Int32Array.from([1, 5, 2, 9, 3, 3, 7, 0, 4, 10, 6, 8]), { shape: [2, 6] });

  it("is one [batch, numHeads, seqLen, seqLen] map per block, equal to the embedding → earlier blocks → attn_norm → attention composed by hand", () => {
    const maps = lm.attentionWeights(vars, tokens);
    expect(maps).toHaveLength(3);
    maps.forEach((w, i) => {
      expect(w.shape).toEqual([2, 4, 6, 6]);
      expect(w.dtype).toBe("float32");
      expectClose(w.dataSync(), byHand(lm, vars, tokens, i).dataSync(), { atol: 1e-6, rtol: 1e-5 }, `block ${i}`);
      expectCausalProbabilities(w, [[], []]);
    });
    // The blocks differ: each map is its own block's, not the first one repeated.
    expect(Array.from(maps[2]!.dataSync())).not.toEqual(Array.from(maps[0]!.dataSync()));
  });

  it("is the inference pass: no dropout (dropout 0.3), the same maps under any Rng scope", () => {
    const a = lm.attentionWeights(vars, tokens);
    const b = Rng.run(99, () => lm.attentionWeights(vars, tokens));
    a.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from((b[i] as nx.Tensor).dataSync())));
  });

  it("applies a padding mask from ctx as apply does: masked keys get exactly 0", () => {
    const keep = [
      [1, 1, 0, 1, 1, 1],
      [1, 1, 1, 1, 0, 0],
    ];
    const ctx = Context.empty.set(attentionMaskKey, nx.tensor(keep, { dtype: "int32" }));
    const maps = lm.attentionWeights(vars, tokens, { ctx });
    maps.forEach((w, i) => {
      expectClose(w.dataSync(), byHand(lm, vars, tokens, i, ctx).dataSync(), { atol: 1e-6, rtol: 1e-5 }, `masked block ${i}`);
      expectCausalProbabilities(w, keep);
    });
  });

  it("a layerNorm float64 model with a swiglu MLP: the same composition", () => {
    const ln = decoderLM({ vocabSize: 7, embedDim: 8, numLayers: 2, numHeads: 2, norm: "layerNorm", normEps: 0.01, mlp: "swiglu" });
    const v = Rng.run(5, () => Layer.init(ln, { dtype: "float64" }));
    // Non-trivial norm params, so a norm with the wrong params or eps shows.
    const params = v.params as { blocks: { attn_norm: { gamma: nx.Tensor; beta: nx.Tensor } }[] };
    const norm1 = params.blocks[1]!.attn_norm;
    const lv: Vars = {
      ...v,
      params: {
        ...(v.params as Tree),
        blocks: [
          params.blocks[0] as unknown as Ptree,
          { ...(params.blocks[1] as unknown as Tree), attn_norm: { gamma: nx.add(norm1.gamma, nx.tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: "float64" })), beta: nx.full([8], 0.5, "float64") } },
        ],
      } as Ptree,
    };
    const t = nx.tensor([[6, 0, 3, 3, 1]], { dtype: "int32" });
    const maps = ln.attentionWeights(lv, t);
    maps.forEach((w, i) => {
      expect(w.dtype).toBe("float64");
      expectClose(w.dataSync(), byHand(ln, lv, t, i).dataSync(), { atol: 1e-12, rtol: 1e-10 }, `layerNorm block ${i}`);
      expectCausalProbabilities(w, [[]]);
    });
  });
});

describe("transformerBlock.attentionWeights", () => {
  it("is the attention's weights on attn_norm(x), and they reproduce the block's output", () => {
    const block = transformerBlock({ embedDim: 16, numHeads: 4, numKvHeads: 2, mlpDim: 24, isCausal: true, rope: true, activation: "relu" });
    const vars = Rng.run(1, () => Layer.init(block, { dtype: "float64" }));
    const p = vars.params as Record<string, Record<string, nx.Tensor>>;
    const x = nx.random.normal(nx.random.key(2), [2, 5, 16], "float64");
    const keep = [
      [1, 1, 1, 1, 1],
      [1, 0, 1, 1, 1],
    ];
    const ctx = Context.empty.set(attentionMaskKey, nx.tensor(keep, { dtype: "bool" }));
    const w = block.attentionWeights(vars, x, { ctx });
    expect(w.shape).toEqual([2, 4, 5, 5]);
    expectCausalProbabilities(w, keep);
    const normed = normByHand("rmsNorm", x, p.attn_norm as Ptree, 1e-6);
    expectClose(w.dataSync(), block.attention.attentionWeights({ params: p.attn as Ptree, state: {}, dtype: "float64" }, normed, { ctx }).dataSync(), { atol: 1e-12, rtol: 1e-10 }, "block weights");
    // Recompose the block from the weights: head h reads value head floor(h / 2); h = x + heads @ out_proj; y = h + mlp(norm(h)).
    const D = 4;
    const heads = Array.from({ length: 4 }, (_, h) => {
      const kv = Math.floor(h / 2);
      return nx.matmul(nx.slice(w, [null, h]), nx.matmul(normed, nx.slice(p.attn!.v_proj!, [null, { start: kv * D, stop: (kv + 1) * D }])));
    });
    const hidden = nx.add(x, nx.matmul(nx.concatenate(heads, { axis: -1 }), p.attn!.out_proj!));
    const m = nx.add(nx.matmul(nx.maximum(nx.add(nx.matmul(normByHand("rmsNorm", hidden, p.mlp_norm as Ptree, 1e-6), p.mlp_in!.weight!), p.mlp_in!.bias!), 0), p.mlp_out!.weight!), p.mlp_out!.bias!);
    const [y] = Layer.apply(block, vars, x, { training: false, ctx });
    expectClose(nx.add(hidden, m).dataSync(), y.dataSync(), { atol: 1e-12, rtol: 1e-10 }, "block output from its weights");
  });
});
