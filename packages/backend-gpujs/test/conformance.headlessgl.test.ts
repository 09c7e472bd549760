// nx's backend conformance suite on the gpujs backend in `headlessgl` mode
// (real GLSL through headless-gl on Mesa; needs a display, e.g. `xvfb-run -a`).
import { describeConformance } from "./support/conformance.js";

// GL flushes subnormals to zero, so cast(1e-40 -> bool) is false there.
describeConformance("headlessgl", ["cast.float32->bool"]);
