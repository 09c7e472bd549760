/**
 * What a test needs of a backend, and whether a backend's declared
 * capabilities provide it. The suites skip a test a backend declares it
 * cannot run (a dtype it does not store, integers beyond its exact range,
 * subnormal inputs it flushes, a buffer beyond its limit) instead of keeping
 * per-backend lists; everything a backend claims to do is tested.
 */
import type { BackendCapabilities } from "../backend.js";
import type { DType } from "../dtype.js";

/** What one test needs; every field defaults to needing nothing. */
export interface Needs {
  /** The dtypes it creates tensors of. */
  readonly dtypes?: readonly DType[];
  /** The largest integer magnitude it computes exactly. */
  readonly integers?: number;
  /** Whether its inputs hold float subnormals. */
  readonly subnormals?: boolean;
  /** The most elements of one tensor it makes. */
  readonly elements?: number;
}

/**
 * `unmetNeeds(needs, capabilities)` is why a backend with `capabilities`
 * cannot run a test with `needs` (for the skip note), or `undefined` when it can.
 */
export function unmetNeeds(needs: Needs, capabilities: BackendCapabilities): string | undefined {
  const missing = (needs.dtypes ?? []).filter((d) => !capabilities.dtypes.includes(d));
  if (missing.length > 0) return `the backend does not store ${missing.join(", ")}`;
  if ((needs.integers ?? 0) > capabilities.maxExactInteger) {
    return `needs exact integers up to ${needs.integers}; the backend's are exact up to ${capabilities.maxExactInteger}`;
  }
  if (needs.subnormals === true && !capabilities.subnormals) return "has subnormal inputs; the backend flushes subnormals to zero";
  if ((needs.elements ?? 0) > capabilities.maxElements) return `needs ${needs.elements} elements in one tensor; the backend holds ${capabilities.maxElements}`;
  return undefined;
}
