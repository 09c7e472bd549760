/**
 * The one "this call must reject its arguments" assertion of the workspace's
 * tests: every raven-ts function that rejects an argument throws an
 * `InvalidArgumentError` whose message starts with the function's qualified
 * name, so tests check the class, the name prefix and a few fragments.
 */
import { expect } from "vitest";
import { InvalidArgumentError } from "../errors.js";

/**
 * `expectInvalidArgument(f, fn, ...fragments)` calls `f()` and asserts, with
 * vitest's `expect`, that it throws an `InvalidArgumentError`: an `Error`
 * whose `name` is `"InvalidArgumentError"` and which is an instance of nx's
 * `InvalidArgumentError` class; whose message starts with `` `${fn}: ` ``
 * when `fn` is a string (pass `undefined` to leave the prefix unchecked); and
 * whose message contains every string of `fragments` (none when omitted).
 * It returns the error, for further checks such as
 * `expect(expectInvalidArgument(f, "nx.matmul").message).toBe("nx.matmul: ...")`.
 *
 * `f` runs once; what it returns is discarded. Nothing is disposed: tensors
 * created before or by the call are the caller's (see `expectInvalid` for the
 * variant that also checks that the failed call left no tensor behind).
 *
 * @throws an assertion error (vitest's) when `f` returns normally, throws
 *   anything but such an `InvalidArgumentError`, or the message lacks the
 *   prefix or a fragment.
 */
export function expectInvalidArgument(f: () => unknown, fn: string | undefined, ...fragments: string[]): InvalidArgumentError {
  const label = fn ?? "the call";
  let caught: { error: unknown } | undefined;
  try {
    f();
  } catch (error) {
    caught = { error };
  }
  expect(caught !== undefined, `expected ${label} to throw an InvalidArgumentError, but it returned`).toBe(true);
  const e = caught?.error;
  expect(e, `expected ${label} to throw an InvalidArgumentError, got ${String(e)}`).toBeInstanceOf(Error);
  const err = e as Error;
  expect(err.name, `expected ${label} to throw an InvalidArgumentError, got ${err.name}: ${err.message}`).toBe("InvalidArgumentError");
  expect(err, `expected ${label} to throw nx's InvalidArgumentError class, got another class named InvalidArgumentError`).toBeInstanceOf(InvalidArgumentError);
  if (fn !== undefined) expect(err.message.startsWith(`${fn}: `), `expected the message to start with "${fn}: ", got "${err.message}"`).toBe(true);
  for (const fragment of fragments) expect(err.message, `the message of the error ${label} threw`).toContain(fragment);
  return err as InvalidArgumentError;
}
