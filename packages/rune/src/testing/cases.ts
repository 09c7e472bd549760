/**
 * The gradient-check cases: small functions that together exercise every VJP
 * rule (and every non-differentiable primitive), on random inputs with
 * broadcasting and non-trivial strides.
 */
import * as nx from "@raven-ts/nx";
import type { DType, FloatDType, Tensor } from "@raven-ts/nx";
import type { Primitive } from "@raven-ts/nx/primitives";
import { bind } from "@raven-ts/nx/primitives";

/** How a check lays out an input in memory (values are the same; the strides differ). */
export type Layout =
  /** C-contiguous. */
  | "contiguous"
  /** A transposed view of a buffer stored in reverse axis order (rank ≥ 2). */
  | "transposed"
  /** A view with stride 2 on the last axis and a negative stride on the first, at an offset. */
  | "sliced";

/** One input of a check. */
export interface InputSpec {
  readonly shape: readonly number[];
  /** Memory layout; defaults to `"contiguous"`. */
  readonly layout?: Layout;
  /** Values are drawn uniformly from `[lo, hi]`; defaults to `[-1, 1]`. */
  readonly range?: readonly [number, number];
  /** Whether values get a random sign, drawing the magnitude from `range` (keeps them away from 0). */
  readonly signed?: boolean;
  /** Fixed values (C order) instead of random ones. */
  readonly values?: readonly number[];
  /** Round values to multiples of this (so perturbed values stay exactly representable). */
  readonly grid?: number;
  /** The leaf dtype, when it must differ from the check's dtype. */
  readonly dtype?: FloatDType;
}

/** One gradient check: `f` maps the inputs to a float tensor of any shape; the check projects it on a random cotangent. */
export interface GradientCase {
  readonly name: string;
  /** The differentiable primitives this check is meant to exercise (verified by the coverage test). */
  readonly prims: readonly Primitive[];
  readonly inputs: readonly InputSpec[];
  /** The function; `dtype` is the check's float dtype, for constants. */
  readonly f: (xs: readonly Tensor[], dtype: FloatDType) => Tensor;
  /** Finite-difference step; defaults to 1e-6 (float64 evaluation). */
  readonly step?: number;
  /**
   * Dtypes the check creates besides its inputs' (such as float64 casts in a
   * float32 check); the check is skipped on a backend that does not store one
   * of them or its inputs' dtype.
   */
  readonly dtypes?: readonly DType[];
}

function x0(xs: readonly Tensor[], i = 0): Tensor {
  const t = xs[i];
  if (t === undefined) throw new Error(`gradient check: missing input ${i}`);
  return t;
}

function k(values: readonly number[], shape: readonly number[], dtype: DType): Tensor {
  return nx.tensor([...values], { shape, dtype });
}

