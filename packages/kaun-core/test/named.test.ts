import * as nx from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { describe, expect, test } from "vitest";
import { Fn, Layer, Rng, type Ptree } from "../src/index.js";
import { expectClose, values } from "./helpers.js";

const residual = Layer.named(
  { norm: Layer.rmsNorm({ dim: 3 }), proj: Layer.linear({ inFeatures: 3, outFeatures: 3 }), drop: Layer.dropout({ rate: 0.5 }) },
  (run, x) => nx.add(x, run("drop", run("proj", run("norm", x)))),
);

describe("Layer.named", () => {
  test("params and state are keyed by the sub-layers' names; each sub-layer draws from its own key scope", () => {
    const vars = Rng.run(0, () => Layer.init(residual));
    const p = vars.params as Record<string, Record<string, nx.Tensor>>;
    expect(Object.keys(p)).toEqual(["norm", "proj", "drop"]);
    expect(Object.keys(p.proj as object)).toEqual(["weight", "bias"]);
    // The proj weights are those the linear layer draws under key 1 of the scope's subKeys.
    const alone = Rng.run(0, () => Rng.withKey(Rng.subKeys(3)[1] as Rng.Key, () => Layer.init(Layer.linear({ inFeatures: 3, outFeatures: 3 }))));
    expect(values(p.proj?.weight as nx.Tensor)).toEqual(values((alone.params as Record<string, nx.Tensor>).weight as nx.Tensor));
    // Adding a sub-layer at the end keeps the others' draws.
    const grown = Layer.named({ ...residual.layers, extra: Layer.linear({ inFeatures: 3, outFeatures: 1 }) }, (run, x) => run("extra", x));
    const g = Rng.run(0, () => Layer.init(grown)).params as Record<string, Record<string, nx.Tensor>>;
    expect(values(g.proj?.weight as nx.Tensor)).toEqual(values(p.proj?.weight as nx.Tensor));
  });

  test("apply wires the sub-layers as forward says (x + proj(rmsNorm(x)), dropout off outside training)", () => {
    const vars = Rng.run(1, () => Layer.init(residual));
    const p = vars.params as Record<string, Record<string, nx.Tensor>>;
    const x = nx.tensor([[1, -2, 0.5], [3, 0, -1]]);
    const [y, next] = Layer.apply(residual, vars, x, { training: false });
    const expected = nx.add(x, nx.add(nx.matmul(Fn.rmsNorm(x, { eps: 1e-6 }), p.proj?.weight as nx.Tensor), p.proj?.bias as nx.Tensor));
    expectClose(y, values(expected), 1e-6, 1e-6);
    expect(next.state).toEqual({ norm: {}, proj: {}, drop: {} });
  });

  test("sub-layers not run keep their state; run states are returned", () => {
    const counter: Layer = {
      init: ({ dtype }) => ({ params: {}, state: { n: nx.scalar(0, dtype) }, dtype }),
      apply: ({ state }, x) => [x, { n: nx.add((state as { n: nx.Tensor }).n, 1) }],
    };
    const l = Layer.named({ a: counter, b: counter }, (run, x) => run("a", run("a", x)));
    const vars = Layer.init(l);
    const [, next] = Layer.apply(l, vars, nx.ones([1]), { training: false });
    const s = next.state as Record<string, { n: nx.Tensor }>;
    expect(values(s.a?.n as nx.Tensor)).toEqual([2]);
    expect(s.b).toBe((vars.state as Record<string, Ptree>).b);
  });

  test("applyWith replaces a sub-layer's apply and returns what the override hands back", () => {
    const vars = Rng.run(2, () => Layer.init(residual));
    const x = nx.tensor([[1, 2, 3]]);
    const [y, state, outputs] = residual.applyWith({ ...vars, training: false }, x, {
      proj: (args, h) => [nx.mul(h, 0), { seen: nx.tensor([Object.keys(args.params as object).length]) }],
    });
    expectClose(y, [1, 2, 3]);
    expect(values((outputs.proj as { seen: nx.Tensor }).seen)).toEqual([2]);
    expect(Object.keys(state as object)).toEqual(["norm", "proj", "drop"]);
  });

  test("errors name the layer the user made (or Layer.named)", () => {
    const vars = Rng.run(3, () => Layer.init(residual));
    const named = Layer.named({ a: Layer.relu() }, (run, x) => run("b", x), { name: "myBlock" });
    expectInvalidArgument(() => Layer.apply(named, Layer.init(named), nx.ones([1]), { training: false }), "kaun.myBlock", 'no sub-layer named "b" (sub-layers: "a")');
    expectInvalidArgument(() => Layer.apply(residual, { ...vars, params: {} }, nx.ones([1, 3]), { training: false }), "kaun.Layer.named", 'params has no entry "norm"');
    expectInvalidArgument(() => Layer.named({ a: {} as Layer }, (_run, x) => x), "kaun.Layer.named", "layers.a must be an object with init and apply functions");
    expectInvalidArgument(() => Layer.named(null as unknown as Record<string, Layer>, (_run, x) => x), "kaun.Layer.named", "options layers");
    expectInvalidArgument(() => Layer.named({}, 3 as unknown as () => nx.Tensor), "kaun.Layer.named", "forward must be a function, got 3");
    expectInvalidArgument(() => Layer.named({}, (_run, x) => x, { name: "" }), "kaun.Layer.named", 'name must be a non-empty string, got ""');
    expectInvalidArgument(() => residual.applyWith({ ...vars, training: false }, nx.ones([1, 3]), { nope: (_a, h) => [h, {}] }), "kaun.Layer.named", 'overrides name no sub-layer: "nope"');
    const bad = Layer.named({}, () => 1 as unknown as nx.Tensor);
    expectInvalidArgument(() => Layer.apply(bad, Layer.init(bad), nx.ones([1]), { training: false }), "kaun.Layer.named", "forward must return a tensor, got 1");
  });

  test("a failing pass leaves nothing behind", () => {
    const vars = Rng.run(4, () => Layer.init(residual));
    const failing = Layer.named(residual.layers, (run, x) => run("missing", run("norm", x)));
    const before = nx.memory().numTensors;
    expect(() => Layer.apply(failing, vars, nx.ones([1, 3]), { training: false })).toThrow(/no sub-layer named "missing"/);
    expect(nx.memory().numTensors).toBe(before + 1); // the input made above
  });
});
