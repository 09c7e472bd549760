import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { describe, expect, it } from "vitest";
import { grad, stopGradient, valueAndGrad } from "../src/index.js";

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

function host(t: Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number>);
}

function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - (expected[i] as number)), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThan(tol * Math.max(1, Math.abs(expected[i] as number))));
}

describe("gradient of sum(tanh(x @ w + b))", () => {
  const [N, D, H] = [4, 3, 5];
  const xs = values(N * D, 1);
  const ws = values(D * H, 2);
  const bs = values(H, 3);

  // Hand-derived: z = x w + b, s = 1 - tanh(z)^2; dL/dx = s w^T, dL/dw = x^T s, dL/db = sum_n s.
  const s: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      let z = bs[h] as number;
      for (let d = 0; d < D; d++) z += (xs[n * D + d] as number) * (ws[d * H + h] as number);
      s.push(1 - Math.tanh(z) ** 2);
    }
  }
  const dx: number[] = [];
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) {
    let acc = 0;
    for (let h = 0; h < H; h++) acc += (s[n * H + h] as number) * (ws[d * H + h] as number);
    dx.push(acc);
  }
  const dw: number[] = [];
  for (let d = 0; d < D; d++) for (let h = 0; h < H; h++) {
    let acc = 0;
    for (let n = 0; n < N; n++) acc += (xs[n * D + d] as number) * (s[n * H + h] as number);
    dw.push(acc);
  }
  const db: number[] = [];
  for (let h = 0; h < H; h++) {
    let acc = 0;
    for (let n = 0; n < N; n++) acc += s[n * H + h] as number;
    db.push(acc);
  }

  const loss = (p: { x: Tensor; w: Tensor; b: Tensor }): Tensor => nx.sum(nx.tanh(nx.add(nx.matmul(p.x, p.w), p.b)));

  it("matches the hand-derived formulas in float64", () => {
    const params = {
      x: nx.tensor(xs, { shape: [N, D], dtype: "float64" }),
      w: nx.tensor(ws, { shape: [D, H], dtype: "float64" }),
      b: nx.tensor(bs, { shape: [H], dtype: "float64" }),
    };
    const g = grad(loss)(params);
    expect(Object.keys(g)).toEqual(["x", "w", "b"]);
    expect(g.x.shape).toEqual([N, D]);
    expect(g.w.shape).toEqual([D, H]);
    expect(g.b.shape).toEqual([H]);
    expectClose(host(g.x), dx);
    expectClose(host(g.w), dw);
    expectClose(host(g.b), db);
  });

  it("matches in float32 too, with float32 gradients", () => {
    const params = { x: nx.tensor(xs, { shape: [N, D] }), w: nx.tensor(ws, { shape: [D, H] }), b: nx.tensor(bs, { shape: [H] }) };
    const g = grad(loss)(params);
    expect([g.x.dtype, g.w.dtype, g.b.dtype]).toEqual(["float32", "float32", "float32"]);
    expectClose(host(g.x), dx, 1e-5);
    expectClose(host(g.w), dw, 1e-5);
    expectClose(host(g.b), db, 1e-5);
  });
});

describe("gradient of a softmax cross-entropy", () => {
  const [N, C] = [5, 4];
  const zs = values(N * C, 7).map((v) => 3 * v);
  const labels = [2, 0, 3, 3, 1];

  // Hand-derived: L = mean_n(logsumexp(z_n) - z_n[y_n]); dL/dz = (softmax(z) - onehot(y)) / N.
  const expectedGrad: number[] = [];
  let expectedLoss = 0;
  for (let n = 0; n < N; n++) {
    const row = zs.slice(n * C, (n + 1) * C);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const total = e.reduce((a, b) => a + b, 0);
    expectedLoss += (Math.log(total) + m - (row[labels[n] as number] as number)) / N;
    e.forEach((v, c) => expectedGrad.push((v / total - (c === labels[n] ? 1 : 0)) / N));
  }

  it("matches (softmax - onehot) / N, via takeAlongAxis", () => {
    const z = nx.tensor(zs, { shape: [N, C], dtype: "float64" });
    const y = nx.tensor(labels, { shape: [N, 1], dtype: "int32" });
    const [value, g] = valueAndGrad((logits: Tensor) => nx.neg(nx.mean(nx.takeAlongAxis(nx.logSoftmax(logits), y, { axis: 1 }))))(z);
    expect(Math.abs((value.item() as number) - expectedLoss)).toBeLessThan(1e-12);
    expectClose(host(g), expectedGrad);
  });

  it("matches via a one-hot product", () => {
    const z = nx.tensor(zs, { shape: [N, C], dtype: "float64" });
    const onehot = nx.oneHot(nx.tensor(labels, { dtype: "int32" }), C, { dtype: "float64" });
    const g = grad((logits: Tensor) => nx.div(nx.neg(nx.sum(nx.mul(onehot, nx.logSoftmax(logits)))), N))(z);
    expectClose(host(g), expectedGrad);
  });
});

