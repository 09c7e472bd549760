// nx's backend conformance suite on the gpujs backend in `cpu` mode.
import { describeConformance } from "./support/conformance.js";

describeConformance("cpu");
