// The gpujs backend's own contract: modes, its capabilities (no float64, size limits),
// kernel caching and statistics, memory accounting, and integer semantics
// within the exact range. Runs in `webasm` and `cpu` (and `headlessgl` when a
// GL context exists).
import * as nx from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineMode, GpujsBackend } from "../src/index.js";
import { MAX_ELEMENTS, gpujsBackend, isModeAvailable, resolveMode } from "../src/index.js";

describe("mode selection", () => {
  it("auto resolves to headlessgl when a GL context exists in Node, else webasm", () => {
    expect(resolveMode("auto")).toBe(isModeAvailable("headlessgl") ? "headlessgl" : "webasm");
    expect(gpujsBackend().mode).toBe(resolveMode("auto"));
  });

  it("rejects unknown modes and browser modes in Node, naming what they need", () => {
    expect(() => gpujsBackend({ mode: "vulkan" as never })).toThrow(/gpujsBackend: unknown mode "vulkan"; expected one of auto, webgl2/);
    expect(() => gpujsBackend({ mode: "webgl2" })).toThrow(/mode "webgl2" is not available here: it needs a browser page or Web Worker \(with OffscreenCanvas\) with WebGL2/);
    try {
      gpujsBackend({ mode: "webgl" });
    } catch (e) {
      expect((e as Error).name).toBe("InvalidArgumentError");
    }
  });
});

const MODES: EngineMode[] = ["webasm", "cpu", ...(isModeAvailable("headlessgl") ? (["headlessgl"] as const) : [])];

