// rune's gradient checks on the CPU backend's two paths: the WebAssembly SIMD kernels (the default) and the pure-TypeScript kernels.
import * as nx from "@raven-ts/nx";
import { describeGradientChecks } from "../src/testing/index.js";

describeGradientChecks("cpu", () => nx.cpuBackend());
describeGradientChecks("cpu", () => nx.cpuBackend(), { dtype: "float32" });
describeGradientChecks("cpu (typescript)", () => nx.cpuBackend({ simd: false }));
describeGradientChecks("cpu (typescript)", () => nx.cpuBackend({ simd: false }), { dtype: "float32" });
