// Argument and option types across the whole public surface of nx: for every
// exported function, calls with arguments of the wrong type (strings for
// numbers, null for arrays or options, unknown option names, `keepdims:
// "false"`, ...) throw InvalidArgumentError naming that function and leave no
// tensor behind, instead of a TypeError from inside, a silent default or a
// wrong result. A final test fails when an export is missing from the table.
import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import { expectInvalid } from "../src/testing/index.js";

/** Casts a deliberately wrong value to the type a parameter expects. */
const bad = <T>(v: unknown): T => v as T;

const x = nx.ones([2, 3]);
const v = nx.ones([3]);
const idx = nx.tensor([0, 1], { dtype: "int32" });
const k = nx.random.key(0);
const s0 = nx.scalar(1);
const empty = nx.zeros([2, 0]);
const cycle: unknown[] = [];
cycle.push(cycle);
const deep = (depth: number): unknown => {
  let t: unknown = x;
  for (let i = 0; i < depth; i++) t = [t];
  return t;
};

type Calls = readonly (() => unknown)[];

const unaryCalls = (f: (t: nx.Tensor) => nx.Tensor): Calls => [
  () => f(bad(null)),
  () => f(bad(undefined)),
  () => f(bad("1")),
  () => f(bad([1, 2])),
  () => f(bad({ shape: [2] })),
];
const binaryCalls = (f: (a: nx.TensorLike, b: nx.TensorLike) => nx.Tensor): Calls => [
  () => f(x, bad("1")),
  () => f(x, bad(null)),
  () => f(bad(undefined), x),
  () => f(x, bad([1, 2, 3])),
  () => f(x, bad(1n)),
];
const reduceCalls = (f: (t: nx.Tensor, o?: nx.MomentOptions) => nx.Tensor): Calls => [
  () => f(bad(null)),
  () => f(x, bad(null)),
  () => f(x, bad("axes")),
  () => f(x, bad({ keepdims: "false" })),
  () => f(x, bad({ keepdims: 0 })),
  () => f(x, bad({ axes: "1" })),
  () => f(x, bad({ axes: [0.5] })),
  () => f(x, bad({ axis: 1 })), // a typo of `axes`
];
const argCalls = (f: (t: nx.Tensor, o?: nx.ArgReduceOptions) => nx.Tensor): Calls => [
  () => f(bad("x")),
  () => f(x, bad(null)),
  () => f(x, bad({ axis: "0" })),
  () => f(x, bad({ keepdims: "true" })),
  () => f(x, bad({ axes: 0 })),
];

