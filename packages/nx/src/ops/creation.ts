import type { Backend, DataId } from "../backend.js";
import { checkFits } from "../capacity.js";
import type { DType, HostArray } from "../dtype.js";
import { castScalar, checkDType, hostFrom, itemSize } from "../dtype.js";
import { getBackend, resolveBackend, Storage } from "../engine.js";
import { InvalidArgumentError, fmtShape, fmtValue } from "../errors.js";
import { checkBool, checkFinite, checkInteger, checkOptions } from "../options.js";
import { MAX_RANK, checkShape, contiguousStrides, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkTensor } from "./operands.js";

/** Values `nx.tensor` accepts: a number or boolean, (nested) arrays of them, or a typed array. */
export type TensorData = number | boolean | readonly TensorData[] | Float32Array | Float64Array | Int32Array | Uint8Array;

/** Options every creation op takes. */
export interface CreationOptions {
  /** The dtype; each op documents its default. */
  readonly dtype?: DType;
  /** Where the tensor lives: a registered backend name or a backend instance; defaults to the current backend (`nx.getBackend()`). */
  readonly backend?: string | Backend;
}

/** Options of `nx.tensor`. */
export interface TensorOptions extends CreationOptions {
  /** The shape of flat data; inferred from nesting when omitted. */
  readonly shape?: readonly number[];
}

/**
 * Internal: wraps a fresh buffer made by `make` on `backend` (the current
 * backend by default), after checking that the backend holds `dtype` and the
 * size (see `checkFits`).
 */
export function fromBuffer(fn: string, dtype: DType, shape: readonly number[], make: (backend: Backend) => DataId, backend: Backend = getBackend()): Tensor {
  checkFits(fn, backend, shape, dtype);
  const storage = new Storage(backend, make(backend), sizeOf(shape) * itemSize(dtype));
  return new Tensor(storage, dtype, shape, contiguousStrides(shape), 0);
}

/** Internal: uploads a host array (already of `dtype`'s typed-array class) as a tensor of `shape` on `backend` (the current one by default). */
export function fromHost(fn: string, host: HostArray, dtype: DType, shape: readonly number[], backend: Backend = getBackend()): Tensor {
  return fromBuffer(fn, dtype, shape, (b) => b.upload(host, dtype), backend);
}

/** Internal: a rank-0 tensor of `value` (already converted) on `backend`. */
export function constantOn(backend: Backend, value: number, dtype: DType): Tensor {
  return fromBuffer("nx", dtype, [], (b) => b.fill(1, value, dtype), backend);
}

/** Internal: the int32 vector `0, 1, ..., n-1` on `backend`. */
export function iotaOn(backend: Backend, n: number): Tensor {
  return fromBuffer("nx", "int32", [n], (b) => b.iota(n, 0, 1, "int32"), backend);
}

/** The creation options `dtypeOrOptions` stands for: a dtype alone, or options with `keys`. */
function creationOptions<T extends CreationOptions>(fn: string, dtypeOrOptions: DType | T | undefined, keys: readonly (keyof T & string)[]): T {
  if (typeof dtypeOrOptions === "string") return { dtype: checkDType(fn, dtypeOrOptions) } as T;
  return checkOptions(fn, dtypeOrOptions, keys);
}

/** The backend a `backend` option names (the current one when undefined). */
function targetBackend(fn: string, backend: unknown): Backend {
  return backend === undefined ? getBackend() : resolveBackend(fn, backend);
}

function typedDType(data: unknown): DType | undefined {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "uint8";
  return undefined;
}

/** The shape nested arrays imply (the lengths along the first elements), at most {@link MAX_RANK} deep. */
function nestedShape(fn: string, data: unknown): number[] {
  const shape: number[] = [];
  for (let v = data; Array.isArray(v); v = (v as readonly unknown[])[0]) {
    if (shape.length === MAX_RANK) throw new InvalidArgumentError(fn, `data is nested more than ${MAX_RANK} levels deep; tensors have at most ${MAX_RANK} axes`);
    shape.push(v.length);
    if (v.length === 0) break;
  }
  return shape;
}

