import type { DType } from "../dtype.js";
import { promoteTypes } from "../dtype.js";
import { InvalidArgumentError, fmtShape } from "../errors.js";
import { bind } from "../primitives.js";
import { checkFits } from "../capacity.js";
import { broadcastShapes, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { castTo, checkSameBackend, checkTensor, expandTo } from "./operands.js";
import { runOp } from "../scope.js";

/**
 * `matmul(a, b)` is the matrix product with numpy's semantics: for rank ≥ 2
 * operands, the last two axes multiply (`[..., m, k] @ [..., k, n] → [..., m, n]`)
 * and the leading (batch) axes broadcast; a 1-D `a` is treated as `[1, k]` and
 * a 1-D `b` as `[k, 1]`, and the added axis is removed from the result. The
 * dtype is the promoted one (bool and uint8 multiply as int32).
 * @throws InvalidArgumentError when an operand is not a live tensor or is rank 0, the inner dimensions differ, the batch axes do not broadcast, the operands live on different backends, or the result is more than the backend holds.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const fn = "nx.matmul";
  return runOp(fn, () => {
    checkTensor(fn, a, "a");
    checkTensor(fn, b, "b");
    if (a.ndim === 0 || b.ndim === 0) throw new InvalidArgumentError(fn, `operands must have rank >= 1, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
    checkSameBackend(fn, [a, b]);
    // Validate on shapes first, so a failure leaves no view behind.
    const aShape = a.ndim === 1 ? [1, a.shape[0] as number] : a.shape;
    const bShape = b.ndim === 1 ? [b.shape[0] as number, 1] : b.shape;
    const [m, k] = aShape.slice(-2) as [number, number];
    const [k2, n] = bShape.slice(-2) as [number, number];
    if (k !== k2) throw new InvalidArgumentError(fn, `inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
    const batch = broadcastShapes(fn, aShape.slice(0, -2), bShape.slice(0, -2));
    const a2 = a.ndim === 1 ? bind("reshape", [a], { shape: aShape }) : a;
    const b2 = b.ndim === 1 ? bind("reshape", [b], { shape: bShape }) : b;
    let dtype: DType = promoteTypes(a.dtype, b.dtype);
    if (dtype === "bool" || dtype === "uint8") dtype = "int32";
    checkFits(fn, a.backend, [...batch, m, n], dtype);
    // A stack of matrices times one matrix (`x @ W` of a dense layer) is one
    // product with the batch folded into the rows, not one small product per
    // batch element (which starves the backend when m is small, as in decoding).
    const out =
      bShape.length === 2 && aShape.length > 2
        ? bind("reshape", [bind("matmul", [bind("reshape", [castTo(a2, dtype)], { shape: [sizeOf(aShape.slice(0, -1)), k] }), castTo(b2, dtype)], {})], { shape: [...batch, m, n] })
        : bind("matmul", [expandTo(castTo(a2, dtype), [...batch, m, k]), expandTo(castTo(b2, dtype), [...batch, k, n])], {});
    if (a.ndim > 1 && b.ndim > 1) return out;
    const shape = [...batch, ...(a.ndim > 1 ? [m] : []), ...(b.ndim > 1 ? [n] : [])];
    return bind("reshape", [out], { shape });
  });
}
