import * as nx from "@raven-ts/nx";
import { describe, expect, test } from "vitest";
import type { Initializer, Vars } from "../src/index.js";
import { Context, Layer, Ptree, Rng } from "../src/index.js";
import { erf, expectClose, stats, values } from "./helpers.js";

/** An initialiser returning fixed values (for hand-checked layers). */
const fixed = (data: number[]): Initializer => (shape, dtype) => nx.tensor(data, { dtype, shape });

const params = (v: Vars): Record<string, nx.Tensor> => v.params as Record<string, nx.Tensor>;

describe("Layer.linear", () => {
  const layer = Layer.linear({ inFeatures: 3, outFeatures: 2, weightInit: fixed([1, 2, 3, 4, 5, 6]), biasInit: fixed([0.5, -1]) });
  const vars = Layer.init(layer);

  test("params weight [in, out] and bias [out]", () => {
    expect(Object.keys(vars.params as object)).toEqual(["weight", "bias"]);
    expect(params(vars).weight?.shape).toEqual([3, 2]);
    expect(params(vars).bias?.shape).toEqual([2]);
    expect(vars.dtype).toBe("float32");
    expect(vars.state).toEqual({});
  });

  test("y = x W + b on the last axis, any leading axes", () => {
    const x = [
      [1, 0, -1],
      [2, 1, 0.5],
    ];
    const W = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const b = [0.5, -1];
    const expected = x.map((r) => [0, 1].map((j) => r.reduce((a, xi, i) => a + xi * (W[i] as number[])[j]!, 0) + b[j]!));
    const [y, next] = Layer.apply(layer, vars, nx.tensor(x), { training: false });
    expectClose(y, expected.flat());
    expect(next.params).toBe(vars.params);
    const [y3] = Layer.apply(layer, vars, nx.tensor([x]), { training: false });
    expect(y3.shape).toEqual([1, 2, 2]);
    expectClose(y3, expected.flat());
  });

  test("defaults: glorot-uniform weight, zero bias", () => {
    const v = Rng.run(0, () => Layer.init(Layer.linear({ inFeatures: 50, outFeatures: 30 })));
    const w = values(params(v).weight as nx.Tensor);
    const limit = Math.sqrt(6 / 80);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    expect(values(params(v).bias as nx.Tensor).every((e) => e === 0)).toBe(true);
  });

  test("rejects an input whose dtype differs from the model's, and a wrong last axis", () => {
    expect(() => Layer.apply(layer, vars, nx.ones([2, 3], "float64"), { training: false })).toThrow(
      'kaun.Layer.linear: input dtype float64 [2,3] differs from the model dtype float32; cast the input with nx.cast(x, "float32") or initialise the model with { dtype: "float64" }',
    );
    expect(() => Layer.apply(layer, vars, nx.ones([2, 4]), { training: false })).toThrow("kaun.Layer.linear: input of shape [2,4] must have a last axis of size inFeatures = 3");
    expect(() => Layer.linear({ inFeatures: 0, outFeatures: 2 })).toThrow("kaun.Layer.linear: inFeatures must be a positive integer, got 0");
    expect(() => Layer.apply(layer, { ...vars, params: { weight: params(vars).weight as nx.Tensor } }, nx.ones([1, 3]), { training: false })).toThrow(
      'kaun.Layer.linear: params has no entry "bias"',
    );
  });

  test("float64 models", () => {
    const v64 = Layer.init(layer, { dtype: "float64" });
    expect(params(v64).weight?.dtype).toBe("float64");
    const [y] = Layer.apply(layer, v64, nx.tensor([[1, 1, 1]], { dtype: "float64" }), { training: false });
    expect(values(y)).toEqual([9.5, 11]);
  });
});