const unaryCases: GradientCase[] = [
  { name: "neg", prims: ["neg"], inputs: [{ shape: [3, 4], layout: "transposed" }], f: (xs) => nx.neg(x0(xs)) },
  { name: "abs", prims: ["abs"], inputs: [{ shape: [2, 3, 2], layout: "sliced", range: [0.2, 1], signed: true }], f: (xs) => nx.abs(x0(xs)) },
  { name: "sqrt", prims: ["sqrt"], inputs: [{ shape: [4, 3], layout: "sliced", range: [0.5, 2] }], f: (xs) => nx.sqrt(x0(xs)) },
  { name: "exp", prims: ["exp"], inputs: [{ shape: [3, 4], layout: "transposed" }], f: (xs) => nx.exp(x0(xs)) },
  { name: "log", prims: ["log"], inputs: [{ shape: [3, 4], layout: "sliced", range: [0.5, 2] }], f: (xs) => nx.log(x0(xs)) },
  { name: "log1p", prims: ["log1p"], inputs: [{ shape: [5], range: [-0.5, 1] }], f: (xs) => nx.log1p(x0(xs)) },
  { name: "expm1", prims: ["expm1"], inputs: [{ shape: [2, 3], layout: "transposed" }], f: (xs) => nx.expm1(x0(xs)) },
  { name: "sin", prims: ["sin"], inputs: [{ shape: [3, 4], layout: "transposed", range: [-3, 3] }], f: (xs) => nx.sin(x0(xs)) },
  { name: "cos", prims: ["cos"], inputs: [{ shape: [3, 4], layout: "sliced", range: [-3, 3] }], f: (xs) => nx.cos(x0(xs)) },
  { name: "tan", prims: ["tan"], inputs: [{ shape: [6], range: [-1, 1] }], f: (xs) => nx.tan(x0(xs)) },
  { name: "tanh", prims: ["tanh"], inputs: [{ shape: [3, 4], layout: "transposed", range: [-2, 2] }], f: (xs) => nx.tanh(x0(xs)) },
  { name: "sigmoid", prims: ["sigmoid"], inputs: [{ shape: [4, 3], layout: "sliced", range: [-3, 3] }], f: (xs) => nx.sigmoid(x0(xs)) },
  { name: "erf", prims: ["erf"], inputs: [{ shape: [2, 5], layout: "transposed", range: [-2, 2] }], f: (xs) => nx.erf(x0(xs)) },
  { name: "asin", prims: ["asin"], inputs: [{ shape: [3, 4], layout: "transposed", range: [-0.8, 0.8] }], f: (xs) => nx.asin(x0(xs)) },
  { name: "acos", prims: ["acos"], inputs: [{ shape: [4, 3], layout: "sliced", range: [-0.8, 0.8] }], f: (xs) => nx.acos(x0(xs)) },
  { name: "atan", prims: ["atan"], inputs: [{ shape: [2, 5], layout: "transposed", range: [-3, 3] }], f: (xs) => nx.atan(x0(xs)) },
  { name: "sinh", prims: ["sinh"], inputs: [{ shape: [3, 4], layout: "sliced", range: [-2, 2] }], f: (xs) => nx.sinh(x0(xs)) },
  { name: "cosh", prims: ["cosh"], inputs: [{ shape: [3, 4], layout: "transposed", range: [-2, 2] }], f: (xs) => nx.cosh(x0(xs)) },
  { name: "asinh", prims: ["asinh"], inputs: [{ shape: [4, 3], layout: "sliced", range: [-3, 3] }], f: (xs) => nx.asinh(x0(xs)) },
  { name: "acosh", prims: ["acosh"], inputs: [{ shape: [3, 4], layout: "transposed", range: [1.2, 4] }], f: (xs) => nx.acosh(x0(xs)) },
  { name: "atanh", prims: ["atanh"], inputs: [{ shape: [3, 4], layout: "sliced", range: [-0.8, 0.8] }], f: (xs) => nx.atanh(x0(xs)) },
  { name: "log2", prims: ["log2"], inputs: [{ shape: [2, 3], layout: "transposed", range: [0.5, 2] }], f: (xs) => nx.log2(x0(xs)) },
  { name: "exp2", prims: ["exp2"], inputs: [{ shape: [5], range: [-2, 2] }], f: (xs) => nx.exp2(x0(xs)) },
  {
    name: "rsqrt and square (derived)",
    prims: ["sqrt", "div", "mul"],
    inputs: [{ shape: [3, 2], layout: "transposed", range: [0.5, 2] }],
    f: (xs) => nx.add(nx.rsqrt(x0(xs)), nx.square(x0(xs))),
  },
];

