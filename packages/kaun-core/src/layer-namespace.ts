/**
 * Everything reachable as `Layer.*`: the layer type and its helpers, the
 * combinators, and the standard layers.
 */
export type { ApplyArgs, ApplyOptions, ElementKind, InitHelperOptions, InitOptions, Layer, Vars } from "./layer.js";
export { apply, compose, init, sequential } from "./layer.js";
export type { NamedForward, NamedLayer, NamedOptions, NamedOverride, NamedRun } from "./layers/named.js";
export { named } from "./layers/named.js";
export type { LinearOptions } from "./layers/linear.js";
export { linear } from "./layers/linear.js";
export type { LayerNormLayerOptions, RmsNormLayerOptions } from "./layers/norm.js";
export { layerNorm, rmsNorm } from "./layers/norm.js";
export type { EmbeddingLayerOptions } from "./layers/embedding.js";
export { embedding } from "./layers/embedding.js";
export type { DropoutLayerOptions } from "./layers/dropout.js";
export { dropout } from "./layers/dropout.js";
export { celu, elu, flatten, gelu, hardSigmoid, hardSwish, leakyRelu, logSigmoid, mish, relu, relu6, selu, sigmoid, silu, softsign, tanh } from "./layers/activation.js";
export type { GatedMlpOptions } from "./layers/gated.js";
export { geglu, glu, swiglu } from "./layers/gated.js";
