import * as nx from "@raven-ts/nx";
import * as rune from "@raven-ts/rune";
import { describe, expect, test } from "vitest";
import { Fn, Rng } from "../src/index.js";
import { expectClose, prng, softmaxRow, values } from "./helpers.js";

type Mat = number[][];

function randMat(rand: () => number, r: number, c: number): Mat {
  return Array.from({ length: r }, () => Array.from({ length: c }, () => rand() * 2 - 1));
}

/** Reference attention for one head in float64: `keep[i][j]` false masks a score; an all-masked row gives zeros. */
function refAttention(q: Mat, k: Mat, v: Mat, keep?: boolean[][], scale = 1 / Math.sqrt((q[0] as number[]).length)): Mat {
  return q.map((qi, i) => {
    const scores = k.map((kj) => qi.reduce((a, x, d) => a + x * (kj[d] as number), 0) * scale);
    const kept = scores.map((_, j) => keep?.[i]?.[j] ?? true);
    const w = kept.some(Boolean) ? softmaxRow(scores.filter((_, j) => kept[j])) : [];
    const weights: number[] = [];
    let p = 0;
    kept.forEach((kk) => weights.push(kk ? (w[p++] as number) : 0));
    return (v[0] as number[]).map((_, d) => weights.reduce((a, wj, j) => a + wj * ((v[j] as number[])[d] as number), 0));
  });
}

