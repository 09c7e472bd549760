/** A pre-norm transformer block: norm → attention → residual → norm → MLP → residual. */
import * as nx from "@raven-ts/nx";
import { InvalidArgumentError, type Tensor } from "@raven-ts/nx";
import { Fn, Layer, type Ptree, type Vars } from "@raven-ts/kaun-core";
import type { AttentionConfig, MultiHeadAttentionOptions } from "./config.js";
import { multiHeadAttention, type AttentionCallOptions, type CacheOptions, type KvCache, type MultiHeadAttentionLayer } from "./mha.js";
import { field, initNamed, namedRunner, type NamedRunner } from "./named.js";

/** The normalization a block applies before each sub-layer. */
export type NormKind = "rmsNorm" | "layerNorm";

/** The MLP's activation. */
export type ActivationKind = "gelu" | "silu" | "relu";

/** Options of {@link transformerBlock}: the attention's options plus the MLP and normalization. */
export interface TransformerBlockOptions extends MultiHeadAttentionOptions {
  /** The MLP's hidden width; defaults to `4 * embedDim`. */
  readonly mlpDim?: number;
  /** The normalization; defaults to `"rmsNorm"`. */
  readonly norm?: NormKind;
  /** Added inside the norm's square root; defaults to the norm's own default: 1e-6 for `"rmsNorm"`, 1e-5 for `"layerNorm"`. */
  readonly normEps?: number;
  /** The MLP's activation; defaults to `"gelu"`. */
  readonly activation?: ActivationKind;
}

/** A block's configuration with every default filled in: the attention's plus the MLP and normalization. */
export interface TransformerBlockConfig extends AttentionConfig {
  readonly mlpDim: number;
  readonly norm: NormKind;
  readonly normEps: number;
  readonly activation: ActivationKind;
}

/** The default epsilon of each normalization (that of kaun-core's `Layer.rmsNorm` and `Layer.layerNorm`). */
const DEFAULT_NORM_EPS: Record<NormKind, number> = { rmsNorm: 1e-6, layerNorm: 1e-5 };

/**
 * `normLayer(norm, dim, eps)` is the normalization layer of a block (and of
 * `decoderLM`'s final norm): `Layer.rmsNorm` (param `scale`) or
 * `Layer.layerNorm` (params `gamma`, `beta`) over the last axis.
 */
export function normLayer(norm: NormKind, dim: number, eps: number): Layer {
  return norm === "rmsNorm" ? Layer.rmsNorm({ dim, eps }) : Layer.layerNorm({ dim, eps });
}

/** The layer `transformerBlock` returns, with KV-cache decoding. */
export interface TransformerBlockLayer extends Layer<"float", "float"> {
  /** The configuration, with defaults filled in. */
  readonly config: TransformerBlockConfig;
  /** The block's attention layer (its params live under `attn`). */
  readonly attention: MultiHeadAttentionLayer;
  /** `initCache(options)` is an empty cache for the block's attention (see `MultiHeadAttentionLayer.initCache`). */
  initCache(options: CacheOptions): KvCache;
  /**
   * `decode(vars, x, cache, options?)` is the block on the new positions `x`
   * with the attention decoding against `cache` (see
   * `MultiHeadAttentionLayer.decode`); returns the output and the extended cache.
   * @throws InvalidArgumentError as the attention's `decode`.
   */
  decode(vars: Vars, x: Tensor, cache: KvCache, options?: AttentionCallOptions): [Tensor, KvCache];
}

const ACTIVATIONS: Record<ActivationKind, (x: Tensor) => Tensor> = { gelu: Fn.gelu, silu: Fn.silu, relu: Fn.relu };

