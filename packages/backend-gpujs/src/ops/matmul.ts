/**
 * Batched matmul, in two strategies:
 *
 * - **direct** (`webasm`, `cpu`, small GL products): one thread per output
 *   element, a dot product over `k` reading both operands through their
 *   strides (transposed operands need no copy).
 * - **packed** (GL): `a` is packed into vec4 texels along `k` and `b` along
 *   `n`; each thread computes four adjacent outputs of a row from one `a`
 *   texel and four `b` texels per four steps of `k` (5 texture reads per 16
 *   multiply-adds instead of 32), then an unpack pass writes the flat result.
 *   gpu.js's webasm backend has no vec4 textures, hence GL only.
 */
import type { View } from "@raven-ts/nx";
import type { KernelSpec } from "../codegen/kernel.js";
import type { Strided } from "../codegen/strided.js";
import { sizeOf } from "@raven-ts/nx";
import { collapse, coordsCode, lit, offsetExpr } from "../codegen/strided.js";
import type { StoredDType } from "../dtypes.js";
import type { KernelRunner } from "../runner.js";
import type { BufferTable, DeviceBuffer } from "../storage.js";
import { fill } from "./creation.js";
import { wrap } from "./elementwise.js";

/** GL products with at least this many multiply-adds take the packed path. */
export const PACKED_MIN_WORK = 16384;

