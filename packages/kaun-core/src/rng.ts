/**
 * `Rng`: the implicit random-key scope of Kaun. Layer initialisers and
 * dropout do not take keys; they call {@link nextKey}, which draws from the
 * innermost scope opened by {@link run} or {@link withKey}:
 *
 * ```ts
 * const vars = Rng.run(0, () => Layer.init(model, { dtype: "float32" }));
 * ```
 *
 * A scope is a stream of keys: its state is one `nx.random.Key`, and each
 * `nextKey()` splits it into a new state and the key it returns. The same
 * starting key and the same sequence of calls therefore give the same keys,
 * whatever happens in other scopes: an inner scope has its own state and
 * leaves the outer stream where it was. Composite layers give every
 * sub-layer its own inner scope keyed by its position (see {@link subKeys}),
 * so appending a layer does not change what its siblings draw.
 *
 * Scopes are synchronous: `fn` runs to completion inside the scope, and a
 * scope cannot span an `await`.
 */
import { random } from "@raven-ts/nx";
import { describe, fail } from "./util.js";

/** The keys of `nx.random` (`nx.random.Key`): two uint32 words, immutable. */
export type Key = random.Key;

interface Scope {
  key: Key;
}

const scopes: Scope[] = [];

/** The fallback stream used outside every scope, seeded once from the platform's entropy. */
let fallback: Scope | undefined;

function entropySeed(): number {
  const words = new Uint32Array(2);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(words);
  else {
    words[0] = Math.floor(Math.random() * 2 ** 32);
    words[1] = Math.floor(Math.random() * 2 ** 32);
  }
  // 53 bits: a safe integer seed for nx.random.key.
  return ((words[0] as number) & 0x1fffff) * 2 ** 32 + (words[1] as number);
}

function runIn<T>(fnName: string, key: Key, fn: () => T): T {
  if (typeof fn !== "function") throw fail(fnName, `fn must be a function, got ${describe(fn)}`);
  scopes.push({ key });
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    throw fail(fnName, "fn returned a Promise; a key scope only covers synchronous code (open the scope inside the async function instead)");
  }
  return result;
}

/**
 * `run(seed, fn)` is `fn()` evaluated inside a new key scope that starts at
 * `nx.random.key(seed)`. Every {@link nextKey} inside (not shadowed by an
 * inner scope) draws from that stream, so the same seed and the same
 * sequence of calls reproduce the same keys, bit for bit.
 * @throws InvalidArgumentError when `seed` is not a safe integer, `fn` is not
 * a function, or `fn` returns a Promise; whatever `fn` throws propagates
 * (the scope is closed either way).
 */
export function run<T>(seed: number, fn: () => T): T {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) throw fail("Rng.run", `seed must be a safe integer, got ${describe(seed)}`);
  return runIn("Rng.run", random.key(seed), fn);
}

/**
 * `withKey(key, fn)` is `fn()` evaluated inside a new key scope that starts
 * at `key`, as {@link run} with an explicit key. The enclosing scope's
 * stream is not advanced.
 * @throws InvalidArgumentError when `key` is not an `nx.random.Key`, `fn` is
 * not a function, or `fn` returns a Promise.
 */
export function withKey<T>(key: Key, fn: () => T): T {
  if (!random.isKey(key)) throw fail("Rng.withKey", `key must be an nx.random.Key, got ${describe(key)}`);
  return runIn("Rng.withKey", key, fn);
}

/**
 * `nextKey()` is a fresh key from the innermost scope: the scope's state is
 * split in two, the first half becomes the new state and the second is
 * returned. Outside every scope it draws from a process-wide fallback
 * stream seeded from the platform's entropy (`crypto.getRandomValues`) the
 * first time it is needed, so results outside a scope are **not
 * reproducible**; wrap code in {@link run} when they must be.
 */
export function nextKey(): Key {
  let scope = scopes[scopes.length - 1];
  if (scope === undefined) {
    fallback ??= { key: random.key(entropySeed()) };
    scope = fallback;
  }
  const [next, out] = random.split(scope.key, 2) as [Key, Key];
  scope.key = next;
  return out;
}

/**
 * `subKeys(n)` is `n` keys derived from one {@link nextKey} `k`:
 * `[foldIn(k, 0), ..., foldIn(k, n - 1)]`. Key `i` depends on `k` and `i`
 * only, not on `n`, so a composite layer that gains a sub-layer at the end
 * gives its existing sub-layers the same keys as before.
 * @throws InvalidArgumentError when `n` is not a non-negative integer.
 */
export function subKeys(n: number): Key[] {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw fail("Rng.subKeys", `n must be a non-negative integer, got ${describe(n)}`);
  const base = nextKey();
  return Array.from({ length: n }, (_, i) => random.foldIn(base, i));
}

/** `inScope()` is true when a scope opened by {@link run} or {@link withKey} is active (false means {@link nextKey} uses the non-reproducible fallback). */
export function inScope(): boolean {
  return scopes.length > 0;
}
