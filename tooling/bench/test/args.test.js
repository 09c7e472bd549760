// Tests of the command-line helpers shared by the benchmark scripts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

import { parseBenchArgs, selectCases } from "../src/index.js";

const INDEX_URL = new URL("../src/index.js", import.meta.url).href;

/**
 * Runs `code` (an ES module importing the harness as `bench`) in a child Node
 * process and returns its exit status, stdout and stderr.
 *
 * @param {string} code
 */
function runModule(code) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import * as bench from ${JSON.stringify(INDEX_URL)};\n${code}`], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("parseBenchArgs: the workspace's options and their defaults", () => {
  assert.deepEqual({ ...parseBenchArgs("usage", {}, []) }, { quick: false, markdown: false, help: false });
  const args = parseBenchArgs("usage", {}, ["--quick", "--only", "matmul", "--markdown", "--only=softmax"]);
  assert.equal(args.quick, true);
  assert.equal(args.markdown, true);
  assert.deepEqual(args.only, ["matmul", "softmax"]);
  assert.equal(parseBenchArgs("usage", {}, []).only, undefined);
});

test("parseBenchArgs skips the leading -- that pnpm passes through, and only that one", () => {
  assert.equal(parseBenchArgs("usage", {}, ["--", "--quick"]).quick, true);
  assert.throws(() => parseBenchArgs("usage", {}, ["--quick", "--", "--markdown"]), TypeError);
});

test("parseBenchArgs adds the script's own options", () => {
  const extra = { "peers-only": { type: /** @type {const} */ ("boolean"), default: false } };
  assert.equal(parseBenchArgs("usage", extra, []).quick, false);
  assert.equal(parseBenchArgs("usage", extra, [])["peers-only"], false);
  assert.equal(parseBenchArgs("usage", extra, ["--", "--peers-only", "--quick"])["peers-only"], true);
  assert.throws(() => parseBenchArgs("usage", {}, ["--peers-only"]), TypeError);
});

test("parseBenchArgs rejects unknown options, positionals, missing values and clashing extras", () => {
  assert.throws(() => parseBenchArgs("usage", {}, ["--quik"]), TypeError);
  assert.throws(() => parseBenchArgs("usage", {}, ["matmul"]), TypeError);
  assert.throws(() => parseBenchArgs("usage", {}, ["--only"]), TypeError);
  assert.throws(() => parseBenchArgs("usage", { quick: { type: "string" } }, []), /bench\.parseBenchArgs: extraOptions may not redefine --quick/);
  assert.throws(() => parseBenchArgs(/** @type {any} */ (undefined), {}, []), TypeError);
});

test("parseBenchArgs --help prints the usage and exits with status 0", () => {
  const r = runModule(`bench.parseBenchArgs("usage: run.mjs [options]\\n  --quick  few repetitions", {}, ["--", "--help"]);\nconsole.log("not reached");`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "usage: run.mjs [options]\n  --quick  few repetitions\n");
});

test("selectCases keeps the cases whose label contains an --only value, in order", () => {
  const cases = [{ label: "add 1M" }, { label: "matmul 512" }, { label: "softmax 1M" }, { label: "matmul 1024" }];
  assert.deepEqual(selectCases(cases, undefined), cases);
  assert.notEqual(selectCases(cases, undefined), cases);
  assert.deepEqual(selectCases(cases, ["matmul"]), [cases[1], cases[3]]);
  assert.deepEqual(selectCases(cases, ["1M", "512"]), [cases[0], cases[1], cases[2]]);
});

test("selectCases exits with status 1 and a message when --only matches nothing", () => {
  const r = runModule(`bench.selectCases([{ label: "add 1M" }], ["conv", "pool"]);\nconsole.log("not reached");`);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "no case matches --only conv, pool\n");
});
