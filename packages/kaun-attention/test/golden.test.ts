// The PyTorch float64 references of ../shared/fixtures/attention_golden.json on the CPU backend's two paths:
// the WebAssembly SIMD kernels (the default) and the pure-TypeScript kernels.
import * as nx from "@raven-ts/nx";
import { describeAttentionGolden } from "../src/testing/index.js";

describeAttentionGolden("cpu (wasm simd)", () => nx.cpuBackend());
describeAttentionGolden("cpu (typescript)", () => nx.cpuBackend({ simd: false }));
