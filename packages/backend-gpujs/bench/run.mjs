// Benchmark of @raven-ts/backend-gpujs, timed interleaved with peers in one run:
//
//   pnpm --filter @raven-ts/backend-gpujs bench [-- --quick] [-- --only node|chromium] [-- --markdown]
//
// Node: nx on the gpujs backend in `webasm` mode vs nx's CPU backend vs
// tfjs-wasm, on matmul 256/512, a multi-head-attention forward and the top-50
// of vocabulary-sized rows.
// Chromium (Debian's, headless, driven by playwright-core): the gpujs backend
// in `webgl2` mode vs @tensorflow/tfjs-backend-webgl on the same page, matmul
// 256 with resident inputs, MHA forward [1,64,128] and top-50 of [8,32000]. Both run on
// SwiftShader here: CPU-emulated WebGL, so those are not GPU timings.
// Every timed call reads its result back (dataSync) and disposes it.
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { compare, formatTable, loadTfjs, machineLine, maxAbsDiff } from "@raven-ts/bench";
import * as nx from "@raven-ts/nx";
import { gpujsBackend } from "../dist/index.js";
import { bundle, hasChromium, openPage } from "../scripts/chromium.mjs";
import { matmulCase, mhaCase, seeded, topkCase } from "./cases.mjs";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    markdown: { type: "boolean", default: false },
  },
});
const runs = args.quick ? 3 : 10;
const warmup = args.quick ? 1 : 3;

console.log(machineLine());

async function nodeBench() {
  const peers = await loadTfjs({ from: import.meta.url });
  const gpujs = gpujsBackend({ mode: "webasm" });
  const rows = [];
  for (const c of [matmulCase(256), matmulCase(512), mhaCase(1, 64, 128, 4), mhaCase(4, 128, 256, 8), topkCase(8, 32000, 50), topkCase(1, 50257, 50)]) {
    const data = c.inputs.map((inp, i) => seeded(inp.shape.reduce((a, b) => a * b, 1), 17 + i));
    const nxSide = (name, backend) => {
      let xs = [];
      return {
        name,
        activate: () => nx.setBackend(backend),
        setup: () => {
          xs = c.inputs.map((inp, i) => nx.tensor(data[i], { shape: inp.shape }));
        },
        fn: () => {
          const out = c.nx(nx, xs);
          out.dataSync();
          out.dispose();
        },
        teardown: () => nx.dispose(xs),
        result: () => nx.tidy(() => c.nx(nx, c.inputs.map((inp, i) => nx.tensor(data[i], { shape: inp.shape }))).dataSync()),
      };
    };
    let tfXs = [];
    const tfSide = {
      name: "tfjs-wasm",
      activate: () => peers.use("wasm"),
      setup: () => {
        tfXs = c.inputs.map((inp, i) => peers.tf.tensor(data[i], inp.shape, "float32"));
      },
      fn: () => {
        const out = c.tf(peers.tf, tfXs);
        out.dataSync();
        out.dispose();
      },
      teardown: () => peers.tf.dispose(tfXs),
    };
    const sides = [nxSide("gpujs-webasm", gpujs), nxSide("nx-cpu", "cpu"), tfSide];
    nx.setBackend(gpujs);
    const a = sides[0].result();
    nx.setBackend("cpu");
    const b = sides[1].result();
    console.log(`${c.label}: max |gpujs-webasm - nx-cpu| = ${maxAbsDiff(a, b).toExponential(2)}`);
    rows.push({ label: c.label, results: await compare(sides, { warmup, runs }) });
  }
  console.log(`\nNode (${peers.description}; gpujs ${gpujs.mode}, ${gpujs.stats().kernelsCompiled} kernels compiled)`);
  const opts = { ratios: [["gpujs-webasm", "nx-cpu"], ["gpujs-webasm", "tfjs-wasm"]] };
  console.log(formatTable(rows, opts));
  if (args.markdown) console.log(formatTable(rows, { ...opts, markdown: true }));
}

async function chromiumBench() {
  if (!hasChromium()) {
    console.log("\nChromium: /usr/bin/chromium not found; skipped (apt-get install chromium)");
    return;
  }
  const script = await bundle(fileURLToPath(new URL("./browser/page.mjs", import.meta.url)));
  const { page, close } = await openPage(script);
  try {
    const rows = [];
    for (const label of ["matmul 256", "mha 1x64x128", "topk 50 8x32000"]) {
      await page.evaluate((l) => globalThis.gpujsBench.setup(l), label);
      const check = await page.evaluate(() => globalThis.gpujsBench.check());
      console.log(`${label}: max |gpujs-webgl2 - tfjs-webgl| = ${check.maxAbsDiff.toExponential(2)} over ${check.size} values`);
      const side = (name) => ({ name, fn: () => page.evaluate((s) => globalThis.gpujsBench.run(s), name) });
      rows.push({ label: `${label} (resident inputs)`, results: await compare([side("gpujs-webgl2"), side("tfjs-webgl")], { warmup, runs }) });
      await page.evaluate(() => globalThis.gpujsBench.teardown());
    }
    const renderer = await page.evaluate(() => {
      const gl = document.createElement("canvas").getContext("webgl2");
      const info = gl?.getExtension("WEBGL_debug_renderer_info");
      return gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "unknown";
    });
    console.log(`\nChromium, ${renderer} (SwiftShader is CPU emulation: these are not GPU timings)`);
    const opts = { ratios: [["gpujs-webgl2", "tfjs-webgl"]] };
    console.log(formatTable(rows, opts));
    if (args.markdown) console.log(formatTable(rows, { ...opts, markdown: true }));
  } finally {
    await close();
  }
}

if (args.only !== "chromium") await nodeBench();
if (args.only !== "node") await chromiumBench();
