/** A tiny decoder-only language model: embedding → causal RoPE transformer blocks → norm → vocabulary logits. */
import * as nx from "@raven-ts/nx";
import { InvalidArgumentError, type Tensor } from "@raven-ts/nx";
import { Layer, type Ptree, type Vars } from "@raven-ts/kaun-core";
import type { KvCache } from "./mha.js";
import { field, initNamed, namedRunner } from "./named.js";
import { normLayer, transformerBlock, type ActivationKind, type NormKind, type TransformerBlockLayer } from "./transformer.js";

/** Options of {@link decoderLM}. */
export interface DecoderLMOptions {
  /** The number of tokens (ids `0 .. vocabSize-1`). */
  readonly vocabSize: number;
  /** The model width. */
  readonly embedDim: number;
  /** The number of transformer blocks. */
  readonly numLayers: number;
  /** Query heads per block. */
  readonly numHeads: number;
  /** Key/value heads per block; defaults to `numHeads`. */
  readonly numKvHeads?: number;
  /** MLP width; defaults to `4 * embedDim`. */
  readonly mlpDim?: number;
  /** Dropout rate during training (attention weights and residual branches); defaults to 0. */
  readonly dropout?: number;
  /** RoPE base; defaults to 10000. */
  readonly ropeTheta?: number;
  /** Normalization; defaults to `"rmsNorm"`. */
  readonly norm?: NormKind;
  /** The normalizations' epsilon; defaults to 1e-6 for `"rmsNorm"`, 1e-5 for `"layerNorm"`. */
  readonly normEps?: number;
  /** MLP activation; defaults to `"gelu"`. */
  readonly activation?: ActivationKind;
  /** Whether the output head reuses the embedding table (logits `h @ embedᵀ`, no `lm_head` params); defaults to false. */
  readonly tieEmbeddings?: boolean;
}

/** A {@link decoderLM}'s options with every default filled in (plain data: `JSON.stringify` it to store it beside a checkpoint). */
export type DecoderLMConfig = Required<DecoderLMOptions>;

/** Options of {@link DecoderLMLayer.generate}. */
export interface GenerateOptions {
  /** How many tokens to append. */
  readonly maxNewTokens: number;
  /** Softmax temperature; 0 picks the most likely token; defaults to 1. */
  readonly temperature?: number;
  /** The sampling key (`nx.random.key(seed)`); required unless `temperature` is 0. */
  readonly key?: nx.random.Key;
}

/** The layer `decoderLM` returns: int32 tokens `[batch, seqLen]` in, logits `[batch, seqLen, vocabSize]` out. */
export interface DecoderLMLayer extends Layer<"int32", "float"> {
  /** The configuration, with defaults filled in: `decoderLM(lm.config)` builds the same model. */
  readonly config: DecoderLMConfig;
  /** The blocks, in order (their params live under `blocks.i`). */
  readonly blocks: readonly TransformerBlockLayer[];
  /** `initCache({ batch, maxLength, dtype? })` is one empty KV cache per block. */
  initCache(options: { readonly batch: number; readonly maxLength: number; readonly dtype?: "float32" | "float64" }): KvCache[];
  /**
   * `decode(vars, tokens, caches)` is the logits of the new positions `tokens`
   * (`[batch, t]`) given the cached prefix, and the extended caches; prefill
   * with the prompt, then feed one token at a time.
   * @throws InvalidArgumentError when `tokens` is not int32 `[batch, t]`, or as the blocks' `decode` (a full cache).
   */
  decode(vars: Vars, tokens: Tensor, caches: readonly KvCache[]): [Tensor, KvCache[]];
  /**
   * `generate(vars, prompt, { maxNewTokens, temperature?, key? })` extends the
   * int32 prompt `[batch, t]` by `maxNewTokens` sampled tokens (KV-cached),
   * returning `[batch, t + maxNewTokens]`. Sampling uses the Gumbel-max trick
   * on device with keys folded from `key` per step.
   * @throws InvalidArgumentError when the prompt is not int32 `[batch, t ≥ 1]`, `maxNewTokens` is not a non-negative integer, `temperature` is negative, or `key` is missing for `temperature > 0`.
   */
  generate(vars: Vars, prompt: Tensor, options: GenerateOptions): Tensor;
}

/**
 * `decoderLM(options)` is a decoder-only language model: token embedding,
 * `numLayers` causal pre-norm transformer blocks with RoPE (and GQA when
 * `numKvHeads < numHeads`), a final norm and a linear head to the
 * vocabulary. Params: `embed` (`embedding [vocabSize, embedDim]`, rows
 * scaled by `sqrt(embedDim)` on lookup), `blocks` (a list), `final_norm`,
 * `lm_head` (`weight [embedDim, vocabSize]`, `bias [vocabSize]`).
 *
 * The block options default as in `transformerBlock`. `tieEmbeddings`
 * defaults to false; when true there is no `lm_head` and the logits are
 * `final_norm(h) @ embed.embeddingᵀ` (unscaled, no bias).
 * @throws InvalidArgumentError for a `vocabSize` or `numLayers` that is not a
 * positive integer, a `tieEmbeddings` that is not a boolean, or any invalid
 * block option (as `transformerBlock`).
 */
