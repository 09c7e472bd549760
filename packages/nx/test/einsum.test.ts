// einsum's plan: contractions run as one batched matmul per operand pair
// (never a broadcast product summed afterwards), views stay views, and only
// the result stays alive. Its values are conformance vectors (numpy's einsum).
import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import type { Primitive } from "../src/primitives.js";
import { addTracer } from "../src/primitives.js";

/** The primitives `f` executes, with the size of each output. */
function traced(f: () => nx.Tensor): { prim: Primitive; size: number }[] {
  const seen: { prim: Primitive; size: number }[] = [];
  const stop = addTracer({ record: (prim, _inputs, _params, out) => void seen.push({ prim, size: out.size }) });
  try {
    nx.tidy(f);
  } finally {
    stop();
  }
  return seen;
}

describe("nx.einsum", () => {
  it("contracts with matmul and never materializes the broadcast product", () => {
    const q = nx.ones([2, 4, 16, 8]);
    const k = nx.ones([2, 4, 32, 8]);
    const steps = traced(() => nx.einsum("bhqd,bhkd->bhqk", q, k));
    expect(steps.filter((s) => s.prim === "matmul")).toHaveLength(1);
    expect(steps.some((s) => s.prim === "mul" || s.prim === "sum")).toBe(false);
    // Nothing larger than the operands or the result ([2,4,16,32]) is made.
    expect(Math.max(...steps.map((s) => s.size))).toBeLessThanOrEqual(2 * 4 * 16 * 32);
  });

  it("computes a chain of three with two matmuls, and a trace without any", () => {
    const a = nx.ones([3, 4]);
    const b = nx.ones([4, 5]);
    const c = nx.ones([5, 2]);
    expect(traced(() => nx.einsum("ij,jk,kl->il", a, b, c)).filter((s) => s.prim === "matmul")).toHaveLength(2);
    expect(traced(() => nx.einsum("ii", nx.eye(4))).filter((s) => s.prim === "matmul")).toHaveLength(0);
  });

  it("returns a view for a pure transpose and leaves only its result alive", () => {
    const x = nx.reshape(nx.arange(6, undefined, 1, { dtype: "float32" }), [2, 3]);
    const before = nx.memory();
    const t = nx.einsum("ij->ji", x);
    expect(nx.memory().numBytes).toBe(before.numBytes);
    expect(t.arraySync()).toEqual([[0, 3], [1, 4], [2, 5]]);
    const y = nx.einsum("ij,jk->ik", x, nx.transpose(x));
    expect(nx.memory().numTensors - before.numTensors).toBe(3); // t, the transposed view and y
    expect(y.arraySync()).toEqual([[5, 14], [14, 50]]);
    const same = nx.einsum("ij", x);
    expect(same).not.toBe(x);
    same.dispose();
    expect(x.isDisposed).toBe(false);
  });
});
