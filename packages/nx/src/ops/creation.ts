import type { Backend, DataId } from "../backend.js";
import type { DType, HostArray } from "../dtype.js";
import { castScalar, checkDType, hostFrom, itemSize } from "../dtype.js";
import { getBackend, Storage } from "../engine.js";
import { InvalidArgumentError, fmtShape } from "../errors.js";
import { checkShape, contiguousStrides, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";

/** Values `nx.tensor` accepts: a number or boolean, (nested) arrays of them, or a typed array. */
export type TensorData = number | boolean | readonly TensorData[] | Float32Array | Float64Array | Int32Array | Uint8Array;

/** Options of `nx.tensor`. */
export interface TensorOptions {
  /** The dtype; inferred when omitted (see {@link tensor}). */
  readonly dtype?: DType;
  /** The shape of flat data; inferred from nesting when omitted. */
  readonly shape?: readonly number[];
}

/** Internal: wraps a fresh buffer made by `make` on `backend` (the current backend by default). */
export function fromBuffer(dtype: DType, shape: readonly number[], make: (backend: Backend) => DataId, backend: Backend = getBackend()): Tensor {
  const storage = new Storage(backend, make(backend), sizeOf(shape) * itemSize(dtype));
  return new Tensor(storage, dtype, shape, contiguousStrides(shape), 0);
}

/** Internal: uploads a host array (already of `dtype`'s typed-array class) as a tensor of `shape` on `backend` (the current one by default). */
export function fromHost(host: HostArray, dtype: DType, shape: readonly number[], backend: Backend = getBackend()): Tensor {
  return fromBuffer(dtype, shape, (b) => b.upload(host, dtype), backend);
}

/** Internal: a rank-0 tensor of `value` (already converted) on `backend`. */
export function constantOn(backend: Backend, value: number, dtype: DType): Tensor {
  return fromBuffer(dtype, [], (b) => b.fill(1, value, dtype), backend);
}

/** Internal: the int32 vector `0, 1, ..., n-1` on `backend`. */
export function iotaOn(backend: Backend, n: number): Tensor {
  return fromBuffer("int32", [n], (b) => b.iota(n, 0, 1, "int32"), backend);
}

function typedDType(data: unknown): DType | undefined {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "uint8";
  return undefined;
}

/**
 * `tensor(data, { dtype, shape })` is a new tensor on the current backend
 * holding a copy of `data`: a number or boolean (rank 0), nested arrays
 * (rectangular; the nesting gives the shape) or a flat typed array.
 * `dtype` defaults to the typed array's dtype, to `bool` when every value is a
 * boolean, and to `float32` otherwise. `shape` defaults to the nesting (flat
 * data becomes 1-D); when given, the data's size must match it.
 * @throws InvalidArgumentError for ragged nesting, a non-numeric value, an
 * unknown dtype, or a `shape` whose size differs from the data's.
 */
export function tensor(data: TensorData, options: TensorOptions = {}): Tensor {
  const fn = "nx.tensor";
  if (options.dtype !== undefined) checkDType(fn, options.dtype);
  const flat: (number | boolean)[] = [];
  let inferredShape: number[];
  const typed = typedDType(data);
  let dtype: DType;
  if (typed) {
    const arr = data as HostArray;
    inferredShape = [arr.length];
    dtype = options.dtype ?? typed;
    const shape = options.shape ? checkShape(fn, options.shape) : inferredShape;
    if (sizeOf(shape) !== arr.length) throw new InvalidArgumentError(fn, `data has ${arr.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
    return fromHost(hostFrom(dtype, arr), dtype, shape);
  }
  inferredShape = [];
  for (let v: TensorData = data; Array.isArray(v); v = (v as readonly TensorData[])[0] as TensorData) {
    inferredShape.push(v.length);
    if (v.length === 0) break;
  }
  let allBool = true;
  const walk = (v: TensorData, depth: number, path: string): void => {
    if (depth < inferredShape.length) {
      if (!Array.isArray(v) || v.length !== inferredShape[depth]) {
        throw new InvalidArgumentError(fn, `ragged nested array: ${path} should be an array of length ${inferredShape[depth]}`);
      }
      v.forEach((e, i) => walk(e as TensorData, depth + 1, `${path}[${i}]`));
    } else if (typeof v === "boolean") flat.push(v);
    else if (typeof v === "number") {
      allBool = false;
      flat.push(v);
    } else throw new InvalidArgumentError(fn, `ragged nested array or non-numeric value at ${path}: ${Array.isArray(v) ? "an array" : typeof v}`);
  };
  walk(data, 0, "data");
  dtype = options.dtype ?? (allBool && flat.length > 0 ? "bool" : "float32");
  const shape = options.shape ? checkShape(fn, options.shape) : inferredShape;
  if (sizeOf(shape) !== flat.length) throw new InvalidArgumentError(fn, `data has ${flat.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
  return fromHost(hostFrom(dtype, flat), dtype, shape);
}

/** `scalar(value, dtype?)` is a rank-0 tensor; `dtype` defaults to `bool` for a boolean and `float32` for a number. @throws InvalidArgumentError for an unknown dtype or a value that is not a number or boolean. */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  const fn = "nx.scalar";
  if (dtype !== undefined) checkDType(fn, dtype);
  if (typeof value !== "number" && typeof value !== "boolean") throw new InvalidArgumentError(fn, `value must be a number or boolean, got ${typeof value}`);
  return tensor(value, dtype === undefined ? {} : { dtype });
}

/**
 * `full(shape, value, dtype?)` is a tensor of `shape` filled with `value`
 * (converted as `cast` converts). `dtype` defaults to `bool` for a boolean
 * value and `float32` otherwise.
 * @throws InvalidArgumentError for a bad shape or dtype.
 */
export function full(shape: readonly number[], value: number | boolean, dtype?: DType): Tensor {
  return fullNamed("nx.full", shape, value, dtype);
}

/** {@link full}, reporting errors under the name `fn`. */
function fullNamed(fn: string, shape: readonly number[], value: number | boolean, dtype?: DType): Tensor {
  const s = checkShape(fn, shape);
  const d = dtype === undefined ? (typeof value === "boolean" ? "bool" : "float32") : checkDType(fn, dtype);
  if (typeof value !== "number" && typeof value !== "boolean") throw new InvalidArgumentError(fn, `value must be a number or boolean, got ${typeof value}`);
  return fromBuffer(d, s, (b) => b.fill(sizeOf(s), castScalar(Number(value), d), d));
}

/** `zeros(shape, dtype?)` is `full(shape, 0, dtype)`; `dtype` defaults to `float32`. @throws InvalidArgumentError for a bad shape or dtype. */
export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return fullNamed("nx.zeros", shape, 0, dtype);
}

/** `ones(shape, dtype?)` is `full(shape, 1, dtype)`; `dtype` defaults to `float32`. @throws InvalidArgumentError for a bad shape or dtype. */
export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return fullNamed("nx.ones", shape, 1, dtype);
}

function likeNamed(fn: string, x: Tensor, value: number | boolean, dtype: DType | undefined): Tensor {
  if (!(x instanceof Tensor)) throw new InvalidArgumentError(fn, `x must be a Tensor, got ${x === null ? "null" : typeof x}`);
  x.assertLive(fn);
  return fullNamed(fn, x.shape, value, dtype ?? x.dtype);
}

/** `fullLike(x, value, dtype?)` is `full(x.shape, value, dtype)`; `dtype` defaults to `x.dtype`. @throws InvalidArgumentError when `x` is not a live tensor, or for a bad value or dtype. */
export function fullLike(x: Tensor, value: number | boolean, dtype?: DType): Tensor {
  return likeNamed("nx.fullLike", x, value, dtype);
}

/** `zerosLike(x, dtype?)` is `fullLike(x, 0, dtype)`; `dtype` defaults to `x.dtype`. @throws InvalidArgumentError when `x` is not a live tensor, or for a bad dtype. */
export function zerosLike(x: Tensor, dtype?: DType): Tensor {
  return likeNamed("nx.zerosLike", x, 0, dtype);
}

/** `onesLike(x, dtype?)` is `fullLike(x, 1, dtype)`; `dtype` defaults to `x.dtype`. @throws InvalidArgumentError when `x` is not a live tensor, or for a bad dtype. */
export function onesLike(x: Tensor, dtype?: DType): Tensor {
  return likeNamed("nx.onesLike", x, 1, dtype);
}

/** Options of `nx.arange`. */
export interface ArangeOptions {
  /** The dtype; defaults to `int32` when start, stop and step are all integers and `float32` otherwise. */
  readonly dtype?: DType;
}

/**
 * `arange(stop)` / `arange(start, stop, step?)` is the 1-D tensor
 * `start, start + step, ...` of every value strictly before `stop` (numpy's
 * `arange`). `start` defaults to 0 and `step` to 1.
 * @throws InvalidArgumentError when `step` is 0 or an argument is not finite.
 */
export function arange(startOrStop: number, stop?: number, step = 1, options: ArangeOptions = {}): Tensor {
  const fn = "nx.arange";
  const start = stop === undefined ? 0 : startOrStop;
  const end = stop === undefined ? startOrStop : stop;
  for (const [name, v] of [["start", start], ["stop", end], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new InvalidArgumentError(fn, `${name} must be a finite number, got ${String(v)}`);
  }
  if (step === 0) throw new InvalidArgumentError(fn, "step must not be 0");
  const dtype = options.dtype !== undefined ? checkDType(fn, options.dtype) : [start, end, step].every(Number.isInteger) ? "int32" : "float32";
  const n = Math.max(0, Math.ceil((end - start) / step));
  return fromBuffer(dtype, [n], (b) => b.iota(n, start, step, dtype));
}

/** Options of `nx.linspace`. */
export interface LinspaceOptions {
  /** The dtype; defaults to `float32`. */
  readonly dtype?: DType;
  /** Whether `stop` is the last sample; defaults to true. */
  readonly endpoint?: boolean;
}

/**
 * `linspace(start, stop, num, options?)` is `num` evenly spaced samples from
 * `start` to `stop` (numpy's `linspace`).
 * @throws InvalidArgumentError when `num` is not a non-negative integer or an end is not finite.
 */
export function linspace(start: number, stop: number, num: number, options: LinspaceOptions = {}): Tensor {
  const fn = "nx.linspace";
  if (!Number.isInteger(num) || num < 0) throw new InvalidArgumentError(fn, `num must be a non-negative integer, got ${num}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop)) throw new InvalidArgumentError(fn, `start and stop must be finite, got ${start} and ${stop}`);
  const dtype = options.dtype !== undefined ? checkDType(fn, options.dtype) : "float32";
  const endpoint = options.endpoint ?? true;
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const host = new Float64Array(num);
  for (let i = 0; i < num; i++) host[i] = start + i * step;
  if (endpoint && num > 1) host[num - 1] = stop;
  return fromHost(hostFrom(dtype, host), dtype, [num]);
}

/** Options of `nx.eye`. */
export interface EyeOptions {
  /** The diagonal: 0 is the main one, positive above, negative below; defaults to 0. */
  readonly k?: number;
  /** The dtype; defaults to `float32`. */
  readonly dtype?: DType;
}

/**
 * `eye(n, m?, options?)` is the `[n, m]` matrix with ones on diagonal `k` and
 * zeros elsewhere; `m` defaults to `n`.
 * @throws InvalidArgumentError when `n`, `m` are not non-negative integers or `k` is not an integer.
 */
export function eye(n: number, m: number = n, options: EyeOptions = {}): Tensor {
  const fn = "nx.eye";
  const shape = checkShape(fn, [n, m]);
  const k = options.k ?? 0;
  if (!Number.isInteger(k)) throw new InvalidArgumentError(fn, `k must be an integer, got ${k}`);
  const dtype = options.dtype !== undefined ? checkDType(fn, options.dtype) : "float32";
  const host = hostFrom(dtype, new Uint8Array(n * m));
  for (let i = 0; i < n; i++) {
    const j = i + k;
    if (j >= 0 && j < m) host[i * m + j] = 1;
  }
  return fromHost(host, dtype, shape);
}
