/**
 * `matmul` on the WebAssembly GEMM: the batch walk, packing `B` once per
 * distinct batch entry, and the split of the rows into tasks for the threads.
 */
import type { View } from "../../backend.js";
import { sizeOf } from "../../shape.js";
import { arenaPointerOf } from "../storage.js";
import { axesLayout, rowCursor } from "../strided.js";
import { F32_LANES, F64_LANES, GEMM_SHAPES, packedBBytes } from "./gemm.js";
import type { WasmRuntime } from "./runtime.js";
import type { ThreadPool } from "./threads.js";

/** Products with fewer multiply-adds than this run on the calling thread alone (a job's hand-over costs microseconds). */
const MIN_THREADED_WORK = 1 << 20;
/** Arguments per GEMM task: `a, rs, cs, pb, c, ldc, m, n, k` (the thread adds its scratch). */
const ARGC = 9;
/** Products with fewer rows than this read a row-major `B` in place rather than packing it (packing would cost about `1/m` of the product). */
const DIRECT_MAX_ROWS = 16;

/**
 * `matmulInto(rt, pool, a, b, out)` writes `a @ b` (float32 or float64
 * views, `[...batch, m, k] @ [...batch, k, n]` with equal batch shapes) to the
 * C-order block at byte address `out` of the runtime's memory; `pool`
 * (optional) spreads large products over threads.
 */
export function matmulInto(rt: WasmRuntime, pool: ThreadPool | undefined, a: View, b: View, out: number): void {
  const lanes = a.dtype === "float64" ? F64_LANES : F32_LANES;
  const shape = GEMM_SHAPES[lanes.name];
  const es = lanes.bytes;
  const rank = a.shape.length;
  const m = a.shape[rank - 2] as number;
  const k = a.shape[rank - 1] as number;
  const n = b.shape[rank - 1] as number;
  const batchShape = a.shape.slice(0, rank - 2);
  const batch = sizeOf(batchShape);
  if (batch * m * n === 0) return;
  if (k === 0) {
    new Uint8Array(rt.memory.buffer, out, batch * m * n * es).fill(0);
    return;
  }
  const rsa = a.strides[rank - 2] as number;
  const csa = a.strides[rank - 1] as number;
  const rsb = b.strides[rank - 2] as number;
  const csb = b.strides[rank - 1] as number;
  const aBase = arenaPointerOf(a.data);
  const bBase = arenaPointerOf(b.data);
  // Element offsets of each batch entry's matrices.
  const aAt = new Int32Array(batch);
  const bAt = new Int32Array(batch);
  const cursor = rowCursor(batchShape, [axesLayout(a, 0, rank - 2, a.offset), axesLayout(b, 0, rank - 2, b.offset)]);
  for (let r = 0, e = 0; r < cursor.rows; r++, cursor.next()) {
    for (let j = 0; j < cursor.length; j++, e++) {
      aAt[e] = cursor.start(0) + j * cursor.step(0);
      bAt[e] = cursor.start(1) + j * cursor.step(1);
    }
  }
  const nr = shape.nv * lanes.lanes;
  const large = batch * m * n * k >= MIN_THREADED_WORK;
  if (m < DIRECT_MAX_ROWS && csb === 1 && n % nr === 0 && !large) {
    const direct = rt.kernels[`gemm_${lanes.name}_direct`] as (...args: number[]) => void;
    for (let e = 0; e < batch; e++) direct(aBase + (aAt[e] as number) * es, rsa, csa, bBase + (bAt[e] as number) * es, rsb, out + e * m * n * es, n, m, n, k, rt.scratch);
    return;
  }
  // Workers wake while B is packed.
  if (large) pool?.wake();
  // Pack B once per distinct entry (a broadcast B is packed once).
  const packedBytes = packedBBytes(lanes, shape, k, n);
  const packAt = new Int32Array(batch);
  let distinct = 0;
  for (let e = 0; e < batch; e++) packAt[e] = e > 0 && bAt[e] === bAt[e - 1] ? (packAt[e - 1] as number) : distinct++;
  const packed = rt.arena.alloc(distinct * packedBytes);
  const kernels = rt.kernels;
  const packB = kernels[`gemm_${lanes.name}_packB`] as (...args: number[]) => void;
  for (let e = 0; e < batch; e++) {
    if (e > 0 && packAt[e] === packAt[e - 1]) continue;
    packB(bBase + (bAt[e] as number) * es, rsb, csb, k, n, packed + (packAt[e] as number) * packedBytes);
  }
  // Tasks: row chunks of each batch entry.
  if (large) pool?.start();
  const threaded = pool !== undefined && large && pool.ready > 0;
  const threads = threaded ? pool.ready + 1 : 1;
  const chunks = Math.max(1, Math.min(Math.ceil((4 * threads) / batch), Math.ceil(m / shape.mr)));
  const rowsPerTask = threaded ? Math.ceil(Math.ceil(m / chunks) / shape.mr) * shape.mr : m;
  const perEntry = Math.ceil(m / rowsPerTask);
  const tasks = batch * perEntry;
  const gemmName = `gemm_${lanes.name}`;
  const args = threaded ? rt.arena.alloc(tasks * ARGC * 4) : 0;
  const words = threaded ? new Int32Array(rt.memory.buffer, args, tasks * ARGC) : undefined;
  const gemm = kernels[gemmName] as (...args: number[]) => void;
  for (let e = 0, t = 0; e < batch; e++) {
    for (let i = 0; i < m; i += rowsPerTask, t++) {
      const rows = Math.min(rowsPerTask, m - i);
      const aPtr = aBase + ((aAt[e] as number) + i * rsa) * es;
      const pb = packed + (packAt[e] as number) * packedBytes;
      const cPtr = out + (e * m + i) * n * es;
      if (words === undefined) gemm(aPtr, rsa, csa, pb, cPtr, n, rows, n, k, rt.scratch);
      else words.set([aPtr, rsa, csa, pb, cPtr, n, rows, n, k], t * ARGC);
    }
  }
  if (threaded) {
    pool.run(rt.names.indexOf(gemmName), ARGC, args, tasks);
    rt.arena.free(args, tasks * ARGC * 4);
  }
  rt.arena.free(packed, distinct * packedBytes);
}
