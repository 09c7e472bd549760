/**
 * The argument checks shared by every kaun module (and, through
 * `@raven-ts/kaun-core/internal`, by the packages built on kaun-core). Each
 * throws nx's `InvalidArgumentError` with a `"kaun.<fn>: ..."` message naming
 * the offending value, described by nx's `fmtValue` (bounded in length,
 * never quoting a `constructor.name` the value chose). The generic ones
 * delegate to nx's checks (`checkOptions`, `checkInteger`, `checkFinite`,
 * `checkBool`, `checkFunction`) under the `kaun.` prefix.
 */
import type { DType, FloatDType, Tensor } from "@raven-ts/nx";
import {
  InvalidArgumentError,
  checkBool as nxCheckBool,
  checkFinite as nxCheckFinite,
  checkFunction as nxCheckFunction,
  checkInteger,
  checkOptions as nxCheckOptions,
  checkSameBackend,
  fmtShape,
  fmtValue,
  isFloat,
  isTensor,
} from "@raven-ts/nx";

/** `fail(fn, detail)` is the error every check throws: message `"kaun.<fn>: <detail>"`. */
export function fail(fn: string, detail: string): InvalidArgumentError {
  return new InvalidArgumentError(`kaun.${fn}`, detail);
}

/**
 * `describe(v)` is a short description of any value for error messages:
 * tensors by dtype and shape (`a float32 tensor [2,3]`), anything else as
 * nx's `fmtValue` describes it (bounded in length; objects by their class,
 * never by a `constructor.name` they carry themselves).
 */
export function describe(v: unknown): string {
  return isTensor(v) ? `a ${v.dtype} tensor ${fmtShape(v.shape)}` : fmtValue(v);
}

/** `isRecord(v)` is true for a non-null object that is not an array (and not a tensor). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isTensor(v);
}

/**
 * `reworded(fn, pattern, prefix, f)` is `f()`, with an `InvalidArgumentError`
 * whose message matches `pattern` (the detail in its first group) rethrown
 * as an error of `kaun.<fn>`, the function the user called, after `prefix`;
 * any other error propagates as it is.
 */
export function reworded<T>(fn: string, pattern: RegExp, prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const m = e instanceof InvalidArgumentError ? pattern.exec(e.message) : null;
    if (m !== null) throw fail(fn, `${prefix}${m[1] as string}`);
    throw e;
  }
}

/**
 * `checkOptions(fn, v, what, keys?)` returns `v` when it is an options object
 * (with only the option names `keys`, when given: nx's `checkOptions`).
 * @throws InvalidArgumentError `"options <what> are required"` when `v` is not an object (`what` lists the required fields, e.g. `"{ lr }"`), or naming an unknown option.
 */
export function checkOptions<T>(fn: string, v: T, what: string, keys?: readonly string[]): T {
  if (!isRecord(v)) throw fail(fn, `options ${what} are required, got ${describe(v)}`);
  if (keys !== undefined) nxCheckOptions(`kaun.${fn}`, v as object, keys as never[]);
  return v;
}

/**
 * `optionalOptions(fn, v, keys)` is `v`, or `{}` when `v` is undefined: the
 * options argument of a function whose options all have defaults, checked by
 * nx's `checkOptions` (an object whose option names are among `keys`).
 * @throws InvalidArgumentError when `v` is given and is not an object (`null` included), or names an unknown option.
 */
export function optionalOptions<T extends object>(fn: string, v: T | undefined, keys: readonly (keyof T & string)[]): Partial<T> {
  return nxCheckOptions<Partial<T>>(`kaun.${fn}`, v, keys as never[]);
}

/** `checkPositiveInt(fn, name, v)` returns `v` when it is an integer ≥ 1 (nx's `checkInteger`). */
export function checkPositiveInt(fn: string, name: string, v: unknown): number {
  return checkInteger(`kaun.${fn}`, name, v, 1);
}

/** `checkInt(fn, name, v)` returns `v` when it is a safe integer of any sign (nx's `checkInteger`). */
export function checkInt(fn: string, name: string, v: unknown): number {
  return checkInteger(`kaun.${fn}`, name, v);
}

/** `checkNonNegInt(fn, name, v)` returns `v` when it is an integer ≥ 0 (nx's `checkInteger`). */
export function checkNonNegInt(fn: string, name: string, v: unknown): number {
  return checkInteger(`kaun.${fn}`, name, v, 0);
}

/** `checkFinite(fn, name, v)` returns `v` when it is a finite number (nx's `checkFinite`). */
export function checkFinite(fn: string, name: string, v: unknown): number {
  return nxCheckFinite(`kaun.${fn}`, name, v);
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

/** `checkBool(fn, name, v, fallback)` is `v`, or `fallback` when `v` is undefined (nx's `checkBool`). @throws InvalidArgumentError when `v` is neither a boolean nor undefined. */
export function checkBool(fn: string, name: string, v: unknown, fallback: boolean): boolean {
  return nxCheckBool(`kaun.${fn}`, name, v, fallback);
}

/** `checkOneOf(fn, name, v, allowed)` returns `v` when it is one of the strings `allowed`. */
export function checkOneOf<S extends string>(fn: string, name: string, v: unknown, allowed: readonly S[]): S {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) throw fail(fn, `${name} must be one of ${allowed.map(fmtValue).join(", ")}, got ${describe(v)}`);
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

/** `checkFunction(fn, name, v)` returns `v` when it is a function (nx's `checkFunction`). */
export function checkFunction<F>(fn: string, name: string, v: F): F {
  return nxCheckFunction(`kaun.${fn}`, name, v as never) as F;
}

/**
 * `checkSameDevice(fn, tensors)` checks that the tensors (`undefined`
 * entries are skipped) all live on one backend, with nx's `checkSameBackend`.
 * @throws InvalidArgumentError naming `kaun.<fn>` and both backends otherwise.
 */
export function checkSameDevice(fn: string, tensors: readonly (Tensor | undefined)[]): void {
  checkSameBackend(`kaun.${fn}`, tensors.filter((t): t is Tensor => t !== undefined));
}
