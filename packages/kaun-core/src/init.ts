/**
 * `Init`: weight initialisers. An {@link Initializer} maps a shape and a
 * float dtype to a fresh tensor; random ones draw one key from the implicit
 * `Rng` scope per call, so wrap model construction in `Rng.run(seed, ...)`
 * for reproducible weights. The Glorot, He and LeCun families are instances
 * of {@link varianceScaling}, with fans computed as in JAX/Flax for `[in, out]`
 * kernels.
 */
import type { FloatDType, Tensor } from "@raven-ts/nx";
import { MAX_RANK, checkIntegers, fmtShape, full, mul, random, tidy } from "@raven-ts/nx";
import { nextKey } from "./rng.js";
import { checkFinite, checkFloatDType, checkNonNegative, checkOptions, describe, fail, optionalOptions } from "./util.js";

/** `init(shape, dtype)` is a fresh tensor of `shape` and `dtype`; random initialisers draw their key from the `Rng` scope. */
export type Initializer = (shape: readonly number[], dtype: FloatDType) => Tensor;

/** `checkShape(fn, shape)` returns `shape` when it is an array of at most `MAX_RANK` non-negative integers (nx's `checkIntegers`). */
function checkShape(fn: string, shape: unknown): readonly number[] {
  return checkIntegers(`kaun.${fn}`, "shape", shape, 0, MAX_RANK);
}

/** `constant(value)` fills with `value`. @throws InvalidArgumentError when `value` is not a finite number. */
export function constant(value: number): Initializer {
  checkFinite("Init.constant", "value", value);
  return (shape, dtype) => full(checkShape("Init.constant", shape), value, checkFloatDType("Init.constant", dtype));
}

/** `zeros` fills with 0. */
export const zeros: Initializer = (shape, dtype) => full(checkShape("Init.zeros", shape), 0, checkFloatDType("Init.zeros", dtype));

/** `ones` fills with 1. */
export const ones: Initializer = (shape, dtype) => full(checkShape("Init.ones", shape), 1, checkFloatDType("Init.ones", dtype));

/** Options of {@link uniform}. */
export interface UniformOptions {
  /** The upper bound of `U[0, scale)`; defaults to 0.01. */
  readonly scale?: number;
}

/**
 * `uniform({ scale? })` samples independently from `U[0, scale)`.
 * `scale` defaults to 0.01.
 * @throws InvalidArgumentError when `options` is not an object or `scale` is negative or not finite.
 */
export function uniform(options: UniformOptions = {}): Initializer {
  const fn = "Init.uniform";
  const scale = checkNonNegative(fn, "scale", optionalOptions(fn, options, ["scale"]).scale ?? 0.01);
  return (shape, dtype) => {
    const s = checkShape(fn, shape);
    const d = checkFloatDType(fn, dtype);
    const key = nextKey();
    return tidy(() => mul(random.uniform(key, s, d), scale));
  };
}

/** Options of {@link normal}. */
export interface NormalOptions {
  /** The standard deviation of `N(0, stddev²)`; defaults to 0.01. */
  readonly stddev?: number;
}

/**
 * `normal({ stddev? })` samples independently from `N(0, stddev²)`.
 * `stddev` defaults to 0.01.
 * @throws InvalidArgumentError when `options` is not an object or `stddev` is negative or not finite.
 */
export function normal(options: NormalOptions = {}): Initializer {
  const fn = "Init.normal";
  const stddev = checkNonNegative(fn, "stddev", optionalOptions(fn, options, ["stddev"]).stddev ?? 0.01);
  return (shape, dtype) => {
    const s = checkShape(fn, shape);
    const d = checkFloatDType(fn, dtype);
    const key = nextKey();
    return tidy(() => mul(random.normal(key, s, d), stddev));
  };
}

/** Which fans set the variance of {@link varianceScaling}. */
export type FanMode = "fanIn" | "fanOut" | "fanAvg";

/** The distribution family of {@link varianceScaling}. */
export type Distribution = "normal" | "truncatedNormal" | "uniform";

