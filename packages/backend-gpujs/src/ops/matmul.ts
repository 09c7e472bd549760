/**
 * Batched matmul. Each thread computes one output element as a dot product
 * over `k`, reading both operands through their strides (so transposed
 * operands need no copy).
 */
import type { View } from "@raven-ts/nx";
import type { KernelSpec } from "../codegen/kernel.js";
import type { Strided } from "../codegen/strided.js";
import { collapse, coordsCode, lit, offsetExpr, sizeOf } from "../codegen/strided.js";
import type { StoredDType } from "../dtypes.js";
import type { KernelRunner } from "../runner.js";
import type { BufferTable, DeviceBuffer } from "../storage.js";
import { fill } from "./creation.js";
import { wrap } from "./elementwise.js";

/** `matmul(runner, table, fn, a, b, dtype)`: see `Backend.matmul`. */
export function matmul(runner: KernelRunner, table: BufferTable, fn: string, a: View, b: View, dtype: StoredDType): DeviceBuffer {
  const r = a.shape.length;
  const m = a.shape[r - 2] as number;
  const k = a.shape[r - 1] as number;
  const n = b.shape[r - 1] as number;
  const outShape = [...a.shape.slice(0, r - 2), m, n];
  const size = sizeOf(outShape);
  if (size === 0) return { size: 0, data: null };
  if (k === 0) return fill(runner, fn, size, 0);
  const aOp: Strided = { strides: [...a.strides.slice(0, r - 1), 0], offset: a.offset };
  const bOp: Strided = { strides: [...b.strides.slice(0, r - 2), 0, b.strides[r - 1] as number], offset: b.offset };
  const flat = collapse({ shape: outShape, operands: [aOp, bOp] });
  const sa = a.strides[r - 1] as number;
  const sb = b.strides[r - 2] as number;
  let body = coordsCode(flat.shape, "o", "c");
  body += `const ia = ${offsetExpr(flat.operands[0] as Strided, "c")};\nconst ib = ${offsetExpr(flat.operands[1] as Strided, "c")};\n`;
  body += `let acc = 0.0;\nlet kf = 0.0;\nfor (let kk = 0; kk < ${k}; kk++) {\n`;
  body += `acc = acc + x0[ia + kf * ${lit(sa)}] * x1[ib + kf * ${lit(sb)}];\nkf = kf + 1.0;\n}\n`;
  body += `return ${wrap(dtype, "acc")};`;
  const spec: KernelSpec = { family: "matmul", buffers: ["x0", "x1"], body };
  return runner.run(fn, spec, size, [table.get(a.data), table.get(b.data)]);
}
