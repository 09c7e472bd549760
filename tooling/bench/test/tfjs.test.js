// Tests of the tfjs peer loader and the comparison helper. The harness does
// not depend on tfjs: the loader is exercised from packages/nx, which declares
// the tfjs packages, and skipped when that package is not installed.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

import { loadTfjs, maxAbsDiff } from "../src/index.js";

test("maxAbsDiff is the largest absolute difference, Infinity on NaN or length mismatch", () => {
  assert.equal(maxAbsDiff([], []), 0);
  assert.equal(maxAbsDiff([1, 2, 3], [1, 2.5, 2]), 1);
  assert.equal(maxAbsDiff(Float32Array.of(-1, 4), Float64Array.of(1, 4)), 2);
  assert.equal(maxAbsDiff([1, 2], [1]), Infinity);
  assert.equal(maxAbsDiff([1, Number.NaN], [1, 2]), Infinity);
  assert.equal(maxAbsDiff([Number.NaN], [Number.NaN]), Infinity);
});

test("loadTfjs validates from and names the missing packages", async () => {
  await assert.rejects(loadTfjs(/** @type {any} */ ({})), TypeError);
  await assert.rejects(loadTfjs(/** @type {any} */ (undefined)), TypeError);
  // No node_modules with tfjs above the temporary directory.
  const nowhere = pathToFileURL(path.join(os.tmpdir(), "raven-bench-no-tfjs", "run.mjs"));
  await assert.rejects(loadTfjs({ from: nowhere }), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /bench\.loadTfjs: cannot resolve @tensorflow\/tfjs-core from /);
    assert.match(err.message, /devDependencies/);
    return true;
  });
});

const nxBench = new URL("../../../packages/nx/bench/run.mjs", import.meta.url);
let tfjsAvailable = true;
try {
  createRequire(nxBench).resolve("@tensorflow/tfjs-backend-wasm");
} catch {
  tfjsAvailable = false;
}

test("loadTfjs sets up tfjs-core with the cpu and wasm backends", { skip: tfjsAvailable ? false : "packages/nx has no tfjs installed" }, async () => {
  /** @type {import("../src/index.js").TfjsPeers<any>} */
  const peers = await loadTfjs({ from: nxBench });
  const { tf } = peers;
  // The same instance the benchmarked package gets from a plain import.
  const direct = await import(pathToFileURL(createRequire(nxBench).resolve("@tensorflow/tfjs-core")).href);
  assert.equal(tf, direct);
  assert.equal(tf.getBackend(), "cpu");
  assert.match(peers.version, /^\d+\.\d+\.\d+/);
  assert.ok(peers.wasmDir.endsWith(path.sep));
  assert.equal(
    peers.description,
    `tfjs-core ${peers.version}; tfjs-cpu; tfjs-wasm (SIMD ${peers.wasmSimd ? "on" : "off"}, threads ${peers.wasmThreads ? "on" : "off"})`,
  );
  for (const name of /** @type {const} */ (["wasm", "cpu", "cpu"])) {
    await peers.use(name);
    assert.equal(tf.getBackend(), name);
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2])));
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    y.dispose();
  }
  // A second call reuses the registered backends.
  const again = await loadTfjs({ from: nxBench });
  assert.equal(again.tf, tf);
  assert.equal(tf.getBackend(), "cpu");
});

test("loadTfjs({ gradients: true }) registers tfjs's gradients on both backends", { skip: tfjsAvailable ? false : "packages/nx has no tfjs installed" }, async () => {
  /** @type {import("../src/index.js").TfjsPeers<any>} */
  const peers = await loadTfjs({ from: nxBench, gradients: true });
  const { tf } = peers;
  assert.equal(peers.gradients, true);
  for (const name of /** @type {const} */ (["cpu", "wasm"])) {
    await peers.use(name);
    const before = tf.memory().numTensors;
    // d/dx sum(softmax(x) * c) = s * (c - <s, c>), s = softmax(x)
    const [g] = tf.tidy(() => tf.grads((/** @type {any} */ x) => tf.sum(tf.mul(tf.softmax(x), tf.tensor1d([1, 0, 0]))))([tf.tensor1d([1, 2, 3])]));
    const e = [1, 2, 3].map(Math.exp);
    const total = e.reduce((a, b) => a + b, 0);
    const s = e.map((v) => v / total);
    const expected = s.map((v, i) => v * ((i === 0 ? 1 : 0) - /** @type {number} */ (s[0])));
    assert.ok(maxAbsDiff(g.dataSync(), expected) < 1e-6, `${name}: ${Array.from(g.dataSync())} vs ${expected}`);
    g.dispose();
    assert.equal(tf.memory().numTensors, before);
  }
  await peers.use("cpu");
});