describe("normalisation layers", () => {
  const rows = [
    [0, 2],
    [1, 5],
  ];

  test("layerNorm: params gamma/beta, eps defaults to 1e-5", () => {
    const layer = Layer.layerNorm({ dim: 2 });
    const vars = Layer.init(layer, { dtype: "float64" });
    expect(Object.keys(vars.params as object)).toEqual(["gamma", "beta"]);
    expect(values(params(vars).gamma as nx.Tensor)).toEqual([1, 1]);
    expect(values(params(vars).beta as nx.Tensor)).toEqual([0, 0]);
    const [y] = Layer.apply(layer, vars, nx.tensor(rows, { dtype: "float64" }), { training: false });
    // Each row has variance (d/2)² and mean in the middle: outputs ∓ (d/2) / sqrt((d/2)² + 1e-5).
    const e = (h: number): number => h / Math.sqrt(h * h + 1e-5);
    expectClose(y, [-e(1), e(1), -e(2), e(2)], 1e-13, 0);
    const trained: Vars = { ...vars, params: { gamma: nx.tensor([2, 3], { dtype: "float64" }), beta: nx.tensor([1, -1], { dtype: "float64" }) } };
    const [y2] = Layer.apply(Layer.layerNorm({ dim: 2, eps: 0 }), trained, nx.tensor(rows, { dtype: "float64" }), { training: false });
    expectClose(y2, [-1, 2, -1, 2], 1e-13, 0);
  });

  test("rmsNorm: param scale, eps defaults to 1e-6", () => {
    const layer = Layer.rmsNorm({ dim: 2 });
    const vars = Layer.init(layer, { dtype: "float64" });
    expect(Object.keys(vars.params as object)).toEqual(["scale"]);
    const [y] = Layer.apply(layer, vars, nx.tensor(rows, { dtype: "float64" }), { training: false });
    const ref = rows.flatMap((r) => {
      const ms = (r[0]! ** 2 + r[1]! ** 2) / 2;
      return r.map((c) => c / Math.sqrt(ms + 1e-6));
    });
    expectClose(y, ref, 1e-13, 0);
    const [y2] = Layer.apply(layer, { ...vars, params: { scale: nx.tensor([2, -1], { dtype: "float64" }) } }, nx.tensor(rows, { dtype: "float64" }), { training: false });
    expectClose(y2, ref.map((c, i) => c * (i % 2 === 0 ? 2 : -1)), 1e-13, 0);
  });

  test("errors", () => {
    const v = Layer.init(Layer.layerNorm({ dim: 3 }));
    expect(() => Layer.apply(Layer.layerNorm({ dim: 3 }), v, nx.ones([2, 2]), { training: false })).toThrow("input of shape [2,2] must have a last axis of size dim = 3");
    expect(() => Layer.rmsNorm({ dim: 2, eps: -1 })).toThrow("kaun.Layer.rmsNorm: eps must be a finite non-negative number, got -1");
  });
});

describe("Layer.embedding", () => {
  test("param embedding [vocab, dim] from N(0, 0.02²); int32 in; scaled by sqrt(dim) by default", () => {
    const layer = Layer.embedding({ vocabSize: 500, embedDim: 40 });
    const vars = Rng.run(0, () => Layer.init(layer));
    const table = params(vars).embedding as nx.Tensor;
    expect(table.shape).toEqual([500, 40]);
    const s = stats(values(table));
    expect(s.std).toBeGreaterThan(0.0195);
    expect(s.std).toBeLessThan(0.0205);
    const rowsOf = (id: number): number[] => values(table).slice(id * 40, id * 40 + 40);
    const [y] = Layer.apply(layer, vars, nx.tensor([[3, 7]], { dtype: "int32" }), { training: false });
    expect(y.shape).toEqual([1, 2, 40]);
    expectClose(y, [...rowsOf(3), ...rowsOf(7)].map((e) => e * Math.sqrt(40)));
  });

  test("scale: false returns the rows; a float input is rejected", () => {
    const layer = Layer.embedding({ vocabSize: 3, embedDim: 2, scale: false });
    const vars: Vars = { params: { embedding: nx.tensor([[0, 1], [2, 3], [4, 5]]) }, state: {}, dtype: "float32" };
    expect(values(Layer.apply(layer, vars, nx.tensor([2, 0], { dtype: "int32" }), { training: false })[0])).toEqual([4, 5, 0, 1]);
    expect(() => Layer.apply(layer, vars, nx.tensor([2, 0]), { training: false })).toThrow("kaun.Layer.embedding: input must be int32 token ids, got float32 [2]");
    expect(() => Layer.apply(layer, vars, nx.tensor([3], { dtype: "int32" }), { training: false })).toThrow(/index 3 at flat position 0 .* out of range for a vocabulary of 3/);
  });
});

describe("Layer.dropout", () => {
  const layer = Layer.dropout({ rate: 0.5 });
  const vars = Layer.init(layer);
  const x = nx.ones([10000]);

  test("identity when not training", () => {
    const [y] = Layer.apply(layer, vars, x, { training: false });
    expect(y).toBe(x);
  });

  test("inverted dropout when training, reproducible under a seed", () => {
    const run = (): number[] => values(Rng.run(1, () => Layer.apply(layer, vars, x, { training: true })[0]));
    const y = run();
    expect(new Set(y)).toEqual(new Set([0, 2]));
    const kept = y.filter((e) => e === 2).length / y.length;
    expect(kept).toBeGreaterThan(0.48);
    expect(kept).toBeLessThan(0.52);
    expect(run()).toEqual(y);
  });

  test("rate outside [0, 1) is rejected", () => {
    expect(() => Layer.dropout({ rate: 1 })).toThrow("kaun.Layer.dropout: rate must be a number in [0, 1), got 1");
    expect(() => Layer.dropout({ rate: -0.1 })).toThrow(/got -0\.1/);
  });
});

