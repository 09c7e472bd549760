// nx's backend conformance suite on the gpujs backend in `cpu` mode.
import { describeBackendConformance } from "@raven-ts/nx/testing";
import { gpujsBackend } from "../src/index.js";
import { CONFORMANCE } from "./support/conformance.js";
import { describeMode } from "./support/modes.js";

describeMode("cpu", () => describeBackendConformance("gpujs-cpu", () => gpujsBackend({ mode: "cpu" }), CONFORMANCE));