const binaryCases: GradientCase[] = [
  {
    name: "add with broadcasting",
    prims: ["add", "broadcastTo"],
    inputs: [{ shape: [3, 1], layout: "sliced" }, { shape: [4] }],
    f: (xs) => nx.add(x0(xs), x0(xs, 1)),
  },
  {
    name: "sub with broadcasting",
    prims: ["sub", "broadcastTo"],
    inputs: [{ shape: [2, 3, 4], layout: "sliced" }, { shape: [3, 1], layout: "transposed" }],
    f: (xs) => nx.sub(x0(xs), x0(xs, 1)),
  },
  {
    name: "mul with broadcasting",
    prims: ["mul", "broadcastTo"],
    inputs: [{ shape: [3, 4], layout: "transposed" }, { shape: [1, 4] }],
    f: (xs) => nx.mul(x0(xs), x0(xs, 1)),
  },
  {
    name: "div with broadcasting",
    prims: ["div", "broadcastTo"],
    inputs: [{ shape: [3, 4], layout: "sliced" }, { shape: [3, 1], range: [0.5, 2], signed: true }],
    f: (xs) => nx.div(x0(xs), x0(xs, 1)),
  },
  {
    name: "pow with broadcasting",
    prims: ["pow", "broadcastTo"],
    inputs: [{ shape: [3, 4], layout: "transposed", range: [0.5, 2] }, { shape: [4], range: [-1.5, 1.5] }],
    f: (xs) => nx.pow(x0(xs), x0(xs, 1)),
  },
  {
    name: "pow with a constant exponent",
    prims: ["pow"],
    inputs: [{ shape: [2, 3], range: [0.3, 1.5], signed: true }],
    f: (xs) => nx.pow(x0(xs), 3),
  },
  {
    name: "mod",
    prims: ["mod", "broadcastTo"],
    inputs: [{ shape: [3, 4], layout: "sliced", range: [0.3, 3] }, { shape: [4], range: [0.7, 1.3] }],
    f: (xs) => nx.mod(x0(xs), x0(xs, 1)),
  },
  {
    name: "maximum",
    prims: ["maximum"],
    inputs: [{ shape: [3, 4], layout: "transposed" }, { shape: [3, 4], layout: "sliced" }],
    f: (xs) => nx.maximum(x0(xs), x0(xs, 1)),
  },
  {
    name: "minimum with broadcasting",
    prims: ["minimum", "broadcastTo"],
    inputs: [{ shape: [3, 4], layout: "sliced" }, { shape: [4] }],
    f: (xs) => nx.minimum(x0(xs), x0(xs, 1)),
  },
  {
    name: "atan2 with broadcasting, all four quadrants",
    prims: ["atan2", "broadcastTo"],
    inputs: [{ shape: [3, 4], layout: "transposed", range: [0.3, 1.5], signed: true }, { shape: [4], range: [0.3, 1.5], signed: true }],
    f: (xs) => nx.atan2(x0(xs), x0(xs, 1)),
  },
  {
    name: "hypot with broadcasting",
    prims: ["hypot", "broadcastTo"],
    inputs: [{ shape: [3, 1], layout: "sliced", range: [0.3, 1.5], signed: true }, { shape: [4], range: [0.3, 1.5], signed: true }],
    f: (xs) => nx.hypot(x0(xs), x0(xs, 1)),
  },
  {
    name: "clip (derived)",
    prims: ["maximum", "minimum"],
    inputs: [{ shape: [4, 3], layout: "transposed", range: [-2, 2] }],
    f: (xs) => nx.clip(x0(xs), -1.1, 0.9),
  },
  {
    name: "fan-out: one input used several times",
    prims: ["mul", "sin", "add"],
    inputs: [{ shape: [2, 3], layout: "transposed" }],
    f: (xs) => nx.add(nx.mul(x0(xs), x0(xs)), nx.mul(nx.sin(x0(xs)), x0(xs))),
  },
];

