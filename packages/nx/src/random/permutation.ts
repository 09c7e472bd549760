/**
 * Random orderings: `permutation` and `shuffle`. The permutation is drawn on
 * the host from the key's threefry word stream and uploaded as int32, so it
 * is the same on every backend; a tensor is then reordered with `take`
 * (differentiable, on the tensor's backend).
 */
import { checkFits } from "../capacity.js";
import { getBackend } from "../engine.js";
import { InvalidArgumentError, fmtValue } from "../errors.js";
import { fromHost } from "../ops/creation.js";
import { take } from "../ops/indexing.js";
import { checkTensor } from "../ops/operands.js";
import { checkOptions } from "../options.js";
import { bind } from "../primitives.js";
import { runOp } from "../scope.js";
import { normalizeAxis } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { Key } from "./key.js";
import { checkKey } from "./key.js";
import { threefry2x32Into } from "./threefry.js";

const TWO_32 = 2 ** 32;

/** A uniformly random permutation of `0 .. n-1`: Fisher–Yates on the word stream of `key`, by rejection (no modulo bias). */
function hostPermutation(key: Key, n: number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const [k0, k1] = key.words;
  const words = new Uint32Array(2);
  let block = 0;
  let avail = 0;
  const nextWord = (): number => {
    if (avail === 0) {
      threefry2x32Into(k0, k1, block++, 0, words, 0);
      avail = 2;
    }
    return words[2 - avail--] as number;
  };
  for (let i = n - 1; i > 0; i--) {
    const m = i + 1;
    const limit = TWO_32 - (TWO_32 % m);
    let w = nextWord();
    while (w >= limit) w = nextWord();
    const j = w % m;
    const t = perm[i] as number;
    perm[i] = perm[j] as number;
    perm[j] = t;
  }
  return perm;
}

/** Options of {@link permutation} (of a tensor) and {@link shuffle}. */
export interface ShuffleOptions {
  /** The axis whose slices are reordered (negative counts from the end); defaults to 0. */
  readonly axis?: number;
}

/** `x` with its slices along `options.axis` in the order of `hostPermutation(key, n)`; validates everything first. */
function permuteAlong(fn: string, key: Key, x: Tensor, options: ShuffleOptions | undefined): Tensor {
  checkTensor(fn, x);
  const o = checkOptions(fn, options, ["axis"]);
  if (x.ndim === 0) throw new InvalidArgumentError(fn, "x must have at least one axis, got a scalar");
  const axis = normalizeAxis(fn, o.axis ?? 0, x.ndim);
  const n = x.shape[axis] as number;
  if (n === 0) return bind("reshape", [x], { shape: x.shape });
  checkFits(fn, x.backend, [n], "int32");
  checkFits(fn, x.backend, x.shape, x.dtype);
  return take(x, fromHost(fn, hostPermutation(key, n), "int32", [n], x.backend), { axis });
}

/**
 * `permutation(key, n)` is an int32 tensor holding a uniformly random
 * permutation of `0 .. n-1`; `permutation(key, x, { axis? })` is `x` with
 * its slices along `axis` (0 by default) in that random order
 * (`take(x, permutation(key, x.shape[axis]), { axis })`, as JAX's
 * `permutation`), on `x`'s backend. The permutation is a Fisher–Yates
 * shuffle driven on the host by the 32-bit words of `key`'s threefry stream
 * (`threefry2x32(key, [b, 0])`, words in order), with rejection so every
 * permutation is equally likely; it is the same on every backend.
 * @throws InvalidArgumentError when `key` is not a key, `n` is not an integer
 * in `[0, 2^31)`, `x` is not a live tensor of rank at least 1, `options` are
 * given with a number or hold a bad axis, or the result is more than the backend holds.
 */
export function permutation(key: Key, nOrTensor: number | Tensor, options?: ShuffleOptions): Tensor {
  const fn = "nx.random.permutation";
  return runOp(fn, () => {
    const k = checkKey(fn, key);
    if (nOrTensor instanceof Tensor) return permuteAlong(fn, k, nOrTensor, options);
    const n = nOrTensor;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n >= 2 ** 31) throw new InvalidArgumentError(fn, `n must be an integer in [0, 2^31) or a tensor, got ${fmtValue(n)}`);
    if (options !== undefined) throw new InvalidArgumentError(fn, `options apply to a tensor argument, not to n = ${n}`);
    checkFits(fn, getBackend(), [n], "int32");
    return fromHost(fn, hostPermutation(k, n), "int32", [n]);
  });
}

/**
 * `shuffle(key, x, { axis? })` is `x` with its slices along `axis` (0 by
 * default) in a uniformly random order: the same as
 * `permutation(key, x, { axis })` (JAX's `shuffle`), differentiable with
 * respect to `x`.
 * @throws InvalidArgumentError when `key` is not a key, `x` is not a live
 * tensor of rank at least 1, for a bad axis or option, or when the result is more than the backend holds.
 */
export function shuffle(key: Key, x: Tensor, options?: ShuffleOptions): Tensor {
  const fn = "nx.random.shuffle";
  return runOp(fn, () => permuteAlong(fn, checkKey(fn, key), x, options));
}
