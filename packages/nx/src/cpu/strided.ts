/**
 * The one strided iterator of the CPU backend. Every kernel walks its
 * operands with a {@link RowCursor}: the index arithmetic lives here, the
 * kernels only run tight loops along rows.
 */
import { sizeOf } from "../shape.js";

/** Where a strided operand's elements live: element strides per axis and the position of index `[0, ..., 0]`. */
export interface Layout {
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * A `RowCursor` walks one shape in C order over several strided operands at
 * once, a row at a time. Axes of size 1 are dropped and neighbouring axes that
 * every operand can address with one stride are merged, so contiguous
 * operands become a single row and a broadcast operand a row of step 0.
 *
 * Use: `for (let r = 0; r < c.rows; r++, c.next()) { ... c.start(k) + j * c.step(k) ... }`
 * visits, for `j < c.length`, the elements in C order; row `r` covers C-order
 * positions `r * c.length` to `(r + 1) * c.length - 1`.
 */
export class RowCursor {
  /** The number of rows: 0 when the shape has no elements, 1 for rank 0. */
  readonly rows: number;
  /** Elements per row: 0 when the shape has no elements, 1 for rank 0. */
  readonly length: number;
  readonly #operands: number;
  readonly #steps: number[];
  readonly #starts: number[];
  readonly #dims: number[];
  /** Stride of outer axis `d` for operand `k` at `d * operands + k`. */
  readonly #strides: number[];
  readonly #index: number[];

  constructor(shape: readonly number[], operands: readonly Layout[]) {
    const count = operands.length;
    const dims: number[] = [];
    const strides: number[] = [];
    shape.forEach((d, axis) => {
      if (d === 1) return;
      const last = dims.length - 1;
      const mergeable = last >= 0 && operands.every((op, k) => strides[last * count + k] === (op.strides[axis] as number) * d);
      if (mergeable) {
        dims[last] = (dims[last] as number) * d;
        operands.forEach((op, k) => (strides[last * count + k] = op.strides[axis] as number));
      } else {
        dims.push(d);
        for (const op of operands) strides.push(op.strides[axis] as number);
      }
    });
    const empty = sizeOf(shape) === 0;
    const hasAxes = dims.length > 0;
    const inner = dims.pop() ?? 1;
    this.#steps = hasAxes ? strides.splice(dims.length * count, count) : new Array<number>(count).fill(0);
    this.length = empty ? 0 : inner;
    this.rows = empty ? 0 : sizeOf(dims);
    this.#operands = count;
    this.#starts = operands.map((op) => op.offset);
    this.#dims = dims;
    this.#strides = strides;
    this.#index = new Array<number>(dims.length).fill(0);
  }

  /** `start(k)` is the position of the current row's first element in operand `k`. */
  start(k: number): number {
    return this.#starts[k] as number;
  }

  /** `step(k)` is the distance between neighbours of a row in operand `k` (0 when broadcast). */
  step(k: number): number {
    return this.#steps[k] as number;
  }

  /** `next()` moves to the next row in C order (after the last row it wraps to the first). */
  next(): void {
    const count = this.#operands;
    const starts = this.#starts;
    for (let d = this.#dims.length - 1; d >= 0; d--) {
      const dim = this.#dims[d] as number;
      const base = d * count;
      const i = (this.#index[d] as number) + 1;
      if (i < dim) {
        this.#index[d] = i;
        for (let k = 0; k < count; k++) starts[k] = (starts[k] as number) + (this.#strides[base + k] as number);
        return;
      }
      this.#index[d] = 0;
      for (let k = 0; k < count; k++) starts[k] = (starts[k] as number) - (this.#strides[base + k] as number) * (dim - 1);
    }
  }
}

/** `rowCursor(shape, operands)` is a {@link RowCursor} over `shape` for `operands`, positioned on the first row. */
export function rowCursor(shape: readonly number[], operands: readonly Layout[]): RowCursor {
  return new RowCursor(shape, operands);
}

/** What {@link forEachRow} calls per row: `cursor` on the row, `o` its first C-order position, `n` its length. */
export type RowKernel = (cursor: RowCursor, o: number, n: number) => void;

/**
 * `forEachRow(shape, operands, row)` walks `shape` in C order over the
 * strided `operands` with a {@link RowCursor} and calls `row(cursor, o, n)`
 * once per row, in order: `n` is the row length, `o = r * n` the C-order
 * position of row `r`'s first element (where a kernel filling a fresh C-order
 * output writes `out[o..o+n)`), and `cursor.start(k)`, `cursor.step(k)`
 * locate the row in operand `k`. `row` is not called when the shape has no
 * elements, and once (with `n = 1`) for rank 0. Kernels keep their tight loop
 * in `row`'s callee, so the per-row call costs nothing per element.
 */
export function forEachRow(shape: readonly number[], operands: readonly Layout[], row: RowKernel): void {
  const cursor = rowCursor(shape, operands);
  const n = cursor.length;
  for (let r = 0; r < cursor.rows; r++, cursor.next()) row(cursor, r * n, n);
}

/**
 * `offsetsOf(shape, layout)` is the position of every element of a strided
 * operand of `shape`, in C order (one entry for rank 0, none when empty).
 */
export function offsetsOf(shape: readonly number[], layout: Layout): Int32Array {
  const out = new Int32Array(sizeOf(shape));
  const cursor = rowCursor(shape, [layout]);
  const n = cursor.length;
  const step = cursor.step(0);
  let o = 0;
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    for (let j = 0, p = cursor.start(0); j < n; j++, p += step) out[o++] = p;
  }
  return out;
}

/** `axesLayout(layout, from, to, offset)` is the layout of axes `from` to `to - 1` of `layout`, starting at `offset`. */
export function axesLayout(layout: Layout, from: number, to: number, offset: number): Layout {
  return { strides: layout.strides.slice(from, to), offset };
}