const reductionCases: GradientCase[] = [
  {
    name: "sum over some axes",
    prims: ["sum"],
    inputs: [{ shape: [2, 3, 4], layout: "transposed" }],
    f: (xs) => nx.sum(x0(xs), { axes: [0, 2] }),
  },
  { name: "sum over all axes, keepdims", prims: ["sum", "reshape"], inputs: [{ shape: [3, 4], layout: "sliced" }], f: (xs) => nx.sum(x0(xs), { keepdims: true }) },
  { name: "mean (derived)", prims: ["sum", "div"], inputs: [{ shape: [3, 4], layout: "transposed" }], f: (xs) => nx.mean(x0(xs), { axes: 1 }) },
  {
    name: "prod over one axis",
    prims: ["prod"],
    inputs: [{ shape: [2, 3, 4], layout: "sliced", range: [0.5, 1.5], signed: true }],
    f: (xs) => nx.prod(x0(xs), { axes: 1 }),
  },
  {
    name: "prod over all axes",
    prims: ["prod"],
    inputs: [{ shape: [2, 3], layout: "transposed", range: [0.5, 1.5] }],
    f: (xs) => nx.prod(x0(xs)),
  },
  {
    name: "prod with zeros",
    prims: ["prod"],
    inputs: [{ shape: [3, 4], layout: "transposed", values: [0, 1.5, -0.5, 2, 0.7, 0, 0, 1.2, -1.1, 0.8, 1.3, 0.9] }],
    f: (xs) => nx.prod(x0(xs), { axes: 1 }),
  },
  { name: "max over one axis", prims: ["max"], inputs: [{ shape: [3, 5], layout: "transposed" }], f: (xs) => nx.max(x0(xs), { axes: 1 }) },
  { name: "max over all axes", prims: ["max"], inputs: [{ shape: [2, 3, 2], layout: "sliced" }], f: (xs) => nx.max(x0(xs)) },
  { name: "min over two axes", prims: ["min"], inputs: [{ shape: [2, 3, 4], layout: "transposed" }], f: (xs) => nx.min(x0(xs), { axes: [0, 2], keepdims: true }) },
  { name: "cumsum", prims: ["cumsum"], inputs: [{ shape: [3, 4], layout: "transposed" }], f: (xs) => nx.cumsum(x0(xs), { axis: 1 }) },
  { name: "cumsum over the first axis", prims: ["cumsum"], inputs: [{ shape: [4, 2, 3], layout: "sliced" }], f: (xs) => nx.cumsum(x0(xs), { axis: 0 }) },
  {
    name: "cumprod",
    prims: ["cumprod"],
    inputs: [{ shape: [3, 4], layout: "sliced", range: [0.5, 1.5], signed: true }],
    f: (xs) => nx.cumprod(x0(xs), { axis: 1 }),
  },
  {
    name: "cumprod with zeros",
    prims: ["cumprod"],
    inputs: [{ shape: [3, 5], layout: "transposed", values: [0.5, 0, 1.5, 0.7, -1.2, 0, 0, 2, 0.9, 1.1, 1.3, -0.6, 0.8, 0, 1.4] }],
    f: (xs) => nx.cumprod(x0(xs), { axis: 1 }),
  },
  {
    name: "logsumexp and softmax (derived)",
    prims: ["max", "exp", "log", "sum", "sub", "div", "where"],
    inputs: [{ shape: [3, 4], layout: "transposed", range: [-2, 2] }],
    f: (xs) => nx.add(nx.expandDims(nx.logsumexp(x0(xs), { axes: 1 }), 1), nx.softmax(x0(xs))),
  },
  {
    name: "var and std (derived)",
    prims: ["sum", "sub", "mul", "div", "sqrt"],
    inputs: [{ shape: [4, 3], layout: "sliced" }],
    f: (xs) => nx.add(nx.variance(x0(xs), { axes: 0 }), nx.std(x0(xs), { axes: 0, ddof: 1 })),
  },
];

