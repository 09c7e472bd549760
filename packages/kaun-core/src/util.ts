/**
 * Internal argument checks shared by every module. Each throws nx's
 * `InvalidArgumentError` with a `"kaun.<fn>: ..."` message naming the
 * offending value.
 */
import type { DType, FloatDType, Tensor } from "@raven-ts/nx";
import { InvalidArgumentError, isFloat, isTensor } from "@raven-ts/nx";

/** `fail(fn, detail)` is the error every check throws: message `"kaun.<fn>: <detail>"`. */
export function fail(fn: string, detail: string): InvalidArgumentError {
  return new InvalidArgumentError(`kaun.${fn}`, detail);
}

/** `describe(v)` is a short description of any value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (isTensor(v)) return `a ${v.dtype} tensor ${shapeStr(v.shape)}`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "function") return "a function";
  return typeof v === "object" ? ((v as { constructor?: { name?: string } }).constructor?.name ?? "an object") : typeof v;
}

/** `shapeStr(shape)` is `[2,3]`, the notation nx's messages use. */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** `checkPositiveInt(fn, name, v)` returns `v` when it is an integer ≥ 1. */
export function checkPositiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw fail(fn, `${name} must be a positive integer, got ${describe(v)}`);
  return v;
}

/** `checkNonNegInt(fn, name, v)` returns `v` when it is an integer ≥ 0. */
export function checkNonNegInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw fail(fn, `${name} must be a non-negative integer, got ${describe(v)}`);
  return v;
}

/** `checkFinite(fn, name, v)` returns `v` when it is a finite number. */
export function checkFinite(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw fail(fn, `${name} must be a finite number, got ${describe(v)}`);
  return v;
}

/** `checkNonNegative(fn, name, v)` returns `v` when it is a finite number ≥ 0. */
export function checkNonNegative(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw fail(fn, `${name} must be a finite non-negative number, got ${describe(v)}`);
  return v;
}

/** `checkRate(fn, name, v)` returns `v` when it is a number in `[0, 1)`. */
export function checkRate(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !(v >= 0 && v < 1)) throw fail(fn, `${name} must be a number in [0, 1), got ${describe(v)}`);
  return v;
}

/** `checkBool(fn, name, v)` returns `v` when it is a boolean. */
export function checkBool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw fail(fn, `${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/** `checkFloatDType(fn, v)` returns `v` when it is `"float32"` or `"float64"`. */
export function checkFloatDType(fn: string, v: unknown): FloatDType {
  if (v !== "float32" && v !== "float64") throw fail(fn, `dtype must be "float32" or "float64", got ${describe(v)}`);
  return v;
}

/** `checkTensor(fn, name, v)` returns `v` when it is a live tensor. */
export function checkTensor(fn: string, name: string, v: unknown): Tensor {
  if (!isTensor(v)) throw fail(fn, `${name} must be a Tensor, got ${describe(v)}`);
  if (v.isDisposed) throw fail(fn, `${name} (${v.dtype} ${shapeStr(v.shape)}) was disposed`);
  return v;
}

/** `checkFloatTensor(fn, name, v)` returns `v` when it is a live float32 or float64 tensor. */
export function checkFloatTensor(fn: string, name: string, v: unknown): Tensor {
  const t = checkTensor(fn, name, v);
  if (!isFloat(t.dtype)) throw fail(fn, `${name} must be a float32 or float64 tensor, got ${t.dtype} ${shapeStr(t.shape)}`);
  return t;
}

/** `checkModelInput(fn, x, dtype)` returns `x` when it is a live tensor of exactly the model's float `dtype`. */
export function checkModelInput(fn: string, x: unknown, dtype: DType): Tensor {
  const t = checkTensor(fn, "input", x);
  if (t.dtype !== dtype) {
    throw fail(fn, `input dtype ${t.dtype} ${shapeStr(t.shape)} differs from the model dtype ${dtype}; cast the input with nx.cast(x, "${dtype}") or initialise the model with { dtype: "${t.dtype}" }`);
  }
  return t;
}

/** `checkFunction(fn, name, v)` returns `v` when it is a function. */
export function checkFunction<F>(fn: string, name: string, v: F): F {
  if (typeof v !== "function") throw fail(fn, `${name} must be a function, got ${describe(v)}`);
  return v;
}
