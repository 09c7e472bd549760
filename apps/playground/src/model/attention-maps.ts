/**
 * The attention explorer's computation, on the page's own nx backend (CPU):
 * per-head attention probabilities from `multiHeadAttention(...).attentionWeights`,
 * for a layer with seeded random weights over seeded random token
 * embeddings, or from a trained decoder's `decoderLM(...).attentionWeights`
 * for one of its blocks (the model's own pass: causal, RoPE, on the block's
 * normalised input).
 */
import * as nx from "@raven-ts/nx";
import type { Backend, Tensor } from "@raven-ts/nx";
import { Context, Layer, Rng } from "@raven-ts/kaun-core";
import { attentionMaskKey, multiHeadAttention } from "@raven-ts/kaun-attention";
import { charVocab, encode, type LoadedCharLM } from "./demo.js";

/** The explorer's settings. A model source reads only `text` and `padding`: its sizes and masks (causal, RoPE) are its own. */
export interface MapSettings {
  readonly text: string;
  readonly embedDim: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly isCausal: boolean;
  readonly rope: boolean;
  /** Mask the last `padding` tokens (as padding keys). */
  readonly padding: number;
}

/** Where the weights come from. */
export type MapSource = { readonly kind: "random"; readonly seed: number } | { readonly kind: "model"; readonly model: LoadedCharLM; readonly layer: number };

/** The maps of one computation. */
export interface AttentionMaps {
  readonly tokens: string[];
  /** `[head][query][key]`. */
  readonly weights: number[][][];
  readonly numHeads: number;
  readonly numKvHeads: number;
}

/** The most characters the explorer shows. */
export const MAX_TOKENS = 64;

let explorerCpu: Backend | undefined;

/**
 * `onExplorerCpu(fn)` runs `fn` with the explorer's own CPU backend selected
 * and restores the previous one: the explorer's models and maps never mix
 * with the backend the engine computes on (which may be on this thread).
 */
export function onExplorerCpu<T>(fn: () => T): T {
  explorerCpu ??= nx.cpuBackend();
  const previous = nx.getBackend();
  nx.setBackend(explorerCpu);
  try {
    return fn();
  } finally {
    nx.setBackend(previous);
  }
}

/**
 * `attentionMaps(settings, source)` is the attention probabilities of every head.
 * @throws InvalidArgumentError for an empty or too long text, characters a
 * model's vocabulary lacks, a padding outside [0, tokens], or any setting
 * `multiHeadAttention` rejects (its own message).
 */
export function attentionMaps(settings: MapSettings, source: MapSource): AttentionMaps {
  const fn = "playground.explorer";
  const tokens = [...settings.text];
  if (tokens.length === 0) throw new nx.InvalidArgumentError(fn, "type some text: each character is a token");
  if (tokens.length > MAX_TOKENS) throw new nx.InvalidArgumentError(fn, `the text has ${tokens.length} characters; the explorer shows at most ${MAX_TOKENS}`);
  if (!Number.isInteger(settings.padding) || settings.padding < 0 || settings.padding > tokens.length) {
    throw new nx.InvalidArgumentError(fn, `padding must be an integer in [0, ${tokens.length}] (the number of tokens), got ${String(settings.padding)}`);
  }
  if (source.kind === "model") {
    const numLayers = source.model.config.numLayers;
    if (!Number.isInteger(source.layer) || source.layer < 0 || source.layer >= numLayers) {
      throw new nx.InvalidArgumentError(fn, `layer must be in [0, ${numLayers - 1}], got ${String(source.layer)}`);
    }
  }
  const n = tokens.length;
  return nx.tidy(() => {
    const keep = Array.from({ length: n }, (_, i) => (i < n - settings.padding ? 1 : 0));
    const options = settings.padding > 0 ? { ctx: Context.empty.set(attentionMaskKey, nx.tensor([keep], { dtype: "int32" })) } : {};
    let w: Tensor;
    let heads: { readonly numHeads: number; readonly numKvHeads: number };
    if (source.kind === "random") {
      const attn = multiHeadAttention({ embedDim: settings.embedDim, numHeads: settings.numHeads, numKvHeads: settings.numKvHeads, isCausal: settings.isCausal, rope: settings.rope });
      const vocab = charVocab(settings.text);
      const table = nx.random.normal(nx.random.key(source.seed + 1), [vocab.length, settings.embedDim]);
      const x = nx.reshape(nx.take(table, nx.tensor(encode(vocab, settings.text)), { axis: 0 }), [1, n, settings.embedDim]);
      w = attn.attentionWeights(Rng.run(source.seed, () => Layer.init(attn, { dtype: "float32" })), x, options);
      heads = attn.config;
    } else {
      const { model, vars, vocab } = source.model;
      const ids = nx.tensor(encode(vocab, settings.text), { shape: [1, n] });
      w = model.attentionWeights(vars, ids, options)[source.layer] as Tensor;
      heads = model.config;
    }
    const weights = (w.arraySync() as number[][][][])[0] as number[][][];
    return { tokens, weights, numHeads: heads.numHeads, numKvHeads: heads.numKvHeads };
  });
}
