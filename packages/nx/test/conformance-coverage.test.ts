// Every primitive has conformance vectors: while the ops of the vector cases
// run (their arguments already materialized), every primitive of nx's
// `PRIMITIVES` executes at least once, so a backend passing the suite has had
// each of its kernels compared with numpy's values. (rune's coverage test does
// the same for gradients.)
import { describe, expect, it } from "vitest";
import * as nx from "../src/index.js";
import type { Primitive } from "../src/primitives.js";
import { PRIMITIVES, addTracer } from "../src/primitives.js";
import { VECTORS } from "../src/testing/index.js";
import { applyCase, materialize } from "../src/testing/runner.js";

describe("conformance vectors", () => {
  it("execute every primitive", () => {
    const executed = new Set<Primitive>();
    for (const c of VECTORS) {
      nx.tidy(() => {
        const args = c.args.map(materialize);
        const stop = addTracer({ record: (p) => void executed.add(p) });
        try {
          applyCase(c, args);
        } finally {
          stop();
        }
      });
    }
    expect(PRIMITIVES.filter((p) => !executed.has(p))).toEqual([]);
    expect(executed.size).toBe(PRIMITIVES.length);
  });
});
