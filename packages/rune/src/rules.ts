/**
 * The VJP table: one reverse-mode rule per nx primitive, keyed by nx's
 * `Primitive` union, so adding a primitive to nx fails this file's type check
 * until it gets a rule or is declared `"nondiff"`.
 *
 * A rule receives the cotangent `g` of the primitive's output (same shape and
 * dtype as the output) and the recorded node (inputs, output, params, and
 * which inputs need a cotangent), and returns one cotangent per input (same
 * shape and dtype as that input), or `undefined` where none is needed.
 *
 * Rules are written with public nx ops only (plus `bind` for the three
 * primitives the public API does not expose with the needed parameters:
 * `pad` with interior padding, `gather` and `scatterAdd`), so they run on any
 * backend, and since those ops are themselves recorded by any tape still
 * installed, a rule's computation is differentiable again (nested `grad`).
 */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import type { Primitive, PrimitiveParams } from "@raven-ts/nx/primitives";
import { bind } from "@raven-ts/nx/primitives";

/** What a VJP rule sees of one recorded primitive execution. */
export interface VjpNode<P extends Primitive> {
  /** The primitive's inputs, as it received them (already broadcast and promoted by the nx frontend). */
  readonly inputs: readonly Tensor[];
  /** The primitive's output. */
  readonly output: Tensor;
  /** The primitive's parameters. */
  readonly params: PrimitiveParams[P];
  /** `needs[i]` is true when input `i` depends on a differentiated input, so its cotangent is wanted. */
  readonly needs: readonly boolean[];
}

/**
 * `VjpRule<P>` maps the output cotangent `g` of primitive `P` to one cotangent
 * per input (shaped and typed like the input), `undefined` where `needs[i]` is false.
 */
export type VjpRule<P extends Primitive> = (g: Tensor, node: VjpNode<P>) => readonly (Tensor | undefined)[];

/** The type of the table: every primitive has a rule or is declared non-differentiable (zero gradient). */
export type VjpTable = { readonly [P in Primitive]: VjpRule<P> | "nondiff" };

// ---------------------------------------------------------------------------
// Helpers

function input(node: VjpNode<Primitive>, i: number): Tensor {
  const t = node.inputs[i];
  if (t === undefined) throw new Error(`rune: internal error: the node has no input ${i}`);
  return t;
}

/** A rule of a one-input primitive from `d(g, x, y)`. */
function unary<P extends Primitive>(d: (g: Tensor, x: Tensor, y: Tensor) => Tensor): VjpRule<P> {
  return (g, node) => [node.needs[0] ? d(g, input(node, 0), node.output) : undefined];
}

/** A rule of a two-input primitive from one function per input (each called only when needed). */
function binary<P extends Primitive>(
  da: ((g: Tensor, a: Tensor, b: Tensor, y: Tensor) => Tensor) | undefined,
  db: ((g: Tensor, a: Tensor, b: Tensor, y: Tensor) => Tensor) | undefined,
): VjpRule<P> {
  return (g, node) => {
    const a = input(node, 0);
    const b = input(node, 1);
    return [node.needs[0] && da ? da(g, a, b, node.output) : undefined, node.needs[1] && db ? db(g, a, b, node.output) : undefined];
  };
}

/** `keepShape(shape, axes)` is `shape` with the `axes` set to 1 (a reduction's output with keepdims). */
function keepShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** `unreduce(g, shape, axes)` broadcasts a reduction's cotangent back over the reduced `axes` of `shape`. */
function unreduce(g: Tensor, shape: readonly number[], axes: readonly number[]): Tensor {
  return nx.broadcastTo(nx.reshape(g, keepShape(shape, axes)), shape);
}

/** `reverseCumsum(t, axis)` is `out[i] = sum_{j >= i} t[j]` along `axis`. */
function reverseCumsum(t: Tensor, axis: number): Tensor {
  return nx.flip(nx.cumsum(nx.flip(t, axis), { axis }), axis);
}

/** `exclusiveCumprod(t)` along the last axis: `out[i] = prod_{j < i} t[j]` (1 for `i = 0`). The last axis must be non-empty. */
function exclusiveCumprod(t: Tensor): Tensor {
  const last = t.ndim - 1;
  const n = t.shape[last] as number;
  const head = nx.slice(nx.cumprod(t, { axis: last }), t.shape.map((_, i) => (i === last ? { stop: n - 1 } : null)));
  return nx.pad(head, t.shape.map((_, i) => (i === last ? ([1, 0] as const) : ([0, 0] as const))), { value: 1 });
}