describe("Fn.dotProductAttention", () => {
  const rand = prng(1);
  const [T, S, D] = [3, 4, 5];
  const q = randMat(rand, T, D);
  const k = randMat(rand, S, D);
  const v = randMat(rand, S, 2);
  const f64 = (m: Mat): nx.Tensor => nx.tensor(m, { dtype: "float64" });

  test("unmasked: softmax(q kᵀ / sqrt(d)) v", () => {
    const y = Fn.dotProductAttention(f64(q), f64(k), f64(v));
    expect(y.shape).toEqual([T, 2]);
    expectClose(y, refAttention(q, k, v).flat(), 1e-12, 1e-12);
    expectClose(Fn.dotProductAttention(f64(q), f64(k), f64(v), { scale: 0.3 }), refAttention(q, k, v, undefined, 0.3).flat(), 1e-12, 1e-12);
  });

  test("a bool mask gives masked keys exactly zero weight", () => {
    const keep = [
      [true, false, true, false],
      [false, false, false, true],
      [true, true, true, true],
    ];
    const y = Fn.dotProductAttention(f64(q), f64(k), f64(v), { attentionMask: nx.tensor(keep) });
    expectClose(y, refAttention(q, k, v, keep).flat(), 1e-12, 1e-12);
    // Exactly zero weight: using v = identity reads the weights out.
    const eye = nx.eye(S, S, { dtype: "float64" });
    const w = values(Fn.dotProductAttention(f64(q), f64(k), eye, { attentionMask: nx.tensor(keep) }));
    keep.flat().forEach((kk, i) => {
      if (!kk) expect(w[i]).toBe(0);
    });
  });

  test("an int32 (nonzero-keeps) mask broadcasts like the bool one", () => {
    const keepRow = [1, 0, 1, 1];
    const y = Fn.dotProductAttention(f64(q), f64(k), f64(v), { attentionMask: nx.tensor(keepRow, { dtype: "int32" }) });
    expectClose(y, refAttention(q, k, v, [0, 1, 2].map(() => keepRow.map(Boolean))).flat(), 1e-12, 1e-12);
  });

  test("causal: query i attends to keys j <= i", () => {
    const kk = randMat(rand, T, D);
    const vv = randMat(rand, T, 3);
    const keep = [0, 1, 2].map((i) => [0, 1, 2].map((j) => j <= i));
    const y = Fn.dotProductAttention(f64(q), f64(kk), f64(vv), { isCausal: true });
    expectClose(y, refAttention(q, kk, vv, keep).flat(), 1e-12, 1e-12);
    // Row 0 sees only key 0: its output is v[0].
    expectClose(values(y).slice(0, 3), vv[0] as number[], 1e-12, 1e-12);
  });

  test("causal combined with padding", () => {
    const kk = randMat(rand, T, D);
    const vv = randMat(rand, T, 3);
    const pad = [false, true, true];
    const keep = [0, 1, 2].map((i) => [0, 1, 2].map((j) => j <= i && (pad[j] as boolean)));
    const y = Fn.dotProductAttention(f64(q), f64(kk), f64(vv), { isCausal: true, attentionMask: nx.tensor(pad) });
    const out = values(y);
    expectClose(out, refAttention(q, kk, vv, keep).flat(), 1e-12, 1e-12);
    // Row 0's only causal key is padded: zeros, not NaN.
    expect(out.slice(0, 3)).toEqual([0, 0, 0]);
  });

  test("queryOffset: query i sits at position offset + i (decoding after a prefix)", () => {
    // T = 3 queries against S = 4 keys at offset 1: query i sees keys j <= 1 + i.
    const keep = [0, 1, 2].map((i) => [0, 1, 2, 3].map((j) => j <= 1 + i));
    const y = Fn.dotProductAttention(f64(q), f64(k), f64(v), { isCausal: true, queryOffset: 1 });
    expectClose(y, refAttention(q, k, v, keep).flat(), 1e-12, 1e-12);
    // Offset 0 with seqQ < seqK is the top-left alignment (PyTorch's is_causal for L != S).
    const top = [0, 1, 2].map((i) => [0, 1, 2, 3].map((j) => j <= i));
    expectClose(Fn.dotProductAttention(f64(q), f64(k), f64(v), { isCausal: true, queryOffset: 0 }), refAttention(q, k, v, top).flat(), 1e-12, 1e-12);
    // The last query row of a causal pass equals one decoding step at offset T - 1.
    const full = values(Fn.attentionWeights(f64(k), f64(k), { isCausal: true }));
    const last = values(Fn.attentionWeights(nx.slice(f64(k), [{ start: S - 1 }]), f64(k), { isCausal: true, queryOffset: S - 1 }));
    expectClose(last, full.slice((S - 1) * S), 1e-15, 1e-12);
    expect(() => Fn.attentionWeights(f64(q), f64(k), { isCausal: true, queryOffset: -1 })).toThrow("kaun.Fn.attentionWeights: queryOffset must be a non-negative integer, got -1");
  });

  test("no keys or no queries: empty results, not errors (causal too)", () => {
    const none = nx.zeros([2, 0, D], "float64");
    expect(Fn.dotProductAttention(none, none, nx.zeros([2, 0, 3], "float64"), { isCausal: true }).shape).toEqual([2, 0, 3]);
    expect(Fn.attentionWeights(none, none, { isCausal: true }).shape).toEqual([2, 0, 0]);
    expect(Fn.attentionWeights(f64(q), nx.zeros([0, D], "float64")).shape).toEqual([T, 0]);
    expect(values(Fn.dotProductAttention(f64(q), nx.zeros([0, D], "float64"), nx.zeros([0, 2], "float64")))).toEqual(new Array(T * 2).fill(0));
    expect(Fn.attentionWeights(nx.zeros([0, D], "float64"), f64(k), { isCausal: true, queryOffset: S }).shape).toEqual([0, S]);
  });

  test("a fully masked query row outputs zeros and has zero, finite gradients", () => {
    const keep = [
      [false, false, false, false],
      [true, false, true, true],
      [false, false, false, false],
    ];
    const mask = nx.tensor(keep);
    const y = values(Fn.dotProductAttention(nx.tensor(q), nx.tensor(k), nx.tensor(v), { attentionMask: mask }));
    expect(y.every(Number.isFinite)).toBe(true);
    expect([y[0], y[1], y[4], y[5]]).toEqual([0, 0, 0, 0]);
    const grads = rune.grad(({ a, b, c }: { a: nx.Tensor; b: nx.Tensor; c: nx.Tensor }) => nx.sum(Fn.dotProductAttention(a, b, c, { attentionMask: mask })))({
      a: nx.tensor(q),
      b: nx.tensor(k),
      c: nx.tensor(v),
    });
    for (const g of [grads.a, grads.b, grads.c]) expect(values(g).every(Number.isFinite)).toBe(true);
    const ga = values(grads.a);
    expect(ga.slice(0, D).every((e) => e === 0)).toBe(true);
    expect(ga.slice(2 * D).every((e) => e === 0)).toBe(true);
    // Keys masked for every query get no gradient.
    expect(values(grads.b).slice(D, 2 * D).every((e) => e === 0)).toBe(true);
  });

  test("gradients match finite differences (masked, float64)", () => {
    const keep = nx.tensor([[true, true, false, true]]);
    const qt = f64(q);
    const f = (a: nx.Tensor): nx.Tensor => nx.sum(nx.mul(Fn.dotProductAttention(a, f64(k), f64(v), { attentionMask: keep }), f64([[1, -2], [0.5, 3], [2, 1]])));
    const g = values(rune.grad(f)(qt));
    const base = q.flat();
    const h = 1e-6;
    base.forEach((_, i) => {
      const plus = base.slice();
      const minus = base.slice();
      plus[i] = (plus[i] as number) + h;
      minus[i] = (minus[i] as number) - h;
      const fd = ((f(nx.tensor(plus, { dtype: "float64", shape: [T, D] })).item() as number) - (f(nx.tensor(minus, { dtype: "float64", shape: [T, D] })).item() as number)) / (2 * h);
      expect(Math.abs((g[i] as number) - fd)).toBeLessThan(1e-6);
    });
  });

  test("leading axes broadcast (e.g. shared keys across heads)", () => {
    const r = prng(5);
    const q4 = [0, 1].map(() => [0, 1, 2].map(() => randMat(r, T, D))); // [2,3,T,D]
    const k4 = [randMat(r, S, D)]; // [1,S,D] broadcast over batch and heads
    const v4 = [0, 1].map(() => [randMat(r, S, 2)]); // [2,1,S,2]
    const y = Fn.dotProductAttention(nx.tensor(q4, { dtype: "float64" }), nx.tensor(k4, { dtype: "float64" }), nx.tensor(v4, { dtype: "float64" }));
    expect(y.shape).toEqual([2, 3, T, 2]);
    const expected = q4.flatMap((qb, b) => qb.flatMap((qh) => refAttention(qh, k4[0] as Mat, (v4[b] as Mat[])[0] as Mat).flat()));
    expectClose(y, expected, 1e-12, 1e-12);
  });

  test("dropout on the weights keeps ≈ 1 - p, scaled by 1 / (1 - p), reproducibly", () => {
    // Equal scores give weights 1/S; v = identity reads the weights back.
    const [B, Tq, Sk] = [8, 64, 64];
    const p = 0.25;
    const qz = nx.zeros([B, Tq, 4]);
    const kz = nx.zeros([B, Sk, 4]);
    const eye = nx.broadcastTo(nx.eye(Sk), [B, Sk, Sk]);
    const run = (seed: number): number[] => values(Rng.run(seed, () => Fn.dotProductAttention(qz, kz, eye, { dropoutRate: p })));
    const w = run(3);
    const kept = w.filter((e) => e !== 0);
    expect(kept.length / w.length).toBeGreaterThan(1 - p - 0.01);
    expect(kept.length / w.length).toBeLessThan(1 - p + 0.01);
    for (const e of kept) expect(e).toBeCloseTo(1 / Sk / (1 - p), 6);
    expect(run(3)).toEqual(w);
    expect(run(4)).not.toEqual(w);
    // Without dropout the weights are exactly uniform.
    expect(values(Fn.dotProductAttention(qz, kz, eye)).every((e) => Math.abs(e - 1 / Sk) < 1e-7)).toBe(true);
  });

  test("attentionWeights is the probabilities dotProductAttention applies", () => {
    const keep = nx.tensor([
      [true, false, true, true],
      [false, false, false, false],
      [true, true, true, true],
    ]);
    const w = Fn.attentionWeights(f64(q), f64(k), { attentionMask: keep });
    expect(w.shape).toEqual([T, S]);
    const viaEye = Fn.dotProductAttention(f64(q), f64(k), nx.eye(S, S, { dtype: "float64" }), { attentionMask: keep });
    expectClose(w, values(viaEye), 1e-15, 0);
    const rows = values(w);
    expect(rows.slice(S, 2 * S)).toEqual([0, 0, 0, 0]);
    expect(rows[1]).toBe(0);
    expect(rows.slice(0, S).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(() => Fn.attentionWeights(f64(q), nx.zeros([S, D + 1], "float64"))).toThrow(/kaun\.Fn\.attentionWeights: q and k must share the last axis/);
  });

  test("errors name the offending values", () => {
    const a = nx.zeros([2, 3, 4]);
    expect(() => Fn.dotProductAttention(nx.zeros([4]), a, a)).toThrow("kaun.Fn.dotProductAttention: q must have rank >= 2 ([...batch, seq, dim]), got shape [4]");
    expect(() => Fn.dotProductAttention(a, nx.zeros([2, 3, 5]), a)).toThrow("q and k must share the last axis (headDim), got q [2,3,4] and k [2,3,5]");
    expect(() => Fn.dotProductAttention(a, a, nx.zeros([2, 5, 4]))).toThrow("k and v must share the sequence axis (seqK), got k [2,3,4] and v [2,5,4]");
    expect(() => Fn.dotProductAttention(a, a, nx.zeros([2, 3, 4], "float64"))).toThrow(/must share one dtype, got float32, float32 and float64/);
    expect(() => Fn.dotProductAttention(a, nx.zeros([3, 3, 4]), a)).toThrow("kaun.Fn.dotProductAttention: shapes [2] and [3] and [2] cannot be broadcast together");
    expect(() => Fn.dotProductAttention(a, a, a, { attentionMask: nx.ones([2, 4], "bool") })).toThrow(
      "attentionMask of shape [2,4] does not broadcast to the score shape [2,3,3] ([...batch, seqQ, seqK])",
    );
    expect(() => Fn.dotProductAttention(nx.zeros([2, 1, 4]), a, a, { isCausal: true })).toThrow(/isCausal needs seqQ = seqK, got seqQ 1 and seqK 3/);
    expect(() => Fn.dotProductAttention(a, a, a, { dropoutRate: 1 })).toThrow(/dropoutRate must be a number in \[0, 1\), got 1/);
    expect(() => Fn.dotProductAttention(a, a, a, { scale: Number.POSITIVE_INFINITY })).toThrow(/scale must be a finite number/);
    expect(() => Fn.dotProductAttention(nx.zeros([2, 2], "int32"), a, a)).toThrow(/q must be a float32 or float64 tensor, got int32 \[2,2\]/);
  });
});
