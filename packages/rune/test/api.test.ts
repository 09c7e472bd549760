import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { PRIMITIVES } from "@raven-ts/nx/primitives";
import { describe, expect, it } from "vitest";
import { VJP, grad, isDifferentiable, valueAndGrad, vjp } from "../src/index.js";

const f64 = (v: number[] | number, shape?: number[]): Tensor => nx.tensor(v, shape ? { dtype: "float64", shape } : { dtype: "float64" });

describe("pytrees", () => {
  it("returns gradients with the structure of x, in each leaf's dtype", () => {
    const params = { layer: [{ w: f64([1, 2]), b: nx.tensor([0.5]) }], head: { w: f64(3) }, none: null };
    const g = grad((p: typeof params) => {
      const l0 = p.layer[0] as { w: Tensor; b: Tensor };
      return nx.add(nx.sum(nx.mul(l0.w, p.head.w)), nx.cast(nx.sum(nx.mul(l0.b, l0.b)), "float64"));
    })(params);
    const l0 = g.layer[0] as { w: Tensor; b: Tensor };
    expect(l0.w.arraySync()).toEqual([3, 3]);
    expect(l0.b.dtype).toBe("float32");
    expect(l0.b.arraySync()).toEqual([1]);
    expect(g.head.w.arraySync()).toBe(3);
    expect(g.none).toBe(null);
  });

  it("gives zeros to leaves the result does not reach", () => {
    const g = grad((p: { a: Tensor; b: Tensor }) => nx.sum(p.a))({ a: f64([1, 2]), b: nx.tensor([[1, 2, 3]]) });
    expect(g.a.arraySync()).toEqual([1, 1]);
    expect(g.b.shape).toEqual([1, 3]);
    expect(g.b.dtype).toBe("float32");
    expect(g.b.arraySync()).toEqual([[0, 0, 0]]);
  });

  it("treats the same tensor at two leaves as two inputs", () => {
    const x = f64([1, 2]);
    const [ga, gb] = grad(([a, b]: Tensor[]) => nx.sum(nx.add(nx.mul(a as Tensor, 2), nx.mul(b as Tensor, 3))))([x, x]);
    expect(ga?.arraySync()).toEqual([2, 2]);
    expect(gb?.arraySync()).toEqual([3, 3]);
  });

  it("differentiates the identity of a scalar and accepts one-element losses of any rank", () => {
    expect(grad((t: Tensor) => t)(f64(2)).item()).toBe(1);
    expect(grad((t: Tensor) => nx.mul(t, t))(f64([3], [1, 1])).arraySync()).toEqual([[6]]);
  });

  it("returns C-contiguous gradients even when the rule gives a broadcast view", () => {
    const g = grad((t: Tensor) => nx.sum(t))(f64([1, 2, 3, 4], [2, 2]));
    expect(g.isContiguous).toBe(true);
    expect(g.arraySync()).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  it("differentiates through a float32 → float64 cast back into float32", () => {
    const g = grad((t: Tensor) => nx.sum(nx.mul(nx.cast(t, "float64"), f64([2, 4]))))(nx.tensor([1, 1]));
    expect(g.dtype).toBe("float32");
    expect(g.arraySync()).toEqual([2, 4]);
  });

  it("is safe with nx.tidy inside f", () => {
    const x = f64([0.5, -1]);
    const g = grad((t: Tensor) => {
      const h = nx.tidy(() => nx.tanh(nx.mul(t, 2)));
      return nx.tidy(() => nx.sum(nx.mul(h, h)));
    })(x);
    const expected = [0.5, -1].map((v) => 2 * Math.tanh(2 * v) * (1 - Math.tanh(2 * v) ** 2) * 2);
    (g.arraySync() as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 12));
  });
});

describe("vjp", () => {
  it("pulls back a pytree of cotangents, any number of times", () => {
    const x = f64([0, 1, 2]);
    const [y, pullback] = vjp((t: Tensor) => ({ a: nx.mul(t, 2), b: [nx.sin(t)], n: 4, i: nx.argmax(t) }), x);
    expect(y.n).toBe(4);
    expect((y.a as Tensor).arraySync()).toEqual([0, 2, 4]);
    const c = f64([1, 2, 3]);
    const g = pullback({ a: nx.onesLike(c), b: [c], n: 4, i: nx.scalar(0) });
    [0, 1, 2].forEach((v, i) => expect((g.arraySync() as number[])[i]).toBeCloseTo(2 + (i + 1) * Math.cos(v), 12));
    const g2 = pullback({ a: nx.zerosLike(c), b: [nx.onesLike(c)], n: 0, i: nx.scalar(0) });
    [0, 1, 2].forEach((v, i) => expect((g2.arraySync() as number[])[i]).toBeCloseTo(Math.cos(v), 12));
    pullback.dispose();
    expect(() => pullback({ a: c, b: [c], n: 4, i: nx.scalar(0) })).toThrow("rune.vjp: the pullback was disposed");
    expect((y.a as Tensor).isDisposed).toBe(false);
  });

  it("casts cotangents to the output dtype and checks their structure and shapes", () => {
    const x = f64([1, 2]);
    const [, pullback] = vjp((t: Tensor) => [nx.mul(t, t)], x);
    expect(pullback([nx.tensor([1, 1])]).arraySync()).toEqual([2, 4]);
    expect(() => pullback([nx.tensor([1, 1, 1])])).toThrow('rune.vjp: the cotangent at leaf "0" has shape [3] but y there has shape [2]');
    expect(() => pullback([] as unknown as [Tensor])).toThrow(/^rune\.vjp: the cotangent does not match y: tree structures differ/);
    expect(() => pullback([3] as unknown as [Tensor])).toThrow('rune.vjp: the cotangent at leaf "0" must be a tensor of shape [2], got 3');
  });
});

describe("nested grad", () => {
  it("grad(grad(x => x^3)) is 6x", () => {
    const d2 = grad(grad((x: Tensor) => nx.pow(x, 3)));
    expect(d2(f64(2)).item()).toBe(12);
    expect(d2(f64(-0.5)).item()).toBe(-3);
    const d2v = grad((x: Tensor) => nx.sum(grad((y: Tensor) => nx.sum(nx.pow(y, 3)))(x)))(f64([1, 2, 3]));
    expect(d2v.arraySync()).toEqual([6, 12, 18]);
  });

  it("third derivatives and products: d³/dx³ sin(x) = -cos(x), d²/dx² x·exp(x) = (x + 2) exp(x)", () => {
    const d3 = grad(grad(grad((x: Tensor) => nx.sin(x))));
    expect(d3(f64(0.7)).item()).toBeCloseTo(-Math.cos(0.7), 12);
    const d2 = grad(grad((x: Tensor) => nx.mul(x, nx.exp(x))));
    expect(d2(f64(0.3)).item()).toBeCloseTo(2.3 * Math.exp(0.3), 12);
  });

  it("Hessian-vector products through matmul, tanh and reductions", () => {
    // f(w) = sum(tanh(A w)); H v = A^T diag(-2 tanh(z) (1 - tanh(z)^2)) A v with z = A w.
    const A = [
      [0.5, -1, 0.25],
      [1.5, 0.5, -0.5],
    ];
    const w = [0.2, -0.4, 0.6];
    const v = [1, 2, -1];
    const f = (t: Tensor): Tensor => nx.sum(nx.tanh(nx.matmul(f64(A.flat(), [2, 3]), t)));
    const hv = grad((t: Tensor) => nx.sum(nx.mul(grad(f)(t), f64(v))))(f64(w));
    const z = A.map((row) => row.reduce((s, a, j) => s + a * (w[j] as number), 0));
    const av = A.map((row) => row.reduce((s, a, j) => s + a * (v[j] as number), 0));
    const d = z.map((zi, i) => -2 * Math.tanh(zi) * (1 - Math.tanh(zi) ** 2) * (av[i] as number));
    const expected = [0, 1, 2].map((j) => (A[0]?.[j] as number) * (d[0] as number) + (A[1]?.[j] as number) * (d[1] as number));
    (hv.arraySync() as number[]).forEach((h, j) => expect(h).toBeCloseTo(expected[j] as number, 12));
  });

  it("inner functions may close over outer-differentiated tensors, and vjp nests too", () => {
    // d/dx sum_i d/dy_i sum(y * x * x) = d/dx sum(x^2) = 2x.
    const x0 = f64([1, -2]);
    const g = grad((x: Tensor) => nx.sum(grad((y: Tensor) => nx.sum(nx.mul(nx.mul(y, x), x)))(f64([3, 4]))))(x0);
    expect(g.arraySync()).toEqual([2, -4]);
    // d/dx <v, J_sin(x) · 1> = d/dx sum(v cos(x)) = -v sin(x).
    const v = f64([0.5, 2]);
    const h = grad((x: Tensor) => {
      const [, pullback] = vjp((t: Tensor) => nx.sin(t), x);
      return nx.sum(nx.mul(pullback(nx.onesLike(x)), v));
    })(x0);
    (h.arraySync() as number[]).forEach((e, i) => expect(e).toBeCloseTo(-[0.5, 2][i]! * Math.sin([1, -2][i]!), 12));
  });

  it("valueAndGrad inside grad: the outer derivative of the inner value", () => {
    const g = grad((x: Tensor) => {
      const [value, inner] = valueAndGrad((y: Tensor) => nx.sum(nx.mul(y, y)))(x);
      return nx.add(value, nx.sum(inner));
    })(f64([1, 2]));
    expect(g.arraySync()).toEqual([4, 6]);
  });
});

describe("rule details", () => {
  it("max and min share the gradient evenly among ties", () => {
    expect(grad((t: Tensor) => nx.max(t))(f64([1, 3, 3, 2])).arraySync()).toEqual([0, 0.5, 0.5, 0]);
    expect(grad((t: Tensor) => nx.sum(nx.min(t, { axes: 1 })))(f64([1, 1, 1, 2, 0, 5], [2, 3])).arraySync()).toEqual([
      [1 / 3, 1 / 3, 1 / 3],
      [0, 1, 0],
    ]);
  });

  it("maximum and minimum split ties 0.5/0.5", () => {
    const [ga, gb] = grad(([a, b]: Tensor[]) => nx.sum(nx.maximum(a as Tensor, b as Tensor)))([f64([1, 2, 5]), f64([1, 3, 4])]);
    expect(ga?.arraySync()).toEqual([0.5, 0, 1]);
    expect(gb?.arraySync()).toEqual([0.5, 1, 0]);
    const [ha, hb] = grad(([a, b]: Tensor[]) => nx.sum(nx.minimum(a as Tensor, b as Tensor)))([f64([1, 2, 5]), f64([1, 3, 4])]);
    expect(ha?.arraySync()).toEqual([0.5, 1, 0]);
    expect(hb?.arraySync()).toEqual([0.5, 0, 1]);
  });

  it("pow: d/db is 0 where a <= 0 (no NaN), d/da is 0 where b = 0", () => {
    const [ga, gb] = grad(([a, b]: Tensor[]) => nx.sum(nx.pow(a as Tensor, b as Tensor)))([f64([-2, 0, 2, 0]), f64([2, 2, 2, 0])]);
    expect(ga?.arraySync()).toEqual([-4, 0, 4, 0]);
    const gbv = gb?.arraySync() as number[];
    expect(gbv.slice(0, 2)).toEqual([0, 0]);
    expect(gbv[2]).toBeCloseTo(4 * Math.log(2), 12);
    expect(gbv[3]).toBe(0);
  });

  it("expm1: d/dx = exp(x) to full relative precision, also where expm1(x) + 1 rounds to 0", () => {
    const g = grad((x: Tensor) => nx.sum(nx.expm1(x)))(f64([-800, -40, -1e-10, 0.5]));
    expect(g.arraySync()).toEqual([Math.exp(-800), Math.exp(-40), Math.exp(-1e-10), Math.exp(0.5)]);
  });

  it("mod: d/da = 1, d/db = -floor(a / b)", () => {
    const [ga, gb] = grad(([a, b]: Tensor[]) => nx.sum(nx.mod(a as Tensor, b as Tensor)))([f64([5.5, -5.5, 1]), f64([2, 2, 3])]);
    expect(ga?.arraySync()).toEqual([1, 1, 1]);
    expect(gb?.arraySync()).toEqual([-2, 3, -0]);
  });

  it("prod and cumprod are exact with zeros", () => {
    expect(grad((t: Tensor) => nx.prod(t))(f64([2, 0, 3])).arraySync()).toEqual([0, 6, 0]);
    expect(grad((t: Tensor) => nx.prod(t))(f64([2, 0, 0])).arraySync()).toEqual([0, 0, 0]);
    // y = [2, 0, 0, 0]: dy/dx summed over outputs: x0 → 1; x1 → 2 + 2·x2 + 2·x2·x3 = 2 + 6 + 24; x2 → 0 (x1 = 0); x3 → 0.
    expect(grad((t: Tensor) => nx.sum(nx.cumprod(t)))(f64([2, 0, 3, 4])).arraySync()).toEqual([1, 32, 0, 0]);
  });

  it("non-differentiable primitives give zero gradient, and integer casts too", () => {
    const x = f64([0.4, 1.6, -2.5]);
    const g = grad((t: Tensor) =>
      nx.sum(nx.add(nx.add(nx.floor(t), nx.sign(t)), nx.cast(nx.cast(t, "int32"), "float64"))),
    )(x);
    expect(g.arraySync()).toEqual([0, 0, 0]);
  });

  it("the table marks exactly the intended primitives non-differentiable", () => {
    const nondiff = PRIMITIVES.filter((p) => !isDifferentiable(p)).sort();
    expect(nondiff).toEqual(
      [
        "sign", "floor", "ceil", "round", "trunc", "logicalNot", "isNaN", "isFinite", "isInf", "logicalAnd", "logicalOr", "logicalXor",
        "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "argmax", "argmin", "argsort",
      ].sort(),
    );
    expect(Object.keys(VJP).sort()).toEqual([...PRIMITIVES].sort());
  });
});
