/** A pre-norm transformer block: norm → attention → residual → norm → MLP → residual. */
import * as nx from "@raven-ts/nx";
import type { FloatDType, Tensor } from "@raven-ts/nx";
import { Fn, Layer, type Context, type Ptree, type Vars } from "@raven-ts/kaun-core";
import { checkBool, checkModelInput, checkNonNegative, checkOneOf, checkOptions, checkPositiveInt, checkVars, describe, fail, field, optionalOptions } from "@raven-ts/kaun-core/internal";
import { ATTENTION_KEYS, attentionConfig, pick, type AttentionConfig, type MultiHeadAttentionOptions } from "./config.js";
import { CALL_KEYS, checkCacheOf, checkScores, consume, decodeStep, emptyCaches, inspectStep, multiHeadAttention, type AttentionCallOptions, type CacheOptions, type KvCache, type MultiHeadAttentionLayer } from "./mha.js";

/** The normalization a block applies before each sub-layer. */
export type NormKind = "rmsNorm" | "layerNorm";

/**
 * The MLP's activation: `"gelu"`, `"silu"` or `"relu"` for a `"dense"` MLP;
 * a gated MLP's is its gate's (`"sigmoid"` for `"glu"`).
 */
export type ActivationKind = "gelu" | "silu" | "relu" | "sigmoid";

/**
 * The MLP: `"dense"` (`mlp_out(act(mlp_in(x)))`, both with bias) or a gated
 * MLP without biases (kaun-core's `Layer.glu`, `Layer.swiglu` (LLaMA's),
 * `Layer.geglu`: `(gate(x W_gate) ⊙ (x W_up)) W_down`).
 */
export type MlpKind = "dense" | "glu" | "swiglu" | "geglu";

/** Options of {@link transformerBlock}: the attention's options plus the MLP and normalization. */
export interface TransformerBlockOptions extends MultiHeadAttentionOptions {
  /** The MLP's hidden width; defaults to `4 * embedDim`. */
  readonly mlpDim?: number;
  /** The normalization; defaults to `"rmsNorm"`. */
  readonly norm?: NormKind;
  /** Added inside the norm's square root; defaults to the norm's own default: 1e-6 for `"rmsNorm"`, 1e-5 for `"layerNorm"`. */
  readonly normEps?: number;
  /** The MLP's kind; defaults to `"dense"`. */
  readonly mlp?: MlpKind;
  /** The dense MLP's activation; defaults to `"gelu"`. A gated MLP's is its gate's (`"sigmoid"`, `"silu"`, `"gelu"`), which may be given but not changed. */
  readonly activation?: ActivationKind;
}

/** The option names of {@link transformerBlock}. */
export const BLOCK_KEYS = [...ATTENTION_KEYS, "mlpDim", "norm", "normEps", "mlp", "activation"] as const satisfies readonly (keyof TransformerBlockOptions)[];

/** A block's configuration with every default filled in: the attention's plus the MLP and normalization. */
export interface TransformerBlockConfig extends AttentionConfig {
  readonly mlpDim: number;
  readonly norm: NormKind;
  readonly normEps: number;
  readonly mlp: MlpKind;
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
   * `attentionWeights(vars, x, options?)` is the per-head attention
   * probabilities `[batch, numHeads, seqLen, seqLen]` of the block's
   * attention on `x` (`[batch, seqLen, embedDim]`), that is on
   * `attn_norm(x)`: the block's own inference pass (`apply` with
   * `training: false`) with its attention reporting its weights (see
   * `MultiHeadAttentionLayer.attentionWeights`: after masking, before
   * dropout). A padding mask is read from `options.ctx` as in `apply`
   * (defaults to none). Only the result stays live.
   * @throws InvalidArgumentError, naming `kaun.transformerBlock.attentionWeights`,
   * when `vars` is not `{ params, state, dtype }` with an entry for every
   * sub-layer, `options` is not an object, `x` is not a live
   * `[batch, seqLen, embedDim]` tensor of the model's dtype, or as the
   * attention's `attentionWeights`.
   */
  attentionWeights(vars: Vars, x: Tensor, options?: AttentionCallOptions): Tensor;
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

