// The arena that gpu.js `webasm` kernels share (src/gpu/wasm-arena.ts),
// driven through gpu.js directly: kernels of one GPU instance import one
// memory, which grows for a larger kernel without breaking the kernels
// built before; a kernel larger than the arena keeps its own memory.
// Expected values are computed here, rounding to float32 after each
// operation (Math.fround) as the kernels do.
import { GPU } from "gpu.js";
import type { IKernelRunShortcut } from "gpu.js";
import { afterEach, describe, expect, it } from "vitest";
import { WasmArena, arenaKernelClass } from "../src/gpu/wasm-arena.js";
import type { MemoryWatch } from "./support/memories.js";
import { watchMemories } from "./support/memories.js";

let gpu: GPU | null = null;
let arena: WasmArena | null = null;
let watching: MemoryWatch | null = null;

/**
 * `arenaGpu(maxPages)` is a gpu.js `webasm` instance whose kernels use a
 * new arena of `maxPages` pages, and the count of WebAssembly memories
 * created from now until the test ends.
 */
function arenaGpu(maxPages: number): [GPU, WasmArena, MemoryWatch] {
  watching = watchMemories();
  gpu = new GPU({ mode: "webasm" });
  arena = new WasmArena(maxPages);
  gpu.Kernel = arenaKernelClass(arena);
  return [gpu, arena, watching];
}

afterEach(async () => {
  watching?.stop();
  await gpu?.destroy();
  arena?.release();
  gpu = null;
  arena = null;
  watching = null;
});

/** `kernel(g, n, body)`: a 1-D kernel of `n` outputs over an array `a` and a float `s`. */
function kernel(g: GPU, n: number, body: string): IKernelRunShortcut {
  return g.createKernel(`function (a, s) { ${body} }`, { output: [n], argumentTypes: { a: "Array", s: "Float" }, precision: "single", dynamicOutput: false, dynamicArguments: false });
}

/** `ramp(n, k)` is `n` distinct float32 values that depend on `k`. */
function ramp(n: number, k: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.fround(((i * 37 + k) % 1001) / 500 - 1));
}

function run(k: IKernelRunShortcut, a: Float32Array, s: number): Float32Array {
  return k(a, s) as Float32Array;
}

describe("WasmArena (gpu.js webasm kernels sharing one memory)", () => {
  it("gives every kernel the one memory and grows it without breaking earlier kernels", () => {
    const [g, a, memories] = arenaGpu(256);
    // 1001 outputs: SIMD quads plus a scalar tail.
    const affine = kernel(g, 1001, "return a[this.thread.x] * s + 1;");
    const x1 = ramp(1001, 1);
    expect(Array.from(run(affine, x1, 2))).toEqual(Array.from(x1, (v) => Math.fround(Math.fround(v * 2) + 1)));
    const small = a.bytes;
    // 200,000 outputs: two 800 kB regions, more than the arena held.
    const expo = kernel(g, 200_000, "return Math.exp(a[this.thread.x]) + s;");
    const x2 = ramp(200_000, 2);
    const got = run(expo, x2, 0.5);
    // Within 2 float32 ulps of exp(x) + 0.5 (Math.exp is JS's double exp, as gpu.js imports it).
    const worst = x2.reduce((m, v, i) => Math.max(m, Math.abs((got[i] as number) - (Math.exp(v) + 0.5)) / (Math.exp(v) + 0.5)), 0);
    expect(worst).toBeLessThanOrEqual(2 ** -22);
    expect(a.bytes).toBeGreaterThan(small);
    expect(a.bytes).toBeGreaterThanOrEqual(2 * 200_000 * 4);
    // The first kernel again, with new inputs, after its memory grew under it.
    const x3 = ramp(1001, 3);
    expect(Array.from(run(affine, x3, -3))).toEqual(Array.from(x3, (v) => Math.fround(Math.fround(v * -3) + 1)));
    expect(memories.created).toBe(1);
  });

  it("leaves a kernel larger than the arena its own memory", () => {
    const [g, a, memories] = arenaGpu(64);
    const affine = kernel(g, 1000, "return a[this.thread.x] * s;");
    const x1 = ramp(1000, 4);
    expect(Array.from(run(affine, x1, 3))).toEqual(Array.from(x1, (v) => Math.fround(v * 3)));
    const arenaBytes = a.bytes;
    // 400,000 outputs: 3.2 MB of layout, over 64 pages (4 MiB) with gpu.js's slack.
    const big = kernel(g, 400_000, "return a[this.thread.x] - s;");
    const x2 = ramp(400_000, 5);
    const got = run(big, x2, 0.25);
    expect(got.every((v, i) => v === Math.fround((x2[i] as number) - 0.25))).toBe(true);
    expect(a.bytes).toBe(arenaBytes);
    // The arena's kernel is unaffected.
    expect(Array.from(run(affine, x1, -1))).toEqual(Array.from(x1, (v) => Math.fround(-v)));
    expect(memories.created).toBe(2);
  });
});
