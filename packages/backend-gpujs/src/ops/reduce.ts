/**
 * Reductions (`sum prod max min` over axes) and arg-reductions. A reduction
 * runs in passes: each output thread folds a chunk of at most
 * {@link CHUNK} consecutive reduced elements, so long reductions become a
 * short tree of launches (and float sums stay accurate, as pairwise sums do).
 */
import type { ArgReduceOp, ReduceOp, View } from "@raven-ts/nx";
import type { KernelSpec } from "../codegen/kernel.js";
import type { Strided } from "../codegen/strided.js";
import { sizeOf } from "@raven-ts/nx";
import { collapse, coordsCode, lit, offsetExpr } from "../codegen/strided.js";
import type { StoredDType } from "../dtypes.js";
import type { KernelRunner } from "../runner.js";
import type { BufferTable, DeviceBuffer } from "../storage.js";
import { fill } from "./creation.js";
import { wrap } from "./elementwise.js";
import { mapSpec, runMap } from "./map.js";

/** The most elements one thread folds per pass. */
export const CHUNK = 256;

const COMBINE: Record<ReduceOp, (acc: string, v: string) => string> = {
  sum: (a, v) => `${a} + ${v}`,
  prod: (a, v) => `${a} * ${v}`,
  max: (a, v) => `nxMax(${a}, ${v})`,
  min: (a, v) => `nxMin(${a}, ${v})`,
};

/** The value of an empty reduction: 0, 1, or the dtype's lowest/highest value for max/min. */
const IDENTITY: Record<ReduceOp, (dtype: StoredDType) => number> = {
  sum: () => 0,
  prod: () => 1,
  max: (d) => ({ float32: Number.NEGATIVE_INFINITY, int32: -2147483648, uint8: 0, bool: 0 })[d],
  min: (d) => ({ float32: Number.POSITIVE_INFINITY, int32: 2147483647, uint8: 255, bool: 1 })[d],
};

/** A reduction input: `outer` kept positions (strided), each reducing `length` elements `stride` apart. */
interface Folding {
  readonly buffer: DeviceBuffer;
  readonly keptShape: readonly number[];
  readonly kept: Strided;
  readonly length: number;
  readonly stride: number;
}

function foldPass(runner: KernelRunner, op: ReduceOp, dtype: StoredDType, f: Folding): Folding {
  const chunk = Math.min(CHUNK, f.length);
  const parts = Math.ceil(f.length / chunk);
  const kept = collapse({ shape: f.keptShape, operands: [f.kept] });
  const shape = [...kept.shape, parts];
  const keptOp = kept.operands[0] as Strided;
  const op0: Strided = { strides: [...keptOp.strides, chunk * f.stride], offset: keptOp.offset };
  let body = coordsCode(shape, "o", "c");
  body += `const base = ${offsetExpr(op0, "c")};\n`;
  body += `const lim = ${lit(f.length)} - c${shape.length - 1} * ${lit(chunk)};\n`;
  body += `let acc = x0[base];\nlet jf = 0.0;\n`;
  body += `for (let j = 1; j < ${chunk}; j++) {\njf = jf + 1.0;\nif (jf < lim) { acc = ${COMBINE[op]("acc", `x0[base + jf * ${lit(f.stride)}]`)}; }\n}\n`;
  body += `return ${op === "sum" || op === "prod" ? wrap(dtype, "acc") : "acc"};`;
  const spec: KernelSpec = { family: `reduce.${op}`, buffers: ["x0"], body };
  const outer = sizeOf(kept.shape);
  const buffer = runner.run(spec, outer * parts, [f.buffer]);
  return { buffer, keptShape: [outer], kept: { strides: [parts], offset: 0 }, length: parts, stride: 1 };
}

/** `reduce(runner, table, op, x, axes)`: see `Backend.reduce`. */
export function reduce(runner: KernelRunner, table: BufferTable, op: ReduceOp, x: View, axes: readonly number[], dtype: StoredDType): DeviceBuffer {
  if (axes.length === 0) return runMap(runner, table, "copy", [x], "v0");
  const keptAxes = x.shape.map((_, k) => k).filter((k) => !axes.includes(k));
  const keptShape = keptAxes.map((k) => x.shape[k] as number);
  const redShape = axes.map((k) => x.shape[k] as number);
  const outer = sizeOf(keptShape);
  const length = sizeOf(redShape);
  if (outer === 0) return { size: 0, data: null };
  if (length === 0) return fill(runner, outer, IDENTITY[op](dtype));
  const red = collapse({ shape: redShape, operands: [{ strides: axes.map((k) => x.strides[k] as number), offset: 0 }] });
  let f: Folding;
  if (red.shape.length <= 1) {
    f = {
      buffer: table.get(x.data),
      keptShape,
      kept: { strides: keptAxes.map((k) => x.strides[k] as number), offset: x.offset },
      length,
      stride: red.shape.length === 0 ? 1 : ((red.operands[0] as Strided).strides[0] as number),
    };
  } else {
    // Gather the reduced axes innermost and contiguous first.
    const perm = [...keptAxes, ...axes];
    const permShape = perm.map((k) => x.shape[k] as number);
    const spec = mapSpec("copy", permShape, [{ strides: perm.map((k) => x.strides[k] as number), offset: x.offset }], "v0");
    const gathered = runner.run(spec, outer * length, [table.get(x.data)]);
    f = { buffer: gathered, keptShape: [outer], kept: { strides: [length], offset: 0 }, length, stride: 1 };
  }
  const input = table.get(x.data);
  do {
    const next = foldPass(runner, op, dtype, f);
    if (f.buffer !== input) runner.release(f.buffer); // an intermediate of ours, never the caller's buffer
    f = next;
  } while (f.length > 1);
  return f.buffer;
}

const BETTER: Record<ArgReduceOp, string> = { argmax: ">", argmin: "<" };

/** `argReduce(runner, table, op, x, axis)`: see `Backend.argReduce` (first index wins ties; first NaN wins). */
export function argReduce(runner: KernelRunner, table: BufferTable, op: ArgReduceOp, x: View, axis: number): DeviceBuffer {
  const keptAxes = x.shape.map((_, k) => k).filter((k) => k !== axis);
  const keptShape = keptAxes.map((k) => x.shape[k] as number);
  const outer = sizeOf(keptShape);
  const n = x.shape[axis] as number;
  if (outer === 0) return { size: 0, data: null };
  const kept = collapse({ shape: keptShape, operands: [{ strides: keptAxes.map((k) => x.strides[k] as number), offset: x.offset }] });
  const s = x.strides[axis] as number;
  let body = coordsCode(kept.shape, "o", "c");
  body += `const base = ${offsetExpr(kept.operands[0] as Strided, "c")};\n`;
  body += `let best = x0[base];\nlet bi = 0.0;\nlet jf = 0.0;\n`;
  body += `for (let j = 1; j < ${n}; j++) {\njf = jf + 1.0;\nif (best == best) {\nconst v = x0[base + jf * ${lit(s)}];\n`;
  body += `if (v != v || v ${BETTER[op]} best) { best = v; bi = jf; }\n}\n}\nreturn bi;`;
  const spec: KernelSpec = { family: op, buffers: ["x0"], body };
  return runner.run(spec, outer, [table.get(x.data)]);
}