/** The bad calls of each exported function, keyed by its path below `nx`. */
const BAD_CALLS: Readonly<Record<string, Calls>> = {
  cpuBackend: [
    () => nx.cpuBackend(bad(null)),
    () => nx.cpuBackend(bad("simd")),
    () => nx.cpuBackend(bad({ simd: "yes" })),
    () => nx.cpuBackend(bad({ threads: -1 })),
    () => nx.cpuBackend(bad({ threads: 1.5 })),
    () => nx.cpuBackend(bad({ threads: "2" })),
    () => nx.cpuBackend({ threads: 65 }),
    () => nx.cpuBackend(bad({ thread: 2 })),
  ],
  // elementwise
  ...Object.fromEntries(
    ([
      "abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh", "erf", "exp", "exp2", "expm1", "floor", "isFinite", "isInf", "isNaN",
      "log", "log1p", "log2", "logicalNot", "neg", "round", "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "square", "tan", "tanh", "trunc",
    ] as const).map(
      (n) => [n, unaryCalls(nx[n])],
    ),
  ),
  ...Object.fromEntries(
    ([
      "add", "atan2", "div", "equal", "greater", "greaterEqual", "hypot", "less", "lessEqual", "logicalAnd", "logicalOr", "logicalXor", "maximum", "minimum",
      "mod", "mul", "notEqual", "pow", "sub",
    ] as const).map(
      (n) => [n, binaryCalls(nx[n])],
    ),
  ),
  where: [() => nx.where(bad("yes"), x, 0), () => nx.where(x, bad(null), 0), () => nx.where(x, 1, bad({}))],
  clip: [() => nx.clip(bad(undefined), 0, 1), () => nx.clip(x, bad("0"), 1), () => nx.clip(x, 0, bad(null))],
  // reductions
  ...Object.fromEntries((["sum", "prod", "max", "min", "mean", "logsumexp", "all", "any"] as const).map((n) => [n, reduceCalls(nx[n])])),
  ...Object.fromEntries(
    (["var", "variance", "std"] as const).map((n) => [n, [...reduceCalls(nx[n]), () => nx[n](x, bad({ ddof: "1" })), () => nx[n](x, { ddof: -1 })]]),
  ),
  argmax: argCalls(nx.argmax),
  argmin: argCalls(nx.argmin),
  ...Object.fromEntries(
    (["cumsum", "cumprod"] as const).map((n) => [n, [() => nx[n](bad(1)), () => nx[n](x, bad(null)), () => nx[n](x, bad({ axis: "0" })), () => nx[n](x, bad({ axes: 0 }))]]),
  ),
  ...Object.fromEntries(
    (["softmax", "logSoftmax"] as const).map((n) => [n, [() => nx[n](bad(null)), () => nx[n](x, bad(null)), () => nx[n](x, bad({ axes: "1" })), () => nx[n](x, bad({ axis: 1 }))]]),
  ),
  // sorting
  ...Object.fromEntries(
    (["sort", "argsort"] as const).map((n) => [
      n,
      [
        () => nx[n](bad(null)),
        () => nx[n](s0),
        () => nx[n](x, bad(null)),
        () => nx[n](x, bad({ axis: "0" })),
        () => nx[n](x, { axis: 2 }),
        () => nx[n](x, bad({ descending: "yes" })),
        () => nx[n](x, bad({ axes: 0 })),
      ],
    ]),
  ),
  topk: [
    () => nx.topk(bad(null), 1),
    () => nx.topk(s0, 1),
    () => nx.topk(x, bad("2")),
    () => nx.topk(x, 4),
    () => nx.topk(x, -1),
    () => nx.topk(x, 1.5),
    () => nx.topk(x, 1, bad({ axis: "0" })),
    () => nx.topk(x, 1, bad({ k: 1 })),
    () => nx.topk(x, 1, bad(null)),
  ],
  // movement
  swapaxes: [() => nx.swapaxes(bad(null), 0, 1), () => nx.swapaxes(x, bad("0"), 1), () => nx.swapaxes(x, 0, 2), () => nx.swapaxes(x, 0.5, 1)],
  moveaxis: [
    () => nx.moveaxis(bad(null), 0, 1),
    () => nx.moveaxis(x, bad("0"), 1),
    () => nx.moveaxis(x, bad(null), 0),
    () => nx.moveaxis(x, [0, 1], [0]),
    () => nx.moveaxis(x, [0, 0], [0, 1]),
    () => nx.moveaxis(x, 0, 2),
    () => nx.moveaxis(x, [0, bad<number>("1")], [1, 0]),
  ],
  roll: [
    () => nx.roll(bad(null), 1),
    () => nx.roll(x, bad("1")),
    () => nx.roll(x, 1.5),
    () => nx.roll(x, bad([1, "2"])),
    () => nx.roll(x, 1, bad({ axis: "0" })),
    () => nx.roll(x, 1, { axis: 2 }),
    () => nx.roll(x, [1, 2, 3], { axis: [0, 1] }),
    () => nx.roll(x, 1, bad({ axes: 0 })),
    () => nx.roll(x, 1, bad(null)),
  ],
  reshape: [() => nx.reshape(x, bad("3,2")), () => nx.reshape(x, bad(null)), () => nx.reshape(x, bad([3, "2"])), () => nx.reshape(x, [1.5, 4]), () => nx.reshape(bad([1]), [1])],
  transpose: [() => nx.transpose(x, bad("10")), () => nx.transpose(x, bad(null)), () => nx.transpose(x, bad([0, "1"])), () => nx.transpose(x, bad({ 0: 1, 1: 0, length: 2 }))],
  expandDims: [() => nx.expandDims(x, bad(null)), () => nx.expandDims(x, bad("0")), () => nx.expandDims(x, [0.5]), () => nx.expandDims(x, bad(undefined))],
  squeeze: [() => nx.squeeze(x, bad(null)), () => nx.squeeze(x, bad("0")), () => nx.squeeze(x, [true as unknown as number])],
  broadcastTo: [() => nx.broadcastTo(x, bad(null)), () => nx.broadcastTo(x, bad("2,3")), () => nx.broadcastTo(x, bad([2, "3"]))],
  slice: [
    () => nx.slice(x, bad(["1"])),
    () => nx.slice(x, bad("0")),
    () => nx.slice(x, bad([{ start: "1" }])),
    () => nx.slice(x, bad([{ begin: 1 }])),
    () => nx.slice(x, bad([[0, 1]])),
    () => nx.slice(x, bad([true])),
    () => nx.slice(x, bad([{ step: 0.5 }])),
  ],
  flip: [() => nx.flip(x, bad("0")), () => nx.flip(x, bad(null)), () => nx.flip(bad(null))],
  contiguous: [() => nx.contiguous(bad({}))],
  concatenate: [() => nx.concatenate(bad(null)), () => nx.concatenate(bad("ab")), () => nx.concatenate(bad([x, null])), () => nx.concatenate([x], bad(null)), () => nx.concatenate([x], bad({ axis: "0" }))],
  stack: [() => nx.stack(bad(x)), () => nx.stack(bad([x, 1])), () => nx.stack([x], bad({ axis: "0" })), () => nx.stack([x], bad({ axes: 0 }))],
  split: [() => nx.split(x, bad("2")), () => nx.split(x, bad(null)), () => nx.split(x, bad([1, "2"])), () => nx.split(x, 2, bad({ axis: "0" })), () => nx.split(x, 2, bad(null))],
  pad: [() => nx.pad(x, bad(null)), () => nx.pad(x, bad("1")), () => nx.pad(x, bad([[1]])), () => nx.pad(x, bad([1, "1"])), () => nx.pad(x, 1, bad({ value: "0" })), () => nx.pad(x, 1, bad({ mode: "edge" }))],
  tile: [() => nx.tile(x, bad("2")), () => nx.tile(x, bad(null)), () => nx.tile(x, bad([2, "2"])), () => nx.tile(x, new Array<number>(65).fill(1))],
  repeat: [() => nx.repeat(x, bad("2")), () => nx.repeat(x, bad(null)), () => nx.repeat(x, 2, bad({ axis: "0" })), () => nx.repeat(v, bad([1, 2, "3"]), { axis: 0 })],
  tril: [() => nx.tril(x, bad("1")), () => nx.tril(x, 0.5), () => nx.tril(bad(null))],
  triu: [() => nx.triu(x, bad(null)), () => nx.triu(bad("x"))],
  // linear algebra and indexing
  matmul: [() => nx.matmul(x, bad(null)), () => nx.matmul(bad("a"), x), () => nx.matmul(x, bad([[1]]))],
  einsum: [
    () => nx.einsum(bad(1), x),
    () => nx.einsum("ij"),
    () => nx.einsum("ij", bad(null)),
    () => nx.einsum("ij,jk", x),
    () => nx.einsum("i", x),
    () => nx.einsum("ijk", x),
    () => nx.einsum("ij->k", x),
    () => nx.einsum("ij->ii", x),
    () => nx.einsum("i.j", x),
    () => nx.einsum("i...j...", x),
    () => nx.einsum("1j", x),
    () => nx.einsum("ij->i->j", x),
    () => nx.einsum("ij,jk->ik", x, x),
    () => nx.einsum("ii", x),
    () => nx.einsum("i...->i", x),
  ],
  take: [() => nx.take(x, bad([0])), () => nx.take(x, idx, bad({ axis: "0" })), () => nx.take(x, idx, bad(null)), () => nx.take(bad(null), idx)],
  takeAlongAxis: [() => nx.takeAlongAxis(x, idx, bad(null)), () => nx.takeAlongAxis(x, idx, bad({})), () => nx.takeAlongAxis(x, idx, bad({ axis: "0" }))],
  oneHot: [() => nx.oneHot(idx, bad("3")), () => nx.oneHot(idx, 3, bad({ dtype: 1 })), () => nx.oneHot(idx, 3, bad(null)), () => nx.oneHot(bad([0]), 3), () => nx.oneHot(idx, 3, bad({ depth: 3 }))],
  // memory
  cast: [() => nx.cast(x, bad(null)), () => nx.cast(x, bad(1)), () => nx.cast(bad(1), "int32")],
  dispose: [() => nx.dispose(cycle), () => nx.dispose(deep(1001))],
  toBackend: [() => nx.toBackend(x, bad(null)), () => nx.toBackend(x, bad(1)), () => nx.toBackend(x, "nope"), () => nx.toBackend(bad(null), "cpu")],
  tidy: [() => nx.tidy(bad(null)), () => nx.tidy(bad("f")), () => nx.tidy(() => Promise.resolve(1))],
  keep: [() => nx.keep(bad(null)), () => nx.keep(bad([x]))],
  runOp: [() => nx.runOp(bad(null), () => 1), () => nx.runOp("lib.f", bad(1))],
  // creation
  tensor: [() => nx.tensor(bad("1")), () => nx.tensor(bad(null)), () => nx.tensor([1], bad(null)), () => nx.tensor([1], bad({ shape: "1" })), () => nx.tensor([1], bad({ dtype: 1 })), () => nx.tensor([1], bad({ device: "gpu" })), () => nx.tensor(bad({ length: 2 }))],
  scalar: [() => nx.scalar(bad("1")), () => nx.scalar(1, bad(1)), () => nx.scalar(1, bad(null)), () => nx.scalar(bad(null))],
  zeros: [() => nx.zeros(bad(null)), () => nx.zeros(bad("2")), () => nx.zeros([2], bad(1)), () => nx.zeros([2], bad(null)), () => nx.zeros([2], bad({ shape: [3] }))],
  ones: [() => nx.ones(bad(2)), () => nx.ones([2], bad("f32")), () => nx.ones([2], bad([]))],
  full: [() => nx.full([2], bad("1")), () => nx.full([2], 1, bad({ dtype: "x" })), () => nx.full(bad(undefined), 1), () => nx.full([2], bad(null))],
  fullLike: [() => nx.fullLike(bad(null), 1), () => nx.fullLike(x, bad("1")), () => nx.fullLike(x, 1, bad(1))],
  zerosLike: [() => nx.zerosLike(bad([1])), () => nx.zerosLike(x, bad("x"))],
  onesLike: [() => nx.onesLike(bad(undefined)), () => nx.onesLike(x, bad(1))],
  arange: [() => nx.arange(bad("3")), () => nx.arange(0, bad("3")), () => nx.arange(0, 3, bad("1")), () => nx.arange(3, undefined, 1, bad(null)), () => nx.arange(0, 3, 1, bad({ dtype: 1 }))],
  linspace: [() => nx.linspace(bad("0"), 1, 3), () => nx.linspace(0, 1, bad("3")), () => nx.linspace(0, 1, 3, bad({ endpoint: "yes" })), () => nx.linspace(0, 1, 3, bad(null))],
  eye: [() => nx.eye(bad("2")), () => nx.eye(2, bad("2")), () => nx.eye(2, 2, bad({ k: "1" })), () => nx.eye(2, 2, bad(null))],
  // backends and dtypes
  setBackend: [() => nx.setBackend(bad({})), () => nx.setBackend(bad(null)), () => nx.setBackend(bad(1))],
  registerBackend: [() => nx.registerBackend("x", bad(null)), () => nx.registerBackend(bad(null), () => nx.getBackend())],
  checkAllocation: [() => nx.checkAllocation(bad(null), [1], "float32"), () => nx.checkAllocation(bad(7), [1], "float32")],
  promoteTypes: [() => nx.promoteTypes(bad("x"), "float32"), () => nx.promoteTypes("int32", bad(null))],
  // random
  "random.Key": [() => new nx.random.Key(bad("ab")), () => new nx.random.Key(bad([1, "2"]))],
  "random.key": [() => nx.random.key(bad("0")), () => nx.random.key(bad(null)), () => nx.random.key(0.5)],
  "random.split": [() => nx.random.split(k, bad("2")), () => nx.random.split(bad([0, 0])), () => nx.random.split(k, 2 ** 31)],
  "random.foldIn": [() => nx.random.foldIn(k, bad("1")), () => nx.random.foldIn(bad(null), 1)],
  "random.uniform": [() => nx.random.uniform(k, bad("2")), () => nx.random.uniform(k, [2], "float32", bad({ minval: "0" })), () => nx.random.uniform(k, [2], "float32", bad(null)), () => nx.random.uniform(k, [2], "float32", bad({ low: 0 }))],
  "random.normal": [() => nx.random.normal(k, bad(null)), () => nx.random.normal(k, [2], bad(1)), () => nx.random.normal(bad(0), [2])],
  "random.truncatedNormal": [() => nx.random.truncatedNormal(k, [2], "float32", bad({ lower: "x" })), () => nx.random.truncatedNormal(k, [2], "float32", bad(null))],
  "random.bernoulli": [() => nx.random.bernoulli(k, bad("0.5")), () => nx.random.bernoulli(k, 0.5, bad("2")), () => nx.random.bernoulli(k, bad(null))],
  "random.randint": [() => nx.random.randint(k, [2], bad("0"), 5), () => nx.random.randint(k, bad(null), 0, 5), () => nx.random.randint(k, [2], 0, 5, bad("int8"))],
  "random.permutation": [
    () => nx.random.permutation(k, bad("3")),
    () => nx.random.permutation(k, bad(null)),
    () => nx.random.permutation(bad(1), 3),
    () => nx.random.permutation(k, 3, { axis: 0 }),
    () => nx.random.permutation(k, x, bad({ axis: "1" })),
    () => nx.random.permutation(k, x, { axis: 2 }),
  ],
  "random.shuffle": [
    () => nx.random.shuffle(bad(1), x),
    () => nx.random.shuffle(k, bad(null)),
    () => nx.random.shuffle(k, bad(3)),
    () => nx.random.shuffle(k, s0),
    () => nx.random.shuffle(k, x, bad({ axis: "0" })),
    () => nx.random.shuffle(k, x, { axis: -3 }),
    () => nx.random.shuffle(k, x, bad({ axes: 0 })),
  ],
  "random.categorical": [
    () => nx.random.categorical(bad(0), x),
    () => nx.random.categorical(k, bad(null)),
    () => nx.random.categorical(k, s0),
    () => nx.random.categorical(k, empty),
    () => nx.random.categorical(k, x, bad({ axis: "0" })),
    () => nx.random.categorical(k, x, { axis: 2 }),
    () => nx.random.categorical(k, x, bad({ shape: "2" })),
    () => nx.random.categorical(k, x, { shape: [3] }),
    () => nx.random.categorical(k, x, { shape: [] }),
    () => nx.random.categorical(k, x, bad({ axes: 0 })),
  ],
  // pytrees
  "tree.leaves": [() => nx.tree.leaves(bad(cycle)), () => nx.tree.leaves(bad(deep(1001)))],
  "tree.flatten": [() => nx.tree.flatten(bad(cycle)), () => nx.tree.flatten(bad(deep(1001)))],
  "tree.flattenWithPaths": [() => nx.tree.flattenWithPaths(bad(cycle))],
  "tree.unflatten": [() => nx.tree.unflatten(bad(null), []), () => nx.tree.unflatten(bad({ kind: "tuple" }), []), () => nx.tree.unflatten(bad({ kind: "array", children: [null] }), []), () => nx.tree.unflatten(nx.tree.flatten([x])[1], bad(null))],
  "tree.map": [() => nx.tree.map(bad<(t: nx.Tensor) => nx.Tensor>(null), [x]), () => nx.tree.map((t) => t, bad(cycle)), () => nx.tree.map((t) => t, bad(deep(1001)))],
  "tree.map2": [() => nx.tree.map2(bad<(a: nx.Tensor, b: nx.Tensor) => nx.Tensor>("f"), [x], [x]), () => nx.tree.map2((a) => a, [x], [x, x])],
};

