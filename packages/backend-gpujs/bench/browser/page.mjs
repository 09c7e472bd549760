// The Chromium benchmark page: the gpujs backend (webgl2) and
// @tensorflow/tfjs-backend-webgl on the same page and the same WebGL
// implementation (SwiftShader here). Node drives it through playwright-core
// (bench/run.mjs) and times each call; inputs stay resident between calls.
import * as nx from "@raven-ts/nx";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgl";
import { gpujsBackend } from "../../src/index.ts";
import { matmulCase, mhaCase, seeded, topkCase } from "../cases.mjs";

const CASES = { "matmul 256": matmulCase(256), "mha 1x64x128": mhaCase(1, 64, 128, 4), "topk 50 8x32000": topkCase(8, 32000, 50) };

let current = null;
let backend = null;

globalThis.gpujsBench = {
  /** Sets up both sides of `label` with resident inputs. */
  async setup(label) {
    const c = CASES[label];
    const data = c.inputs.map((inp, i) => seeded(inp.shape.reduce((a, b) => a * b, 1), 17 + i));
    await tf.setBackend("webgl");
    await tf.ready();
    backend ??= gpujsBackend({ mode: "webgl2" });
    nx.setBackend(backend);
    current = {
      c,
      nxInputs: c.inputs.map((inp, i) => nx.tensor(data[i], { shape: inp.shape })),
      tfInputs: c.inputs.map((inp, i) => tf.tensor(data[i], inp.shape, "float32")),
    };
    return { renderer: tf.backend().gpgpu ? String(tf.env().getNumber("WEBGL_VERSION")) : "?", mode: backend.mode };
  },
  /** One timed call: the op and a read back of its result. */
  run(side) {
    const { c, nxInputs, tfInputs } = current;
    if (side === "gpujs-webgl2") {
      const out = c.nx(nx, nxInputs);
      out.dataSync();
      out.dispose();
    } else {
      const out = c.tf(tf, tfInputs);
      out.dataSync();
      out.dispose();
    }
  },
  /** Largest |gpujs - tfjs| of the outputs, and the gpujs compile count. */
  check() {
    const { c, nxInputs, tfInputs } = current;
    const a = c.nx(nx, nxInputs);
    const b = c.tf(tf, tfInputs);
    const x = a.dataSync();
    const y = b.dataSync();
    let m = 0;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
    a.dispose();
    b.dispose();
    return { maxAbsDiff: m, size: x.length, kernelsCompiled: backend.stats().kernelsCompiled };
  },
  teardown() {
    nx.dispose(current.nxInputs);
    tf.dispose(current.tfInputs);
    current = null;
  },
};
