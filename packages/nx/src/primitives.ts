/**
 * The primitive layer: the complete set of operations every public op is
 * built from, and the single place they execute (`bind`). Autodiff and other
 * program transformations observe execution here through tracers, so they see
 * only this small, backend-independent vocabulary.
 *
 * Frontend guarantees (for `bind`): arguments are validated, broadcast and
 * promoted as each backend primitive documents in `backend.ts`; all inputs
 * live on one backend and are not disposed.
 */
import type { ArgReduceOp, Backend, BinaryOp, CompareOp, DataId, PadWidth, ReduceOp, ScanOp, SortOp, UnaryOp } from "./backend.js";
import { checkFits } from "./capacity.js";
import type { DType } from "./dtype.js";
import { itemSize } from "./dtype.js";
import { Storage } from "./engine.js";
import { contiguousStrides, isContiguous, sizeOf } from "./shape.js";
import { Tensor } from "./tensor.js";

type NoParams = Readonly<Record<never, never>>;

/** The parameters of each primitive, keyed by its name. */
export type PrimitiveParams = { readonly [K in UnaryOp | BinaryOp | CompareOp]: NoParams } & {
  readonly [K in ReduceOp]: { readonly axes: readonly number[] };
} & { readonly [K in ArgReduceOp | ScanOp]: { readonly axis: number } } & {
  /** `sort` (the ordered values) and `argsort` (their int32 indices): the first `k` of each lane along `axis`, stable, NaN above every number. */
  readonly [K in SortOp]: { readonly axis: number; readonly descending: boolean; readonly k: number };
} & {
  /** `where(cond, a, b)`: all three already broadcast to one shape; `a`, `b` one dtype. */
  readonly where: NoParams;
  readonly cast: { readonly dtype: DType };
  /** A C-contiguous copy (identity on values). */
  readonly copy: NoParams;
  /** Batched matmul on `[...batch, m, k] @ [...batch, k, n]` with identical batch shapes. */
  readonly matmul: NoParams;
  /** numpy `take(x, indices, axis)`; inputs `[x, indices]`. */
  readonly gather: { readonly axis: number };
  /** The adjoint of gather; inputs `[updates, indices]`, output of `shape`. */
  readonly scatterAdd: { readonly axis: number; readonly shape: readonly number[] };
  readonly pad: { readonly widths: readonly PadWidth[]; readonly value: number };
  readonly concat: { readonly axis: number };
  /** Same size, new shape; a view when the strides allow, a copy otherwise. */
  readonly reshape: { readonly shape: readonly number[] };
  /** A view with axes permuted: output axis `i` is input axis `perm[i]`. */
  readonly transpose: { readonly perm: readonly number[] };
  /** A view: numpy broadcast of the input to `shape` (the input's rank ≤ `shape`'s). */
  readonly broadcastTo: { readonly shape: readonly number[] };
  /** A view: along each axis, `shape[i]` elements from `starts[i]` every `steps[i]` (negative steps walk backwards). */
  readonly slice: { readonly starts: readonly number[]; readonly steps: readonly number[]; readonly shape: readonly number[] };
};

/** The name of a primitive. */
export type Primitive = keyof PrimitiveParams;

/** Observes every primitive execution while installed (see {@link addTracer}). */
export interface Tracer {
  record<P extends Primitive>(prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P], output: Tensor): void;
  /**
   * `holds(t)` is true while the tracer still needs `t` (an autodiff tape
   * needs the inputs and outputs it recorded until its backward pass). `nx.tidy`
   * never disposes a held tensor: it hands it to the enclosing scope instead.
   */
  holds?(t: Tensor): boolean;
}

const tracers: Tracer[] = [];

/** `addTracer(tracer)` installs `tracer` and returns the function that removes it. Tracers see executions in order. */
export function addTracer(tracer: Tracer): () => void {
  tracers.push(tracer);
  return () => {
    const i = tracers.lastIndexOf(tracer);
    if (i >= 0) tracers.splice(i, 1);
  };
}

