/**
 * `reduce`: sum, prod, max and min over a set of axes.
 *
 * The input is walked once in C order alongside an accumulator laid over the
 * input's shape with stride 0 on the reduced axes, so a row either folds into
 * one accumulator (the innermost axis is reduced) or into a row of them (it
 * is kept); no per-output re-walk, whatever the axes.
 */
import type { ReduceOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { allocZeroed } from "./pool.js";
import { contiguousStrides, sizeOf } from "../shape.js";
import type { Fold } from "./fold.js";
import { FOLDS, foldKind } from "./fold.js";
import { toHost } from "./movement.js";
import { maxNaN, minNaN } from "./scalar.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

/**
 * `foldLine(op, float, f, v, src, s, ss, n)` is `v` folded with `n` elements
 * of `src` from `s` by `ss`. Floats run an inlined loop per op (exhaustive
 * by `switch`); integers call their wrapping fold `f`.
 */
function foldLine(op: ReduceOp, float: boolean, f: Fold, v: number, src: HostArray, s: number, ss: number, n: number): number {
  if (!float) {
    for (let j = 0; j < n; j++, s += ss) v = f(v, src[s] as number);
    return v;
  }
  switch (op) {
    case "sum":
      for (let j = 0; j < n; j++, s += ss) v += src[s] as number;
      return v;
    case "prod":
      for (let j = 0; j < n; j++, s += ss) v *= src[s] as number;
      return v;
    case "max":
      for (let j = 0; j < n; j++, s += ss) v = maxNaN(src[s] as number, v);
      return v;
    case "min":
      for (let j = 0; j < n; j++, s += ss) v = minNaN(src[s] as number, v);
      return v;
    default: {
      const unknown: never = op;
      throw new Error(`nx cpu: unknown reduction ${String(unknown)}`);
    }
  }
}

/**
 * `foldInto(op, float, f, src, s, ss, acc, a, sa, n)` folds element `j < n`
 * of `src` (from `s` by `ss`) into `acc[a + j * sa]`, like {@link foldLine}.
 */
function foldInto(op: ReduceOp, float: boolean, f: Fold, src: HostArray, s: number, ss: number, acc: HostArray, a: number, sa: number, n: number): void {
  if (!float) {
    for (let j = 0; j < n; j++, s += ss, a += sa) acc[a] = f(acc[a] as number, src[s] as number);
    return;
  }
  switch (op) {
    case "sum":
      for (let j = 0; j < n; j++, s += ss, a += sa) acc[a] = (acc[a] as number) + (src[s] as number);
      return;
    case "prod":
      for (let j = 0; j < n; j++, s += ss, a += sa) acc[a] = (acc[a] as number) * (src[s] as number);
      return;
    case "max":
      for (let j = 0; j < n; j++, s += ss, a += sa) acc[a] = maxNaN(src[s] as number, acc[a] as number);
      return;
    case "min":
      for (let j = 0; j < n; j++, s += ss, a += sa) acc[a] = minNaN(src[s] as number, acc[a] as number);
      return;
    default: {
      const unknown: never = op;
      throw new Error(`nx cpu: unknown reduction ${String(unknown)}`);
    }
  }
}

/**
 * `reduce(op, x, axes)` is a fresh C-order array of `x.shape` without `axes`
 * holding `op` over those axes (`axes` sorted and unique; empty means a
 * copy). An empty reduction gives the identity of `op` for `x.dtype`; float32
 * accumulates in float64.
 */
export function reduce(op: ReduceOp, x: View, axes: readonly number[]): HostArray {
  if (axes.length === 0) return toHost(x);
  const rule = FOLDS[op];
  const kind = foldKind(x.dtype);
  const outShape = x.shape.filter((_, i) => !axes.includes(i));
  const out = allocZeroed(x.dtype, sizeOf(outShape));
  if (sizeOf(x.shape) === 0) return out.fill(rule.identity[x.dtype]);
  const float = kind === "float";
  const acc = x.dtype === "float32" ? new Float64Array(out.length) : out;
  // -0 is the exact identity of float addition (-0 + -0 keeps the sign); an empty sum is +0 above.
  acc.fill(op === "sum" && float ? -0 : rule.identity[x.dtype]);
  const outStrides = contiguousStrides(outShape);
  let kept = 0;
  const accStrides = x.shape.map((_, i) => (axes.includes(i) ? 0 : (outStrides[kept++] as number)));
  const f = rule.fold[kind];
  const src = hostArrayOf(x.data);
  const cursor = rowCursor(x.shape, [x, { strides: accStrides, offset: 0 }]);
  const n = cursor.length;
  const ss = cursor.step(0);
  const sa = cursor.step(1);
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    const a = cursor.start(1);
    // A reduced innermost axis folds a whole row into one accumulator; a kept one folds it into a row of them.
    if (sa === 0) acc[a] = foldLine(op, float, f, acc[a] as number, src, cursor.start(0), ss, n);
    else foldInto(op, float, f, src, cursor.start(0), ss, acc, a, sa, n);
  }
  if (acc !== out) out.set(acc);
  return out;
}
