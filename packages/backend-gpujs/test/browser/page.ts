/** Entry of the browser test bundle: exposes the suite to the Node test as `globalThis.gpujsSuite`. */
import { runSuite } from "./suite.js";

(globalThis as { gpujsSuite?: { runSuite: typeof runSuite } }).gpujsSuite = { runSuite };
