// nx's backend conformance suite on the gpujs backend in `webasm` mode.
import { describeConformance } from "./support/conformance.js";

describeConformance("webasm");
