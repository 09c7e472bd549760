// The backend registry: what setBackend and registerBackend accept, and that a
// rejected call changes nothing (before these checks, setBackend({}) was
// accepted and broke nx.memory() for the rest of the process).
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import * as nx from "../src/index.js";
import { CpuBackend } from "../src/index.js";
import { expectInvalidArgument } from "../src/testing/index.js";
import { restrictedBackend } from "./support/restricted.js";

/** The observable state of the registry. */
function state(): { current: nx.Backend; names: string[]; memory: string[] } {
  return { current: nx.getBackend(), names: nx.listBackends(), memory: Object.keys(nx.memory().backends) };
}

/** Checks that `call` is rejected naming `fn` with `fragments` and leaves the registry as it was. */
function rejectedWithoutChange(fn: string, call: () => unknown, ...fragments: string[]): void {
  const before = state();
  expectInvalidArgument(call, fn, ...fragments);
  const after = state();
  expect(after.current).toBe(before.current);
  expect(after.names).toEqual(before.names);
  expect(after.memory).toEqual(before.memory);
  expect(nx.memory().numTensors).toBeGreaterThanOrEqual(0);
  expect(nx.sum(nx.ones([3])).item()).toBe(3);
}

/** `without(key)` is a CPU backend missing `key` (a method or a field). */
function without(key: string): object {
  const cpu = new CpuBackend();
  return new Proxy(cpu, { get: (t, p) => (p === key ? undefined : Reflect.get(t, p, t)), has: (t, p) => p !== key && Reflect.has(t, p) });
}

describe("setBackend", () => {
  const original = nx.getBackend();
  afterEach(() => {
    nx.setBackend(original);
  });

  it("returns the instance it is given, typed as that instance; a name gives a Backend", () => {
    const cpu = new CpuBackend();
    const selected = nx.setBackend(cpu);
    expect(selected).toBe(cpu);
    expectTypeOf(selected).toEqualTypeOf<CpuBackend>();
    expectTypeOf(nx.setBackend("cpu")).toEqualTypeOf<nx.Backend>();
  });

  it("rejects what is not a backend, changing nothing", () => {
    rejectedWithoutChange("nx.setBackend", () => nx.setBackend({} as nx.Backend), "a backend must have a non-empty string name, got undefined");
    rejectedWithoutChange("nx.setBackend", () => nx.setBackend(null as unknown as nx.Backend), "got null");
    rejectedWithoutChange("nx.setBackend", () => nx.setBackend(42 as unknown as nx.Backend), "got 42");
    rejectedWithoutChange("nx.setBackend", () => nx.setBackend(without("matmul") as nx.Backend), 'backend "cpu" lacks the method matmul');
    rejectedWithoutChange("nx.setBackend", () => nx.setBackend(without("capabilities") as nx.Backend), 'backend "cpu": capabilities must be an object, got undefined');
    rejectedWithoutChange("nx.setBackend", () => nx.setBackend("nope"), 'no backend registered under "nope"; registered: cpu');
  });

  it("rejects capabilities that break the contract", () => {
    const bad: [Partial<nx.BackendCapabilities>, string][] = [
      [{ dtypes: ["float32", "int32"] }, "dtypes must include float32, int32, bool; missing bool"],
      [{ dtypes: ["float32", "int32", "bool", "float16" as nx.DType] }, "dtypes must be an array of dtypes"],
      [{ maxElements: 0 }, "maxElements must be a positive safe integer, got 0"],
      [{ maxElements: 1.5 }, "maxElements must be a positive safe integer, got 1.5"],
      [{ maxExactInteger: Number.NaN }, "maxExactInteger must be a number >= 1"],
      [{ subnormals: "yes" as unknown as boolean }, 'subnormals must be a boolean, got "yes"'],
    ];
    for (const [caps, fragment] of bad) {
      rejectedWithoutChange("nx.setBackend", () => nx.setBackend(restrictedBackend("odd", caps).backend), `backend "odd": capabilities.${fragment}`);
    }
  });

  it("accepts a backend instance and selects it", () => {
    const b = restrictedBackend("other", {}).backend;
    expect(nx.setBackend(b)).toBe(b);
    expect(nx.getBackend()).toBe(b);
    expect(nx.zeros([2]).backend).toBe(b);
    expect(nx.memory().backends.other).toBeDefined();
  });
});

describe("registerBackend", () => {
  it("rejects a name that is not a non-empty string or a factory that is not a function, registering nothing", () => {
    rejectedWithoutChange("nx.registerBackend", () => nx.registerBackend("x", null as unknown as nx.BackendFactory), "factory must be a function returning a backend, got null");
    rejectedWithoutChange("nx.registerBackend", () => nx.registerBackend("x", {} as nx.BackendFactory), "got an object");
    rejectedWithoutChange("nx.registerBackend", () => nx.registerBackend("", () => new CpuBackend()), 'name must be a non-empty string, got ""');
    rejectedWithoutChange("nx.registerBackend", () => nx.registerBackend(7 as unknown as string, () => new CpuBackend()), "got 7");
  });

  it("checks what the factory builds when the backend is first selected", () => {
    nx.registerBackend("broken", () => ({}) as nx.Backend);
    const before = nx.getBackend();
    expectInvalidArgument(() => nx.setBackend("broken"), "nx.setBackend", "a backend must have a non-empty string name");
    expect(nx.getBackend()).toBe(before);
    expect(Object.keys(nx.memory().backends)).not.toContain("broken");
    expectInvalidArgument(() => nx.zeros([1], { backend: "broken" }), "nx.zeros", "a backend must have a non-empty string name");
  });
});
