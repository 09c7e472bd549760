/**
 * Turns vector cases into calls of the public API: uploads arguments on the
 * current backend (making strided views where a case asks), runs the op, and
 * compares the result with the expected values.
 */
import type { DType, FloatDType } from "../dtype.js";
import type { PadWidth, ReduceOp } from "../backend.js";
import type { TensorLike } from "../ops/operands.js";
import type { SliceIndex } from "../ops/movement.js";
import type { PadWidths } from "../ops/replicate.js";
import { bind } from "../primitives.js";
import { Tensor } from "../tensor.js";
import * as nx from "../index.js";
import { sizeOf } from "../shape.js";
import type { Tolerance } from "./compare.js";
import { compareHost, tensorMismatch } from "./compare.js";
import type { Needs } from "./needs.js";
import type { HostVec, RandomCase, Ramp, VectorArg, VectorCase, VectorOp, VectorParams, ViewStep } from "./types.js";

/** A materialized argument: a tensor, a weak JS scalar, or a list of tensors. */
export type Operand = Tensor | number | boolean | readonly Tensor[];

/** `upload(v)` is a new tensor holding the host vector `v` on the current backend. */
export function upload(v: HostVec): Tensor {
  return nx.tensor(v.data as number[], { dtype: v.dtype, shape: v.shape });
}

function rampVec(r: Ramp): HostVec {
  const n = sizeOf(r.shape);
  const data = new Array<number>(n);
  for (let i = 0; i < n; i++) data[i] = ((i * r.mul + r.add) % r.mod) * r.scale + r.offset;
  return { dtype: r.dtype, shape: r.shape, data };
}

function applyView(x: Tensor, step: ViewStep): Tensor {
  if ("transpose" in step) return nx.transpose(x, step.transpose);
  if ("slice" in step) return nx.slice(x, step.slice);
  if ("broadcastTo" in step) return nx.broadcastTo(x, step.broadcastTo);
  if ("flip" in step) return nx.flip(x, step.flip);
  return nx.reshape(x, step.reshape);
}

/** `argSource(a)` is the host vector an array argument uploads (before any view), or `undefined` for scalars and lists. */
export function argSource(a: VectorArg): HostVec | undefined {
  if ("t" in a) return a.t;
  if ("ramp" in a) return rampVec(a.ramp);
  return undefined;
}

/** `materialize(a)` uploads an argument and applies its view steps. */
export function materialize(a: VectorArg): Operand {
  if ("scalar" in a) return a.scalar;
  if ("list" in a) return a.list.map((e) => materialize(e) as Tensor);
  const src = argSource(a) as HostVec;
  let t = upload(src);
  for (const step of a.view ?? []) t = applyView(t, step);
  return t;
}

/** `isSubnormal(v, dtype)` is true for a nonzero finite value below the dtype's smallest normal number (float32 for weak scalars). */
function isSubnormal(v: number | boolean, dtype: DType): boolean {
  if (typeof v !== "number" || v === 0 || !Number.isFinite(v)) return false;
  if (dtype === "float64") return Math.abs(v) < 2 ** -1022;
  return dtype === "float32" && Math.abs(v) < 2 ** -126;
}

/**
 * `caseNeeds(c)` is what running `c` needs of a backend: the dtypes of its
 * arguments, results and `dtype` option; the largest integer magnitude it
 * computes (its int32/uint8 values, or the larger intermediate the generator
 * recorded); whether an argument holds a float subnormal; and the most
 * elements of one argument or result.
 */
export function caseNeeds(c: VectorCase): Needs {
  const dtypes = new Set<DType>();
  let integers = c.intMagnitude ?? 0;
  let subnormals = false;
  let elements = 0;
  const note = (v: HostVec, isArg: boolean): void => {
    dtypes.add(v.dtype);
    elements = Math.max(elements, sizeOf(v.shape));
    if (v.dtype === "int32" || v.dtype === "uint8") for (const x of v.data) integers = Math.max(integers, Math.abs(x));
    if (isArg) subnormals ||= v.data.some((x) => isSubnormal(x, v.dtype));
  };
  const visit = (a: VectorArg): void => {
    if ("list" in a) a.list.forEach(visit);
    else if ("scalar" in a) subnormals ||= isSubnormal(a.scalar, "float32");
    else note(argSource(a) as HostVec, true);
  };
  c.args.forEach(visit);
  const expected: readonly HostVec[] = Array.isArray(c.expected) ? (c.expected as readonly HostVec[]) : [c.expected as HostVec];
  for (const e of expected) note(e, false);
  if (c.params?.dtype) dtypes.add(c.params.dtype);
  return { dtypes: [...dtypes], integers, subnormals, elements };
}

function tensorAt(args: readonly Operand[], i: number): Tensor {
  const a = args[i];
  if (!(a instanceof Tensor)) throw new Error(`conformance runner: argument ${i} must be a tensor`);
  return a;
}

