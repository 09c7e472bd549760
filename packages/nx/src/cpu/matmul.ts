/**
 * `matmul`: batched matrix products on strided operands.
 *
 * Floats use a packed, cache-blocked product in the style of GotoBLAS: for
 * each block of `KC` steps of `k` and `NC` columns of `n`, the block of `b`
 * is copied (whatever its strides, so a transposed operand costs nothing
 * extra) into `NR`-column slivers of a float64 scratch buffer; for each block
 * of `MC` rows, the block of `a` is copied into `MR`-row slivers; then a
 * register-blocked micro-kernel multiplies one `MR × kc` sliver by one
 * `kc × NR` sliver, holding the `MR × NR` tile of sums in local variables,
 * and adds the tile to the output. Products and sums are float64; the output
 * array rounds float32 results once per `KC` block.
 *
 * Products with fewer than `MR` rows or `NR` columns skip packing (see
 * `gemmThin`). int32 uses a plain loop with `Math.imul`, exact modulo 2^32.
 */
import type { View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { allocZeroed } from "./pool.js";
import { sizeOf } from "../shape.js";
import { hostArrayOf } from "./storage.js";
import { axesLayout, rowCursor } from "./strided.js";

/**
 * Rows of the micro-kernel tile (the kernel body is written out for this
 * size). 3 × 4 keeps the 12 sums and 7 operands close to the 16 float
 * registers of x86-64; 4 × 4 measured slower under V8.
 */
const MR = 3;
/** Columns of the micro-kernel tile (the kernel body is written out for this size). */
const NR = 4;
/** Steps of `k` per packed block: a packed `b` sliver (`KC × NR` float64) stays in L1. */
const KC = 256;
/** Rows of `a` per packed block, a multiple of `MR` (`MC × KC` float64 = 192 KiB, in L2). */
const MC = 96;
/** Columns of `b` per packed block (`KC × NC` float64 = 1 MiB at most). */
const NC = 512;

/** Scratch buffers reused by every call (grown on demand, never shrunk). */
const scratch = {
  a: new Float64Array(0),
  b: new Float64Array(0),
  tile: new Float64Array(MR * NR),
  row: new Float64Array(0),
};

/**
 * `packA(src, at, rs, ks, mc, kc, dst)` copies the `mc × kc` block of `src`
 * at `at` (row stride `rs`, k stride `ks`) into `dst` as `MR`-row slivers,
 * each `kc` groups of `MR` values (rows past `mc` are zero).
 */
function packA(src: HostArray, at: number, rs: number, ks: number, mc: number, kc: number, dst: Float64Array): void {
  let q = 0;
  for (let i = 0; i < mc; i += MR) {
    const rows = Math.min(MR, mc - i);
    let p = at + i * rs;
    if (rows === MR) {
      for (let t = 0; t < kc; t++, p += ks, q += MR) {
        dst[q] = src[p] as number;
        dst[q + 1] = src[p + rs] as number;
        dst[q + 2] = src[p + 2 * rs] as number;
      }
    } else {
      for (let t = 0; t < kc; t++, p += ks) {
        for (let r = 0; r < MR; r++) dst[q++] = r < rows ? (src[p + r * rs] as number) : 0;
      }
    }
  }
}

/**
 * `packB(src, at, ks, cs, kc, nc, dst)` copies the `kc × nc` block of `src`
 * at `at` (k stride `ks`, column stride `cs`) into `dst` as `NR`-column
 * slivers, each `kc` groups of `NR` values (columns past `nc` are zero).
 */
function packB(src: HostArray, at: number, ks: number, cs: number, kc: number, nc: number, dst: Float64Array): void {
  let q = 0;
  for (let j = 0; j < nc; j += NR) {
    const cols = Math.min(NR, nc - j);
    let p = at + j * cs;
    if (cols === NR) {
      for (let t = 0; t < kc; t++, p += ks, q += NR) {
        dst[q] = src[p] as number;
        dst[q + 1] = src[p + cs] as number;
        dst[q + 2] = src[p + 2 * cs] as number;
        dst[q + 3] = src[p + 3 * cs] as number;
      }
    } else {
      for (let t = 0; t < kc; t++, p += ks) {
        for (let c = 0; c < NR; c++) dst[q++] = c < cols ? (src[p + c * cs] as number) : 0;
      }
    }
  }
}

/**
 * `microKernel(pa, ai, pb, bi, kc, out, o, ldo, rows, cols)` adds the product
 * of the packed `a` sliver at `pa[ai]` and the packed `b` sliver at `pb[bi]`
 * (`kc` steps) to the `rows × cols` corner of the `MR × NR` tile of `out` at
 * `o` (row stride `ldo`).
 */
function microKernel(pa: Float64Array, ai: number, pb: Float64Array, bi: number, kc: number, out: HostArray, o: number, ldo: number, rows: number, cols: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  for (let t = 0; t < kc; t++, ai += MR, bi += NR) {
    const a0 = pa[ai] as number, a1 = pa[ai + 1] as number, a2 = pa[ai + 2] as number;
    const b0 = pb[bi] as number, b1 = pb[bi + 1] as number, b2 = pb[bi + 2] as number, b3 = pb[bi + 3] as number;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
  }
  if (rows === MR && cols === NR) {
    out[o] = (out[o] as number) + c00; out[o + 1] = (out[o + 1] as number) + c01; out[o + 2] = (out[o + 2] as number) + c02; out[o + 3] = (out[o + 3] as number) + c03; o += ldo;
    out[o] = (out[o] as number) + c10; out[o + 1] = (out[o + 1] as number) + c11; out[o + 2] = (out[o + 2] as number) + c12; out[o + 3] = (out[o + 3] as number) + c13; o += ldo;
    out[o] = (out[o] as number) + c20; out[o + 1] = (out[o + 1] as number) + c21; out[o + 2] = (out[o + 2] as number) + c22; out[o + 3] = (out[o + 3] as number) + c23;
    return;
  }
  const tile = scratch.tile;
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[o + r * ldo + c] = (out[o + r * ldo + c] as number) + (tile[r * NR + c] as number);
  }
}

