// rune's gradient checks (float32 mode: compared with float64 finite differences on the CPU backend) on the gpujs backend in `headlessgl` mode.
import { describeGradientChecks } from "@raven-ts/rune/testing";
import { gpujsBackend } from "../src/index.js";
import { describeMode } from "./support/modes.js";

describeMode("headlessgl", () => describeGradientChecks("gpujs-headlessgl", () => gpujsBackend({ mode: "headlessgl" }), { dtype: "float32" }));
