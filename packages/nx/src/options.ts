/**
 * Checks of option objects and scalar arguments, shared by every public
 * function: an option of the wrong type (`keepdims: "false"`, `axis: "1"`)
 * or an unknown option name (`{ axis }` where `{ axes }` is meant) is an
 * `InvalidArgumentError` naming the function, never a silent default.
 */
import { InvalidArgumentError, fmtValue } from "./errors.js";

/**
 * `checkOptions(fn, options, keys)` is `options`, or `{}` when it is
 * undefined, after checking that it is an object (not an array) whose keys
 * with a defined value are all in `keys`.
 * @throws InvalidArgumentError naming `fn` otherwise.
 */
export function checkOptions<T extends object>(fn: string, options: T | undefined, keys: readonly (keyof T & string)[]): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(fn, `options must be an object${keys.length > 0 ? ` with ${keys.join(", ")}` : ""}, got ${fmtValue(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!(keys as readonly string[]).includes(k) && (options as Record<string, unknown>)[k] !== undefined) {
      throw new InvalidArgumentError(fn, `unknown option ${fmtValue(k)}; ${keys.length > 0 ? `expected ${keys.join(", ")}` : "this function takes none"}`);
    }
  }
  return options;
}

/**
 * `checkBool(fn, name, v, fallback)` is `v`, or `fallback` when `v` is undefined.
 * @throws InvalidArgumentError naming `fn` and `name` when `v` is neither a boolean nor undefined.
 */
export function checkBool(fn: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") throw new InvalidArgumentError(fn, `${name} must be a boolean, got ${fmtValue(v)}`);
  return v;
}

/**
 * `checkInteger(fn, name, v, min?)` is `v` when it is a safe integer of at least `min` (default: no bound).
 * @throws InvalidArgumentError naming `fn` and `name` otherwise.
 */
export function checkInteger(fn: string, name: string, v: unknown, min = Number.NEGATIVE_INFINITY): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    const what = min === 0 ? "a non-negative integer" : min === 1 ? "a positive integer" : Number.isFinite(min) ? `an integer >= ${min}` : "an integer";
    throw new InvalidArgumentError(fn, `${name} must be ${what}, got ${fmtValue(v)}`);
  }
  return v;
}

/**
 * `checkFinite(fn, name, v)` is `v` when it is a finite number.
 * @throws InvalidArgumentError naming `fn` and `name` otherwise.
 */
export function checkFinite(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new InvalidArgumentError(fn, `${name} must be a finite number, got ${fmtValue(v)}`);
  return v;
}

/**
 * `checkIntegers(fn, name, v, min, maxLength)` is `v` as an array when it is an
 * array of at most `maxLength` safe integers, each at least `min`.
 * @throws InvalidArgumentError naming `fn` and `name` otherwise.
 */
export function checkIntegers(fn: string, name: string, v: unknown, min: number, maxLength: number): number[] {
  if (!Array.isArray(v)) throw new InvalidArgumentError(fn, `${name} must be an array of integers, got ${fmtValue(v)}`);
  if (v.length > maxLength) throw new InvalidArgumentError(fn, `${name} has ${v.length} entries; at most ${maxLength} are allowed`);
  return v.map((e: unknown, i) => checkInteger(fn, `${name}[${i}]`, e, min));
}

/**
 * `checkFunction(fn, name, v)` is `v` when it is a function.
 * @throws InvalidArgumentError naming `fn` and `name` otherwise.
 */
export function checkFunction<F extends (...args: never[]) => unknown>(fn: string, name: string, v: F): F {
  if (typeof v !== "function") throw new InvalidArgumentError(fn, `${name} must be a function, got ${fmtValue(v)}`);
  return v;
}
