// Headless Chromium for the browser tests and benchmarks: bundles a page
// entry with esbuild and opens it in Debian's /usr/bin/chromium, launched by
// the workspace's @raven-ts/chromium (playwright-core, never `playwright
// install`; the flags this machine needs; a fresh profile).
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { browserTestsRun, hasChromium, launchChromium } from "@raven-ts/chromium";

export { browserTestsRun, hasChromium };

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
  const { context, close } = await launchChromium();
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
