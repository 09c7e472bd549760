/**
 * `Checkpoint`: trees of tensors as safetensors bytes (`toBytes`,
 * `fromBytes`, `inspect`). Files go through `@raven-ts/kaun-core/node`
 * (`Checkpoint.save`, `Checkpoint.load`).
 */
export type { ToBytesOptions } from "./write.js";
export { toBytes } from "./write.js";
export type { FromBytesOptions, Header, TensorInfo } from "./read.js";
export { fromBytes, inspect } from "./read.js";
