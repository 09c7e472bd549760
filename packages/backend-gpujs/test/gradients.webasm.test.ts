// rune's gradient checks (float32 mode: compared with float64 finite differences on the CPU backend) on the gpujs backend in `webasm` mode.
import { describeGradientChecks } from "@raven-ts/rune/testing";
import { gpujsBackend } from "../src/index.js";
import { describeMode } from "./support/modes.js";

describeMode("webasm", () => describeGradientChecks("gpujs-webasm", () => gpujsBackend({ mode: "webasm" }), { dtype: "float32" }));
