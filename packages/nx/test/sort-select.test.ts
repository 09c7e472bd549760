// The `sort` primitive's first k of each lane (top-k) on the CPU backend's two paths: the WebAssembly
// selection kernel (float32, contiguous rows of the last axis, k up to an eighth of the lane) and the
// pure-TypeScript kernels, by random cases (fast-check) of lanes full of ties, NaNs (signalling, with
// payloads, of either sign), ±0, ±Infinity, subnormals and arbitrary bit patterns; every k from 1 to the
// lane's length; rows with a stride between them, lanes along axis 0 and flipped lanes (which take the
// TypeScript kernel); float64 and int32 lanes. Each result is compared with the other path bit for bit
// (but for the quiet bit of a signalling NaN, see `quieted`) and with an independent reference
// (Array.prototype.sort, stable, over the indices; the values' bits those of the input).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Backend, DType, SortOp, View } from "../src/index.js";
import * as nx from "../src/index.js";
import { referenceOrder } from "./support/sort-reference.js";

const wasm = nx.cpuBackend({ threads: 1 });
const ts = nx.cpuBackend({ simd: false });

/** float32 bit patterns that order or copy specially: NaNs, zeros, infinities, subnormals, the extremes, ±1. */
const SPECIAL_BITS = [
  0x7fc00000, 0xffc00000, 0x7fc00123, 0x7f800001, 0xff800001, 0x80000000, 0, 0x7f800000, 0xff800000,
  1, 0x80000001, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000,
];

/** `bitsOf(v)` is the float32 bit pattern of `v`. */
function bitsOf(v: number): number {
  return new Uint32Array(new Float32Array([v]).buffer)[0] as number;
}

/** One float32 element as its bits: mostly specials and small integers (ties), sometimes anything. */
const float32Bits = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_BITS) },
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }).map(bitsOf) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
);

/** Palettes whose values tie in the order (±0; NaNs of either sign and payload) or border each other (±Infinity and NaN). */
const PALETTES = [
  [0, 0x80000000],
  [0x80000000, 0, 0xbf800000],
  [0x7fc00000, 0xffc00000, 0x7f800001, 0x7f800000],
  [0xff800000, 0x7f800000, 0xffc00000, 0x80000000],
];

/** How the lanes are laid out in memory. */
type Layout = "rows" | "gapped rows" | "axis 0" | "flipped";

/** A case: `rows` lanes of `n` elements, the first `k` of each asked for. */
interface Case {
  readonly rows: number;
  readonly n: number;
  readonly k: number;
  readonly layout: Layout;
  /** Extra elements between rows ("gapped rows") and before the first. */
  readonly gap: number;
  readonly descending: boolean;
}

/** Cases whose k is mostly small against the lane (the selection), sometimes up to the whole lane. */
const cases = fc
  .record({
    rows: fc.integer({ min: 1, max: 4 }),
    n: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 300 }) }, { weight: 1, arbitrary: fc.integer({ min: 300, max: 3000 }) }),
    layout: fc.constantFrom<Layout>("rows", "rows", "gapped rows", "axis 0", "flipped"),
    gap: fc.integer({ min: 1, max: 5 }),
    descending: fc.boolean(),
  })
  .chain((c) =>
    fc.record({
      k: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: Math.max(1, Math.floor(c.n / 8)) }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: c.n }) }),
      elements: fc.oneof(
        fc.array(float32Bits, { minLength: c.rows * c.n, maxLength: c.rows * c.n }),
        // a palette of a few values (every one of them tied many times, whichever ends up first)
        fc
          .oneof(fc.uniqueArray(float32Bits, { minLength: 1, maxLength: 4 }), fc.constantFrom(...PALETTES))
          .chain((palette) => fc.array(fc.constantFrom(...palette), { minLength: c.rows * c.n, maxLength: c.rows * c.n })),
        // already in order or reversed (every element of the lane enters the selection), with ties
        fc.constantFrom("ascending", "descending").map((order) => {
          const up = Array.from({ length: c.rows * c.n }, (_, i) => bitsOf(Math.floor((i % c.n) / 3)));
          return order === "ascending" ? up : up.reverse();
        }),
      ),
      c: fc.constant(c),
    }),
  )
  .map(({ k, elements, c }) => ({ ...c, k, elements }));

/**
 * `layOut(backend, dtype, elements, c)` uploads a case's lanes (lane `r`'s
 * element `i` is `elements[r·n + i]`; float32 elements given as their bits,
 * so NaN payloads are stored exactly) in the case's layout, and is the view
 * of them and the axis the lanes run along.
 */
function layOut(backend: Backend, dtype: DType, elements: ArrayLike<number>, c: Case): { view: View; axis: number } {
  const { rows, n, gap } = c;
  const layouts: Record<Layout, Omit<View, "data" | "dtype">> = {
    rows: { shape: [rows, n], strides: [n, 1], offset: 0 },
    "gapped rows": { shape: [rows, n], strides: [n + gap, 1], offset: gap },
    "axis 0": { shape: [n, rows], strides: [rows, 1], offset: 0 },
    flipped: { shape: [rows, n], strides: [n, -1], offset: n - 1 },
  };
  const layout = layouts[c.layout];
  const axis = c.layout === "axis 0" ? 0 : 1;
  const [laneStride, elementStride] = axis === 0 ? [1, rows] : (layout.strides as [number, number]);
  const size = c.layout === "gapped rows" ? gap + rows * (n + gap) : rows * n;
  const memory = dtype === "float64" ? new Float64Array(size) : dtype === "int32" ? new Int32Array(size) : new Uint32Array(size);
  for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) memory[layout.offset + r * laneStride + i * elementStride] = elements[r * n + i] as number;
  const host = memory instanceof Uint32Array ? new Float32Array(memory.buffer) : memory;
  return { view: { ...layout, dtype, data: backend.upload(host, dtype) }, axis };
}

