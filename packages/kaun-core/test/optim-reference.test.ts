// Step-by-step parameter values of every optimizer against PyTorch's update
// rules (torch.optim.SGD/Adam/AdamW/RMSprop/Adagrad, a hand-written Lion),
// and schedules against torch.optim.lr_scheduler or the optax / Keras
// formulas, from fixtures/optim_reference.json (made by
// fixtures/make_optim_reference.py; see its docstring). float64 throughout.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as nx from "@raven-ts/nx";
import { describe, test } from "vitest";
import type { OptState, Ptree } from "../src/index.js";
import { Optim } from "../src/index.js";
import { expectClose, values } from "./helpers.js";

interface RavenSpec {
  readonly kind: string;
  readonly options?: Record<string, unknown>;
  readonly lr?: { readonly schedule: string; readonly options: Record<string, unknown> };
  readonly mask?: "matricesOnly";
  readonly every?: number;
  readonly parts?: readonly RavenSpec[];
  readonly value?: number;
}

interface Reference {
  readonly params: readonly { readonly path: string; readonly shape: number[]; readonly values: number[] }[];
  readonly grads: readonly Record<string, number[]>[];
  readonly optimizers: readonly { readonly name: string; readonly raven: RavenSpec; readonly trajectory: readonly Record<string, number[]>[] }[];
  readonly schedules: readonly { readonly name: string; readonly kind: string; readonly options: Record<string, unknown>; readonly values: number[] }[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const ref = JSON.parse(readFileSync(path.join(here, "fixtures", "optim_reference.json"), "utf8")) as Reference;

const SCHEDULES: Record<string, (o: never) => Optim.Schedule> = {
  exponentialDecay: Optim.exponentialDecay,
  polynomialDecay: Optim.polynomialDecay,
  piecewiseConstant: Optim.piecewiseConstant,
  cosineDecayRestarts: Optim.cosineDecayRestarts,
  oneCycle: Optim.oneCycle,
  cosineDecay: Optim.cosineDecay,
  linearWarmup: Optim.linearWarmup,
  warmupCosineDecay: Optim.warmupCosineDecay,
};

const OPTIMIZERS: Record<string, (o: never) => Optim.Optimizer> = {
  sgd: Optim.sgd,
  adam: Optim.adam,
  adamw: Optim.adamw,
  rmsprop: Optim.rmsprop,
  adagrad: Optim.adagrad,
  lion: Optim.lion,
};

function build(spec: RavenSpec): Optim.Optimizer {
  switch (spec.kind) {
    case "chain":
      return Optim.chain(...(spec.parts ?? []).map(build));
    case "clipByValue":
      return Optim.clipByValue(spec.value as number);
    case "trace":
      return Optim.trace(spec.options);
    case "scaleByLearningRate":
      return Optim.scaleByLearningRate(spec.value as number);
    default: {
      const lr = spec.lr === undefined ? {} : { lr: (SCHEDULES[spec.lr.schedule] as (o: never) => Optim.Schedule)(spec.lr.options as never) };
      const mask = spec.mask === undefined ? {} : { mask: Optim.matricesOnly() };
      const opt = (OPTIMIZERS[spec.kind] as (o: never) => Optim.Optimizer)({ ...spec.options, ...lr, ...mask } as never);
      return spec.every === undefined ? opt : Optim.multiSteps(spec.every, opt);
    }
  }
}

/** The flat `{ "a.b": tensor }` map as a nested tree `{ a: { b: tensor } }`. */
function nest(leaves: Record<string, nx.Tensor>): Ptree {
  const root: Record<string, unknown> = {};
  for (const [p, t] of Object.entries(leaves)) {
    const keys = p.split(".");
    let node = root;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1] as string] = t;
  }
  return root as Ptree;
}

const shapes = Object.fromEntries(ref.params.map((p) => [p.path, p.shape]));
const tensors = (flat: Record<string, number[]>): Ptree =>
  nest(Object.fromEntries(Object.entries(flat).map(([p, v]) => [p, nx.tensor(v, { dtype: "float64", shape: shapes[p] as number[] })])));

describe("optimizers follow PyTorch's update rules step by step (float64)", () => {
  for (const c of ref.optimizers) {
    test(c.name, () => {
      const opt = build(c.raven);
      let params = tensors(Object.fromEntries(ref.params.map((p) => [p.path, p.values])));
      let state: OptState = Optim.init(opt, params);
      c.trajectory.forEach((expected, k) => {
        [params, state] = Optim.step(state, params, tensors(ref.grads[k] as Record<string, number[]>));
        const got = Object.fromEntries(nx.tree.flattenWithPaths(params as nx.tree.Tree).map(([p, t]) => [p, values(t)]));
        for (const [p, want] of Object.entries(expected)) {
          try {
            expectClose(got[p] as number[], want, 1e-13, 1e-11);
          } catch (e) {
            throw new Error(`step ${k + 1}, ${p}: ${(e as Error).message}`);
          }
        }
      });
    });
  }
});

describe("schedules follow torch.optim.lr_scheduler, optax and Keras", () => {
  for (const c of ref.schedules) {
    test(c.name, () => {
      const schedule = (SCHEDULES[c.kind] as (o: never) => Optim.Schedule)(c.options as never);
      expectClose(
        c.values.map((_, step) => schedule(step)),
        c.values,
        1e-15,
        1e-12,
      );
    });
  }
});