// ---------------------------------------------------------------------------
// Rules that need more than a line

/** `prod` over `axes`: `g` times the product of all other elements, via exclusive cumulative products from both ends (exact with zeros, no division). */
const prodRule: VjpRule<"prod"> = (g, node) => {
  if (!node.needs[0]) return [undefined];
  const x = input(node, 0);
  const { axes } = node.params;
  if (axes.length === 0) return [g];
  if (x.size === 0) return [nx.zerosLike(x)];
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const keptShape = kept.map((i) => x.shape[i] as number);
  const n = axes.reduce((s, a) => s * (x.shape[a] as number), 1);
  const flat = nx.reshape(nx.transpose(x, perm), [...keptShape, n]);
  const last = keptShape.length;
  const left = exclusiveCumprod(flat);
  const right = nx.flip(exclusiveCumprod(nx.flip(flat, last)), last);
  const gFlat = nx.mul(nx.reshape(g, [...keptShape, 1]), nx.mul(left, right));
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return [nx.transpose(nx.reshape(gFlat, perm.map((p) => x.shape[p] as number)), inv)];
};

/**
 * `cumprod` along `axis`, exact with zeros. With `z` the first zero of a lane:
 * before `z`, `dx_j = revcumsum(g*y)_j / x_j`; at `z`, `dx_z = sum_{i>=z} g_i *
 * cumprod(x with x_z := 1)_i`; after `z`, `dx_j = 0`.
 */
const cumprodRule: VjpRule<"cumprod"> = (g, node) => {
  if (!node.needs[0]) return [undefined];
  const x = input(node, 0);
  const y = node.output;
  const { axis } = node.params;
  if (x.size === 0) return [nx.zerosLike(x)];
  const isZero = nx.equal(x, 0);
  const zerosSoFar = nx.cumsum(nx.cast(isZero, "int32"), { axis });
  const before = nx.equal(zerosSoFar, 0);
  const firstZero = nx.logicalAnd(isZero, nx.equal(zerosSoFar, 1));
  const a = nx.where(before, nx.div(reverseCumsum(nx.mul(g, y), axis), nx.where(before, x, 1)), 0);
  const yFirstZeroAsOne = nx.cumprod(nx.where(firstZero, 1, x), { axis });
  const fromFirstZero = nx.sum(nx.where(before, 0, nx.mul(g, yFirstZeroAsOne)), { axes: axis, keepdims: true });
  return [nx.add(a, nx.where(firstZero, fromFirstZero, 0))];
};

/** `max`/`min` over `axes`: the cotangent is shared evenly among the tied extreme elements (as PyTorch's `amax`). */
function extremeRule<P extends "max" | "min">(): VjpRule<P> {
  return (g, node) => {
    if (!node.needs[0]) return [undefined];
    const x = input(node, 0);
    const { axes } = node.params as PrimitiveParams["max"];
    const ks = keepShape(x.shape, axes);
    const hit = nx.cast(nx.equal(x, nx.reshape(node.output, ks)), x.dtype);
    const count = nx.sum(hit, { axes, keepdims: true });
    return [nx.mul(nx.broadcastTo(nx.reshape(g, ks), x.shape), nx.div(hit, count))];
  };
}

/** `maximum`/`minimum`: the winner takes `g`; a tie splits it 0.5/0.5 (as PyTorch). */
function pickRule<P extends "maximum" | "minimum">(wins: (a: Tensor, b: Tensor) => Tensor): VjpRule<P> {
  const share = (g: Tensor, a: Tensor, b: Tensor): Tensor => nx.where(wins(a, b), g, nx.where(nx.equal(a, b), nx.mul(g, 0.5), 0));
  return binary<P>(
    (g, a, b) => share(g, a, b),
    (g, a, b) => share(g, b, a),
  );
}