/** `firstK(backend, op, dtype, values, c)` is the `sort` primitive's result for the case, read back (bits as Uint32Array for float32). */
function firstK(backend: Backend, op: SortOp, dtype: DType, values: ArrayLike<number>, c: Case): ArrayLike<number> {
  const { view, axis } = layOut(backend, dtype, values, c);
  const outShape = axis === 0 ? [c.k, c.rows] : [c.rows, c.k];
  const id = backend.sort(op, view, axis, c.descending, c.k);
  const outDtype = op === "argsort" ? "int32" : dtype;
  const got = backend.read({ data: id, dtype: outDtype, shape: outShape, strides: axis === 0 ? [c.rows, 1] : [c.k, 1], offset: 0 });
  backend.free(id);
  backend.free(view.data);
  const lanes = Array.from(outDtype === "float32" ? new Uint32Array(got.buffer, got.byteOffset, got.length) : got);
  // lane-major: the k results of row r at [r·k, (r + 1)·k)
  return axis === 0 ? Array.from({ length: c.rows * c.k }, (_, j) => lanes[(j % c.k) * c.rows + Math.floor(j / c.k)] as number) : lanes;
}

/**
 * `quieted(bits)` is a float32's bits with a signalling NaN quieted: the TypeScript kernel copies
 * values through JavaScript numbers, which quiets signalling NaNs or not depending on how V8 compiled
 * the copy, while the WebAssembly kernel copies bits exactly.
 */
function quieted(bits: number): number {
  return (bits & 0x7fffffff) > 0x7f800000 ? (bits | 0x400000) >>> 0 : bits;
}

describe("sort primitive, first k of each lane", () => {
  it("float32: the WebAssembly path equals the TypeScript path bit for bit, and the reference order", () => {
    fc.assert(
      fc.property(cases, (c) => {
        const bits = Uint32Array.from(c.elements);
        const floats = new Float32Array(bits.buffer);
        for (const op of ["argsort", "sort"] as const) {
          const got = firstK(wasm, op, "float32", bits, c);
          expect(Array.from(got, quieted)).toEqual(Array.from(firstK(ts, op, "float32", bits, c), quieted));
          for (let r = 0; r < c.rows; r++) {
            const want = referenceOrder(Array.from(floats.subarray(r * c.n, (r + 1) * c.n)), c.descending).slice(0, c.k);
            const lane = Array.from(got).slice(r * c.k, (r + 1) * c.k);
            if (op === "argsort") expect(lane).toEqual(want);
            else expect(lane.map(quieted)).toEqual(want.map((i) => quieted(bits[r * c.n + i] as number)));
          }
        }
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });

  it("float64 and int32 (the TypeScript kernels on both paths) follow the reference order", () => {
    const element = fc.oneof(fc.constantFrom(Number.NaN, -0, 0, Infinity, -Infinity, 2 ** 40, -(2 ** 31)), fc.integer({ min: -3, max: 3 }));
    fc.assert(
      fc.property(cases, fc.constantFrom<DType>("float64", "int32"), fc.infiniteStream(element), (c, dtype, stream) => {
        const values = [...stream.take(c.rows * c.n)].map((v) => (dtype === "int32" ? (Number.isFinite(v) ? v | 0 : 7) : v));
        for (const op of ["argsort", "sort"] as const) {
          const got = Array.from(firstK(wasm, op, dtype, values, c));
          expect(got).toEqual(Array.from(firstK(ts, op, dtype, values, c)));
          for (let r = 0; r < c.rows; r++) {
            const lane = values.slice(r * c.n, (r + 1) * c.n);
            const want = referenceOrder(lane, c.descending).slice(0, c.k);
            // toEqual tells -0 from 0 and matches NaN with NaN
            expect(got.slice(r * c.k, (r + 1) * c.k)).toEqual(op === "argsort" ? want : want.map((i) => lane[i]));
          }
        }
      }),
      { numRuns: 100, seed: 20261201 },
    );
  });

  it("nx.topk on a vocabulary-sized row: the k largest, NaN first, ties by index, -0 kept", () => {
    const n = 50257;
    const values = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 8 - 60);
    for (const [at, v] of [[3, Number.NaN], [40000, Number.NaN], [17, Infinity], [50256, Infinity], [9, -0], [100, -0]] as const) values[at] = v;
    const want = referenceOrder(Array.from(values), true).slice(0, 50);
    const previous = nx.getBackend();
    for (const backend of [wasm, ts]) {
      nx.setBackend(backend);
      const x = nx.tensor(values, { shape: [1, n] });
      const [v, i] = nx.topk(x, 50);
      expect(Array.from(i.dataSync())).toEqual(want);
      expect(Array.from(v.dataSync())).toEqual(want.map((j) => values[j]));
      nx.dispose([x, v, i]);
    }
    nx.setBackend(previous);
  });
});
