/**
 * The attention explorer in headless Chromium, against the built app: one
 * heatmap per head, causal and padding masks as exact zeros (read from the
 * values each heatmap exposes), fully masked rows drawn empty, readable
 * errors for bad settings, hover details (the layout at a phone's width is
 * layout.test.ts's).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { changeExplorer, explorerWeights, screenshot, useApp } from "./support/app.js";
import { browserTestsRun } from "./support/browser.js";

describe.skipIf(!browserTestsRun())("attention explorer", () => {
  const app = useApp("explorer");

  beforeAll(async () => {
    await app.session.page.waitForSelector('#ex-heatmaps[data-state="ready"]');
  });

  const rowSums = (head: number[][]): number[] => head.map((row) => row.reduce((a, b) => a + b, 0));

  it("draws one heatmap per query head, numHeads of them", async () => {
    const { page } = app.session;
    expect(await page.locator("#ex-heatmaps figure").count()).toBe(4);
    await changeExplorer(page, () => page.fill("#ex-heads", "8"));
    const weights = await explorerWeights(page);
    expect(weights).toHaveLength(8);
    const tokens = [...((await page.inputValue("#ex-text")) as string)].length;
    for (const head of weights) {
      expect(head).toHaveLength(tokens);
      for (const row of head) expect(row).toHaveLength(tokens);
    }
    // GQA: 8 query heads over 2 kv heads, 4 per group, as the captions say.
    expect(await page.textContent('#ex-heatmaps figure[data-head="5"] figcaption')).toContain("reads kv head 1");
    await changeExplorer(page, () => page.fill("#ex-heads", "4"));
  });

  it("with isCausal every cell above the diagonal is exactly 0; without it they are not", async () => {
    const { page } = app.session;
    expect(await page.isChecked("#ex-causal")).toBe(true);
    const causal = await explorerWeights(page);
    for (const head of causal) {
      head.forEach((row, q) => row.forEach((v, k) => (k > q ? expect(v).toBe(0) : expect(v).toBeGreaterThan(0))));
      for (const s of rowSums(head)) expect(s).toBeCloseTo(1, 5);
    }
    await changeExplorer(page, () => page.uncheck("#ex-causal"));
    const full = await explorerWeights(page);
    for (const head of full) {
      expect(head.flatMap((row, q) => row.filter((v, k) => k > q && v > 0)).length).toBe((head.length * (head.length - 1)) / 2);
    }
    await changeExplorer(page, () => page.check("#ex-causal"));
  });

  it("padding the last k tokens zeroes those key columns; padding every token leaves every row empty", async () => {
    const { page } = app.session;
    await changeExplorer(page, () => page.fill("#ex-text", "to be or not"));
    await changeExplorer(page, () => page.uncheck("#ex-causal"));
    await changeExplorer(page, () => page.fill("#ex-pad", "3"));
    const n = 12;
    const padded = await explorerWeights(page);
    expect(padded).toHaveLength(4);
    for (const head of padded) {
      for (const row of head) {
        expect(row.slice(n - 3)).toEqual([0, 0, 0]);
        expect(row.slice(0, n - 3).every((v) => v > 0)).toBe(true);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    }
    await screenshot(page, "explorer-padding");

    await changeExplorer(page, () => page.fill("#ex-pad", String(n)));
    const empty = await explorerWeights(page);
    for (const head of empty) for (const row of head) expect(row).toEqual(new Array(n).fill(0));
    // A fully masked row is drawn in the "no visible key" tint, not in a colour of the scale.
    const pixel = await page.$eval('#ex-heatmaps figure[data-head="0"] canvas', (c) => {
      const canvas = c as HTMLCanvasElement;
      const cell = Number(canvas.dataset.cell);
      const margin = Number(canvas.dataset.margin);
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const data = canvas.getContext("2d")?.getImageData(Math.round((margin + cell * 0.25) * scale), Math.round((margin + cell * 2.5) * scale), 1, 1).data;
      return data === undefined ? [] : Array.from(data);
    });
    expect(pixel).toEqual([0xfd, 0xe7, 0xe4, 255]);
    await changeExplorer(page, () => page.fill("#ex-pad", "0"));
    await changeExplorer(page, () => page.check("#ex-causal"));
  });

  it("hovering a cell shows the query, the key and the weight", async () => {
    const { page } = app.session;
    const canvas = page.locator('#ex-heatmaps figure[data-head="1"] canvas');
    const cell = Number(await canvas.getAttribute("data-cell"));
    const margin = Number(await canvas.getAttribute("data-margin"));
    const weights = await explorerWeights(page);
    await canvas.hover({ position: { x: margin + cell * 0.5, y: margin + cell * 2.5 } }); // query 2, key 0
    const tip = (await page.textContent("#ex-tooltip")) ?? "";
    expect(tip).toContain('query 2 " " → key 0 "t"');
    expect(tip).toContain(`weight ${(weights[1]?.[2]?.[0] as number).toPrecision(4)}`);
    await canvas.hover({ position: { x: margin + cell * 5.5, y: margin + cell * 1.5 } }); // above the diagonal
    expect(await page.textContent("#ex-tooltip")).toContain("weight 0  (masked: exactly 0)");
  });

  it("shows a bad setting's error in the page and recovers when it is fixed", async () => {
    const { page } = app.session;
    expect(await changeExplorer(page, () => page.fill("#ex-embed", "30"))).toBe("error");
    expect(await page.textContent("#explorer-error")).toBe("kaun.multiHeadAttention: embedDim (30) must be divisible by numHeads (4)");
    expect(await page.locator("#ex-heatmaps figure").count()).toBe(0);
    expect(await changeExplorer(page, () => page.fill("#ex-kv", "3"))).toBe("error");
    expect(await changeExplorer(page, () => page.fill("#ex-embed", "32"))).toBe("error");
    expect(await page.textContent("#explorer-error")).toBe("kaun.multiHeadAttention: numHeads (4) must be divisible by numKvHeads (3)");
    expect(await changeExplorer(page, () => page.fill("#ex-kv", "2"))).toBe("ready");
    expect(await page.isHidden("#explorer-error")).toBe(true);
    expect(await page.locator("#ex-heatmaps figure").count()).toBe(4);
  });

  it("saves a full-page screenshot at 1280×800", async () => {
    const { page } = app.session;
    await changeExplorer(page, () => page.fill("#ex-text", "Shall I compare thee to a summer's day?"));
    await screenshot(page, "explorer");
  });

  it("logged no page errors and no console errors", () => {
    expect(app.session.problems).toEqual([]);
  });
});
