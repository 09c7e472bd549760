// Headless Chromium for the browser tests and benchmarks: bundles a page
// entry with esbuild and opens it in Debian's /usr/bin/chromium through
// playwright-core (never `playwright install`), with the flags this machine
// needs (no sandbox as root, no background networking, a fresh profile).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";

/** Where Debian's chromium package installs the browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The launch flags (see the package README). */
export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** `hasChromium()` is true when the browser binary exists. */
export function hasChromium() {
  return existsSync(CHROMIUM_PATH);
}

/**
 * `bundle(entry)` is the IIFE browser bundle of the TypeScript module
 * `entry` (a path), with `vitest` replaced by the page shim.
 * @param {string} entry
 * @returns {Promise<string>}
 */
export async function bundle(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    alias: { vitest: fileURLToPath(new URL("../test/browser/vitest-shim.ts", import.meta.url)) },
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error(`esbuild produced no output for ${entry}`);
  return out.text;
}

/**
 * `openPage(script)` launches Chromium with a fresh profile, opens a blank
 * page and runs `script` in it; `close()` ends the browser and deletes the profile.
 * @param {string} script
 */
export async function openPage(script) {
  const profile = mkdtempSync(join(tmpdir(), "gpujs-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto("about:blank");
    await page.addScriptTag({ content: script });
    if (errors.length > 0) throw new Error(`page script failed: ${errors.join("; ")}`);
    return { page, close };
  } catch (e) {
    await close();
    throw e;
  }
}