interface Operands {
  readonly batch: readonly number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

function dims(a: View, b: View): Operands {
  const r = a.shape.length;
  return { batch: a.shape.slice(0, r - 2), m: a.shape[r - 2] as number, k: a.shape[r - 1] as number, n: b.shape[r - 1] as number };
}

/** `matmul(runner, table, a, b, dtype)`: see `Backend.matmul`. */
export function matmul(runner: KernelRunner, table: BufferTable, a: View, b: View, dtype: StoredDType): DeviceBuffer {
  const d = dims(a, b);
  const size = sizeOf(d.batch) * d.m * d.n;
  if (size === 0) return { size: 0, data: null };
  if (d.k === 0) return fill(runner, size, 0);
  if (runner.engine.isGL && size * d.k >= PACKED_MIN_WORK) return packed(runner, table, a, b, d, dtype);
  return direct(runner, table, a, b, d, dtype);
}

function direct(runner: KernelRunner, table: BufferTable, a: View, b: View, d: Operands, dtype: StoredDType): DeviceBuffer {
  const r = a.shape.length;
  const outShape = [...d.batch, d.m, d.n];
  const aOp: Strided = { strides: [...a.strides.slice(0, r - 1), 0], offset: a.offset };
  const bOp: Strided = { strides: [...b.strides.slice(0, r - 2), 0, b.strides[r - 1] as number], offset: b.offset };
  const flat = collapse({ shape: outShape, operands: [aOp, bOp] });
  let body = coordsCode(flat.shape, "o", "c");
  body += `const ia = ${offsetExpr(flat.operands[0] as Strided, "c")};\nconst ib = ${offsetExpr(flat.operands[1] as Strided, "c")};\n`;
  body += `let acc = 0.0;\nlet kf = 0.0;\nfor (let kk = 0; kk < ${d.k}; kk++) {\n`;
  body += `acc = acc + x0[ia + kf * ${lit(a.strides[r - 1] as number)}] * x1[ib + kf * ${lit(b.strides[r - 2] as number)}];\nkf = kf + 1.0;\n}\n`;
  body += `return ${wrap(dtype, "acc")};`;
  const spec: KernelSpec = { family: "matmul", buffers: ["x0", "x1"], body };
  return runner.run(spec, sizeOf(outShape), [table.get(a.data), table.get(b.data)]);
}

/**
 * `packSpec(shape, op, step, limit, along, zeroFrom)` packs four elements
 * `step` apart into each vec4 of `shape`: texel coordinate `c[along]` holds
 * positions `4 c .. 4 c + 3`, those at or beyond `limit` being zero. With
 * `zeroFrom = [axis, n]`, texels whose coordinate on `axis` is `n` or more are
 * all zero (padding rows).
 */
function packSpec(shape: readonly number[], op: Strided, step: number, limit: number, along: number, zeroFrom?: readonly [number, number]): KernelSpec {
  let body = coordsCode(shape, "o", "c");
  if (zeroFrom) body += `if (c${zeroFrom[0]} >= ${lit(zeroFrom[1])}) { return [0.0, 0.0, 0.0, 0.0]; }\n`;
  body += `const i0 = ${offsetExpr(op, "c")};\nconst p0 = c${along} * 4.0;\n`;
  for (let t = 0; t < 4; t++) {
    body += `let v${t} = 0.0;\nif (p0 + ${lit(t)} < ${lit(limit)}) { v${t} = x0[i0 + ${lit(t * step)}]; }\n`;
  }
  body += "return [v0, v1, v2, v3];";
  return { family: "matmul.pack", buffers: ["x0"], body, returns: "vec4" };
}

function packed(runner: KernelRunner, table: BufferTable, a: View, b: View, d: Operands, dtype: StoredDType): DeviceBuffer {
  const r = a.shape.length;
  const nb = sizeOf(d.batch);
  const k4 = Math.ceil(d.k / 4);
  const n4 = Math.ceil(d.n / 4);
  const sak = a.strides[r - 1] as number;
  const sbn = b.strides[r - 1] as number;
  // a -> [batch, m, k4] vec4 along k; b -> [batch, 4*k4, n4] vec4 along n (rows past k are zero).
  const aShape = [...d.batch, d.m, k4];
  const aPack = packSpec(aShape, { strides: [...a.strides.slice(0, r - 1), 4 * sak], offset: a.offset }, sak, d.k, r - 1);
  const bShape = [...d.batch, 4 * k4, n4];
  const bPack = packSpec(bShape, { strides: [...b.strides.slice(0, r - 1), 4 * sbn], offset: b.offset }, sbn, d.n, r - 1, [r - 2, d.k]);
  const ap = runner.run(aPack, sizeOf(aShape), [table.get(a.data)]);
  const bp = runner.run(bPack, sizeOf(bShape), [table.get(b.data)]);
  // C in vec4 texels: thread (batch, i, jj) computes C[batch, i, 4jj .. 4jj+3].
  let body = coordsCode([nb, d.m, n4], "o", "c");
  body += `const ab = (c0 * ${lit(d.m)} + c1) * ${lit(k4)};\nconst bb = c0 * ${lit(4 * k4 * n4)} + c2;\n`;
  body += "let s0 = 0.0;\nlet s1 = 0.0;\nlet s2 = 0.0;\nlet s3 = 0.0;\nlet kf = 0.0;\n";
  body += `for (let kk = 0; kk < ${k4}; kk++) {\nconst av = x0[ab + kf];\nconst rb = bb + kf * ${lit(4 * n4)};\n`;
  body += `const b0 = x1[rb];\nconst b1 = x1[rb + ${lit(n4)}];\nconst b2 = x1[rb + ${lit(2 * n4)}];\nconst b3 = x1[rb + ${lit(3 * n4)}];\n`;
  for (let t = 0; t < 4; t++) body += `s${t} = s${t} + av[0] * b0[${t}] + av[1] * b1[${t}] + av[2] * b2[${t}] + av[3] * b3[${t}];\n`;
  body += "kf = kf + 1.0;\n}\nreturn [s0, s1, s2, s3];";
  const cp = runner.run({ family: "matmul.packed", buffers: ["x0", "x1"], body, returns: "vec4" }, nb * d.m * n4, [ap, bp]);
  runner.release(ap);
  runner.release(bp);
  // Unpack to the flat [batch, m, n] layout.
  let ub = coordsCode([nb * d.m, d.n], "o", "c");
  ub += `const q = nxIdiv(c1, 4.0);\nconst t = c1 - q * 4.0;\nconst v = x0[c0 * ${lit(n4)} + q];\n`;
  ub += `let r = v[3];\nif (t == 0) { r = v[0]; }\nif (t == 1) { r = v[1]; }\nif (t == 2) { r = v[2]; }\nreturn ${wrap(dtype, "r")};`;
  const out = runner.run({ family: "matmul.unpack", buffers: ["x0"], body: ub }, nb * d.m * d.n, [cp]);
  runner.release(cp);
  return out;
}
