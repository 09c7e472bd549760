// Benchmark in headless Chromium: nx's CPU backend (WebAssembly SIMD, one
// thread and two) against tfjs-wasm (SIMD, one thread) on the same page,
// float32 matmul. The page (bench/browser/page.mjs, bundled with esbuild) is
// served from 127.0.0.1 with COOP/COEP headers, so it is cross-origin
// isolated (SharedArrayBuffer, nx's Web Worker); Debian's /usr/bin/chromium
// runs it, launched by the workspace's @raven-ts/chromium (playwright-core).
//
//   pnpm --filter @raven-ts/nx bench:browser [-- --quick] [-- --markdown]

import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatTable, machineLine, parseBenchArgs, summarize } from "@raven-ts/bench";
import { CHROMIUM_PATH, hasChromium, launchChromium } from "@raven-ts/chromium";
import { build } from "esbuild";

const USAGE = `usage: node bench/browser.mjs [options]

  --quick        few repetitions: a smoke test, not figures to record
  --markdown     also print the results as a markdown table
  --help         this text`;
const args = parseBenchArgs(USAGE);

if (!hasChromium()) {
  console.log(`Chromium: ${CHROMIUM_PATH} not found; skipped (apt-get install chromium)`);
  process.exit(0);
}

const require = createRequire(import.meta.url);
const tfjsWasmDist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")) + "/dist";
const bundled = await build({
  entryPoints: [fileURLToPath(new URL("./browser/page.mjs", import.meta.url))],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  logLevel: "silent",
  external: ["fs", "path", "worker_threads", "perf_hooks", "os"],
});
const script = bundled.outputFiles[0]?.text ?? "";

const server = createServer((req, res) => {
  const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cache-Control": "no-store" };
  const url = req.url ?? "/";
  if (url === "/") {
    res.writeHead(200, { ...headers, "Content-Type": "text/html" });
    res.end('<!doctype html><script type="module" src="/page.js"></script>');
  } else if (url === "/page.js") {
    res.writeHead(200, { ...headers, "Content-Type": "text/javascript" });
    res.end(script);
  } else if (url.startsWith("/tfjs-wasm/") && /^[\w.-]+\.wasm$/.test(url.slice(11)) && existsSync(join(tfjsWasmDist, url.slice(11)))) {
    res.writeHead(200, { ...headers, "Content-Type": "application/wasm" });
    res.end(readFileSync(join(tfjsWasmDist, url.slice(11))));
  } else {
    res.writeHead(404, headers);
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
const address = server.address();
const port = typeof address === "object" && address ? address.port : 0;

const { context, close } = await launchChromium();
try {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => "nxBench" in globalThis, undefined, { timeout: 30_000 });
  if (errors.length > 0) throw new Error(errors.join("; "));
  const version = context.browser()?.version() ?? "?";
  console.log(`@raven-ts/nx browser benchmark${args.quick ? " (--quick: smoke test, do not record)" : ""}`);
  console.log(`machine: ${machineLine()} · Chromium ${version} (headless)`);
  /** @type {import("@raven-ts/bench").TableRow[]} */
  const rows = [];
  for (const n of [256, 512]) {
    const info = await page.evaluate((size) => globalThis.nxBench.setup(size), n);
    if (rows.length === 0) console.log(`page: crossOriginIsolated ${info.crossOriginIsolated}; nx simd ${info.simd}, second side ${info.threads} threads; tfjs ${info.tfjs}`);
    const diff = await page.evaluate(() => globalThis.nxBench.check());
    if (!(diff < 1e-3 * Math.sqrt(n))) throw new Error(`matmul ${n}: nx and tfjs-wasm disagree (max abs difference ${diff})`);
    await page.evaluate((r) => globalThis.nxBench.run(r), 3); // warmup
    const samples = await page.evaluate((r) => globalThis.nxBench.run(r), args.quick ? 3 : 25);
    const results = Object.entries(samples).map(([name, s]) => ({ name, ...summarize(s) }));
    rows.push({ label: `matmul ${n}`, results });
    console.log(`matmul ${n}: ${results.map((m) => `${m.name} ${m.median.toFixed(2)} ms`).join(" · ")} (max abs diff ${diff.toExponential(1)})`);
  }
  const ratios = [["nx", "tfjs-wasm"], ["nx 2 threads", "tfjs-wasm"]];
  console.log(`\n${formatTable(rows, { ratios })}`);
  if (args.markdown) console.log(`\n${formatTable(rows, { ratios, markdown: true })}`);
} finally {
  await close();
  server.close();
}
