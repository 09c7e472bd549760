/** Layout primitives that move elements: `pad` and `concat`. */
import type { PadWidth, View } from "@raven-ts/nx";
import type { KernelSpec } from "../codegen/kernel.js";
import { contiguousStrides, sizeOf } from "@raven-ts/nx";
import { collapse, coordsCode, lit, offsetExpr } from "../codegen/strided.js";
import type { KernelRunner } from "../runner.js";
import type { BufferTable, DeviceBuffer } from "../storage.js";
import { fill } from "./creation.js";
import { runMap } from "./map.js";

/** `padSize(n, w)` is the padded length of an axis of length `n`. */
export function padSize(n: number, w: PadWidth): number {
  return w.lo + w.hi + n + Math.max(n - 1, 0) * w.interior;
}

/** `pad(runner, table, x, widths, value)`: see `Backend.pad`. */
export function pad(runner: KernelRunner, table: BufferTable, x: View, widths: readonly PadWidth[], value: number): DeviceBuffer {
  const outShape = x.shape.map((n, k) => padSize(n, widths[k] as PadWidth));
  const size = sizeOf(outShape);
  if (sizeOf(x.shape) === 0) return fill(runner, size, value);
  if (x.shape.length === 0) return runMap(runner, table, "copy", [x], "v0");
  let body = coordsCode(outShape, "o", "c");
  const reads: string[] = [];
  x.shape.forEach((n, k) => {
    const w = widths[k] as PadWidth;
    const s = x.strides[k] as number;
    body += `const p${k} = c${k} - ${lit(w.lo)};\n`;
    if (w.interior === 0) {
      body += `if (p${k} < 0 || p${k} >= ${lit(n)}) { return s0; }\n`;
      reads.push(`p${k} * ${lit(s)}`);
    } else {
      const step = w.interior + 1;
      body += `if (p${k} < 0) { return s0; }\n`;
      body += `const j${k} = nxIdiv(p${k}, ${lit(step)});\n`;
      body += `if (p${k} - j${k} * ${lit(step)} != 0 || j${k} >= ${lit(n)}) { return s0; }\n`;
      reads.push(`j${k} * ${lit(s)}`);
    }
  });
  body += `return x0[${[lit(x.offset), ...reads].join(" + ")}];`;
  const spec: KernelSpec = { family: "pad", buffers: ["x0"], scalars: ["s0"], body };
  return runner.run(spec, size, [table.get(x.data)], [value]);
}

/** The most inputs one concat kernel reads (GL has few texture units; larger concats go in rounds). */
const MAX_CONCAT_INPUTS = 8;

/** `concat(runner, table, xs, axis)`: see `Backend.concat`. */
export function concat(runner: KernelRunner, table: BufferTable, xs: readonly View[], axis: number): DeviceBuffer {
  const first = xs[0];
  if (first === undefined) throw new Error("concat needs at least one input");
  const outShape = [...first.shape];
  outShape[axis] = xs.reduce((s, v) => s + (v.shape[axis] as number), 0);
  const size = sizeOf(outShape);
  const parts = xs.filter((v) => sizeOf(v.shape) > 0).map((v) => ({ view: v, buffer: table.get(v.data) }));
  if (size === 0 || parts.length === 0) return { size: 0, data: null };
  return concatParts(runner, parts, outShape, axis);
}

interface Part {
  readonly view: Pick<View, "shape" | "strides" | "offset">;
  readonly buffer: DeviceBuffer;
}

function concatParts(runner: KernelRunner, parts: readonly Part[], outShape: readonly number[], axis: number): DeviceBuffer {
  if (parts.length > MAX_CONCAT_INPUTS) {
    const merged: Part[] = [];
    const temps: DeviceBuffer[] = [];
    for (let i = 0; i < parts.length; i += MAX_CONCAT_INPUTS) {
      const group = parts.slice(i, i + MAX_CONCAT_INPUTS);
      const shape = [...outShape];
      shape[axis] = group.reduce((s, p) => s + (p.view.shape[axis] as number), 0);
      const buffer = concatParts(runner, group, shape, axis);
      temps.push(buffer);
      merged.push({ view: { shape, strides: contiguousStrides(shape), offset: 0 }, buffer });
    }
    const out = concatParts(runner, merged, outShape, axis);
    for (const t of temps) runner.release(t);
    return out;
  }
  let start = 0;
  const operands = parts.map((p) => {
    const s = p.view.strides[axis] as number;
    const op = { strides: p.view.strides, offset: p.view.offset - start * s };
    start += p.view.shape[axis] as number;
    return op;
  });
  const flat = collapse({ shape: outShape, operands }, new Set([axis]));
  const a = flat.axisMap.get(axis) as number;
  let body = coordsCode(flat.shape, "o", "c");
  let end = 0;
  parts.forEach((p, j) => {
    end += p.view.shape[axis] as number;
    const read = `return x${j}[${offsetExpr(flat.operands[j] as (typeof flat.operands)[number], "c")}];`;
    body += j === parts.length - 1 ? `${read}\n` : `if (c${a} < ${lit(end)}) { ${read} }\n`;
  });
  const spec: KernelSpec = { family: "concat", buffers: parts.map((_, j) => `x${j}`), body };
  return runner.run(spec, sizeOf(outShape), parts.map((p) => p.buffer));
}