/** Exports that take no arguments, or only values the frontend or a backend has already validated (documented as such). */
const NOT_ARGUMENT_CHECKED: Readonly<Record<string, string>> = {
  getBackend: "no arguments",
  listBackends: "no arguments",
  memory: "no arguments",
  isTensor: "a predicate: any value is accepted",
  isFloat: "a predicate: any value is accepted",
  "random.isKey": "a predicate: any value is accepted",
  fmtShape: "formats any value, bounded",
  fmtValue: "formats any value, bounded",
  broadcastShapes: "a shape helper for frontends: takes validated shapes",
  broadcastsTo: "a shape helper for frontends: takes validated shapes",
  contiguousStrides: "a shape helper for frontends and backends: takes a validated shape",
  isContiguous: "a shape helper for frontends and backends: takes a validated shape",
  shapesEqual: "a shape helper for frontends: takes validated shapes",
  sizeOf: "a shape helper for frontends and backends: takes a validated shape",
  checkSameBackend: "a check for frontends: takes live tensors",
  checkOptions: "an argument check for libraries: reports under the caller's name",
  checkBool: "an argument check for libraries: reports under the caller's name",
  checkInteger: "an argument check for libraries: reports under the caller's name",
  checkIntegers: "an argument check for libraries: reports under the caller's name",
  checkFinite: "an argument check for libraries: reports under the caller's name",
  checkFunction: "an argument check for libraries: reports under the caller's name",
  InvalidArgumentError: "the error class",
  Tensor: "internal constructor: tensors come from the creation ops",
  CpuBackend: "a backend: its methods receive what the frontend validated (backend.ts)",
  WasmCpuBackend: "a backend: made by cpuBackend(), its methods receive what the frontend validated (backend.ts)",
};

