import type { DType, HostArray } from "./dtype.js";

/** Above this many elements, printing keeps only `EDGE_ITEMS` at each end of every axis (numpy's defaults). */
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/**
 * `formatTensor(data, shape, dtype)` renders C-order `data` like numpy's `str`
 * (commas between elements, one row per line, aligned columns): floats
 * with up to 4 significant decimals, `true`/`false` for bool, and `...` for
 * the elided middle of long axes when the tensor has more than 1000 elements.
 */
export function formatTensor(data: HostArray, shape: readonly number[], dtype: DType): string {
  const fmt = (v: number): string => {
    if (dtype === "bool") return v !== 0 ? "true" : "false";
    if (dtype !== "float32" && dtype !== "float64") return String(v);
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-4 || a >= 1e16)) return v.toExponential(4);
    return String(Number(v.toFixed(4)));
  };
  if (shape.length === 0) return fmt(data[0] as number);
  const summarize = data.length > THRESHOLD;
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  const indices = (n: number): (number | null)[] =>
    summarize && n > 2 * EDGE_ITEMS
      ? [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)]
      : Array.from({ length: n }, (_, i) => i);
  // First pass: the width of the widest printed element, for alignment.
  let width = 0;
  const visit = (axis: number, base: number): void => {
    for (const i of indices(shape[axis] as number)) {
      if (i === null) continue;
      const off = base + i * (strides[axis] as number);
      if (axis === shape.length - 1) width = Math.max(width, fmt(data[off] as number).length);
      else visit(axis + 1, off);
    }
  };
  visit(0, 0);
  const render = (axis: number, base: number, indent: string): string => {
    const parts: string[] = [];
    for (const i of indices(shape[axis] as number)) {
      if (i === null) parts.push("...");
      else if (axis === shape.length - 1) parts.push(fmt(data[base + i * (strides[axis] as number)] as number).padStart(width));
      else parts.push(render(axis + 1, base + i * (strides[axis] as number), indent + " "));
    }
    const sep = axis === shape.length - 1 ? ", " : "," + "\n".repeat(shape.length - 1 - axis) + indent + " ";
    return `[${parts.join(sep)}]`;
  };
  return render(0, 0, "");
}
