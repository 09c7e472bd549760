/**
 * `readmeExpect(actual, expected, where)`: what a README's `// → VALUE`
 * comment becomes in the generated module (see `test/readme-blocks.ts`). It
 * records the value (a tensor as `arraySync()`) with the README's text; when
 * the process exits, the records go as JSON to the file named by
 * `$README_EXPECT_OUT`, and the test compares them.
 */
import { writeFileSync } from "node:fs";

const records: { where: string; expected: string; actual: unknown }[] = [];

export function readmeExpect(actual: unknown, expected: string, where: string): void {
  const value = typeof actual === "object" && actual !== null && "arraySync" in actual && typeof actual.arraySync === "function" ? (actual.arraySync() as unknown) : actual;
  records.push({ where, expected, actual: value });
}

process.on("exit", () => {
  const out = process.env["README_EXPECT_OUT"];
  if (out !== undefined) writeFileSync(out, JSON.stringify(records));
});

