/**
 * A Chromium page for the end-to-end tests (launched by the workspace's
 * @raven-ts/chromium: Debian's /usr/bin/chromium, fresh profile), with every
 * page error and console error collected.
 */
import { launchChromium } from "@raven-ts/chromium";
import type { BrowserContext, Page } from "playwright-core";

export { browserTestsRun } from "@raven-ts/chromium";

/** A browser with one page, and the problems seen on it. */
export interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught exceptions and console errors, in order. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** `openSession(viewport, extraArgs)` launches Chromium (with `extraArgs`) and opens a page watching for errors. */
export async function openSession(viewport = { width: 1280, height: 800 }, extraArgs: readonly string[] = []): Promise<Session> {
  const { context, close } = await launchChromium({ viewport, args: extraArgs, acceptDownloads: true });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  return { context, page, problems, close };
}
