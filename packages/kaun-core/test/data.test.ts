// Data: sources, stages, epochs and ownership. Expected values are written
// out by hand (rows, windows, counts) or follow the documented contract
// (epoch e of shuffle(key) reads nx.random.permutation(foldIn(key, e), n)).
import * as nx from "@raven-ts/nx";
import { describe, expect, it } from "vitest";
import { Data, type Dataset } from "../src/index.js";

const live = (): number => nx.memory().numTensors;

/** Row ids: a dataset whose element i holds the value i (and 10 i in a second leaf), to read back orders. */
function rows(n: number): { x: nx.Tensor; y: nx.Tensor } {
  const ids = Array.from({ length: n }, (_, i) => i);
  return { x: nx.tensor(ids.map((i) => [i, i + 0.5]), { dtype: "float32" }), y: nx.tensor(ids.map((i) => 10 * i), { dtype: "int32" }) };
}

/** Reads the `y` of every element of one pass (disposing each element). */
function ys(iterable: Iterable<{ y: nx.Tensor }>): number[][] {
  const out: number[][] = [];
  for (const e of iterable) {
    out.push(Array.from(e.y.dataSync(), Number));
    nx.dispose(e);
  }
  return out;
}

const range = (n: number, f: (i: number) => number = (i) => i): number[] => Array.from({ length: n }, (_, i) => f(i));

describe("Data.ofTensors", () => {
  it("element i is row i of every leaf, axis 0 dropped", () => {
    const t = rows(4);
    const ds = Data.ofTensors(t);
    expect(ds.length).toBe(4);
    const elements = [...ds];
    expect(elements.map((e) => e.x.shape)).toEqual([[2], [2], [2], [2]]);
    expect(elements.map((e) => e.y.shape)).toEqual([[], [], [], []]);
    expect(elements.map((e) => Array.from(e.x.dataSync()))).toEqual([[0, 0.5], [1, 1.5], [2, 2.5], [3, 3.5]]);
    expect(elements.map((e) => e.y.item())).toEqual([0, 10, 20, 30]);
    nx.dispose(elements);
    expect(t.x.isDisposed || t.y.isDisposed).toBe(false);
    nx.dispose(t);
  });

  it("nested trees and arrays keep their structure", () => {
    const a = nx.arange(6, undefined, 1, { dtype: "float32" });
    const b = nx.reshape(nx.arange(12, undefined, 1, { dtype: "int32" }), [6, 2]);
    const [first] = Data.ofTensors({ pair: [a, b] }).batch(4);
    expect(Array.from(first?.pair[0]?.dataSync() ?? [])).toEqual([0, 1, 2, 3]);
    expect(first?.pair[1]?.shape).toEqual([4, 2]);
    expect(Array.from(first?.pair[1]?.dataSync() ?? [])).toEqual(range(8));
    nx.dispose([first, a, b]);
  });

  it("batch stacks consecutive rows; the last batch is kept or dropped", () => {
    const t = rows(10);
    expect(ys(Data.ofTensors(t).batch(4))).toEqual([[0, 10, 20, 30], [40, 50, 60, 70], [80, 90]]);
    expect(ys(Data.ofTensors(t).batch(4, { dropLast: true }))).toEqual([[0, 10, 20, 30], [40, 50, 60, 70]]);
    expect(Data.ofTensors(t).batch(4).length).toBe(3);
    expect(Data.ofTensors(t).batch(4, { dropLast: true }).length).toBe(2);
    expect(Data.ofTensors(t).batch(20, { dropLast: true }).length).toBe(0);
    expect(ys(Data.ofTensors(t).batch(20, { dropLast: true }))).toEqual([]);
    const [b] = Data.ofTensors(t).batch(3);
    expect(b?.x.shape).toEqual([3, 2]);
    expect(b?.y.shape).toEqual([3]);
    nx.dispose([b, t]);
  });

  it("a disposed source tensor is an error naming ofTensors when iterated", () => {
    const t = rows(3);
    const ds = Data.ofTensors(t);
    t.y.dispose();
    expect(() => [...ds]).toThrow(/^kaun\.Data\.ofTensors: the tensor at "y" \[3\] was disposed while the dataset was in use/);
    t.x.dispose();
  });
});

