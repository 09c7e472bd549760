/**
 * The READMEs' code blocks work as written: every ```ts / ```js block of the
 * READMEs a user reads (see `readme-blocks.ts` for the `<!-- readme-test: ... -->`
 * directives) becomes an ES module in a temporary folder whose `node_modules`
 * is this package's (the workspace packages through their `exports`, built
 * `dist/`). `tsc` type-checks them all at once with the workspace's strict
 * settings (`@raven-ts/tsconfig/base.json`) and compiles them; each runs in a
 * fresh Node process, and the values its `// → VALUE` comments state are
 * compared. Errors name the README line. The `pnpm` commands the READMEs
 * show must name scripts that exist.
 */
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeTo } from "./entries.js";
import { pnpmCommands, readmeModules, type ReadmeModule } from "./readme-blocks.js";

const here = fileURLToPath(new URL("..", import.meta.url));
const workspace = join(here, "../..");

/** The READMEs a new user reads, relative to the workspace root. */
export const READMES = [
  "README.md",
  "packages/nx/README.md",
  "packages/rune/README.md",
  "packages/kaun-core/README.md",
  "packages/kaun-attention/README.md",
  "packages/backend-gpujs/README.md",
  "apps/playground/README.md",
  "interop/torch/README.md",
] as const;

const { modules, skipped } = readmeModules(workspace, READMES);
const temp = mkdtempSync(join(tmpdir(), "raven-readme-"));
const fileOf = (i: number): string => `block${String(i).padStart(2, "0")}`;
let typeErrors = "";

/** `text` with each `blockNN.mts(line,col)` / `blockNN.mts:line` replaced by the README line it comes from. */
function toReadmeLines(text: string): string {
  return text.replace(/block(\d\d)\.m[tj]s[:(](\d+)(?:[,:](\d+)\)?)?/g, (all, index: string, line: string) => {
    const origin = modules[Number(index)]?.origins[Number(line) - 1];
    return origin === undefined ? all : `${origin} [${all}]`;
  });
}

beforeAll(() => {
  symlinkSync(join(here, "node_modules"), join(temp, "node_modules"), "dir");
  copyFileSync(join(here, "consumer", "readme-expect.mts"), join(temp, "readme-expect.mts"));
  modules.forEach((m, i) => writeFileSync(join(temp, `${fileOf(i)}.mts`), `${m.lines.join("\n")}\n`));
  const tsconfig = {
    extends: join(workspace, "tooling/tsconfig/base.json"),
    compilerOptions: { noEmit: false, noEmitOnError: false, sourceMap: true, rootDir: ".", outDir: "." },
    files: ["readme-expect.mts", ...modules.map((_, i) => `${fileOf(i)}.mts`)],
  };
  writeFileSync(join(temp, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  try {
    execFileSync(join(here, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: temp, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stdout?: string; message: string };
    typeErrors = toReadmeLines(err.stdout ?? err.message);
  }
}, 120_000);

afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Runs module `i` with Node; returns its `// → VALUE` records. */
async function runBlock(i: number): Promise<{ where: string; expected: string; actual: unknown }[]> {
  const js = join(temp, `${fileOf(i)}.mjs`);
  const out = join(temp, `${fileOf(i)}.expect.json`);
  expect(existsSync(js), `tsc emitted no ${js}`).toBe(true);
  try {
    await promisify(execFile)(process.execPath, ["--enable-source-maps", js], { cwd: temp, env: { ...process.env, README_EXPECT_OUT: out }, encoding: "utf8" });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(toReadmeLines(`${err.stderr ?? ""}${err.stdout ?? ""}` || err.message));
  }
  return JSON.parse(readFileSync(out, "utf8")) as { where: string; expected: string; actual: unknown }[];
}

describe("README code blocks", () => {
  it(`type-check (TypeScript strict): ${modules.length} modules`, () => {
    expect(typeErrors).toBe("");
  });

  modules.forEach((m: ReadmeModule, i) => {
    const test = m.run ? it : it.skip;
    test(`${m.name} runs${m.run ? "" : ` (not run: ${m.noRunReason ?? ""})`}`, async () => {
      const records = await runBlock(i);
      expect(records.length, "// → assertions reached").toBe(m.expectations);
      for (const r of records) {
        expect(closeTo(r.actual, JSON.parse(r.expected)), `${r.where}: the README says ${r.expected}, the code gives ${JSON.stringify(r.actual)}`).toBe(true);
      }
    }, 60_000);
  });

  it.skip.each(skipped.map((s) => [s.where, s.reason]))("%s skipped: %s", () => undefined);
});

/** pnpm's own commands a README may show (everything else must be a script). */
const PNPM_BUILTINS = new Set(["install", "add", "exec", "pack", "dlx", "why", "list"]);

/** `{ name → scripts }` of the workspace root and every package folder the READMEs live in. */
function workspaceScripts(): Map<string, Set<string>> {
  const scripts = new Map<string, Set<string>>();
  for (const dir of [".", ...READMES.map((r) => r.replace(/\/?README\.md$/, "")).filter(Boolean), "tooling/consumer-tests"]) {
    const manifest = JSON.parse(readFileSync(join(workspace, dir, "package.json"), "utf8")) as { name: string; scripts?: Record<string, string> };
    scripts.set(dir === "." ? "(root)" : manifest.name, new Set(Object.keys(manifest.scripts ?? {})));
  }
  return scripts;
}

describe("README pnpm commands", () => {
  it("name scripts that exist in the package.json they refer to", () => {
    const scripts = workspaceScripts();
    const commands = READMES.flatMap((file) => pnpmCommands(workspace, file));
    expect(commands.length).toBeGreaterThan(10);
    const missing = commands.filter((c) => !(c.filter === undefined && PNPM_BUILTINS.has(c.script)) && !scripts.get(c.filter ?? "(root)")?.has(c.script));
    expect(missing.map((c) => `${c.where}: pnpm ${c.filter === undefined ? "" : `--filter ${c.filter} `}${c.script}`)).toEqual([]);
  });
});
