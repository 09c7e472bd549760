/**
 * `argReduce`: the index of the largest or smallest element along one axis.
 */
import type { ArgReduceOp, View } from "../backend.js";
import type { HostArray } from "../dtype.js";
import { sizeOf } from "../shape.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

/** `BETTER[op](x, best)` is true when `x` strictly beats `best` (ties keep the earlier index). */
const BETTER: Record<ArgReduceOp, (x: number, best: number) => boolean> = {
  argmax: (x, best) => x > best,
  argmin: (x, best) => x < best,
};

/** `argLine(better, src, p, step, n)` is the winning index among `n > 0` elements from `p` by `step`; the first NaN wins outright. */
function argLine(better: (x: number, best: number) => boolean, src: HostArray, p: number, step: number, n: number): number {
  let best = src[p] as number;
  if (best !== best) return 0;
  let at = 0;
  for (let i = 1; i < n; i++) {
    p += step;
    const x = src[p] as number;
    if (x !== x) return i;
    if (better(x, best)) {
      best = x;
      at = i;
    }
  }
  return at;
}

/** `argReduce(op, x, axis)` is a fresh int32 array of `x.shape` without `axis` holding the index `op` selects along `axis` (non-empty). */
export function argReduce(op: ArgReduceOp, x: View, axis: number): HostArray {
  const outShape = x.shape.filter((_, i) => i !== axis);
  const out = new Int32Array(sizeOf(outShape));
  const n = x.shape[axis] as number;
  const lineStep = x.strides[axis] as number;
  const better = BETTER[op];
  const src = hostArrayOf(x.data);
  const cursor = rowCursor(outShape, [{ strides: x.strides.filter((_, i) => i !== axis), offset: x.offset }]);
  const step = cursor.step(0);
  let o = 0;
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    for (let j = 0, p = cursor.start(0); j < cursor.length; j++, p += step) out[o++] = argLine(better, src, p, lineStep, n);
  }
  return out;
}
