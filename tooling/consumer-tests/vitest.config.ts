import { preset } from "@raven-ts/vitest-config";

export default preset;
