// DDP: two loopback processes train 20 steps from a raven-ts checkpoint; raven-ts loads the result.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { roundTrip } from "../js/roundtrip.mjs";
import { relativeError, SKIP_REASON, torchPython } from "./helpers.mjs";

const python = torchPython();

describe("train_ddp.py: raven-ts -> PyTorch DDP (2 processes, gloo on loopback) -> raven-ts", { skip: python === undefined ? SKIP_REASON : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), "raven-ddp-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("20 steps lower the loss, and raven-ts's loss of the written checkpoint on the fixed batch equals PyTorch's", async () => {
    const started = performance.now();
    const r = await roundTrip(/** @type {string} */ (python), { dir, ravenSteps: 3, torchSteps: 20, nprocs: 2 });
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
});
