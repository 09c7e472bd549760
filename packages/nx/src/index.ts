/**
 * `@raven-ts/nx`: n-dimensional tensors for TypeScript. Every op is a function
 * exported from here (`nx.matmul(a, b)`); `nx.random` holds keyed random
 * numbers and `nx.tree` pytree helpers. The pure-TS CPU backend is registered
 * as `"cpu"` by the engine itself and selected by default.
 */
export type { ArgReduceOp, Backend, BackendCapabilities, BackendMemory, BackendOp, BinaryOp, CompareOp, DataId, PadWidth, ReduceOp, ScanOp, SortOp, UnaryOp, View } from "./backend.js";
export type { DType, FloatDType, HostArray, HostArrayFor } from "./dtype.js";
export { DTYPES, isFloat, promoteTypes } from "./dtype.js";
export type { BackendFactory, BackendMemoryReport, MemoryReport } from "./engine.js";
export { getBackend, listBackends, memory, registerBackend, setBackend } from "./engine.js";
export { InvalidArgumentError, MAX_QUOTED_CHARS, fmtShape, fmtValue } from "./errors.js";
/** Shape arithmetic shared by the frontend, backends and the packages above nx (sizes, C-order strides, contiguity, numpy broadcasting, equality). */
export { MAX_RANK, broadcastShapes, broadcastsTo, contiguousStrides, isContiguous, shapesEqual, sizeOf } from "./shape.js";
export { checkAllocation } from "./capacity.js";
/** Argument checks for libraries built on nx: each throws `InvalidArgumentError` under the caller's function name. */
export { checkBool, checkFinite, checkFunction, checkInteger, checkIntegers, checkOptions } from "./options.js";
export { checkSameBackend } from "./ops/operands.js";
export type { NestedArray } from "./tensor.js";
export { Tensor, isTensor } from "./tensor.js";
export { CpuBackend, WasmCpuBackend, cpuBackend } from "./cpu/index.js";
export type { CpuBackendOptions } from "./cpu/index.js";

export type { ArangeOptions, CreationOptions, EyeOptions, LinspaceOptions, TensorData, TensorOptions } from "./ops/creation.js";
export { arange, eye, full, fullLike, linspace, ones, onesLike, scalar, tensor, zeros, zerosLike } from "./ops/creation.js";
export type { TensorLike } from "./ops/operands.js";
export {
  abs, acos, acosh, add, asin, asinh, atan, atan2, atanh, ceil, clip, cos, cosh, div, equal, erf, exp, exp2, expm1, floor, greater,
  greaterEqual, hypot, isFinite, isInf, isNaN, less, lessEqual, log, log1p, log2, logicalAnd, logicalNot, logicalOr, logicalXor, maximum,
  minimum, mod, mul, neg, notEqual, pow, round, rsqrt, sigmoid, sign, sin, sinh, sqrt, square, sub, tan, tanh, trunc, where,
} from "./ops/elementwise.js";
export type { ArgReduceOptions, MomentOptions, ReduceOptions, ScanOptions, SoftmaxOptions } from "./ops/reduction.js";
export { all, any, argmax, argmin, cumprod, cumsum, logSoftmax, logsumexp, max, mean, min, prod, softmax, std, sum, variance as var, variance } from "./ops/reduction.js";
export type { SliceIndex, SliceRange } from "./ops/movement.js";
export { broadcastTo, contiguous, expandDims, flip, moveaxis, reshape, slice, squeeze, swapaxes, transpose } from "./ops/movement.js";
export type { AxisOptions, RollOptions } from "./ops/join.js";
export { concatenate, roll, split, stack } from "./ops/join.js";
export type { PadOptions, PadWidths, RepeatOptions } from "./ops/replicate.js";
export { pad, repeat, tile } from "./ops/replicate.js";
export { tril, triu } from "./ops/triangle.js";
export { matmul } from "./ops/linalg.js";
export { einsum } from "./ops/einsum.js";
export type { SortOptions, TopkOptions } from "./ops/sorting.js";
export { argsort, sort, topk } from "./ops/sorting.js";
export type { OneHotOptions, TakeAlongAxisOptions, TakeOptions } from "./ops/indexing.js";
export { oneHot, take, takeAlongAxis } from "./ops/indexing.js";
export { cast, dispose, toBackend } from "./ops/memory.js";
export { keep, runOp, tidy } from "./scope.js";

export * as random from "./random/index.js";
export * as tree from "./tree.js";
