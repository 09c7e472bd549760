// Tests of the harness's arithmetic and scheduling; no wall-clock assertions.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  compare,
  formatMs,
  formatRatio,
  formatTable,
  machineInfo,
  machineLine,
  quantile,
  resultsOnce,
  seededNormal,
  summarize,
  time,
} from "../src/index.js";

test("quantile interpolates linearly like numpy", () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(quantile(xs, 0.5), 5.5);
  assert.ok(Math.abs(quantile(xs, 0.1) - 1.9) < 1e-12);
  assert.ok(Math.abs(quantile(xs, 0.9) - 9.1) < 1e-12);
  assert.equal(quantile([7], 0.3), 7);
  assert.throws(() => quantile([], 0.5), RangeError);
  assert.throws(() => quantile([1], 1.5), RangeError);
});

test("summarize sorts numerically and keeps samples in order", () => {
  const s = summarize([10, 2, 33, 4]);
  assert.equal(s.n, 4);
  assert.equal(s.median, 7);
  assert.equal(s.min, 2);
  assert.equal(s.max, 33);
  assert.equal(s.mean, 12.25);
  assert.deepEqual(s.samples, [10, 2, 33, 4]);
  assert.throws(() => summarize([]), RangeError);
});

test("compare interleaves competitors round-robin with a rotating start", async () => {
  /** @type {string[]} */
  const log = [];
  /** @param {string} name */
  const comp = (name) => ({
    name,
    fn: () => {
      log.push(name);
    },
    activate: () => {
      log.push(`>${name}`);
    },
    setup: () => {
      log.push(`setup ${name}`);
    },
    teardown: () => {
      log.push(`teardown ${name}`);
    },
  });
  const res = await compare([comp("a"), comp("b"), comp("c")], { warmup: 1, runs: 2, gc: false });
  assert.deepEqual(
    res.map((m) => [m.name, m.n]),
    [
      ["a", 2],
      ["b", 2],
      ["c", 2],
    ],
  );
  const calls = log.filter((x) => !x.startsWith(">") && !x.startsWith("setup") && !x.startsWith("teardown"));
  assert.deepEqual(calls, ["a", "b", "c", "b", "c", "a", "c", "a", "b"]);
  // every call into a competitor is preceded by its activate hook
  for (let i = 0; i < log.length; i++) {
    const x = /** @type {string} */ (log[i]);
    if (x.startsWith(">")) continue;
    const name = x.replace(/^(setup|teardown) /, "");
    assert.equal(log[i - 1], `>${name}`, `call ${i} (${x})`);
  }
  assert.deepEqual(log.slice(0, 6), [">a", "setup a", ">b", "setup b", ">c", "setup c"]);
  assert.deepEqual(log.slice(-6), [">a", "teardown a", ">b", "teardown b", ">c", "teardown c"]);
});

test("compare awaits async work before stopping the clock", async () => {
  const wait = () => new Promise((resolve) => setTimeout(resolve, 20));
  const [slow, fast] = await compare(
    [
      { name: "slow", fn: wait },
      { name: "fast", fn: () => 0 },
    ],
    { warmup: 0, runs: 3, gc: false },
  );
  assert.ok(slow && fast);
  assert.ok(slow.min >= 15, `awaited samples, got ${slow.min} ms`);
  assert.ok(fast.median < slow.median);
});

test("compare runs teardown even when a sample throws, and validates", async () => {
  let tornDown = false;
  await assert.rejects(
    compare([{ name: "x", fn: () => { throw new Error("boom"); }, teardown: () => { tornDown = true; } }], { gc: false }),
    /boom/,
  );
  assert.ok(tornDown);
  await assert.rejects(compare([], {}), RangeError);
  await assert.rejects(compare([{ name: "a", fn: () => 0 }, { name: "a", fn: () => 0 }]), /duplicate/);
  await assert.rejects(compare([{ name: "a", fn: () => 0 }], { runs: 0 }), RangeError);
});

test("time returns stats of one function", async () => {
  let calls = 0;
  const s = await time(() => { calls++; }, { warmup: 2, runs: 5, inner: 3, gc: false });
  assert.equal(s.n, 5);
  assert.equal(calls, (2 + 5) * 3);
  assert.equal("name" in s, false);
});

