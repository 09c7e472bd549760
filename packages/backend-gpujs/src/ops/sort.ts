/**
 * `sort` and `argsort` (of the first `k` of each lane) as a merge sort of
 * indices, one launch per pass. The lanes along the sorted axis are laid out
 * as rows of an index buffer; a pass merges neighbouring runs of `w`
 * indices, and each output thread finds its element by a binary search on
 * the merge path (the number of elements the left run contributes before
 * it), so a pass costs `O(log n)` per element. Ties take the left run first,
 * which makes the sort stable. Every pass keeps only the first `k` of each
 * merged pair: a full sort (`k = n`) takes `ceil(log2 n)` passes over the
 * whole lanes, a top-k only `log2 k` of them before the rows shrink by half
 * with every pass. Keys are read from `x` through the indices, in place (any
 * strides); a last pass writes the values or indices in `x`'s layout.
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
 * The merge pass. Scalars: `w` (the input's run length), `rOut` (the output's,
 * `min(2w, k)`), `mIn`, `mOut` (indices per row in and out). `x1` holds rows of
 * indices sorted in runs of `w`; the output holds, per pair of runs, the first
 * `rOut` of their merge.
 */
function mergeSpec(x: View, axis: number, descending: boolean): KernelSpec {
  const n = x.shape[axis] as number;
  const s = lit(x.strides[axis] as number);
  const steps = Math.ceil(Math.log2(n + 1)) + 1;
  // Indices are read into locals before the keys they address (gpu.js mishandles nested texture reads).
  const key = (dst: string, i: string): string => `const ${dst}i = ${i};\nconst ${dst} = x0[base + ${dst}i * ${s}];\n`;
  let body = `const lane = nxIdiv(o, mOut);\nconst p = o - lane * mOut;\n`;
  body += laneBase(x, axis, "lane");
  body += `const pair = nxIdiv(p, rOut);\nconst q = p - pair * rOut;\nconst s0 = pair * 2.0 * w;\n`;
  body += `const la = Math.min(w, mIn - s0);\nconst lb = Math.min(w, Math.max(0.0, mIn - s0 - w));\n`;
  body += `const rowA = lane * mIn + s0;\nconst rowB = rowA + la;\n`;
  // lo..hi brackets the number of left-run elements among the first q outputs.
  body += `let lo = Math.max(0.0, q - lb);\nlet hi = Math.min(q, la);\n`;
  // The loop exits as soon as the bracket closes (about log2(w) steps), not after the bound for the longest runs.
  body += `for (let k = 0; k < ${steps}; k++) {\nif (lo >= hi) { break; }\n`;
  body += `const m = Math.floor((lo + hi) * 0.5);\n${key("va", "x1[rowA + m]")}${key("vb", "x1[rowB + q - m - 1.0]")}`;
  body += `if (${beforeExpr("vb", "va", descending)}) { hi = m; } else { lo = m + 1.0; }\n}\n`;
  body += `const b = q - lo;\nlet fromA = false;\n`;
  body += `if (lo < la) {\nif (b >= lb) { fromA = true; } else {\n`;
  body += `${key("ua", "x1[rowA + lo]")}${key("ub", "x1[rowB + b]")}`;
  body += `if (${beforeExpr("ub", "ua", descending)}) { fromA = false; } else { fromA = true; }\n}\n}\n`;
  body += `if (fromA) { return x1[rowA + lo]; }\nreturn x1[rowB + b];`;
  return { family: "sort.merge", buffers: ["x0", "x1"], scalars: ["w", "rOut", "mIn", "mOut"], body };
}

/**
 * The last pass: the output (`x`'s shape with `axis` of size `k`) in C order,
 * reading the sorted index rows `x1` (`k` per lane, lane-major); `argsort`
 * writes the indices, `sort` the values of `x` (`x0`) at them.
 */
function finalSpec(op: SortOp, x: View, axis: number, k: number): KernelSpec {
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  const laneStrides = contiguousStrides(x.shape.filter((_, i) => i !== axis));
  let j = 0;
  const rows: Strided = { strides: shape.map((_, i) => (i === axis ? 1 : k * (laneStrides[j++] as number))), offset: 0 };
  const lanes: Strided = { strides: x.strides.map((st, i) => (i === axis ? 0 : st)), offset: x.offset };
  const flat = collapse({ shape, operands: [rows, lanes] });
  let body = coordsCode(flat.shape, "o", "c");
  body += `const i = x1[${offsetExpr(flat.operands[0] as Strided, "c")}];\n`;
  body += op === "argsort" ? "return i;" : `return x0[${offsetExpr(flat.operands[1] as Strided, "c")} + i * ${lit(x.strides[axis] as number)}];`;
  return { family: `sort.${op}`, buffers: ["x0", "x1"], body };
}

/** `sort(runner, table, op, x, axis, descending, k)`: see `Backend.sort`. */
export function sort(runner: KernelRunner, table: BufferTable, op: SortOp, x: View, axis: number, descending: boolean, k: number): DeviceBuffer {
  const n = x.shape[axis] as number;
  const lanes = sizeOf(x.shape) / Math.max(n, 1);
  if (lanes * k === 0) return EMPTY;
  const input = table.get(x.data);
  let rows = runner.run({ family: "sort.iota", buffers: [], body: `return o - nxIdiv(o, ${lit(n)}) * ${lit(n)};` }, lanes * n, []);
  const merge = mergeSpec(x, axis, descending);
  // Rows of m indices in runs of w; each pass merges pairs of runs, keeping the first k of each.
  for (let w = 1, m = n; m > w; ) {
    const rOut = Math.min(2 * w, k);
    const pairs = Math.ceil(m / (2 * w));
    const mOut = (pairs - 1) * rOut + Math.min(m - (pairs - 1) * 2 * w, k);
    const next = runner.run(merge, lanes * mOut, [input, rows], [w, rOut, m, mOut]);
    runner.release(rows);
    rows = next;
    w = rOut;
    m = mOut;
  }
  if (op === "argsort" && axis === x.shape.length - 1) return rows;
  const out = runner.run(finalSpec(op, x, axis, k), lanes * k, [input, rows]);
  runner.release(rows);
  return out;
}
