/**
 * The small consumer programs under `entries/` (each exports `run()`), with
 * what each must return (derived by hand) and the workspace packages its
 * bundle may contain. The bundler test and the packed-install test both run them.
 */

/** The workspace packages, by folder name under `packages/` (the packed-install test packs each). */
export const PACKAGE_DIRS = ["nx", "rune", "kaun-core", "kaun-attention", "backend-gpujs"] as const;

/** A workspace package, by folder name under `packages/`. */
export type PackageDir = (typeof PACKAGE_DIRS)[number];

export interface EntryCase {
  /** The file under `entries/`, without `.js`. */
  readonly name: string;
  /** How the README's size table names it. */
  readonly label: string;
  /** The workspace packages the bundle may contain (anything else fails the test). */
  readonly packages: readonly PackageDir[];
  /** npm packages (outside the workspace) the bundle may contain. */
  readonly thirdParty: readonly string[];
  /** What `run()` returns. */
  readonly expected: unknown;
}

const PRODUCT = [1 * 5 + 2 * 6, 3 * 5 + 4 * 6]; // [[1,2],[3,4]] @ [[5],[6]]

export const ENTRIES: readonly EntryCase[] = [
  { name: "nx-named", label: "nx alone (`import { matmul, tensor }`)", packages: ["nx"], thirdParty: [], expected: { product: PRODUCT } },
  {
    name: "nx-namespace",
    label: "nx (`import * as nx`)",
    packages: ["nx"],
    thirdParty: [],
    // softmax of an all-zero row is uniform.
    expected: { backend: "cpu", product: PRODUCT, softmaxRow: [1 / 3, 1 / 3, 1 / 3] },
  },
  // d/dx x^3 = 3x^2 = 12 and d2/dx2 x^3 = 6x = 12 at x = 2.
  { name: "rune", label: "nx + rune (`grad`)", packages: ["nx", "rune"], thirdParty: [], expected: { first: 12, second: 12 } },
  {
    name: "kaun-core",
    label: "kaun-core (layers, losses, checkpoints, data, metrics)",
    packages: ["nx", "rune", "kaun-core"],
    thirdParty: [],
    // mean((1-3)^2, (2-5)^2) = 6.5; linear weights are [in, out]; windows of 2 at starts 0 and 2 with targets one later;
    // argmax [1, 0] against labels [1, 1]: one of two right.
    expected: { mse: 6.5, relu: [0, 2], weightShape: [3, 2], roundTrip: [1.5, -2], windows: [[0, 1, 2, 3], [1, 2, 3, 4]], accuracy: 0.5 },
  },
  {
    name: "kaun-attention",
    label: "kaun-attention (`multiHeadAttention`)",
    packages: ["nx", "rune", "kaun-core", "kaun-attention"],
    thirdParty: [],
    // Causal, 3 positions, 2 heads: per head 2 + 1 + 0 masked keys above the diagonal, all exactly 0; rows sum to 1.
    expected: { shape: [1, 2, 3, 3], aboveDiagonal: [0, 0, 0, 0, 0, 0], rowSums: [1, 1, 1, 1, 1, 1] },
  },
  {
    name: "backend-gpujs",
    label: "backend-gpujs (with gpu.js)",
    packages: ["nx", "backend-gpujs"],
    thirdParty: ["gpu.js"],
    expected: { mode: "webasm", product: PRODUCT },
  },
];

/** `closeTo(actual, expected)` is true when both have the same structure and numbers agree within 1e-6. */
export function closeTo(actual: unknown, expected: unknown): boolean {
  if (typeof expected === "number") return typeof actual === "number" && Math.abs(actual - expected) <= 1e-6;
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => closeTo(actual[i], e));
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) return false;
    const keys = Object.keys(expected);
    return Object.keys(actual).length === keys.length && keys.every((k) => closeTo((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]));
  }
  return Object.is(actual, expected);
}
