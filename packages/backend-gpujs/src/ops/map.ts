/**
 * Elementwise kernels: every output element is an expression of the
 * operands' elements at the same coordinates, each operand read through its
 * own strides (broadcasts, transposes and flips need no copy).
 */
import type { View } from "@raven-ts/nx";
import type { KernelSpec } from "../codegen/kernel.js";
import type { Strided } from "../codegen/strided.js";
import { sizeOf } from "@raven-ts/nx";
import { collapse, coordsCode, isIdentity, offsetExpr } from "../codegen/strided.js";
import type { KernelRunner } from "../runner.js";
import type { BufferTable, DeviceBuffer } from "../storage.js";

/**
 * `mapSpec(family, shape, operands, expr)` is the kernel writing, for each
 * element of `shape`, `expr` evaluated with `v0, v1, ...` bound to the
 * operands' elements (operand `j` is parameter `x{j}`).
 */
export function mapSpec(family: string, shape: readonly number[], operands: readonly Strided[], expr: string): KernelSpec {
  const flat = collapse({ shape, operands });
  let body = "";
  const direct = flat.shape.length <= 1 && flat.operands.every((op) => isIdentity(flat.shape, op));
  if (!direct) body += coordsCode(flat.shape, "o", "c");
  flat.operands.forEach((op, j) => {
    body += `const v${j} = x${j}[${direct ? "o" : offsetExpr(op, "c")}];\n`;
  });
  body += `return ${expr};`;
  return { family, buffers: operands.map((_, j) => `x${j}`), body };
}

/** `stridedOf(view)` is `view` as an operand over its own shape. */
export function stridedOf(view: View): Strided {
  return { strides: view.strides, offset: view.offset };
}

/**
 * `runMap(runner, table, family, views, expr)` evaluates `expr` elementwise
 * over the common shape of `views` (all the same shape) and returns the new buffer.
 */
export function runMap(runner: KernelRunner, table: BufferTable, family: string, views: readonly View[], expr: string): DeviceBuffer {
  const first = views[0];
  if (first === undefined) throw new Error("runMap needs at least one operand");
  const shape = first.shape;
  const size = sizeOf(shape);
  const spec = mapSpec(family, shape, views.map(stridedOf), expr);
  return runner.run(spec, size, size === 0 ? [] : views.map((v) => table.get(v.data)));
}