/**
 * `transformerBlock(options)` is a pre-norm transformer block on
 * `[batch, seqLen, embedDim]`: `h = x + attn(norm(x))`, then
 * `y = h + mlpOut(act(mlpIn(norm(h))))`. Params: `attn_norm`, `attn`
 * (`q_proj k_proj v_proj out_proj`), `mlp_norm`, `mlp_in` and `mlp_out`
 * (`weight`, `bias`). During training with `dropout > 0`, dropout applies to
 * the attention weights and to both residual branches.
 *
 * `mlpDim` defaults to `4 * embedDim`. `norm` defaults to `"rmsNorm"`.
 * `normEps` defaults to 1e-6 for `"rmsNorm"` and 1e-5 for `"layerNorm"`.
 * `activation` defaults to `"gelu"`. The attention options default as in `multiHeadAttention`.
 * @throws InvalidArgumentError for any invalid attention option (as
 * `multiHeadAttention`), an `mlpDim` that is not a positive integer, an
 * unknown `norm` or `activation`, or a `normEps` that is not a finite number ≥ 0.
 */
export function transformerBlock(options: TransformerBlockOptions): TransformerBlockLayer {
  const fn = "kaun.transformerBlock";
  const attention = multiHeadAttention(options);
  const { embedDim, dropout } = attention.config;
  const mlpDim = options.mlpDim ?? 4 * embedDim;
  if (!Number.isInteger(mlpDim) || mlpDim <= 0) throw new InvalidArgumentError(fn, `mlpDim must be a positive integer, got ${String(mlpDim)}`);
  const norm = options.norm ?? "rmsNorm";
  if (norm !== "rmsNorm" && norm !== "layerNorm") throw new InvalidArgumentError(fn, `norm must be "rmsNorm" or "layerNorm", got ${String(norm)}`);
  const activationName = options.activation ?? "gelu";
  const activation = ACTIVATIONS[activationName];
  if (activation === undefined) throw new InvalidArgumentError(fn, `activation must be one of ${Object.keys(ACTIVATIONS).join(", ")}, got ${String(activationName)}`);
  const normEps = options.normEps ?? DEFAULT_NORM_EPS[norm];
  if (typeof normEps !== "number" || !(normEps >= 0) || !Number.isFinite(normEps)) throw new InvalidArgumentError(fn, `normEps must be a finite number >= 0, got ${String(normEps)}`);
  const config: TransformerBlockConfig = { ...attention.config, mlpDim, norm, normEps, activation: activationName };
  const layers = {
    attn_norm: normLayer(norm, embedDim, normEps),
    attn: attention,
    mlp_norm: normLayer(norm, embedDim, normEps),
    mlp_in: Layer.linear({ inFeatures: embedDim, outFeatures: mlpDim }),
    mlp_out: Layer.linear({ inFeatures: mlpDim, outFeatures: embedDim }),
  };

  /** The block around an attention strategy: `attend(run, h)` is the attention output on the normalized input. */
  const forward = (args: Parameters<Layer["apply"]>[0], x: Tensor, attend: (run: NamedRunner, h: Tensor) => Tensor): [Tensor, Ptree] => {
    const { run, states } = namedRunner(fn, layers, args);
    const residual = (y: Tensor): Tensor => (args.training && dropout > 0 ? Fn.dropout(y, { rate: dropout }) : y);
    const h = nx.add(x, residual(attend(run, run("attn_norm", x))));
    const m = run("mlp_out", activation(run("mlp_in", run("mlp_norm", h))));
    return [nx.add(h, residual(m)), states];
  };

  return {
    config,
    attention,
    init: ({ dtype }) => ({ ...initNamed(layers, dtype), dtype }),
    apply: (args, x) => forward(args, x, (run, h) => run("attn", h)),
    initCache: (cacheOptions) => attention.initCache(cacheOptions),
    decode: (vars, x, cache, callOptions = {}) => {
      let next: KvCache = cache;
      const args = { params: vars.params, state: vars.state, dtype: vars.dtype, training: false, ctx: callOptions.ctx };
      const [y] = forward(args, x, (_run, h) => {
        const attnVars = { params: field(fn, vars.params, "attn"), state: field(fn, vars.state, "attn"), dtype: vars.dtype };
        const [out, extended] = attention.decode(attnVars, h, cache, callOptions.ctx === undefined ? {} : { ctx: callOptions.ctx });
        next = extended;
        return out;
      });
      return [y, next];
    },
  };
}
