// The activations of Raven's Kaun and the gated MLPs, against PyTorch's
// values and gradients (fixtures/activation_reference.json, made by
// fixtures/make_activation_reference.py), rune's gradients against central
// finite differences, and the layers against the functions.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as nx from "@raven-ts/nx";
import * as rune from "@raven-ts/rune";
import { checkGradient } from "@raven-ts/rune/testing";
import { describe, expect, test } from "vitest";
import type { Layer as LayerType } from "../src/index.js";
import { Fn, Layer, Rng } from "../src/index.js";
import { expectClose, values } from "./helpers.js";

interface Stored {
  readonly shape: number[];
  readonly values: number[];
}

interface Reference {
  readonly x: number[];
  readonly cotangent: number[];
  readonly activations: readonly { readonly name: string; readonly options: Record<string, number>; readonly y: number[]; readonly grad: number[] }[];
  readonly gated: {
    readonly x: Stored;
    readonly weights: Record<"gate_proj" | "up_proj" | "down_proj", Stored>;
    readonly cotangent: Stored;
    readonly cases: readonly { readonly kind: "glu" | "swiglu" | "geglu"; readonly y: number[]; readonly grads: Record<string, number[]> }[];
  };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const ref = JSON.parse(readFileSync(path.join(here, "fixtures", "activation_reference.json"), "utf8")) as Reference;
const f64 = (s: Stored): nx.Tensor => nx.tensor(s.values, { dtype: "float64", shape: s.shape });

type Activation = (x: nx.Tensor, options?: never) => nx.Tensor;
const ACTIVATIONS: Record<string, Activation> = {
  relu6: Fn.relu6,
  leakyRelu: Fn.leakyRelu,
  elu: Fn.elu,
  selu: Fn.selu,
  celu: Fn.celu,
  mish: Fn.mish,
  hardSigmoid: Fn.hardSigmoid,
  hardSwish: Fn.hardSwish,
  softsign: Fn.softsign,
  logSigmoid: Fn.logSigmoid,
};

describe("activations match PyTorch (float64 values and gradients)", () => {
  const x = nx.tensor(ref.x, { dtype: "float64" });
  const cot = nx.tensor(ref.cotangent, { dtype: "float64" });
  for (const c of ref.activations) {
    test(`${c.name}(${JSON.stringify(c.options)})`, () => {
      const f = ACTIVATIONS[c.name] as Activation;
      const call = (t: nx.Tensor): nx.Tensor => (Object.keys(c.options).length === 0 ? f(t) : f(t, c.options as never));
      expectClose(call(x), c.y, 1e-300, 1e-13);
      const g = rune.grad((t: nx.Tensor) => nx.sum(nx.mul(call(t), cot)))(x);
      // PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32, even in float64 (1.0000000298 × ours).
      expectClose(g, c.grad, 1e-300, c.name === "hardSigmoid" ? 1e-7 : 1e-13);
    });
  }

  test("logSigmoid is finite with finite gradients at extreme float32 inputs", () => {
    const big = nx.tensor([-1e30, -100, 100, 1e30]);
    expect(values(Fn.logSigmoid(big))).toEqual([Math.fround(-1e30), -100, -Math.fround(Math.exp(-100)), -0]);
    expect(values(rune.grad((t: nx.Tensor) => nx.sum(Fn.logSigmoid(t)))(big))).toEqual([1, 1, Math.fround(Math.exp(-100)), -0]);
  });

  test("hardSigmoid's alpha and beta (Raven's): max(0, min(1, alpha x + beta))", () => {
    const xs = [-4, -1, 0.5, 2, 9];
    expectClose(Fn.hardSigmoid(nx.tensor(xs, { dtype: "float64" }), { alpha: 0.2, beta: 0.4 }), xs.map((v) => Math.max(0, Math.min(1, 0.2 * v + 0.4))), 1e-16, 0);
  });
});

describe("rune's gradients agree with central finite differences (float64)", () => {
  // Inputs away from every kink (0, ±3, 6), where one-sided derivatives differ.
  const x = nx.tensor([-7.3, -4.1, -2.2, -0.9, -0.35, 0.15, 0.8, 1.7, 2.6, 4.4, 5.2, 8.9], { dtype: "float64" });
  const cases: [string, (t: nx.Tensor) => nx.Tensor][] = [
    ...Object.entries(ACTIVATIONS).map(([name, f]) => [name, (t: nx.Tensor) => f(t)] as [string, (t: nx.Tensor) => nx.Tensor]),
    ["leakyRelu(0.3)", (t) => Fn.leakyRelu(t, { negativeSlope: 0.3 })],
    ["elu(2)", (t) => Fn.elu(t, { alpha: 2 })],
    ["celu(0.5)", (t) => Fn.celu(t, { alpha: 0.5 })],
    ["celu(-1.5)", (t) => Fn.celu(t, { alpha: -1.5 })],
    ["hardSigmoid(0.1, 0.3)", (t) => Fn.hardSigmoid(t, { alpha: 0.1, beta: 0.3 })],
  ];
  for (const [name, f] of cases) {
    test(name, () => {
      const r = checkGradient(([t]) => f(t as nx.Tensor), [x]);
      expect(r.error, r.worst).toBeLessThan(1e-7);
    });
  }

  const g = ref.gated;
  for (const kind of ["glu", "swiglu", "geglu"] as const) {
    test(`Fn.${kind} with respect to x and every matrix`, () => {
      const r = checkGradient(([xx, gate, up, down]) => Fn[kind](xx as nx.Tensor, { gate_proj: gate as nx.Tensor, up_proj: up as nx.Tensor, down_proj: down as nx.Tensor }), [f64(g.x), f64(g.weights.gate_proj), f64(g.weights.up_proj), f64(g.weights.down_proj)]);
      expect(r.error, r.worst).toBeLessThan(1e-7);
    });
  }
});

describe("gated MLPs", () => {
  const g = ref.gated;
  const x = f64(g.x);
  const weights = { gate_proj: f64(g.weights.gate_proj), up_proj: f64(g.weights.up_proj), down_proj: f64(g.weights.down_proj) };
  const cot = f64(g.cotangent);

  for (const c of g.cases) {
    test(`Fn.${c.kind} = (act(x W_gate) ⊙ (x W_up)) W_down, values and gradients as PyTorch`, () => {
      const y = Fn[c.kind](x, weights);
      expect(y.shape).toEqual([2, 3, 3]);
      expectClose(y, c.y, 1e-14, 1e-12);
      const grads = rune.grad((inputs: { x: nx.Tensor; w: typeof weights }) => nx.sum(nx.mul(Fn[c.kind](inputs.x, inputs.w), cot)))({ x, w: weights });
      expectClose(grads.x, c.grads.x as number[], 1e-14, 1e-12);
      for (const k of ["gate_proj", "up_proj", "down_proj"] as const) expectClose(grads.w[k], c.grads[k] as number[], 1e-14, 1e-12);
    });
  }

  test("Layer.swiglu holds gate_proj, up_proj [in, hidden] and down_proj [hidden, out], and applies Fn.swiglu", () => {
    const layer = Layer.swiglu({ inFeatures: 4, hiddenFeatures: 6, outFeatures: 3 });
    const vars = Rng.run(0, () => Layer.init(layer, { dtype: "float64" }));
    const p = vars.params as Record<string, nx.Tensor>;
    expect(Object.keys(p)).toEqual(["gate_proj", "up_proj", "down_proj"]);
    expect([p.gate_proj?.shape, p.up_proj?.shape, p.down_proj?.shape]).toEqual([[4, 6], [4, 6], [6, 3]]);
    const [y] = Layer.apply(layer, vars, x, { training: false });
    expect(values(y)).toEqual(values(Fn.swiglu(x, p as never)));
    expect(Layer.geglu({ inFeatures: 4, hiddenFeatures: 2 }).init({ dtype: "float32" }).params).toMatchObject({ down_proj: { shape: [2, 4] } });
  });

  test("errors name the function and the misfit", () => {
    expect(() => Fn.swiglu(x, { ...weights, up_proj: weights.down_proj })).toThrow("kaun.Fn.swiglu: up_proj [5,3] must have gate_proj's shape [4,5]");
    expect(() => Fn.glu(nx.ones([2, 3], "float64"), weights)).toThrow("kaun.Fn.glu: x of shape [2,3] must end with the in features of gate_proj [4,5]");
    expect(() => Fn.geglu(x, { ...weights, down_proj: nx.ones([4, 3], "float64") })).toThrow("kaun.Fn.geglu: down_proj [4,3] must have 5 rows, the hidden size of gate_proj [4,5]");
    expect(() => Fn.swiglu(nx.cast(x, "float32"), weights)).toThrow("kaun.Fn.swiglu: gate_proj is float64, but x is float32");
    expect(() => Layer.swiglu({ inFeatures: 4, hiddenFeatures: 0 })).toThrow("kaun.Layer.swiglu: hiddenFeatures must be a positive integer, got 0");
  });
});

describe("activation layers apply the functions", () => {
  const x = nx.tensor([[-5, -1.5, -0.2], [0.4, 2.5, 7]]);
  const pairs: [string, LayerType, (t: nx.Tensor) => nx.Tensor][] = [
    ["relu6", Layer.relu6(), Fn.relu6],
    ["leakyRelu", Layer.leakyRelu({ negativeSlope: 0.1 }), (t) => Fn.leakyRelu(t, { negativeSlope: 0.1 })],
    ["elu", Layer.elu({ alpha: 0.7 }), (t) => Fn.elu(t, { alpha: 0.7 })],
    ["selu", Layer.selu(), Fn.selu],
    ["celu", Layer.celu({ alpha: 1.3 }), (t) => Fn.celu(t, { alpha: 1.3 })],
    ["mish", Layer.mish(), Fn.mish],
    ["hardSigmoid", Layer.hardSigmoid({ beta: 0.4 }), (t) => Fn.hardSigmoid(t, { beta: 0.4 })],
    ["hardSwish", Layer.hardSwish(), Fn.hardSwish],
    ["softsign", Layer.softsign(), Fn.softsign],
    ["logSigmoid", Layer.logSigmoid(), Fn.logSigmoid],
  ];
  for (const [name, layer, f] of pairs) {
    test(name, () => {
      const [y] = Layer.apply(layer, Layer.init(layer), x, { training: false });
      expect(values(y)).toEqual(values(f(x)));
    });
  }
});
