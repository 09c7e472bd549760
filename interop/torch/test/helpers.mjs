// Shared by the interop tests: PyTorch's presence, and the agreement measure.
import { findTorchPython, isCI, NO_TORCH } from "../js/python.mjs";

/**
 * `torchPython()` is the interpreter with PyTorch. Without one, it throws
 * under CI (a missing PyTorch is a failure there, never a skip) and returns
 * `undefined` elsewhere, after a warning, so the caller skips loudly.
 * @returns {string | undefined}
 */
export function torchPython() {
  const found = findTorchPython();
  if (found) return found.python;
  if (isCI()) throw new Error(`${NO_TORCH} (CI is set: the interop tests must run)`);
  console.warn(`warning: skipping the PyTorch interop tests: ${NO_TORCH}`);
  return undefined;
}

/** The reason a skipped test prints. */
export const SKIP_REASON = NO_TORCH;

/**
 * `relativeError(actual, expected)` is `max |a - e| / max |e|` over the
 * elements (0 when both are all zeros): the agreement measure of the issue's
 * "equal within 1e-5 relative", insensitive to where the values cross zero.
 * @param {ArrayLike<number>} actual
 * @param {ArrayLike<number>} expected
 */
export function relativeError(actual, expected) {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} differs from ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Number(expected[i]);
    const a = Number(actual[i]);
    if (!Number.isFinite(a)) return Number.POSITIVE_INFINITY;
    diff = Math.max(diff, Math.abs(a - e));
    scale = Math.max(scale, Math.abs(e));
  }
  return diff === 0 ? 0 : diff / scale;
}
