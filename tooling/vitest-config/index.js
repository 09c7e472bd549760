// Shared Vitest preset: every package's vitest.config.ts spreads this.
import { defineConfig } from "vitest/config";

/** The workspace's test preset: Node environment, tests under test/ or next to sources, no watch in CI. */
export const preset = defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});

export default preset;