/** `slice` → pad the cotangent back into place (interior padding for strides, a flip for negative steps). */
const sliceRule: VjpRule<"slice"> = (g, node) => {
  if (!node.needs[0]) return [undefined];
  const x = input(node, 0);
  const { starts, steps, shape } = node.params;
  const flipAxes: number[] = [];
  const widths = x.shape.map((n, i) => {
    const len = shape[i] as number;
    const start = starts[i] as number;
    const step = steps[i] as number;
    if (len === 0) return { lo: n, hi: 0, interior: 0 };
    if (step < 0 && len > 1) flipAxes.push(i);
    const first = step > 0 ? start : start + (len - 1) * step;
    const last = first + (len - 1) * Math.abs(step);
    return { lo: first, hi: n - 1 - last, interior: Math.abs(step) - 1 };
  });
  const src = flipAxes.length > 0 ? nx.flip(g, flipAxes) : g;
  if (widths.every((w) => w.lo === 0 && w.hi === 0 && w.interior === 0)) return [src];
  return [bind("pad", [src], { widths, value: 0 })];
};

/** `pad` → the strided slice of the cotangent where the input's elements sit. */
const padRule: VjpRule<"pad"> = (g, node) => {
  if (!node.needs[0]) return [undefined];
  const x = input(node, 0);
  const { widths } = node.params;
  return [
    nx.slice(
      g,
      x.shape.map((n, i) => {
        const w = widths[i] as { lo: number; interior: number };
        return n === 0 ? { start: 0, stop: 0 } : { start: w.lo, stop: w.lo + (n - 1) * (w.interior + 1) + 1, step: w.interior + 1 };
      }),
    ),
  ];
};

/** `concat` → each input's slab of the cotangent. */
const concatRule: VjpRule<"concat"> = (g, node) => {
  const { axis } = node.params;
  let offset = 0;
  return node.inputs.map((t, k) => {
    const n = t.shape[axis] as number;
    const start = offset;
    offset += n;
    if (!node.needs[k]) return undefined;
    return nx.slice(g, t.shape.map((_, i) => (i === axis ? { start, stop: start + n } : null)));
  });
};

/**
 * `updateSlice` → for `x`, the cotangent with the written block zeroed (`x`
 * there was overwritten); for `update`, the cotangent's block at `starts`.
 */
const updateSliceRule: VjpRule<"updateSlice"> = (g, node) => {
  const update = input(node, 1);
  const { starts } = node.params;
  return [
    node.needs[0] ? nx.dynamicUpdateSlice(g, nx.zerosLike(update), [...starts]) : undefined,
    node.needs[1] ? nx.slice(g, update.shape.map((n, i) => ({ start: starts[i] as number, stop: (starts[i] as number) + n }))) : undefined,
  ];
};

/** `broadcastTo` → sum over the broadcast axes, then reshape to the input's shape. */
const broadcastRule: VjpRule<"broadcastTo"> = (g, node) => {
  if (!node.needs[0]) return [undefined];
  const x = input(node, 0);
  const lead = g.ndim - x.ndim;
  const axes = g.shape.flatMap((d, i) => (i < lead || (x.shape[i - lead] === 1 && d !== 1) ? [i] : []));
  const summed = axes.length > 0 ? nx.sum(g, { axes }) : g;
  return [nx.reshape(summed, x.shape)];
};

/** `pow(a, b)`: `d/da = b a^(b-1)` (0 where `b = 0`); `d/db = y log(a)` where `a > 0` and 0 where `a <= 0`. */
const powRule = binary<"pow">(
  (g, a, b) => nx.mul(g, nx.where(nx.equal(b, 0), 0, nx.mul(b, nx.pow(a, nx.sub(b, 1))))),
  (g, a, _b, y) => {
    const positive = nx.greater(a, 0);
    return nx.where(positive, nx.mul(nx.mul(g, y), nx.log(nx.where(positive, a, 1))), 0);
  },
);

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** `oneMinusSquare(x)` is `1 - x²` as `(1 - x)(1 + x)`, exact near ±1. */
function oneMinusSquare(x: Tensor): Tensor {
  return nx.mul(nx.sub(1, x), nx.add(1, x));
}

/** `safeDiv(a, b)` is `a / b`, and 0 where `b` is 0 (the subgradient at a non-differentiable point). */
function safeDiv(a: Tensor, b: Tensor): Tensor {
  const zero = nx.equal(b, 0);
  return nx.where(zero, 0, nx.div(a, nx.where(zero, 1, b)));
}

/**
 * `atan2(a, b)`: `d/da = b / r²`, `d/db = -a / r²` with `r = hypot(a, b)`
 * (as `(b / r) / r`, so no square overflows); 0 at the origin.
 */
