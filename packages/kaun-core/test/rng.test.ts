import { random } from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { describe, expect, test } from "vitest";
import { Rng } from "../src/index.js";

const words = (k: random.Key): readonly number[] => k.words;

describe("Rng", () => {
  test("same seed and same calls give the same keys", () => {
    const a = Rng.run(7, () => [Rng.nextKey(), Rng.nextKey(), Rng.nextKey()].map(words));
    const b = Rng.run(7, () => [Rng.nextKey(), Rng.nextKey(), Rng.nextKey()].map(words));
    expect(a).toEqual(b);
    expect(new Set(a.map((w) => w.join())).size).toBe(3);
  });

  test("different seeds give different keys", () => {
    const a = Rng.run(1, () => words(Rng.nextKey()));
    const b = Rng.run(2, () => words(Rng.nextKey()));
    expect(a).not.toEqual(b);
  });

  test("the stream is split deterministically from nx.random.key(seed)", () => {
    const k = Rng.run(3, () => Rng.nextKey());
    const [, expected] = random.split(random.key(3), 2) as [random.Key, random.Key];
    expect(k.equals(expected)).toBe(true);
  });

  test("an inner scope does not disturb the outer stream", () => {
    const plain = Rng.run(5, () => [Rng.nextKey(), Rng.nextKey()].map(words));
    const nested = Rng.run(5, () => {
      const first = words(Rng.nextKey());
      Rng.withKey(random.key(99), () => {
        Rng.nextKey();
        Rng.nextKey();
      });
      Rng.run(123, () => Rng.nextKey());
      return [first, words(Rng.nextKey())];
    });
    expect(nested).toEqual(plain);
  });

  test("withKey scopes are reproducible and independent of the enclosing scope", () => {
    const k = random.key(42);
    const a = Rng.withKey(k, () => words(Rng.nextKey()));
    const b = Rng.run(0, () => Rng.withKey(k, () => words(Rng.nextKey())));
    expect(a).toEqual(b);
  });

  test("outside any scope nextKey still works (non-reproducible fallback)", () => {
    expect(Rng.inScope()).toBe(false);
    const a = Rng.nextKey();
    const b = Rng.nextKey();
    expect(random.isKey(a)).toBe(true);
    expect(a.equals(b)).toBe(false);
    expect(Rng.run(0, () => Rng.inScope())).toBe(true);
  });

  test("a scope is closed when fn throws", () => {
    expect(() => Rng.run(0, () => { throw new Error("boom"); })).toThrow("boom");
    expect(Rng.inScope()).toBe(false);
  });

  test("subKeys(n) key i does not depend on n", () => {
    const two = Rng.run(9, () => Rng.subKeys(2).map(words));
    const three = Rng.run(9, () => Rng.subKeys(3).map(words));
    expect(three.slice(0, 2)).toEqual(two);
  });

  test("argument errors", () => {
    expect(() => Rng.run(1.5, () => 0)).toThrow(/kaun\.Rng\.run: seed must be a safe integer, got 1\.5/);
    expect(() => Rng.withKey("k" as unknown as random.Key, () => 0)).toThrow(/kaun\.Rng\.withKey: key must be an nx\.random\.Key/);
    expect(() => Rng.run(0, 5 as unknown as () => number)).toThrow(/fn must be a function/);
    expect(() => Rng.run(0, async () => 1)).toThrow(/kaun\.Rng\.run: fn returned a Promise/);
    expect(() => Rng.subKeys(-1)).toThrow(/kaun\.Rng\.subKeys: n must be a non-negative integer/);
    expectInvalidArgument(() => Rng.run(0.5, () => 0), "kaun.Rng.run");
  });
});
