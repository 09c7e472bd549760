/**
 * `categorical`: samples from the categorical distributions that logits
 * define, by the Gumbel-max trick (JAX's `random.categorical`).
 */
import { checkFits } from "../capacity.js";
import type { FloatDType } from "../dtype.js";
import { allocHost, isFloat } from "../dtype.js";
import { InvalidArgumentError, fmtShape } from "../errors.js";
import { fromHost } from "../ops/creation.js";
import { add } from "../ops/elementwise.js";
import { castTo, checkTensor } from "../ops/operands.js";
import { checkOptions } from "../options.js";
import { bind } from "../primitives.js";
import { runOp } from "../scope.js";
import { broadcastsTo, checkShape, normalizeAxis, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { Key } from "./key.js";
import { checkKey } from "./key.js";
import { uniformFromStream } from "./threefry.js";

/** Half the spacing of each dtype's uniform stream: moves its values from `[0, 1)` to the open interval `(0, 1)`. */
const HALF_STEP: Readonly<Record<FloatDType, number>> = { float32: 2 ** -25, float64: 2 ** -54 };

/** Options of {@link categorical}. */
export interface CategoricalOptions {
  /** The axis of `logits` that holds the categories (negative counts from the end); defaults to -1. */
  readonly axis?: number;
  /**
   * The shape of the result; defaults to `logits.shape` without `axis` (one
   * sample per distribution). It must end with that batch shape (or one it
   * broadcasts to); leading extra axes draw independent samples.
   */
  readonly shape?: readonly number[];
}

/**
 * `categorical(key, logits, { axis?, shape? })` is an int32 tensor of
 * category indices, each drawn independently with probability
 * `softmax(logits, axis)`: as JAX's `categorical`, the index of the maximum
 * of `logits + g` along `axis`, for independent standard Gumbel noise
 * `g = -log(-log(u))`. The noise is drawn in the logits' float dtype (integer
 * logits are read as float32), as JAX draws it: `u` is the `randomUniform`
 * stream of `key` in that dtype moved to the middle of its bins (2^-24
 * apart in float32, 2^-53 in float64), so strictly inside (0, 1); `g` is
 * computed on the host in float64, rounded to the dtype and added on the
 * logits' backend, so every backend draws the same samples. A `-Infinity` logit is
 * never drawn (unless all of its lane are); a NaN logit always wins (as
 * `argmax`).
 * `options.axis` defaults to -1; `options.shape` to the batch shape
 * `logits.shape` without `axis` (see {@link CategoricalOptions}).
 * @throws InvalidArgumentError when `key` is not a key, `logits` is not a
 * live tensor of rank at least 1 or its `axis` is empty, for a bad axis,
 * shape or option, when the batch shape does not broadcast to the end of
 * `shape`, or when the noise (`shape` with the categories axis inserted) or
 * the result is more than the backend holds.
 */
export function categorical(key: Key, logits: Tensor, options?: CategoricalOptions): Tensor {
  const fn = "nx.random.categorical";
  return runOp(fn, () => {
    const k = checkKey(fn, key);
    checkTensor(fn, logits, "logits");
    const o = checkOptions(fn, options, ["axis", "shape"]);
    if (logits.ndim === 0) throw new InvalidArgumentError(fn, "logits must have at least one axis (the categories), got a scalar");
    const axis = normalizeAxis(fn, o.axis ?? -1, logits.ndim);
    const n = logits.shape[axis] as number;
    if (n === 0) throw new InvalidArgumentError(fn, `cannot sample from an empty axis ${axis} of logits of shape ${fmtShape(logits.shape)}`);
    const batch = logits.shape.filter((_, i) => i !== axis);
    const shape = o.shape === undefined ? batch : checkShape(fn, o.shape);
    if (!broadcastsTo(batch, shape)) {
      throw new InvalidArgumentError(fn, `shape ${fmtShape(shape)} must end with the batch shape ${fmtShape(batch)} of logits ${fmtShape(logits.shape)} (or one it broadcasts to)`);
    }
    const lead = shape.length - batch.length;
    const noiseShape = [...shape.slice(0, lead + axis), n, ...shape.slice(lead + axis)];
    const dtype: FloatDType = isFloat(logits.dtype) ? logits.dtype : "float32";
    checkFits(fn, logits.backend, noiseShape, dtype);
    checkFits(fn, logits.backend, shape, "int32");
    const size = sizeOf(noiseShape);
    const g = allocHost(dtype, size);
    uniformFromStream(k.words, size, g);
    const half = HALF_STEP[dtype];
    for (let i = 0; i < size; i++) g[i] = -Math.log(-Math.log((g[i] as number) + half));
    const noise = fromHost(fn, g, dtype, noiseShape, logits.backend);
    const aligned = bind("reshape", [castTo(logits, dtype)], { shape: [...new Array<number>(lead).fill(1), ...logits.shape] });
    return bind("argmax", [add(noise, aligned)], { axis: lead + axis });
  });
}