describe("Data.textWindows", () => {
  const ids = Int32Array.from(range(11, (i) => 100 + i)); // 100 .. 110

  it("window w is ids[s .. s+seqLen-1] with targets shifted by one, s = w * stride", () => {
    const ds = Data.textWindows(ids, { seqLen: 3 });
    // floor((11 - 3 - 1) / 3) + 1 = 3 windows, starting at 0, 3, 6.
    expect(ds.length).toBe(3);
    const got = [...ds].map((w) => {
      const pair = [Array.from(w.inputs.dataSync()), Array.from(w.targets.dataSync())];
      expect(w.inputs.dtype).toBe("int32");
      nx.dispose(w);
      return pair;
    });
    expect(got).toEqual([
      [[100, 101, 102], [101, 102, 103]],
      [[103, 104, 105], [104, 105, 106]],
      [[106, 107, 108], [107, 108, 109]],
    ]);
  });

  it("stride 1 gives every start; batches are [batch, seqLen]", () => {
    const ds = Data.textWindows(Array.from(ids), { seqLen: 4, stride: 1 });
    expect(ds.length).toBe(7); // starts 0 .. 6: start 6 reads targets up to index 10
    const batches = [...ds.batch(3)];
    expect(batches.map((b) => b.inputs.shape)).toEqual([[3, 4], [3, 4], [1, 4]]);
    expect(Array.from(batches[2]?.inputs.dataSync() ?? [])).toEqual([106, 107, 108, 109]);
    expect(Array.from(batches[2]?.targets.dataSync() ?? [])).toEqual([107, 108, 109, 110]);
    expect(Array.from(batches[0]?.targets.dataSync() ?? [])).toEqual([101, 102, 103, 104, 102, 103, 104, 105, 103, 104, 105, 106]);
    nx.dispose(batches);
  });

  it("takes an int32 tensor and copies ids once (later changes to the array do not leak in)", () => {
    const t = nx.tensor(Array.from(ids), { dtype: "int32" });
    const fromTensor = Data.textWindows(t, { seqLen: 10 });
    t.dispose();
    const copy = Int32Array.from(ids);
    const fromArray = Data.textWindows(copy, { seqLen: 10 });
    copy.fill(0);
    for (const ds of [fromTensor, fromArray]) {
      const [w] = ds;
      expect(Array.from(w?.inputs.dataSync() ?? [])).toEqual(range(10, (i) => 100 + i));
      nx.dispose(w);
    }
  });

  it("exactly seqLen + 1 tokens make one window", () => {
    expect(Data.textWindows([1, 2, 3], { seqLen: 2 }).length).toBe(1);
  });
});