/** Which axes of the shape hold the input and output units. */
export interface FanAxes {
  /** The input axis (negative counts from the end); defaults to -2. */
  readonly inAxis?: number;
  /** The output axis (negative counts from the end); defaults to -1. */
  readonly outAxis?: number;
}

/** Options of {@link varianceScaling}. */
export interface VarianceScalingOptions extends FanAxes {
  /** The variance numerator: the target variance is `scale / n`. */
  readonly scale: number;
  /** `"fanIn"`: `n = fanIn`; `"fanOut"`: `n = fanOut`; `"fanAvg"`: `n = (fanIn + fanOut) / 2`. */
  readonly mode: FanMode;
  /** The distribution sampled. */
  readonly distribution: Distribution;
}

/**
 * `computeFans(shape, { inAxis?, outAxis? })` is `[fanIn, fanOut]` as JAX
 * computes them: for rank ≥ 2, the receptive field is the product of the
 * axes other than `inAxis` and `outAxis`, `fanIn = shape[inAxis] * receptive`
 * and `fanOut = shape[outAxis] * receptive` (so `[in, out]` gives
 * `[in, out]`). A rank-1 shape `[n]` gives `[n, n]` and a scalar `[1, 1]` (as
 * Keras). `inAxis` defaults to -2 and `outAxis` to -1.
 * @throws InvalidArgumentError when `shape` is not an array of non-negative
 * integers, `axes` is not an object, or, for rank ≥ 2, an axis is out of
 * bounds or both name the same axis.
 */
export function computeFans(shape: readonly number[], axes: FanAxes = {}): [number, number] {
  const fn = "Init.computeFans";
  checkShape(fn, shape);
  const { inAxis, outAxis } = optionalOptions(fn, axes, ["inAxis", "outAxis"]);
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0] as number, shape[0] as number];
  const norm = (name: string, a: unknown): number => {
    if (typeof a !== "number" || !Number.isInteger(a) || a < -shape.length || a >= shape.length) {
      throw fail(fn, `${name} ${describe(a)} is out of bounds for shape ${fmtShape(shape)}`);
    }
    return a < 0 ? a + shape.length : a;
  };
  const i = norm("inAxis", inAxis ?? -2);
  const o = norm("outAxis", outAxis ?? -1);
  if (i === o) throw fail(fn, `inAxis and outAxis both designate axis ${i} of shape ${fmtShape(shape)}`);
  let receptive = 1;
  shape.forEach((d, k) => {
    if (k !== i && k !== o) receptive *= d;
  });
  return [(shape[i] as number) * receptive, (shape[o] as number) * receptive];
}

/** JAX's correction: the standard deviation of a standard normal truncated to (-2, 2). */
const TRUNCATED_STDDEV = 0.87962566103423978;

/**
 * `varianceScaling({ scale, mode, distribution, inAxis?, outAxis? })` samples
 * with target variance `scale / n`, `n` chosen by `mode` from the fans of
 * {@link computeFans}: `"normal"` is `N(0, scale / n)`; `"truncatedNormal"`
 * is a standard normal truncated to (-2, 2), rescaled so its variance is
 * `scale / n`; `"uniform"` is `U(-limit, limit)` with `limit = sqrt(3 * scale / n)`.
 * `inAxis` defaults to -2 and `outAxis` to -1.
 * @throws InvalidArgumentError when `options` is not an object, `scale` is negative or not finite, or `mode` or `distribution`
 * is unknown; when applied, as {@link computeFans} or when the chosen fan is not positive.
 */
