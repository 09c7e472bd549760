// `pnpm test` for @raven-ts/backend-gpujs: runs vitest, under `xvfb-run -a`
// when there is no X display (headless-gl, behind the `headlessgl` mode,
// needs one; Chromium does not). Extra arguments go to vitest.
import { spawnSync } from "node:child_process";

const args = ["run", ...process.argv.slice(2)];
const hasXvfb = spawnSync("sh", ["-c", "command -v xvfb-run"], { stdio: "ignore" }).status === 0;
const wrap = !process.env.DISPLAY && hasXvfb;
if (!process.env.DISPLAY && !hasXvfb) {
  console.warn("backend-gpujs: no DISPLAY and no xvfb-run: the headlessgl tests will be skipped (they fail when CI is set)");
}
const result = wrap
  ? spawnSync("xvfb-run", ["-a", "vitest", ...args], { stdio: "inherit" })
  : spawnSync("vitest", args, { stdio: "inherit" });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
