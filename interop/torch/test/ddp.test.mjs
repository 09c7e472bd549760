// DDP: two loopback processes train 20 steps from a raven-ts checkpoint; raven-ts loads the result.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { INTEROP_DIR } from "../js/python.mjs";
import { modelFromCheckpoint } from "@raven-ts/kaun-attention";
import { batchLoss } from "../js/raven.mjs";
import { roundTrip } from "../js/roundtrip.mjs";
import { relativeError, SKIP_REASON, torchPython } from "./helpers.mjs";

/** A TCP port free on loopback now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/**
 * Runs `python args` with `env` added and resolves with its exit code and stderr.
 * @param {string} python
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @returns {Promise<{ code: number | null, stderr: string }>}
 */
function run(python, args, env) {
  return new Promise((resolve) => {
    const child = spawn(python, args, { cwd: INTEROP_DIR, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const python = torchPython();

describe("train_ddp.py: raven-ts -> PyTorch DDP (2 processes, gloo on loopback) -> raven-ts", { skip: python === undefined ? SKIP_REASON : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), "raven-ddp-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** The round trip's result, which the torchrun-style launch starts from. */
  let trip = /** @type {Awaited<ReturnType<typeof roundTrip>> | undefined} */ (undefined);

  test("20 steps lower the loss, and raven-ts's loss of the written checkpoint on the fixed batch equals PyTorch's", async () => {
    const started = performance.now();
    const r = await roundTrip(/** @type {string} */ (python), { dir, ravenSteps: 3, torchSteps: 20, nprocs: 2 });
    trip = r;
    const seconds = (performance.now() - started) / 1000;
    const { report } = r;
    assert.equal(report.worldSize, 2);
    assert.equal(report.backend, "gloo");
    assert.equal(report.losses.length, 20);
    assert.ok(report.losses.every(Number.isFinite));
    // The loss falls: on the fixed batch (no dropout), and over the training batches.
    const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(report.fixedLossAfter < report.fixedLossBefore - 0.3, `fixed-batch loss ${report.fixedLossBefore} -> ${report.fixedLossAfter}`);
    assert.ok(mean(report.losses.slice(-5)) < mean(report.losses.slice(0, 5)) - 0.3, `training loss ${report.losses.join(", ")}`);
    // Both sides compute the same loss on the same batch: the checkpoint raven-ts wrote, and the one PyTorch wrote.
    const before = relativeError([r.ravenLossBefore], [report.fixedLossBefore]);
    const afterErr = relativeError([r.ravenLoss], [report.fixedLossAfter]);
    assert.ok(before <= 1e-5, `raven-ts ${r.ravenLossBefore} vs PyTorch ${report.fixedLossBefore} before training`);
    assert.ok(afterErr <= 1e-5, `raven-ts ${r.ravenLoss} vs PyTorch ${report.fixedLossAfter} after training`);
    // The file carries the demo's model and vocabulary, and decodes in raven-ts.
    assert.deepEqual(r.model.config, r.trained.model.config);
    assert.deepEqual(JSON.parse(/** @type {string} */ (r.metadata["raven.vocab"])), r.corpus.chars);
    const text = r.sample({ model: r.model, state: { vars: r.vars, opt: r.trained.state.opt }, corpus: r.corpus }, "Shall", { length: 20, seed: 1 });
    assert.equal(text.length, 25);
    console.log(`  fixed-batch loss ${report.fixedLossBefore.toFixed(4)} -> ${report.fixedLossAfter.toFixed(4)} (raven-ts ${r.ravenLoss.toFixed(6)}, relative difference ${afterErr.toExponential(1)}); DDP ${Math.round(report.tokensPerSecond)} tokens/s; whole round trip ${seconds.toFixed(1)} s`);
  });

  test("launched as torchrun launches it (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR/PORT), each process is one worker", async () => {
    assert.ok(trip, "the round trip ran");
    const port = String(await freePort());
    const out = join(dir, "torchrun.safetensors");
    const report = join(dir, "torchrun-report.json");
    const args = ["train_ddp.py", "--checkpoint", trip.paths.raven, "--out", out, "--report", report, "--steps", "5"];
    const env = (/** @type {number} */ rank) => ({ RANK: String(rank), WORLD_SIZE: "2", LOCAL_RANK: String(rank), MASTER_ADDR: "127.0.0.1", MASTER_PORT: port, GLOO_SOCKET_IFNAME: "lo", OMP_NUM_THREADS: "1" });
    const results = await Promise.all([0, 1].map((rank) => run(/** @type {string} */ (python), args, env(rank))));
    results.forEach((res, rank) => assert.equal(res.code, 0, `rank ${rank}: ${res.stderr}`));
    const written = JSON.parse(readFileSync(report, "utf8"));
    assert.equal(written.worldSize, 2);
    assert.equal(written.losses.length, 5);
    const loaded = modelFromCheckpoint(readFileSync(out), { kind: "decoderLM" });
    const loss = batchLoss(loaded.layer, loaded.vars, trip.corpus.ids, written.fixedStarts, written.seqLen);
    assert.ok(relativeError([loss], [written.fixedLossAfter]) <= 1e-5, `raven-ts ${loss} vs PyTorch ${written.fixedLossAfter}`);
  });
});
