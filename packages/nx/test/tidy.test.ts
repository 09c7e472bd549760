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
