import config from "@raven-ts/eslint-config";

export default config;
