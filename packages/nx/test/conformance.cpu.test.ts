// The backend conformance suite (`@raven-ts/nx/testing`) run on the pure-TS CPU backend.
import { cpuBackend } from "../src/index.js";
import { describeBackendConformance } from "../src/testing/index.js";

describeBackendConformance("cpu", cpuBackend);
