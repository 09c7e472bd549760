// nx's backend conformance suite on the gpujs backend in `webasm` mode (gpu.js's WebAssembly kernels).
import { describeBackendConformance } from "@raven-ts/nx/testing";
import { gpujsBackend } from "../src/index.js";
import { CONFORMANCE } from "./support/conformance.js";

describeBackendConformance("gpujs-webasm", () => gpujsBackend({ mode: "webasm" }), CONFORMANCE);
