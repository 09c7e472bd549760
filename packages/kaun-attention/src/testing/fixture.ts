/** Loading the golden fixture from disk (Node). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { GoldenCase } from "./golden.js";

/**
 * `GOLDEN_FIXTURE` is the path of the fixture this package ships,
 * `fixtures/attention_golden.json` at the package root (the same place from
 * the sources and from the built `dist/`).
 */
export const GOLDEN_FIXTURE: string = fileURLToPath(new URL("../../fixtures/attention_golden.json", import.meta.url));

/**
 * `loadGoldenCases(file?)` is the cases of the golden fixture at `file`,
 * which defaults to {@link GOLDEN_FIXTURE}.
 * @throws Error when the file cannot be read or parsed.
 */
export function loadGoldenCases(file: string = GOLDEN_FIXTURE): GoldenCase[] {
  return (JSON.parse(readFileSync(file, "utf8")) as { cases: GoldenCase[] }).cases;
}