export function decoderLM(options: DecoderLMOptions): DecoderLMLayer {
  const fn = "kaun.decoderLM";
  const { vocabSize, embedDim, numLayers } = options;
  for (const [name, v] of [["vocabSize", vocabSize], ["numLayers", numLayers]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(fn, `${name} must be a positive integer, got ${String(v)}`);
  }
  const tieEmbeddings = options.tieEmbeddings ?? false;
  if (typeof tieEmbeddings !== "boolean") throw new InvalidArgumentError(fn, `tieEmbeddings must be a boolean, got ${String(tieEmbeddings)}`);
  const blocks = Array.from({ length: numLayers }, () => transformerBlock({ ...options, isCausal: true, rope: true }));
  const blockConfig = (blocks[0] as TransformerBlockLayer).config;
  const config: DecoderLMConfig = {
    vocabSize,
    embedDim,
    numLayers,
    numHeads: blockConfig.numHeads,
    numKvHeads: blockConfig.numKvHeads,
    mlpDim: blockConfig.mlpDim,
    dropout: blockConfig.dropout,
    ropeTheta: blockConfig.ropeTheta,
    norm: blockConfig.norm,
    normEps: blockConfig.normEps,
    activation: blockConfig.activation,
    tieEmbeddings,
  };
  const embed = Layer.embedding({ vocabSize, embedDim });
  const finalNorm = normLayer(blockConfig.norm, embedDim, blockConfig.normEps);
  const lmHead = tieEmbeddings ? undefined : Layer.linear({ inFeatures: embedDim, outFeatures: vocabSize });
  const layers = { embed, blocks: Layer.sequential(blocks), final_norm: finalNorm, ...(lmHead === undefined ? {} : { lm_head: lmHead }) };
  /** The tied head: the logits of the final hidden states `normed` against the embedding table. */
  const tiedLogits = (params: Ptree, normed: Tensor): Tensor => {
    const table = field(fn, field(fn, params, "embed"), "embedding");
    if (!nx.isTensor(table)) throw new InvalidArgumentError(fn, "params.embed.embedding must be a tensor");
    return nx.matmul(normed, nx.transpose(table));
  };

  const checkTokens = (what: string, tokens: Tensor): void => {
    if (!nx.isTensor(tokens) || tokens.dtype !== "int32" || tokens.ndim !== 2 || (tokens.shape[1] as number) < 1) {
      throw new InvalidArgumentError(fn, `${what} must be an int32 tensor [batch, t >= 1], got ${nx.isTensor(tokens) ? `${tokens.dtype} [${tokens.shape.join(",")}]` : typeof tokens}`);
    }
  };

  const decode = (vars: Vars, tokens: Tensor, caches: readonly KvCache[]): [Tensor, KvCache[]] => {
    checkTokens("tokens", tokens);
    if (caches.length !== numLayers) throw new InvalidArgumentError(fn, `expected ${numLayers} caches (one per block), got ${caches.length}`);
    const args = { params: vars.params, state: vars.state, dtype: vars.dtype, training: false };
    const sub = (name: string): Vars => ({ params: field(fn, vars.params, name), state: field(fn, vars.state, name), dtype: vars.dtype });
    let [h] = embed.apply({ ...args, params: field(fn, vars.params, "embed"), state: field(fn, vars.state, "embed") }, tokens);
    const blockVars = sub("blocks");
    const next = blocks.map((b, i) => {
      const [y, c] = b.decode(
        { params: (blockVars.params as Ptree[])[i] as Ptree, state: (blockVars.state as Ptree[])[i] as Ptree, dtype: vars.dtype },
        h,
        caches[i] as KvCache,
      );
      h = y;
      return c;
    });
    const [normed] = finalNorm.apply({ ...args, ...sub("final_norm") }, h);
    return [lmHead === undefined ? tiedLogits(vars.params, normed) : lmHead.apply({ ...args, ...sub("lm_head") }, normed)[0], next];
  };

  return {
    config,
    blocks,
    init: ({ dtype }) => ({ ...initNamed(layers, dtype), dtype }),
    apply: (args, tokens) => {
      const { run, states } = namedRunner(fn, layers, args);
      const normed = run("final_norm", run("blocks", run("embed", tokens)));
      return [lmHead === undefined ? tiedLogits(args.params, normed) : run("lm_head", normed), states];
    },
    initCache: ({ batch, maxLength, dtype = "float32" }) => blocks.map((b) => b.initCache({ batch, maxLength, dtype })),
    decode,
    generate: (vars, prompt, { maxNewTokens, temperature = 1, key }) => {
      checkTokens("prompt", prompt);
      if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new InvalidArgumentError(fn, `maxNewTokens must be a non-negative integer, got ${String(maxNewTokens)}`);
      if (typeof temperature !== "number" || !(temperature >= 0)) throw new InvalidArgumentError(fn, `temperature must be >= 0, got ${String(temperature)}`);
      if (temperature > 0 && key === undefined) throw new InvalidArgumentError(fn, "a key is required to sample with temperature > 0 (or pass temperature 0 for greedy decoding)");
      const batch = prompt.shape[0] as number;
      let caches = blocks.map((b) => b.initCache({ batch, maxLength: (prompt.shape[1] as number) + maxNewTokens, dtype: vars.dtype }));
      let tokens = prompt;
      let input = prompt;
      for (let step = 0; step < maxNewTokens; step++) {
        const [next, nextCaches] = nx.tidy(() => {
          const [logits, cs] = decode(vars, input, caches);
          const last = nx.squeeze(nx.slice(logits, [null, { start: -1 }]), 1); // [batch, vocab]
          const scores = temperature === 0 ? last : nx.sub(nx.div(last, temperature), nx.log(nx.neg(nx.log(nx.random.uniform(nx.random.foldIn(key as nx.random.Key, step), last.shape, last.dtype as "float32", { minval: 1e-12 })))));
          return [nx.reshape(nx.argmax(scores, { axis: -1 }), [batch, 1]), cs] as const;
        });
        nx.dispose(caches);
        caches = nextCaches;
        const grown = nx.concatenate([tokens, next], { axis: 1 });
        if (tokens !== prompt) tokens.dispose();
        tokens = grown;
        input = next;
      }
      nx.dispose(caches);
      return tokens;
    },
  };
}
