/**
 * Folds: how `reduce` and `scan` combine an accumulator with the next element,
 * per op and per kind of dtype, with each op's identity per dtype.
 */
import type { ReduceOp } from "../backend.js";
import type { DType } from "../dtype.js";
import { maxNaN, minNaN } from "./scalar.js";

/** `fold(acc, x)` is the accumulator after combining element `x`. */
export type Fold = (acc: number, x: number) => number;

/**
 * How a dtype accumulates: floats in float64, `int32` wrapping modulo 2^32
 * after every step, `uint8` and `bool` modulo 256 (both stored in a `Uint8Array`).
 */
export type FoldKind = "float" | "int32" | "uint8";

/** `foldKind(dtype)` is the accumulation kind of `dtype`. */
export function foldKind(dtype: DType): FoldKind {
  return dtype === "float32" || dtype === "float64" ? "float" : dtype === "int32" ? "int32" : "uint8";
}

/** One reduction: its fold per accumulation kind and its identity (the result of an empty reduction) per dtype. */
interface FoldRule {
  readonly fold: Readonly<Record<FoldKind, Fold>>;
  readonly identity: Readonly<Record<DType, number>>;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** `FOLDS[op]` is the rule of every reduction; `max`/`min` propagate NaN. */
export const FOLDS: Record<ReduceOp, FoldRule> = {
  sum: {
    fold: { float: (s, x) => s + x, int32: (s, x) => (s + x) | 0, uint8: (s, x) => (s + x) & 255 },
    identity: { float32: 0, float64: 0, int32: 0, uint8: 0, bool: 0 },
  },
  prod: {
    fold: { float: (s, x) => s * x, int32: Math.imul, uint8: (s, x) => Math.imul(s, x) & 255 },
    identity: { float32: 1, float64: 1, int32: 1, uint8: 1, bool: 1 },
  },
  max: {
    fold: { float: maxNaN, int32: maxNaN, uint8: maxNaN },
    identity: { float32: -Infinity, float64: -Infinity, int32: INT32_MIN, uint8: 0, bool: 0 },
  },
  min: {
    fold: { float: minNaN, int32: minNaN, uint8: minNaN },
    identity: { float32: Infinity, float64: Infinity, int32: INT32_MAX, uint8: 255, bool: 1 },
  },
};
