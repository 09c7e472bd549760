/**
 * `@raven-ts/kaun-attention`: the seed's `Kaun.Attention` in TypeScript —
 * `rope` (with its `ropeTables`), `attentionMaskKey`, `multiHeadAttention`
 * (GQA, causal, RoPE, dropout, padding mask) — plus KV-cache decoding,
 * attention maps for inspection, a pre-norm `transformerBlock`, a tiny
 * `decoderLM` with its sampling step (`sampleTokens`), and checkpoints that
 * carry their model's configuration (`modelMetadata`, `modelFromCheckpoint`).
 */
export type { RopeOptions, RopeTables, RopeTablesOptions } from "./rope.js";
export { rope, ropeTables } from "./rope.js";
export { attentionMaskKey } from "./mask.js";
export type { AttentionConfig, MultiHeadAttentionOptions } from "./config.js";
export type { AttentionCallOptions, CacheOptions, KvCache, MultiHeadAttentionLayer } from "./mha.js";
export { multiHeadAttention } from "./mha.js";
export type { ActivationKind, MlpKind, NormKind, TransformerBlockConfig, TransformerBlockLayer, TransformerBlockOptions } from "./transformer.js";
export { transformerBlock } from "./transformer.js";
export type { DecodeOptions, DecoderLMConfig, DecoderLMLayer, DecoderLMOptions, GenerateOptions, LMAttentionWeightsOptions } from "./decoder-lm.js";
export { decoderLM } from "./decoder-lm.js";
export type { SampleTokensOptions } from "./sampling.js";
export { sampleTokens } from "./sampling.js";
export type { LoadedModel, ModelFromCheckpointOptions, ModelKind, ModelLayer } from "./checkpoint.js";
export { MODEL_METADATA_KEYS, modelFromCheckpoint, modelMetadata } from "./checkpoint.js";
