/**
 * `sort` and `argsort` as a merge sort of indices, one launch per pass. The
 * lanes along the sorted axis are laid out as rows of an index buffer; pass
 * `t` merges neighbouring runs of `2^t` indices, and each output thread finds
 * its element by a binary search on the merge path (the number of elements
 * the left run contributes before it), so a pass costs `O(log n)` per element
 * and a lane of `n` takes `ceil(log2 n)` passes. Ties take the left run
 * first, which makes the sort stable. Keys are read from `x` through the
 * indices, in place (any strides); a last pass writes the values or indices
 * in `x`'s layout.
 */
import type { SortOp, View } from "@raven-ts/nx";
import type { KernelSpec } from "../codegen/kernel.js";
import type { Strided } from "../codegen/strided.js";
import { collapse, contiguousStrides, coordsCode, lit, offsetExpr, sizeOf } from "../codegen/strided.js";
import type { KernelRunner } from "../runner.js";
import { EMPTY } from "../runner.js";
import type { BufferTable, DeviceBuffer } from "../storage.js";

/**
 * `beforeExpr(u, v, descending)` is the kernel condition "`u` sorts strictly
 * before `v`": NaN above every number (last ascending, first descending).
 */
function beforeExpr(u: string, v: string, descending: boolean): string {
  return descending ? `(${u} > ${v} || (${u} != ${u} && ${v} == ${v}))` : `(${u} < ${v} || (${v} != ${v} && ${u} == ${u}))`;
}

/** `laneBase(x, axis, lane)` is kernel statements declaring `base`, the position in `x` of element 0 of lane number `lane` (C order over the other axes). */
function laneBase(x: View, axis: number, lane: string): string {
  const keptAxes = x.shape.map((_, k) => k).filter((k) => k !== axis);
  const kept = collapse({ shape: keptAxes.map((k) => x.shape[k] as number), operands: [{ strides: keptAxes.map((k) => x.strides[k] as number), offset: x.offset }] });
  return `${coordsCode(kept.shape, lane, "l")}const base = ${offsetExpr(kept.operands[0] as Strided, "l")};\n`;
}

/**
 * The merge pass: `x1` holds rows of `n` indices sorted in runs of `w`
 * (the scalar argument); the output holds them sorted in runs of `2w`.
 */
function mergeSpec(x: View, axis: number, descending: boolean): KernelSpec {
  const n = x.shape[axis] as number;
  const s = lit(x.strides[axis] as number);
  const steps = Math.ceil(Math.log2(n + 1)) + 1;
  // Indices are read into locals before the keys they address (gpu.js mishandles nested texture reads).
  const key = (dst: string, i: string): string => `const ${dst}i = ${i};\nconst ${dst} = x0[base + ${dst}i * ${s}];\n`;
  let body = `const lane = nxIdiv(o, ${lit(n)});\nconst p = o - lane * ${lit(n)};\n`;
  body += laneBase(x, axis, "lane");
  body += `const s0 = nxIdiv(p, 2.0 * w) * 2.0 * w;\n`;
  body += `const la = Math.min(w, ${lit(n)} - s0);\nconst lb = Math.min(w, Math.max(0.0, ${lit(n)} - s0 - w));\n`;
  body += `const q = p - s0;\nconst rowA = lane * ${lit(n)} + s0;\nconst rowB = rowA + la;\n`;
  // lo..hi brackets the number of left-run elements among the first q outputs.
  body += `let lo = Math.max(0.0, q - lb);\nlet hi = Math.min(q, la);\n`;
  body += `for (let k = 0; k < ${steps}; k++) {\nif (lo < hi) {\n`;
  body += `const m = Math.floor((lo + hi) * 0.5);\n${key("va", "x1[rowA + m]")}${key("vb", "x1[rowB + q - m - 1.0]")}`;
  body += `if (${beforeExpr("vb", "va", descending)}) { hi = m; } else { lo = m + 1.0; }\n}\n}\n`;
  body += `const b = q - lo;\nlet fromA = false;\n`;
  body += `if (lo < la) {\nif (b >= lb) { fromA = true; } else {\n`;
  body += `${key("ua", "x1[rowA + lo]")}${key("ub", "x1[rowB + b]")}`;
  body += `if (${beforeExpr("ub", "ua", descending)}) { fromA = false; } else { fromA = true; }\n}\n}\n`;
  body += `if (fromA) { return x1[rowA + lo]; }\nreturn x1[rowB + b];`;
  return { family: "sort.merge", buffers: ["x0", "x1"], scalars: ["w"], body };
}

/**
 * The last pass: the output in `x`'s C-order layout, reading the sorted index
 * rows `x1` (lane-major); `argsort` writes the indices, `sort` the values of
 * `x` (`x0`) at them.
 */
function finalSpec(op: SortOp, x: View, axis: number): KernelSpec {
  const n = x.shape[axis] as number;
  const keptStrides = contiguousStrides(x.shape.filter((_, k) => k !== axis));
  let j = 0;
  const rows: Strided = { strides: x.shape.map((_, k) => (k === axis ? 1 : n * (keptStrides[j++] as number))), offset: 0 };
  const lanes: Strided = { strides: x.strides.map((st, k) => (k === axis ? 0 : st)), offset: x.offset };
  const flat = collapse({ shape: x.shape, operands: [rows, lanes] });
  let body = coordsCode(flat.shape, "o", "c");
  body += `const i = x1[${offsetExpr(flat.operands[0] as Strided, "c")}];\n`;
  body += op === "argsort" ? "return i;" : `return x0[${offsetExpr(flat.operands[1] as Strided, "c")} + i * ${lit(x.strides[axis] as number)}];`;
  return { family: `sort.${op}`, buffers: ["x0", "x1"], body };
}

/** `sort(runner, table, op, x, axis, descending)`: see `Backend.sort`. */
export function sort(runner: KernelRunner, table: BufferTable, op: SortOp, x: View, axis: number, descending: boolean): DeviceBuffer {
  const size = sizeOf(x.shape);
  if (size === 0) return EMPTY;
  const n = x.shape[axis] as number;
  const input = table.get(x.data);
  let rows = runner.run({ family: "sort.iota", buffers: [], body: `return o - nxIdiv(o, ${lit(n)}) * ${lit(n)};` }, size, []);
  const merge = mergeSpec(x, axis, descending);
  for (let w = 1; w < n; w *= 2) {
    const next = runner.run(merge, size, [input, rows], [w]);
    runner.release(rows);
    rows = next;
  }
  const lastAxis = axis === x.shape.length - 1;
  if (op === "argsort" && lastAxis) return rows;
  const out = runner.run(finalSpec(op, x, axis), size, [input, rows]);
  runner.release(rows);
  return out;
}
