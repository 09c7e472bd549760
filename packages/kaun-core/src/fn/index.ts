/**
 * `Fn`: stateless neural-network functions (activations, normalisation,
 * embedding lookup, dropout, attention), differentiable through
 * `@raven-ts/rune`. The layers of `Layer` are built from them.
 */
export type { EluOptions, HardSigmoidOptions, LeakyReluOptions } from "./activation.js";
export { celu, elu, gelu, geluApprox, hardSigmoid, hardSwish, leakyRelu, logSigmoid, mish, relu, relu6, selu, sigmoid, silu, softplus, softsign, tanh } from "./activation.js";
export type { GatedMlpWeights } from "./gated.js";
export { geglu, glu, swiglu } from "./gated.js";
export type { LayerNormOptions, RmsNormOptions } from "./norm.js";
export { layerNorm, rmsNorm } from "./norm.js";
export type { EmbeddingOptions } from "./embedding.js";
export { embedding } from "./embedding.js";
export type { DropoutOptions } from "./dropout.js";
export { dropout } from "./dropout.js";
export type { AttentionWeightsOptions, DotProductAttentionOptions } from "./attention.js";
export { attentionWeights, dotProductAttention } from "./attention.js";