/** One matrix operand: its array, the position of element `[0, 0]`, and its row and column strides. */
interface Operand {
  readonly src: HostArray;
  readonly at: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** `gemmFloat(a, b, out, o, m, n, k)` adds `a (m × k) @ b (k × n)` to the contiguous `m × n` block of `out` at `o`. */
function gemmFloat(a: Operand, b: Operand, out: HostArray, o: number, m: number, n: number, k: number): void {
  const depth = Math.min(k, KC);
  const needA = Math.ceil(Math.min(m, MC) / MR) * MR * depth;
  const needB = Math.ceil(Math.min(n, NC) / NR) * NR * depth;
  if (scratch.a.length < needA) scratch.a = new Float64Array(needA);
  if (scratch.b.length < needB) scratch.b = new Float64Array(needB);
  const pa = scratch.a;
  const pb = scratch.b;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = Math.min(KC, k - pc);
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc);
      packB(b.src, b.at + pc * b.rowStride + jc * b.colStride, b.rowStride, b.colStride, kc, nc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a.src, a.at + ic * a.rowStride + pc * a.colStride, a.rowStride, a.colStride, mc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const bi = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            microKernel(pa, ir * kc, pb, bi, kc, out, o + (ic + ir) * n + jc + jr, n, Math.min(MR, mc - ir), cols);
          }
        }
      }
    }
  }
}

/**
 * `gemmThin(a, b, out, o, m, n, k)` adds `a @ b` to `out` like
 * {@link gemmFloat} without packing, for products with fewer than `MR` rows
 * or `NR` columns (vector-matrix and matrix-vector), where packing would cost
 * as much as the product. With few rows and `b` stored by rows it adds
 * scaled rows of `b` into a float64 row of sums; otherwise it takes one dot
 * product per output element.
 */
