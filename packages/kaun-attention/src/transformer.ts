/** A pre-norm transformer block: norm → attention → residual → norm → MLP → residual. */
import * as nx from "@raven-ts/nx";
import type { FloatDType, Tensor } from "@raven-ts/nx";
import { Fn, Layer, type Context, type Ptree, type Vars } from "@raven-ts/kaun-core";
import { checkBool, checkModelInput, checkNonNegative, checkOneOf, checkOptions, checkPositiveInt, checkVars, fail, field, optionalOptions } from "@raven-ts/kaun-core/internal";
import { ATTENTION_KEYS, attentionConfig, pick, type AttentionConfig, type MultiHeadAttentionOptions } from "./config.js";
import { CALL_KEYS, checkCacheOf, consume, decodeStep, emptyCaches, multiHeadAttention, type AttentionCallOptions, type CacheOptions, type KvCache, type MultiHeadAttentionLayer } from "./mha.js";

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

/** The option names of {@link transformerBlock}. */
export const BLOCK_KEYS = [...ATTENTION_KEYS, "mlpDim", "norm", "normEps", "activation"] as const satisfies readonly (keyof TransformerBlockOptions)[];

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
  /** `initCache(options)` is an empty cache for the block's attention (see `MultiHeadAttentionLayer.initCache`). @throws InvalidArgumentError as the attention's `initCache`. */
  initCache(options: CacheOptions): KvCache;
  /**
   * `decode(vars, x, cache, options?)` is the block on the new positions `x`
   * with the attention decoding against `cache` (see
   * `MultiHeadAttentionLayer.decode`); returns the output and the extended
   * cache. As there, `cache` is consumed on success (its tensors disposed)
   * unless `keepCache` is true, and left untouched on error, and only the
   * results stay live.
   * @throws InvalidArgumentError as the attention's `decode`.
   */
  decode(vars: Vars, x: Tensor, cache: KvCache, options?: AttentionCallOptions): [Tensor, KvCache];
}

const ACTIVATIONS: Record<ActivationKind, (x: Tensor) => Tensor> = { gelu: Fn.gelu, silu: Fn.silu, relu: Fn.relu };

/**
 * `blockConfig(fn, options)` checks a block's options, naming `kaun.<fn>` in
 * errors (so `decoderLM`'s invalid block options name `decoderLM`). Internal.
 * @throws InvalidArgumentError as {@link transformerBlock}.
 */
export function blockConfig(fn: string, options: TransformerBlockOptions): TransformerBlockConfig {
  const attention = attentionConfig(fn, options);
  const mlpDim = checkPositiveInt(fn, "mlpDim", options.mlpDim ?? 4 * attention.embedDim);
  const norm = checkOneOf(fn, "norm", options.norm ?? "rmsNorm", ["rmsNorm", "layerNorm"] as const);
  const normEps = checkNonNegative(fn, "normEps", options.normEps ?? DEFAULT_NORM_EPS[norm]);
  const activation = checkOneOf(fn, "activation", options.activation ?? "gelu", Object.keys(ACTIVATIONS) as ActivationKind[]);
  return { ...attention, mlpDim, norm, normEps, activation };
}

/** The block `decode` of {@link transformerBlock} computes, unconsumed and unscoped: see {@link decodeBlock}. */
type BlockStep = (fn: string, vars: Vars, x: Tensor, cache: KvCache, ctx: Context | undefined) => [Tensor, KvCache];

const steps = new WeakMap<TransformerBlockLayer, BlockStep>();

/**
 * `decodeBlock(fn, block, vars, x, cache, ctx)` is `block.decode` without
 * consuming `cache` and without its own `tidy` scope, for a model that
 * decodes several blocks and consumes their caches once the whole pass
 * succeeded. Internal.
 * @throws InvalidArgumentError naming `fn`, as `block.decode`.
 */
export function decodeBlock(fn: string, block: TransformerBlockLayer, vars: Vars, x: Tensor, cache: KvCache, ctx: Context | undefined): [Tensor, KvCache] {
  return (steps.get(block) as BlockStep)(fn, vars, x, cache, ctx);
}

