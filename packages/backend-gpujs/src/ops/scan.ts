/**
 * Inclusive scans (`cumsum`, `cumprod`) as Hillis–Steele passes: pass `t`
 * combines each element with the one `2^t` places before it along the axis,
 * so a scan of length n takes ceil(log2 n) launches of O(size) work each.
 */
import type { ScanOp, View } from "@raven-ts/nx";
import type { KernelSpec } from "../codegen/kernel.js";
import type { Strided } from "../codegen/strided.js";
import { contiguousStrides, sizeOf } from "@raven-ts/nx";
import { collapse, coordsCode, lit, offsetExpr } from "../codegen/strided.js";
import type { StoredDType } from "../dtypes.js";
import type { KernelRunner } from "../runner.js";
import type { BufferTable, DeviceBuffer } from "../storage.js";
import { wrap } from "./elementwise.js";
import { runMap } from "./map.js";

const COMBINE: Record<ScanOp, string> = { cumsum: "+", cumprod: "*" };

/** `scan(runner, table, op, x, axis, dtype)`: see `Backend.scan`. */
export function scan(runner: KernelRunner, table: BufferTable, op: ScanOp, x: View, axis: number, dtype: StoredDType): DeviceBuffer {
  const size = sizeOf(x.shape);
  const n = x.shape[axis] as number;
  if (size === 0) return { size: 0, data: null };
  if (n === 1) return runMap(runner, table, "copy", [x], "v0");
  let input: DeviceBuffer = table.get(x.data);
  let operand: Strided = { strides: x.strides, offset: x.offset };
  for (let t = 1; t < n; t *= 2) {
    const flat = collapse({ shape: x.shape, operands: [operand] }, new Set([axis]));
    const a = flat.axisMap.get(axis) as number;
    const op0 = flat.operands[0] as Strided;
    let body = coordsCode(flat.shape, "o", "c");
    body += `const i0 = ${offsetExpr(op0, "c")};\nconst v = x0[i0];\n`;
    body += `if (c${a} >= ${lit(t)}) { return ${wrap(dtype, `v ${COMBINE[op]} x0[i0 - ${lit(t * (op0.strides[a] as number))}]`)}; }\n`;
    body += `return v;`;
    const spec: KernelSpec = { family: op, buffers: ["x0"], body };
    const out = runner.run(spec, size, [input]);
    if (input !== table.get(x.data)) runner.release(input);
    input = out;
    operand = { strides: contiguousStrides(x.shape), offset: 0 };
  }
  return input;
}
