// decoderLM.generate's sampling filters and stop tokens. The distribution a
// draw should follow is computed here, independently, in float64 from the
// model's logits (sort-based filters in Hugging Face's order); thousands of
// rows sampled in one call are compared with it by a chi-square test, and
// tokens outside it must never appear.
import * as nx from "@raven-ts/nx";
import { Layer, Ptree, Rng } from "@raven-ts/kaun-core";
import { describe, expect, it } from "vitest";
import { decoderLM, sampleTokens } from "../src/index.js";

const VOCAB = 12;
const lm = decoderLM({ vocabSize: VOCAB, embedDim: 16, numLayers: 1, numHeads: 2, mlpDim: 32 });
// A sharper head than initialisation gives, so the filters have a spread of probabilities to cut.
const vars = ((): ReturnType<typeof Layer.init> => {
  const v = Rng.run(0, () => Layer.init(lm, { dtype: "float32" }));
  return { ...v, params: Ptree.map((p, path) => (path === "lm_head.weight" ? nx.mul(p, 2) : p), v.params) };
})();
const promptRow = [3, 7, 1];

/** The float32 logits of the position after `promptRow`, read as float64. */
const logits = ((): number[] => {
  const [out] = Layer.apply(lm, vars, nx.tensor([promptRow], { dtype: "int32" }), { training: false });
  const last = Array.from(out.dataSync(), Number).slice(-VOCAB);
  out.dispose();
  return last;
})();

interface Filters {
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
}

