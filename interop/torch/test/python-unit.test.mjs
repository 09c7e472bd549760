// The Python unit tests of the twin (test/test_*.py, unittest): safetensors I/O, load_raven's checks, the modules.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { INTEROP_DIR } from "../js/python.mjs";
import { SKIP_REASON, torchPython } from "./helpers.mjs";

const python = torchPython();

test("python3 -m unittest discover -s test (raven_torch)", { skip: python === undefined ? SKIP_REASON : false }, () => {
  const r = spawnSync(/** @type {string} */ (python), ["-m", "unittest", "discover", "-s", "test", "-p", "test_*.py", "-v"], {
    cwd: INTEROP_DIR,
    encoding: "utf8",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", OMP_NUM_THREADS: "1" },
  });
  const summary = r.stderr.trim().split("\n").slice(-3).join(" ");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Ran \d+ tests/);
  console.log(`  ${summary}`);
});