/**
 * `fresh(fn, like, dtype, shape, make)` is a new contiguous tensor on
 * `like`'s backend whose buffer `make(backend)` computes, after checking that
 * the backend can hold it (so an unsupported dtype or an oversized result is
 * an error naming `fn` before the backend is called).
 */
function fresh(fn: string, like: Tensor, dtype: DType, shape: readonly number[], make: (backend: Backend) => DataId): Tensor {
  const backend = like.backend;
  checkFits(fn, backend, shape, dtype);
  return new Tensor(new Storage(backend, make(backend), sizeOf(shape) * itemSize(dtype)), dtype, shape, contiguousStrides(shape), 0);
}

/** `viewOf(x, shape, strides, offset)` is a new tensor sharing `x`'s storage. */
function viewOf(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.storage, x.dtype, shape, strides, offset);
}

/**
 * `reshapeStrides(shape, strides, newShape)` is the strides that view the same
 * elements (in C order) with `newShape`, or `undefined` when no view can (the
 * data must then be copied). Same algorithm as numpy's no-copy reshape.
 */
export function reshapeStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | undefined {
  if (sizeOf(shape) === 0 || isContiguous(shape, strides)) return contiguousStrides(newShape);
  const oldDims: number[] = [];
  const oldStrides: number[] = [];
  shape.forEach((d, i) => {
    if (d !== 1) {
      oldDims.push(d);
      oldStrides.push(strides[i] as number);
    }
  });
  const out = new Array<number>(newShape.length).fill(0);
  let ni = 0;
  let oi = 0;
  while (ni < newShape.length && oi < oldDims.length) {
    let np = newShape[ni] as number;
    let op = oldDims[oi] as number;
    let nj = ni + 1;
    let oj = oi + 1;
    while (np !== op) {
      if (np < op) np *= newShape[nj++] as number;
      else op *= oldDims[oj++] as number;
    }
    for (let ok = oi; ok < oj - 1; ok++) {
      if (oldStrides[ok] !== (oldDims[ok + 1] as number) * (oldStrides[ok + 1] as number)) return undefined;
    }
    out[nj - 1] = oldStrides[oj - 1] as number;
    for (let nk = nj - 1; nk > ni; nk--) out[nk - 1] = (out[nk] as number) * (newShape[nk] as number);
    ni = nj;
    oi = oj;
  }
  return out;
}

/** How a primitive executes; `fn` is the name an error uses when no public op is in progress. */
type Impl<P extends Primitive> = (inputs: readonly Tensor[], params: PrimitiveParams[P], fn: string) => Tensor;

function unaryImpl(op: UnaryOp, outDtype?: DType): Impl<UnaryOp> {
  return ([x], _, fn) => {
    const t = x as Tensor;
    return fresh(fn, t, outDtype ?? t.dtype, t.shape, (b) => b.unary(op, t.view()));
  };
}

function binaryImpl(op: BinaryOp, outDtype?: DType): Impl<BinaryOp> {
  return ([a, b], _, fn) => {
    const x = a as Tensor;
    return fresh(fn, x, outDtype ?? x.dtype, x.shape, (be) => be.binary(op, x.view(), (b as Tensor).view()));
  };
}

function compareImpl(op: CompareOp): Impl<CompareOp> {
  return ([a, b], _, fn) => {
    const x = a as Tensor;
    return fresh(fn, x, "bool", x.shape, (be) => be.compare(op, x.view(), (b as Tensor).view()));
  };
}

function reduceImpl(op: ReduceOp): Impl<ReduceOp> {
  return ([a], { axes }, fn) => {
    const x = a as Tensor;
    return fresh(fn, x, x.dtype, x.shape.filter((_, i) => !axes.includes(i)), (b) => b.reduce(op, x.view(), axes));
  };
}

function argReduceImpl(op: ArgReduceOp): Impl<ArgReduceOp> {
  return ([a], { axis }, fn) => {
    const x = a as Tensor;
    return fresh(fn, x, "int32", x.shape.filter((_, i) => i !== axis), (b) => b.argReduce(op, x.view(), axis));
  };
}

