/** A tiny decoder-only language model: embedding → causal RoPE transformer blocks → norm → vocabulary logits. */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { Layer, type Context, type Ptree, type Vars } from "@raven-ts/kaun-core";
import { checkBool, checkNonNegInt, checkOptions, checkPositiveInt, checkTensor, describe, fail, field, optionalOptions, param } from "@raven-ts/kaun-core/internal";
import { checkCacheOf, consume, emptyCaches, type KvCache } from "./mha.js";
import { paddingMask } from "./mask.js";
import { markModel } from "./model-kind.js";
import { pick } from "./config.js";
import { nextTokens, SAMPLING_KEYS, samplingKey, samplingOptions, stopOptions, type SampleTokensOptions } from "./sampling.js";
import { blockConfig, checkBlockSizes, checkNamedVars, decodeBlock, inspectBlock, normLayer, transformerBlock, type ActivationKind, type MlpKind, type NormKind, type TransformerBlockLayer, type TransformerBlockOptions } from "./transformer.js";

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
  /** The blocks' MLP: `"dense"`, `"glu"`, `"swiglu"` or `"geglu"`; defaults to `"dense"`. */
  readonly mlp?: MlpKind;
  /** The dense MLP's activation; defaults to `"gelu"` (a gated MLP's is its gate's). */
  readonly activation?: ActivationKind;
  /** Whether the output head reuses the embedding table (logits `h @ embedᵀ`, no `lm_head` params); defaults to false. */
  readonly tieEmbeddings?: boolean;
}

/** The option names of {@link decoderLM}, in the order of {@link DecoderLMConfig}. */
export const LM_KEYS = ["vocabSize", "embedDim", "numLayers", "numHeads", "numKvHeads", "mlpDim", "dropout", "ropeTheta", "norm", "normEps", "mlp", "activation", "tieEmbeddings"] as const satisfies readonly (keyof DecoderLMOptions)[];

/** The options a {@link decoderLM} passes on to each block (which are all causal, with RoPE). */
const LM_BLOCK_KEYS = ["embedDim", "numHeads", "numKvHeads", "dropout", "ropeTheta", "mlpDim", "norm", "normEps", "mlp", "activation"] as const satisfies readonly (keyof DecoderLMOptions & keyof TransformerBlockOptions)[];

/** A {@link decoderLM}'s options with every default filled in (plain data: `JSON.stringify` it to store it beside a checkpoint). */
export type DecoderLMConfig = Required<DecoderLMOptions>;

/** Options of {@link DecoderLMLayer.generate}: how many tokens, how each is chosen (as `sampleTokens`), and when a row ends. */
export interface GenerateOptions extends SampleTokensOptions {
  /** How many tokens to append (at most: generation ends early once every row has stopped). */
  readonly maxNewTokens: number;
  /** Token ids that end a row: once a row produced one, the rest of it is `padId`; a number or a list; defaults to none. */
  readonly stop?: number | readonly number[];
  /** The id that fills a row after its stop token; defaults to the first `stop` id. */
  readonly padId?: number;
}

/** Options of {@link DecoderLMLayer.decode}. */
export interface DecodeOptions {
  /** Whether the caches given stay live (the caller keeps owning them) instead of being consumed; defaults to false. */
  readonly keepCache?: boolean;
}

/** Options of {@link DecoderLMLayer.attentionWeights}. */
export interface LMAttentionWeightsOptions {
  /** Per-call tensors, as for `apply`: a padding mask `[batch, seqLen]` under `attentionMaskKey`. Defaults to none. */
  readonly ctx?: Context;
}