/** The dense MLP's activations. */
const ACTIVATIONS: Record<Exclude<ActivationKind, "sigmoid">, (x: Tensor) => Tensor> = { gelu: Fn.gelu, silu: Fn.silu, relu: Fn.relu };

/** The gated MLPs: their layer and their gate's activation. */
const GATED: Record<Exclude<MlpKind, "dense">, { readonly layer: (o: { inFeatures: number; hiddenFeatures: number }) => Layer; readonly gate: ActivationKind }> = {
  glu: { layer: Layer.glu, gate: "sigmoid" },
  swiglu: { layer: Layer.swiglu, gate: "silu" },
  geglu: { layer: Layer.geglu, gate: "gelu" },
};

/** `mlpActivation(fn, mlp, activation)` is the MLP's activation: the dense one chosen (default `"gelu"`), or a gated MLP's gate (given only to confirm it). */
function mlpActivation(fn: string, mlp: MlpKind, activation: unknown): ActivationKind {
  if (mlp === "dense") return checkOneOf(fn, "activation", activation ?? "gelu", Object.keys(ACTIVATIONS) as Exclude<ActivationKind, "sigmoid">[]);
  const { gate } = GATED[mlp];
  if (activation !== undefined && activation !== gate) throw fail(fn, `activation ${describe(activation)} does not apply to mlp "${mlp}", whose gate is "${gate}"; leave activation out`);
  return gate;
}

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
  const mlp = checkOneOf(fn, "mlp", options.mlp ?? "dense", ["dense", ...(Object.keys(GATED) as Exclude<MlpKind, "dense">[])]);
  const activation = mlpActivation(fn, mlp, options.activation);
  return { ...attention, mlpDim, norm, normEps, mlp, activation };
}

/**
 * The inference pass of a {@link transformerBlock} (`apply` with
 * `training: false`, unscoped) with its attention replaced by `attend`,
 * which gets the attention's vars and input and returns its output and a
 * result handed back beside the block's output (an extended cache, the
 * attention weights).
 */
type BlockPass = <R extends Ptree>(vars: Vars, x: Tensor, ctx: Context | undefined, attend: (vars: Vars, h: Tensor) => [Tensor, R]) => [Tensor, R];

const passes = new WeakMap<TransformerBlockLayer, BlockPass>();

/**
 * `decodeBlock(fn, block, vars, x, cache, ctx, donate)` is `block.decode`
 * without its own `tidy` scope, consuming `cache` (written in place) only
 * when `donate`, for a model that decodes several blocks after checking
 * every cache and size (see {@link checkBlockSizes}). Internal.
 * @throws InvalidArgumentError naming `fn`, as `block.decode`.
 */
export function decodeBlock(fn: string, block: TransformerBlockLayer, vars: Vars, x: Tensor, cache: KvCache, ctx: Context | undefined, donate: boolean): [Tensor, KvCache] {
  return (passes.get(block) as BlockPass)(vars, x, ctx, (sub, h) => decodeStep(fn, block.attention, sub, h, cache, ctx, donate) as [Tensor, KvCache & Ptree]);
}

/**
 * `inspectBlock(fn, block, vars, x, ctx)` is `[output, weights]`: the
 * block's inference output on `x` and its attention's weights
 * `[batch, numHeads, seqLen, seqLen]`, from one pass without its own `tidy`
 * scope, for a model that inspects several blocks. Internal.
 * @throws InvalidArgumentError naming `fn`, as `block.attentionWeights`.
 */
export function inspectBlock(fn: string, block: TransformerBlockLayer, vars: Vars, x: Tensor, ctx: Context | undefined): [Tensor, Tensor] {
  return (passes.get(block) as BlockPass)(vars, x, ctx, (sub, h) => inspectStep(fn, block.attention, sub, h, ctx));
}

