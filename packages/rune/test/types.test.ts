import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { expect, it } from "vitest";
import { grad, valueAndGrad, vjp } from "../src/index.js";

it("infers pytree, aux and pullback types", () => {
  const params = { w: nx.tensor([1, 2]), layers: [{ b: nx.tensor([3]) }] };
  const g: typeof params = grad((p: typeof params) => nx.sum(nx.mul(p.w, p.w)))(params);
  const [[loss, aux], gs] = valueAndGrad((p: typeof params) => [nx.sum(p.w), { n: 3, h: p.w }], { hasAux: true })(params);
  const n: number = aux.n;
  const h: Tensor = aux.h;
  const l: Tensor = loss;
  const w: Tensor = gs.w;
  const [y, pullback] = vjp((t: Tensor) => ({ a: nx.sin(t) }), nx.tensor([1]));
  const gx: Tensor = pullback({ a: nx.tensor([1]) });
  expect([g.w.shape, n, h.shape, l.shape, w.shape, y.a.shape, gx.shape]).toEqual([[2], 3, [2], [], [2], [1], [1]]);
});