describe("valueAndGrad with hasAux", () => {
  it("returns [[loss, aux], grads] and passes aux through", () => {
    const w = nx.tensor([1, 2, 3], { dtype: "float64" });
    const state = { count: nx.tensor(0, { dtype: "int32" }) };
    const [[loss, aux], g] = valueAndGrad(
      (p: Tensor) => {
        const y = nx.mul(p, p);
        return [nx.sum(y), { y, count: nx.add(state.count, 1), note: "step" }] as const;
      },
      { hasAux: true },
    )(w);
    expect(loss.item()).toBe(14);
    expect(aux.y.arraySync()).toEqual([1, 4, 9]);
    expect(aux.count.item()).toBe(1);
    expect(aux.note).toBe("step");
    expect(g.arraySync()).toEqual([2, 4, 6]);
    expect(aux.y.isDisposed).toBe(false);
  });

  it("grad with hasAux returns [grads, aux]", () => {
    const [g, aux] = grad((p: Tensor) => [nx.sum(nx.exp(p)), nx.max(p)] as const, { hasAux: true })(nx.tensor([0, 1], { dtype: "float64" }));
    expectClose(host(g), [1, Math.E]);
    expect(aux.item()).toBe(1);
  });
});

describe("error messages", () => {
  const x = nx.tensor([1, 2, 3]);

  it("rejects a non-scalar result", () => {
    expect(() => grad((t: Tensor) => nx.mul(t, 2))(x)).toThrow("rune.grad: f must return a scalar (one-element) float tensor, got shape [3] and dtype float32");
    expect(() => valueAndGrad((t: Tensor) => nx.mul(t, 2))(x)).toThrow(/^rune\.valueAndGrad: f must return a scalar/);
  });

  it("rejects a non-float or non-tensor result", () => {
    expect(() => grad((t: Tensor) => nx.argmax(t))(x)).toThrow("rune.grad: f must return a scalar (one-element) float tensor, got shape [] and dtype int32");
    expect(() => grad((() => 3) as unknown as (t: Tensor) => Tensor)(x)).toThrow("rune.grad: f must return a scalar (one-element) float tensor, got 3");
  });

  it("rejects a result that is not [loss, aux] with hasAux", () => {
    expect(() => valueAndGrad((t: Tensor) => nx.sum(t) as unknown as [Tensor, null], { hasAux: true })(x)).toThrow(
      "rune.valueAndGrad: with hasAux, f must return [loss, aux], got a tensor of shape [] and dtype float32",
    );
  });

  it("names the path of a non-float leaf", () => {
    const params = { w: x, idx: nx.tensor([0, 1], { dtype: "int32" }) };
    const err = expectInvalidArgument(() => grad((p: typeof params) => nx.sum(p.w))(params), "rune.grad");
    expect(err).toBeInstanceOf(nx.InvalidArgumentError);
    expect(err.message).toBe('rune.grad: leaf "idx" has dtype int32; only float leaves are differentiable');
    expect(() => grad((p: { layer: { w: Tensor }[] }) => nx.sum(p.layer[0]?.w as Tensor))({ layer: [{ w: nx.tensor([1, 2], { dtype: "uint8" }) }] })).toThrow(
      'rune.grad: leaf "layer.0.w" has dtype uint8; only float leaves are differentiable',
    );
    expect(() => grad((t: Tensor) => nx.sum(t))(nx.tensor([true]))).toThrow("rune.grad: x has dtype bool; only float leaves are differentiable");
    expect(() => grad((p: { lr: number }) => nx.scalar(p.lr))({ lr: 0.1 })).toThrow('rune.grad: leaf "lr" is 0.1; only float tensors are differentiable');
  });

  it("rejects a disposed leaf and a non-function", () => {
    const d = nx.tensor([1]);
    d.dispose();
    expect(() => grad((t: Tensor) => nx.sum(t))(d)).toThrow("rune.grad: x was disposed");
    expect(() => grad(3 as unknown as (t: Tensor) => Tensor)).toThrow("rune.grad: f must be a function, got 3");
  });
});

describe("stopGradient", () => {
  it("blocks the gradient through its argument", () => {
    const x = nx.tensor([1, 2, 3], { dtype: "float64" });
    // d/dx sum(x * c) with c = x held constant is c = x (not 2x).
    const g = grad((t: Tensor) => nx.sum(nx.mul(t, stopGradient(t))))(x);
    expect(g.arraySync()).toEqual([1, 2, 3]);
  });

  it("gives zero gradient when everything is stopped, and keeps values", () => {
    const x = nx.tensor([1, 2], { dtype: "float64" });
    const [v, g] = valueAndGrad((t: Tensor) => nx.sum(nx.exp(stopGradient(t))))(x);
    expectClose([v.item() as number], [Math.E + Math.E ** 2]);
    expect(g.arraySync()).toEqual([0, 0]);
  });

  it("maps over pytrees and leaves other leaves alone", () => {
    const a = nx.tensor([1, 2]);
    const out = stopGradient({ a, n: 3, list: [a] });
    expect(out.a).not.toBe(a);
    expect(out.a.arraySync()).toEqual([1, 2]);
    expect(out.n).toBe(3);
    expect(out.list[0]?.arraySync()).toEqual([1, 2]);
  });

  it("only stops the marked path (straight-through estimator)", () => {
    const x = nx.tensor([0.2, 1.7], { dtype: "float64" });
    // round(x) in the forward pass, identity in the backward pass.
    const g = grad((t: Tensor) => nx.sum(nx.mul(nx.add(t, stopGradient(nx.sub(nx.round(t), t))), [3, 5].length)))(x);
    expect(g.arraySync()).toEqual([2, 2]);
  });
});
