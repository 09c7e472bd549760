// nx's backend conformance suite on the gpujs backend in `headlessgl` mode
// (real GLSL through headless-gl on Mesa; needs a display, e.g. `xvfb-run -a`).
import { describeConformance } from "./support/conformance.js";

describeConformance("headlessgl");