/**
 * `checkBlockSizes(fn, config, batch, seqQ, seqK, dtype, backend)` checks,
 * before anything is allocated, that the largest tensors of a block's pass
 * (the attention scores and the MLP's hidden activations) fit `backend`, so
 * that a decode too large is rejected before it consumes a cache. Internal.
 * @throws InvalidArgumentError naming `kaun.<fn>` otherwise.
 */
export function checkBlockSizes(fn: string, config: TransformerBlockConfig, batch: number, seqQ: number, seqK: number, dtype: FloatDType, backend: nx.Backend): void {
  checkScores(fn, config, batch, seqQ, seqK, dtype, backend);
  nx.checkAllocation(`kaun.${fn}`, [batch, seqQ, config.mlpDim], dtype, backend);
}

/**
 * `checkNamedVars(fn, vars, layers)` is `vars` (checked as `{ params, state,
 * dtype }`) after checking that its params and state hold an entry for every
 * sub-layer name of `layers`, so that a decode rejects them before it
 * consumes a cache. Internal.
 * @throws InvalidArgumentError naming `kaun.<fn>` otherwise.
 */
export function checkNamedVars(fn: string, vars: unknown, layers: Readonly<Record<string, unknown>>): Vars {
  const v = checkVars(fn, vars, "vars");
  for (const name of Object.keys(layers)) {
    field(fn, v.params, name, "params");
    field(fn, v.state, name, "state");
  }
  return v;
}

/**
 * `transformerBlock(options)` is a pre-norm transformer block on
 * `[batch, seqLen, embedDim]`: `h = x + attn(norm(x))`, then
 * `y = h + mlp(norm(h))`, where the `"dense"` MLP is `mlp_out(act(mlp_in(·)))`
 * and a gated one (`mlp: "glu" | "swiglu" | "geglu"`) is
 * `(gate(· W_gate) ⊙ (· W_up)) W_down`. It is a `Layer.named` layer. Params:
 * `attn_norm`, `attn` (`q_proj k_proj v_proj out_proj`), `mlp_norm`, and
 * for a dense MLP `mlp_in` (`weight` `[embedDim, mlpDim]`, `bias`) and
 * `mlp_out` (`weight` `[mlpDim, embedDim]`, `bias`), for a gated one `mlp`
 * (`gate_proj`, `up_proj` `[embedDim, mlpDim]`, `down_proj` `[mlpDim, embedDim]`,
 * no biases). During training with
 * `dropout > 0`, dropout applies to the attention weights and to both
 * residual branches. Its `apply` and `decode` release every tensor they
 * create except their results.
 *
 * `mlpDim` defaults to `4 * embedDim`. `norm` defaults to `"rmsNorm"`.
 * `normEps` defaults to 1e-6 for `"rmsNorm"` and 1e-5 for `"layerNorm"`.
 * `mlp` defaults to `"dense"`. `activation` (the dense MLP's) defaults to
 * `"gelu"`; a gated MLP's is its gate's, reported in `config.activation`.
 * The attention options default as in `multiHeadAttention`.
 * @throws InvalidArgumentError, naming `kaun.transformerBlock`, for any
 * invalid attention option (as `multiHeadAttention`), an `mlpDim` that is not
 * a positive integer, an unknown `norm`, `mlp` or `activation`, an
 * `activation` other than a gated MLP's gate, or a `normEps` that
 * is not a finite number ≥ 0; its `init` as its sub-layers' (a parameter more
 * than the backend holds); its `apply`
 * throws when the input is not a live `[batch, seqLen, embedDim]` tensor of
 * the model's dtype, or as its sub-layers.
 */
