import { defineConfig, mergeConfig } from "vitest/config";
import { preset } from "@raven-ts/vitest-config";

// The end-to-end tests drive one Chromium against the built app; run the files one after another.
export default mergeConfig(preset, defineConfig({ test: { fileParallelism: false, testTimeout: 300_000, hookTimeout: 300_000 } }));