function likeAt(args: readonly Operand[], i: number): TensorLike {
  const a = args[i];
  if (a === undefined || Array.isArray(a)) throw new Error(`conformance runner: argument ${i} must be a tensor or a scalar`);
  return a as TensorLike;
}

function listAt(args: readonly Operand[], i: number): readonly Tensor[] {
  const a = args[i];
  if (!Array.isArray(a)) throw new Error(`conformance runner: argument ${i} must be a list of tensors`);
  return a as readonly Tensor[];
}

function need<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw new Error(`conformance runner: missing parameter ${name}`);
  return v;
}

type Runner = (args: readonly Operand[], p: VectorParams) => Tensor | Tensor[];

const unary = (f: (x: Tensor) => Tensor): Runner => (args) => f(tensorAt(args, 0));
const binary = (f: (a: TensorLike, b: TensorLike) => Tensor): Runner => (args) => f(likeAt(args, 0), likeAt(args, 1));
const reduce = (f: (x: Tensor, o: nx.MomentOptions) => Tensor): Runner => (args, p) => f(tensorAt(args, 0), { axes: p.axes, keepdims: p.keepdims, ddof: p.ddof });
const creationArg = (p: VectorParams, i: number): number => need(p.args?.[i], `args[${i}]`);

/** How each vector op calls the public API. Exhaustive over {@link VectorOp}. */
const RUNNERS: { readonly [K in VectorOp]: Runner } = {
  neg: unary(nx.neg),
  abs: unary(nx.abs),
  sign: unary(nx.sign),
  floor: unary(nx.floor),
  ceil: unary(nx.ceil),
  round: unary(nx.round),
  sqrt: unary(nx.sqrt),
  exp: unary(nx.exp),
  log: unary(nx.log),
  log1p: unary(nx.log1p),
  expm1: unary(nx.expm1),
  sin: unary(nx.sin),
  cos: unary(nx.cos),
  tan: unary(nx.tan),
  tanh: unary(nx.tanh),
  sigmoid: unary(nx.sigmoid),
  erf: unary(nx.erf),
  logicalNot: unary(nx.logicalNot),
  isNaN: unary(nx.isNaN),
  isFinite: unary(nx.isFinite),
  square: unary(nx.square),
  rsqrt: unary(nx.rsqrt),
  trunc: unary(nx.trunc),
  asin: unary(nx.asin),
  acos: unary(nx.acos),
  atan: unary(nx.atan),
  sinh: unary(nx.sinh),
  cosh: unary(nx.cosh),
  asinh: unary(nx.asinh),
  acosh: unary(nx.acosh),
  atanh: unary(nx.atanh),
  log2: unary(nx.log2),
  exp2: unary(nx.exp2),
  isInf: unary(nx.isInf),
  add: binary(nx.add),
  sub: binary(nx.sub),
  mul: binary(nx.mul),
  div: binary(nx.div),
  pow: binary(nx.pow),
  mod: binary(nx.mod),
  maximum: binary(nx.maximum),
  minimum: binary(nx.minimum),
  logicalAnd: binary(nx.logicalAnd),
  logicalOr: binary(nx.logicalOr),
  atan2: binary(nx.atan2),
  hypot: binary(nx.hypot),
  logicalXor: binary(nx.logicalXor),
  equal: binary(nx.equal),
  notEqual: binary(nx.notEqual),
  less: binary(nx.less),
  lessEqual: binary(nx.lessEqual),
  greater: binary(nx.greater),
  greaterEqual: binary(nx.greaterEqual),
  where: (a) => nx.where(likeAt(a, 0), likeAt(a, 1), likeAt(a, 2)),
  clip: (a) => nx.clip(likeAt(a, 0), likeAt(a, 1), likeAt(a, 2)),
  sum: reduce(nx.sum),
  prod: reduce(nx.prod),
  max: reduce(nx.max),
  min: reduce(nx.min),
  mean: reduce(nx.mean),
  var: reduce(nx.var),
  std: reduce(nx.std),
  logsumexp: reduce(nx.logsumexp),
  all: (a, p) => nx.all(tensorAt(a, 0), { axes: p.axes, keepdims: p.keepdims }),
  any: (a, p) => nx.any(tensorAt(a, 0), { axes: p.axes, keepdims: p.keepdims }),
  sort: (a, p) => nx.sort(tensorAt(a, 0), { axis: p.axis, descending: p.descending }),
  argsort: (a, p) => nx.argsort(tensorAt(a, 0), { axis: p.axis, descending: p.descending }),
  topk: (a, p) => nx.topk(tensorAt(a, 0), need(p.k, "k"), { axis: p.axis }),
  softmax: (a, p) => nx.softmax(tensorAt(a, 0), { axes: p.axes }),
  logSoftmax: (a, p) => nx.logSoftmax(tensorAt(a, 0), { axes: p.axes }),
  argmax: (a, p) => nx.argmax(tensorAt(a, 0), { axis: p.axis, keepdims: p.keepdims }),
  argmin: (a, p) => nx.argmin(tensorAt(a, 0), { axis: p.axis, keepdims: p.keepdims }),
  cumsum: (a, p) => nx.cumsum(tensorAt(a, 0), { axis: p.axis }),
  cumprod: (a, p) => nx.cumprod(tensorAt(a, 0), { axis: p.axis }),
  cast: (a, p) => nx.cast(tensorAt(a, 0), need(p.dtype, "dtype")),
  identity: (a) => tensorAt(a, 0),
  contiguous: (a) => nx.contiguous(tensorAt(a, 0)),
  reshape: (a, p) => nx.reshape(tensorAt(a, 0), need(p.shape, "shape")),
  transpose: (a, p) => nx.transpose(tensorAt(a, 0), p.axes === undefined ? undefined : typeof p.axes === "number" ? [p.axes] : p.axes),
  expandDims: (a, p) => nx.expandDims(tensorAt(a, 0), need(p.axis ?? (p.axes as number | readonly number[] | undefined), "axis")),
  squeeze: (a, p) => nx.squeeze(tensorAt(a, 0), p.axes),
  broadcastTo: (a, p) => nx.broadcastTo(tensorAt(a, 0), need(p.shape, "shape")),
  slice: (a, p) => nx.slice(tensorAt(a, 0), need(p.spec, "spec") as readonly SliceIndex[]),
  flip: (a, p) => nx.flip(tensorAt(a, 0), p.axes),
  swapaxes: (a, p) => {
    const [a1, a2] = need(p.axes as readonly number[] | undefined, "axes");
    return nx.swapaxes(tensorAt(a, 0), need(a1, "axes[0]"), need(a2, "axes[1]"));
  },
  moveaxis: (a, p) => nx.moveaxis(tensorAt(a, 0), need(p.source, "source"), need(p.destination, "destination")),
  roll: (a, p) => nx.roll(tensorAt(a, 0), need(p.shift, "shift"), { axis: p.axes }),
  tile: (a, p) => nx.tile(tensorAt(a, 0), need(p.reps, "reps")),
  repeat: (a, p) => nx.repeat(tensorAt(a, 0), need(p.repeats, "repeats"), { axis: p.axis }),
  tril: (a, p) => nx.tril(tensorAt(a, 0), p.k),
  triu: (a, p) => nx.triu(tensorAt(a, 0), p.k),
  pad: (a, p) => nx.pad(tensorAt(a, 0), need(p.widths, "widths") as PadWidths, { value: p.value as number | undefined }),
  concatenate: (a, p) => nx.concatenate(listAt(a, 0), { axis: p.axis }),
  stack: (a, p) => nx.stack(listAt(a, 0), { axis: p.axis }),
  split: (a, p) => nx.split(tensorAt(a, 0), need(p.sections, "sections"), { axis: p.axis }),
  matmul: (a) => nx.matmul(tensorAt(a, 0), tensorAt(a, 1)),
  einsum: (a, p) => nx.einsum(need(p.subscripts, "subscripts"), ...a.map((_, i) => tensorAt(a, i))),
  take: (a, p) => nx.take(tensorAt(a, 0), tensorAt(a, 1), { axis: p.axis }),
  takeAlongAxis: (a, p) => nx.takeAlongAxis(tensorAt(a, 0), tensorAt(a, 1), { axis: need(p.axis, "axis") }),
  oneHot: (a, p) => nx.oneHot(tensorAt(a, 0), need(p.depth, "depth"), { dtype: p.dtype }),
  arange: (_, p) => {
    const n = need(p.args, "args").length;
    const opts = { dtype: p.dtype };
    if (n === 1) return nx.arange(creationArg(p, 0), undefined, 1, opts);
    return nx.arange(creationArg(p, 0), creationArg(p, 1), n > 2 ? creationArg(p, 2) : 1, opts);
  },
  linspace: (_, p) => nx.linspace(creationArg(p, 0), creationArg(p, 1), creationArg(p, 2), { dtype: p.dtype, endpoint: p.endpoint }),
  eye: (_, p) => nx.eye(creationArg(p, 0), p.args?.[1], { k: p.k, dtype: p.dtype }),
  full: (_, p) => nx.full(need(p.shape, "shape"), need(p.value, "value"), p.dtype),
  zeros: (_, p) => nx.zeros(need(p.shape, "shape"), p.dtype),
  ones: (_, p) => nx.ones(need(p.shape, "shape"), p.dtype),
  fullLike: (a, p) => nx.fullLike(tensorAt(a, 0), need(p.value, "value"), p.dtype),
  zerosLike: (a, p) => nx.zerosLike(tensorAt(a, 0), p.dtype),
  onesLike: (a, p) => nx.onesLike(tensorAt(a, 0), p.dtype),
  "prim.pad": (a, p) => bind("pad", [tensorAt(a, 0)], { widths: need(p.widths, "widths") as readonly PadWidth[], value: Number(need(p.value, "value")) }),
  "prim.scatterAdd": (a, p) => bind("scatterAdd", [tensorAt(a, 0), tensorAt(a, 1)], { axis: need(p.axis, "axis"), shape: need(p.shape, "shape") }),
  "prim.reduce": (a, p) => bind(need(p.reduceOp, "reduceOp") as ReduceOp, [tensorAt(a, 0)], { axes: need(p.axes as readonly number[] | undefined, "axes") }),
};

