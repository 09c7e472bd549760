import * as nx from "@raven-ts/nx";
import { describe, expect, it } from "vitest";
import { rope } from "../src/index.js";

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect((e as Error).name).toBe("InvalidArgumentError");
    return (e as Error).message;
  }
  throw new Error("expected an InvalidArgumentError");
}

describe("rope: the seed's errors", () => {
  it("rank < 2", () => expect(invalid(() => rope(nx.zeros([8])))).toBe("kaun.rope: x must have rank >= 2, got shape [8]"));
  it("seqDim out of bounds", () => {
    expect(invalid(() => rope(nx.zeros([2, 3, 4]), { seqDim: 3 }))).toBe("kaun.rope: seqDim 3 is out of bounds for rank 3");
    expect(invalid(() => rope(nx.zeros([2, 3, 4]), { seqDim: -4 }))).toBe("kaun.rope: seqDim -4 is out of bounds for rank 3");
  });
  it("seqDim designates the last axis", () => {
    expect(invalid(() => rope(nx.zeros([3, 4]), { seqDim: -1 }))).toContain("designates the last axis");
    expect(invalid(() => rope(nx.zeros([3, 4]), { seqDim: 1 }))).toContain("designates the last axis");
  });
  it("odd headDim", () => expect(invalid(() => rope(nx.zeros([3, 5])))).toBe("kaun.rope: headDim (the last axis) must be even, got 5"));
  it("non-float input, bad theta or offset", () => {
    expect(invalid(() => rope(nx.zeros([3, 4], "int32")))).toContain("float32 or float64, got int32");
    expect(invalid(() => rope(nx.zeros([3, 4]), { theta: -1 }))).toContain("theta must be a positive finite number");
    expect(invalid(() => rope(nx.zeros([3, 4]), { offset: 1.5 }))).toContain("offset must be a non-negative integer");
  });
});

describe("rope: values", () => {
  it("rotates the pair (x[i], x[i + d/2]) by position * theta^(-2i/d) (hand-computed)", () => {
    // One head of size 4, positions 0..2, theta 100: frequencies 1 and 100^(-1/2) = 0.1.
    const x = nx.tensor([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]);
    const y = rope(x, { theta: 100 }).arraySync() as number[][];
    for (let p = 0; p < 3; p++) {
      const [a0, a1] = [p * 1, p * 0.1];
      const expected = [
        1 * Math.cos(a0) - 3 * Math.sin(a0),
        2 * Math.cos(a1) - 4 * Math.sin(a1),
        3 * Math.cos(a0) + 1 * Math.sin(a0),
        4 * Math.cos(a1) + 2 * Math.sin(a1),
      ];
      (y[p] as number[]).forEach((v, i) => expect(Math.abs(v - (expected[i] as number))).toBeLessThan(1e-6));
    }
  });
  it("offset shifts positions: rope(x[3:], offset 3) equals rope(x)[3:]", () => {
    const x = nx.random.normal(nx.random.key(0), [2, 7, 6]);
    const whole = nx.slice(rope(x), [null, { start: 3 }]).dataSync();
    const tail = rope(nx.slice(x, [null, { start: 3 }]), { offset: 3 }).dataSync();
    Array.from(tail).forEach((v, i) => expect(Math.abs(v - (whole[i] as number))).toBeLessThan(1e-6));
  });
  it("keeps float64", () => expect(rope(nx.zeros([2, 4], "float64")).dtype).toBe("float64"));
});
