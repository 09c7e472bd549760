// kaun-core's activations, gated MLPs (values and rune gradients) and
// optimizer steps on the gpujs backend, against the same float32 computation
// on nx's CPU backend (whose numbers kaun-core's own tests check against
// PyTorch). They are compositions of primitives, so this checks the
// primitives together, with float32 GPU rounding as the only difference.
import * as nx from "@raven-ts/nx";
import * as rune from "@raven-ts/rune";
import { Fn, Optim } from "@raven-ts/kaun-core";
import { describe, expect, it } from "vitest";
import type { EngineMode } from "../src/index.js";
import { gpujsBackend } from "../src/index.js";
import { describeMode } from "./support/modes.js";

/** `run(backend, f)` is `f()` with `backend` selected, its tensors read back to host arrays. */
function run(backend: nx.Backend, f: () => nx.tree.Tree): number[][] {
  const previous = nx.getBackend();
  nx.setBackend(backend);
  try {
    return nx.tree.leaves(nx.tidy(f)).map((t) => Array.from(t.dataSync(), Number));
  } finally {
    nx.setBackend(previous);
  }
}

function expectNear(actual: number[][], expected: number[][], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) =>
    a.forEach((v, j) => {
      const e = (expected[i] as number[])[j] as number;
      if (!(Math.abs(v - e) <= 2e-5 + 2e-4 * Math.abs(e))) throw new Error(`${what}: leaf ${i}, element ${j}: gpujs ${v}, cpu ${e}`);
    }),
  );
}

const X = [-5.5, -3.2, -2.1, -0.7, -0.05, 0.3, 1.1, 2.9, 4.2, 5.8, 7.5, -9];
const COT = X.map((_, i) => Math.cos(i));
const ACTIVATIONS: [string, (x: nx.Tensor) => nx.Tensor][] = [
  ["relu6", Fn.relu6],
  ["leakyRelu", (x) => Fn.leakyRelu(x, { negativeSlope: 0.2 })],
  ["elu", Fn.elu],
  ["selu", Fn.selu],
  ["celu", (x) => Fn.celu(x, { alpha: 1.5 })],
  ["mish", Fn.mish],
  ["hardSigmoid", Fn.hardSigmoid],
  ["hardSwish", Fn.hardSwish],
  ["softsign", Fn.softsign],
  ["logSigmoid", Fn.logSigmoid],
];

function gatedInputs(): { x: nx.Tensor; w: { gate_proj: nx.Tensor; up_proj: nx.Tensor; down_proj: nx.Tensor }; cot: nx.Tensor } {
  const k = nx.random.split(nx.random.key(3), 5) as nx.random.Key[];
  return {
    x: nx.random.normal(k[0] as nx.random.Key, [2, 3, 4]),
    w: { gate_proj: nx.random.normal(k[1] as nx.random.Key, [4, 6]), up_proj: nx.random.normal(k[2] as nx.random.Key, [4, 6]), down_proj: nx.random.normal(k[3] as nx.random.Key, [6, 4]) },
    cot: nx.random.normal(k[4] as nx.random.Key, [2, 3, 4]),
  };
}

function optimizerSteps(opt: Optim.Optimizer): nx.tree.Tree {
  const k = nx.random.split(nx.random.key(11), 2) as nx.random.Key[];
  let params: nx.tree.Tree = { w: nx.random.normal(k[0] as nx.random.Key, [3, 4]), b: nx.linspace(-1, 1, 4) };
  let state = Optim.init(opt, params);
  for (let i = 0; i < 4; i++) {
    const grads = nx.tree.map((p: nx.Tensor) => nx.add(nx.mul(p, 0.3), nx.sin(nx.mul(p, i + 1))), params);
    [params, state] = Optim.step(state, params, grads);
  }
  return params;
}

for (const mode of ["webasm", "cpu", "headlessgl"] as const satisfies readonly EngineMode[]) {
  describeMode(mode, () => {
    describe(`kaun-core on gpujs ${mode} equals the CPU backend (float32)`, () => {
      const gpu = gpujsBackend({ mode });
      const cpu = new nx.CpuBackend();
      const compare = (what: string, f: () => nx.tree.Tree): void => expectNear(run(gpu, f), run(cpu, f), what);

      it("activations and their gradients", () => {
        for (const [name, f] of ACTIVATIONS) {
          compare(name, () => {
            const x = nx.tensor(X);
            const cot = nx.tensor(COT);
            return [f(x), rune.grad((t: nx.Tensor) => nx.sum(nx.mul(f(t), cot)))(x)];
          });
        }
      });

      // headlessgl compiles a GL program per kernel shape (seconds each): it runs one gated MLP and no optimizer.
      const gl = mode === "headlessgl";

      it("gated MLPs and their gradients with respect to x and every matrix", () => {
        for (const kind of gl ? (["swiglu"] as const) : (["glu", "swiglu", "geglu"] as const)) {
          compare(kind, () => {
            const { x, w, cot } = gatedInputs();
            const grads = rune.grad((inputs: { x: nx.Tensor; w: typeof w }) => nx.sum(nx.mul(Fn[kind](inputs.x, inputs.w), cot)))({ x, w });
            return [Fn[kind](x, w), grads];
          });
        }
      });

      it.skipIf(gl)("four steps of each new optimizer and of gradient accumulation", () => {
        const optimizers = [
          Optim.rmsprop({ lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1, mask: Optim.matricesOnly() }),
          Optim.adagrad({ lr: 0.1, lrDecay: 0.1, initialAccumulatorValue: 0.1 }),
          Optim.lion({ lr: 0.01, weightDecay: 0.1 }),
          Optim.multiSteps(2, Optim.adamw({ lr: 0.01, clipGlobalNorm: 1 })),
          Optim.chain(Optim.clipByValue(0.5), Optim.trace({ nesterov: true }), Optim.scaleByLearningRate(Optim.oneCycle({ peakValue: 0.1, totalSteps: 10 }))),
        ];
        for (const opt of optimizers) compare(opt.name, () => optimizerSteps(opt));
      });
    });
  });
}