export function transformerBlock(options: TransformerBlockOptions): TransformerBlockLayer {
  const fn = "transformerBlock";
  const config = blockConfig(fn, checkOptions(fn, options, "{ embedDim, numHeads }", BLOCK_KEYS));
  const attention = multiHeadAttention(pick(options, ATTENTION_KEYS));
  const { embedDim, dropout, mlpDim } = config;
  const checkBlockInput = (where: string, x: unknown, dtype: FloatDType): Tensor => {
    const input = checkModelInput(where, x, dtype);
    if (input.ndim !== 3 || input.shape[2] !== embedDim) throw fail(where, `x must have shape [batch, seqLen, embedDim = ${embedDim}], got ${nx.fmtShape(input.shape)}`);
    return input;
  };
  const makeNorm = (): Layer => normLayer(config.norm, embedDim, config.normEps);
  // The MLP kind lives here and in interop/torch's raven_torch/mlp.py: its sub-layers (and so its parameter names) and its forward pass.
  const mlpKind = config.mlp;
  const mlpLayers: Record<string, Layer> =
    mlpKind === "dense"
      ? { mlp_in: Layer.linear({ inFeatures: embedDim, outFeatures: mlpDim }), mlp_out: Layer.linear({ inFeatures: mlpDim, outFeatures: embedDim }) }
      : { mlp: GATED[mlpKind].layer({ inFeatures: embedDim, hiddenFeatures: mlpDim }) };
  const activation = mlpKind === "dense" ? ACTIVATIONS[config.activation as Exclude<ActivationKind, "sigmoid">] : undefined;
  const block = Layer.named(
    { attn_norm: makeNorm(), attn: attention, mlp_norm: makeNorm(), ...mlpLayers },
    (run, x, args) => {
      const input = checkBlockInput(fn, x, args.dtype);
      const residual = (y: Tensor): Tensor => (args.training && dropout > 0 ? Fn.dropout(y, { rate: dropout }) : y);
      const h = nx.add(input, residual(run("attn", run("attn_norm", input))));
      const normed = run("mlp_norm", h);
      const m = activation === undefined ? run("mlp", normed) : run("mlp_out", activation(run("mlp_in", normed)));
      return nx.add(h, residual(m));
    },
    { name: fn },
  );
  const pass: BlockPass = (vars, x, ctx, attend) => {
    const [y, , outputs] = block.applyWith({ params: vars.params, state: vars.state, dtype: vars.dtype, training: false, ctx }, x, { attn: attend });
    return [y, outputs.attn as ReturnType<typeof attend>[1]];
  };
  const layer: TransformerBlockLayer = {
    config,
    attention,
    init: block.init,
    apply: block.apply,
    initCache: (cacheOptions) => emptyCaches("transformerBlock.initCache", [attention], cacheOptions)[0] as KvCache,
    attentionWeights: (vars, x, callOptions) => {
      const wfn = "transformerBlock.attentionWeights";
      const v = checkNamedVars(wfn, vars, block.layers);
      const ctx = optionalOptions(wfn, callOptions, CALL_KEYS).ctx;
      const input = checkBlockInput(wfn, x, v.dtype);
      return nx.tidy(() => inspectBlock(wfn, layer, v, input, ctx)[1]);
    },
    decode: (vars, x, cache, callOptions) => {
      const dfn = "transformerBlock.decode";
      const v = checkNamedVars(dfn, vars, block.layers);
      const o = optionalOptions(dfn, callOptions, CALL_KEYS);
      const keep = checkBool(dfn, "keepCache", o.keepCache, false);
      const ctx = o.ctx;
      const input = checkBlockInput(dfn, x, v.dtype);
      const [batch, t] = input.shape as [number, number];
      const checked = checkCacheOf(dfn, attention, cache, batch, t, v.dtype);
      checkBlockSizes(dfn, config, batch, t, checked.length + t, v.dtype, input.backend);
      const result = nx.tidy(() => decodeBlock(dfn, layer, v, input, cache, ctx, !keep));
      if (!keep) consume(cache);
      return result;
    },
  };
  passes.set(layer, pass);
  return layer;
}
