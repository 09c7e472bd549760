/**
 * Backends in headless Chromium (WebGL on SwiftShader here): gpu.js WebGL2
 * and gpu.js WebAssembly train in the Web Worker; a backend the worker may not build moves the
 * engine (and the weights) to the main thread, saying so in the page; a
 * backend the device lacks altogether is refused with a message, and the
 * app keeps working on the backend it had.
 */
import { afterAll, describe, expect, it } from "vitest";
import { openApp, pauseTraining, screenshot, trainStep, trainSteps, useServer } from "./support/app.js";
import { browserTestsRun, openSession, type Session } from "./support/browser.js";

async function selectBackend(session: Session, id: string): Promise<void> {
  const { page } = session;
  await page.selectOption("#tr-backend", id);
  await page.waitForSelector("#tr-reset:not([disabled])");
}

describe.skipIf(!browserTestsRun())("backends", () => {
  const server = useServer();
  const sessions: Session[] = [];

  afterAll(async () => {
    for (const s of sessions) await s.close();
  });

  /**
   * `trainsInWorker(id, shown, steps, timeout)`: on a fresh page, backend
   * `id` is selected, builds in the Web Worker (the model line names it as
   * `shown`), and trains `steps` steps to a plausible loss without an error.
   */
  async function trainsInWorker(id: string, shown: string, steps: number, timeout?: number): Promise<void> {
    const session = await openSession();
    sessions.push(session);
    const { page } = session;
    await openApp(page, server.url, "train");
    await selectBackend(session, id);
    expect(await page.isHidden("#train-error")).toBe(true);
    expect(await page.textContent("#tr-placement")).toBe("Training runs in a Web Worker, off the main thread.");
    // The label alone: gpu.js runs in the mode asked for (otherwise "(running as ...)" follows).
    expect(await page.textContent("#tr-model")).toMatch(new RegExp(` · ${shown.replace(/[.()]/g, "\\$&")}$`));
    await trainSteps(page, 50, steps, timeout);
    const loss = Number(await page.textContent("#tr-loss"));
    expect(loss).toBeGreaterThan(2);
    expect(loss).toBeLessThan(5);
    await pauseTraining(page);
    expect(await page.isHidden("#train-error")).toBe(true);
    expect(session.problems).toEqual([]);
  }

  it("gpu.js WebGL2 can be selected and runs training steps in the Web Worker", async () => {
    await trainsInWorker("gpujs-webgl2", "gpu.js WebGL2", 2, 180_000);
  });

  it("gpu.js WebAssembly can be selected and runs training steps in the Web Worker", async () => {
    // A step builds about 180 kernels: more than the ~125 WebAssembly memories
    // Chromium allows, had each kernel its own (backend-gpujs shares one).
    await trainsInWorker("gpujs-webasm", "gpu.js WebAssembly", 3);
  });

  it("falls back to the main thread when the worker cannot build a backend, and says so", async () => {
    const session = await openSession();
    sessions.push(session);
    const { page } = session;
    await openApp(page, server.url, "train", "?workerBackends=cpu");
    await trainSteps(page, 50, 2);
    await pauseTraining(page);
    const [step] = await trainStep(page);
    await selectBackend(session, "gpujs-webgl");
    expect(await page.textContent("#tr-placement")).toBe(
      "Training runs on the main thread, yielding between steps (the page may pause during each step), because the Web Worker could not use this backend: playground: gpu.js WebGL is not available in a Web Worker here",
    );
    // The weights and the step count moved with the engine.
    expect((await trainStep(page))[0]).toBe(step);
    expect(await page.textContent("#tr-model")).toMatch(/ · gpu\.js WebGL$/);
    // One step there: a fresh model with a budget of 1 finishes by itself (the page is busy during a step on SwiftShader).
    await page.fill("#tr-steps", "1");
    await page.click("#tr-reset");
    await page.waitForFunction(() => document.getElementById("tr-step")?.textContent === "0 / 1");
    await page.dispatchEvent("#tr-start", "click");
    await page.waitForFunction(() => document.getElementById("tr-step")?.textContent === "1 / 1", undefined, { timeout: 180_000 });
    expect(Number(await page.textContent("#tr-loss"))).toBeGreaterThan(3);
    await screenshot(page, "train-main-thread");
    // Back to a backend the worker has: the engine returns to it.
    await selectBackend(session, "cpu");
    expect(await page.textContent("#tr-placement")).toBe("Training runs in a Web Worker, off the main thread.");
    expect(session.problems).toEqual([]);
  });

  it("refuses a backend this device lacks with a readable message and keeps the one it had", async () => {
    // No WebGL on the page (--disable-3d-apis) and none allowed in the worker: WebGL2 is missing everywhere.
    const session = await openSession({ width: 1280, height: 800 }, ["--disable-3d-apis"]);
    sessions.push(session);
    const { page } = session;
    await openApp(page, server.url, "train", "?workerBackends=cpu");
    await selectBackend(session, "gpujs-webgl2");
    expect(await page.textContent("#train-error")).toBe(
      'Could not switch to gpu.js WebGL2: in a Web Worker: playground: gpu.js WebGL2 is not available in a Web Worker here — on the main thread: gpujsBackend: mode "webgl2" is not available here: it needs a browser page or Web Worker (with OffscreenCanvas) with WebGL2',
    );
    expect(await page.inputValue("#tr-backend")).toBe("cpu");
    await screenshot(page, "train-missing-backend");
    await trainSteps(page, 50, 2);
    await pauseTraining(page);
    expect(await page.textContent("#tr-model")).toContain("nx CPU");
    expect(session.problems).toEqual([]);
  });
});
