import { InvalidArgumentError, fmtValue } from "./errors.js";

/**
 * The element types of a tensor. `float32` is the default everywhere a dtype
 * is optional. `bool` is stored one byte per element (0 or 1).
 */
export type DType = "float32" | "float64" | "int32" | "uint8" | "bool";

/** Every dtype, in promotion order (lowest first). */
export const DTYPES: readonly DType[] = ["bool", "uint8", "int32", "float32", "float64"];

/** The floating-point dtypes. */
export type FloatDType = "float32" | "float64";

/** The typed array that stores each dtype on the host. */
export interface HostArrayFor {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

/** A flat host array of any dtype. */
export type HostArray = HostArrayFor[DType];

type HostArrayCtor = new (lengthOrData: number | ArrayLike<number>) => HostArray;

const CTORS: Record<DType, HostArrayCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

const ITEM_SIZE: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 };

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3, float64: 4 };

/** `isDType(v)` is true when `v` names one of the five dtypes. */
export function isDType(v: unknown): v is DType {
  return typeof v === "string" && Object.prototype.hasOwnProperty.call(CTORS, v);
}

/** `checkDType(fn, v)` returns `v` when it is a dtype. @throws InvalidArgumentError naming `fn` otherwise. */
export function checkDType(fn: string, v: unknown): DType {
  if (!isDType(v)) throw new InvalidArgumentError(fn, `unknown dtype ${fmtValue(v)}; expected one of ${DTYPES.join(", ")}`);
  return v;
}

/** `allocHost(dtype, n)` is a zero-filled host array of `n` elements of `dtype`. */
export function allocHost<D extends DType>(dtype: D, n: number): HostArrayFor[D] {
  return new CTORS[dtype](n) as HostArrayFor[D];
}

/** `hostFrom(dtype, values)` copies `values` into a new host array of `dtype`, converting with {@link castScalar}. */
export function hostFrom<D extends DType>(dtype: D, values: ArrayLike<number | boolean>): HostArrayFor[D] {
  const out = allocHost(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = castScalar(Number(values[i]), dtype);
  return out;
}

/** `itemSize(dtype)` is the number of bytes one element occupies. */
export function itemSize(dtype: DType): number {
  return ITEM_SIZE[dtype];
}

/** `isFloat(dtype)` is true for `float32` and `float64`. */
export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === "float32" || dtype === "float64";
}

/** `isInteger(dtype)` is true for `int32` and `uint8` (not `bool`). */
export function isInteger(dtype: DType): boolean {
  return dtype === "int32" || dtype === "uint8";
}

/**
 * `promoteTypes(a, b)` is the dtype two tensors are computed in: the higher of
 * the two in the lattice `bool < uint8 < int32 < float32 < float64`. Unlike
 * numpy (and like JAX and TensorFlow.js) `int32` with `float32` gives
 * `float32`, so integer data never silently doubles a model's precision.
 * @throws InvalidArgumentError when `a` or `b` is not a dtype.
 */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[checkDType("nx.promoteTypes", a)] >= RANK[checkDType("nx.promoteTypes", b)] ? a : b;
}

/**
 * `weakScalarType(dtype, value)` is the dtype of `tensor ∘ value` for a plain
 * JS number `value`: numbers are weakly typed (as Python scalars in JAX), so
 * they adopt the tensor's dtype, except that a non-integer (or non-finite)
 * value with an integer or bool tensor gives `float32`, and an integer value
 * with a bool tensor gives `int32`.
 */
export function weakScalarType(dtype: DType, value: number | boolean): DType {
  if (typeof value === "boolean") return dtype;
  if (isFloat(dtype)) return dtype;
  if (!Number.isInteger(value)) return "float32";
  if (dtype === "bool") return "int32";
  if (dtype === "uint8" && (value < 0 || value > 255)) return "int32";
  return dtype;
}

/**
 * `castScalar(v, dtype)` converts one number the way `cast` converts
 * elements: floats keep the value (rounded to float32 by storage), integers
 * truncate toward zero and wrap (`int32`: modulo 2^32, `uint8`: modulo 256),
 * NaN becomes 0 for integers, and `bool` is `v !== 0` (NaN is true, as in numpy).
 */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype) {
    case "float32":
    case "float64":
      return v;
    case "int32":
      return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case "uint8":
      return Number.isFinite(v) ? Math.trunc(v) & 255 : 0;
    case "bool":
      return v !== 0 ? 1 : 0;
  }
}
