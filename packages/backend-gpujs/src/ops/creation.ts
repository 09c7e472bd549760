/** Buffers made from nothing or from the host: `fill`, `iota`, `upload`. */
import type { KernelSpec } from "../codegen/kernel.js";
import type { StoredDType } from "../dtypes.js";
import type { KernelRunner } from "../runner.js";
import type { DeviceBuffer } from "../storage.js";
import { castExpr } from "./elementwise.js";

const FILL: KernelSpec = { family: "fill", buffers: [], scalars: ["s0"], body: "return s0;" };

/** `fill(runner, size, value)` is a buffer of `size` copies of `value` (any float, NaN and ±Infinity included). */
export function fill(runner: KernelRunner, size: number, value: number): DeviceBuffer {
  return runner.run(FILL, size, [], [value]);
}

/** `iota(runner, size, start, step, dtype)`: element `i` is `start + i * step` converted to `dtype`. */
export function iota(runner: KernelRunner, size: number, start: number, step: number, dtype: StoredDType): DeviceBuffer {
  const spec: KernelSpec = {
    family: "iota",
    buffers: [],
    scalars: ["s0", "s1"],
    body: `const v0 = s0 + o * s1;\nreturn ${castExpr("float32", dtype)};`,
  };
  return runner.run(spec, size, [], [start, step]);
}

const IDENTITY: KernelSpec = { family: "upload", buffers: ["x0"], body: "return x0[o];" };

/**
 * `upload(runner, values)` stores `values` on the device: through an
 * identity kernel into a texture on GL, as the array itself in `webasm` and
 * `cpu` (where gpu.js keeps results in host memory anyway).
 */
export function upload(runner: KernelRunner, values: Float32Array): DeviceBuffer {
  if (!runner.engine.isGL || values.length === 0) {
    return values.length === 0 ? { size: 0, data: null } : { size: values.length, data: values };
  }
  return runner.run(IDENTITY, values.length, [{ size: values.length, data: values }]);
}
