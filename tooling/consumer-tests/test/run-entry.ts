/** Running an entry's `run()` in a fresh Node process, as a user's program would run it. */
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";

/** `runModule(file, cwd?)` imports the ES module `file` in a new Node process and returns what its `run()` returns (through JSON). */
export function runModule(file: string, cwd?: string): unknown {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(JSON.stringify(m.run()));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(out) as unknown;
}
