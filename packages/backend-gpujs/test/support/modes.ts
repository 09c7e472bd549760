/**
 * Which gpujs modes the Node tests run, and the guard for `headlessgl`:
 * it needs a display (the package's `test` script re-runs vitest under
 * `xvfb-run -a` when there is none). Outside CI a missing GL context skips
 * its tests; in CI (`CI` set) it fails them, so GL coverage cannot vanish
 * silently.
 */
import { describe, it } from "vitest";
import type { EngineMode } from "../../src/index.js";
import { isModeAvailable } from "../../src/index.js";

/** `describeMode(mode, register)` runs `register()` when `mode` is available here; see the file comment otherwise. */
export function describeMode(mode: EngineMode, register: () => void): void {
  if (isModeAvailable(mode)) {
    register();
    return;
  }
  const why = `gpujs mode "${mode}" is not available here (headlessgl needs the \`gl\` package and a display: run under \`xvfb-run -a\`)`;
  if (process.env.CI) {
    describe(`gpujs ${mode}`, () => {
      it("is available", () => {
        throw new Error(why);
      });
    });
  } else {
    describe.skip(`gpujs ${mode}: ${why}`, () => {
      it("skipped", () => undefined);
    });
  }
}
