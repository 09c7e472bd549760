import * as nx from "@raven-ts/nx";
import { describeGradientChecks } from "../src/testing/index.js";

describeGradientChecks("cpu", () => nx.cpuBackend());
describeGradientChecks("cpu", () => nx.cpuBackend(), { dtype: "float32" });
