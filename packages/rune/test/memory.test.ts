import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { describe, expect, it } from "vitest";
import { grad, valueAndGrad, vjp } from "../src/index.js";

interface Params {
  readonly w1: Tensor;
  readonly b1: Tensor;
  readonly w2: Tensor;
}

function init(): Params {
  const [k1, k2] = nx.random.split(nx.random.key(0), 2) as [nx.random.Key, nx.random.Key];
  return nx.tidy(() => ({
    w1: nx.mul(nx.random.normal(k1, [8, 16]), 0.3),
    b1: nx.zeros([16]),
    w2: nx.mul(nx.random.normal(k2, [16, 4]), 0.3),
  }));
}

function loss(p: Params, x: Tensor, y: Tensor): [Tensor, { hidden: Tensor }] {
  const h = nx.tidy(() => nx.tanh(nx.add(nx.matmul(x, p.w1), p.b1)));
  const out = nx.matmul(h, p.w2);
  return [nx.mean(nx.square(nx.sub(out, y))), { hidden: nx.mean(h) }];
}

describe("memory", () => {
  it("holds the live-tensor count flat over 100 training steps", () => {
    const x = nx.reshape(nx.linspace(-1, 1, 32 * 8), [32, 8]);
    const y = nx.reshape(nx.cos(nx.linspace(0, 3, 32 * 4)), [32, 4]);
    let params = init();
    const step = valueAndGrad((p: Params) => loss(p, x, y), { hasAux: true });
    const counts: number[] = [];
    let first = 0;
    let last = 0;
    for (let i = 0; i < 100; i++) {
      const [[l, aux], g] = step(params);
      const next = nx.tidy(() => ({
        w1: nx.sub(params.w1, nx.mul(g.w1, 0.1)),
        b1: nx.sub(params.b1, nx.mul(g.b1, 0.1)),
        w2: nx.sub(params.w2, nx.mul(g.w2, 0.1)),
      }));
      if (i === 0) first = l.item() as number;
      last = l.item() as number;
      nx.dispose([params, g, l, aux]);
      params = next;
      counts.push(nx.memory().numTensors);
    }
    expect(last).toBeLessThan(first);
    expect(new Set(counts.slice(1)).size, `live tensors per step: ${counts.slice(0, 5).join(", ")} ... ${counts.slice(-3).join(", ")}`).toBe(1);
    expect(counts[99]).toBe(counts[0]);
    nx.dispose([params, x, y]);
  });

  it("leaves only the results of grad, nested grad and vjp alive", () => {
    const x = nx.tensor([0.5, 1.5, -1], { dtype: "float64" });
    const base = nx.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const g = grad((t: Tensor) => nx.sum(nx.mul(nx.sin(t), nx.prod(nx.exp(t)))))(x);
      const h = grad((t: Tensor) => nx.sum(grad((u: Tensor) => nx.sum(nx.pow(u, 3)))(t)))(x);
      const [yv, pullback] = vjp((t: Tensor) => nx.cumprod(nx.tanh(t)), x);
      const c = nx.onesLike(x);
      const gv = pullback(c);
      pullback.dispose();
      nx.dispose([g, h, yv, c, gv]);
      expect(nx.memory().numTensors).toBe(base);
    }
  });

  it("frees the tape of a failed call when f throws (through the enclosing scope)", () => {
    const x = nx.tensor([1, 2]);
    const base = nx.memory().numTensors;
    nx.tidy(() => {
      expect(() =>
        grad((t: Tensor) => {
          nx.exp(t);
          throw new Error("boom");
        })(x),
      ).toThrow("boom");
    });
    expect(nx.memory().numTensors).toBe(base);
  });
});
