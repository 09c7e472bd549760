/**
 * Rotary position embeddings (Su et al., RoFormer), rotate-half convention:
 * the last axis is split into a first and a second half that rotate as pairs
 * `(x[i], x[i + headDim/2])` by the angle `position * theta^(-2i / headDim)`.
 */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { checkNonNegInt, checkPositive, checkTensor, describe, fail, optionalOptions } from "@raven-ts/kaun-core/internal";

/** Options of {@link ropeTables} (and of {@link rope}). */
export interface RopeTablesOptions {
  /** The base of the geometric frequency sequence; defaults to 10000. */
  readonly theta?: number;
  /** The position of the first element along the sequence (for decoding after a prefix); defaults to 0. */
  readonly offset?: number;
}

/** Options of {@link rope}. */
export interface RopeOptions extends RopeTablesOptions {
  /** The sequence axis; negative values count from the end; defaults to -2. */
  readonly seqDim?: number;
}

/** The cosine and sine tables of {@link ropeTables}. */
export interface RopeTables {
  /** `cos[p * headDim + j]`: the cosine of position `offset + p` at column `j`. */
  readonly cos: Float64Array;
  /** `sin[p * headDim + j]`: the sine of position `offset + p` at column `j`. */
  readonly sin: Float64Array;
}

/** `checkThetaOffset(fn, theta, offset)` throws, as `kaun.<fn>`, when `theta` or `offset` is not valid. */
function checkThetaOffset(fn: string, theta: unknown, offset: unknown): void {
  checkPositive(fn, "theta", theta);
  checkNonNegInt(fn, "offset", offset);
}

/** The tables of {@link ropeTables}, for arguments already checked. */
function tables(seqLen: number, headDim: number, theta: number, offset: number): RopeTables {
  const half = headDim / 2;
  const cos = new Float64Array(seqLen * headDim);
  const sin = new Float64Array(seqLen * headDim);
  for (let p = 0; p < seqLen; p++) {
    for (let i = 0; i < half; i++) {
      const angle = (offset + p) * theta ** (-(2 * i) / headDim);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * headDim + i] = c;
      cos[p * headDim + half + i] = c;
      sin[p * headDim + i] = s;
      sin[p * headDim + half + i] = s;
    }
  }
  return { cos, sin };
}

/**
 * `ropeTables(seqLen, headDim, { theta?, offset? })` is the cosine and sine
 * tables that {@link rope} multiplies by, on the host in float64: `cos` and
 * `sin` each hold a `[seqLen, headDim]` table in C order (`seqLen * headDim`
 * values) whose entries `[p, j]` and `[p, j + headDim/2]`, for
 * `j < headDim/2`, are the cosine and sine of `(offset + p) * theta^(-2j / headDim)`
 * (rotate-half convention: each frequency appears in both halves). For
 * precomputing the tables of another implementation, e.g. a TensorFlow.js
 * peer; `rope(x, options)` equals `x * cos + rotateHalf(x) * sin` with these
 * tables broadcast along `x`'s other axes.
 *
 * `theta` defaults to 10000 and `offset` (the position of the first row) to 0.
 * `seqLen` or `headDim` 0 gives empty tables.
 *
 * @throws InvalidArgumentError if `seqLen` is not a non-negative integer, if
 * `headDim` is not a non-negative even integer, if `theta` is not a positive
 * finite number, if `offset` is not a non-negative integer, if `options` is
 * not an object, or if a table of `seqLen * headDim` values is more than the
 * CPU backend holds in one tensor (2^28), before anything is computed.
 */
export function ropeTables(seqLen: number, headDim: number, options: RopeTablesOptions = {}): RopeTables {
  const fn = "ropeTables";
  checkNonNegInt(fn, "seqLen", seqLen);
  if (typeof headDim !== "number" || !Number.isSafeInteger(headDim) || headDim < 0 || headDim % 2 !== 0) throw fail(fn, `headDim must be a non-negative even integer, got ${describe(headDim)}`);
  const o = optionalOptions(fn, options, ["theta", "offset"]);
  const theta = o.theta ?? 10000;
  const offset = o.offset ?? 0;
  checkThetaOffset(fn, theta, offset);
  // Two host tables of seqLen * headDim float64 values: bounded as the CPU backend bounds a tensor.
  nx.checkAllocation(`kaun.${fn}`, [seqLen, headDim], "float64", "cpu");
  return tables(seqLen, headDim, theta, offset);
}

/**
 * `rope(x, { theta?, seqDim?, offset? })` applies rotary position embeddings to `x`.
 *
 * `x` may have any rank ≥ 2 and a float dtype: `headDim` is its last axis and
 * the sequence runs along `seqDim`. Element `j < headDim/2` at position `p`
 * becomes `x[j] cos(pω_j) - x[j + headDim/2] sin(pω_j)` and element
 * `j + headDim/2` becomes `x[j + headDim/2] cos(pω_j) + x[j] sin(pω_j)`, with
 * `ω_j = theta^(-2j / headDim)`. The output has `x`'s shape and dtype.
 *
 * `theta` defaults to 10000. `seqDim` defaults to -2 (the second-to-last
 * axis); negative values are interpreted relative to the rank. `offset`
 * defaults to 0 (positions start at 0).
 *
 * @throws InvalidArgumentError if `x` is not a live tensor, if `options` is
 * not an object, if `x` has rank < 2, if `seqDim` is out of
 * bounds, if `seqDim` designates the last axis, if `headDim` is odd, if `x` is
 * not a float tensor, if `theta` is not a positive finite number, or if
 * `offset` is not a non-negative integer.
 */
export function rope(x: Tensor, options: RopeOptions = {}): Tensor {
  const fn = "rope";
  checkTensor(fn, "x", x);
  const o = optionalOptions(fn, options, ["theta", "seqDim", "offset"]);
  const theta = o.theta ?? 10000;
  const seqDim = o.seqDim ?? -2;
  const offset = o.offset ?? 0;
  const rank = x.ndim;
  if (rank < 2) throw fail(fn, `x must have rank >= 2, got shape ${nx.fmtShape(x.shape)}`);
  if (typeof seqDim !== "number" || !Number.isInteger(seqDim) || seqDim < -rank || seqDim >= rank) {
    throw fail(fn, `seqDim ${describe(seqDim)} is out of bounds for rank ${rank}`);
  }
  const axis = seqDim < 0 ? seqDim + rank : seqDim;
  if (axis === rank - 1) throw fail(fn, `seqDim ${seqDim} designates the last axis, which holds headDim`);
  const headDim = x.shape[rank - 1] as number;
  if (headDim % 2 !== 0) throw fail(fn, `headDim (the last axis) must be even, got ${headDim}`);
  if (!nx.isFloat(x.dtype)) throw fail(fn, `x must be float32 or float64, got ${x.dtype}`);
  checkThetaOffset(fn, theta, offset);

  const seqLen = x.shape[axis] as number;
  const { cos: cosHost, sin: sinHost } = tables(seqLen, headDim, theta, offset);
  const tableShape = x.shape.map((d, i) => (i === axis ? seqLen : i === rank - 1 ? headDim : 1));
  return nx.tidy(() => {
    const cos = nx.tensor(cosHost, { dtype: x.dtype, shape: tableShape, backend: x.backend });
    const sin = nx.tensor(sinHost, { dtype: x.dtype, shape: tableShape, backend: x.backend });
    const [first, second] = nx.split(x, 2, { axis: -1 }) as [Tensor, Tensor];
    const rotated = nx.concatenate([nx.neg(second), first], { axis: -1 });
    return nx.add(nx.mul(x, cos), nx.mul(rotated, sin));
  });
}
