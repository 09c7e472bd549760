// Error messages quote user input in bounded length (DESIGN.md: "every
// message that quotes user input is bounded in length"): fmtShape and
// fmtValue never exceed MAX_QUOTED_CHARS, and ops given huge or hostile
// values report them briefly.
import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import { MAX_QUOTED_CHARS, fmtShape, fmtValue } from "../src/index.js";
import { expectInvalidArgument } from "../src/testing/index.js";

describe("fmtShape", () => {
  it("writes short shapes in full and long ones by their ends", () => {
    expect(fmtShape([])).toBe("[]");
    expect(fmtShape([2, 3])).toBe("[2,3]");
    expect(fmtShape(Array.from({ length: 10 }, (_, i) => i))).toBe("[0,1,2,3,4,5,6,7,8,9]");
    expect(fmtShape(Array.from({ length: 1000 }, (_, i) => i))).toBe("[0,1,2,3,4,5,6,7,...(990 more),998,999]");
    expect(fmtShape([1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300]).length).toBeLessThanOrEqual(MAX_QUOTED_CHARS);
    expect(fmtShape(["a".repeat(1000)] as unknown as number[]).length).toBeLessThanOrEqual(MAX_QUOTED_CHARS);
  });
});

describe("fmtValue", () => {
  it("describes values briefly, without trusting class names", () => {
    expect([fmtValue(null), fmtValue(undefined), fmtValue(-0), fmtValue(Number.NaN), fmtValue(3n), fmtValue(true)]).toEqual(["null", "undefined", "-0", "NaN", "3n", "true"]);
    expect(fmtValue("abc")).toBe('"abc"');
    expect(fmtValue("x".repeat(100))).toBe(`"${"x".repeat(40)}…"`);
    expect(fmtValue([1, "2", [3, [4]]])).toBe('[1, "2", [3, an array of length 1]]');
    expect(fmtValue(new Array(1e6).fill(0))).toBe("an array of length 1000000");
    expect(fmtValue({ a: 1 })).toBe("an object");
    expect(fmtValue(nx.ones([2]))).toBe("a Tensor");
    expect(fmtValue(new Float32Array(3))).toBe("a Float32Array of 3 elements");
    expect(fmtValue(() => 1)).toBe("a function");
    class Hostile {}
    Object.defineProperty(Hostile, "name", { value: "x".repeat(10_000) });
    expect(fmtValue(new Hostile())).toBe("an object");
    Object.defineProperty(Hostile, "name", { value: "<img src=x>" });
    expect(fmtValue(new Hostile())).toBe("an object");
    const trap = new Proxy({}, { getPrototypeOf: () => { throw new Error("trap"); } });
    expect(fmtValue(trap)).toBe("an object");
  });
});

describe("messages of ops given huge values", () => {
  const x = nx.ones([2, 3]);
  const short = (e: Error): void => expect(e.message.length, e.message).toBeLessThan(2 * MAX_QUOTED_CHARS + 120);

  it("stay short", () => {
    short(expectInvalidArgument(() => nx.zeros(new Array<number>(100_000).fill(1)), "nx.zeros", "shape has 100000 axes; tensors have at most 64"));
    short(expectInvalidArgument(() => nx.reshape(x, new Array<number>(100_000).fill(-1)), "nx.reshape", "only one dimension can be -1"));
    short(expectInvalidArgument(() => nx.slice(x, [{ start: "s".repeat(1e6) as unknown as number }]), "nx.slice", "start on axis 0 must be an integer"));
    short(expectInvalidArgument(() => nx.sum(x, { axes: new Array<number>(50).fill(0) }), "nx.sum", "repeated axis"));
    short(expectInvalidArgument(() => nx.transpose(x, new Array<number>(1e5).fill(0)), "nx.transpose", "is not a permutation"));
    short(expectInvalidArgument(() => nx.concatenate(new Array<nx.Tensor>(1000).fill(x).concat([nx.ones([2, 2, 2])])), "nx.concatenate", "(1001 tensors)"));
    short(expectInvalidArgument(() => nx.tensor([1], { dtype: "f".repeat(1e6) as nx.DType }), "nx.tensor", "unknown dtype"));
  });
});
