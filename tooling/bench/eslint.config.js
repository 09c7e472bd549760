import config from "@raven-ts/eslint-config";

// Plain JavaScript run by Node: declare Node's globals for `no-undef`.
export default [
  ...config,
  {
    languageOptions: {
      globals: { console: "readonly", process: "readonly", setTimeout: "readonly" },
    },
  },
];