const structuralCases: GradientCase[] = [
  {
    name: "where with broadcasting",
    prims: ["where", "broadcastTo"],
    inputs: [{ shape: [3, 1], layout: "sliced" }, { shape: [4] }],
    f: (xs, d) => nx.where(nx.greater(k([0.3, -0.2, 0.5, -0.1, 0.2, 0.4, -0.6, 0.1, -0.3, 0.8, 0.9, -0.7], [3, 4], d), 0), x0(xs), x0(xs, 1)),
  },
  {
    name: "cast float32 to float64",
    prims: ["cast"],
    inputs: [{ shape: [3, 4], layout: "transposed", range: [0.5, 1.5], grid: 2 ** -16, dtype: "float32" }],
    f: (xs) => nx.mul(nx.sin(nx.cast(x0(xs), "float64")), 2),
    step: 2 ** -12,
    dtypes: ["float64"],
  },
  {
    name: "cast float64 to float32 and back",
    prims: ["cast"],
    inputs: [{ shape: [2, 3], layout: "sliced", range: [0.5, 1.5], grid: 2 ** -16, dtype: "float64" }],
    f: (xs) => nx.mul(nx.cast(nx.mul(nx.cast(x0(xs), "float32"), 4), "float64"), nx.cos(x0(xs))),
    step: 2 ** -12,
    dtypes: ["float64"],
  },
  { name: "copy (contiguous of a transposed view)", prims: ["copy", "transpose"], inputs: [{ shape: [3, 4], layout: "sliced" }], f: (xs) => nx.sin(nx.contiguous(nx.transpose(x0(xs)))) },
  {
    name: "matmul",
    prims: ["matmul"],
    inputs: [{ shape: [3, 4], layout: "transposed" }, { shape: [4, 2], layout: "sliced" }],
    f: (xs) => nx.matmul(x0(xs), x0(xs, 1)),
  },
  {
    name: "batched matmul with broadcast batch axes",
    prims: ["matmul", "broadcastTo"],
    inputs: [{ shape: [2, 3, 4], layout: "transposed" }, { shape: [1, 4, 5], layout: "sliced" }],
    f: (xs) => nx.matmul(x0(xs), x0(xs, 1)),
  },
  {
    name: "a batch of matrices times one matrix (batch folded into rows)",
    prims: ["matmul", "reshape"],
    inputs: [{ shape: [2, 3, 4], layout: "transposed" }, { shape: [4, 5], layout: "sliced" }],
    f: (xs) => nx.matmul(x0(xs), x0(xs, 1)),
  },
  {
    name: "matmul of vectors and a batch",
    prims: ["matmul", "reshape", "broadcastTo"],
    inputs: [{ shape: [3] }, { shape: [2, 3, 2], layout: "sliced" }],
    f: (xs) => nx.matmul(x0(xs), x0(xs, 1)),
  },
  {
    name: "gather (take) with repeated and negative indices",
    prims: ["gather"],
    inputs: [{ shape: [3, 4], layout: "transposed" }],
    f: (xs, _d) => nx.take(x0(xs), k([0, 2, -1, 2, 2, 1], [2, 3], "int32"), { axis: 1 }),
  },
  {
    name: "takeAlongAxis",
    prims: ["gather", "reshape"],
    inputs: [{ shape: [3, 4], layout: "sliced" }],
    f: (xs) => nx.takeAlongAxis(x0(xs), k([3, 0, 1, 1, 2, 2], [3, 2], "int32"), { axis: 1 }),
  },
  {
    name: "scatterAdd with repeated indices",
    prims: ["scatterAdd"],
    inputs: [{ shape: [5, 3], layout: "transposed" }],
    f: (xs) => bind("scatterAdd", [x0(xs), k([0, 3, 0, -1, 2], [5], "int32")], { axis: 0, shape: [4, 3] }),
  },
  {
    name: "pad with a fill value",
    prims: ["pad"],
    inputs: [{ shape: [2, 3], layout: "transposed" }],
    f: (xs) => nx.pad(x0(xs), [
      [1, 2],
      [0, 1],
    ], { value: 0.5 }),
  },
  {
    name: "pad with interior padding",
    prims: ["pad"],
    inputs: [{ shape: [3, 2], layout: "sliced" }],
    f: (xs) =>
      bind("pad", [x0(xs)], {
        widths: [
          { lo: 1, hi: 0, interior: 2 },
          { lo: 0, hi: 2, interior: 1 },
        ],
        value: 0.25,
      }),
  },
  {
    name: "concatenate",
    prims: ["concat"],
    inputs: [{ shape: [2, 1], layout: "sliced" }, { shape: [2, 3], layout: "transposed" }, { shape: [2, 2] }],
    f: (xs) => nx.concatenate([x0(xs), x0(xs, 1), x0(xs, 2)], { axis: 1 }),
  },
  {
    name: "stack and split (derived)",
    prims: ["concat", "reshape", "slice"],
    inputs: [{ shape: [2, 3], layout: "transposed" }, { shape: [2, 3] }],
    f: (xs) => {
      const [a, b] = nx.split(nx.stack([x0(xs), x0(xs, 1)], { axis: 1 }), [1], { axis: 2 });
      return nx.mul(nx.sum(a as Tensor), b as Tensor);
    },
  },
  { name: "reshape of a strided view", prims: ["reshape"], inputs: [{ shape: [3, 4], layout: "transposed" }], f: (xs) => nx.reshape(x0(xs), [2, 6]) },
  { name: "transpose", prims: ["transpose"], inputs: [{ shape: [2, 3, 4], layout: "sliced" }], f: (xs) => nx.transpose(x0(xs), [2, 0, 1]) },
  { name: "broadcastTo", prims: ["broadcastTo"], inputs: [{ shape: [3, 1], layout: "sliced" }], f: (xs) => nx.broadcastTo(x0(xs), [2, 3, 4]) },
  {
    name: "slice with steps, negative steps and indices",
    prims: ["slice", "reshape"],
    inputs: [{ shape: [5, 6], layout: "transposed" }],
    f: (xs) => nx.concatenate([nx.slice(x0(xs), [{ start: 1, stop: 5, step: 2 }, { start: 5, stop: 0, step: -2 }]), nx.expandDims(nx.slice(x0(xs), [{ step: -3 }, 4]), 1)], { axis: 1 }),
  },
  { name: "flip", prims: ["slice"], inputs: [{ shape: [3, 4], layout: "sliced" }], f: (xs) => nx.mul(nx.flip(x0(xs)), x0(xs)) },
  {
    name: "tile and repeat (derived)",
    prims: ["broadcastTo", "reshape", "gather", "concat"],
    inputs: [{ shape: [2, 3], layout: "transposed" }],
    f: (xs) => nx.concatenate([nx.reshape(nx.tile(x0(xs), [2, 1]), [-1]), nx.reshape(nx.repeat(x0(xs), [1, 0, 3], { axis: 1 }), [-1])]),
  },
];

