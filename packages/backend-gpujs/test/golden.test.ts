// The PyTorch float64 attention references (`../shared/fixtures/attention_golden.json`)
// reproduced by @raven-ts/kaun-attention on the gpujs backend, in float32,
// with the tolerances kaun-attention's own golden test uses on the CPU backend.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as nx from "@raven-ts/nx";
import { Context, Layer } from "@raven-ts/kaun-core";
import type { Vars } from "@raven-ts/kaun-core";
import { attentionMaskKey, multiHeadAttention, rope } from "@raven-ts/kaun-attention";
import { grad } from "@raven-ts/rune";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { EngineMode } from "../src/index.js";
import { gpujsBackend } from "../src/index.js";
import { describeMode } from "./support/modes.js";

interface FixtureArray {
  readonly shape: number[];
  readonly data: number[];
}
interface MhaCase {
  readonly kind: "mha";
  readonly name: string;
  readonly config: { embedDim: number; numHeads: number; numKvHeads: number; isCausal: boolean; rope: boolean; ropeTheta: number };
  readonly x: FixtureArray;
  readonly params: Record<"q_proj" | "k_proj" | "v_proj" | "out_proj", FixtureArray>;
  readonly attention_mask: (FixtureArray & { dtype: "int32" | "bool" }) | null;
  readonly expected: FixtureArray;
  readonly cotangent: FixtureArray;
  readonly grads: Record<"x" | "q_proj" | "k_proj" | "v_proj" | "out_proj", number[]>;
}
interface RopeCase {
  readonly kind: "rope";
  readonly name: string;
  readonly theta: number;
  readonly seqDim: number;
  readonly x: FixtureArray;
  readonly expected: FixtureArray;
}

const sharedDir = process.env.RAVEN_SHARED_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared");
const cases = (JSON.parse(readFileSync(resolve(sharedDir, "fixtures/attention_golden.json"), "utf8")) as { cases: (MhaCase | RopeCase)[] }).cases;

// float32 against float64 references, as kaun-attention's golden test on the CPU backend.
const FWD = { atol: 2e-5, rtol: 2e-4 };
const GRAD = { atol: 1e-4, rtol: 1e-3 };

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { atol: number; rtol: number }, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e))) throw new Error(`${what}: element ${i} is ${a}, expected ${e} (atol ${tol.atol}, rtol ${tol.rtol})`);
  }
}

const t = (a: FixtureArray): nx.Tensor => nx.tensor(Float32Array.from(a.data), { shape: a.shape });

function registerGolden(mode: EngineMode): void {
  describe(`attention golden cases on gpujs ${mode}`, () => {
    let previous: nx.Backend;
    beforeAll(() => {
      previous = nx.getBackend();
      nx.setBackend(gpujsBackend({ mode }));
    });
    afterAll(() => {
      nx.setBackend(previous);
    });

    for (const c of cases) {
      if (c.kind === "rope") {
        it(`rope ${c.name}`, () => nx.tidy(() => expectClose(rope(t(c.x), { theta: c.theta, seqDim: c.seqDim }).dataSync(), c.expected.data, FWD, c.name)));
        continue;
      }
      it(`mha ${c.name}: forward and gradients of sum(out * cotangent)`, () =>
        nx.tidy(() => {
          const layer = multiHeadAttention(c.config);
          const params = { q_proj: t(c.params.q_proj), k_proj: t(c.params.k_proj), v_proj: t(c.params.v_proj), out_proj: t(c.params.out_proj) };
          let ctx = Context.empty;
          if (c.attention_mask) ctx = ctx.set(attentionMaskKey, nx.tensor(c.attention_mask.data, { dtype: c.attention_mask.dtype, shape: c.attention_mask.shape }));
          const vars: Vars = { params, state: {}, dtype: "float32" };
          const x = t(c.x);
          const [y] = Layer.apply(layer, vars, x, { training: false, ctx });
          expectClose(y.dataSync(), c.expected.data, FWD, `${c.name} output`);
          const cot = t(c.cotangent);
          const g = grad((inputs: { x: nx.Tensor; params: Vars["params"] }) => {
            const [out] = Layer.apply(layer, { ...vars, params: inputs.params }, inputs.x, { training: false, ctx });
            return nx.sum(nx.mul(out, cot));
          })({ x, params });
          expectClose(g.x.dataSync(), c.grads.x, GRAD, `${c.name} d/dx`);
          for (const name of ["q_proj", "k_proj", "v_proj", "out_proj"] as const) {
            expectClose(((g.params as Record<string, nx.Tensor>)[name] as nx.Tensor).dataSync(), c.grads[name], GRAD, `${c.name} d/d${name}`);
          }
        }));
    }
  });
}

for (const mode of ["webasm", "cpu", "headlessgl"] as const) describeMode(mode, () => registerGolden(mode));