test("formatTable prints medians, spreads and ratios", () => {
  /** @param {string} name @param {number} median */
  const m = (name, median) => ({ name, n: 1, median, p10: median, p90: median, mean: median, min: median, max: median, samples: [median] });
  const rows = [
    { label: "matmul 512", results: [m("nx", 2.1), m("tfjs-cpu", 10), m("tfjs-wasm", 4.2)] },
    { label: "attention", results: [m("nx", 50), m("tfjs-cpu", 100)] },
  ];
  const text = formatTable(rows, { ratios: [["nx", "tfjs-cpu"], ["nx", "tfjs-wasm"]] });
  const lines = text.split("\n");
  assert.equal(lines.length, 4);
  assert.match(/** @type {string} */ (lines[0]), /case\s+nx \(ms\)\s+tfjs-cpu \(ms\)\s+tfjs-wasm \(ms\)\s+nx \/ tfjs-cpu\s+nx \/ tfjs-wasm/);
  assert.match(/** @type {string} */ (lines[2]), /matmul 512 .*2\.10 \(2\.10–2\.10\).*0\.21×\s+0\.50×$/);
  assert.match(/** @type {string} */ (lines[3]), /attention .*—.*0\.50×\s+—$/);

  const md = formatTable(rows, { reference: "tfjs-cpu", markdown: true, spread: false });
  assert.deepEqual(md.split("\n").slice(0, 3), [
    "| case | nx (ms) | tfjs-cpu (ms) | tfjs-wasm (ms) | nx / tfjs-cpu | tfjs-wasm / tfjs-cpu |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    "| matmul 512 | 2.10 | 10.0 | 4.20 | 0.21× | 0.42× |",
  ]);
});

test("number formatting", () => {
  assert.equal(formatMs(0.12345), "0.123");
  assert.equal(formatMs(1.2345), "1.23");
  assert.equal(formatMs(12.345), "12.3");
  assert.equal(formatMs(1234.5), "1235");
  assert.equal(formatRatio(0.2149), "0.21×");
  assert.equal(formatRatio(12.34), "12.3×");
  assert.equal(formatRatio(0.0123), "0.012×");
  assert.equal(formatRatio(Number.NaN), "—");
});

test("machine line names CPU, cores, memory, Node and date", () => {
  const info = machineInfo();
  assert.ok(info.cores >= 1);
  const line = machineLine(info);
  assert.ok(line.includes(process.version));
  assert.match(line, /\d+ logical CPUs? · \d+\.\d GiB · Node v\d+/);
  assert.match(line, /\d{4}-\d{2}-\d{2}$/);
});

test("seededNormal is deterministic and roughly standard normal", () => {
  const a = seededNormal(20001, 7);
  const b = seededNormal(20001, 7);
  assert.deepEqual(a, b);
  assert.notDeepEqual(seededNormal(10, 8), seededNormal(10, 7));
  let mean = 0;
  for (const x of a) mean += x;
  mean /= a.length;
  let v = 0;
  for (const x of a) v += (x - mean) ** 2;
  v /= a.length;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(v - 1) < 0.05, `variance ${v}`);
  assert.ok(a.every(Number.isFinite));
});

test("resultsOnce runs each competitor once in order, tearing down even when read throws", async () => {
  /** @type {string[]} */
  const log = [];
  /** @param {string} name */
  const make = (name) => ({
    name,
    fn: () => {},
    activate: () => log.push(`${name}:activate`),
    setup: () => log.push(`${name}:setup`),
    teardown: () => log.push(`${name}:teardown`),
  });
  const values = await resultsOnce([make("a"), make("b")], (c) => c.name.toUpperCase());
  assert.deepEqual(values, ["A", "B"]);
  assert.deepEqual(log, ["a:activate", "a:setup", "a:teardown", "b:activate", "b:setup", "b:teardown"]);
  log.length = 0;
  await assert.rejects(
    resultsOnce([make("c")], () => {
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.deepEqual(log, ["c:activate", "c:setup", "c:teardown"]);
});