const sortingCases: GradientCase[] = [
  { name: "sort", prims: ["sort"], inputs: [{ shape: [3, 5], layout: "transposed" }], f: (xs) => nx.sort(x0(xs)) },
  {
    name: "sort descending along the first axis",
    prims: ["sort"],
    inputs: [{ shape: [4, 3], layout: "sliced" }],
    f: (xs) => nx.sort(x0(xs), { axis: 0, descending: true }),
  },
  {
    name: "topk values (sort of the first k, k < n)",
    prims: ["sort"],
    inputs: [{ shape: [2, 6], layout: "transposed" }],
    f: (xs) => nx.topk(x0(xs), 3)[0],
  },
];

const derivedCases: GradientCase[] = [
  {
    name: "einsum: attention scores (derived)",
    prims: ["matmul", "transpose", "reshape"],
    inputs: [{ shape: [2, 3, 4], layout: "transposed" }, { shape: [2, 5, 4], layout: "sliced" }],
    f: (xs) => nx.einsum("bqd,bkd->bqk", x0(xs), x0(xs, 1)),
  },
  {
    name: "einsum: diagonal, trace and a three-operand chain (derived)",
    prims: ["matmul", "slice", "reshape", "sum", "mul"],
    inputs: [{ shape: [3, 3], layout: "transposed" }, { shape: [3, 4], layout: "sliced" }, { shape: [4] }],
    f: (xs) => nx.add(nx.einsum("ii->i", x0(xs)), nx.mul(nx.einsum("ii", x0(xs)), nx.einsum("ij,jk,k->i", x0(xs), x0(xs, 1), x0(xs, 2)))),
  },
  {
    name: "roll, swapaxes and moveaxis (derived)",
    prims: ["slice", "concat", "transpose"],
    inputs: [{ shape: [2, 3, 4], layout: "sliced" }],
    f: (xs) => nx.moveaxis(nx.swapaxes(nx.roll(x0(xs), [1, -2], { axis: [0, 2] }), 0, 1), 0, -1),
  },
  {
    name: "random.shuffle (derived)",
    prims: ["gather"],
    inputs: [{ shape: [5, 2], layout: "transposed" }],
    f: (xs) => nx.random.shuffle(nx.random.key(3), x0(xs), { axis: 0 }),
  },
];