/** The layer `decoderLM` returns: int32 tokens `[batch, seqLen]` in, logits `[batch, seqLen, vocabSize]` out. */
export interface DecoderLMLayer extends Layer<"int32", "float"> {
  /** The configuration, with defaults filled in: `decoderLM(lm.config)` builds the same model. */
  readonly config: DecoderLMConfig;
  /** The blocks, in order (their params live under `blocks.i`). */
  readonly blocks: readonly TransformerBlockLayer[];
  /**
   * `initCache({ batch, maxLength, dtype? })` is one empty KV cache per block.
   * @throws InvalidArgumentError as the blocks' `initCache`.
   */
  initCache(options: { readonly batch: number; readonly maxLength: number; readonly dtype?: "float32" | "float64" }): KvCache[];
  /**
   * `attentionWeights(vars, tokens, options?)` is the attention
   * probabilities of every block on the int32 tokens `[batch, seqLen]`, as
   * Hugging Face's `output_attentions=True` gives them: an array of
   * `numLayers` tensors, block `i`'s at index `i`, each
   * `[batch, numHeads, seqLen, seqLen]` (query × key; causal, so every entry
   * above the diagonal is exactly 0). They come from the model's own
   * inference pass (`apply` with `training: false`, no dropout): block `i`'s
   * attention reports its weights on what that pass feeds it (the
   * embedding, blocks `0 .. i-1`, then block `i`'s `attn_norm`), after
   * masking and before dropout, as `MultiHeadAttentionLayer.attentionWeights`.
   * A padding mask in `options.ctx` (under `attentionMaskKey`, `[batch, seqLen]`)
   * applies as in `apply`: masked keys get weight exactly 0. `ctx` defaults
   * to none. Only the returned tensors stay live (dispose them once read).
   * @throws InvalidArgumentError, naming `kaun.decoderLM.attentionWeights`,
   * when `vars` is not `{ params, state, dtype }` holding every sub-layer,
   * `options` is not an object or holds an unknown option, `ctx` is not a
   * `Context` or its mask is not `[batch, seqLen]`, `tokens` is not a live
   * int32 `[batch, seqLen >= 1]` tensor of ids below `vocabSize`, the
   * attention scores, MLP activations or logits of the pass are more than
   * the backend holds, or as the blocks' `attentionWeights` (a missing or
   * misshapen parameter).
   */
  attentionWeights(vars: Vars, tokens: Tensor, options?: LMAttentionWeightsOptions): Tensor[];
  /**
   * `decode(vars, tokens, caches)` is the logits of the new positions `tokens`
   * (`[batch, t]`) given the cached prefix, and the extended caches; prefill
   * with the prompt, then feed one token at a time.
   *
   * Ownership: `caches` are consumed. On success the tensors of every cache
   * given are disposed and the returned caches replace them; on error none
   * is touched. The logits and the new caches are the caller's (dispose the
   * logits once read); nothing else stays live. So this loop holds a
   * constant number of tensors however long it runs, without `nx.tidy`:
   *
   * ```ts
   * let caches = lm.initCache({ batch: 1, maxLength: 64 });
   * let input = prompt; // int32 [1, t]
   * for (let i = 0; i < 32; i++) {
   *   const [logits, next] = lm.decode(vars, input, caches); // consumes caches
   *   caches = next;
   *   const last = nx.slice(logits, [null, { start: -1 }]); // [1, 1, vocab]
   *   logits.dispose();
   *   if (input !== prompt) input.dispose();
   *   input = nx.argmax(last, { axis: -1 }); // [1, 1]: the next token
   *   last.dispose();
   * }
   * ```
   *
   * With `keepCache: true` the caches given stay live (the caller keeps
   * owning them), for decoding several continuations of one prefix.
   * `keepCache` defaults to false.
   * @throws InvalidArgumentError when `vars` is not `{ params, state, dtype }`,
   * `options` is not an object, `tokens` is not a live int32 `[batch, t >= 1]` tensor of ids below
   * `vocabSize`, `caches` is not one live cache per block (made by
   * `initCache`, not yet consumed, for this batch and dtype, with room for
   * `t` more positions), or as the blocks' `decode`.
   */
  decode(vars: Vars, tokens: Tensor, caches: readonly KvCache[], options?: DecodeOptions): [Tensor, KvCache[]];
  /**
   * `generate(vars, prompt, { maxNewTokens, temperature?, topK?, topP?, minP?, stop?, padId?, key? })`
   * extends the int32 prompt `[batch, t]` by up to `maxNewTokens` tokens,
   * decoding one position at a time with the KV cache, and returns a new
   * tensor `[batch, t + n]`. Each new token is, at `temperature` 0, the most
   * likely one (the first on ties; the filters do not apply); otherwise a
   * draw (`nx.random.categorical`, keys `nx.random.foldIn(key, step)`) from
   * the logits after these steps, in Hugging Face's order, each on the
   * distribution the previous left (renormalised):
   *
   * 1. temperature: logits / `temperature`;
   * 2. top-k: keep the `topK` highest (and any tied with the k-th);
   * 3. top-p: keep the nucleus, the shortest list of most likely tokens whose
   *    probabilities sum to at least `topP` (and any tied with its last);
   * 4. min-p: keep the tokens with probability ≥ `minP` × the largest.
   *
   * The most likely token always survives, so a row never runs out of
   * tokens. With `stop`, a row ends at the first stop token it produces
   * (which is kept); its later positions hold `padId`, and generation ends
   * once every row has ended, so `n` is the number of steps run (at most
   * `maxNewTokens`). Without `stop`, `n = maxNewTokens`.
   * `temperature` defaults to 1, `topK` to every token, `topP` to 1, `minP`
   * to 0, `stop` to none, `padId` to the first stop id. Only the result
   * stays live.
   * @throws InvalidArgumentError when `vars` is not `{ params, state, dtype }`,
   * the options are missing, the prompt is not a live int32 `[batch, t >= 1]`
   * tensor of ids below `vocabSize`, `maxNewTokens` is not a non-negative
   * integer, `temperature` is negative or not finite, `topK` is not a
   * positive integer, `topP` is not in (0, 1], `minP` is not in [0, 1], a
   * `stop` id or `padId` is not an integer in `[0, vocabSize)`, `padId` is
   * given without `stop`, or `key` is missing for `temperature > 0` or is not
   * an `nx.random.Key`.
   */
  generate(vars: Vars, prompt: Tensor, options: GenerateOptions): Tensor;
}