const atan2Rule = binary<"atan2">(
  (g, a, b) => {
    const r = nx.hypot(a, b);
    return nx.mul(g, safeDiv(safeDiv(b, r), r));
  },
  (g, a, b) => {
    const r = nx.hypot(a, b);
    return nx.neg(nx.mul(g, safeDiv(safeDiv(a, r), r)));
  },
);

/**
 * `sort` (the first `k` of each lane along `axis`): output position `p` of a
 * lane holds input position `perm[p]` (`perm = argsort(x)`), so the
 * cotangent, padded with zeros to the whole lane, flows back by the inverse
 * permutation: `dx = takeAlongAxis(pad(g), argsort(perm))`, gathers only.
 */
const sortRule: VjpRule<"sort"> = (g, node) => {
  if (!node.needs[0]) return [undefined];
  const x = input(node, 0);
  const { axis, descending, k } = node.params;
  const n = x.shape[axis] as number;
  const perm = nx.argsort(x, { axis, descending });
  const full = k === n ? g : nx.pad(g, g.shape.map((_, i) => (i === axis ? ([0, n - k] as const) : ([0, 0] as const))));
  return [nx.takeAlongAxis(full, nx.argsort(perm, { axis }), { axis })];
};

// ---------------------------------------------------------------------------
// The table

/**
 * `VJP` is the reverse-mode rule of every nx primitive, or `"nondiff"` for the
 * primitives whose derivative is zero almost everywhere or whose output is
 * not a float (comparisons, logical ops, `isNaN`/`isFinite`/`isInf`,
 * `argmax`/`argmin`/`argsort`, `floor`/`ceil`/`round`/`trunc`/`sign`): their
 * outputs carry no gradient. A `cast`
 * to a non-float dtype likewise carries none; a float→float `cast` casts the
 * cotangent back.
 */
