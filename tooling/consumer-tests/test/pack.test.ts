/**
 * The packages as a registry user gets them: each package is packed with
 * `pnpm pack` (workspace versions resolved), the tarballs are installed with
 * `npm install` into a fresh project outside the workspace (the registry
 * supplies third-party dependencies such as gpu.js), and there the entries
 * of `entries/` run under Node ESM and `consumer/typecheck.ts` type-checks
 * with TypeScript's `node16` and `bundler` resolution against the shipped
 * `.d.ts` files (`skipLibCheck` off).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENTRIES, PACKAGE_DIRS, closeTo, type PackageDir } from "./entries.js";
import { runModule } from "./run-entry.js";

const here = fileURLToPath(new URL("..", import.meta.url));
const workspace = join(here, "../..");
const TYPES_NODE = "@types/node@20.19.8";

const temp = mkdtempSync(join(tmpdir(), "raven-consumer-"));
const tarballs = join(temp, "tarballs");
const app = join(temp, "app");
const tarballOf = new Map<PackageDir, string>();

function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${err.stdout ?? ""}${err.stderr ?? err.message}`);
  }
}

beforeAll(() => {
  mkdirSync(tarballs);
  for (const dir of PACKAGE_DIRS) {
    const before = new Set(readdirSync(tarballs));
    run("pnpm", ["pack", "--pack-destination", tarballs], join(workspace, "packages", dir));
    const made = readdirSync(tarballs).filter((f) => !before.has(f));
    expect(made).toHaveLength(1);
    tarballOf.set(dir, join(tarballs, made[0] as string));
  }
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "raven-consumer", private: true, type: "module" }, null, 2));
  // Optional dependencies are left out: gpu.js's `gl` compiles native code for minutes and only its headlessgl mode needs it.
  run("npm", ["install", "--no-audit", "--no-fund", "--omit=optional", ...PACKAGE_DIRS.map((p) => tarballOf.get(p) as string), TYPES_NODE], app);
  cpSync(join(here, "entries"), join(app, "entries"), { recursive: true });
  for (const f of ["typecheck.ts", "tsconfig.node16.json", "tsconfig.bundler.json"]) copyFileSync(join(here, "consumer", f), join(app, f));
}, 300_000);

afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("packed tarballs installed from outside the workspace", () => {
  it("each tarball ships its compiled ESM, .d.ts files and README, no sources, and no workspace: versions", () => {
    for (const dir of PACKAGE_DIRS) {
      const files = run("tar", ["-tzf", tarballOf.get(dir) as string], temp).split("\n").filter(Boolean);
      expect(files, dir).toContain("package/dist/index.js");
      expect(files, dir).toContain("package/dist/index.d.ts");
      expect(files, dir).toContain("package/README.md");
      expect(files.filter((f) => f.startsWith("package/src/") || f.startsWith("package/test/")), dir).toEqual([]);
      const manifest = run("tar", ["-xzOf", tarballOf.get(dir) as string, "package/package.json"], temp);
      expect(manifest, dir).not.toContain("workspace:");
    }
  });

  for (const entry of ENTRIES) {
    it(`${entry.name}: imports and runs under Node ESM`, () => {
      const result = runModule(join(app, "entries", `${entry.name}.js`), app);
      expect(closeTo(result, entry.expected), `run() returned ${JSON.stringify(result)}, expected ${JSON.stringify(entry.expected)}`).toBe(true);
    }, 60_000);
  }

  for (const resolution of ["node16", "bundler"] as const) {
    it(`type-checks a consumer with moduleResolution ${resolution} (skipLibCheck off)`, () => {
      const tsc = join(here, "node_modules", ".bin", "tsc");
      expect(run(tsc, ["-p", `tsconfig.${resolution}.json`], app)).toBe("");
    }, 120_000);
  }
});