export function varianceScaling(options: VarianceScalingOptions): Initializer {
  const fn = "Init.varianceScaling";
  const scale = checkNonNegative(fn, "scale", checkOptions(fn, options, "{ scale, mode, distribution }", ["scale", "mode", "distribution", "inAxis", "outAxis"]).scale);
  const { mode, distribution } = options;
  if (mode !== "fanIn" && mode !== "fanOut" && mode !== "fanAvg") throw fail(fn, `mode must be "fanIn", "fanOut" or "fanAvg", got ${describe(mode)}`);
  if (distribution !== "normal" && distribution !== "truncatedNormal" && distribution !== "uniform") {
    throw fail(fn, `distribution must be "normal", "truncatedNormal" or "uniform", got ${describe(distribution)}`);
  }
  const axes: FanAxes = { inAxis: options.inAxis ?? -2, outAxis: options.outAxis ?? -1 };
  return (shape, dtype) => {
    const s = checkShape(fn, shape);
    const d = checkFloatDType(fn, dtype);
    const [fanIn, fanOut] = computeFans(s, axes);
    const n = mode === "fanIn" ? fanIn : mode === "fanOut" ? fanOut : (fanIn + fanOut) / 2;
    if (!(n > 0)) throw fail(fn, `the ${mode} of shape ${fmtShape(s)} is ${n}; it must be positive`);
    const variance = scale / n;
    const key = nextKey();
    return tidy(() => {
      switch (distribution) {
        case "normal":
          return mul(random.normal(key, s, d), Math.sqrt(variance));
        case "truncatedNormal":
          return mul(random.truncatedNormal(key, s, d, { lower: -2, upper: 2 }), Math.sqrt(variance) / TRUNCATED_STDDEV);
        case "uniform": {
          const limit = Math.sqrt(3 * variance);
          return random.uniform(key, s, d, { minval: -limit, maxval: limit });
        }
      }
    });
  };
}

/** `glorotUniform({ inAxis?, outAxis? })` is `U(-limit, limit)` with `limit = sqrt(6 / (fanIn + fanOut))`: {@link varianceScaling} with scale 1, `"fanAvg"`, `"uniform"` (Glorot and Bengio, 2010). @throws InvalidArgumentError as {@link varianceScaling}. */
export function glorotUniform(axes: FanAxes = {}): Initializer {
  return varianceScaling({ ...axes, scale: 1, mode: "fanAvg", distribution: "uniform" });
}

/** `glorotNormal({ inAxis?, outAxis? })` is a truncated normal with variance `2 / (fanIn + fanOut)`: {@link varianceScaling} with scale 1, `"fanAvg"`, `"truncatedNormal"`. @throws InvalidArgumentError as {@link varianceScaling}. */
export function glorotNormal(axes: FanAxes = {}): Initializer {
  return varianceScaling({ ...axes, scale: 1, mode: "fanAvg", distribution: "truncatedNormal" });
}

/** `heUniform({ inAxis?, outAxis? })` is `U(-limit, limit)` with `limit = sqrt(6 / fanIn)`: {@link varianceScaling} with scale 2, `"fanIn"`, `"uniform"` (He et al., 2015). @throws InvalidArgumentError as {@link varianceScaling}. */
export function heUniform(axes: FanAxes = {}): Initializer {
  return varianceScaling({ ...axes, scale: 2, mode: "fanIn", distribution: "uniform" });
}

/** `heNormal({ inAxis?, outAxis? })` is a truncated normal with variance `2 / fanIn`: {@link varianceScaling} with scale 2, `"fanIn"`, `"truncatedNormal"`. @throws InvalidArgumentError as {@link varianceScaling}. */
export function heNormal(axes: FanAxes = {}): Initializer {
  return varianceScaling({ ...axes, scale: 2, mode: "fanIn", distribution: "truncatedNormal" });
}

/** `lecunUniform({ inAxis?, outAxis? })` is `U(-limit, limit)` with `limit = sqrt(3 / fanIn)`: {@link varianceScaling} with scale 1, `"fanIn"`, `"uniform"` (LeCun et al., 1998). @throws InvalidArgumentError as {@link varianceScaling}. */
export function lecunUniform(axes: FanAxes = {}): Initializer {
  return varianceScaling({ ...axes, scale: 1, mode: "fanIn", distribution: "uniform" });
}

/** `lecunNormal({ inAxis?, outAxis? })` is a truncated normal with variance `1 / fanIn`: {@link varianceScaling} with scale 1, `"fanIn"`, `"truncatedNormal"`. @throws InvalidArgumentError as {@link varianceScaling}. */
export function lecunNormal(axes: FanAxes = {}): Initializer {
  return varianceScaling({ ...axes, scale: 1, mode: "fanIn", distribution: "truncatedNormal" });
}