function scanImpl(op: ScanOp): Impl<ScanOp> {
  return ([a], { axis }, fn) => {
    const x = a as Tensor;
    return fresh(fn, x, x.dtype, x.shape, (b) => b.scan(op, x.view(), axis));
  };
}

function sortImpl(op: SortOp): Impl<SortOp> {
  return ([a], { axis, descending, k }, fn) => {
    const x = a as Tensor;
    const shape = x.shape.map((d, i) => (i === axis ? k : d));
    return fresh(fn, x, op === "argsort" ? "int32" : x.dtype, shape, (b) => b.sort(op, x.view(), axis, descending, k));
  };
}

const IMPLS: { readonly [P in Primitive]: Impl<P> } = {
  neg: unaryImpl("neg"),
  abs: unaryImpl("abs"),
  sign: unaryImpl("sign"),
  floor: unaryImpl("floor"),
  ceil: unaryImpl("ceil"),
  round: unaryImpl("round"),
  trunc: unaryImpl("trunc"),
  sqrt: unaryImpl("sqrt"),
  exp: unaryImpl("exp"),
  log: unaryImpl("log"),
  log1p: unaryImpl("log1p"),
  expm1: unaryImpl("expm1"),
  sin: unaryImpl("sin"),
  cos: unaryImpl("cos"),
  tan: unaryImpl("tan"),
  tanh: unaryImpl("tanh"),
  sigmoid: unaryImpl("sigmoid"),
  erf: unaryImpl("erf"),
  asin: unaryImpl("asin"),
  acos: unaryImpl("acos"),
  atan: unaryImpl("atan"),
  sinh: unaryImpl("sinh"),
  cosh: unaryImpl("cosh"),
  asinh: unaryImpl("asinh"),
  acosh: unaryImpl("acosh"),
  atanh: unaryImpl("atanh"),
  log2: unaryImpl("log2"),
  exp2: unaryImpl("exp2"),
  logicalNot: unaryImpl("logicalNot", "bool"),
  isNaN: unaryImpl("isNaN", "bool"),
  isFinite: unaryImpl("isFinite", "bool"),
  isInf: unaryImpl("isInf", "bool"),
  add: binaryImpl("add"),
  sub: binaryImpl("sub"),
  mul: binaryImpl("mul"),
  div: binaryImpl("div"),
  pow: binaryImpl("pow"),
  mod: binaryImpl("mod"),
  maximum: binaryImpl("maximum"),
  minimum: binaryImpl("minimum"),
  atan2: binaryImpl("atan2"),
  hypot: binaryImpl("hypot"),
  logicalAnd: binaryImpl("logicalAnd", "bool"),
  logicalOr: binaryImpl("logicalOr", "bool"),
  logicalXor: binaryImpl("logicalXor", "bool"),
  equal: compareImpl("equal"),
  notEqual: compareImpl("notEqual"),
  less: compareImpl("less"),
  lessEqual: compareImpl("lessEqual"),
  greater: compareImpl("greater"),
  greaterEqual: compareImpl("greaterEqual"),
  sum: reduceImpl("sum"),
  prod: reduceImpl("prod"),
  max: reduceImpl("max"),
  min: reduceImpl("min"),
  argmax: argReduceImpl("argmax"),
  argmin: argReduceImpl("argmin"),
  cumsum: scanImpl("cumsum"),
  cumprod: scanImpl("cumprod"),
  sort: sortImpl("sort"),
  argsort: sortImpl("argsort"),
  where: ([c, a, b], _, fn) => {
    const x = a as Tensor;
    return fresh(fn, x, x.dtype, x.shape, (be) => be.where((c as Tensor).view(), x.view(), (b as Tensor).view()));
  },
  cast: ([a], { dtype }, fn) => {
    const x = a as Tensor;
    return fresh(fn, x, dtype, x.shape, (b) => b.cast(x.view(), dtype));
  },
  copy: ([a], _, fn) => {
    const x = a as Tensor;
    return fresh(fn, x, x.dtype, x.shape, (b) => b.copy(x.view()));
  },
  matmul: ([a, b], _, fn) => {
    const x = a as Tensor;
    const y = b as Tensor;
    const shape = [...x.shape.slice(0, -1), y.shape[y.ndim - 1] as number];
    return fresh(fn, x, x.dtype, shape, (be) => be.matmul(x.view(), y.view()));
  },
  gather: ([a, idx], { axis }, fn) => {
    const x = a as Tensor;
    const i = idx as Tensor;
    const shape = [...x.shape.slice(0, axis), ...i.shape, ...x.shape.slice(axis + 1)];
    return fresh(fn, x, x.dtype, shape, (b) => b.gather(x.view(), i.view(), axis));
  },
  scatterAdd: ([u, idx], { axis, shape }, fn) => {
    const x = u as Tensor;
    return fresh(fn, x, x.dtype, shape, (b) => b.scatterAdd(x.view(), (idx as Tensor).view(), axis, shape));
  },
  pad: ([a], { widths, value }, fn) => {
    const x = a as Tensor;
    const shape = x.shape.map((n, i) => {
      const w = widths[i] as PadWidth;
      return w.lo + w.hi + n + Math.max(n - 1, 0) * w.interior;
    });
    return fresh(fn, x, x.dtype, shape, (b) => b.pad(x.view(), widths, value));
  },
  concat: (xs, { axis }, fn) => {
    const first = xs[0] as Tensor;
    const shape = [...first.shape];
    shape[axis] = xs.reduce((s, t) => s + (t.shape[axis] as number), 0);
    return fresh(fn, first, first.dtype, shape, (b) => b.concat(xs.map((t) => t.view()), axis));
  },
  reshape: ([a], { shape }, fn) => {
    const x = a as Tensor;
    const strides = reshapeStrides(x.shape, x.strides, shape);
    if (strides) return viewOf(x, shape, strides, x.offset);
    const copied = fresh(fn, x, x.dtype, x.shape, (b) => b.copy(x.view()));
    const out = viewOf(copied, shape, contiguousStrides(shape), 0);
    copied.dispose();
    return out;
  },
  transpose: ([a], { perm }) => {
    const x = a as Tensor;
    return viewOf(x, perm.map((p) => x.shape[p] as number), perm.map((p) => x.strides[p] as number), x.offset);
  },
  broadcastTo: ([a], { shape }) => {
    const x = a as Tensor;
    const lead = shape.length - x.ndim;
    const strides = shape.map((d, i) => {
      if (i < lead) return 0;
      return x.shape[i - lead] === 1 && d !== 1 ? 0 : (x.strides[i - lead] as number);
    });
    return viewOf(x, shape, strides, x.offset);
  },
  slice: ([a], { starts, steps, shape }) => {
    const x = a as Tensor;
    let offset = x.offset;
    const strides = x.strides.map((s, i) => {
      if ((shape[i] as number) > 0) offset += (starts[i] as number) * s;
      return s * (steps[i] as number);
    });
    return viewOf(x, shape, strides, offset);
  },
};

/**
 * `bind(prim, inputs, params)` executes one primitive on the inputs' backend
 * and reports it to every installed tracer. Public ops call it after
 * validating; it only checks that the inputs' backend can hold the result
 * (its dtype is stored and its size within `maxElements`), reporting a
 * failure under the outermost public op in progress.
 */
export function bind<P extends Primitive>(prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P]): Tensor {
  const out = (IMPLS[prim] as Impl<P>)(inputs, params, `nx.${prim}`);
  for (const t of tracers) t.record(prim, inputs, params, out);
  return out;
}

/** `isHeld(t)` is true when an installed tracer {@link Tracer.holds holds} `t`. */
export function isHeld(t: Tensor): boolean {
  return tracers.some((tr) => tr.holds?.(t) === true);
}

/** `isTracing()` is true while at least one tracer is installed (ops may then skip fused fast paths). */
export function isTracing(): boolean {
  return tracers.length > 0;
}

/** Every primitive name, for exhaustive tables and coverage checks. */
export const PRIMITIVES = Object.keys(IMPLS) as Primitive[];
