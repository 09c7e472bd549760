// A CPU backend under another name with declared capabilities of the test's
// choosing, counting every call that allocates or computes: to check that
// the frontend refuses what a backend's capabilities exclude before calling it.
import type { Backend, BackendCapabilities } from "../../src/index.js";
import { CpuBackend } from "../../src/index.js";

/** A backend and the number of allocating or computing calls it received. */
export interface Restricted {
  readonly backend: Backend;
  calls(): number;
}

/** Methods that do not allocate or compute (bookkeeping the frontend may call freely). */
const PASSIVE = new Set(["memory", "free", "read", "readAsync"]);

/** `restrictedBackend(name, capabilities)` is a CPU backend named `name` declaring `capabilities`. */
export function restrictedBackend(name: string, capabilities: Partial<BackendCapabilities>): Restricted {
  const cpu = new CpuBackend();
  const caps: BackendCapabilities = { ...cpu.capabilities, ...capabilities };
  let calls = 0;
  const backend = new Proxy(cpu, {
    get(target, prop) {
      if (prop === "name") return name;
      if (prop === "capabilities") return caps;
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        if (!PASSIVE.has(String(prop))) calls++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as unknown as Backend;
  return { backend, calls: () => calls };
}