/** `applyCase(c, args)` calls the op of `c` on its materialized arguments (see {@link materialize}) and returns the result. */
export function applyCase(c: VectorCase, args: readonly Operand[]): Tensor | Tensor[] {
  return RUNNERS[c.op](args, c.params ?? {});
}

/**
 * `runCase(c, tolerances)` runs one vector case on the current backend and
 * throws an `Error` describing every difference: from the expected result,
 * and in the arguments (an op must never write into its inputs).
 */
export function runCase(c: VectorCase, tolerances: Readonly<Record<FloatDType, Tolerance>>): void {
  const args = c.args.map(materialize);
  const out = applyCase(c, args);
  const problems: string[] = [];
  if (Array.isArray(out)) {
    const expected = c.expected as readonly HostVec[];
    if (out.length !== expected.length) problems.push(`${out.length} results, expected ${expected.length}`);
    out.forEach((t, i) => {
      const e = expected[i];
      const m = e && tensorMismatch(t, e, tolerances, c.scale);
      if (m) problems.push(`result ${i}: ${m}`);
    });
  } else {
    const m = tensorMismatch(out as Tensor, c.expected as HostVec, tolerances, c.scale);
    if (m) problems.push(m);
  }
  // The inputs must be untouched.
  c.args.forEach((a, i) => {
    const src = argSource(a);
    const t = args[i];
    if (!src || !(t instanceof Tensor)) return;
    const base = upload(src);
    let viewed = base;
    for (const step of ("t" in a || "ramp" in a ? a.view : undefined) ?? []) viewed = applyView(viewed, step);
    const before = viewed.dataSync();
    const after = t.dataSync();
    if (before.some((v, j) => !Object.is(v, after[j]) && !(Number.isNaN(v) && Number.isNaN(after[j] as number)))) problems.push(`argument ${i} was modified`);
  });
  if (problems.length > 0) throw new Error(`${c.id} (${c.op}): ${problems.join("; ")}`);
}

