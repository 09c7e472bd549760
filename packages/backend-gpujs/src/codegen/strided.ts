/**
 * Index arithmetic for strided operands. A kernel writes a C-contiguous
 * output of some shape; each operand is described by its strides over the
 * output's axes (0 on broadcast axes, negative on flipped ones) and an
 * offset. These helpers shrink such layouts to the fewest axes and emit the
 * kernel code that turns the flat output index into operand indices.
 */
import { contiguousStrides } from "@raven-ts/nx";

/** An operand's element strides over the output axes, and the offset of output index 0. */
export interface Strided {
  readonly strides: readonly number[];
  readonly offset: number;
}

/** An output shape with the operands read along it. */
export interface Layout {
  readonly shape: readonly number[];
  readonly operands: readonly Strided[];
}

/**
 * `collapse(layout, keep)` is an equivalent layout with size-1 axes dropped
 * and adjacent axes merged wherever every operand steps uniformly across
 * them (as the C-order output always does). Axes in `keep` are never dropped
 * or merged; `axisMap[k]` is the new position of kept axis `k`.
 */
export function collapse(layout: Layout, keep: ReadonlySet<number> = new Set()): Layout & { readonly axisMap: ReadonlyMap<number, number> } {
  const shape: number[] = [];
  const strides: number[][] = layout.operands.map(() => []);
  const axisMap = new Map<number, number>();
  let prevKept = true;
  layout.shape.forEach((d, k) => {
    const kept = keep.has(k);
    if (d === 1 && !kept) return;
    const last = shape.length - 1;
    const mergeable =
      !kept &&
      !prevKept &&
      last >= 0 &&
      layout.operands.every((op, j) => (strides[j]?.[last] as number) === (op.strides[k] as number) * d);
    if (mergeable) {
      shape[last] = (shape[last] as number) * d;
      layout.operands.forEach((op, j) => {
        (strides[j] as number[])[last] = op.strides[k] as number;
      });
    } else {
      if (kept) axisMap.set(k, shape.length);
      shape.push(d);
      layout.operands.forEach((op, j) => (strides[j] as number[]).push(op.strides[k] as number));
    }
    prevKept = kept;
  });
  return {
    shape,
    operands: layout.operands.map((op, j) => ({ strides: strides[j] as number[], offset: op.offset })),
    axisMap,
  };
}

/** nx's shape arithmetic, re-exported for the kernel generators. */
export { contiguousStrides, sizeOf } from "@raven-ts/nx";

/** `isIdentity(shape, op)` is true when `op` reads the output's own C-order positions (flat index = output index). */
export function isIdentity(shape: readonly number[], op: Strided): boolean {
  if (op.offset !== 0) return false;
  const c = contiguousStrides(shape);
  return shape.every((d, k) => d === 1 || op.strides[k] === c[k]);
}

/**
 * `coordsCode(shape, flat, prefix)` is kernel statements declaring
 * `${prefix}0 .. ${prefix}{r-1}`, the coordinates of flat C-order index
 * `flat` (a float variable) in `shape`. Uses `nxIdiv`.
 */
export function coordsCode(shape: readonly number[], flat: string, prefix: string): string {
  const r = shape.length;
  if (r === 0) return "";
  if (r === 1) return `const ${prefix}0 = ${flat};\n`;
  const rest = `${prefix}r`;
  let code = `let ${rest} = ${flat};\n`;
  for (let k = r - 1; k >= 1; k--) {
    const d = shape[k] as number;
    code += `const ${prefix}q${k} = nxIdiv(${rest}, ${lit(d)});\n`;
    code += `const ${prefix}${k} = ${rest} - ${prefix}q${k} * ${lit(d)};\n`;
    code += `${rest} = ${prefix}q${k};\n`;
  }
  code += `const ${prefix}0 = ${rest};\n`;
  return code;
}

/** `offsetExpr(op, prefix)` is the kernel expression of `op`'s element index at coordinates `${prefix}k`. */
export function offsetExpr(op: Strided, prefix: string): string {
  const terms: string[] = [];
  op.strides.forEach((s, k) => {
    if (s === 0) return;
    terms.push(s === 1 ? `${prefix}${k}` : `${prefix}${k} * ${lit(s)}`);
  });
  if (op.offset !== 0 || terms.length === 0) terms.unshift(lit(op.offset));
  return terms.join(" + ");
}

/**
 * `lit(v)` is `v` as a float literal in kernel source. gpu.js types an
 * integral literal by context, so whole numbers get an explicit `.0`;
 * non-finite values cannot be literals and must be passed as scalar arguments.
 * @throws Error for NaN or ±Infinity.
 */
export function lit(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`kernel literal must be finite, got ${v}`);
  if (Number.isInteger(v)) return Math.abs(v) >= 1e21 ? v.toExponential() : `${v}.0`;
  return `${v}`;
}
