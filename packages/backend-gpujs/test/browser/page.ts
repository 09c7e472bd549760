/** Entry of the browser test bundle: exposes the suite and the `webasm` training check to the Node test as `globalThis.gpujsSuite`. */
import { runSuite } from "./suite.js";
import { trainDecoder } from "./training.js";

(globalThis as { gpujsSuite?: { runSuite: typeof runSuite; trainDecoder: typeof trainDecoder } }).gpujsSuite = { runSuite, trainDecoder };
