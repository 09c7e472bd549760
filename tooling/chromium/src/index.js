// Headless Chromium for the workspace's browser tests and benchmarks: Debian's
// /usr/bin/chromium driven by playwright-core (never `playwright install`),
// with the flags a root user in a container without a GPU needs, and a
// fresh profile per launch, deleted on close.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

/** Where Debian's chromium package installs the browser (`CHROMIUM_PATH` overrides). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * The launch flags: headless; no sandbox (root in a container); no GPU
 * process (WebGL runs on SwiftShader); no QUIC, first-run UI, background
 * networking, component updates or sync (nothing leaves the machine); /tmp
 * instead of a small /dev/shm.
 */
export const CHROMIUM_ARGS = Object.freeze([
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
]);

/** `hasChromium()` is true when the browser binary exists. */
export function hasChromium() {
  return existsSync(CHROMIUM_PATH);
}

/**
 * `browserTestsRun()` is true when the workspace's browser tests run: where
 * the browser binary exists, and always under CI (`CI` set), where a missing
 * browser fails them instead of skipping them.
 */
export function browserTestsRun() {
  return hasChromium() || Boolean(process.env.CI);
}

/**
 * `launchChromium({ viewport?, args?, acceptDownloads? })` starts Chromium
 * with a fresh profile (`args` are added to {@link CHROMIUM_ARGS}) and
 * returns its browser context and `close()`, which ends the browser and
 * deletes the profile.
 * @param {import("./index.js").LaunchOptions} [options]
 * @returns {Promise<import("./index.js").LaunchedChromium>}
 */
export async function launchChromium({ viewport, args = [], acceptDownloads = false } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "raven-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...args],
      acceptDownloads,
      ...(viewport === undefined ? {} : { viewport }),
    });
    return {
      context,
      profile,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
