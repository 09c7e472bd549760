/**
 * The ```ts / ```js code blocks of the READMEs, as programs a user would
 * paste: each block, with what the README source says about it in
 * `<!-- readme-test: ... -->` comments right before its fence, becomes (part
 * of) one ES module.
 *
 * Directives (comma-separated after `readme-test:`; one or more comments,
 * only blank lines between them and the fence):
 * - `skip (reason)`: neither type-checked nor run (the reason is required);
 * - `no-run (reason)`: type-checked, not run;
 * - `continues`: the block runs in the same module as the block before it in
 *   the same README (its imports and variables are in scope);
 * - `setup`: the comment's following lines are code the block needs and does
 *   not show (placed before the block in its module).
 *
 * A statement line ending in `// → VALUE` (VALUE in JSON) asserts its value:
 * of `e` for `console.log(e)` or an expression statement `e`, of `name` for
 * `const name = ...`; a tensor compares by `arraySync()`, numbers within 1e-6
 * (`consumer/readme-expect.mts` records, the test compares).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The `pnpm` commands `file` shows (in inline code and in ```sh blocks), as
 * `{ filter, script, where }`: `filter` is the package name after
 * `--filter`, or undefined for the workspace root.
 */
export function pnpmCommands(root: string, file: string): { filter: string | undefined; script: string; where: string }[] {
  const found: { filter: string | undefined; script: string; where: string }[] = [];
  let inShell = false;
  readFileSync(join(root, file), "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.startsWith("```")) {
        inShell = !inShell && /^```(sh|bash|shell)\b/.test(line);
        return;
      }
      const code = inShell ? [line] : [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
      for (const text of code) {
        for (const m of text.matchAll(/\bpnpm\s+(?:--filter\s+(\S+)\s+)?(?:run\s+)?([a-z][\w:-]*)/g)) {
          found.push({ filter: m[1], script: m[2] as string, where: `${file}:${i + 1}` });
        }
      }
    });
  return found;
}

/** The import line every generated module starts with (`consumer/readme-expect.mts`, compiled beside it). */
export const EXPECT_IMPORT = `import { readmeExpect } from "./readme-expect.mjs";`;

/** Where each line of a generated module comes from (`README.md:12`), for error messages. */
export interface ReadmeModule {
  /** A short name for the test: the README and the first block's line. */
  readonly name: string;
  /** The module's source, one entry per line. */
  readonly lines: readonly string[];
  /** `origins[i]` is the README line (`"packages/nx/README.md:12"`) of `lines[i]`, or `"(setup)"`. */
  readonly origins: readonly string[];
  /** How many `// → VALUE` assertions it holds (each must be reached). */
  readonly expectations: number;
  /** Whether the module runs (false: type-checked only). */
  readonly run: boolean;
  /** The reason it is not run, when it is not. */
  readonly noRunReason?: string;
}

/** A block left out entirely, with the README's reason. */
export interface SkippedBlock {
  readonly where: string;
  readonly reason: string;
}

interface Block {
  readonly file: string;
  readonly line: number; // 1-based line of the opening fence
  readonly code: readonly string[];
  readonly setup: readonly string[];
  readonly setupLine: number;
  readonly skip?: string;
  readonly noRun?: string;
  readonly continues: boolean;
}

const CODE_LANGS = new Set(["ts", "typescript", "js", "javascript", "mts", "mjs"]);
const DIRECTIVE = /^<!--\s*readme-test:\s*/;
const ARROW = /^(\s*)(.*?);?\s*\/\/ → (.+)$/;

/** The directives before the fence at index `fence` of `lines`: [comment start index, text after `readme-test:`][] in source order. */
function directiveComments(lines: readonly string[], fence: number): { start: number; text: string[] }[] {
  const found: { start: number; text: string[] }[] = [];
  let i = fence - 1;
  for (;;) {
    while (i >= 0 && (lines[i] as string).trim() === "") i--;
    if (i < 0 || !(lines[i] as string).trimEnd().endsWith("-->")) break;
    const end = i;
    while (i >= 0 && !(lines[i] as string).includes("<!--")) i--;
    if (i < 0 || !DIRECTIVE.test((lines[i] as string).trimStart())) break;
    const body = lines.slice(i, end + 1).join("\n").trim().replace(DIRECTIVE, "").replace(/-->$/, "");
    found.unshift({ start: i, text: body.split("\n") });
    i--;
  }
  return found;
}

