/**
 * Bad arguments: every documented `@throws` of the public ops raises
 * `InvalidArgumentError` named after the op, before touching storage (no
 * tensor is left behind), whatever the backend.
 */
import * as nx from "../index.js";
import type { SuiteContext } from "./harness.js";
import { expectInvalid } from "./harness.js";
import { expectInvalidArgument } from "./invalid-argument.js";

type Call = () => unknown;

/** Each entry: [test id suffix, expected message prefix, setup returning the failing call]. */
type ErrorCase = readonly [string, string, () => Call];

const f32 = (shape: readonly number[]): nx.Tensor => nx.zeros(shape);
const i32 = (values: readonly number[]): nx.Tensor => nx.tensor(values as number[], { dtype: "int32" });
const disposed = (): nx.Tensor => {
  const t = nx.ones([2]);
  t.dispose();
  return t;
};
/** Casts a deliberately wrong value to the parameter type a call expects. */
const bad = <T>(v: unknown): T => v as T;

const CASES: readonly ErrorCase[] = [
  // elementwise
  ["add.non-tensor", "nx.add", () => { const a = f32([2]); return () => nx.add(a, bad<number>("1")); }],
  ["add.null", "nx.add", () => () => nx.add(bad<nx.Tensor>(null), 1)],
  ["add.shapes", "nx.add", () => { const a = f32([2, 3]); const b = f32([4]); return () => nx.add(a, b); }],
  ["add.disposed", "nx.add", () => { const a = disposed(); return () => nx.add(a, 1); }],
  ["sub.shapes", "nx.sub", () => { const a = f32([2, 3]); const b = f32([3, 2]); return () => nx.sub(a, b); }],
  ["mul.disposed", "nx.mul", () => { const a = disposed(); const b = f32([2]); return () => nx.mul(b, a); }],
  ["div.shapes", "nx.div", () => { const a = i32([1, 2, 3]); const b = i32([1, 2]); return () => nx.div(a, b); }],
  ["pow.shapes", "nx.pow", () => { const a = f32([2]); const b = f32([3]); return () => nx.pow(a, b); }],
  ["mod.non-tensor", "nx.mod", () => { const a = f32([2]); return () => nx.mod(a, bad<number>({})); }],
  ["maximum.shapes", "nx.maximum", () => { const a = f32([2]); const b = f32([3]); return () => nx.maximum(a, b); }],
  ["minimum.shapes", "nx.minimum", () => { const a = f32([2]); const b = f32([3]); return () => nx.minimum(a, b); }],
  ["logicalAnd.shapes", "nx.logicalAnd", () => { const a = f32([2]); const b = f32([3]); return () => nx.logicalAnd(a, b); }],
  ["logicalOr.shapes", "nx.logicalOr", () => { const a = f32([2]); const b = f32([3]); return () => nx.logicalOr(a, b); }],
  ["equal.shapes", "nx.equal", () => { const a = f32([2]); const b = f32([3]); return () => nx.equal(a, b); }],
  ["notEqual.disposed", "nx.notEqual", () => { const a = disposed(); return () => nx.notEqual(a, a); }],
  ["less.shapes", "nx.less", () => { const a = f32([2, 2]); const b = f32([3]); return () => nx.less(a, b); }],
  ["lessEqual.shapes", "nx.lessEqual", () => { const a = f32([2]); const b = f32([3]); return () => nx.lessEqual(a, b); }],
  ["greater.shapes", "nx.greater", () => { const a = f32([2]); const b = f32([3]); return () => nx.greater(a, b); }],
  ["greaterEqual.shapes", "nx.greaterEqual", () => { const a = f32([2]); const b = f32([3]); return () => nx.greaterEqual(a, b); }],
  ["where.shapes", "nx.where", () => { const c = nx.zeros([3], "bool"); const a = f32([2]); return () => nx.where(c, a, 0); }],
  ["where.non-tensor", "nx.where", () => () => nx.where(bad<nx.Tensor>("yes"), 1, 0)],
  ["clip.shapes", "nx.clip", () => { const x = f32([2, 3]); const lo = f32([4]); return () => nx.clip(x, lo, 1); }],
  ["clip.non-tensor", "nx.clip", () => () => nx.clip(bad<nx.Tensor>(undefined), 0, 1)],
  ["neg.non-tensor", "nx.neg", () => () => nx.neg(bad<nx.Tensor>(3))],
  ["abs.disposed", "nx.abs", () => { const a = disposed(); return () => nx.abs(a); }],
  ["exp.non-tensor", "nx.exp", () => () => nx.exp(bad<nx.Tensor>([1, 2]))],
  ["sqrt.disposed", "nx.sqrt", () => { const a = disposed(); return () => nx.sqrt(a); }],
  ["rsqrt.non-tensor", "nx.rsqrt", () => () => nx.rsqrt(bad<nx.Tensor>(2))],
  ["square.disposed", "nx.square", () => { const a = disposed(); return () => nx.square(a); }],
  ["round.non-tensor", "nx.round", () => () => nx.round(bad<nx.Tensor>(1.5))],
  ["isNaN.non-tensor", "nx.isNaN", () => () => nx.isNaN(bad<nx.Tensor>(Number.NaN))],
  ["logicalNot.disposed", "nx.logicalNot", () => { const a = disposed(); return () => nx.logicalNot(a); }],
  ["sigmoid.non-tensor", "nx.sigmoid", () => () => nx.sigmoid(bad<nx.Tensor>(0))],
  ["trunc.non-tensor", "nx.trunc", () => () => nx.trunc(bad<nx.Tensor>(1.5))],
  ["asinh.disposed", "nx.asinh", () => { const a = disposed(); return () => nx.asinh(a); }],
  ["isInf.non-tensor", "nx.isInf", () => () => nx.isInf(bad<nx.Tensor>(Number.POSITIVE_INFINITY))],
  ["atan2.shapes", "nx.atan2", () => { const a = f32([2]); const b = f32([3]); return () => nx.atan2(a, b); }],
  ["hypot.non-tensor", "nx.hypot", () => { const a = f32([2]); return () => nx.hypot(a, bad<number>("3")); }],
  ["logicalXor.shapes", "nx.logicalXor", () => { const a = f32([2]); const b = f32([3]); return () => nx.logicalXor(a, b); }],
  // reductions
  ["sum.axis-range", "nx.sum", () => { const x = f32([2, 3]); return () => nx.sum(x, { axes: 2 }); }],
  ["sum.axis-negative-range", "nx.sum", () => { const x = f32([2, 3]); return () => nx.sum(x, { axes: -3 }); }],
  ["sum.axis-repeated", "nx.sum", () => { const x = f32([2, 3]); return () => nx.sum(x, { axes: [0, -2] }); }],
  ["sum.axis-fractional", "nx.sum", () => { const x = f32([2, 3]); return () => nx.sum(x, { axes: 0.5 }); }],
  ["sum.non-tensor", "nx.sum", () => () => nx.sum(bad<nx.Tensor>([1, 2]))],
  ["prod.axis-range", "nx.prod", () => { const x = f32([2]); return () => nx.prod(x, { axes: [1] }); }],
  ["max.empty-axis", "nx.max", () => { const x = f32([0, 3]); return () => nx.max(x, { axes: 0 }); }],
  ["max.empty-all", "nx.max", () => { const x = f32([0]); return () => nx.max(x); }],
  ["min.empty-axis", "nx.min", () => { const x = i32([]); return () => nx.min(x); }],
  ["mean.axis-range", "nx.mean", () => { const x = f32([2]); return () => nx.mean(x, { axes: 1 }); }],
  ["var.negative-ddof", "nx.var", () => { const x = f32([3]); return () => nx.var(x, { ddof: -1 }); }],
  ["var.axis-range", "nx.var", () => { const x = f32([3]); return () => nx.var(x, { axes: 1 }); }],
  ["std.negative-ddof", "nx.std", () => { const x = f32([3]); return () => nx.std(x, { ddof: -1 }); }],
  ["logsumexp.empty-axis", "nx.logsumexp", () => { const x = f32([2, 0]); return () => nx.logsumexp(x, { axes: 1 }); }],
  ["logsumexp.axis-range", "nx.logsumexp", () => { const x = f32([2, 3]); return () => nx.logsumexp(x, { axes: 2 }); }],
  ["softmax.axis-range", "nx.softmax", () => { const x = f32([2, 3]); return () => nx.softmax(x, { axes: 2 }); }],
  ["softmax.non-tensor", "nx.softmax", () => () => nx.softmax(bad<nx.Tensor>(null))],
  ["logSoftmax.axis-repeated", "nx.logSoftmax", () => { const x = f32([2, 3]); return () => nx.logSoftmax(x, { axes: [1, -1] }); }],
  ["argmax.empty-axis", "nx.argmax", () => { const x = f32([3, 0]); return () => nx.argmax(x, { axis: 1 }); }],
  ["argmax.empty-flat", "nx.argmax", () => { const x = f32([0]); return () => nx.argmax(x); }],
  ["argmax.axis-range", "nx.argmax", () => { const x = f32([3]); return () => nx.argmax(x, { axis: 1 }); }],
  ["argmin.axis-range", "nx.argmin", () => { const x = f32([3]); return () => nx.argmin(x, { axis: -2 }); }],
  ["cumsum.axis-range", "nx.cumsum", () => { const x = f32([3]); return () => nx.cumsum(x, { axis: 1 }); }],
  ["cumprod.axis-range", "nx.cumprod", () => { const x = f32([2, 2]); return () => nx.cumprod(x, { axis: -3 }); }],
  ["all.axis-range", "nx.all", () => { const x = f32([2, 3]); return () => nx.all(x, { axes: 2 }); }],
  ["any.axis-repeated", "nx.any", () => { const x = f32([2, 3]); return () => nx.any(x, { axes: [1, -1] }); }],
  // sorting
  ["sort.rank0", "nx.sort", () => { const x = nx.scalar(1); return () => nx.sort(x); }],
  ["sort.axis-range", "nx.sort", () => { const x = f32([2, 3]); return () => nx.sort(x, { axis: 2 }); }],
  ["argsort.descending-type", "nx.argsort", () => { const x = f32([3]); return () => nx.argsort(x, { descending: bad<boolean>(1) }); }],
  ["topk.k-too-large", "nx.topk", () => { const x = f32([2, 3]); return () => nx.topk(x, 4); }],
  ["topk.k-negative", "nx.topk", () => { const x = f32([3]); return () => nx.topk(x, -1); }],
  ["topk.axis-range", "nx.topk", () => { const x = f32([3]); return () => nx.topk(x, 1, { axis: 1 }); }],
  // movement
  ["reshape.size", "nx.reshape", () => { const x = f32([2, 3]); return () => nx.reshape(x, [4, 2]); }],
  ["reshape.two-holes", "nx.reshape", () => { const x = f32([2, 3]); return () => nx.reshape(x, [-1, -1]); }],
  ["reshape.negative", "nx.reshape", () => { const x = f32([2, 3]); return () => nx.reshape(x, [-2, -3]); }],
  ["reshape.fractional", "nx.reshape", () => { const x = f32([2, 3]); return () => nx.reshape(x, [1.5, 4]); }],
  ["reshape.hole-indivisible", "nx.reshape", () => { const x = f32([2, 3]); return () => nx.reshape(x, [4, -1]); }],
  ["transpose.not-permutation", "nx.transpose", () => { const x = f32([2, 3]); return () => nx.transpose(x, [0, 0]); }],
  ["transpose.length", "nx.transpose", () => { const x = f32([2, 3]); return () => nx.transpose(x, [0]); }],
  ["transpose.range", "nx.transpose", () => { const x = f32([2, 3]); return () => nx.transpose(x, [0, 2]); }],
  ["expandDims.range", "nx.expandDims", () => { const x = f32([2]); return () => nx.expandDims(x, 2); }],
  ["expandDims.repeated", "nx.expandDims", () => { const x = f32([2]); return () => nx.expandDims(x, [0, 0]); }],
  ["squeeze.not-1", "nx.squeeze", () => { const x = f32([1, 2]); return () => nx.squeeze(x, 1); }],
  ["squeeze.range", "nx.squeeze", () => { const x = f32([1, 2]); return () => nx.squeeze(x, 2); }],
  ["broadcastTo.incompatible", "nx.broadcastTo", () => { const x = f32([2, 3]); return () => nx.broadcastTo(x, [3, 3]); }],
  ["broadcastTo.lower-rank", "nx.broadcastTo", () => { const x = f32([1, 3]); return () => nx.broadcastTo(x, [3]); }],
  ["broadcastTo.negative", "nx.broadcastTo", () => { const x = f32([3]); return () => nx.broadcastTo(x, [-1, 3]); }],
  ["slice.too-many", "nx.slice", () => { const x = f32([2, 3]); return () => nx.slice(x, [0, 0, 0]); }],
  ["slice.index-range", "nx.slice", () => { const x = f32([2, 3]); return () => nx.slice(x, [2]); }],
  ["slice.index-negative-range", "nx.slice", () => { const x = f32([2, 3]); return () => nx.slice(x, [null, -4]); }],
  ["slice.step-zero", "nx.slice", () => { const x = f32([2, 3]); return () => nx.slice(x, [{ step: 0 }]); }],
  ["slice.fractional-bound", "nx.slice", () => { const x = f32([2, 3]); return () => nx.slice(x, [{ start: 0.5 }]); }],
  ["flip.axis-range", "nx.flip", () => { const x = f32([2, 3]); return () => nx.flip(x, 2); }],
  ["swapaxes.axis-range", "nx.swapaxes", () => { const x = f32([2, 3]); return () => nx.swapaxes(x, 0, 2); }],
  ["moveaxis.lengths", "nx.moveaxis", () => { const x = f32([2, 3]); return () => nx.moveaxis(x, [0, 1], [1]); }],
  ["moveaxis.repeated", "nx.moveaxis", () => { const x = f32([2, 3]); return () => nx.moveaxis(x, [0, 0], [0, 1]); }],
  ["roll.axis-range", "nx.roll", () => { const x = f32([2, 3]); return () => nx.roll(x, 1, { axis: 2 }); }],
  ["roll.broadcast", "nx.roll", () => { const x = f32([2, 3]); return () => nx.roll(x, [1, 2, 3], { axis: [0, 1] }); }],
  ["roll.fractional", "nx.roll", () => { const x = f32([2, 3]); return () => nx.roll(x, 0.5); }],
  ["concatenate.empty-list", "nx.concatenate", () => () => nx.concatenate([])],
  ["concatenate.ranks", "nx.concatenate", () => { const a = f32([2, 3]); const b = f32([3]); return () => nx.concatenate([a, b]); }],
  ["concatenate.shapes", "nx.concatenate", () => { const a = f32([2, 3]); const b = f32([2, 4]); return () => nx.concatenate([a, b]); }],
  ["concatenate.axis-range", "nx.concatenate", () => { const a = f32([2, 3]); return () => nx.concatenate([a, a], { axis: 2 }); }],
  ["concatenate.rank0", "nx.concatenate", () => { const a = nx.scalar(1); return () => nx.concatenate([a, a]); }],
  ["stack.shapes", "nx.stack", () => { const a = f32([2, 3]); const b = f32([3, 2]); return () => nx.stack([a, b]); }],
  ["stack.axis-range", "nx.stack", () => { const a = f32([2]); return () => nx.stack([a, a], { axis: 2 }); }],
  ["stack.empty-list", "nx.stack", () => () => nx.stack([])],
  ["split.indivisible", "nx.split", () => { const x = f32([4]); return () => nx.split(x, 3); }],
  ["split.zero-sections", "nx.split", () => { const x = f32([4]); return () => nx.split(x, 0); }],
  ["split.fractional-cut", "nx.split", () => { const x = f32([4]); return () => nx.split(x, [1.5]); }],
  ["split.axis-range", "nx.split", () => { const x = f32([4]); return () => nx.split(x, 2, { axis: 1 }); }],
  ["pad.negative", "nx.pad", () => { const x = f32([2, 2]); return () => nx.pad(x, [[-1, 0], [0, 0]]); }],
  ["pad.pair-count", "nx.pad", () => { const x = f32([2, 2, 2]); return () => nx.pad(x, [[1, 1], [1, 1]]); }],
  ["pad.fractional", "nx.pad", () => { const x = f32([2]); return () => nx.pad(x, 0.5); }],
  ["tile.negative", "nx.tile", () => { const x = f32([2]); return () => nx.tile(x, [-1]); }],
  ["tile.fractional", "nx.tile", () => { const x = f32([2]); return () => nx.tile(x, 1.5); }],
  ["repeat.negative", "nx.repeat", () => { const x = f32([2]); return () => nx.repeat(x, -1); }],
  ["repeat.count-length", "nx.repeat", () => { const x = f32([3]); return () => nx.repeat(x, [1, 2], { axis: 0 }); }],
  ["repeat.count-length-flat", "nx.repeat", () => { const x = f32([2, 2]); return () => nx.repeat(x, [1, 2]); }],
  ["repeat.axis-range", "nx.repeat", () => { const x = f32([3]); return () => nx.repeat(x, 2, { axis: 1 }); }],
  ["tril.rank1", "nx.tril", () => { const x = f32([3]); return () => nx.tril(x); }],
  ["tril.fractional-k", "nx.tril", () => { const x = f32([3, 3]); return () => nx.tril(x, 0.5); }],
  ["triu.rank0", "nx.triu", () => { const x = nx.scalar(1); return () => nx.triu(x); }],
  ["contiguous.non-tensor", "nx.contiguous", () => () => nx.contiguous(bad<nx.Tensor>({}))],
  // linalg
  ["matmul.rank0", "nx.matmul", () => { const a = nx.scalar(2); const b = f32([2]); return () => nx.matmul(a, b); }],
  ["matmul.inner", "nx.matmul", () => { const a = f32([2, 3]); const b = f32([4, 5]); return () => nx.matmul(a, b); }],
  ["matmul.inner-1d", "nx.matmul", () => { const a = f32([3]); const b = f32([4]); return () => nx.matmul(a, b); }],
  ["matmul.batch", "nx.matmul", () => { const a = f32([2, 3, 4]); const b = f32([3, 4, 5]); return () => nx.matmul(a, b); }],
  ["matmul.disposed", "nx.matmul", () => { const a = disposed(); const b = f32([2]); return () => nx.matmul(a, b); }],
  ["einsum.term-count", "nx.einsum", () => { const a = f32([2, 3]); return () => nx.einsum("ij,jk->ik", a); }],
  ["einsum.term-rank", "nx.einsum", () => { const a = f32([2, 3]); return () => nx.einsum("ijk", a); }],
  ["einsum.sizes", "nx.einsum", () => { const a = f32([2, 3]); const b = f32([4, 5]); return () => nx.einsum("ij,jk->ik", a, b); }],
  ["einsum.diagonal-sizes", "nx.einsum", () => { const a = f32([2, 3]); return () => nx.einsum("ii->i", a); }],
  ["einsum.output-unknown", "nx.einsum", () => { const a = f32([2, 3]); return () => nx.einsum("ij->ik", a); }],
  ["einsum.output-ellipsis", "nx.einsum", () => { const a = f32([2, 3]); return () => nx.einsum("...j->j", a); }],
  ["einsum.character", "nx.einsum", () => { const a = f32([2, 3]); return () => nx.einsum("i2", a); }],
  ["einsum.no-operands", "nx.einsum", () => () => nx.einsum("ij")],
  // indexing
  ["take.float-indices", "nx.take", () => { const x = f32([3]); const i = f32([1]); return () => nx.take(x, i); }],
  ["take.bool-indices", "nx.take", () => { const x = f32([3]); const i = nx.ones([1], "bool"); return () => nx.take(x, i); }],
  ["take.axis-range", "nx.take", () => { const x = f32([3]); const i = i32([0]); return () => nx.take(x, i, { axis: 1 }); }],
  ["take.empty-flat", "nx.take", () => { const x = f32([0, 2]); const i = i32([0]); return () => nx.take(x, i); }],
  ["take.empty-axis", "nx.take", () => { const x = f32([0, 2]); const i = i32([0]); return () => nx.take(x, i, { axis: 0 }); }],
  ["takeAlongAxis.ranks", "nx.takeAlongAxis", () => { const x = f32([3, 2]); const i = i32([0]); return () => nx.takeAlongAxis(x, i, { axis: 0 }); }],
  ["takeAlongAxis.uint8-ranks", "nx.takeAlongAxis", () => { const x = f32([3, 2]); const i = nx.zeros([1], "uint8"); return () => nx.takeAlongAxis(x, i, { axis: 0 }); }],
  ["takeAlongAxis.float-indices", "nx.takeAlongAxis", () => { const x = f32([3]); const i = f32([1]); return () => nx.takeAlongAxis(x, i, { axis: 0 }); }],
  ["takeAlongAxis.axis-range", "nx.takeAlongAxis", () => { const x = f32([3]); const i = i32([0]); return () => nx.takeAlongAxis(x, i, { axis: 1 }); }],
  ["takeAlongAxis.empty-axis", "nx.takeAlongAxis", () => { const x = f32([2, 0]); const i = nx.zeros([2, 1], "int32"); return () => nx.takeAlongAxis(x, i, { axis: 1 }); }],
  ["takeAlongAxis.shapes", "nx.takeAlongAxis", () => { const x = f32([3, 4]); const i = nx.zeros([2, 1], "int32"); return () => nx.takeAlongAxis(x, i, { axis: 1 }); }],
  ["oneHot.float-indices", "nx.oneHot", () => { const i = f32([2]); return () => nx.oneHot(i, 3); }],
  ["oneHot.negative-depth", "nx.oneHot", () => { const i = i32([0]); return () => nx.oneHot(i, -1); }],
  ["oneHot.fractional-depth", "nx.oneHot", () => { const i = i32([0]); return () => nx.oneHot(i, 2.5); }],
  ["oneHot.dtype", "nx.oneHot", () => { const i = i32([0]); return () => nx.oneHot(i, 2, { dtype: bad<nx.DType>("int64") }); }],
  // memory and casting
  ["cast.dtype", "nx.cast", () => { const x = f32([2]); return () => nx.cast(x, bad<nx.DType>("float16")); }],
  ["cast.disposed", "nx.cast", () => { const x = disposed(); return () => nx.cast(x, "int32"); }],
  ["tidy.promise", "nx.tidy", () => () => nx.tidy(() => Promise.resolve(1))],
  ["keep.non-tensor", "nx.keep", () => () => nx.keep(bad<nx.Tensor>(1))],
  ["toBackend.disposed", "nx.toBackend", () => { const x = disposed(); return () => nx.toBackend(x, nx.getBackend()); }],
  // creation
  ["tensor.ragged", "nx.tensor", () => () => nx.tensor([[1, 2], [3]])],
  ["tensor.shape-size", "nx.tensor", () => () => nx.tensor([1, 2, 3], { shape: [2, 2] })],
  ["tensor.typed-shape-size", "nx.tensor", () => () => nx.tensor(new Float32Array(3), { shape: [2] })],
  ["tensor.dtype", "nx.tensor", () => () => nx.tensor([1], { dtype: bad<nx.DType>("int64") })],
  ["tensor.non-numeric", "nx.tensor", () => () => nx.tensor(bad<number[]>([1, "2"]))],
  ["tensor.negative-shape", "nx.tensor", () => () => nx.tensor([], { shape: [-1] })],
  ["scalar.dtype", "nx.scalar", () => () => nx.scalar(1, bad<nx.DType>("complex64"))],
  ["full.shape", "nx.full", () => () => nx.full([2, -1], 0)],
  ["full.fractional-shape", "nx.full", () => () => nx.full([1.5], 0)],
  ["full.dtype", "nx.full", () => () => nx.full([2], 0, bad<nx.DType>("half"))],
  ["full.value", "nx.full", () => () => nx.full([2], bad<number>("0"))],
  ["zeros.shape", "nx.zeros", () => () => nx.zeros([-1])],
  ["ones.dtype", "nx.ones", () => () => nx.ones([1], bad<nx.DType>("int8"))],
  ["fullLike.dtype", "nx.fullLike", () => { const x = f32([1]); return () => nx.fullLike(x, 1, bad<nx.DType>("x")); }],
  ["zerosLike.non-tensor", "nx.zerosLike", () => () => nx.zerosLike(bad<nx.Tensor>([1]))],
  ["onesLike.disposed", "nx.onesLike", () => { const x = disposed(); return () => nx.onesLike(x); }],
  ["arange.step-zero", "nx.arange", () => () => nx.arange(0, 3, 0)],
  ["arange.infinite", "nx.arange", () => () => nx.arange(Number.POSITIVE_INFINITY)],
  ["arange.nan", "nx.arange", () => () => nx.arange(0, Number.NaN)],
  ["linspace.negative-num", "nx.linspace", () => () => nx.linspace(0, 1, -1)],
  ["linspace.fractional-num", "nx.linspace", () => () => nx.linspace(0, 1, 2.5)],
  ["linspace.infinite", "nx.linspace", () => () => nx.linspace(0, Number.POSITIVE_INFINITY, 3)],
  ["eye.negative", "nx.eye", () => () => nx.eye(-1)],
  ["eye.fractional-k", "nx.eye", () => () => nx.eye(2, 2, { k: 0.5 })],
  ["eye.dtype", "nx.eye", () => () => nx.eye(2, 2, { dtype: bad<nx.DType>("f32") })],
  // random
  ["random.key.fractional", "nx.random.key", () => () => nx.random.key(1.5)],
  ["random.split.negative", "nx.random.split", () => () => nx.random.split(nx.random.key(0), -1)],
  ["random.split.non-key", "nx.random.split", () => () => nx.random.split(bad<nx.random.Key>([0, 0]))],
  ["random.foldIn.fractional", "nx.random.foldIn", () => () => nx.random.foldIn(nx.random.key(0), 0.5)],
  ["random.uniform.non-key", "nx.random.uniform", () => () => nx.random.uniform(bad<nx.random.Key>(0), [2])],
  ["random.uniform.dtype", "nx.random.uniform", () => () => nx.random.uniform(nx.random.key(0), [2], bad<"float32">("int32"))],
  ["random.uniform.bounds", "nx.random.uniform", () => () => nx.random.uniform(nx.random.key(0), [2], "float32", { minval: 1, maxval: 1 })],
  ["random.uniform.shape", "nx.random.uniform", () => () => nx.random.uniform(nx.random.key(0), [-2])],
  ["random.normal.dtype", "nx.random.normal", () => () => nx.random.normal(nx.random.key(0), [2], bad<"float32">("uint8"))],
  ["random.bernoulli.p", "nx.random.bernoulli", () => () => nx.random.bernoulli(nx.random.key(0), 1.5, [2])],
  ["random.bernoulli.shape", "nx.random.bernoulli", () => { const p = nx.full([3], 0.5); return () => nx.random.bernoulli(nx.random.key(0), p, [2]); }],
  ["random.categorical.empty-axis", "nx.random.categorical", () => { const l = f32([2, 0]); return () => nx.random.categorical(nx.random.key(0), l); }],
  ["random.categorical.shape", "nx.random.categorical", () => { const l = f32([2, 3]); return () => nx.random.categorical(nx.random.key(0), l, { shape: [4] }); }],
  ["random.categorical.rank0", "nx.random.categorical", () => { const l = nx.scalar(1); return () => nx.random.categorical(nx.random.key(0), l); }],
  ["random.shuffle.rank0", "nx.random.shuffle", () => { const x = nx.scalar(1); return () => nx.random.shuffle(nx.random.key(0), x); }],
  ["random.shuffle.axis-range", "nx.random.shuffle", () => { const x = f32([2]); return () => nx.random.shuffle(nx.random.key(0), x, { axis: 1 }); }],
  ["random.permutation.options-with-n", "nx.random.permutation", () => () => nx.random.permutation(nx.random.key(0), 3, { axis: 0 })],
];

/** `registerErrorTests(ctx)` registers one test per documented bad argument. */
export function registerErrorTests(ctx: SuiteContext): void {
  for (const [id, prefix, setup] of CASES) {
    ctx.test(`errors.${id}`, () => expectInvalid(prefix, setup()));
  }
  ctx.test("errors.message-names-values", () => {
    const a = nx.zeros([2, 3]);
    const b = nx.zeros([4, 5]);
    expectInvalid("nx.matmul", () => nx.matmul(a, b));
    const { message } = expectInvalidArgument(() => nx.matmul(a, b), "nx.matmul");
    if (message !== "nx.matmul: inner dimensions differ: [2,3] @ [4,5]") throw new Error(`unexpected message "${message}"`);
  });
}
