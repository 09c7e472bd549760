/** Page helpers shared by the end-to-end tests: panels, explorer values, screenshots, training. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { openSession, type Session } from "./browser.js";
import { APP_ROOT, serveBuiltApp } from "./server.js";

type Panel = "explorer" | "train" | "generate" | "bench";

/** `useServer()` serves the built app for the tests of one file (started before them, closed after); read `.url` inside tests. */
export function useServer(): { readonly url: string } {
  let server: { url: string; close: () => Promise<void> } | undefined;
  beforeAll(async () => {
    server = await serveBuiltApp();
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    get url() {
      if (server === undefined) throw new Error("the app server has not started");
      return server.url;
    },
  };
}

/** `useApp(panel)` serves the built app and opens it on `panel` in one Chromium page for the tests of one file; read `.session` and `.url` inside tests. */
export function useApp(panel: Panel): { readonly session: Session; readonly url: string } {
  const server = useServer();
  let session: Session | undefined;
  beforeAll(async () => {
    session = await openSession();
    await openApp(session.page, server.url, panel);
  });
  afterAll(async () => {
    await session?.close();
  });
  return {
    get session() {
      if (session === undefined) throw new Error("the browser has not started");
      return session;
    },
    get url() {
      return server.url;
    },
  };
}

/** Where the tests save full-page screenshots (git-ignored). */
export const SCREENSHOTS = join(APP_ROOT, "test-results", "screenshots");

/** `screenshot(page, name)` saves a full-page PNG as `test-results/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** `openApp(page, url, panel, query?)` loads the app (with the URL query `query`, such as `?engine=main`) on `panel` and waits for the engine's first model. */
export async function openApp(page: Page, url: string, panel: Panel, query = ""): Promise<void> {
  await page.goto(`${url}${query}#${panel}`);
  await page.waitForFunction(() => window.ravenPlayground !== undefined);
  await page.evaluate(() => window.ravenPlayground?.ready.then(() => undefined));
}

/** The number of the latest change whose outcome the explorer shows (`data-version`; every change takes a higher number). */
export async function explorerVersion(page: Page): Promise<number> {
  return Number((await page.getAttribute("#ex-heatmaps", "data-version")) ?? 0);
}

/**
 * `settleExplorer(page, after)` waits until the explorer shows the outcome of
 * a change after version `after` and nothing newer is pending (`data-state`
 * is not "computing"); returns that state ("ready" or "error").
 */
export async function settleExplorer(page: Page, after: number): Promise<string> {
  await page.waitForFunction((v) => {
    const grid = document.getElementById("ex-heatmaps");
    return grid !== null && Number(grid.dataset.version) > v && grid.dataset.state !== "computing";
  }, after);
  return (await page.getAttribute("#ex-heatmaps", "data-state")) ?? "";
}

/** `changeExplorer(page, change)` applies `change` and waits for the recomputation it causes. */
export async function changeExplorer(page: Page, change: () => Promise<unknown>): Promise<string> {
  const before = await explorerVersion(page);
  await change();
  return settleExplorer(page, before);
}

/** The weights each heatmap shows, `[head][query][key]`, as the page exposes them (`data-weights`). */
export async function explorerWeights(page: Page): Promise<number[][][]> {
  return page.$$eval("#ex-heatmaps figure[data-head]", (figures) =>
    figures.sort((a, b) => Number((a as HTMLElement).dataset.head) - Number((b as HTMLElement).dataset.head)).map((f) => JSON.parse((f as HTMLElement).dataset.weights ?? "[]") as number[][]),
  );
}

/** The numbers in the Train panel's step counter, `[step, budget]`. */
export async function trainStep(page: Page): Promise<[number, number]> {
  const text = (await page.textContent("#tr-step")) ?? "";
  const [step, budget] = text.split("/").map((s) => Number(s.trim()));
  return [step ?? Number.NaN, budget ?? Number.NaN];
}

/**
 * `untilStep(page, step, timeout?)` waits until the Train panel shows step
 * `step` or later (within `timeout` ms; Playwright's default when undefined).
 * @throws Error with the Train panel's message as soon as the panel shows one.
 */
export async function untilStep(page: Page, step: number, timeout?: number): Promise<void> {
  await page.waitForFunction(
    (n) => Number((document.getElementById("tr-step")?.textContent ?? "").split("/")[0]) >= n || document.getElementById("train-error")?.hidden === false,
    step,
    timeout === undefined ? {} : { timeout },
  );
  if (await page.isVisible("#train-error")) throw new Error(`training stopped with: ${(await page.textContent("#train-error")) ?? ""}`);
}

/**
 * `trainSteps(page, budget, until)` starts training with a budget of
 * `budget` steps and waits until step `until` is shown.
 * @throws Error with the Train panel's message as soon as the panel shows one.
 */
export async function trainSteps(page: Page, budget: number, until: number, timeout = 90_000): Promise<void> {
  await page.fill("#tr-steps", String(budget));
  await page.dispatchEvent("#tr-steps", "change");
  await page.click("#tr-start");
  await untilStep(page, until, timeout);
}

/** `greedyReference(page, prompt, n)` is the page's greedy continuation of `prompt` by `n` characters, computed without the KV cache. */
export function greedyReference(page: Page, prompt: string, n: number): Promise<string> {
  return page.evaluate(([p, k]) => window.ravenPlayground?.greedyReference(p, k) ?? Promise.resolve(""), [prompt, n] as const);
}

/** `pauseTraining(page)` clicks Pause and waits until the Train panel can start again (training has stopped). */
export async function pauseTraining(page: Page): Promise<void> {
  await page.click("#tr-pause");
  await page.waitForSelector("#tr-start:not([disabled])");
}