function gemmThin(a: Operand, b: Operand, out: HostArray, o: number, m: number, n: number, k: number): void {
  const A = a.src;
  const B = b.src;
  if (n >= NR && Math.abs(b.colStride) <= Math.abs(b.rowStride)) {
    if (scratch.row.length < n) scratch.row = new Float64Array(n);
    const sums = scratch.row;
    for (let i = 0; i < m; i++) {
      sums.fill(0, 0, n);
      for (let t = 0, pa = a.at + i * a.rowStride, pb = b.at; t < k; t++, pa += a.colStride, pb += b.rowStride) {
        const x = A[pa] as number;
        for (let j = 0, p = pb; j < n; j++, p += b.colStride) sums[j] = (sums[j] as number) + x * (B[p] as number);
      }
      for (let j = 0, q = o + i * n; j < n; j++, q++) out[q] = (out[q] as number) + (sums[j] as number);
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0, pa = a.at + i * a.rowStride, pb = b.at + j * b.colStride; t < k; t++, pa += a.colStride, pb += b.rowStride) sum += (A[pa] as number) * (B[pb] as number);
      out[o + i * n + j] = (out[o + i * n + j] as number) + sum;
    }
  }
}

/** `gemmInt32(a, b, out, o, m, n, k)` adds `a @ b` to `out` like {@link gemmFloat}, exactly modulo 2^32. */
function gemmInt32(a: Operand, b: Operand, out: HostArray, o: number, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const row = o + i * n;
    for (let t = 0; t < k; t++) {
      const x = a.src[a.at + i * a.rowStride + t * a.colStride] as number;
      if (x === 0) continue;
      // The sum of two int32 values is an exact double; the Int32Array store wraps it.
      for (let j = 0, p = b.at + t * b.rowStride; j < n; j++, p += b.colStride) out[row + j] = (out[row + j] as number) + Math.imul(x, b.src[p] as number);
    }
  }
}

/**
 * `matmul(a, b)` is a fresh C-order array of shape `[...batch, m, n]` with
 * `out[..., i, j] = Σ_t a[..., i, t] * b[..., t, j]` for `a` of shape
 * `[...batch, m, k]` and `b` of `[...batch, k, n]` (the same batch shape,
 * broadcast batch axes having stride 0). `k = 0` gives zeros.
 */
export function matmul(a: View, b: View): HostArray {
  const rank = a.shape.length;
  const m = a.shape[rank - 2] as number;
  const k = a.shape[rank - 1] as number;
  const n = b.shape[rank - 1] as number;
  const batchShape = a.shape.slice(0, rank - 2);
  const out = allocZeroed(a.dtype, sizeOf(batchShape) * m * n);
  if (out.length === 0 || k === 0) return out;
  const gemm = a.dtype === "int32" ? gemmInt32 : m < MR || n < NR ? gemmThin : gemmFloat;
  const srcA = hostArrayOf(a.data);
  const srcB = hostArrayOf(b.data);
  const cursor = rowCursor(batchShape, [axesLayout(a, 0, rank - 2, a.offset), axesLayout(b, 0, rank - 2, b.offset)]);
  const sa = cursor.step(0);
  const sb = cursor.step(1);
  let o = 0;
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    for (let j = 0, pa = cursor.start(0), pb = cursor.start(1); j < cursor.length; j++, pa += sa, pb += sb, o += m * n) {
      const left = { src: srcA, at: pa, rowStride: a.strides[rank - 2] as number, colStride: a.strides[rank - 1] as number };
      const right = { src: srcB, at: pb, rowStride: b.strides[rank - 2] as number, colStride: b.strides[rank - 1] as number };
      gemm(left, right, out, o, m, n, k);
    }
  }
  return out;
}
