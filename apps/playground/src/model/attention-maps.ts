/**
 * The attention explorer's computation, on the page's own nx backend (CPU):
 * per-head attention probabilities from `multiHeadAttention(...).attentionWeights`,
 * for a layer with seeded random weights over seeded random token
 * embeddings, or for one block of a trained decoder (its attention weights
 * over the block's normalised input, as the model computes it).
 */
import * as nx from "@raven-ts/nx";
import type { Backend, Tensor } from "@raven-ts/nx";
import { Context, Layer, Rng, type Ptree, type Vars } from "@raven-ts/kaun-core";
import { attentionMaskKey, multiHeadAttention } from "@raven-ts/kaun-attention";
import { charVocab, encode, type LoadedCharLM } from "./demo.js";

/** The explorer's settings. */
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

function field(tree: Ptree, ...path: (string | number)[]): Ptree {
  let t: unknown = tree;
  for (const k of path) t = (t as Record<string | number, unknown>)[k];
  return t as Ptree;
}

/** The input of block `layer`'s attention: embedding, the blocks before it, and the block's pre-attention norm. */
function blockInput(loaded: LoadedCharLM, ids: Int32Array, layer: number): Tensor {
  const { config, vars, model } = loaded;
  const sub = (params: Ptree, state: Ptree): Vars => ({ params, state, dtype: vars.dtype });
  const tokens = nx.tensor(ids, { shape: [1, ids.length] });
  let [h] = Layer.apply(Layer.embedding({ vocabSize: config.vocabSize, embedDim: config.embedDim }), sub(field(vars.params, "embed"), field(vars.state, "embed")), tokens, { training: false });
  for (let i = 0; i < layer; i++) {
    [h] = Layer.apply(model.blocks[i] as (typeof model.blocks)[number], sub(field(vars.params, "blocks", i), field(vars.state, "blocks", i)), h, { training: false });
  }
  const { norm: kind, normEps: eps } = model.config;
  const norm = kind === "rmsNorm" ? Layer.rmsNorm({ dim: config.embedDim, eps }) : Layer.layerNorm({ dim: config.embedDim, eps });
  const [normed] = Layer.apply(norm, sub(field(vars.params, "blocks", layer, "attn_norm"), field(vars.state, "blocks", layer, "attn_norm")), h, { training: false });
  return normed;
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
  const attn = multiHeadAttention({
    embedDim: settings.embedDim,
    numHeads: settings.numHeads,
    numKvHeads: settings.numKvHeads,
    isCausal: settings.isCausal,
    rope: settings.rope,
    ...(source.kind === "model" ? { ropeTheta: source.model.config.ropeTheta } : {}),
  });
  const n = tokens.length;
  return nx.tidy(() => {
    let x: Tensor;
    let vars: Vars;
    if (source.kind === "random") {
      const vocab = charVocab(settings.text);
      const table = nx.random.normal(nx.random.key(source.seed + 1), [vocab.length, settings.embedDim]);
      x = nx.reshape(nx.take(table, nx.tensor(encode(vocab, settings.text)), { axis: 0 }), [1, n, settings.embedDim]);
      vars = Rng.run(source.seed, () => Layer.init(attn, { dtype: "float32" }));
    } else {
      const numLayers = source.model.config.numLayers;
      if (!Number.isInteger(source.layer) || source.layer < 0 || source.layer >= numLayers) {
        throw new nx.InvalidArgumentError(fn, `layer must be in [0, ${numLayers - 1}], got ${String(source.layer)}`);
      }
      x = blockInput(source.model, encode(source.model.vocab, settings.text), source.layer);
      const v = source.model.vars;
      vars = { params: field(v.params, "blocks", source.layer, "attn"), state: {}, dtype: v.dtype };
    }
    const keep = Array.from({ length: n }, (_, i) => (i < n - settings.padding ? 1 : 0));
    const ctx = settings.padding > 0 ? Context.empty.set(attentionMaskKey, nx.tensor([keep], { dtype: "int32" })) : undefined;
    const w = attn.attentionWeights(vars, x, ctx === undefined ? {} : { ctx });
    const weights = (w.arraySync() as number[][][][])[0] as number[][][];
    return { tokens, weights, numHeads: attn.config.numHeads, numKvHeads: attn.config.numKvHeads };
  });
}
