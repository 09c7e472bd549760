/**
 * Selective imports survive a bundler: each entry under `entries/` is bundled
 * with Vite (the playground's bundler; library mode, ES module, minified,
 * browser resolution), the bundle runs in a fresh Node process and returns
 * the hand-derived values, and the bundle holds modules of the entry's own
 * packages only (`import { matmul, tensor } from "@raven-ts/nx"` pulls in no
 * rune, kaun or gpu.js code). Sizes are printed (the playground README records them).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import { ENTRIES, closeTo, type EntryCase } from "./entries.js";
import { runModule } from "./run-entry.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const outRoot = mkdtempSync(join(tmpdir(), "raven-bundles-"));
const sizes: { label: string; bytes: number; gzip: number }[] = [];

afterAll(() => {
  rmSync(outRoot, { recursive: true, force: true });
  console.log(["bundle sizes (Vite, minified):", ...sizes.map((s) => `  ${s.label}: ${(s.bytes / 1024).toFixed(1)} KiB, ${(s.gzip / 1024).toFixed(1)} KiB gzipped`)].join("\n"));
});

/** The owner of a bundled module: `packages/<dir>` of the workspace, an npm package, or the entry / bundler runtime. */
function ownerOf(id: string): string {
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(id);
  if (npm) return npm[1] as string;
  const workspace = /\/packages\/([^/]+)\//.exec(id);
  if (workspace) return `packages/${workspace[1] as string}`;
  if (id.includes("/entries/") || id.includes("rolldown/runtime")) return "(entry)";
  return `(unknown: ${id})`;
}

async function bundle(entry: EntryCase): Promise<{ file: string; code: string; owners: Set<string> }> {
  const outDir = join(outRoot, entry.name);
  const result = await build({
    root,
    configFile: false,
    logLevel: "silent",
    build: {
      outDir,
      emptyOutDir: true,
      minify: true,
      target: "es2022",
      lib: { entry: join(root, "entries", `${entry.name}.js`), formats: ["es"], fileName: entry.name },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ("output" in r ? r.output : []));
  const chunks = outputs.filter((o) => o.type === "chunk");
  expect(chunks.map((c) => c.fileName)).toEqual([`${entry.name}.js`]); // one file, no split chunks
  const chunk = chunks[0] as (typeof chunks)[number];
  return { file: join(outDir, chunk.fileName), code: readFileSync(join(outDir, chunk.fileName), "utf8"), owners: new Set(chunk.moduleIds.map(ownerOf)) };
}

describe("Vite bundles of each package", () => {
  for (const entry of ENTRIES) {
    it(`${entry.name}: bundles, runs, and contains only ${[...entry.packages, ...entry.thirdParty].join(", ")}`, async () => {
      const { file, code, owners } = await bundle(entry);
      const allowed = new Set(["(entry)", ...entry.packages.map((p) => `packages/${p}`), ...entry.thirdParty]);
      expect([...owners].filter((o) => !allowed.has(o))).toEqual([]);
      expect(owners.has(`packages/${entry.packages.at(-1) as string}`)).toBe(true);
      const result = runModule(file);
      expect(closeTo(result, entry.expected), `run() returned ${JSON.stringify(result)}, expected ${JSON.stringify(entry.expected)}`).toBe(true);
      sizes.push({ label: entry.label, bytes: Buffer.byteLength(code), gzip: gzipSync(code).length });
    }, 120_000);
  }
});