export const VJP: VjpTable = {
  neg: unary((g) => nx.neg(g)),
  abs: unary((g, x) => nx.mul(g, nx.sign(x))),
  sign: "nondiff",
  floor: "nondiff",
  ceil: "nondiff",
  round: "nondiff",
  trunc: "nondiff",
  sqrt: unary((g, _x, y) => nx.div(g, nx.mul(y, 2))),
  exp: unary((g, _x, y) => nx.mul(g, y)),
  log: unary((g, x) => nx.div(g, x)),
  log1p: unary((g, x) => nx.div(g, nx.add(x, 1))),
  // exp(x), not y + 1: for very negative x, y + 1 rounds to 0 and loses the whole derivative.
  expm1: unary((g, x) => nx.mul(g, nx.exp(x))),
  sin: unary((g, x) => nx.mul(g, nx.cos(x))),
  cos: unary((g, x) => nx.neg(nx.mul(g, nx.sin(x)))),
  tan: unary((g, _x, y) => nx.mul(g, nx.add(nx.mul(y, y), 1))),
  tanh: unary((g, _x, y) => nx.mul(g, nx.sub(1, nx.mul(y, y)))),
  sigmoid: unary((g, _x, y) => nx.mul(g, nx.mul(y, nx.sub(1, y)))),
  erf: unary((g, x) => nx.mul(g, nx.mul(nx.exp(nx.neg(nx.mul(x, x))), TWO_OVER_SQRT_PI))),
  asin: unary((g, x) => nx.div(g, nx.sqrt(oneMinusSquare(x)))),
  acos: unary((g, x) => nx.neg(nx.div(g, nx.sqrt(oneMinusSquare(x))))),
  atan: unary((g, x) => nx.div(g, nx.add(nx.mul(x, x), 1))),
  sinh: unary((g, x) => nx.mul(g, nx.cosh(x))),
  cosh: unary((g, x) => nx.mul(g, nx.sinh(x))),
  asinh: unary((g, x) => nx.div(g, nx.hypot(x, 1))),
  acosh: unary((g, x) => nx.div(g, nx.sqrt(nx.mul(nx.sub(x, 1), nx.add(x, 1))))),
  atanh: unary((g, x) => nx.div(g, oneMinusSquare(x))),
  log2: unary((g, x) => nx.div(g, nx.mul(x, Math.LN2))),
  exp2: unary((g, _x, y) => nx.mul(g, nx.mul(y, Math.LN2))),
  logicalNot: "nondiff",
  isNaN: "nondiff",
  isFinite: "nondiff",
  isInf: "nondiff",

  add: binary(
    (g) => g,
    (g) => g,
  ),
  sub: binary(
    (g) => g,
    (g) => nx.neg(g),
  ),
  mul: binary(
    (g, _a, b) => nx.mul(g, b),
    (g, a) => nx.mul(g, a),
  ),
  div: binary(
    (g, _a, b) => nx.div(g, b),
    (g, _a, b, y) => nx.neg(nx.div(nx.mul(g, y), b)),
  ),
  pow: powRule,
  mod: binary(
    (g) => g,
    (g, a, b) => nx.neg(nx.mul(g, nx.floor(nx.div(a, b)))),
  ),
  maximum: pickRule((a, b) => nx.greater(a, b)),
  minimum: pickRule((a, b) => nx.less(a, b)),
  atan2: atan2Rule,
  hypot: binary(
    (g, a, _b, y) => nx.mul(g, safeDiv(a, y)),
    (g, _a, b, y) => nx.mul(g, safeDiv(b, y)),
  ),
  logicalAnd: "nondiff",
  logicalOr: "nondiff",
  logicalXor: "nondiff",

  equal: "nondiff",
  notEqual: "nondiff",
  less: "nondiff",
  lessEqual: "nondiff",
  greater: "nondiff",
  greaterEqual: "nondiff",

  sum: (g, node) => [node.needs[0] ? unreduce(g, input(node, 0).shape, node.params.axes) : undefined],
  prod: prodRule,
  max: extremeRule(),
  min: extremeRule(),
  // `softmax` → `y (g - Σ g y)` along the last axis; `logSoftmax` → `g - exp(y) Σ g`.
  softmax: (g, node) => {
    if (!node.needs[0]) return [undefined];
    const y = node.output;
    return [nx.mul(y, nx.sub(g, nx.sum(nx.mul(g, y), { axes: -1, keepdims: true })))];
  },
  logSoftmax: (g, node) => {
    if (!node.needs[0]) return [undefined];
    return [nx.sub(g, nx.mul(nx.exp(node.output), nx.sum(g, { axes: -1, keepdims: true })))];
  },
  argmax: "nondiff",
  argmin: "nondiff",
  cumsum: (g, node) => [node.needs[0] ? reverseCumsum(g, node.params.axis) : undefined],
  cumprod: cumprodRule,
  sort: sortRule,
  argsort: "nondiff",

  where: (g, node) => {
    const cond = input(node, 0);
    return [undefined, node.needs[1] ? nx.where(cond, g, 0) : undefined, node.needs[2] ? nx.where(cond, 0, g) : undefined];
  },
  cast: (g, node) => {
    const x = input(node, 0);
    return [node.needs[0] && nx.isFloat(x.dtype) && nx.isFloat(g.dtype) ? nx.cast(g, x.dtype) : undefined];
  },
  copy: (g, node) => [node.needs[0] ? g : undefined],
  matmul: binary(
    (g, _a, b) => nx.matmul(g, nx.swapaxes(b, -2, -1)),
    (g, a) => nx.matmul(nx.swapaxes(a, -2, -1), g),
  ),
  gather: (g, node) => {
    const x = input(node, 0);
    return [node.needs[0] ? bind("scatterAdd", [g, input(node, 1)], { axis: node.params.axis, shape: x.shape }) : undefined, undefined];
  },
  scatterAdd: (g, node) => [node.needs[0] ? bind("gather", [g, input(node, 1)], { axis: node.params.axis }) : undefined, undefined],
  pad: padRule,
  concat: concatRule,
  updateSlice: updateSliceRule,
  reshape: (g, node) => [node.needs[0] ? nx.reshape(g, input(node, 0).shape) : undefined],
  transpose: (g, node) => {
    const { perm } = node.params;
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [node.needs[0] ? nx.transpose(g, inv) : undefined];
  },
  broadcastTo: broadcastRule,
  slice: sliceRule,
};

/** `isDifferentiable(prim)` is true when the nx primitive `prim` has a VJP rule (false for the `"nondiff"` ones, whose outputs carry no gradient). @throws InvalidArgumentError when `prim` is not a primitive. */
export function isDifferentiable(prim: Primitive): boolean {
  if (typeof prim !== "string" || !Object.prototype.hasOwnProperty.call(VJP, prim)) {
    throw new nx.InvalidArgumentError("rune.isDifferentiable", `unknown primitive ${nx.fmtValue(prim)}`);
  }
  return VJP[prim] !== "nondiff";
}
