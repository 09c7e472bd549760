// nx's CPU backend in headless Chromium (Debian's /usr/bin/chromium, launched by @raven-ts/chromium):
// the page (test/browser/page.ts, bundled with esbuild) runs the WebAssembly path with two
// threads when served cross-origin isolated, and on an unshared memory without threads when not.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { browserTestsRun, launchChromium } from "@raven-ts/chromium";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

interface PageResult {
  crossOriginIsolated: boolean;
  simd: boolean;
  threads: number;
  workersReady: number;
  matmulError: number;
  grown: boolean;
  after: number[];
  expErr: number;
  sum: number;
  wantSum: number;
}

/** Serves the bundled page (with or without COOP/COEP), opens it in Chromium and returns what it reports. */
async function runPage(isolated: boolean): Promise<PageResult> {
  const bundled = await build({ entryPoints: [fileURLToPath(new URL("./browser/page.ts", import.meta.url))], bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "silent" });
  const script = bundled.outputFiles[0]?.text ?? "";
  const headers: Record<string, string> = isolated ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } : {};
  const server = createServer((req, res) => {
    if (req.url === "/") {
      res.writeHead(200, { ...headers, "Content-Type": "text/html" });
      res.end('<!doctype html><script type="module" src="/page.js"></script>');
    } else if (req.url === "/page.js") {
      res.writeHead(200, { ...headers, "Content-Type": "text/javascript" });
      res.end(script);
    } else {
      res.writeHead(404, headers);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const { context, close } = await launchChromium();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => "nxPage" in globalThis, undefined, { timeout: 30_000 });
    const result = await page.evaluate(() => (globalThis as unknown as { nxPage: { run(): Promise<PageResult> } }).nxPage.run());
    expect(errors).toEqual([]);
    return result;
  } finally {
    await close();
    server.close();
  }
}

describe.skipIf(!browserTestsRun())("cpu backend in Chromium", () => {
  it("cross-origin isolated: WebAssembly SIMD on shared memory with a worker thread", async () => {
    const r = await runPage(true);
    expect(r.crossOriginIsolated).toBe(true);
    expect([r.simd, r.threads, r.workersReady]).toEqual([true, 2, 1]);
    expect(r.matmulError).toBeLessThan(1e-5);
    expect(r.expErr).toBeLessThan(3e-7);
    expect(Math.abs(r.sum - r.wantSum)).toBeLessThan(1e-4);
    expect(r.after).toEqual([2, 4, 6]);
  }, 60_000);

  it("not isolated: an unshared memory, one thread, tensors intact after the memory grows", async () => {
    const r = await runPage(false);
    expect(r.crossOriginIsolated).toBe(false);
    expect([r.simd, r.threads, r.workersReady]).toEqual([true, 1, 0]);
    expect(r.matmulError).toBeLessThan(1e-5);
    expect(r.grown).toBe(true);
    expect(r.after).toEqual([2, 4, 6]);
    expect(Math.abs(r.sum - r.wantSum)).toBeLessThan(1e-4);
  }, 60_000);
});
