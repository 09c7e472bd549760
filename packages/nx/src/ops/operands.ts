/**
 * The one place the frontend turns user operands into backend-ready tensors:
 * numbers become weakly typed scalars, dtypes are promoted, backends are
 * checked to agree, and shapes are broadcast (as stride-0 views).
 */
import type { DType } from "../dtype.js";
import { castScalar, promoteTypes, weakScalarType } from "../dtype.js";
import { InvalidArgumentError, fmtValue } from "../errors.js";
import { bind } from "../primitives.js";
import { broadcastShapes, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { constantOn } from "./creation.js";
import { checkFits } from "../capacity.js";
import { getBackend } from "../engine.js";

/** An operand: a tensor, or a plain number/boolean (weakly typed, see `weakScalarType`). */
export type TensorLike = Tensor | number | boolean;

/** `checkTensor(fn, x, name)` returns `x` when it is a live tensor. @throws InvalidArgumentError naming `fn` and the argument otherwise. */
export function checkTensor(fn: string, x: unknown, name = "x"): Tensor {
  if (!(x instanceof Tensor)) throw new InvalidArgumentError(fn, `${name} must be a Tensor, got ${fmtValue(x)}`);
  x.assertLive(fn);
  return x;
}

/**
 * `checkSameBackend(fn, tensors)` checks that every tensor lives on the
 * backend of the first (an empty list passes).
 * @throws InvalidArgumentError naming `fn` and both backends otherwise.
 */
export function checkSameBackend(fn: string, tensors: readonly Tensor[]): void {
  const backend = tensors[0]?.backend;
  for (const t of tensors) {
    if (t.backend !== backend) {
      throw new InvalidArgumentError(fn, `operands live on different backends (${backend?.name} and ${t.backend.name}); move one with nx.toBackend first`);
    }
  }
}

/** `resultDType(fn, operands)` is the promoted dtype of mixed tensors and weak scalars. */
export function resultDType(fn: string, operands: readonly TensorLike[]): DType {
  let dtype: DType | undefined;
  for (const o of operands) if (o instanceof Tensor) dtype = dtype === undefined ? o.dtype : promoteTypes(dtype, o.dtype);
  if (dtype === undefined) {
    // Only scalars: booleans give bool, integers int32, anything else float32.
    dtype = operands.every((o) => typeof o === "boolean") ? "bool" : "float32";
  }
  for (const o of operands) {
    if (o instanceof Tensor) continue;
    if (typeof o !== "number" && typeof o !== "boolean") throw new InvalidArgumentError(fn, `operands must be tensors, numbers or booleans, got ${fmtValue(o)}`);
    dtype = weakScalarType(dtype, o);
  }
  return dtype;
}

/** `castTo(x, dtype)` is `x` itself when it already has `dtype`, else the `cast` primitive. */
export function castTo(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : bind("cast", [x], { dtype });
}

/** `expandTo(x, shape)` is `x` itself when it has `shape`, else a broadcast view. Shapes must already be compatible. */
export function expandTo(x: Tensor, shape: readonly number[]): Tensor {
  return shapesEqual(x.shape, shape) ? x : bind("broadcastTo", [x], { shape });
}

/**
 * `checkOperands(fn, operands)` validates operands without creating anything:
 * each is a live tensor, a number or a boolean; the tensors share one backend
 * and their shapes broadcast. Returns the broadcast shape.
 * @throws InvalidArgumentError naming `fn` otherwise.
 */
export function checkOperands(fn: string, operands: readonly TensorLike[]): number[] {
  const tensors: Tensor[] = [];
  for (const o of operands) {
    if (o instanceof Tensor) tensors.push(checkTensor(fn, o, `operand ${tensors.length}`));
    else if (typeof o !== "number" && typeof o !== "boolean") throw new InvalidArgumentError(fn, `operands must be tensors, numbers or booleans, got ${fmtValue(o)}`);
  }
  checkSameBackend(fn, tensors);
  return broadcastShapes(fn, ...tensors.map((t) => t.shape));
}

/**
 * `prepare(fn, operands, dtype?)` turns operands into tensors of one dtype
 * (the promoted one unless `dtype` is given; an array gives one dtype per
 * operand), one backend and one broadcast shape, ready for an elementwise
 * primitive.
 * @throws InvalidArgumentError for disposed tensors, tensors of different
 * backends, unbroadcastable shapes, or a broadcast shape (or dtype) the
 * backend cannot hold, before any backend call.
 */
export function prepare(fn: string, operands: readonly TensorLike[], dtype?: DType | readonly DType[]): { tensors: Tensor[]; shape: number[] } {
  const promoted = dtype === undefined ? resultDType(fn, operands) : undefined;
  const targetOf = (i: number): DType => (typeof dtype === "string" ? dtype : (dtype?.[i] ?? (promoted as DType)));
  const shape = checkOperands(fn, operands);
  const backend = operands.find((o): o is Tensor => o instanceof Tensor)?.backend ?? getBackend();
  // The result has the broadcast shape: refuse it before making any constant.
  operands.forEach((_, i) => checkFits(fn, backend, shape, targetOf(i)));
  const tensors = operands.map((o, i) => {
    const target = targetOf(i);
    return expandTo(o instanceof Tensor ? castTo(o, target) : constantOn(backend, castScalar(Number(o), target), target), shape);
  });
  return { tensors, shape };
}
