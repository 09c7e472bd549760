// Memory without the garbage collector: the public functions leave only their
// results live (nx.memory().numTensors counts live tensors; finalizers never
// run inside these synchronous loops), and decode consumes the cache it is given.
import * as nx from "@raven-ts/nx";
import { Context, Layer, Rng } from "@raven-ts/kaun-core";
import { describe, expect, it } from "vitest";
import { attentionMaskKey, decoderLM, multiHeadAttention, transformerBlock } from "../src/index.js";

const live = (): number => nx.memory().numTensors;

/** `created(f)` is the number of tensors `f` leaves live, and its result. */
function created<T>(f: () => T): [number, T] {
  const before = live();
  const result = f();
  return [live() - before, result];
}

describe("the README's decode loop holds a constant number of live tensors", () => {
  it("2,000 steps of the greedy loop around [logits, caches] = lm.decode(vars, input, caches), without tidy", () => {
    const lm = decoderLM({ vocabSize: 11, embedDim: 8, numLayers: 1, numHeads: 2, numKvHeads: 1, mlpDim: 16 });
    const vars = Rng.run(0, () => Layer.init(lm, { dtype: "float32" }));
    const prompt = nx.tensor([[1, 2, 3]], { dtype: "int32" });
    const steps = 2000;

    // The loop exactly as the README shows it (greedy decoding).
    let caches = lm.initCache({ batch: 1, maxLength: 3 + steps });
    let input = prompt; // int32 [1, t]
    const counts: number[] = [];
    for (let i = 0; i < steps; i++) {
      const [logits, next] = lm.decode(vars, input, caches); // consumes caches
      caches = next;
      const last = nx.slice(logits, [null, { start: -1 }]); // [1, 1, vocab]: the newest position
      logits.dispose();
      if (input !== prompt) input.dispose();
      input = nx.argmax(last, { axis: -1 }); // [1, 1]: the next token
      last.dispose();
      if (i % 250 === 0 || i === steps - 1) counts.push(live());
    }
    expect(caches[0]?.length).toBe(2 + steps);
    // Flat: the same count at step 0 and every 250 steps up to 2,000.
    expect(counts).toEqual(counts.map(() => counts[0]));
  });
});

