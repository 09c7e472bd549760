/**
 * PRNG keys and their derivation (`key`, `split`, `foldIn`), with JAX's
 * threefry2x32 conventions so that keys match `jax.random` bit for bit
 * (with `jax_threefry_partitionable=False`, JAX's default before 0.5).
 */
import { InvalidArgumentError, fmtValue } from "../errors.js";
import { threefry2x32, threefry2x32Into } from "./threefry.js";

const TWO_32 = 2 ** 32;

/** The most keys one `split` makes (each key is a JS object; split again for more). */
const MAX_SPLIT = 2 ** 20;

function isUint32(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v < TWO_32;
}

/**
 * An immutable PRNG key: two uint32 words, the key of the threefry2x32
 * cipher. Every random function is a pure function of its key; derive new
 * keys with {@link split} or {@link foldIn} rather than reusing one key for
 * independent draws.
 */
export class Key {
  /** The two uint32 words (JAX's `key_data`). */
  readonly words: readonly [number, number];

  /**
   * `new Key([w0, w1])` is the key with the given words (as `jax.random.wrap_key_data`).
   * Prefer {@link key} to make a key from a seed.
   * @throws InvalidArgumentError when `words` is not a pair of integers in `[0, 2^32)`.
   */
  constructor(words: readonly [number, number]) {
    if (!Array.isArray(words) || words.length !== 2 || !isUint32(words[0]) || !isUint32(words[1])) {
      throw new InvalidArgumentError("nx.random.Key", `words must be two integers in [0, 2^32), got ${fmtValue(words)}`);
    }
    this.words = Object.freeze([words[0], words[1]] as const);
    Object.freeze(this);
  }

  /** `k.equals(other)` is true when `other` is a key with the same words. */
  equals(other: unknown): boolean {
    return other instanceof Key && other.words[0] === this.words[0] && other.words[1] === this.words[1];
  }

  /** `k.toString()` is `Key(w0, w1)`. */
  toString(): string {
    return `Key(${this.words[0]}, ${this.words[1]})`;
  }
}

/** `isKey(v)` is true when `v` is a {@link Key}. */
export function isKey(v: unknown): v is Key {
  return v instanceof Key;
}

/** `checkKey(fn, v)` returns `v` when it is a key. @throws InvalidArgumentError naming `fn` otherwise. Internal. */
export function checkKey(fn: string, v: unknown): Key {
  if (!(v instanceof Key)) throw new InvalidArgumentError(fn, `key must be a Key made by nx.random.key, split or foldIn, got ${fmtValue(v)}`);
  return v;
}

/**
 * `key(seed)` is the key of an integer seed, as JAX's `PRNGKey(seed)`: the
 * seed's 64-bit two's complement split into its high 32 bits (word 0) and
 * low 32 bits (word 1). A seed in `[0, 2^32)` gives `[0, seed]`; a negative
 * seed gives JAX's 64-bit result (`key(-1)` is `[2^32 - 1, 2^32 - 1]`, as
 * `PRNGKey(-1)` with `jax_enable_x64`).
 * @throws InvalidArgumentError when `seed` is not a safe integer (`|seed| < 2^53`).
 */
export function key(seed: number): Key {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError("nx.random.key", `seed must be a safe integer, got ${fmtValue(seed)}`);
  }
  // floor division keeps the two's-complement split exact for negative seeds:
  // seed = hi * 2^32 + lo with 0 <= lo < 2^32, and hi taken modulo 2^32.
  const hi = Math.floor(seed / TWO_32);
  const lo = seed - hi * TWO_32;
  return new Key([hi >>> 0, lo]);
}

/**
 * `split(key, n?)` is `n` new keys derived from `key`, equal to JAX's
 * `split(key, n)` under the original (non-partitionable) threefry scheme:
 * the counters `0 .. 2n-1` are encrypted in pairs `(i, n + i)`, the outputs
 * are concatenated as `[y0[0..n-1], y1[0..n-1]]`, and that list is read as
 * `n` consecutive pairs. `n` defaults to 2. The keys are independent of each
 * other and of `key`'s own draws; use one and split the other further.
 * Without `n` the result is typed as a pair (`const [k1, k2] = split(key)`).
 * @throws InvalidArgumentError when `key` is not a key, or `n` is not an integer in `[0, 2^20]`.
 */
export function split(key: Key): [Key, Key];
export function split(key: Key, n: number): Key[];
export function split(key: Key, n = 2): Key[] {
  const fn = "nx.random.split";
  const k = checkKey(fn, key);
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_SPLIT) {
    throw new InvalidArgumentError(fn, `n must be an integer in [0, 2^20], got ${fmtValue(n)}`);
  }
  const [k0, k1] = k.words;
  const flat = new Uint32Array(2 * n);
  const pair = new Uint32Array(2);
  for (let i = 0; i < n; i++) {
    threefry2x32Into(k0, k1, i, n + i, pair, 0);
    flat[i] = pair[0] as number;
    flat[n + i] = pair[1] as number;
  }
  const out: Key[] = [];
  for (let j = 0; j < n; j++) out.push(new Key([flat[2 * j] as number, flat[2 * j + 1] as number]));
  return out;
}

/**
 * `foldIn(key, data)` is a new key that mixes the integer `data` into `key`,
 * equal to JAX's `fold_in(key, data)`: `threefry2x32(key, [0, data mod 2^32])`.
 * Different `data` give independent keys, so `foldIn(key, step)` derives a
 * per-step key without threading keys through a loop.
 * @throws InvalidArgumentError when `key` is not a key, or `data` is not a safe integer.
 */
export function foldIn(key: Key, data: number): Key {
  const fn = "nx.random.foldIn";
  const k = checkKey(fn, key);
  if (typeof data !== "number" || !Number.isSafeInteger(data)) {
    throw new InvalidArgumentError(fn, `data must be a safe integer, got ${fmtValue(data)}`);
  }
  return new Key(threefry2x32(k.words, [0, data >>> 0]));
}
