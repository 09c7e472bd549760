/**
 * `@raven-ts/nx`: n-dimensional tensors for TypeScript. Every op is a function
 * exported from here (`nx.matmul(a, b)`); `nx.random` holds keyed random
 * numbers and `nx.tree` pytree helpers. The pure-TS CPU backend is registered
 * as `"cpu"` by the engine itself and selected by default.
 */
export type { ArgReduceOp, Backend, BackendMemory, BackendOp, BinaryOp, CompareOp, DataId, PadWidth, ReduceOp, ScanOp, UnaryOp, View } from "./backend.js";
export type { DType, FloatDType, HostArray, HostArrayFor } from "./dtype.js";
export { DTYPES, isFloat, promoteTypes } from "./dtype.js";
export type { BackendFactory, BackendMemoryReport, MemoryReport } from "./engine.js";
export { getBackend, listBackends, memory, registerBackend, setBackend } from "./engine.js";
export { InvalidArgumentError, fmtShape } from "./errors.js";
/** Shape arithmetic shared by the frontend, backends and the packages above nx (sizes, C-order strides, contiguity, numpy broadcasting, equality). */
export { broadcastShapes, broadcastsTo, contiguousStrides, isContiguous, shapesEqual, sizeOf } from "./shape.js";
export { checkSameBackend } from "./ops/operands.js";
export type { NestedArray } from "./tensor.js";
export { Tensor, isTensor } from "./tensor.js";
export { CpuBackend, WasmCpuBackend, cpuBackend } from "./cpu/index.js";
export type { CpuBackendOptions } from "./cpu/index.js";

export type { ArangeOptions, EyeOptions, LinspaceOptions, TensorData, TensorOptions } from "./ops/creation.js";
export { arange, eye, full, fullLike, linspace, ones, onesLike, scalar, tensor, zeros, zerosLike } from "./ops/creation.js";
export type { TensorLike } from "./ops/operands.js";
export {
  abs, add, ceil, clip, cos, div, equal, erf, exp, expm1, floor, greater, greaterEqual, isFinite, isNaN, less, lessEqual, log, log1p,
  logicalAnd, logicalNot, logicalOr, maximum, minimum, mod, mul, neg, notEqual, pow, round, rsqrt, sigmoid, sign, sin, sqrt, square, sub,
  tan, tanh, where,
} from "./ops/elementwise.js";
export type { ArgReduceOptions, MomentOptions, ReduceOptions, ScanOptions, SoftmaxOptions } from "./ops/reduction.js";
export { argmax, argmin, cumprod, cumsum, logSoftmax, logsumexp, max, mean, min, prod, softmax, std, sum, variance as var, variance } from "./ops/reduction.js";
export type { AxisOptions, PadOptions, PadWidths, SliceIndex, SliceRange } from "./ops/movement.js";
export {
  broadcastTo, concatenate, contiguous, expandDims, flip, pad, repeat, reshape, slice, split, squeeze, stack, tile, transpose, tril, triu,
} from "./ops/movement.js";
export { matmul } from "./ops/linalg.js";
export { oneHot, take, takeAlongAxis } from "./ops/indexing.js";
export { cast, dispose, toBackend } from "./ops/memory.js";
export { keep, tidy } from "./scope.js";

export * as random from "./random/index.js";
export * as tree from "./tree.js";