describe("parameterless layers", () => {
  const xs = [-2, -0.5, 0, 0.5, 3];
  const x = nx.tensor(xs);
  const run = (l: Layer): number[] => values(Layer.apply(l, Layer.init(l), x, { training: false })[0]);

  test("activations on values", () => {
    expectClose(run(Layer.relu()), [0, 0, 0, 0.5, 3]);
    expectClose(run(Layer.gelu()), xs.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))));
    expectClose(run(Layer.silu()), xs.map((v) => v / (1 + Math.exp(-v))));
    expectClose(run(Layer.tanh()), xs.map(Math.tanh));
    expectClose(run(Layer.sigmoid()), xs.map((v) => 1 / (1 + Math.exp(-v))));
    for (const l of [Layer.relu(), Layer.gelu(), Layer.silu(), Layer.tanh(), Layer.sigmoid(), Layer.flatten()]) {
      expect(Ptree.countParameters(Layer.init(l).params)).toBe(0);
    }
  });

  test("flatten keeps the batch axis", () => {
    const l = Layer.flatten();
    const t = nx.arange(24, undefined, 1, { dtype: "float32" });
    const [y] = Layer.apply(l, Layer.init(l), nx.reshape(t, [2, 3, 4]), { training: false });
    expect(y.shape).toEqual([2, 12]);
    expect(values(y)).toEqual(values(t));
    expect(Layer.apply(l, Layer.init(l), nx.ones([5]), { training: false })[0].shape).toEqual([5, 1]);
    expect(() => Layer.apply(l, Layer.init(l), nx.scalar(1), { training: false })).toThrow("kaun.Layer.flatten: input must have a batch axis, got shape []");
  });

  test("they reject other dtypes", () => {
    const l = Layer.relu();
    expect(() => Layer.apply(l, Layer.init(l, { dtype: "float64" }), x, { training: false })).toThrow(/kaun\.Layer\.relu: input dtype float32 \[5\] differs from the model dtype float64/);
  });
});