describe("ownership: decode consumes its cache, and only on success", () => {
  const attn = multiHeadAttention({ embedDim: 8, numHeads: 2, isCausal: true, rope: true });
  const vars = Rng.run(1, () => Layer.init(attn, { dtype: "float32" }));
  const x = nx.random.normal(nx.random.key(2), [1, 3, 8]);

  it("the cache given is disposed, the one returned replaces it; reusing a consumed cache is a clear error", () => {
    const cache = attn.initCache({ batch: 1, maxLength: 8 });
    const [n, [out, next]] = created(() => attn.decode(vars, x, cache));
    expect(n).toBe(3 - 2); // out, next.k, next.v created; cache.k and cache.v disposed
    expect(out.shape).toEqual([1, 3, 8]);
    expect(cache.k.isDisposed && cache.v.isDisposed).toBe(true);
    expect(next.k.isDisposed).toBe(false);
    expect(() => attn.decode(vars, x, cache)).toThrow("kaun.multiHeadAttention.decode: the cache's tensors were disposed: decode consumes the cache it is given");
  });

  it("keepCache: the cache given stays live, so one prefix can be continued twice", () => {
    const lm = decoderLM({ vocabSize: 5, embedDim: 8, numLayers: 2, numHeads: 2 });
    const lvars = Rng.run(9, () => Layer.init(lm, { dtype: "float32" }));
    const [, prefix] = lm.decode(lvars, nx.tensor([[1, 2, 3]], { dtype: "int32" }), lm.initCache({ batch: 1, maxLength: 8 }));
    const token = nx.tensor([[4]], { dtype: "int32" });
    const [n, [a]] = created(() => lm.decode(lvars, token, prefix, { keepCache: true }));
    expect(n).toBe(1 + 2 * 2); // logits and the new caches; the prefix stays
    expect(prefix.every((c) => !c.k.isDisposed && !c.v.isDisposed)).toBe(true);
    const [b] = lm.decode(lvars, token, prefix, { keepCache: true });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const c = attn.initCache({ batch: 1, maxLength: 8 });
    const [m] = created(() => attn.decode(vars, x, c, { keepCache: true }));
    expect(m).toBe(3);
    expect(c.k.isDisposed).toBe(false);
  });

  it("a rejected decode leaves the cache intact and creates nothing", () => {
    const cache = attn.initCache({ batch: 1, maxLength: 4 });
    const [, c] = attn.decode(vars, x, cache);
    const [n] = created(() => expect(() => attn.decode(vars, x, c)).toThrow(/the KV cache is full/));
    expect(n).toBe(0);
    expect(c.k.isDisposed).toBe(false);
    const block = transformerBlock({ embedDim: 8, numHeads: 2, isCausal: true });
    const bvars = Rng.run(3, () => Layer.init(block, { dtype: "float32" }));
    const bc = block.initCache({ batch: 1, maxLength: 2 });
    const [m] = created(() => expect(() => block.decode(bvars, x, bc)).toThrow("kaun.transformerBlock.decode: the KV cache is full: it holds 0 of 2 positions and cannot take 3 more"));
    expect(m).toBe(0);
    expect(bc.k.isDisposed).toBe(false);
  });

  it("a step writes its positions into the cache's buffers (no new buffer), with the values of a functional update", () => {
    const buffers = (): number => nx.memory().backends.cpu?.buffers ?? 0;
    const keys = (c: { k: nx.Tensor }): number[] => nx.tidy(() => Array.from(c.k.dataSync()));
    const [, c1] = attn.decode(vars, x, attn.initCache({ batch: 1, maxLength: 8 }));
    const before = keys(c1);
    const token = nx.random.normal(nx.random.key(4), [1, 1, 8]);
    // keepCache: a functional update leaves c1 as it was
    const [o1, copy] = attn.decode(vars, token, c1, { keepCache: true });
    expect(keys(c1)).toEqual(before);
    const start = buffers();
    const [o2, c2] = attn.decode(vars, token, c1);
    expect(buffers()).toBe(start + 1); // the output only: the new cache took over c1's buffers
    expect(Array.from(o2.dataSync())).toEqual(Array.from(o1.dataSync()));
    expect(keys(c2)).toEqual(keys(copy));
    expect(keys(c2).slice(0, 3 * 4)).toEqual(before.slice(0, 3 * 4));
    nx.dispose([o1, o2, copy.k, copy.v, token, c2.k, c2.v]);
  });

  it("a decode whose attention scores are more than the backend holds is rejected before anything is consumed", () => {
    const wide = multiHeadAttention({ embedDim: 8, numHeads: 4, isCausal: true });
    const wvars = Rng.run(5, () => Layer.init(wide, { dtype: "float32" }));
    const cache = wide.initCache({ batch: 1, maxLength: 8200 });
    const long = nx.zeros([1, 8193, 8]); // scores [1, 4, 8193, 8193]: more than 2^28 elements
    const [n] = created(() => expect(() => wide.decode(wvars, long, cache)).toThrow("kaun.multiHeadAttention.decode: a tensor of shape [1,4,8193,8193]"));
    expect(n).toBe(0);
    expect(cache.k.isDisposed).toBe(false);
    nx.dispose([long, cache.k, cache.v]);
  });

  it("decoderLM.decode checks every cache before consuming any", () => {
    const lm = decoderLM({ vocabSize: 5, embedDim: 8, numLayers: 2, numHeads: 2 });
    const lvars = Rng.run(4, () => Layer.init(lm, { dtype: "float32" }));
    const good = lm.initCache({ batch: 1, maxLength: 4 });
    const other = decoderLM({ vocabSize: 5, embedDim: 8, numLayers: 2, numHeads: 2, numKvHeads: 1 }).initCache({ batch: 1, maxLength: 4 });
    const mixed = [good[0], other[1]] as typeof good;
    const tokens = nx.tensor([[1, 2]], { dtype: "int32" });
    const [n] = created(() => expect(() => lm.decode(lvars, tokens, mixed)).toThrow(/^kaun\.decoderLM\.decode: cache\.k \[1,1,4,4\] and cache\.v \[1,1,4,4\] must be \[batch, numKvHeads, maxLength, headDim\] = \[1,2,4,4\]/));
    expect(n).toBe(0);
    expect(good[0]?.k.isDisposed).toBe(false);
    expect(() => lm.decode(lvars, tokens, [good[0], good[0]] as typeof good)).toThrow("kaun.decoderLM.decode: caches holds the same cache twice");
  });
});

