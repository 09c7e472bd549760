/** Loading the golden fixture from disk (Node). */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { GoldenCase } from "./golden.js";

/**
 * `loadGoldenCases(sharedDir?)` is the cases of
 * `<sharedDir>/fixtures/attention_golden.json`. `sharedDir` defaults to the
 * `RAVEN_SHARED_DIR` environment variable, else to `shared/` beside the
 * repository root (where the project keeps it).
 * @throws Error when the file cannot be read or parsed.
 */
export function loadGoldenCases(sharedDir?: string): GoldenCase[] {
  const dir = sharedDir ?? process.env.RAVEN_SHARED_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../shared");
  return (JSON.parse(readFileSync(resolve(dir, "fixtures/attention_golden.json"), "utf8")) as { cases: GoldenCase[] }).cases;
}
