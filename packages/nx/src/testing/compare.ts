/**
 * Value comparison for the conformance suite: dtype and shape must match
 * exactly, integers and bools bit for bit, floats within a tolerance, and
 * NaN and infinities must sit at the same positions.
 */
import type { DType, FloatDType, HostArray } from "../dtype.js";
import { fmtShape } from "../errors.js";
import { shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { HostVec } from "./types.js";

/** A float tolerance: `|actual - expected| <= atol * scale + rtol * |expected|`. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Tolerances per float dtype (integers and bools always compare exactly). */
export type Tolerances = Readonly<Partial<Record<FloatDType, Tolerance>>>;

/** The default tolerances: float32 `atol 1e-6, rtol 1e-5`; float64 `atol 1e-12, rtol 1e-10`. */
export const DEFAULT_TOLERANCES: Readonly<Record<FloatDType, Tolerance>> = {
  float32: { atol: 1e-6, rtol: 1e-5 },
  float64: { atol: 1e-12, rtol: 1e-10 },
};

const HOST_CLASS: Record<DType, new (n: number) => HostArray> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

const MAX_REPORTED = 8;

function fmtValue(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

/**
 * `compareHost(dtype, shape, data, expected, tol, scale)` is `undefined` when
 * the host array `data` of `dtype` and `shape` matches `expected`, else a
 * description of the first mismatches (index, actual, expected). For float
 * dtypes the expected values are first rounded to the dtype; `-0` equals `0`.
 */
export function compareHost(
  dtype: DType,
  shape: readonly number[],
  data: HostArray,
  expected: HostVec,
  tol: Tolerance,
  scale = 1,
): string | undefined {
  if (dtype !== expected.dtype) return `dtype ${dtype}, expected ${expected.dtype}`;
  if (!shapesEqual(shape, expected.shape)) {
    return `shape ${fmtShape(shape)}, expected ${fmtShape(expected.shape)}`;
  }
  if (!(data instanceof HOST_CLASS[dtype])) return `host array is a ${data.constructor.name}, expected a ${HOST_CLASS[dtype].name} for ${dtype}`;
  if (data.length !== expected.data.length) return `${data.length} elements, expected ${expected.data.length}`;
  const isFloat = dtype === "float32" || dtype === "float64";
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    const a = data[i] as number;
    let e = expected.data[i] as number;
    if (dtype === "float32") e = Math.fround(e);
    let ok: boolean;
    if (!isFloat) ok = a === e;
    else if (Number.isNaN(e) || Number.isNaN(a)) ok = Number.isNaN(e) && Number.isNaN(a);
    else if (!Number.isFinite(e) || !Number.isFinite(a)) ok = a === e;
    else ok = Math.abs(a - e) <= tol.atol * scale + tol.rtol * Math.abs(e);
    if (!ok) {
      count++;
      if (bad.length < MAX_REPORTED) bad.push(`[${i}] ${fmtValue(a)} != ${fmtValue(e)}`);
    }
  }
  if (count === 0) return undefined;
  const tolText = isFloat ? ` (atol ${tol.atol} * scale ${scale}, rtol ${tol.rtol})` : "";
  return `${count} of ${data.length} elements differ${tolText}: ${bad.join(", ")}${count > bad.length ? ", ..." : ""}`;
}

/**
 * `tensorMismatch(t, expected, tolerances, scale)` reads `t` back and is
 * `undefined` when it matches `expected` (see {@link compareHost}), else a
 * description of the difference.
 */
export function tensorMismatch(t: Tensor, expected: HostVec, tolerances: Readonly<Record<FloatDType, Tolerance>>, scale = 1): string | undefined {
  const tol = t.dtype === "float64" ? tolerances.float64 : tolerances.float32;
  return compareHost(t.dtype, t.shape, t.dataSync(), expected, tol, scale);
}