const nondiffCases: GradientCase[] = [
  {
    name: "rounding ops have zero gradient",
    prims: ["mul", "add"],
    inputs: [{ shape: [3, 4], layout: "transposed", values: [0.2, 1.3, -0.8, 2.35, -1.7, 0.15, 3.2, -2.3, 0.3, -0.35, 1.1, 2.2] }],
    f: (xs) => {
      const x = x0(xs);
      return nx.add(nx.add(nx.mul(x, nx.floor(x)), nx.mul(x, nx.ceil(x))), nx.add(nx.mul(x, nx.round(x)), nx.mul(x, nx.sign(x))));
    },
  },
  {
    name: "comparisons and logical ops have zero gradient",
    prims: ["where", "mul"],
    inputs: [{ shape: [4, 3], layout: "sliced" }],
    f: (xs) => {
      const x = x0(xs);
      const inBand = nx.logicalAnd(nx.greaterEqual(x, -0.5), nx.lessEqual(x, 0.5));
      const outside = nx.logicalOr(nx.less(x, -0.5), nx.greater(x, 0.5));
      const picked = nx.logicalAnd(nx.logicalNot(nx.equal(x, 0.25)), nx.notEqual(x, -0.25));
      return nx.add(nx.where(inBand, nx.mul(x, x), x), nx.where(nx.logicalAnd(outside, picked), x, 0));
    },
  },
  {
    name: "argmax, argmin, isNaN, isFinite have zero gradient",
    prims: ["gather", "where"],
    inputs: [{ shape: [3, 4], layout: "transposed" }],
    f: (xs) => {
      const x = x0(xs);
      const top = nx.take(x, nx.argmax(x, { axis: 1 }), { axis: 1 });
      const bottom = nx.take(x, nx.argmin(x, { axis: 1 }), { axis: 1 });
      const clean = nx.where(nx.logicalAnd(nx.isFinite(x), nx.logicalNot(nx.isNaN(x))), x, 0);
      return nx.add(nx.sum(nx.add(top, bottom)), clean);
    },
  },
  {
    name: "trunc, isInf, logicalXor, argsort, all, any have zero gradient",
    prims: ["mul", "where", "gather"],
    inputs: [{ shape: [3, 4], layout: "sliced", values: [0.2, 1.3, -0.8, 2.35, -1.7, 0.15, 3.2, -2.3, 0.3, -0.35, 1.1, 2.2] }],
    f: (xs) => {
      const x = x0(xs);
      const flags = nx.logicalXor(nx.isInf(nx.div(1, x)), nx.logicalAnd(nx.all(nx.greater(x, -5), { axes: 1, keepdims: true }), nx.any(nx.less(x, 0))));
      const ranked = nx.takeAlongAxis(x, nx.argsort(x, { axis: 1 }), { axis: 1 });
      return nx.add(nx.where(flags, nx.mul(x, nx.trunc(x)), x), ranked);
    },
  },
  {
    name: "cast to an integer has zero gradient",
    prims: ["mul"],
    inputs: [{ shape: [2, 3], values: [0.2, 1.3, -0.8, 2.4, -1.7, 3.6] }],
    f: (xs, d) => nx.mul(x0(xs), nx.cast(nx.cast(nx.mul(x0(xs), 2), "int32"), d)),
  },
];

/** Every gradient check, in the order they are registered. */
export const GRADIENT_CASES: readonly GradientCase[] = [...unaryCases, ...binaryCases, ...reductionCases, ...structuralCases, ...sortingCases, ...derivedCases, ...nondiffCases];