describe("every public function leaves only its results live", () => {
  const attn = multiHeadAttention({ embedDim: 8, numHeads: 4, numKvHeads: 2, isCausal: true, rope: true, dropout: 0.1 });
  const avars = Rng.run(5, () => Layer.init(attn, { dtype: "float32" }));
  const block = transformerBlock({ embedDim: 8, numHeads: 2, dropout: 0.1 });
  const bvars = Rng.run(6, () => Layer.init(block, { dtype: "float32" }));
  const lm = decoderLM({ vocabSize: 7, embedDim: 8, numLayers: 2, numHeads: 2 });
  const lvars = Rng.run(7, () => Layer.init(lm, { dtype: "float32" }));
  const gated = transformerBlock({ embedDim: 8, numHeads: 2, mlp: "swiglu", dropout: 0.1 });
  const gvars = Rng.run(9, () => Layer.init(gated, { dtype: "float32" }));
  const gatedLm = decoderLM({ vocabSize: 7, embedDim: 8, numLayers: 1, numHeads: 2, mlp: "geglu" });
  const glvars = Rng.run(10, () => Layer.init(gatedLm, { dtype: "float32" }));
  const x = nx.random.normal(nx.random.key(8), [2, 5, 8]);
  const ctx = Context.empty.set(attentionMaskKey, nx.tensor([[1, 1, 1, 0, 1], [1, 1, 1, 1, 1]], { dtype: "int32" }));
  const tokens = nx.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" });
  const tokenCtx = Context.empty.set(attentionMaskKey, nx.tensor([[1, 0, 1], [1, 1, 1]], { dtype: "int32" }));

  const cases: [string, () => unknown, number][] = [
    ["multiHeadAttention apply (training, dropout, padding)", () => Rng.run(0, () => attn.apply({ ...avars, training: true, ctx }, x)), 1],
    ["Layer.apply(multiHeadAttention)", () => Layer.apply(attn, avars, x, { training: false, ctx }), 1],
    ["multiHeadAttention.attentionWeights", () => attn.attentionWeights(avars, x, { ctx }), 1],
    ["transformerBlock.attentionWeights (padding)", () => block.attentionWeights(bvars, x, { ctx }), 1],
    ["decoderLM.attentionWeights (padding): one map per block", () => lm.attentionWeights(lvars, tokens, { ctx: tokenCtx }), 2],
    ["multiHeadAttention.initCache", () => attn.initCache({ batch: 2, maxLength: 4 }), 2],
    ["transformerBlock apply (training)", () => Rng.run(0, () => block.apply({ ...bvars, training: true }, x)), 1],
    ["decoderLM apply", () => lm.apply({ ...lvars, training: false }, tokens), 1],
    ["transformerBlock apply, swiglu MLP (training)", () => Rng.run(0, () => gated.apply({ ...gvars, training: true }, x)), 1],
    ["decoderLM.generate, geglu MLP", () => gatedLm.generate(glvars, tokens, { maxNewTokens: 3, temperature: 0 }), 1],
    ["decoderLM.generate", () => lm.generate(lvars, tokens, { maxNewTokens: 4, key: nx.random.key(0) }), 1],
    ["decoderLM.generate (topK, topP, minP, stop)", () => lm.generate(lvars, tokens, { maxNewTokens: 4, key: nx.random.key(0), topK: 3, topP: 0.9, minP: 0.05, stop: [1, 2], padId: 0 }), 1],
    ["decoderLM.generate, no new tokens", () => lm.generate(lvars, tokens, { maxNewTokens: 0, temperature: 0 }), 1],
  ];
  for (const [name, f, outputs] of cases) {
    it(name, () => {
      const [n] = created(f);
      expect(n).toBe(outputs);
    });
  }

  it("a loop of sampled generations with stops holds its live tensors flat", () => {
    const counts: number[] = [];
    for (let i = 0; i < 30; i++) {
      lm.generate(lvars, tokens, { maxNewTokens: 3, key: nx.random.key(i), topK: 4, topP: 0.8, stop: 3 }).dispose();
      counts.push(nx.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
  });

  it("decode at every level: output and new cache in, old cache out", () => {
    const c = attn.initCache({ batch: 2, maxLength: 8 });
    expect(created(() => attn.decode(avars, x, c))[0]).toBe(1);
    const bc = block.initCache({ batch: 2, maxLength: 8 });
    expect(created(() => block.decode(bvars, x, bc))[0]).toBe(1);
    const lc = lm.initCache({ batch: 2, maxLength: 8 });
    expect(created(() => lm.decode(lvars, tokens, lc))[0]).toBe(1);
  });
});
