// nx's backend conformance suite on the gpujs backend in `headlessgl` mode.
import { describeBackendConformance } from "@raven-ts/nx/testing";
import { gpujsBackend } from "../src/index.js";
import { CONFORMANCE } from "./support/conformance.js";
import { describeMode } from "./support/modes.js";

// GL flushes subnormals to zero, so cast(1e-40 -> bool) is false there.
const GL_SKIP = ["cast.float32->bool"];
describeMode("headlessgl", () => describeBackendConformance("gpujs-headlessgl", () => gpujsBackend({ mode: "headlessgl" }), { ...CONFORMANCE, skip: [...(CONFORMANCE.skip ?? []), ...GL_SKIP] }));
