/**
 * The argument checks shared by every kaun module (and, through
 * `@raven-ts/kaun-core/internal`, by the packages built on kaun-core). Each
 * throws nx's `InvalidArgumentError` with a `"kaun.<fn>: ..."` message naming
 * the offending value; every value a message quotes is described in bounded
 * length, from its `typeof` and never from properties it could choose (such
 * as a forged `constructor.name`).
 */
import type { DType, FloatDType, Tensor } from "@raven-ts/nx";
import { InvalidArgumentError, checkSameBackend, fmtShape, isFloat, isTensor } from "@raven-ts/nx";

/** The most characters of a string that a message quotes. */
const QUOTE_CHARS = 64;

/** `fail(fn, detail)` is the error every check throws: message `"kaun.<fn>: <detail>"`. */
export function fail(fn: string, detail: string): InvalidArgumentError {
  return new InvalidArgumentError(`kaun.${fn}`, detail);
}

/**
 * `quote(s)` is `s` as a JSON string literal, cut to its first 64 characters
 * (with the full length stated) when longer, so a message quoting user input
 * stays short.
 */
export function quote(s: string): string {
  return s.length <= QUOTE_CHARS ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, QUOTE_CHARS))}… (${s.length} characters)`;
}

/** `className(v)` is the name of the class of object `v` when its prototype's own `constructor` is a function with an identifier name, else undefined. */
function className(v: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === null || proto === Object.prototype || typeof proto !== "object") return undefined;
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
  if (typeof ctor !== "function") return undefined;
  const name: unknown = Object.getOwnPropertyDescriptor(ctor, "name")?.value;
  return typeof name === "string" && /^[A-Za-z_$][\w$]{0,39}$/.test(name) ? name : undefined;
}

/**
 * `describe(v)` is a short description of any value for error messages:
 * numbers and booleans as written, strings quoted (bounded), tensors by
 * dtype and shape, arrays by length, objects as "an object" (or "a Foo" for
 * an instance of class `Foo`).
 */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (isTensor(v)) return `a ${v.dtype} tensor ${fmtShape(v.shape)}`;
  switch (typeof v) {
    case "number":
    case "boolean":
      return String(v);
    case "bigint":
      return `a bigint`;
    case "string":
      return quote(v);
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    default: {
      if (Array.isArray(v)) return `an array of length ${v.length}`;
      const name = className(v as object);
      return name === undefined ? "an object" : `a ${name}`;
    }
  }
}

/** `isRecord(v)` is true for a non-null object that is not an array (and not a tensor). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isTensor(v);
}

/**
 * `checkOptions(fn, v, what)` returns `v` when it is an options object.
 * @throws InvalidArgumentError `"options <what> are required"` otherwise (`what` lists the required fields, e.g. `"{ lr }"`).
 */
export function checkOptions<T>(fn: string, v: T, what: string): T {
  if (!isRecord(v)) throw fail(fn, `options ${what} are required, got ${describe(v)}`);
  return v;
}

/**
 * `optionalOptions(fn, v)` is `v`, or `{}` when `v` is undefined: the
 * options argument of a function whose options all have defaults.
 * @throws InvalidArgumentError when `v` is given and is not an object (`null` included).
 */
export function optionalOptions<T extends object>(fn: string, v: T | undefined): Partial<T> {
  if (v === undefined) return {};
  if (!isRecord(v)) throw fail(fn, `options must be an object, got ${describe(v)}`);
  return v;
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

/** `checkPositive(fn, name, v)` returns `v` when it is a finite number > 0. */
export function checkPositive(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw fail(fn, `${name} must be a positive finite number, got ${describe(v)}`);
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

/** `checkOneOf(fn, name, v, allowed)` returns `v` when it is one of the strings `allowed`. */
export function checkOneOf<S extends string>(fn: string, name: string, v: unknown, allowed: readonly S[]): S {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) throw fail(fn, `${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describe(v)}`);
  return v as S;
}

/** `checkFloatDType(fn, v)` returns `v` when it is `"float32"` or `"float64"`. */
export function checkFloatDType(fn: string, v: unknown): FloatDType {
  if (v !== "float32" && v !== "float64") throw fail(fn, `dtype must be "float32" or "float64", got ${describe(v)}`);
  return v;
}

/** `checkTensor(fn, name, v)` returns `v` when it is a live (not disposed) tensor. */
export function checkTensor(fn: string, name: string, v: unknown): Tensor {
  if (!isTensor(v)) throw fail(fn, `${name} must be a Tensor, got ${describe(v)}`);
  if (v.isDisposed) throw fail(fn, `${name} (${v.dtype} ${fmtShape(v.shape)}) was disposed`);
  return v;
}

/** `checkFloatTensor(fn, name, v)` returns `v` when it is a live float32 or float64 tensor. */
export function checkFloatTensor(fn: string, name: string, v: unknown): Tensor {
  const t = checkTensor(fn, name, v);
  if (!isFloat(t.dtype)) throw fail(fn, `${name} must be a float32 or float64 tensor, got ${t.dtype} ${fmtShape(t.shape)}`);
  return t;
}

/** `checkModelInput(fn, x, dtype)` returns `x` when it is a live tensor of exactly the model's float `dtype`. */
export function checkModelInput(fn: string, x: unknown, dtype: DType): Tensor {
  const t = checkTensor(fn, "input", x);
  if (t.dtype !== dtype) {
    throw fail(fn, `input dtype ${t.dtype} ${fmtShape(t.shape)} differs from the model dtype ${dtype}; cast the input with nx.cast(x, "${dtype}") or initialise the model with { dtype: "${t.dtype}" }`);
  }
  return t;
}

/** `checkFunction(fn, name, v)` returns `v` when it is a function. */
export function checkFunction<F>(fn: string, name: string, v: F): F {
  if (typeof v !== "function") throw fail(fn, `${name} must be a function, got ${describe(v)}`);
  return v;
}

/**
 * `checkSameDevice(fn, tensors)` checks that the tensors (`undefined`
 * entries are skipped) all live on one backend, with nx's `checkSameBackend`.
 * @throws InvalidArgumentError naming `kaun.<fn>` and both backends otherwise.
 */
export function checkSameDevice(fn: string, tensors: readonly (Tensor | undefined)[]): void {
  checkSameBackend(`kaun.${fn}`, tensors.filter((t): t is Tensor => t !== undefined));
}