/**
 * `decoderLM(options)` is a decoder-only language model: token embedding,
 * `numLayers` causal pre-norm transformer blocks with RoPE (and GQA when
 * `numKvHeads < numHeads`), a final norm and a linear head to the
 * vocabulary. It is a `Layer.named` layer. Params: `embed` (`embedding
 * [vocabSize, embedDim]`, rows scaled by `sqrt(embedDim)` on lookup),
 * `blocks` (a list), `final_norm`, `lm_head` (`weight [embedDim, vocabSize]`,
 * `bias [vocabSize]`). Its `apply`, `decode` and `generate` release every
 * tensor they create except their results.
 *
 * The block options default as in `transformerBlock`. `tieEmbeddings`
 * defaults to false; when true there is no `lm_head` and the logits are
 * `final_norm(h) @ embed.embeddingᵀ` (unscaled, no bias).
 * @throws InvalidArgumentError, naming `kaun.decoderLM`, when the options are
 * missing, `vocabSize` or `numLayers` is not a positive integer,
 * `tieEmbeddings` is not a boolean, or any block option is invalid (as
 * `transformerBlock`).
 */
export function decoderLM(options: DecoderLMOptions): DecoderLMLayer {
  const fn = "decoderLM";
  const blockOptions = { ...pick(checkOptions(fn, options, "{ vocabSize, embedDim, numLayers, numHeads }", LM_KEYS), LM_BLOCK_KEYS), isCausal: true, rope: true };
  const vocabSize = checkPositiveInt(fn, "vocabSize", options.vocabSize);
  const numLayers = checkPositiveInt(fn, "numLayers", options.numLayers);
  const tieEmbeddings = checkBool(fn, "tieEmbeddings", options.tieEmbeddings, false);
  const block = blockConfig(fn, blockOptions);
  const { embedDim } = block;
  const blocks = Array.from({ length: numLayers }, () => transformerBlock(blockOptions));
  const config: DecoderLMConfig = {
    vocabSize,
    embedDim,
    numLayers,
    numHeads: block.numHeads,
    numKvHeads: block.numKvHeads,
    mlpDim: block.mlpDim,
    dropout: block.dropout,
    ropeTheta: block.ropeTheta,
    norm: block.norm,
    normEps: block.normEps,
    mlp: block.mlp,
    activation: block.activation,
    tieEmbeddings,
  };

  /** `checkTokens(where, what, tokens)` returns `tokens` when it is a live int32 `[batch, t >= 1]` tensor of ids below `vocabSize`. */
  const checkTokens = (where: string, what: string, tokens: unknown): Tensor => {
    const t = checkTensor(where, what, tokens);
    if (t.dtype !== "int32" || t.ndim !== 2 || (t.shape[1] as number) < 1) throw fail(where, `${what} must be an int32 tensor [batch, t >= 1], got ${describe(t)}`);
    const ids = t.dataSync();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id < 0 || id >= vocabSize) throw fail(where, `${what} holds token ${id} at flat position ${i}, outside the vocabulary [0, ${vocabSize})`);
    }
    return t;
  };

  const lm = Layer.named<"int32", "float">(
    {
      embed: Layer.embedding({ vocabSize, embedDim }),
      blocks: Layer.sequential(blocks),
      final_norm: normLayer(block.norm, embedDim, block.normEps),
      ...(tieEmbeddings ? {} : { lm_head: Layer.linear({ inFeatures: embedDim, outFeatures: vocabSize }) }),
    },
    (run, tokens, args) => {
      const normed = run("final_norm", run("blocks", run("embed", checkTokens(fn, "tokens", tokens))));
      if (!tieEmbeddings) return run("lm_head", normed);
      // The tied head: the final hidden states against the embedding table.
      const table = param(fn, field(fn, args.params, "embed", "params"), "embedding", args.dtype, [vocabSize, embedDim]);
      return nx.matmul(normed, nx.transpose(table));
    },
    { name: fn },
  );

  /** `checkCaches(where, caches, batch, t, dtype)` checks one live cache per block, each distinct, before anything is computed. */
  const checkCaches = (where: string, caches: unknown, batch: number, t: number, dtype: Vars["dtype"]): KvCache[] => {
    if (!Array.isArray(caches) || caches.length !== numLayers) throw fail(where, `caches must be an array of ${numLayers} caches (one per block, from initCache), got ${describe(caches)}`);
    const checked = caches.map((c: unknown, i) => checkCacheOf(where, (blocks[i] as TransformerBlockLayer).attention, c, batch, t, dtype));
    if (new Set(checked.map((c) => c.k)).size !== checked.length) throw fail(where, "caches holds the same cache twice");
    return checked;
  };

  /**
   * `checkSizes(where, batch, t, seqK, dtype, backend)` checks that the
   * largest tensors of a decode pass (each block's, and the logits) fit the
   * backend, before the first block consumes its cache.
   */
  const checkSizes = (where: string, batch: number, t: number, seqK: number, dtype: Vars["dtype"], backend: nx.Backend): void => {
    checkBlockSizes(where, block, batch, t, seqK, dtype, backend);
    nx.checkAllocation(`kaun.${where}`, [batch, t, vocabSize], dtype, backend);
  };

  /**
   * `throughBlocks(where, vars, tokens, ctx, each)` is `[logits, results]`:
   * the model's inference pass (`apply` with `training: false`, no scope of
   * its own) with block `i` run as `each(block, i, blockVars, h)`, which
   * returns the block's output and a result collected in `results[i]`.
   */
  const throughBlocks = <R>(where: string, vars: Vars, tokens: Tensor, ctx: Context | undefined, each: (b: TransformerBlockLayer, i: number, bv: Vars, h: Tensor) => [Tensor, R]): [Tensor, R[]] => {
    const args = { params: vars.params, state: vars.state, dtype: vars.dtype, training: false, ctx };
    const [logits, , outputs] = lm.applyWith(args, tokens, {
      blocks: (sub, h) => {
        if (!Array.isArray(sub.params) || !Array.isArray(sub.state) || sub.params.length !== numLayers || sub.state.length !== numLayers) {
          throw fail(where, `params.blocks and state.blocks must be arrays of ${numLayers} entries (one per block)`);
        }
        let y = h;
        const results = blocks.map((b, i) => {
          const [out, r] = each(b, i, { params: (sub.params as Ptree[])[i] as Ptree, state: (sub.state as Ptree[])[i] as Ptree, dtype: vars.dtype }, y);
          y = out;
          return r;
        });
        return [y, results as unknown as Ptree];
      },
    });
    return [logits, outputs.blocks as unknown as R[]];
  };

  /** The pass of `decode` on checked arguments: nothing consumed, no scope of its own. */
  const step = (where: string, vars: Vars, tokens: Tensor, caches: readonly KvCache[], donate: boolean): [Tensor, KvCache[]] =>
    throughBlocks(where, vars, tokens, undefined, (b, i, bv, h) => decodeBlock(where, b, bv, h, caches[i] as KvCache, undefined, donate));

  return markModel({
    config,
    blocks,
    init: lm.init,
    apply: lm.apply,
    initCache: (cacheOptions) => emptyCaches("decoderLM.initCache", blocks.map((b) => b.attention), cacheOptions),
    attentionWeights: (vars, tokens, inspectOptions) => {
      const where = "decoderLM.attentionWeights";
      const v = checkNamedVars(where, vars, lm.layers);
      const ctx = optionalOptions(where, inspectOptions, ["ctx"]).ctx;
      const t = checkTokens(where, "tokens", tokens);
      const [batch, n] = t.shape as [number, number];
      paddingMask(where, ctx, batch, n);
      checkSizes(where, batch, n, n, v.dtype, t.backend);
      return nx.tidy(() => throughBlocks(where, v, t, ctx, (b, _i, bv, h) => inspectBlock(where, b, bv, h, ctx))[1]);
    },
    decode: (vars, tokens, caches, decodeOptions) => {
      const where = "decoderLM.decode";
      const v = checkNamedVars(where, vars, lm.layers);
      const keep = checkBool(where, "keepCache", optionalOptions(where, decodeOptions, ["keepCache"]).keepCache, false);
      const t = checkTokens(where, "tokens", tokens);
      const [batch, n] = t.shape as [number, number];
      const checked = checkCaches(where, caches, batch, n, v.dtype);
      checkSizes(where, batch, n, Math.max(...checked.map((c) => c.length)) + n, v.dtype, t.backend);
      const result = nx.tidy(() => step(where, v, t, checked, !keep));
      if (!keep) checked.forEach(consume);
      return result;
    },
    generate: (vars, prompt, generateOptions) => {
      const where = "decoderLM.generate";
      const v = checkNamedVars(where, vars, lm.layers);
      const p = checkTokens(where, "prompt", prompt);
      const o = checkOptions(where, generateOptions, "{ maxNewTokens, temperature?, key? }", ["maxNewTokens", ...SAMPLING_KEYS, "stop", "padId", "key"]);
      const maxNewTokens = checkNonNegInt(where, "maxNewTokens", o.maxNewTokens);
      const sampling = samplingOptions(where, o);
      const key = samplingKey(where, o.key, sampling.temperature);
      const { stop, padId } = stopOptions(where, o, vocabSize);
      const [batch, t] = p.shape as [number, number];
      const stopped = new Uint8Array(batch);
      return nx.tidy(() => {
        let caches = emptyCaches(where, blocks.map((b) => b.attention), { batch, maxLength: t + maxNewTokens, dtype: v.dtype });
        let tokens = nx.reshape(p, [batch, t]);
        let input = p;
        for (let i = 0; i < maxNewTokens; i++) {
          const [chosen, nextCaches] = nx.tidy(() => {
            const [logits, cs] = step(where, v, input, caches, true);
            const last = nx.squeeze(nx.slice(logits, [null, { start: -1 }]), 1); // [batch, vocab]
            return [nx.reshape(nextTokens(last, key === undefined ? undefined : nx.random.foldIn(key, i), sampling), [batch, 1]), cs] as const;
          });
          caches.forEach(consume);
          caches = nextCaches;
          let next = chosen;
          if (stop.size > 0) {
            // Rows that stopped before take padId; a row stops at its first stop token.
            const ids = Int32Array.from(chosen.dataSync());
            ids.forEach((id, row) => {
              if (stopped[row] === 1) ids[row] = padId;
              else if (stop.has(id)) stopped[row] = 1;
            });
            chosen.dispose();
            next = nx.tensor(ids, { dtype: "int32", shape: [batch, 1], backend: p.backend });
          }
          const grown = nx.concatenate([tokens, next], { axis: 1 });
          tokens.dispose();
          if (input !== p) input.dispose();
          tokens = grown;
          input = next;
          if (stop.size > 0 && stopped.every((s) => s === 1)) break;
        }
        caches.forEach(consume);
        return tokens;
      });
    },
  }, "decoderLM");
}
