/**
 * The Train panel in headless Chromium: the nx CPU backend in the Web Worker
 * lowers the shown loss within a few dozen steps, pause stops training
 * within a second, the weights download as a .safetensors file that uploads
 * back to the same model, and corrupt or foreign files are refused with a
 * message while the app keeps working.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as nx from "@raven-ts/nx";
import { Checkpoint } from "@raven-ts/kaun-core";
import { describe, expect, it } from "vitest";
import { SCREENSHOTS, greedyReference, pauseTraining, screenshot, trainStep, trainSteps, untilStep, useApp } from "./support/app.js";
import { browserTestsRun } from "./support/browser.js";

const PROMPT = "Shall I compare thee";

/** What the pause test records in the page. */
interface PauseProbe {
  clickedAt: number;
  finishedAt: number[];
  unsubscribe?: () => void;
}

describe.skipIf(!browserTestsRun())("training in the Web Worker", () => {
  const app = useApp("train");

  const loss = async (): Promise<number> => Number(await app.session.page.textContent("#tr-loss"));
  const greedy = (n: number): Promise<string> => greedyReference(app.session.page, PROMPT, n);

  it("trains on nx CPU in a Web Worker and the shown loss falls within a few dozen steps", async () => {
    const { page } = app.session;
    expect(await page.textContent("#tr-placement")).toBe("Training runs in a Web Worker, off the main thread.");
    expect(await page.inputValue("#tr-backend")).toBe("cpu");
    // The backend named once, with what it resolved to (threads: cross-origin isolated).
    expect(await page.textContent("#tr-model")).toMatch(/ · nx CPU \(WebAssembly SIMD, \d+ threads?\)$/);
    await trainSteps(page, 200, 2);
    const early = await loss();
    // A near-uniform start: log(vocabulary) = log(56) ≈ 4.03 nats per character.
    expect(early).toBeGreaterThan(3.5);
    await untilStep(page, 36, 60_000);
    expect(await loss()).toBeLessThan(early - 0.5);
    expect(Number(await page.textContent("#tr-sps"))).toBeGreaterThan(0);
    expect(Number(((await page.textContent("#tr-tps")) ?? "").replaceAll(",", ""))).toBeGreaterThan(0);
  });

  it("pause stops training within a second: at most the step in progress finishes after the click", async () => {
    const { page } = app.session;
    // The page records when the click lands and when each step finished (the engine's clock, comparable across threads).
    await page.evaluate(() => {
      const probe = window as unknown as PauseProbe;
      probe.finishedAt = [];
      probe.unsubscribe = window.ravenPlayground?.client.on((e) => {
        if (e.event === "progress") probe.finishedAt.push(e.progress.finishedAt);
      });
      const button = document.getElementById("tr-pause") as HTMLButtonElement;
      button.addEventListener("click", () => (probe.clickedAt = performance.timeOrigin + performance.now()), { capture: true, once: true });
    });
    expect(await page.isEnabled("#tr-pause")).toBe(true);
    await page.click("#tr-pause");
    await page.waitForSelector("#tr-start:not([disabled])");
    const { clickedAt, finishedAt } = await page.evaluate(() => {
      const probe = window as unknown as PauseProbe;
      probe.unsubscribe?.();
      return { clickedAt: probe.clickedAt, finishedAt: probe.finishedAt };
    });
    expect(finishedAt.length).toBeGreaterThan(0);
    const after = finishedAt.filter((t) => t > clickedAt);
    expect(after.length).toBeLessThanOrEqual(1);
    console.log(`pause: ${after.length} step(s) finished after the click, the last ${((after.at(-1) ?? clickedAt) - clickedAt).toFixed(0)} ms after it`);
    expect((after.at(-1) ?? clickedAt) - clickedAt).toBeLessThan(1000);
    const [stopped] = await trainStep(page);
    await page.waitForTimeout(1500);
    expect((await trainStep(page))[0]).toBe(stopped);
    expect(await page.getAttribute("#tr-progress", "value")).toBe(String(stopped));
    await screenshot(page, "train");
  });

  it("downloads the weights as .safetensors and uploads them back to the same model", async () => {
    const { page } = app.session;
    const before = await greedy(30);
    const [step] = await trainStep(page);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#tr-download")]);
    expect(download.suggestedFilename()).toBe(`tiny-lm-step${step}.safetensors`);
    const file = join(SCREENSHOTS, "..", download.suggestedFilename());
    await download.saveAs(file);
    const { metadata, tensors } = Checkpoint.inspect(new Uint8Array(readFileSync(file)));
    expect(JSON.parse(metadata["raven.config"] as string)).toMatchObject({ embedDim: 64, numLayers: 2, numHeads: 4, numKvHeads: 2 });
    expect(tensors.map((t) => t.name)).toContain("blocks.1.attn.v_proj");

    await page.click("#tr-reset");
    await page.waitForFunction(() => document.getElementById("tr-step")?.textContent?.startsWith("0 /"));
    expect(await greedy(30)).not.toBe(before);
    await page.setInputFiles("#tr-upload", file);
    await page.waitForFunction((name) => document.getElementById("tr-model")?.textContent?.startsWith(`file ${name}`), download.suggestedFilename());
    expect(await greedy(30)).toBe(before);
    expect(await page.isHidden("#train-error")).toBe(true);
  });

  it("refuses a corrupt file and a file without the model description, and keeps working", async () => {
    const { page } = app.session;
    const modelLine = await page.textContent("#tr-model");
    await page.setInputFiles("#tr-upload", { name: "corrupt.safetensors", mimeType: "application/octet-stream", buffer: Buffer.from([7, 0, 0, 0, 0, 0, 0, 0, 123, 1, 2]) });
    await page.waitForSelector("#train-error:not([hidden])");
    expect(await page.textContent("#train-error")).toMatch(/^Could not open corrupt\.safetensors: kaun\.modelFromCheckpoint: /);
    expect(await page.textContent("#tr-model")).toBe(modelLine);

    const foreign = Checkpoint.toBytes({ weight: nx.ones([2, 2]) });
    await page.setInputFiles("#tr-upload", { name: "foreign.safetensors", mimeType: "application/octet-stream", buffer: Buffer.from(foreign) });
    await page.waitForFunction(() => document.getElementById("train-error")?.textContent?.includes("foreign.safetensors"));
    expect(await page.textContent("#train-error")).toContain('kaun.modelFromCheckpoint: the file\'s metadata has no "raven.model" entry naming its model');
    expect(await page.textContent("#tr-model")).toBe(modelLine);
    await screenshot(page, "train-error");

    // Still working: a few more steps train, and the error goes away.
    const [from] = await trainStep(page);
    await page.click("#tr-start");
    await untilStep(page, from + 2);
    await pauseTraining(page);
    expect(await page.isHidden("#train-error")).toBe(true);
  });

  it("logged no page errors and no console errors", () => {
    expect(app.session.problems).toEqual([]);
  });
});