function softmax(scores: readonly number[]): number[] {
  const m = Math.max(...scores);
  const e = scores.map((s) => (s === -Infinity ? 0 : Math.exp(s - m)));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** Token ids by descending `values` (stable). */
const ranked = (values: readonly number[]): number[] => values.map((_, i) => i).sort((a, b) => (values[b] as number) - (values[a] as number) || a - b);

/** The reference: temperature, then top-k, top-p, min-p, each on what the previous kept (renormalised); the final distribution. */
function reference({ temperature = 1, topK, topP = 1, minP = 0 }: Filters, order: "hf" | "topPFirst" = "hf"): number[] {
  let s = logits.map((l) => l / temperature);
  const drop = (keep: (i: number) => boolean): void => {
    s = s.map((v, i) => (keep(i) ? v : -Infinity));
  };
  const applyTopK = (): void => {
    if (topK === undefined) return;
    const kth = s[ranked(s)[topK - 1] as number] as number;
    drop((i) => (s[i] as number) >= kth);
  };
  const applyTopP = (): void => {
    const p = softmax(s);
    let sum = 0;
    const nucleus = new Set<number>();
    for (const i of ranked(p)) {
      if (sum >= topP) break;
      nucleus.add(i);
      sum += p[i] as number;
    }
    drop((i) => nucleus.has(i));
  };
  if (order === "hf") {
    applyTopK();
    applyTopP();
  } else {
    applyTopP();
    applyTopK();
  }
  const p = softmax(s);
  const top = Math.max(...p);
  drop((i) => (p[i] as number) >= minP * top);
  return softmax(s);
}

/** A `topP` halfway between the mass of the `m - 1` and `m` most likely tokens of `dist`, so the nucleus is `m` tokens (and float32 rounding cannot move the boundary). */
function topPFor(dist: readonly number[], m: number): number {
  return (mass(dist, m - 1) + mass(dist, m)) / 2;
}

/** The probability of the `n` most likely tokens of `dist`. */
function mass(dist: readonly number[], n: number): number {
  return [...dist].sort((a, b) => b - a).slice(0, n).reduce((a, b) => a + b, 0);
}

/** A `minP` halfway between the `m`-th and `m + 1`-th largest probability ratios to the largest, so `m` tokens pass. */
function minPFor(dist: readonly number[], m: number): number {
  const sorted = [...dist].sort((a, b) => b - a);
  const top = sorted[0] as number;
  return ((sorted[m - 1] as number) / top + (sorted[m] as number) / top) / 2;
}

/** The upper 0.1% point of chi-square with `df` degrees of freedom (Wilson–Hilferty). */
function chiSquareCritical(df: number): number {
  const z = 3.0902;
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}

const DRAWS = 4000;
const prompt = nx.tensor(Array.from({ length: DRAWS }, () => promptRow), { dtype: "int32" });

/** The counts of the first new token over DRAWS rows sampled in one generate call. */
function sampleCounts(filters: Filters, seed: number): number[] {
  const out = lm.generate(vars, prompt, { maxNewTokens: 1, key: nx.random.key(seed), ...filters });
  const ids = out.dataSync();
  const counts = new Array<number>(VOCAB).fill(0);
  for (let r = 0; r < DRAWS; r++) counts[ids[r * 4 + 3] as number]! += 1;
  out.dispose();
  return counts;
}

/**
 * `expectDistribution(counts, expected)`: no draw of a token `expected` gives
 * probability 0, and the counts pass a chi-square test against `expected`
 * (each kept token expected at least 5 times, the rarer ones pooled).
 */
function expectDistribution(counts: readonly number[], expected: readonly number[]): void {
  const kept = expected.map((p, i) => (p > 0 ? i : -1)).filter((i) => i >= 0);
  counts.forEach((n, i) => {
    if (!kept.includes(i)) expect(n, `token ${i} is outside the kept set ${kept.join(",")}`).toBe(0);
  });
  const bins: [number, number][] = [];
  const pooled: [number, number] = [0, 0];
  for (const i of kept) {
    const e = DRAWS * (expected[i] as number);
    if (e >= 5) bins.push([counts[i] as number, e]);
    else [pooled[0], pooled[1]] = [pooled[0] + (counts[i] as number), pooled[1] + e];
  }
  if (pooled[1] > 0) bins.push(pooled);
  expect(bins.length).toBeGreaterThan(1);
  const chi2 = bins.reduce((s, [n, e]) => s + (n - e) ** 2 / e, 0);
  expect(chi2, `counts ${counts.join(",")} vs expected ${expected.map((p) => (DRAWS * p).toFixed(1)).join(",")}`).toBeLessThan(chiSquareCritical(bins.length - 1));
}

describe("generate samples the filtered, renormalised distribution", () => {
  const full = softmax(logits);
  // topP and minP sit halfway between two boundaries of the distribution their filter sees.
  const cooledTop3 = { temperature: 0.7, topK: 3 };
  const hotTop8 = { temperature: 1.5, topK: 8 };
  const hotNucleus = { ...hotTop8, topP: topPFor(reference(hotTop8), 6) };
  const cases: [string, Filters][] = [
    ["temperature 1, no filter", {}],
    ["topK 4", { topK: 4 }],
    ["topP: a nucleus of 5 tokens", { topP: topPFor(full, 5) }],
    ["minP: 6 tokens", { minP: minPFor(full, 6) }],
    // A nucleus of 2 in the renormalised top 3, but of 3 or more in the full distribution (see the next test).
    ["temperature 0.7, topK 3, topP over the renormalised top 3 (2 tokens)", { ...cooledTop3, topP: (Math.max(mass(reference({ temperature: 0.7 }), 2), mass(reference(cooledTop3), 1)) + mass(reference(cooledTop3), 2)) / 2 }],
    ["temperature 1.5, topK 8, topP (nucleus 6), minP (4 of them)", { ...hotNucleus, minP: minPFor(reference(hotNucleus), 4) }],
  ];

  cases.forEach(([name, filters], c) => {
    it(name, () => expectDistribution(sampleCounts(filters, 100 + c), reference(filters)));
  });

  it("the cases tell the filters apart: each keeps its own set, and top-p sees the renormalised top-k", () => {
    const keptBy = (f: Filters, order?: "hf" | "topPFirst"): number => reference(f, order).filter((p) => p > 0).length;
    expect(cases.map(([, f]) => keptBy(f))).toEqual([VOCAB, 4, 5, 6, 2, 4]);
    // Applying top-p to the full distribution before top-k would keep 3 tokens in case 4, not 2.
    expect(keptBy(cases[4]?.[1] as Filters, "topPFirst")).toBe(3);
  });

  it("topP 1, minP 0 and topK ≥ vocab keep every token; minP 1, topK 1 and a tiny topP leave only the most likely", () => {
    expect(reference({ topP: 1, minP: 0, topK: VOCAB })).toEqual(full);
    expect(sampleCounts({ topK: VOCAB + 5, topP: 1, minP: 0 }, 8).filter((n) => n > 0).length).toBeGreaterThan(4);
    const top = ranked(full)[0] as number;
    for (const only of [{ minP: 1 }, { topK: 1 }, { topP: 1e-9 }]) expect(sampleCounts(only, 7)[top]).toBe(DRAWS);
  });

  it("temperature 0 is greedy whatever the filters; the same key draws the same tokens", () => {
    const small = nx.slice(prompt, [{ stop: 2 }]);
    const greedy = lm.generate(vars, small, { maxNewTokens: 5, temperature: 0 });
    const filtered = lm.generate(vars, small, { maxNewTokens: 5, temperature: 0, topK: 2, topP: 0.5, minP: 0.3 });
    expect(Array.from(filtered.dataSync())).toEqual(Array.from(greedy.dataSync()));
    const a = lm.generate(vars, small, { maxNewTokens: 6, topK: 5, topP: 0.9, key: nx.random.key(3) });
    const b = lm.generate(vars, small, { maxNewTokens: 6, topK: 5, topP: 0.9, key: nx.random.key(3) });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    nx.dispose([small, greedy, filtered, a, b]);
  });
});

describe("generate with stop tokens", () => {
  const rows = nx.tensor([[3, 7, 1], [5, 0, 2], [9, 9, 4]], { dtype: "int32" });
  const free = lm.generate(vars, rows, { maxNewTokens: 8, temperature: 0 });
  const freeRows = free.arraySync() as number[][];

  it("a row ends at its first stop token, is padded after it, and generation ends when every row has", () => {
    // Stop at the token row 0 produces at its second new position: rows that never produce it run on.
    const stopId = freeRows[0]?.[4] as number;
    const out = lm.generate(vars, rows, { maxNewTokens: 8, temperature: 0, stop: [stopId], padId: 11 });
    const got = out.arraySync() as number[][];
    const expected = freeRows.map((row) => {
      const at = row.slice(3).indexOf(stopId);
      return at < 0 ? row : [...row.slice(0, 3 + at + 1), ...new Array<number>(8 - at - 1).fill(11)];
    });
    const allStopped = freeRows.every((row) => row.slice(3).includes(stopId));
    const steps = allStopped ? Math.max(...freeRows.map((row) => row.slice(3).indexOf(stopId))) + 1 : 8;
    expect(out.shape).toEqual([3, 3 + steps]);
    expect(got).toEqual(expected.map((row) => row.slice(0, 3 + steps)));
    out.dispose();
  });

  it("stops after one step when every row's first token stops it; padId defaults to the first stop id", () => {
    const firsts = freeRows.map((row) => row[3] as number);
    const out = lm.generate(vars, rows, { maxNewTokens: 8, temperature: 0, stop: firsts });
    expect(out.arraySync()).toEqual(freeRows.map((row) => row.slice(0, 4)));
    out.dispose();
    // Row 0 stops at once; the others run on, and row 0 is padded with the stop id itself.
    const stopId = freeRows[0]?.[3] as number;
    const others = freeRows.slice(1).filter((row) => !row.slice(3).includes(stopId));
    const padded = lm.generate(vars, rows, { maxNewTokens: 8, temperature: 0, stop: stopId });
    const got = padded.arraySync() as number[][];
    expect(got[0]).toEqual([...(freeRows[0]?.slice(0, 4) ?? []), ...new Array<number>((got[0]?.length ?? 0) - 4).fill(stopId)]);
    if (others.length > 0) expect(padded.shape).toEqual([3, 11]);
    padded.dispose();
  });

  it("with sampling, no row continues after a stop token", () => {
    const [, second, third] = ranked(logits);
    const stop = [second as number, third as number];
    const pad = ranked(logits)[5] as number;
    const out = lm.generate(vars, prompt, { maxNewTokens: 6, key: nx.random.key(1), stop, padId: pad });
    const ids = out.arraySync() as number[][];
    let stoppedRows = 0;
    for (const row of ids) {
      const fresh = row.slice(3);
      const at = fresh.findIndex((id) => stop.includes(id));
      if (at >= 0) {
        stoppedRows++;
        expect(fresh.slice(at + 1).every((id) => id === pad)).toBe(true);
      }
    }
    expect(stoppedRows).toBeGreaterThan(0);
    out.dispose();
  });
});

describe("sampleTokens: generate's choice of the next token, for decoding loops of one's own", () => {
  const rows = nx.tensor(Array.from({ length: DRAWS }, () => logits), { dtype: "float32" }); // [DRAWS, VOCAB]

  it("draws the filtered, renormalised distribution, and only the most likely token at temperature 0 or topK 1", () => {
    const filters = { temperature: 1.5, topK: 8, topP: topPFor(reference({ temperature: 1.5, topK: 8 }), 6), minP: 0.02 };
    const before = nx.memory().numTensors;
    const drawn = sampleTokens(rows, { ...filters, key: nx.random.key(21) });
    expect(nx.memory().numTensors).toBe(before + 1);
    expect(drawn.dtype).toBe("int32");
    expect(drawn.shape).toEqual([DRAWS]);
    const counts = new Array<number>(VOCAB).fill(0);
    for (const id of drawn.dataSync()) counts[id]! += 1;
    drawn.dispose();
    expectDistribution(counts, reference(filters));
    const top = ranked(logits)[0] as number;
    for (const only of [{ temperature: 0, topK: 3 }, { temperature: 2, topK: 1, key: nx.random.key(4) }]) {
      const ids = sampleTokens(rows, only);
      expect(Array.from(ids.dataSync()).every((id) => id === top)).toBe(true);
      ids.dispose();
    }
  });

  it("a KV-cache decoding loop choosing with sampleTokens and keys folded per step reproduces generate's tokens", () => {
    const start = nx.tensor([promptRow, [5, 0, 2]], { dtype: "int32" });
    for (const options of [{ temperature: 0 }, { temperature: 0.9, topK: 5, topP: 0.9, minP: 0.05 }]) {
      const key = nx.random.key(11);
      const expected = lm.generate(vars, start, { maxNewTokens: 7, ...options, key });
      let caches = lm.initCache({ batch: 2, maxLength: 10 });
      let input = start;
      const chosen: number[][] = [[], []];
      for (let step = 0; step < 7; step++) {
        const [out, next] = lm.decode(vars, input, caches);
        caches = next;
        const last = nx.squeeze(nx.slice(out, [null, { start: -1 }]), 1);
        const ids = sampleTokens(last, { ...options, key: nx.random.foldIn(key, step) });
        nx.dispose([out, last]);
        if (input !== start) input.dispose();
        input = nx.reshape(ids, [2, 1]);
        ids.dispose();
        Array.from(input.dataSync()).forEach((id, row) => chosen[row]?.push(id));
      }
      nx.dispose([input, ...caches.flatMap((c) => [c.k, c.v])]);
      expect(chosen).toEqual((expected.arraySync() as number[][]).map((row) => row.slice(3)));
      expected.dispose();
    }
  });
});
