/** Inverted dropout with keys from the implicit `Rng` scope. */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { nextKey } from "../rng.js";
import { checkFloatTensor, checkOptions, checkRate } from "../util.js";

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** The probability of zeroing an element, in `[0, 1)`. */
  readonly rate: number;
}

/**
 * `dropout(x, { rate })` zeroes each element of `x` independently with
 * probability `rate` and scales the kept ones by `1 / (1 - rate)`, so the
 * expectation is `x` (inverted dropout). The mask is drawn with one key from
 * the implicit `Rng` scope. `rate = 0` returns `x` itself and draws no key.
 * It always applies: layers call it only when training.
 * @throws InvalidArgumentError when `x` is not a live float tensor, `options` is not an object or `rate` is not in `[0, 1)`.
 */
export function dropout(x: Tensor, options: DropoutOptions): Tensor {
  const fn = "Fn.dropout";
  checkFloatTensor(fn, "x", x);
  const rate = checkRate(fn, "rate", checkOptions(fn, options, "{ rate }", ["rate"]).rate);
  if (rate === 0) return x;
  const key = nextKey();
  return nx.tidy(() => nx.where(nx.random.bernoulli(key, 1 - rate, x.shape), nx.div(x, 1 - rate), 0));
}
