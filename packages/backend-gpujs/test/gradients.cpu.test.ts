// rune's gradient checks (float32 mode: compared with float64 finite differences on the CPU backend) on the gpujs backend in `cpu` mode.
import { describeGradientChecks } from "@raven-ts/rune/testing";
import { gpujsBackend } from "../src/index.js";
import { describeMode } from "./support/modes.js";

describeMode("cpu", () => describeGradientChecks("gpujs-cpu", () => gpujsBackend({ mode: "cpu" }), { dtype: "float32" }));