/** The values of rectangular nested arrays of `shape`, in C order. @throws InvalidArgumentError naming `fn` for ragged nesting or a value that is not a number or boolean. */
function flattenNested(fn: string, data: unknown, shape: readonly number[]): { values: (number | boolean)[]; allBool: boolean } {
  const values: (number | boolean)[] = [];
  let allBool = true;
  // `shape` has at most MAX_RANK axes, so the recursion is at most that deep.
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth < shape.length) {
      const n = shape[depth] as number;
      if (!Array.isArray(v) || v.length !== n) throw new InvalidArgumentError(fn, `ragged nested array: ${path} should be an array of length ${n}, got ${fmtValue(v)}`);
      for (let i = 0; i < n; i++) walk((v as readonly unknown[])[i], depth + 1, `${path}[${i}]`);
    } else if (typeof v === "boolean") values.push(v);
    else if (typeof v === "number") {
      allBool = false;
      values.push(v);
    } else throw new InvalidArgumentError(fn, `ragged nested array or non-numeric value at ${path}: ${fmtValue(v)}`);
  };
  walk(data, 0, "data");
  return { values, allBool };
}

/**
 * `tensor(data, { dtype?, shape?, backend? })` is a new tensor holding a copy
 * of `data`: a number or boolean (rank 0), nested arrays (rectangular; the
 * nesting gives the shape, at most 64 levels deep) or a flat typed array.
 * `dtype` defaults to the typed array's dtype, to `bool` when every value is a
 * boolean, and to `float32` otherwise. `shape` defaults to the nesting (flat
 * data becomes 1-D); when given, the data's size must match it. `backend`
 * defaults to the current backend.
 * @throws InvalidArgumentError for ragged nesting, nesting deeper than 64
 * levels, a non-numeric value, an unknown dtype, a `shape` whose size differs
 * from the data's, an unknown backend or option, or a dtype or size the
 * backend cannot hold.
 */
