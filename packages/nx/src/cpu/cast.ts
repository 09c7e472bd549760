/**
 * `cast`: dtype conversion with `castScalar`'s semantics, vectorized.
 *
 * A typed-array store already converts exactly as `castScalar` does for every
 * target but `bool`: a float store keeps the value (float32 rounds), an
 * `Int32Array` store truncates toward zero and wraps modulo 2^32 with NaN and
 * ±Infinity giving 0, a `Uint8Array` store does the same modulo 256. So a
 * cast is a strided copy into the target's array, and only `bool` (`v !== 0`)
 * needs its own loop.
 */
import type { View } from "../backend.js";
import type { DType, HostArray } from "../dtype.js";
import { sizeOf } from "../shape.js";
import { toHost } from "./movement.js";
import { hostArrayOf } from "./storage.js";
import { rowCursor } from "./strided.js";

/** `cast(x, dtype)` is a fresh C-order array of `dtype` holding `castScalar(v, dtype)` for each element `v` of `x`. */
export function cast(x: View, dtype: DType): HostArray {
  if (dtype !== "bool") return toHost(x, dtype);
  const src = hostArrayOf(x.data);
  const out = new Uint8Array(sizeOf(x.shape));
  const cursor = rowCursor(x.shape, [x]);
  const n = cursor.length;
  const step = cursor.step(0);
  let o = 0;
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    for (let j = 0, s = cursor.start(0); j < n; j++, s += step) out[o++] = Number(src[s] !== 0);
  }
  return out;
}
