/**
 * Registration helpers shared by the conformance groups: every test has a
 * dot-separated id, may be skipped by id or dtype, and runs inside a scope
 * that disposes every tensor it created (also when it fails), so the suite
 * can check at the end that the backend holds no leaked buffers.
 */
import { it } from "vitest";
import type { Backend } from "../backend.js";
import type { DType, FloatDType } from "../dtype.js";
import * as nx from "../index.js";
import type { Tolerance } from "./compare.js";
import { expectInvalidArgument } from "./invalid-argument.js";

/** What a conformance group needs to register its tests. */
export interface SuiteContext {
  /** The backend under test (valid inside tests and hooks, not while registering). */
  backend(): Backend;
  /** The resolved float tolerances. */
  readonly tolerances: Readonly<Record<FloatDType, Tolerance>>;
  /** `test(id, fn, dtypes?)` registers a synchronous test run in a disposing scope; skipped when `id` or one of `dtypes` is excluded. */
  test(id: string, fn: () => void, dtypes?: readonly DType[]): void;
  /** `testAsync(id, fn, dtypes?)` registers an asynchronous test; it must dispose what it creates. */
  testAsync(id: string, fn: () => Promise<void>, dtypes?: readonly DType[]): void;
}

/** `isSkipped(id, skip)` is true when `id` equals an entry of `skip` or starts with an entry followed by a dot. */
export function isSkipped(id: string, skip: readonly string[]): boolean {
  return skip.some((s) => id === s || id.startsWith(`${s}.`));
}

/** `scoped(fn)` runs `fn` and disposes every tensor created meanwhile, then rethrows what `fn` threw. */
export function scoped(fn: () => void): void {
  let failure: { error: unknown } | undefined;
  nx.tidy(() => {
    try {
      fn();
    } catch (error) {
      failure = { error };
    }
  });
  if (failure) throw failure.error;
}

/** `makeContext(backend, tolerances, skip, skipDTypes)` is a {@link SuiteContext} that registers with vitest's `it`. */
export function makeContext(
  backend: () => Backend,
  tolerances: Readonly<Record<FloatDType, Tolerance>>,
  skip: readonly string[],
  skipDTypes: readonly DType[],
): SuiteContext {
  const excluded = (id: string, dtypes: readonly DType[]): boolean => isSkipped(id, skip) || dtypes.some((d) => skipDTypes.includes(d));
  return {
    backend,
    tolerances,
    test(id, fn, dtypes = []) {
      if (excluded(id, dtypes)) it.skip(id, () => {});
      else it(id, () => scoped(fn));
    },
    testAsync(id, fn, dtypes = []) {
      if (excluded(id, dtypes)) it.skip(id, () => {});
      else it(id, fn);
    },
  };
}

/** The number of live tensors on every backend (what a failed op must leave unchanged). */
function liveTensors(): number {
  return nx.memory().numTensors;
}

/**
 * `expectInvalid(prefix, call)` checks, as {@link expectInvalidArgument} does,
 * that `call()` throws an `InvalidArgumentError` (by class and by `name`)
 * whose message starts with `prefix + ": "`, and that the failed call left no
 * live tensor behind.
 */
export function expectInvalid(prefix: string, call: () => unknown): void {
  const before = liveTensors();
  const e = expectInvalidArgument(call, prefix);
  const after = liveTensors();
  if (after !== before) throw new Error(`${prefix} threw but left ${after - before} live tensor(s) behind ("${e.message}")`);
}
