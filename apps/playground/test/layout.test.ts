/**
 * Every panel at 1280×800 and at a phone's width (390 px), with content in
 * it (a few training steps, a generated text, one benchmarked backend): the
 * page never scrolls sideways, every tab is in view, and each panel's
 * full-page screenshot is saved (`<panel>-desktop.png`, `<panel>-phone.png`).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { pauseTraining, screenshot, trainSteps, useApp } from "./support/app.js";
import { browserTestsRun } from "./support/browser.js";

const PANELS = ["explorer", "train", "generate", "bench"] as const;
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/** How far the page scrolls sideways (0 when it fits its width), and the tabs that are not wholly in view. */
async function fit(page: Page): Promise<{ overflow: number; hiddenTabs: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const hiddenTabs = [...document.querySelectorAll<HTMLElement>(".tabs a")].filter((a) => {
      const r = a.getBoundingClientRect();
      return r.left < 0 || r.right > width + 0.5 || r.width === 0;
    });
    return { overflow: document.documentElement.scrollWidth - width, hiddenTabs: hiddenTabs.map((a) => a.textContent ?? "") };
  });
}

describe.skipIf(!browserTestsRun())("layout at 1280×800 and at a phone's width", () => {
  const app = useApp("train");

  beforeAll(async () => {
    const { page } = app.session;
    await trainSteps(page, 100, 12);
    await pauseTraining(page);
    await page.goto(`${app.url}#generate`);
    await page.fill("#gen-length", "120");
    await page.click("#gen-start");
    await page.waitForSelector('#gen-output[data-state="done"]');
    await page.goto(`${app.url}#bench`);
    for (const box of await page.$$('#bench-backends input[type="checkbox"]')) {
      if ((await box.getAttribute("value")) !== "cpu") await box.uncheck();
    }
    await page.click("#bench-run");
    await page.waitForSelector('#bench-table tbody[data-state="done"]', { timeout: 120_000 });
  });

  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    it(`${name} (${viewport.width} px): no sideways scrolling, every tab in view`, async () => {
      const { page } = app.session;
      await page.setViewportSize(viewport);
      for (const panel of PANELS) {
        await page.goto(`${app.url}#${panel}`);
        await page.waitForSelector(`#${panel}:not([hidden])`);
        await page.waitForTimeout(150); // the charts resize on the next frame
        expect(await fit(page), panel).toEqual({ overflow: 0, hiddenTabs: [] });
        await screenshot(page, `${panel}-${name}`);
      }
      expect(app.session.problems).toEqual([]);
    });
  }
});