function parseBlocks(file: string, source: string): { blocks: Block[]; orphans: number[] } {
  const lines = source.split("\n");
  const blocks: Block[] = [];
  const used = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i] as string);
    if (!open) continue;
    let close = i + 1;
    while (close < lines.length && !(lines[close] as string).startsWith("```")) close++;
    if (CODE_LANGS.has(open[1] as string)) {
      let skip: string | undefined;
      let noRun: string | undefined;
      let continues = false;
      let setup: string[] = [];
      let setupLine = 0;
      for (const comment of directiveComments(lines, i)) {
        used.add(comment.start + 1);
        for (const raw of splitDirectives(comment.text[0] as string)) {
          const d = raw.trim();
          const reasoned = /^(skip|no-run)\s*\((.+)\)$/.exec(d);
          if (reasoned) {
            if (reasoned[1] === "skip") skip = reasoned[2];
            else noRun = reasoned[2];
          } else if (d === "continues") continues = true;
          else if (d === "setup") {
            setup = comment.text.slice(1);
            setupLine = comment.start + 2;
          } else throw new Error(`${file}:${comment.start + 1}: unknown readme-test directive ${JSON.stringify(d)} (skip (reason), no-run (reason), continues, setup)`);
        }
      }
      blocks.push({ file, line: i + 1, code: lines.slice(i + 1, close), setup, setupLine, continues, ...(skip === undefined ? {} : { skip }), ...(noRun === undefined ? {} : { noRun }) });
    }
    i = close;
  }
  const orphans = lines.flatMap((l, i) => (DIRECTIVE.test(l.trimStart()) && !used.has(i + 1) ? [i + 1] : []));
  return { blocks, orphans };
}

/** Splits `skip (a, b), continues` at the commas outside parentheses. */
function splitDirectives(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of text) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  if (current.trim() !== "") parts.push(current);
  return parts;
}

/** The line `line` of a block with a `// → VALUE` assertion made executable (same line count). */
function withAssertion(line: string, where: string): string {
  const m = ARROW.exec(line);
  if (!m) return line;
  const [, indent, statement, expected] = m as unknown as [string, string, string, string];
  const args = `${JSON.stringify(expected.trim())}, ${JSON.stringify(where)}`;
  const declared = /^(?:const|let)\s+([A-Za-z_$][\w$]*)\b/.exec(statement);
  if (declared) return `${indent}${statement}; readmeExpect(${declared[1] as string}, ${args});`;
  const logged = /^console\.log\((.*)\)$/.exec(statement);
  return `${indent}readmeExpect(${logged ? (logged[1] as string) : statement}, ${args});`;
}

/**
 * The modules and skipped blocks of the READMEs at `files` (paths relative to
 * `root`). Throws for an unknown directive, a directive that precedes no code
 * block, or a `continues` with nothing to continue.
 */
export function readmeModules(root: string, files: readonly string[]): { modules: ReadmeModule[]; skipped: SkippedBlock[] } {
  const modules: { name: string; lines: string[]; origins: string[]; expectations: number; run: boolean; noRunReason?: string }[] = [];
  const skipped: SkippedBlock[] = [];
  for (const file of files) {
    const { blocks, orphans } = parseBlocks(file, readFileSync(join(root, file), "utf8"));
    if (orphans.length > 0) throw new Error(`${file}:${orphans.join(",")}: a readme-test comment that precedes no ts/js code block`);
    let current: (typeof modules)[number] | undefined;
    for (const block of blocks) {
      const where = `${file}:${block.line}`;
      if (block.skip !== undefined) {
        skipped.push({ where, reason: block.skip });
        current = undefined;
        continue;
      }
      if (block.continues) {
        if (current === undefined) throw new Error(`${where}: "continues" but the block before it is skipped or missing`);
      } else {
        current = { name: where, lines: [EXPECT_IMPORT], origins: ["(setup)"], expectations: 0, run: true };
        modules.push(current);
      }
      const target = current;
      if (block.noRun !== undefined) {
        target.run = false;
        target.noRunReason = block.noRun;
      }
      block.setup.forEach((l, i) => {
        target.lines.push(l);
        target.origins.push(`${file}:${block.setupLine + i} (setup)`);
      });
      block.code.forEach((l, i) => {
        const at = `${file}:${block.line + 1 + i}`;
        const line = withAssertion(l, at);
        if (line !== l) target.expectations++;
        target.lines.push(line);
        target.origins.push(at);
      });
    }
  }
  return { modules, skipped };
}