/**
 * `transformerBlock(options)` is a pre-norm transformer block on
 * `[batch, seqLen, embedDim]`: `h = x + attn(norm(x))`, then
 * `y = h + mlpOut(act(mlpIn(norm(h))))`. It is a `Layer.named` layer. Params:
 * `attn_norm`, `attn` (`q_proj k_proj v_proj out_proj`), `mlp_norm`,
 * `mlp_in` and `mlp_out` (`weight`, `bias`). During training with
 * `dropout > 0`, dropout applies to the attention weights and to both
 * residual branches. Its `apply` and `decode` release every tensor they
 * create except their results.
 *
 * `mlpDim` defaults to `4 * embedDim`. `norm` defaults to `"rmsNorm"`.
 * `normEps` defaults to 1e-6 for `"rmsNorm"` and 1e-5 for `"layerNorm"`.
 * `activation` defaults to `"gelu"`. The attention options default as in `multiHeadAttention`.
 * @throws InvalidArgumentError, naming `kaun.transformerBlock`, for any
 * invalid attention option (as `multiHeadAttention`), an `mlpDim` that is not
 * a positive integer, an unknown `norm` or `activation`, or a `normEps` that
 * is not a finite number ≥ 0; its `init` as its sub-layers' (a parameter more
 * than the backend holds); its `apply`
 * throws when the input is not a live `[batch, seqLen, embedDim]` tensor of
 * the model's dtype, or as its sub-layers.
 */
export function transformerBlock(options: TransformerBlockOptions): TransformerBlockLayer {
  const fn = "transformerBlock";
  const config = blockConfig(fn, checkOptions(fn, options, "{ embedDim, numHeads }", BLOCK_KEYS));
  const attention = multiHeadAttention(pick(options, ATTENTION_KEYS));
  const { embedDim, dropout } = config;
  const activation = ACTIVATIONS[config.activation];
  const checkBlockInput = (where: string, x: unknown, dtype: FloatDType): Tensor => {
    const input = checkModelInput(where, x, dtype);
    if (input.ndim !== 3 || input.shape[2] !== embedDim) throw fail(where, `x must have shape [batch, seqLen, embedDim = ${embedDim}], got ${nx.fmtShape(input.shape)}`);
    return input;
  };
  const makeNorm = (): Layer => normLayer(config.norm, embedDim, config.normEps);
  const block = Layer.named(
    {
      attn_norm: makeNorm(),
      attn: attention,
      mlp_norm: makeNorm(),
      mlp_in: Layer.linear({ inFeatures: embedDim, outFeatures: config.mlpDim }),
      mlp_out: Layer.linear({ inFeatures: config.mlpDim, outFeatures: embedDim }),
    },
    (run, x, args) => {
      const input = checkBlockInput(fn, x, args.dtype);
      const residual = (y: Tensor): Tensor => (args.training && dropout > 0 ? Fn.dropout(y, { rate: dropout }) : y);
      const h = nx.add(input, residual(run("attn", run("attn_norm", input))));
      const m = run("mlp_out", activation(run("mlp_in", run("mlp_norm", h))));
      return nx.add(h, residual(m));
    },
    { name: fn },
  );
  const step: BlockStep = (stepFn, vars, x, cache, ctx) => {
    const [y, , outputs] = block.applyWith({ params: vars.params, state: vars.state, dtype: vars.dtype, training: false, ctx }, x, {
      attn: (sub, h) => decodeStep(stepFn, attention, sub, h, cache, ctx) as unknown as [Tensor, Ptree],
    });
    return [y, outputs.attn as unknown as KvCache];
  };
  const layer: TransformerBlockLayer = {
    config,
    attention,
    init: block.init,
    apply: block.apply,
    initCache: (cacheOptions) => emptyCaches("transformerBlock.initCache", [attention], cacheOptions)[0] as KvCache,
    decode: (vars, x, cache, callOptions) => {
      const dfn = "transformerBlock.decode";
      const v = checkVars(dfn, vars, "vars");
      for (const name of Object.keys(block.layers)) {
        field(dfn, v.params, name, "params");
        field(dfn, v.state, name, "state");
      }
      const o = optionalOptions(dfn, callOptions, CALL_KEYS);
      const keep = checkBool(dfn, "keepCache", o.keepCache, false);
      const ctx = o.ctx;
      const input = checkBlockInput(dfn, x, v.dtype);
      checkCacheOf(dfn, attention, cache, input.shape[0] as number, input.shape[1] as number, v.dtype);
      const result = nx.tidy(() => step(dfn, v, input, cache, ctx));
      if (!keep) consume(cache);
      return result;
    },
  };
  steps.set(layer, step);
  return layer;
}
