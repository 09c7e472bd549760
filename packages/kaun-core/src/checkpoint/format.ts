/**
 * The safetensors format (Hugging Face): an 8-byte little-endian unsigned
 * header length `N`, then `N` bytes of UTF-8 JSON, then the data buffer. The
 * JSON maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }`
 * (byte offsets into the data buffer, which starts right after the header),
 * plus an optional `"__metadata__"` map of strings to strings. Data is
 * little-endian, C order. Writers pad the header with spaces to a multiple
 * of 8 bytes.
 */
import type { DType } from "@raven-ts/nx";

/** The largest header accepted (and written), as the reference implementation: 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

/** The most tensors one file may hold (header entries besides `__metadata__`). */
export const MAX_TENSORS = 100_000;

/** The most entries of the `__metadata__` map (and of any other object inside a header entry). */
export const MAX_METADATA_ENTRIES = 10_000;

/** The most JSON values (numbers, strings, keys) a header may hold in all: 100,000 tensors of rank 4 need about 1.2 million. */
export const MAX_HEADER_VALUES = 2_000_000;

/** How deep a header nests: the top object, an entry's object, its `shape` or `data_offsets` array. */
export const MAX_HEADER_DEPTH = 3;

/** The bytes per element of every safetensors dtype whose size is a whole number of bytes. */
export const ITEM_BYTES: Readonly<Record<string, number>> = Object.freeze({
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
  C64: 8,
});

/** The safetensors dtype of each nx dtype. */
export const TO_SAFETENSORS: Readonly<Record<DType, string>> = Object.freeze({
  float32: "F32",
  float64: "F64",
  int32: "I32",
  uint8: "U8",
  bool: "BOOL",
});

/** The nx dtype of each safetensors dtype nx can hold. */
export const FROM_SAFETENSORS: Readonly<Record<string, DType>> = Object.freeze({
  F32: "float32",
  F64: "float64",
  I32: "int32",
  U8: "uint8",
  BOOL: "bool",
});

/** Names a tensor may not have (nor contain as a dotted segment): they are object-prototype keys. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The reserved header key of the metadata map. */
export const METADATA_KEY = "__metadata__";

/** True on little-endian hosts (every mainstream JS platform), where typed arrays can be copied as bytes. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
