// Argument and option types across rune's public surface: every exported
// function rejects arguments of the wrong type with InvalidArgumentError
// naming itself (not an nx function it uses, and not a TypeError), leaving no
// tensor behind. A final test fails when an export is missing from the table.
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import type { Primitive } from "@raven-ts/nx/primitives";
import { expectInvalid } from "@raven-ts/nx/testing";
import { describe, expect, it } from "vitest";
import * as rune from "../src/index.js";

const bad = <T>(v: unknown): T => v as T;
/** The exports, typed to accept anything (the calls below pass wrong types on purpose). */
type Loose = (...args: unknown[]) => unknown;
const grad = rune.grad as unknown as (f: unknown, options?: unknown) => Loose;
const valueAndGrad = rune.valueAndGrad as unknown as (f: unknown, options?: unknown) => Loose;
const vjp = rune.vjp as unknown as (f: unknown, x: unknown) => unknown;
const x = nx.ones([3]);
const loss = (t: Tensor): Tensor => nx.sum(nx.mul(t, t));
const cycle: unknown[] = [x];
cycle.push(cycle);
const [, pullback] = rune.vjp((t: Tensor) => nx.sin(t), x);
let deep: unknown = x;
for (let i = 0; i < 1001; i++) deep = [deep];

const BAD_CALLS: Readonly<Record<string, readonly (() => unknown)[]>> = {
  grad: [
    () => grad(null),
    () => grad(loss, null),
    () => grad(loss, { hasAux: "true" }),
    () => grad(loss, { aux: true }),
    () => grad(loss)("x"),
    () => grad(loss)(cycle),
    () => grad(loss)(deep),
  ],
  valueAndGrad: [
    () => valueAndGrad(1),
    () => valueAndGrad(loss, []),
    () => valueAndGrad(loss, { hasAux: 1 }),
    () => valueAndGrad(loss)({ w: "x" }),
  ],
  vjp: [
    () => vjp(null, x),
    () => vjp((t: Tensor) => t, cycle),
    () => vjp((t: Tensor) => t, 1),
    () => pullback(bad("ct")),
    () => pullback(bad([x, x])),
  ],
  stopGradient: [() => rune.stopGradient(cycle), () => rune.stopGradient(deep)],
  isDifferentiable: [() => rune.isDifferentiable(bad<Primitive>("fft")), () => rune.isDifferentiable(bad<Primitive>("toString")), () => rune.isDifferentiable(bad<Primitive>(null))],
};

/** Exports that are not functions taking user arguments. */
const NOT_FUNCTIONS = ["VJP"];

describe("bad argument types across rune's exports", () => {
  for (const [name, calls] of Object.entries(BAD_CALLS)) {
    it(`${name} rejects each with InvalidArgumentError naming rune.${name}`, () => {
      calls.forEach((call, i) => {
        try {
          expectInvalid(`rune.${name}`, call);
        } catch (e) {
          throw new Error(`bad call ${i} of ${name}: ${(e as Error).message}`);
        }
      });
    });
  }

  it("covers every export", () => {
    expect(Object.keys(rune).filter((k) => !(k in BAD_CALLS) && !NOT_FUNCTIONS.includes(k))).toEqual([]);
    expect(rune.isDifferentiable("matmul")).toBe(true);
    expect(rune.isDifferentiable("argmax")).toBe(false);
  });
});