describe.each(MODES)("gpujs %s", (mode) => {
  let backend: GpujsBackend;
  let previous: nx.Backend;

  beforeAll(() => {
    previous = nx.getBackend();
    backend = gpujsBackend({ mode });
    nx.setBackend(backend);
  });

  afterAll(() => {
    nx.setBackend(previous);
  });

  it("names itself and its mode", () => {
    expect(backend.name).toBe("gpujs");
    expect(backend.mode).toBe(mode);
    expect(backend.stats().mode).toBe(mode);
  });

  it("declares its capabilities: no float64, 2^24 elements, integers exact to 2^24, subnormals flushed on GL", () => {
    expect(backend.capabilities).toEqual({
      dtypes: ["float32", "int32", "uint8", "bool"],
      maxElements: MAX_ELEMENTS,
      maxExactInteger: 2 ** 24,
      subnormals: mode !== "headlessgl",
    });
  });

  it("is never asked for float64: nx refuses it before any kernel runs, naming the op", () => {
    const one = nx.tensor([1]);
    const before = { memory: backend.memory(), runs: backend.stats().kernelRuns, uploads: backend.stats().uploads };
    const stored = 'backend "gpujs" does not store float64 (it stores float32, int32, uint8, bool)';
    expectInvalidArgument(() => nx.tensor([1, 2], { dtype: "float64" }), "nx.tensor", stored);
    expectInvalidArgument(() => nx.zeros([2], "float64"), "nx.zeros", stored);
    expectInvalidArgument(() => nx.arange(0, 3, 1, { dtype: "float64" }), "nx.arange", stored);
    expectInvalidArgument(() => nx.cast(one, "float64"), "nx.cast", stored);
    expectInvalidArgument(() => nx.random.uniform(nx.random.key(0), [2], "float64"), "nx.random.uniform", stored);
    expect({ memory: backend.memory(), runs: backend.stats().kernelRuns, uploads: backend.stats().uploads }).toEqual(before);
    one.dispose();
  });

  it("draws random integers (randint needs no float64 here)", () => {
    const key = nx.random.key(11);
    const here = nx.tidy(() => [...nx.random.randint(key, [64], -1000, 1000).dataSync()]);
    nx.setBackend("cpu");
    const onCpu = nx.tidy(() => [...nx.random.randint(key, [64], -1000, 1000).dataSync()]);
    nx.setBackend(backend);
    expect(here).toEqual(onCpu);
  });

  it("fills and iotas per dtype (float64 aside)", () => {
    const rows: [number, () => ReturnType<GpujsBackend["fill"]>, nx.DType, number[]][] = [
      [4, () => backend.fill(4, 2.5, "float32"), "float32", [2.5, 2.5, 2.5, 2.5]],
      [2, () => backend.fill(2, -7, "int32"), "int32", [-7, -7]],
      [3, () => backend.fill(3, Number.NaN, "float32"), "float32", [Number.NaN, Number.NaN, Number.NaN]],
      [5, () => backend.iota(5, 0.5, 0.25, "float32"), "float32", [0.5, 0.75, 1, 1.25, 1.5]],
      [4, () => backend.iota(4, 10, -3, "int32"), "int32", [10, 7, 4, 1]],
      [3, () => backend.iota(3, 254, 1, "uint8"), "uint8", [254, 255, 0]],
      [0, () => backend.fill(0, 1, "bool"), "bool", []],
    ];
    for (const [n, make, dtype, want] of rows) {
      const id = make();
      const got = [...backend.read({ data: id, dtype, shape: [n], strides: [1], offset: 0 })];
      expect(got).toEqual(want);
      backend.free(id);
    }
  });

  it("is never asked for more than 2^24 elements: nx refuses them before any kernel runs, naming the op", () => {
    const a = nx.zeros([4097, 1]);
    const b = nx.zeros([1, 4097]);
    const before = { memory: backend.memory(), runs: backend.stats().kernelRuns };
    const limit = 'more than backend "gpujs" holds in one tensor: 16777216 (2^24)';
    expectInvalidArgument(() => nx.zeros([MAX_ELEMENTS + 1]), "nx.zeros", limit);
    expectInvalidArgument(() => nx.add(a, b), "nx.add", "shape [4097,4097] has 16785409 elements", limit);
    expect({ memory: backend.memory(), runs: backend.stats().kernelRuns }).toEqual(before);
    nx.dispose([a, b]);
  });

  it("compiles a kernel once per op and shape signature", () => {
    const a = nx.tensor([[1, 2, 3], [4, 5, 6]]);
    const b = nx.tensor([[6, 5, 4], [3, 2, 1]]);
    nx.add(a, b).dispose();
    const s1 = backend.stats();
    for (let i = 0; i < 5; i++) nx.add(a, b).dispose();
    const s2 = backend.stats();
    expect(s2.kernelsCompiled).toBe(s1.kernelsCompiled);
    expect(s2.kernelRuns - s1.kernelRuns).toBe(5);
    expect(s2.cacheHits - s1.cacheHits).toBe(5);
    nx.add(nx.transpose(a), nx.transpose(b)).dispose(); // new strides: a new kernel
    expect(backend.stats().kernelsCompiled).toBe(s2.kernelsCompiled + 1);
    expect(backend.stats().compiledByOp["binary.add"]).toBeGreaterThanOrEqual(2);
    a.dispose();
    b.dispose();
  });

  it("keeps results on the device until read", () => {
    const before = backend.stats();
    const x = nx.tensor([1, 2, 3, 4]);
    const y = nx.exp(nx.mul(nx.add(x, 1), 2));
    const mid = backend.stats();
    expect(mid.reads).toBe(before.reads);
    expect([...y.dataSync()].map((v) => Math.round(v))).toEqual([55, 403, 2981, 22026]);
    expect(backend.stats().reads).toBe(before.reads + 1);
    nx.dispose([x, y]);
  });

  it("reports live buffers and bytes, and frees them on dispose", () => {
    const before = backend.memory();
    const x = nx.ones([10, 10]);
    const v = nx.transpose(x);
    expect(backend.memory().buffers).toBe(before.buffers + 1);
    expect(backend.memory().bytes).toBe(before.bytes + 400);
    x.dispose();
    expect(backend.memory().buffers).toBe(before.buffers + 1); // the view still holds it
    v.dispose();
    expect(backend.memory()).toEqual(before);
    const report = nx.memory().backends.gpujs;
    expect(report?.buffers).toBe(before.buffers);
  });

  it("keeps integer semantics within the exact range (|v| < 2^24)", () => nx.tidy(() => {
    const i = (v: number[]): nx.Tensor => nx.tensor(v, { dtype: "int32" });
    expect([...nx.mod(i([7, -7, 7, -7, 5]), i([3, 3, -3, -3, 0])).dataSync()]).toEqual([1, 2, -2, -1, 0]);
    expect([...nx.pow(i([2, -3, 1, -1, 2]), i([10, 3, -5, -3, -1])).dataSync()]).toEqual([1024, -27, 1, -1, 0]);
    expect([...nx.neg(nx.tensor([0, 1, 255], { dtype: "uint8" })).dataSync()]).toEqual([0, 255, 1]);
    expect([...nx.add(nx.tensor([250, 10], { dtype: "uint8" }), nx.tensor([10, 250], { dtype: "uint8" })).dataSync()]).toEqual([4, 4]);
    expect([...nx.mul(i([4096, -4095]), i([4095, 4096])).dataSync()]).toEqual([16773120, -16773120]);
    expect([...nx.cast(nx.tensor([2.9, -2.9, Number.NaN, 300]), "uint8").dataSync()]).toEqual([2, 254, 0, 44]);
    expect([...nx.sum(i([8000000, 8000000, -1])).dataSync()]).toEqual([15999999]);
  }));

  it("agrees with the CPU backend on large, strided and batch-broadcast matmuls (GL: the packed path)", () => {
    // Sizes past the packed-path threshold, with odd k and n (partial vec4 texels).
    const cases: [number[], number[], (a: nx.Tensor, b: nx.Tensor) => nx.Tensor][] = [
      [[67, 45], [45, 53], (a, b) => nx.matmul(a, b)],
      [[45, 67], [53, 45], (a, b) => nx.matmul(nx.transpose(a), nx.transpose(b))],
      [[3, 1, 33, 21], [2, 21, 17], (a, b) => nx.matmul(a, b)],
      [[2, 40, 30], [30, 9], (a, b) => nx.matmul(nx.flip(a, 1), b)],
    ];
    for (const [sa, sb, f] of cases) {
      const va = Array.from({ length: sa.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(i * 0.37));
      const vb = Array.from({ length: sb.reduce((x, y) => x * y, 1) }, (_, i) => Math.cos(i * 0.11));
      const got = nx.tidy(() => [...f(nx.tensor(va, { shape: sa }), nx.tensor(vb, { shape: sb })).dataSync()]);
      nx.setBackend("cpu");
      const want = nx.tidy(() => [...f(nx.tensor(va, { shape: sa, dtype: "float64" }), nx.tensor(vb, { shape: sb, dtype: "float64" })).dataSync()]);
      nx.setBackend(backend);
      expect(got.length).toBe(want.length);
      // float32 accumulation over k <= 45 terms of magnitude <= 1: 1e-5 absolute.
      got.forEach((v, i) => expect(Math.abs(v - (want[i] as number))).toBeLessThan(1e-5));
    }
    const ints = nx.tidy(() => [...nx.matmul(nx.reshape(nx.arange(0, 40 * 30, 1, { dtype: "int32" }), [40, 30]), nx.ones([30, 20], "int32")).dataSync()]);
    expect(ints[0]).toBe(435);
    expect(ints[39 * 20 + 19]).toBe(35535);
  });

  it("left no fallback to gpu.js's CPU kernel", () => {
    expect(backend.stats().fallbacks).toBe(0);
    expect(backend.stats().fallbackReasons).toEqual([]);
  });
});