describe("shuffle: a new order every epoch, reproducible from one key", () => {
  const t = rows(12);
  const key = nx.random.key(3);

  it("epoch e is nx.random.permutation(foldIn(key, e), n) of the rows", () => {
    const ds = Data.ofTensors(t).shuffle(key);
    for (let e = 0; e < 3; e++) {
      const perm = nx.random.permutation(nx.random.foldIn(key, e), 12);
      const expected = Array.from(perm.dataSync(), (i) => [10 * i]);
      perm.dispose();
      expect(ys(ds.epoch(e))).toEqual(expected);
    }
  });

  it("every epoch is a permutation; epochs differ; iterating again runs the next epoch", () => {
    const ds = Data.ofTensors(t).shuffle(key);
    const passes = [ys(ds), ys(ds), ys(ds)].map((p) => p.map((v) => v[0] as number));
    for (const p of passes) expect([...p].sort((a, b) => a - b)).toEqual(range(12, (i) => 10 * i));
    expect(passes[0]).not.toEqual(passes[1]);
    expect(passes[1]).not.toEqual(passes[2]);
    // The n-th iteration is epoch n, for any dataset made the same way.
    const again = Data.ofTensors(t).shuffle(key);
    expect(ys(again.epoch(2)).map((v) => v[0])).toEqual(passes[2]);
    expect(ys(again.epoch(2)).map((v) => v[0])).toEqual(passes[2]);
    // Another key, another order.
    expect(ys(Data.ofTensors(t).shuffle(nx.random.key(4)).epoch(0)).map((v) => v[0])).not.toEqual(passes[0]);
  });

  it("shuffled batches gather the permuted rows; take and repeat keep random access", () => {
    const ds = Data.ofTensors(t).shuffle(key);
    const order = ys(ds.epoch(1)).map((v) => v[0] as number);
    expect(ys(ds.batch(5).epoch(1))).toEqual([order.slice(0, 5), order.slice(5, 10), order.slice(10)]);
    expect(ys(ds.take(4).epoch(1)).map((v) => v[0])).toEqual(order.slice(0, 4));
    // take(4) then shuffle: a permutation of the first four rows.
    const firstFour = ys(Data.ofTensors(t).take(4).shuffle(key).epoch(0)).map((v) => v[0] as number);
    expect([...firstFour].sort((a, b) => a - b)).toEqual([0, 10, 20, 30]);
  });

  it("positions are uniform: each row lands first about equally often (chi-square over 1200 epochs)", () => {
    const small = rows(4);
    const ds = Data.ofTensors(small).shuffle(nx.random.key(11));
    const counts = [0, 0, 0, 0];
    for (let e = 0; e < 1200; e++) {
      const [first] = ds.take(1).epoch(e);
      counts[(first?.y.item() as number) / 10]! += 1;
      nx.dispose(first);
    }
    const chi2 = counts.reduce((s, c) => s + (c - 300) ** 2 / 300, 0);
    expect(chi2).toBeLessThan(16.27); // 3 degrees of freedom, p = 0.001
    nx.dispose(small);
  });
});

describe("map, take, repeat", () => {
  it("map transforms elements and disposes the input tensors its result does not hold", () => {
    const t = rows(5);
    const inputs: nx.Tensor[] = [];
    const ds = Data.ofTensors(t).map((e) => {
      inputs.push(e.x, e.y);
      return { y: nx.mul(e.y, 2) };
    });
    expect(ys(ds)).toEqual([[0], [20], [40], [60], [80]]);
    expect(inputs.every((x) => x.isDisposed)).toBe(true);
    // A result that keeps the input's tensors keeps them live.
    const [kept] = Data.ofTensors(t).map((e) => ({ y: e.y }));
    expect(kept?.y.isDisposed).toBe(false);
    nx.dispose([kept, t]);
  });

  it("batch after map stacks the mapped elements (the same values as gathering)", () => {
    const t = rows(7);
    const mapped = Data.ofTensors(t).shuffle(nx.random.key(1)).map((e) => ({ y: nx.add(e.y, 1) }));
    const order = ys(Data.ofTensors(t).shuffle(nx.random.key(1)).epoch(0)).map((v) => (v[0] as number) + 1);
    expect(ys(mapped.batch(3).epoch(0))).toEqual([order.slice(0, 3), order.slice(3, 6), order.slice(6)]);
    expect(ys(mapped.batch(3, { dropLast: true }).epoch(0))).toEqual([order.slice(0, 3), order.slice(3, 6)]);
    nx.dispose(t);
  });

  it("batch refuses elements that differ, naming Data.batch", () => {
    const t = rows(3);
    const ragged = Data.ofTensors(t).map((e) => ({ y: e.y.item() === 10 ? nx.zeros([3]) : nx.zeros([2]) }));
    const before = live();
    expect(() => [...ragged.batch(3)]).toThrow(/^kaun\.Data\.batch: element 1 holds a float32 tensor \[3\] at "y" where element 0 holds float32 \[2\]/);
    expect(live()).toBe(before);
    nx.dispose(t);
  });

  it("take(n) yields the first n elements and makes none past them", () => {
    const t = rows(10);
    let made = 0;
    const counted = Data.ofTensors(t).map((e) => {
      made++;
      return e;
    });
    expect(ys(counted.take(3))).toEqual([[0], [10], [20]]);
    expect(made).toBe(3);
    expect(counted.take(3).length).toBe(3);
    expect(counted.take(30).length).toBe(10);
    expect(ys(counted.take(0))).toEqual([]);
    nx.dispose(t);
  });

  it("repeat(k) runs k epochs per pass (pass e = epochs e·k .. e·k+k-1); repeat() is endless", () => {
    const t = rows(3);
    const ds = Data.ofTensors(t).shuffle(nx.random.key(5));
    const epoch = (e: number): number[] => ys(ds.epoch(e)).map((v) => v[0] as number);
    const twice = ds.repeat(2);
    expect(twice.length).toBe(6);
    expect(ys(twice.epoch(0)).map((v) => v[0])).toEqual([...epoch(0), ...epoch(1)]);
    expect(ys(twice.epoch(1)).map((v) => v[0])).toEqual([...epoch(2), ...epoch(3)]);
    // A finite repeat keeps random access: it can be shuffled as a whole.
    expect(ys(twice.shuffle(nx.random.key(0)).epoch(0)).map((v) => v[0]).sort()).toEqual([...epoch(0), ...epoch(1)].sort());
    const endless = ds.repeat();
    expect(endless.length).toBe(Infinity);
    expect(ys(endless.take(7)).map((v) => v[0])).toEqual([...epoch(0), ...epoch(1), ...epoch(2)].slice(0, 7));
    // The same through a stream (after map).
    const mapped = ds.map((e) => e).repeat(2);
    expect(ys(mapped.epoch(1)).map((v) => v[0])).toEqual([...epoch(2), ...epoch(3)]);
    expect(ys(ds.map((e) => e).repeat().take(4)).map((v) => v[0])).toEqual([...epoch(0), ...epoch(1)].slice(0, 4));
    nx.dispose(t);
  });

  it("repeat of an empty dataset is empty, not an endless loop", () => {
    const t = rows(3);
    expect(Data.ofTensors(t).take(0).repeat().length).toBe(0);
    expect([...Data.ofTensors(t).take(0).map((e) => e).repeat()]).toEqual([]);
    nx.dispose(t);
  });

  it("stages leave the receiver unchanged", () => {
    const t = rows(4);
    const base = Data.ofTensors(t);
    base.batch(2);
    base.take(1);
    base.shuffle(nx.random.key(0));
    expect(ys(base.epoch(0))).toEqual([[0], [10], [20], [30]]);
    nx.dispose(t);
  });
});

