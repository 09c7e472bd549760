// Finding a Python that has PyTorch, and running the twin's scripts with it.
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The interop/torch directory (the Python package `raven_torch` lives in it). */
export const INTEROP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Where to look, in order: `$RAVEN_PYTHON`, Debian's interpreter (which sees `python3-torch`), then `python3` on PATH. */
const CANDIDATES = /** @type {string[]} */ ([process.env.RAVEN_PYTHON, "/usr/bin/python3", "python3"].filter((c) => typeof c === "string" && c.length > 0));

/** @type {{ python: string, torch: string } | null | undefined} */
let found;

/**
 * `findTorchPython()` is the first candidate interpreter that imports torch,
 * with torch's version, or `null` when none does (the result is cached).
 * @returns {{ python: string, torch: string } | null}
 */
export function findTorchPython() {
  if (found === undefined) {
    found = null;
    for (const python of CANDIDATES) {
      const r = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
      if (r.status === 0) {
        found = { python, torch: r.stdout.trim() };
        break;
      }
    }
  }
  return found;
}

/** The message for a machine without PyTorch. */
export const NO_TORCH = `PyTorch not found (tried ${CANDIDATES.join(", ")}): install it with \`apt-get install --no-install-recommends python3-torch\` (Debian), or point RAVEN_PYTHON at a python with torch`;

/** Whether this is a CI run (`CI` set to anything but "" / "0" / "false"), where a missing PyTorch fails instead of skipping. */
export function isCI() {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/**
 * `runPython(python, args, { env?, inherit? })` runs `python args...` in
 * interop/torch and returns its stdout; it throws with the exit status and
 * stderr when the process fails. `inherit` streams the output to this
 * process's instead of capturing it.
 * @param {string} python
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, inherit?: boolean }} [options]
 * @returns {string}
 */
export function runPython(python, args, options = {}) {
  const r = spawnSync(python, args, {
    cwd: INTEROP_DIR,
    encoding: "utf8",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...options.env },
    stdio: options.inherit ? "inherit" : "pipe",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${python} ${args.join(" ")} exited with status ${r.status}${options.inherit ? "" : `:\n${r.stderr}`}`);
  return r.stdout ?? "";
}
