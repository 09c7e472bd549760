// nx.random.categorical and nx.random.shuffle: frequencies match the
// distributions (chi-square against softmax probabilities computed here),
// impossible outcomes never appear, shapes and axes follow JAX, draws depend
// only on the key, and only the result stays alive. (The exact draws of
// given keys are conformance vectors, computed independently with numpy.)
import { beforeAll, describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import { expectInvalidArgument } from "../src/testing/index.js";

beforeAll(() => {
  nx.setBackend(nx.cpuBackend());
});

const { random } = nx;

/** Pearson's statistic of observed counts against expected probabilities. */
function chiSquare(counts: readonly number[], probs: readonly number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.reduce((s, c, i) => s + (c - total * (probs[i] as number)) ** 2 / (total * (probs[i] as number)), 0);
}

function countsOf(values: ArrayLike<number>, k: number, pick: (i: number) => boolean = () => true): number[] {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < values.length; i++) if (pick(i)) counts[values[i] as number] = (counts[values[i] as number] as number) + 1;
  return counts;
}

/** The 1e-4 upper quantiles of the chi-square distribution by degrees of freedom (from tables). */
const CHI2_1E4: Readonly<Record<number, number>> = { 2: 18.42, 3: 21.11, 4: 23.51, 5: 25.74 };

describe("nx.random.categorical", () => {
  it("draws each category with probability softmax(logits) (chi-square, 40 000 draws)", () => {
    const probs = [0.1, 0.2, 0.3, 0.4];
    // Logits are log-probabilities up to a constant: softmax ignores the shift.
    const logits = nx.tensor(probs.map((p) => Math.log(p) + 3));
    const s = random.categorical(random.key(1), logits, { shape: [40_000] });
    expect(s.dtype).toBe("int32");
    expect(s.shape).toEqual([40_000]);
    expect(chiSquare(countsOf(s.dataSync(), 4), probs)).toBeLessThan(CHI2_1E4[3] as number);
  });

  it("samples each row of a batch from its own distribution, never a -Infinity logit", () => {
    const rows = [
      [0.5, 0, 0.25, 0.25, 0],
      [0.2, 0.2, 0.2, 0.2, 0.2],
    ];
    const logits = nx.tensor(rows.map((r) => r.map((p) => Math.log(p)))); // log 0 = -Infinity
    const s = random.categorical(random.key(2), logits, { shape: [20_000, 2] });
    const data = s.dataSync();
    const first = countsOf(data, 5, (i) => i % 2 === 0);
    expect(first[1]).toBe(0);
    expect(first[4]).toBe(0);
    expect(chiSquare([first[0] as number, first[2] as number, first[3] as number], [0.5, 0.25, 0.25])).toBeLessThan(CHI2_1E4[2] as number);
    expect(chiSquare(countsOf(data, 5, (i) => i % 2 === 1), rows[1] as number[])).toBeLessThan(CHI2_1E4[4] as number);
  });

  it("reads the categories along axis (JAX's layout of shape and axis)", () => {
    // Categories along axis 0: three distributions over 2 categories.
    const logits = nx.log(nx.tensor([[0.9, 0.5, 0.2], [0.1, 0.5, 0.8]]));
    const s = random.categorical(random.key(3), logits, { axis: 0, shape: [30_000, 3] });
    const data = s.dataSync();
    [0.9, 0.5, 0.2].forEach((p0, col) => {
      expect(chiSquare(countsOf(data, 2, (i) => i % 3 === col), [p0, 1 - p0])).toBeLessThan(CHI2_1E4[2] as number);
    });
    expect(random.categorical(random.key(3), logits, { axis: 0 }).shape).toEqual([3]);
    expect(random.categorical(random.key(3), nx.zeros([2, 4, 3]), { axis: 1 }).shape).toEqual([2, 3]);
    // A batch axis of size 1 broadcasts to the requested shape.
    expect(random.categorical(random.key(3), nx.zeros([1, 4]), { shape: [5, 6] }).shape).toEqual([5, 6]);
  });

  it("picks the only finite logit, and a logit far above the others, every time", () => {
    const masked = nx.tensor([[-Infinity, 2, -Infinity], [-Infinity, -Infinity, -5]]);
    expect(random.categorical(random.key(4), masked, { shape: [50, 2] }).arraySync()).toEqual(new Array(50).fill([1, 2]));
    const peaked = nx.tensor([0, 60, 0, 0], { dtype: "float64" });
    expect([...random.categorical(random.key(5), peaked, { shape: [200] }).dataSync()].every((v) => v === 1)).toBe(true);
  });

  it("depends only on the key, and integer logits read as float32", () => {
    const logits = nx.tensor([[1, 2, 3], [3, 2, 1]], { dtype: "int32" });
    const a = [...random.categorical(random.key(6), logits, { shape: [64, 2] }).dataSync()];
    expect([...random.categorical(random.key(6), nx.cast(logits, "float32"), { shape: [64, 2] }).dataSync()]).toEqual(a);
    expect([...random.categorical(random.key(7), logits, { shape: [64, 2] }).dataSync()]).not.toEqual(a);
  });

  it("leaves only its result alive", () => {
    const logits = nx.zeros([3, 5]);
    const before = nx.memory().numTensors;
    const s = random.categorical(random.key(8), logits, { shape: [4, 3] });
    expect(nx.memory().numTensors - before).toBe(1);
    s.dispose();
  });

  it("names what is wrong", () => {
    const fn = "nx.random.categorical";
    const k = random.key(0);
    expectInvalidArgument(() => random.categorical(k, nx.zeros([2, 3]), { shape: [4] }), fn, "shape [4] must end with the batch shape [2]");
    expectInvalidArgument(() => random.categorical(k, nx.zeros([2, 0])), fn, "empty axis 1");
    expectInvalidArgument(() => random.categorical(k, nx.scalar(0)), fn, "at least one axis");
  });
});

describe("nx.random.shuffle", () => {
  it("puts each slice in each position equally often (chi-square over 5000 keys)", () => {
    const x = nx.arange(5, undefined, 1, { dtype: "float32" });
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 5000; i++) {
      const s = random.shuffle(random.foldIn(random.key(9), i), x);
      const at = [...s.dataSync()].indexOf(0);
      counts[at] = (counts[at] as number) + 1;
      s.dispose();
    }
    expect(chiSquare(counts, [0.2, 0.2, 0.2, 0.2, 0.2])).toBeLessThan(CHI2_1E4[4] as number);
  });

  it("reorders slices along axis exactly as permutation(key, n) orders them", () => {
    const k = random.key(10);
    const x = nx.reshape(nx.arange(12, undefined, 1, { dtype: "int32" }), [3, 4]);
    const order = [...random.permutation(k, 4).dataSync()];
    const y = random.shuffle(k, x, { axis: 1 });
    expect(y.arraySync()).toEqual([0, 1, 2].map((r) => order.map((c) => r * 4 + c)));
    expect(random.permutation(k, x, { axis: -1 }).arraySync()).toEqual(y.arraySync());
    expect(random.shuffle(k, x).arraySync()).toEqual(random.permutation(k, x).arraySync());
  });
});