describe("ownership: a consumer that disposes each element keeps live tensors flat", () => {
  const t = rows(20);
  const ids = Int32Array.from(range(300, (i) => i % 7));
  const pipelines: [string, () => Dataset<unknown>][] = [
    ["ofTensors.shuffle.batch (gathers)", () => Data.ofTensors(t).shuffle(nx.random.key(0)).batch(6)],
    ["ofTensors.batch (views)", () => Data.ofTensors(t).batch(6)],
    ["ofTensors.shuffle.map.batch (stacks)", () => Data.ofTensors(t).shuffle(nx.random.key(0)).map((e) => ({ y: nx.add(e.y, 1) })).batch(6)],
    ["textWindows.shuffle.batch(dropLast).repeat().take", () => Data.textWindows(ids, { seqLen: 8, stride: 1 }).shuffle(nx.random.key(0)).batch(16, { dropLast: true }).repeat().take(50)],
    ["map.batch(dropLast).repeat(3)", () => Data.ofTensors(t).map((e) => ({ x: nx.neg(e.x) })).batch(7, { dropLast: true }).repeat(3)],
  ];
  for (const [name, make] of pipelines) {
    it(name, () => {
      const ds = make();
      nx.dispose([...ds.epoch(0)]); // warm up
      const before = live();
      for (let pass = 0; pass < 3; pass++) {
        for (const element of ds) nx.dispose(element);
        expect(live()).toBe(before);
      }
    });
    it(`${name}: stopping early disposes what stages buffered`, () => {
      const ds = make();
      const before = live();
      for (const element of ds) {
        nx.dispose(element);
        break;
      }
      expect(live()).toBe(before);
    });
  }

  it("an exception in map disposes its input and the buffer of a batch", () => {
    const ds = Data.ofTensors(t)
      .map((e) => {
        if (e.y.item() === 40) throw new Error("boom");
        return e;
      })
      .batch(10);
    const before = live();
    expect(() => [...ds]).toThrow("boom");
    expect(live()).toBe(before);
  });
});
