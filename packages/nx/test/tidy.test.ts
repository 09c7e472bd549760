import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";

const live = (): number => nx.memory().numTensors;

describe("tidy", () => {
  it("disposes what fn created except its result, also when fn throws", () => {
    const before = live();
    const kept = nx.tidy(() => {
      const a = nx.ones([3]);
      const b = nx.add(a, 1);
      return { b, list: [nx.mul(b, 2)] };
    });
    expect(live()).toBe(before + 2);
    expect(kept.b.arraySync()).toEqual([2, 2, 2]);
    expect(() =>
      nx.tidy(() => {
        nx.ones([4]);
        nx.zeros([2]);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(live()).toBe(before + 2);
    nx.dispose(kept);
    expect(live()).toBe(before);
  });

  it("rejects an async fn and releases what it created", () => {
    const before = live();
    expect(() => nx.tidy(() => Promise.resolve(nx.ones([2])))).toThrow("nx.tidy: fn returned a Promise");
    expect(live()).toBe(before);
  });

  it("keep exempts a tensor; nested scopes hand results outward", () => {
    const before = live();
    let inner: nx.Tensor | undefined;
    const outer = nx.tidy(() => {
      inner = nx.tidy(() => nx.keep(nx.ones([1])));
      return nx.tidy(() => nx.zeros([1]));
    });
    expect(live()).toBe(before + 2);
    expect(inner?.isDisposed).toBe(false);
    nx.dispose([outer, inner]);
    expect(live()).toBe(before);
  });
});

describe("public ops release their intermediates", () => {
  it("leave only their result alive (casts, weak scalars, broadcast views and partial results are disposed)", () => {
    const x = nx.ones([3, 4]);
    const xi = nx.cast(x, "int32");
    const v = nx.ones([4]);
    const idx = nx.zeros([3, 1], "int32");
    const xt = nx.transpose(x);
    const w3 = nx.ones([3]);
    const cases: [string, () => nx.Tensor | nx.Tensor[]][] = [
      ["add with a weak scalar", () => nx.add(x, 1)],
      ["div of int32 (cast to float32)", () => nx.div(xi, 2)],
      ["softmax", () => nx.softmax(x)],
      ["logsumexp", () => nx.logsumexp(x, { axes: 1 })],
      ["var", () => nx.var(x, { ddof: 1 })],
      ["takeAlongAxis", () => nx.takeAlongAxis(x, idx, { axis: 1 })],
      ["matmul of vectors", () => nx.matmul(v, v)],
      ["tril", () => nx.tril(x)],
      ["stack", () => nx.stack([x, x], { axis: 1 })],
      ["split", () => nx.split(x, 2, { axis: 1 })],
      ["asinh of int32 (cast to float32)", () => nx.asinh(xi)],
      ["hypot with a weak scalar", () => nx.hypot(xi, 1)],
      ["logicalXor", () => nx.logicalXor(x, xi)],
      ["all over an axis", () => nx.all(x, { axes: 1, keepdims: true })],
      ["sort", () => nx.sort(x, { descending: true })],
      ["argsort", () => nx.argsort(xi, { axis: 0 })],
      ["topk", () => nx.topk(x, 2)],
      ["roll over two axes", () => nx.roll(x, [1, 2], { axis: [0, 1] })],
      ["roll flattened", () => nx.roll(x, 5)],
      ["moveaxis", () => nx.moveaxis(x, 0, 1)],
      ["einsum chain", () => nx.einsum("ij,jk,k->i", x, xt, w3)],
      ["einsum diagonal of a product", () => nx.einsum("ij,ji->i", x, xt)],
      ["random.categorical", () => nx.random.categorical(nx.random.key(0), x, { shape: [2, 3] })],
      ["random.shuffle", () => nx.random.shuffle(nx.random.key(0), x, { axis: 1 })],
    ];
    for (const [name, f] of cases) {
      const before = nx.memory().numTensors;
      const out = f();
      expect(nx.memory().numTensors - before, name).toBe(Array.isArray(out) ? out.length : 1);
      nx.dispose(out);
    }
  });
});
