/**
 * The Bench panel in headless Chromium: the chosen backends (both nx CPU
 * paths, gpu.js WebGL2 and WebAssembly) are timed on
 * matmul 256, matmul 512 and an MHA forward pass, shown as bars and a table,
 * and the page names the device, the browser, the GL renderer and each
 * backend's mode.
 */
import { describe, expect, it } from "vitest";
import { screenshot, useApp } from "./support/app.js";
import { browserTestsRun } from "./support/browser.js";

interface Row {
  backend: string;
  cells: string[];
}

describe.skipIf(!browserTestsRun())("benchmarks", () => {
  const app = useApp("bench");

  it("names the device, the browser and the GL renderer", async () => {
    const device = (await app.session.page.textContent("#bench-device")) ?? "";
    expect(device).toMatch(/logical cores/);
    expect(device).toMatch(/Chromium \d+|HeadlessChrome \d+|Chrome \d+/);
    expect(device).toContain("SwiftShader");
    expect(device).toContain("cross-origin isolated (SharedArrayBuffer available)");
  });

  it("times each chosen backend on every case and draws the bars", async () => {
    const { page } = app.session;
    // gpu.js WebGL (WebGL1) is left out to keep CI short: on SwiftShader it costs what WebGL2 does.
    await page.uncheck('#bench-backends input[value="gpujs-webgl"]');
    await page.click("#bench-run");
    await page.waitForSelector('#bench-table tbody[data-state="done"]', { timeout: 300_000 });
    expect(await page.isHidden("#bench-error")).toBe(true);
    const rows: Row[] = await page.$$eval("#bench-table tbody tr", (trs) =>
      trs.map((tr) => ({ backend: (tr as HTMLElement).dataset.backend ?? "", cells: [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "") })),
    );
    expect(rows.map((r) => `${r.backend} ${r.cells[3] ?? ""}`)).toEqual(
      ["cpu", "cpu-ts", "gpujs-webgl2", "gpujs-webasm"].flatMap((b) => ["matmul 256", "matmul 512", "MHA forward"].map((c) => `${b} ${c}`)),
    );
    const byBackend = (id: string): Row[] => rows.filter((r) => r.backend === id);
    for (const id of ["cpu", "cpu-ts", "gpujs-webgl2", "gpujs-webasm"]) {
      for (const row of byBackend(id)) {
        expect(row.cells[2]).toBe("Web Worker");
        expect(Number(row.cells[4])).toBeGreaterThan(0);
        expect(Number(row.cells[5])).toBeGreaterThan(0);
      }
    }
    // Cross-origin isolated, so nx's WebAssembly kernels get threads (one per hardware thread, up to 8).
    expect(byBackend("cpu")[0]?.cells[0]).toBe("nx CPU (WebAssembly SIMD)");
    expect(byBackend("cpu")[0]?.cells[1]).toMatch(/^WebAssembly SIMD, \d+ threads?$/);
    expect(byBackend("cpu-ts")[0]?.cells.slice(0, 2)).toEqual(["nx CPU (TypeScript)", "TypeScript kernels"]);
    expect(byBackend("gpujs-webgl2")[0]?.cells.slice(0, 2)).toEqual(["gpu.js WebGL2", "webgl2"]);
    expect(byBackend("gpujs-webasm")[0]?.cells.slice(0, 2)).toEqual(["gpu.js WebAssembly", "webasm"]);
    expect(await page.isVisible("#bench-chart-box")).toBe(true);
    await screenshot(page, "bench");
  });

  it("logged no page errors and no console errors", () => {
    expect(app.session.problems).toEqual([]);
  });
});
