// nx's backend conformance suite on the gpujs backend in `webasm` mode.
import { describeBackendConformance } from "@raven-ts/nx/testing";
import { gpujsBackend } from "../src/index.js";
import { CONFORMANCE } from "./support/conformance.js";
import { describeMode } from "./support/modes.js";

describeMode("webasm", () => describeBackendConformance("gpujs-webasm", () => gpujsBackend({ mode: "webasm" }), CONFORMANCE));
