/**
 * The dtype policy of the gpujs backend. gpu.js computes in float32, so every
 * buffer stores float32 values: `float32` is native; `int32`, `uint8` and
 * `bool` are stored as float32 and are exact while |v| <= 2^24 (INT32_MAX, which float32 rounds to 2^31,
 * reads back as INT32_MAX); `float64` is not stored. The backend declares
 * this in its capabilities, so the nx frontend never hands it a float64.
 */
import type { DType, HostArray } from "@raven-ts/nx";

/** The dtypes the backend stores (all but float64), as its capabilities declare them. */
export const STORED_DTYPES = ["float32", "int32", "uint8", "bool"] as const satisfies readonly DType[];

/** A dtype the backend stores. */
export type StoredDType = (typeof STORED_DTYPES)[number];

/** The largest integer magnitude float32 storage keeps exactly. */
export const MAX_EXACT_INTEGER = 2 ** 24;

/** `stored(dtype)` is `dtype` as a stored dtype. Frontend guarantees it is one (see the capabilities). */
export function stored(dtype: DType): StoredDType {
  return dtype as StoredDType;
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