/** `randomCaseNeeds(c)` is what drawing the random case `c` needs of a backend: the dtypes of its result, its input and the uniforms it draws. */
export function randomCaseNeeds(c: RandomCase): Needs {
  const dtypes = new Set<DType>([c.dtype, ...(c.input ? [c.input.dtype] : [])]);
  if (c.kind === "bernoulli") dtypes.add("float32");
  return { dtypes: [...dtypes] };
}

/** `drawRandomCase(c)` is the draw the random case `c` describes, made with the public API on the current backend. */
export function drawRandomCase(c: RandomCase): Tensor {
  const key = nx.random.key(c.seed);
  switch (c.kind) {
    case "uniform":
      return nx.random.uniform(key, c.shape, c.dtype as FloatDType, c.minval === undefined ? {} : { minval: c.minval, maxval: c.maxval });
    case "normal":
      return nx.random.normal(key, c.shape, c.dtype as FloatDType);
    case "bernoulli":
      return nx.random.bernoulli(key, c.p, c.shape);
    case "categorical":
      return nx.random.categorical(key, upload(need(c.input, "input")), { axis: c.axis, shape: c.shape });
    case "permutation":
      return nx.random.permutation(key, need(c.n, "n"));
    case "shuffle":
      return nx.random.shuffle(key, upload(need(c.input, "input")), { axis: c.axis });
  }
}

/**
 * `runRandomCase(c, tolerance)` draws the random case `c` on the current
 * backend and throws an `Error` describing any difference from its expected
 * values: floats within `tolerance` (after transforms such as `normal`'s),
 * everything else exactly.
 */
export function runRandomCase(c: RandomCase, tolerance: Tolerance): void {
  const out = drawRandomCase(c);
  const m = compareHost(out.dtype, out.shape, out.dataSync(), c.expected, nx.isFloat(out.dtype) ? tolerance : { atol: 0, rtol: 0 }, c.scale ?? 1);
  if (m) throw new Error(`${c.id}: ${m}`);
}

export type { Needs } from "./needs.js";
export { unmetNeeds } from "./needs.js";