export function tensor(data: TensorData, options?: TensorOptions): Tensor {
  const fn = "nx.tensor";
  const o = checkOptions(fn, options, ["dtype", "shape", "backend"]);
  if (o.dtype !== undefined) checkDType(fn, o.dtype);
  const given = o.shape === undefined ? undefined : checkShape(fn, o.shape);
  const backend = targetBackend(fn, o.backend);
  const typed = typedDType(data);
  let values: ArrayLike<number | boolean>;
  let dtype: DType;
  let shape: number[];
  if (typed) {
    values = data as HostArray;
    dtype = o.dtype ?? typed;
    shape = given ?? [values.length];
  } else {
    const nested = nestedShape(fn, data);
    const flat = flattenNested(fn, data, nested);
    values = flat.values;
    dtype = o.dtype ?? (flat.allBool && flat.values.length > 0 ? "bool" : "float32");
    shape = given ?? nested;
  }
  if (sizeOf(shape) !== values.length) throw new InvalidArgumentError(fn, `data has ${values.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
  checkFits(fn, backend, shape, dtype);
  return fromHost(fn, hostFrom(dtype, values), dtype, shape, backend);
}

/**
 * `scalar(value, dtype?)` / `scalar(value, { dtype?, backend? })` is a rank-0
 * tensor; `dtype` defaults to `bool` for a boolean and `float32` for a number;
 * `backend` to the current backend.
 * @throws InvalidArgumentError for an unknown dtype, backend or option, a value that is not a number or boolean, or a dtype the backend does not store.
 */
export function scalar(value: number | boolean, dtypeOrOptions?: DType | CreationOptions): Tensor {
  const fn = "nx.scalar";
  return fullNamed(fn, [], value, creationOptions(fn, dtypeOrOptions, ["dtype", "backend"]));
}

/**
 * `full(shape, value, dtype?)` / `full(shape, value, { dtype?, backend? })` is
 * a tensor of `shape` filled with `value` (converted as `cast` converts).
 * `dtype` defaults to `bool` for a boolean value and `float32` otherwise;
 * `backend` to the current backend.
 * @throws InvalidArgumentError for a bad shape, dtype, value, backend or option, or a dtype or size the backend cannot hold.
 */
export function full(shape: readonly number[], value: number | boolean, dtypeOrOptions?: DType | CreationOptions): Tensor {
  const fn = "nx.full";
  return fullNamed(fn, shape, value, creationOptions(fn, dtypeOrOptions, ["dtype", "backend"]));
}

/** {@link full}, reporting errors under the name `fn`. */
function fullNamed(fn: string, shape: readonly number[], value: number | boolean, options: CreationOptions, like?: Tensor): Tensor {
  const s = checkShape(fn, shape);
  if (typeof value !== "number" && typeof value !== "boolean") throw new InvalidArgumentError(fn, `value must be a number or boolean, got ${fmtValue(value)}`);
  const d = options.dtype === undefined ? (like?.dtype ?? (typeof value === "boolean" ? "bool" : "float32")) : checkDType(fn, options.dtype);
  const backend = like?.backend ?? targetBackend(fn, options.backend);
  return fromBuffer(fn, d, s, (b) => b.fill(sizeOf(s), castScalar(Number(value), d), d), backend);
}

/**
 * `zeros(shape, dtype?)` / `zeros(shape, { dtype?, backend? })` is `full(shape, 0, ...)`; `dtype` defaults to `float32`.
 * @throws InvalidArgumentError as {@link full}.
 */
export function zeros(shape: readonly number[], dtypeOrOptions?: DType | CreationOptions): Tensor {
  const fn = "nx.zeros";
  return fullNamed(fn, shape, 0, creationOptions(fn, dtypeOrOptions, ["dtype", "backend"]));
}

/**
 * `ones(shape, dtype?)` / `ones(shape, { dtype?, backend? })` is `full(shape, 1, ...)`; `dtype` defaults to `float32`.
 * @throws InvalidArgumentError as {@link full}.
 */
export function ones(shape: readonly number[], dtypeOrOptions?: DType | CreationOptions): Tensor {
  const fn = "nx.ones";
  return fullNamed(fn, shape, 1, creationOptions(fn, dtypeOrOptions, ["dtype", "backend"]));
}

function likeNamed(fn: string, x: Tensor, value: number | boolean, dtype: DType | undefined): Tensor {
  checkTensor(fn, x);
  return fullNamed(fn, x.shape, value, { dtype }, x);
}

/**
 * `fullLike(x, value, dtype?)` is `full(x.shape, value, dtype)` on `x`'s
 * backend; `dtype` defaults to `x.dtype`.
 * @throws InvalidArgumentError when `x` is not a live tensor, or for a bad value or dtype, or one `x`'s backend does not store.
 */
export function fullLike(x: Tensor, value: number | boolean, dtype?: DType): Tensor {
  return likeNamed("nx.fullLike", x, value, dtype);
}

/** `zerosLike(x, dtype?)` is `fullLike(x, 0, dtype)`: zeros of `x`'s shape on `x`'s backend; `dtype` defaults to `x.dtype`. @throws InvalidArgumentError as {@link fullLike}. */
export function zerosLike(x: Tensor, dtype?: DType): Tensor {
  return likeNamed("nx.zerosLike", x, 0, dtype);
}

/** `onesLike(x, dtype?)` is `fullLike(x, 1, dtype)`: ones of `x`'s shape on `x`'s backend; `dtype` defaults to `x.dtype`. @throws InvalidArgumentError as {@link fullLike}. */
export function onesLike(x: Tensor, dtype?: DType): Tensor {
  return likeNamed("nx.onesLike", x, 1, dtype);
}

/** Options of `nx.arange`. */
export type ArangeOptions = CreationOptions;

/**
 * `arange(stop)` / `arange(start, stop, step?, { dtype?, backend? })` is the
 * 1-D tensor `start, start + step, ...` of every value strictly before `stop`
 * (numpy's `arange`). `start` defaults to 0 and `step` to 1; `dtype` to
 * `int32` when start, stop and step are all integers and `float32`
 * otherwise; `backend` to the current backend.
 * @throws InvalidArgumentError when `step` is 0, an argument is not a finite
 * number, for a bad dtype, backend or option, or a dtype or length the backend cannot hold.
 */
export function arange(startOrStop: number, stop?: number, step = 1, options?: ArangeOptions): Tensor {
  const fn = "nx.arange";
  const o = checkOptions(fn, options, ["dtype", "backend"]);
  const start = stop === undefined ? 0 : checkFinite(fn, "start", startOrStop);
  const end = checkFinite(fn, "stop", stop === undefined ? startOrStop : stop);
  checkFinite(fn, "step", step);
  if (step === 0) throw new InvalidArgumentError(fn, "step must not be 0");
  const dtype = o.dtype !== undefined ? checkDType(fn, o.dtype) : [start, end, step].every(Number.isInteger) ? "int32" : "float32";
  const n = Math.max(0, Math.ceil((end - start) / step));
  return fromBuffer(fn, dtype, [n], (b) => b.iota(n, start, step, dtype), targetBackend(fn, o.backend));
}

/** Options of `nx.linspace`. */
export interface LinspaceOptions extends CreationOptions {
  /** Whether `stop` is the last sample; defaults to true. */
  readonly endpoint?: boolean;
}

/**
 * `linspace(start, stop, num, { dtype?, endpoint?, backend? })` is `num`
 * evenly spaced samples from `start` to `stop` (numpy's `linspace`). `dtype`
 * defaults to `float32`, `backend` to the current backend.
 * @throws InvalidArgumentError when `num` is not a non-negative integer or an
 * end is not finite, for a bad dtype, backend or option, or a dtype or length the backend cannot hold.
 */
export function linspace(start: number, stop: number, num: number, options?: LinspaceOptions): Tensor {
  const fn = "nx.linspace";
  const o = checkOptions(fn, options, ["dtype", "endpoint", "backend"]);
  checkInteger(fn, "num", num, 0);
  checkFinite(fn, "start", start);
  checkFinite(fn, "stop", stop);
  const dtype = o.dtype !== undefined ? checkDType(fn, o.dtype) : "float32";
  const endpoint = checkBool(fn, "endpoint", o.endpoint, true);
  const backend = targetBackend(fn, o.backend);
  checkFits(fn, backend, [num], dtype);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const host = new Float64Array(num);
  for (let i = 0; i < num; i++) host[i] = start + i * step;
  if (endpoint && num > 1) host[num - 1] = stop;
  return fromHost(fn, hostFrom(dtype, host), dtype, [num], backend);
}

/** Options of `nx.eye`. */
export interface EyeOptions extends CreationOptions {
  /** The diagonal: 0 is the main one, positive above, negative below; defaults to 0. */
  readonly k?: number;
}

/**
 * `eye(n, m?, { k?, dtype?, backend? })` is the `[n, m]` matrix with ones on
 * diagonal `k` and zeros elsewhere; `m` defaults to `n`, `dtype` to
 * `float32`, `backend` to the current backend.
 * @throws InvalidArgumentError when `n`, `m` are not non-negative integers or
 * `k` is not an integer, for a bad dtype, backend or option, or a dtype or size the backend cannot hold.
 */
export function eye(n: number, m: number = n, options?: EyeOptions): Tensor {
  const fn = "nx.eye";
  const o = checkOptions(fn, options, ["k", "dtype", "backend"]);
  checkInteger(fn, "n", n, 0);
  checkInteger(fn, "m", m, 0);
  const k = o.k === undefined ? 0 : checkInteger(fn, "k", o.k);
  const dtype = o.dtype !== undefined ? checkDType(fn, o.dtype) : "float32";
  const backend = targetBackend(fn, o.backend);
  checkFits(fn, backend, [n, m], dtype);
  const host = hostFrom(dtype, new Uint8Array(n * m));
  for (let i = 0; i < n; i++) {
    const j = i + k;
    if (j >= 0 && j < m) host[i * m + j] = 1;
  }
  return fromHost(fn, host, dtype, [n, m], backend);
}
