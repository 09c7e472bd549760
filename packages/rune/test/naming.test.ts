// Which function an allocation failure names: inside `f`, the nx op the user
// wrote; in the backward pass (which runs no user code), rune.grad.
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { afterAll, beforeAll, describe, it } from "vitest";
import { grad } from "../src/index.js";

describe("on a backend holding at most 100 elements per tensor", () => {
  let previous: nx.Backend;
  beforeAll(() => {
    previous = nx.getBackend();
    const cpu = new nx.CpuBackend();
    const capabilities = { ...cpu.capabilities, maxElements: 100 };
    const get = (t: nx.CpuBackend, p: string | symbol): unknown => {
      if (p === "name") return "small";
      if (p === "capabilities") return capabilities;
      const v: unknown = Reflect.get(t, p, t);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    };
    nx.setBackend(new Proxy(cpu, { get }));
  });
  afterAll(() => {
    nx.setBackend(previous);
  });

  it("a forward op too large for the backend is reported under the op the user wrote", () => {
    const x = nx.ones([3]);
    expectInvalidArgument(() => grad((t: Tensor) => nx.sum(nx.tile(t, 50)))(x), "nx.tile", "150 elements");
  });

  it("a backward tensor too large for the backend is reported under rune.grad", () => {
    const x = nx.ones([3]);
    // The forward pass reduces a broadcast view (nothing large is allocated); max's rule compares at full size.
    expectInvalidArgument(() => grad((t: Tensor) => nx.max(nx.broadcastTo(t, [50, 3])))(x), "rune.grad", "150 elements", 'backend "small"');
  });
});
