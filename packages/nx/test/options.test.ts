// The argument checks nx exports for libraries built on it (and uses itself).
import { describe, expect, it } from "vitest";
import { checkBool, checkFinite, checkFunction, checkInteger, checkIntegers, checkOptions } from "../src/index.js";
import { expectInvalidArgument } from "../src/testing/index.js";

describe("option and argument checks", () => {
  it("checkOptions accepts undefined and objects with known keys, and names what is wrong otherwise", () => {
    expect(checkOptions<{ a?: number }>("lib.f", undefined, ["a"])).toEqual({});
    const o = { a: 1, b: undefined };
    expect(checkOptions<{ a?: number }>("lib.f", o as { a?: number }, ["a"])).toBe(o);
    expectInvalidArgument(() => checkOptions("lib.f", null as unknown as object, []), "lib.f", "options must be an object, got null");
    expectInvalidArgument(() => checkOptions("lib.f", [1] as unknown as object, []), "lib.f", "options must be an object, got [1]");
    expectInvalidArgument(() => checkOptions<{ axes?: number }>("lib.f", { axis: 1 } as { axes?: number }, ["axes"]), "lib.f", 'unknown option "axis"; expected axes');
    expectInvalidArgument(() => checkOptions("lib.f", { x: 1 }, []), "lib.f", "this function takes none");
  });

  it("checkBool, checkInteger, checkIntegers, checkFinite and checkFunction", () => {
    expect([checkBool("lib.f", "flag", undefined, true), checkBool("lib.f", "flag", false, true)]).toEqual([true, false]);
    expectInvalidArgument(() => checkBool("lib.f", "flag", "false", true), "lib.f", 'flag must be a boolean, got "false"');
    expect(checkInteger("lib.f", "n", -3)).toBe(-3);
    expectInvalidArgument(() => checkInteger("lib.f", "n", -1, 0), "lib.f", "n must be a non-negative integer, got -1");
    expectInvalidArgument(() => checkInteger("lib.f", "n", 0, 1), "lib.f", "n must be a positive integer, got 0");
    expectInvalidArgument(() => checkInteger("lib.f", "n", 2 ** 53, 0), "lib.f", "n must be a non-negative integer, got 9007199254740992");
    expect(checkIntegers("lib.f", "reps", [1, 2], 0, 2)).toEqual([1, 2]);
    expectInvalidArgument(() => checkIntegers("lib.f", "reps", [1, 2, 3], 0, 2), "lib.f", "reps has 3 entries; at most 2 are allowed");
    expectInvalidArgument(() => checkIntegers("lib.f", "reps", [1, -2], 0, 2), "lib.f", "reps[1] must be a non-negative integer, got -2");
    expectInvalidArgument(() => checkFinite("lib.f", "x", Number.POSITIVE_INFINITY), "lib.f", "x must be a finite number, got Infinity");
    expectInvalidArgument(() => checkFunction("lib.f", "cb", 1 as unknown as () => void), "lib.f", "cb must be a function, got 1");
  });
});
