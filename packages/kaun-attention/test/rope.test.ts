import * as nx from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { describe, expect, it } from "vitest";
import { rope, ropeTables } from "../src/index.js";

describe("rope: the seed's errors", () => {
  it("rank < 2", () => expect(expectInvalidArgument(() => rope(nx.zeros([8])), "kaun.rope").message).toBe("kaun.rope: x must have rank >= 2, got shape [8]"));
  it("seqDim out of bounds", () => {
    expect(expectInvalidArgument(() => rope(nx.zeros([2, 3, 4]), { seqDim: 3 }), "kaun.rope").message).toBe("kaun.rope: seqDim 3 is out of bounds for rank 3");
    expect(expectInvalidArgument(() => rope(nx.zeros([2, 3, 4]), { seqDim: -4 }), "kaun.rope").message).toBe("kaun.rope: seqDim -4 is out of bounds for rank 3");
  });
  it("seqDim designates the last axis", () => {
    expectInvalidArgument(() => rope(nx.zeros([3, 4]), { seqDim: -1 }), "kaun.rope", "designates the last axis");
    expectInvalidArgument(() => rope(nx.zeros([3, 4]), { seqDim: 1 }), "kaun.rope", "designates the last axis");
  });
  it("odd headDim", () => expect(expectInvalidArgument(() => rope(nx.zeros([3, 5])), "kaun.rope").message).toBe("kaun.rope: headDim (the last axis) must be even, got 5"));
  it("non-float input, bad theta or offset", () => {
    expectInvalidArgument(() => rope(nx.zeros([3, 4], "int32")), "kaun.rope", "float32 or float64, got int32");
    expectInvalidArgument(() => rope(nx.zeros([3, 4]), { theta: -1 }), "kaun.rope", "theta must be a positive finite number");
    expectInvalidArgument(() => rope(nx.zeros([3, 4]), { offset: 1.5 }), "kaun.rope", "offset must be a non-negative integer");
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

  it("makes its tables on x's backend, not on the current one", () => {
    const x = nx.tensor([[1, 0], [0, 1], [1, 1]]);
    const want = rope(x).arraySync();
    // A current backend that fails every allocation: rope must not touch it.
    const cpu = new nx.CpuBackend();
    const refuse = (): never => {
      throw new Error("rope allocated on the current backend");
    };
    const get = (t: nx.CpuBackend, p: string | symbol): unknown => {
      if (p === "name") return "elsewhere";
      const v: unknown = Reflect.get(t, p, t);
      if (typeof v !== "function") return v;
      return p === "memory" || p === "free" ? (v as () => unknown).bind(t) : refuse;
    };
    const previous = nx.getBackend();
    nx.setBackend(new Proxy(cpu, { get }));
    try {
      expect(rope(x).arraySync()).toEqual(want);
    } finally {
      nx.setBackend(previous);
    }
  });
});

describe("ropeTables", () => {
  it("holds cos/sin of (offset + p) * theta^(-2j/headDim) in both halves (hand-computed)", () => {
    // headDim 4, theta 100: frequencies 100^0 = 1 and 100^(-2/4) = 0.1; positions 2 and 3.
    const { cos, sin } = ropeTables(2, 4, { theta: 100, offset: 2 });
    expect(cos).toBeInstanceOf(Float64Array);
    expect(sin).toBeInstanceOf(Float64Array);
    const angles = [2, 0.2, 2, 0.2, 3, 0.3, 3, 0.3];
    expect(cos.length).toBe(8);
    expect(sin.length).toBe(8);
    angles.forEach((a, i) => {
      expect(Math.abs((cos[i] as number) - Math.cos(a))).toBeLessThan(1e-15);
      expect(Math.abs((sin[i] as number) - Math.sin(a))).toBeLessThan(1e-15);
    });
  });
  it("defaults to theta 10000 and offset 0; position 0 is the identity", () => {
    const { cos, sin } = ropeTables(2, 2);
    expect(Array.from(cos)).toEqual([1, 1, Math.cos(1), Math.cos(1)]);
    expect(Array.from(sin)).toEqual([0, 0, Math.sin(1), Math.sin(1)]);
    const wide = ropeTables(1, 4, { offset: 1 });
    [Math.cos(1), Math.cos(0.01), Math.cos(1), Math.cos(0.01)].forEach((c, i) => expect(Math.abs((wide.cos[i] as number) - c)).toBeLessThan(1e-15));
    expect(Array.from(ropeTables(0, 4).cos)).toEqual([]);
  });
  it("are the tables rope multiplies by", () => {
    const x = nx.random.normal(nx.random.key(3), [3, 6], "float64");
    const { cos, sin } = ropeTables(3, 6, { theta: 50, offset: 4 });
    const xs = Array.from(x.dataSync());
    const y = Array.from(rope(x, { theta: 50, offset: 4 }).dataSync());
    for (let p = 0; p < 3; p++) {
      for (let j = 0; j < 6; j++) {
        const i = p * 6 + j;
        const rotated = j < 3 ? -(xs[i + 3] as number) : (xs[i - 3] as number);
        expect(Math.abs((y[i] as number) - ((xs[i] as number) * (cos[i] as number) + rotated * (sin[i] as number)))).toBeLessThan(1e-12);
      }
    }
  });
  it("rejects bad sizes, theta and offset", () => {
    expectInvalidArgument(() => ropeTables(-1, 4), "kaun.ropeTables", "seqLen must be a non-negative integer, got -1");
    expectInvalidArgument(() => ropeTables(1.5, 4), "kaun.ropeTables", "seqLen must be a non-negative integer, got 1.5");
    expectInvalidArgument(() => ropeTables(2, 5), "kaun.ropeTables", "headDim must be a non-negative even integer, got 5");
    expectInvalidArgument(() => ropeTables(2, -2), "kaun.ropeTables", "headDim must be a non-negative even integer, got -2");
    expectInvalidArgument(() => ropeTables(2, 4, { theta: 0 }), "kaun.ropeTables", "theta must be a positive finite number, got 0");
    expectInvalidArgument(() => ropeTables(2, 4, { theta: Number.POSITIVE_INFINITY }), "kaun.ropeTables", "theta must be a positive finite number");
    expectInvalidArgument(() => ropeTables(2, 4, { offset: -1 }), "kaun.ropeTables", "offset must be a non-negative integer, got -1");
  });
});
