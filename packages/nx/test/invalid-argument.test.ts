import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../src/errors.js";
import { expectInvalidArgument } from "../src/testing/index.js";

const throwing = (fn: string, detail: string) => (): never => {
  throw new InvalidArgumentError(fn, detail);
};

describe("expectInvalidArgument", () => {
  it("returns the error when the class, name, prefix and every fragment match", () => {
    const err = expectInvalidArgument(throwing("nx.add", "shapes [2] and [3] do not broadcast"), "nx.add", "[2]", "do not broadcast");
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toBe("nx.add: shapes [2] and [3] do not broadcast");
    expect(expectInvalidArgument(throwing("nx.sum", "axis 2"), undefined).message).toBe("nx.sum: axis 2");
  });

  it("fails when the call returns or throws something else", () => {
    expect(() => expectInvalidArgument(() => 1, "nx.add")).toThrow(/expected nx\.add to throw an InvalidArgumentError, but it returned/);
    expect(() => expectInvalidArgument(() => { throw new TypeError("nx.add: x"); }, "nx.add")).toThrow(/got TypeError: nx\.add: x/);
    expect(() => expectInvalidArgument(() => { throw "nx.add: x"; }, "nx.add")).toThrow(/got nx\.add: x/);
    const impostor = Object.assign(new Error("nx.add: x"), { name: "InvalidArgumentError" });
    expect(() => expectInvalidArgument(() => { throw impostor; }, "nx.add")).toThrow(/nx's InvalidArgumentError class/);
  });

  it("fails when the prefix or a fragment is missing", () => {
    expect(() => expectInvalidArgument(throwing("nx.sub", "x"), "nx.add")).toThrow(/to start with "nx\.add: ", got "nx\.sub: x"/);
    expect(() => expectInvalidArgument(throwing("nx.addition", "x"), "nx.add")).toThrow(/to start with "nx\.add: "/);
    expect(() => expectInvalidArgument(throwing("nx.add", "shapes differ"), "nx.add", "shapes", "dtype")).toThrow(/dtype/);
    expect(() => expectInvalidArgument(throwing("nx.add", "shapes differ"), undefined, "dtype")).toThrow(/dtype/);
  });
});
