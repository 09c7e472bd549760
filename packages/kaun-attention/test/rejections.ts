/** One test per bad call: the shared sweep of the argument and checkpoint tests. */
import * as nx from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { expect, it } from "vitest";

/** [the call's label, the call, the function it must name, fragments of the message]. */
export type Rejection = [label: string, call: () => unknown, fn: string, ...fragments: string[]];

/**
 * `itRejects(cases, untouched?)` adds one test per case: the call throws an
 * InvalidArgumentError whose message starts with `fn`, holds every
 * fragment and stays short, and creates no tensor; `untouched()` then checks
 * what else the call must have left alone.
 */
export function itRejects(cases: readonly Rejection[], untouched?: () => void): void {
  for (const [label, call, fn, ...fragments] of cases) {
    it(label, () => {
      const before = nx.memory().numTensors;
      const err = expectInvalidArgument(call, fn, ...fragments);
      expect(err.message.length).toBeLessThan(400);
      expect(nx.memory().numTensors).toBe(before);
      untouched?.();
    });
  }
}
