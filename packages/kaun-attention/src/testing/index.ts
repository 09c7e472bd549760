/**
 * `@raven-ts/kaun-attention/testing`: the PyTorch golden cases of this
 * package as a test suite any nx backend runs (vitest), plus the loader and
 * the per-case checks (`@raven-ts/kaun-attention/testing/golden` holds the
 * browser-safe part):
 *
 * ```ts
 * import { describeAttentionGolden } from "@raven-ts/kaun-attention/testing";
 * describeAttentionGolden("mybackend", () => new MyBackend());
 * ```
 */
import * as nx from "@raven-ts/nx";
import { afterAll, beforeAll, describe, it } from "vitest";
import { loadGoldenCases } from "./fixture.js";
import { GOLDEN_TOLERANCES, checkFullyMaskedRow, checkMhaForward, checkMhaGradients, checkRopeCase, type GoldenTolerances } from "./golden.js";

export * from "./golden.js";
export { GOLDEN_FIXTURE, loadGoldenCases } from "./fixture.js";

/** Options of {@link describeAttentionGolden}. */
export interface GoldenSuiteOptions {
  /** Tolerances; default {@link GOLDEN_TOLERANCES}. */
  readonly tolerances?: GoldenTolerances;
  /** The fixture file; defaults to the one this package ships (`GOLDEN_FIXTURE`). */
  readonly fixture?: string;
}

/**
 * `describeAttentionGolden(name, createBackend?, options?)` registers one
 * vitest test per fixture case: `rope` cases forward, every MHA case's output
 * and gradients, and the exact zeros of fully masked rows. With
 * `createBackend` the suite selects that backend for its duration (restoring
 * the previous one after); without, it runs on the current backend.
 */
export function describeAttentionGolden(name: string, createBackend?: () => nx.Backend, options: GoldenSuiteOptions = {}): void {
  const tol = options.tolerances ?? GOLDEN_TOLERANCES;
  const cases = loadGoldenCases(options.fixture);
  describe(`attention golden cases: ${name}`, () => {
    let previous: nx.Backend | undefined;
    beforeAll(() => {
      if (createBackend === undefined) return;
      previous = nx.getBackend();
      nx.setBackend(createBackend());
    });
    afterAll(() => {
      if (previous !== undefined) nx.setBackend(previous);
    });
    for (const c of cases) {
      if (c.kind === "rope") {
        it(`rope ${c.name}`, () => checkRopeCase(c, tol.forward));
        continue;
      }
      it(`mha ${c.name}: forward`, () => checkMhaForward(c, tol.forward));
      it(`mha ${c.name}: gradients of sum(out * cotangent)`, () => checkMhaGradients(c, tol.grad));
      if (c.name.includes("fully_masked_row")) it(`mha ${c.name}: the fully masked row outputs exact zeros`, () => checkFullyMaskedRow(c));
    }
  });
}
