/** `gather` (numpy `take`) and its adjoint `scatterAdd`. */
import type { View } from "@raven-ts/nx";
import type { KernelSpec } from "../codegen/kernel.js";
import type { Strided } from "../codegen/strided.js";
import { contiguousStrides, sizeOf } from "@raven-ts/nx";
import { collapse, coordsCode, lit, offsetExpr } from "../codegen/strided.js";
import type { StoredDType } from "../dtypes.js";
import type { KernelRunner } from "../runner.js";
import type { BufferTable, DeviceBuffer } from "../storage.js";
import { fill } from "./creation.js";
import { wrap } from "./elementwise.js";
import { mapSpec } from "./map.js";

/** `gather(runner, table, x, indices, axis)`: see `Backend.gather`. */
export function gather(runner: KernelRunner, table: BufferTable, x: View, indices: View, axis: number): DeviceBuffer {
  const pre = x.shape.slice(0, axis);
  const post = x.shape.slice(axis + 1);
  const outShape = [...pre, ...indices.shape, ...post];
  const size = sizeOf(outShape);
  if (size === 0) return { size: 0, data: null };
  const zerosIdx = indices.shape.map(() => 0);
  const xOp: Strided = { strides: [...x.strides.slice(0, axis), ...zerosIdx, ...x.strides.slice(axis + 1)], offset: x.offset };
  const iOp: Strided = { strides: [...pre.map(() => 0), ...indices.strides, ...post.map(() => 0)], offset: indices.offset };
  const flat = collapse({ shape: outShape, operands: [xOp, iOp] });
  let body = coordsCode(flat.shape, "o", "c");
  body += `const k = nxIndex(x1[${offsetExpr(flat.operands[1] as Strided, "c")}], ${lit(x.shape[axis] as number)});\n`;
  body += `return x0[${offsetExpr(flat.operands[0] as Strided, "c")} + k * ${lit(x.strides[axis] as number)}];`;
  const spec: KernelSpec = { family: "gather", buffers: ["x0", "x1"], body };
  return runner.run(spec, size, [table.get(x.data), table.get(indices.data)]);
}

/**
 * `flatStride(shape, strides)` is the single stride that walks `shape` in C
 * order through `strides`, or undefined when no single stride does.
 */
function flatStride(shape: readonly number[], strides: readonly number[]): number | undefined {
  const flat = collapse({ shape, operands: [{ strides, offset: 0 }] });
  if (flat.shape.length === 0) return 1;
  return flat.shape.length === 1 ? ((flat.operands[0] as Strided).strides[0] as number) : undefined;
}

/** `scatterAdd(runner, table, updates, indices, axis, shape, dtype)`: see `Backend.scatterAdd`. */
export function scatterAdd(
  runner: KernelRunner,
  table: BufferTable,
  updates: View,
  indices: View,
  axis: number,
  shape: readonly number[],
  dtype: StoredDType,
): DeviceBuffer {
  const size = sizeOf(shape);
  const count = sizeOf(indices.shape);
  if (size === 0) return { size: 0, data: null };
  if (count === 0) return fill(runner, size, 0);
  const temps: DeviceBuffer[] = [];
  const flatten = (v: View): { buffer: DeviceBuffer; view: Pick<View, "shape" | "strides" | "offset"> } => {
    const spec = mapSpec("copy", v.shape, [{ strides: v.strides, offset: v.offset }], "v0");
    const buffer = runner.run(spec, sizeOf(v.shape), [table.get(v.data)]);
    temps.push(buffer);
    return { buffer, view: { shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 } };
  };
  const r = indices.shape.length;
  let idx = { buffer: table.get(indices.data), view: indices as Pick<View, "shape" | "strides" | "offset"> };
  let iStride = flatStride(indices.shape, indices.strides);
  if (iStride === undefined) {
    idx = flatten(indices);
    iStride = 1;
  }
  let upd = { buffer: table.get(updates.data), view: updates as Pick<View, "shape" | "strides" | "offset"> };
  let uStride = flatStride(indices.shape, updates.strides.slice(axis, axis + r));
  if (uStride === undefined) {
    upd = flatten(updates);
    uStride = flatStride(indices.shape, upd.view.strides.slice(axis, axis + r)) as number;
  }
  const uOp: Strided = {
    strides: [...upd.view.strides.slice(0, axis), 0, ...upd.view.strides.slice(axis + r)],
    offset: upd.view.offset,
  };
  const flat = collapse({ shape, operands: [uOp] }, new Set([axis]));
  const a = flat.axisMap.get(axis) as number;
  let body = coordsCode(flat.shape, "o", "c");
  body += `const ub = ${offsetExpr(flat.operands[0] as Strided, "c")};\nlet acc = 0.0;\nlet pf = -1.0;\n`;
  body += `for (let p = 0; p < ${count}; p++) {\npf = pf + 1.0;\n`;
  body += `const k = nxIndex(x1[${lit(idx.view.offset)} + pf * ${lit(iStride)}], ${lit(shape[axis] as number)});\n`;
  body += `if (k == c${a}) { acc = acc + x0[ub + pf * ${lit(uStride)}]; }\n}\n`;
  body += `return ${wrap(dtype, "acc")};`;
  const spec: KernelSpec = { family: "scatterAdd", buffers: ["x0", "x1"], body };
  const out = runner.run(spec, size, [upd.buffer, idx.buffer]);
  for (const t of temps) runner.release(t);
  return out;
}