/** Every exported function, as paths below `nx` (`"add"`, `"random.uniform"`, `"tree.map"`). */
function exportedFunctions(): string[] {
  const out: string[] = [];
  const visit = (ns: Record<string, unknown>, prefix: string): void => {
    for (const [name, value] of Object.entries(ns)) {
      if (typeof value === "function") out.push(prefix + name);
      else if (name === "random" || name === "tree") visit(value as Record<string, unknown>, `${name}.`);
    }
  };
  visit(nx as unknown as Record<string, unknown>, "");
  return out.sort();
}

/** The name an export's errors start with: `nx.<path>`, except `var`, whose errors say `nx.var`, as the user calls it. */
const errorName = (path: string): string => (path === "variance" ? "nx.var" : path === "random.Key" ? "nx.random.Key" : `nx.${path}`);

describe("bad argument types across every export", () => {
  for (const [path, calls] of Object.entries(BAD_CALLS)) {
    it(`${path} rejects each with InvalidArgumentError naming ${errorName(path)}`, () => {
      calls.forEach((call, i) => {
        try {
          expectInvalid(errorName(path), call);
        } catch (e) {
          throw new Error(`bad call ${i} of ${path}: ${(e as Error).message}`);
        }
      });
    });
  }

  it("covers every exported function (new exports join the table or say why not)", () => {
    const listed = new Set([...Object.keys(BAD_CALLS), ...Object.keys(NOT_ARGUMENT_CHECKED)]);
    expect(exportedFunctions().filter((p) => !listed.has(p))).toEqual([]);
    expect([...listed].filter((p) => !exportedFunctions().includes(p))).toEqual([]);
  });
});