describe("composition", () => {
  const mlp = (n: number): Layer =>
    Layer.sequential(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? Layer.linear({ inFeatures: 4, outFeatures: 4 }) : Layer.dropout({ rate: 0.5 }))));

  test("sequential params are a list, compose params are { left, right }", () => {
    const seq = Layer.sequential([Layer.linear({ inFeatures: 2, outFeatures: 3 }), Layer.relu(), Layer.linear({ inFeatures: 3, outFeatures: 1 })]);
    const v = Rng.run(0, () => Layer.init(seq));
    expect(Ptree.flattenWithPaths(v.params).map(([p]) => p)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(v.state).toEqual([{}, {}, {}]);
    const comp = Layer.compose(Layer.embedding({ vocabSize: 5, embedDim: 3 }), Layer.linear({ inFeatures: 3, outFeatures: 2 }));
    const cv = Rng.run(0, () => Layer.init(comp));
    expect(Ptree.flattenWithPaths(cv.params).map(([p]) => p)).toEqual(["left.embedding", "right.weight", "right.bias"]);
    expect(cv.state).toEqual({ left: {}, right: {} });
  });

  test("sequential and compose compute the composition", () => {
    const a = Layer.linear({ inFeatures: 2, outFeatures: 2, weightInit: fixed([1, 2, 3, 4]), biasInit: fixed([1, 1]) });
    const x = nx.tensor([[1, -1]]);
    // x W + b = [1 - 3 + 1, 2 - 4 + 1] = [-1, -1]; relu -> [0, 0]; then W again + b = [1, 1].
    const seq = Layer.sequential([a, Layer.relu(), a]);
    expect(values(Layer.apply(seq, Layer.init(seq), x, { training: false })[0])).toEqual([1, 1]);
    const comp = Layer.compose(Layer.compose(a, Layer.relu()), a);
    expect(values(Layer.apply(comp, Layer.init(comp), x, { training: false })[0])).toEqual([1, 1]);
    const empty = Layer.sequential([]);
    expect(Layer.apply(empty, Layer.init(empty), x, { training: false })[0]).toBe(x);
  });

  test("sibling sub-layers draw different keys", () => {
    const v = Rng.run(0, () => Layer.init(mlp(3)));
    const [w0, w2] = [(v.params as Record<string, nx.Tensor>[])[0]?.weight, (v.params as Record<string, nx.Tensor>[])[2]?.weight] as nx.Tensor[];
    expect(values(w0 as nx.Tensor)).not.toEqual(values(w2 as nx.Tensor));
  });

  test("appending a layer does not change the others' init or forward draws", () => {
    const small = mlp(3);
    const big = mlp(5);
    const vs = Rng.run(1, () => Layer.init(small));
    const vb = Rng.run(1, () => Layer.init(big));
    const pathsS = Ptree.flattenWithPaths(vs.params);
    const pathsB = new Map(Ptree.flattenWithPaths(vb.params));
    for (const [p, t] of pathsS) expect(values(pathsB.get(p) as nx.Tensor)).toEqual(values(t));
    // Forward: appending relu after dropout keeps the dropout mask, so the
    // outputs differ only by the relu.
    const prefixSmall = Layer.sequential([Layer.linear({ inFeatures: 4, outFeatures: 4 }), Layer.dropout({ rate: 0.5 })]);
    const prefixBig = Layer.sequential([Layer.linear({ inFeatures: 4, outFeatures: 4 }), Layer.dropout({ rate: 0.5 }), Layer.relu()]);
    const v1 = Rng.run(3, () => Layer.init(prefixSmall));
    const v2: Vars = { ...v1, params: [...(v1.params as Ptree[]), {}], state: [{}, {}, {}] };
    const forward = (model: Layer, v: Vars): number[] => values(Rng.run(2, () => Layer.apply(model, v, nx.ones([64, 4]), { training: true })[0]));
    const a = forward(prefixSmall, v1);
    const b = forward(prefixBig, v2);
    expect(a.filter((e) => e === 0).length).toBeGreaterThan(40);
    a.forEach((e, i) => expect(b[i]).toBe(Math.max(e, 0)));
  });

  test("element kinds are checked by the type checker", () => {
    const emb = Layer.embedding({ vocabSize: 4, embedDim: 2 });
    // @ts-expect-error an embedding consumes int32 ids, but sequential takes float-to-float layers
    Layer.sequential([emb]);
    // @ts-expect-error compose needs left's output kind to be right's input kind
    Layer.compose(Layer.relu(), emb);
    const ok: Layer<"int32", "float"> = Layer.compose(emb, Layer.relu());
    expect(typeof ok.apply).toBe("function");
  });

  test("runtime structure errors", () => {
    const seq = Layer.sequential([Layer.relu(), Layer.relu()]);
    expect(() => Layer.apply(seq, { params: [{}], state: [{}, {}], dtype: "float32" }, nx.ones([1]), { training: false })).toThrow(
      "kaun.Layer.sequential: params must be an array of 2 entries (one per layer), got [an object]",
    );
    const comp = Layer.compose(Layer.relu(), Layer.relu());
    expect(() => Layer.apply(comp, { params: {}, state: {}, dtype: "float32" }, nx.ones([1]), { training: false })).toThrow(
      'kaun.Layer.compose: params has no entry "left"',
    );
    expect(() => Layer.sequential([{} as Layer])).toThrow("kaun.Layer.sequential: layers[0] must be an object with init and apply functions, got an object");
  });

  test("Layer.apply validates its options and passes ctx through", () => {
    const seen: (Context | undefined)[] = [];
    const probe: Layer = {
      init: ({ dtype }) => ({ params: {}, state: { calls: nx.scalar(0, dtype) }, dtype }),
      apply: ({ state, ctx }, x) => {
        seen.push(ctx);
        return [x, { calls: nx.add((state as { calls: nx.Tensor }).calls, 1) }];
      },
    };
    const ctx = Context.empty.set("k", nx.ones([1]));
    const v = Layer.init(Layer.compose(probe, probe));
    const [, v2] = Layer.apply(Layer.compose(probe, probe), v, nx.ones([1]), { training: false, ctx });
    expect(seen).toEqual([ctx, ctx]);
    expect(values((v2.state as { left: { calls: nx.Tensor } }).left.calls)).toEqual([1]);
    expect(() => Layer.apply(probe, v, nx.ones([1]), { training: "yes" as unknown as boolean })).toThrow("kaun.Layer.apply: training must be a boolean, got \"yes\"");
    expect(() => Layer.apply(probe, v, nx.ones([1]), { training: true, ctx: {} as Context })).toThrow("kaun.Layer.apply: ctx must be a Context, got an object");
    expect(() => Layer.init(probe, { dtype: "int32" as nx.FloatDType })).toThrow(/kaun\.Layer\.init: dtype must be "float32" or "float64"/);
  });
});
