/**
 * The dtype policy of the gpujs backend. gpu.js computes in float32, so every
 * buffer stores float32 values: `float32` is native; `int32`, `uint8` and
 * `bool` are stored as float32 and are exact while |v| < 2^24 (INT32_MAX, which float32 rounds to 2^31,
 * reads back as INT32_MAX); `float64` is rejected.
 */
import type { DType, HostArray } from "@raven-ts/nx";
import { InvalidArgumentError } from "@raven-ts/nx";

/** The dtypes the backend stores (all but float64). */
export type StoredDType = Exclude<DType, "float64">;

/**
 * `checkDType(fn, dtype)` returns `dtype` when the backend can hold it.
 * @throws InvalidArgumentError naming `fn` for `float64`, telling the user to cast or use the CPU backend.
 */
export function checkDType(fn: string, dtype: DType): StoredDType {
  if (dtype === "float64") {
    throw new InvalidArgumentError(
      fn,
      "float64 is not supported by the gpujs backend (gpu.js computes in float32); cast to float32 first (nx.cast(x, \"float32\")) or use the CPU backend (nx.setBackend(\"cpu\"))",
    );
  }
  return dtype;
}

/** `toFloat32(data)` is the values of a host array as float32 (integers beyond 2^24 round). */
export function toFloat32(data: HostArray): Float32Array {
  return data instanceof Float32Array ? data.slice() : Float32Array.from(data);
}

/**
 * `fromFloat32(values, dtype)` is the host array of `dtype` holding `values`
 * (already converted by the kernels, so integers are whole and bools 0/1).
 */
export function fromFloat32(values: Float32Array, dtype: StoredDType): HostArray {
  switch (dtype) {
    case "float32":
      return values;
    case "int32": {
      // float32 rounds 2^31 - 1 (INT32_MAX) up to 2^31; clamp it back instead of letting it wrap to INT32_MIN.
      const out = new Int32Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number;
        out[i] = v >= 2147483648 ? 2147483647 : v;
      }
      return out;
    }
    case "uint8":
    case "bool":
      return Uint8Array.from(values);
  }
}
