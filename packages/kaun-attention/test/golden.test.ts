// The PyTorch float64 references of fixtures/attention_golden.json on the CPU backend's two paths:
// the WebAssembly SIMD kernels (the default) and the pure-TypeScript kernels.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as nx from "@raven-ts/nx";
import { describe, expect, it } from "vitest";
import { describeAttentionGolden, GOLDEN_FIXTURE, loadGoldenCases } from "../src/testing/index.js";

describe("the golden fixture ships with the package", () => {
  it("GOLDEN_FIXTURE is fixtures/attention_golden.json at the package root, listed in package.json files", async () => {
    expect(GOLDEN_FIXTURE).toBe(fileURLToPath(new URL("../fixtures/attention_golden.json", import.meta.url)));
    expect(existsSync(GOLDEN_FIXTURE)).toBe(true);
    const pkg = (await import("../package.json", { with: { type: "json" } })).default as { files: string[] };
    expect(pkg.files).toContain("fixtures");
  });

  it("loadGoldenCases() reads it: 74 MHA and 6 RoPE cases", () => {
    const cases = loadGoldenCases();
    expect(cases.filter((c) => c.kind === "mha")).toHaveLength(74);
    expect(cases.filter((c) => c.kind === "rope")).toHaveLength(6);
  });
});

describeAttentionGolden("cpu (wasm simd)", () => nx.cpuBackend());
describeAttentionGolden("cpu (typescript)", () => nx.cpuBackend({ simd: false }));
