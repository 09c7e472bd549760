/**
 * Registration helpers shared by the conformance groups: every test has a
 * dot-separated id, states what it needs of the backend (skipped, with the
 * reason, when the backend's capabilities do not provide it), and runs inside
 * a scope that disposes every tensor it created (also when it fails), so the
 * suite can check at the end that the backend holds no leaked buffers.
 */
import { it } from "vitest";
import type { Backend } from "../backend.js";
import type { FloatDType } from "../dtype.js";
import * as nx from "../index.js";
import type { Tolerance } from "./compare.js";
import { expectInvalidArgument } from "./invalid-argument.js";
import type { Needs } from "./needs.js";
import { unmetNeeds } from "./needs.js";

/** What a conformance group needs to register its tests. */
export interface SuiteContext {
  /** The backend under test (valid inside tests and hooks, not while registering). */
  backend(): Backend;
  /** The resolved float tolerances. */
  readonly tolerances: Readonly<Record<FloatDType, Tolerance>>;
  /** `test(id, fn, needs?)` registers a synchronous test run in a disposing scope; skipped when the backend's capabilities do not meet `needs`. */
  test(id: string, fn: () => void, needs?: Needs): void;
  /** `testAsync(id, fn, needs?)` registers an asynchronous test; it must dispose what it creates. */
  testAsync(id: string, fn: () => Promise<void>, needs?: Needs): void;
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

/**
 * `makeContext(backend, tolerances)` is a {@link SuiteContext} that registers
 * with vitest's `it`; each test skips itself (with the reason) when
 * `backend().capabilities` do not meet its needs.
 */
export function makeContext(backend: () => Backend, tolerances: Readonly<Record<FloatDType, Tolerance>>): SuiteContext {
  const skipUnmet = (t: { skip(condition: boolean, note?: string): void }, needs: Needs): void => {
    const why = unmetNeeds(needs, backend().capabilities);
    t.skip(why !== undefined, why);
  };
  return {
    backend,
    tolerances,
    test(id, fn, needs = {}) {
      it(id, (t) => {
        skipUnmet(t, needs);
        scoped(fn);
      });
    },
    testAsync(id, fn, needs = {}) {
      it(id, async (t) => {
        skipUnmet(t, needs);
        await fn();
      });
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
