/**
 * The Generate panel in headless Chromium: after a few dozen training steps,
 * KV-cache decoding streams characters into the page, and at temperature 0
 * its text equals the greedy choices of the non-cached forward pass (the
 * whole sequence through the model at every step); so is it with top-k 1, a
 * tiny top-p or min-p 1 at any temperature (the filters are decoderLM.generate's).
 * Sampling is reproducible from its seed; a prompt the vocabulary cannot
 * encode and a filter out of range are refused readably.
 * The explorer shows the trained model's attention per block, from the
 * Train panel and from a .safetensors file.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { changeExplorer, explorerWeights, greedyReference, pauseTraining, screenshot, trainSteps, useApp } from "./support/app.js";
import { browserTestsRun } from "./support/browser.js";

describe.skipIf(!browserTestsRun())("generation", () => {
  const app = useApp("train");

  beforeAll(async () => {
    const { page } = app.session;
    await trainSteps(page, 300, 40);
    await pauseTraining(page);
    await page.goto(`${app.url}#generate`);
    await page.waitForFunction(() => window.ravenPlayground !== undefined);
  });

  /** The sampling filters of the panel (empty fields keep every token). */
  interface Filters {
    topK?: number;
    topP?: number;
    minP?: number;
  }

  /** Generates with the panel's settings; returns the continuation and the lengths it was seen at while streaming. */
  async function generate(prompt: string, length: number, temperature: number, seed: number, filters: Filters = {}): Promise<{ text: string; seen: number[] }> {
    const { page } = app.session;
    await page.fill("#gen-prompt", prompt);
    await page.fill("#gen-length", String(length));
    await page.fill("#gen-temp", String(temperature));
    await page.fill("#gen-topk", filters.topK === undefined ? "" : String(filters.topK));
    await page.fill("#gen-topp", String(filters.topP ?? 1));
    await page.fill("#gen-minp", String(filters.minP ?? 0));
    await page.fill("#gen-seed", String(seed));
    await page.evaluate(() => {
      const out = document.querySelector("#gen-output .continuation") as HTMLElement;
      const seen: number[] = [];
      (window as unknown as { seen: number[] }).seen = seen;
      new MutationObserver(() => seen.push(out.textContent?.length ?? 0)).observe(out, { childList: true, characterData: true, subtree: true });
    });
    await page.click("#gen-start");
    await page.waitForSelector('#gen-output[data-state="done"]');
    const text = (await page.textContent("#gen-output .continuation")) ?? "";
    const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    return { text, seen };
  }

  it("streams KV-cache decoding character by character, equal to the non-cached greedy choices at temperature 0", async () => {
    const { page } = app.session;
    const trained = /step (\d+) of 300/.exec((await page.textContent("#gen-model")) ?? "");
    expect(Number(trained?.[1])).toBeGreaterThanOrEqual(40);
    const prompt = "Shall I compare thee";
    const { text, seen } = await generate(prompt, 80, 0, 0);
    expect(text).toHaveLength(80);
    // Streamed: the page showed the text growing one character at a time before the end.
    expect(seen.filter((n) => n > 0 && n < 80).length).toBeGreaterThan(20);
    expect(seen.slice(0, -1).every((n, i) => (seen[i + 1] as number) >= n)).toBe(true);
    expect(await page.textContent("#gen-output .prompt")).toBe(prompt);
    expect(text).toBe(await greedyReference(page, prompt, 80));
    expect(Number(await page.textContent("#gen-count"))).toBe(80);
    expect(Number(await page.textContent("#gen-tps"))).toBeGreaterThan(0);
    await screenshot(page, "generate");
  });

  it("samples reproducibly from a seed at temperature 0.8", async () => {
    const first = await generate("Thy ", 60, 0.8, 7);
    const again = await generate("Thy ", 60, 0.8, 7);
    const other = await generate("Thy ", 60, 0.8, 8);
    expect(first.text).toHaveLength(60);
    expect(again.text).toBe(first.text);
    expect(other.text).not.toBe(first.text);
  });

  it("samples with top-k, top-p and min-p as decoderLM.generate does: top-k 1, a tiny top-p and min-p 1 stream the greedy text at any temperature", async () => {
    const prompt = "When I do count";
    const greedy = await greedyReference(app.session.page, prompt, 60);
    expect((await generate(prompt, 60, 0.8, 3, { topK: 1 })).text).toBe(greedy);
    expect((await generate(prompt, 60, 1.5, 4, { topP: 1e-6 })).text).toBe(greedy);
    expect((await generate(prompt, 60, 2, 5, { minP: 1 })).text).toBe(greedy);
    // The filters change the draws: top-k 5 at temperature 2 keeps to the 5 likeliest characters, so it differs from the unfiltered draw of the same seed.
    const free = await generate(prompt, 60, 2, 6);
    const topFive = await generate(prompt, 60, 2, 6, { topK: 5 });
    expect(topFive.text).toHaveLength(60);
    expect(topFive.text).not.toBe(free.text);
    expect(await app.session.page.isHidden("#generate-error")).toBe(true);
    // A filter the sampler rejects is named with kaun's message, before any character is shown.
    const { page } = app.session;
    await page.fill("#gen-topp", "1.5");
    await page.click("#gen-start");
    await page.waitForSelector("#generate-error:not([hidden])");
    expect(await page.textContent("#generate-error")).toBe("Could not generate: kaun.sampleTokens: topP must be a number in (0, 1], got 1.5");
    expect(await page.textContent("#gen-output .continuation")).toBe("");
    await page.fill("#gen-topp", "1");
  });

  it("refuses a prompt with characters the vocabulary lacks, readably, and keeps working", async () => {
    const { page } = app.session;
    await page.fill("#gen-prompt", "Zebra {quartz}");
    await page.click("#gen-start");
    await page.waitForSelector("#generate-error:not([hidden])");
    expect(await page.textContent("#generate-error")).toMatch(/^Could not generate: tinyLM\.encode: the vocabulary has no "Z", .*"\{"/);
    const { text } = await generate("love", 10, 0, 0);
    expect(text).toHaveLength(10);
    expect(await page.isHidden("#generate-error")).toBe(true);
  });

  it("shows the trained model's attention per block in the explorer, from the Train panel and from a file", async () => {
    const { page } = app.session;
    await page.goto(`${app.url}#explorer`);
    await page.waitForSelector('#ex-heatmaps[data-state="ready"]');
    expect(await changeExplorer(page, () => page.click("#ex-refresh"))).toBe("ready");
    expect(await page.isChecked('input[name="ex-source"][value="trained"]')).toBe(true);
    // The model's architecture: 4 query heads over 2 kv heads, width 64, 2 blocks.
    expect(await page.inputValue("#ex-embed")).toBe("64");
    expect(await page.isDisabled("#ex-heads")).toBe(true);
    expect(await page.$$eval("#ex-layer option", (o) => o.map((x) => x.textContent))).toEqual(["block 0", "block 1"]);
    const block0 = await explorerWeights(page);
    expect(block0).toHaveLength(4);
    for (const head of block0) head.forEach((row, q) => row.forEach((v, k) => (k > q ? expect(v).toBe(0) : expect(v).toBeGreaterThan(0))));
    await changeExplorer(page, () => page.selectOption("#ex-layer", "1"));
    const block1 = await explorerWeights(page);
    expect(block1).not.toEqual(block0);
    // The model's masks are its own (causal, RoPE: fixed); padding still applies: the last 2 keys get exactly 0.
    expect(await page.isDisabled("#ex-causal")).toBe(true);
    expect(await page.isDisabled("#ex-rope")).toBe(true);
    await changeExplorer(page, () => page.fill("#ex-pad", "2"));
    for (const head of await explorerWeights(page)) head.forEach((row, q) => row.forEach((v, k) => (k > q || k >= row.length - 2 ? expect(v).toBe(0) : expect(v).toBeGreaterThan(0))));
    await changeExplorer(page, () => page.fill("#ex-pad", "0"));
    expect(await explorerWeights(page)).toEqual(block1);

    // The same weights from a file give the same maps.
    const bytes = await page.evaluate(async () => Array.from((await window.ravenPlayground!.client.call("exportWeights", {})).bytes));
    expect(await changeExplorer(page, () => page.setInputFiles("#ex-file", { name: "trained.safetensors", mimeType: "application/octet-stream", buffer: Buffer.from(bytes) }))).toBe("ready");
    expect(await page.isChecked('input[name="ex-source"][value="file"]')).toBe(true);
    expect(await page.textContent("#ex-source-info")).toContain("trained.safetensors");
    expect(await explorerWeights(page)).toEqual(block1);
    await screenshot(page, "explorer-trained");

    // A corrupt file: the message, and the maps stay.
    expect(await changeExplorer(page, () => page.setInputFiles("#ex-file", { name: "bad.safetensors", mimeType: "application/octet-stream", buffer: Buffer.from("not a checkpoint") }))).toBe("error");
    expect(await page.textContent("#explorer-error")).toMatch(/^Could not open bad\.safetensors: kaun\.modelFromCheckpoint: /);
    expect(await explorerWeights(page)).toEqual(block1);
    // Characters the model does not know are named.
    expect(await changeExplorer(page, () => page.fill("#ex-text", "Zero"))).toBe("error");
    expect(await page.textContent("#explorer-error")).toBe('tinyLM.encode: the vocabulary has no "Z" (it knows 56 characters)');
  });

  it("logged no page errors and no console errors", () => {
    expect(app.session.problems).toEqual([]);
  });
});
