/**
 * A model and its configuration in one safetensors file: the params as
 * tensors (dotted names), the layer kind and its options as JSON in the
 * header's `__metadata__` (the format `interop/torch`'s `load_raven` and
 * `save_raven` read and write).
 */
import * as nx from "@raven-ts/nx";
import { Checkpoint, Layer, Ptree, Rng, type Vars } from "@raven-ts/kaun-core";
import { checkOneOf, describe, fail, isRecord, optionalOptions, reworded } from "@raven-ts/kaun-core/internal";
import { ATTENTION_KEYS, pick } from "./config.js";
import { LM_KEYS, decoderLM, type DecoderLMLayer } from "./decoder-lm.js";
import { multiHeadAttention, type MultiHeadAttentionLayer } from "./mha.js";
import { modelKindOf, type ModelKind } from "./model-kind.js";

/**
 * The `__metadata__` keys of a model checkpoint; every value is a string.
 * `model` and `config` describe the model ({@link modelMetadata} writes
 * them); `vocab` and `training` are conventions for what an application
 * adds (the demo and the playground store a character vocabulary and their
 * training settings there; `interop/torch` checks the vocabulary).
 */
export const MODEL_METADATA_KEYS = Object.freeze({
  /** The layer kind: `"decoderLM"` or `"multiHeadAttention"`. */
  model: "raven.model",
  /** JSON of the layer's options, every default filled in (`decoderLM(JSON.parse(...))` rebuilds it). */
  config: "raven.config",
  /** JSON array of the tokens: token id `i` is `vocab[i]`. */
  vocab: "raven.vocab",
  /** JSON of how the weights were trained (informative only). */
  training: "raven.training",
} as const);

export type { ModelKind };

/** A layer a model checkpoint can hold. */
export type ModelLayer = DecoderLMLayer | MultiHeadAttentionLayer;

const MODEL_KINDS: readonly ModelKind[] = ["decoderLM", "multiHeadAttention"];

/** A model read back by {@link modelFromCheckpoint}. */
export type LoadedModel =
  | { readonly kind: "decoderLM"; readonly layer: DecoderLMLayer; readonly vars: Vars; readonly metadata: Readonly<Record<string, string>> }
  | { readonly kind: "multiHeadAttention"; readonly layer: MultiHeadAttentionLayer; readonly vars: Vars; readonly metadata: Readonly<Record<string, string>> };

/** Options of {@link modelFromCheckpoint}. */
export interface ModelFromCheckpointOptions<K extends ModelKind = ModelKind> {
  /** The kind the file must hold; defaults to either. */
  readonly kind?: K;
}

/** `kindOf(fn, layer)` is the kind of a `decoderLM` or `multiHeadAttention` layer. */
function kindOf(fn: string, layer: unknown): ModelKind {
  const kind = modelKindOf(layer);
  if (kind === undefined) throw fail(fn, `layer must be a decoderLM or multiHeadAttention layer, got ${describe(layer)}`);
  return kind;
}

/**
 * `modelMetadata(layer, extra?)` is the `__metadata__` of a checkpoint of
 * `layer` (a `decoderLM` or a `multiHeadAttention`): `raven.model` names the
 * kind and `raven.config` holds its options as JSON with every default
 * filled in (`multiHeadAttention`'s derived `headDim` left out), followed by
 * the entries of `extra` (default none), such as `raven.vocab`. Save the
 * params with it and {@link modelFromCheckpoint} (or PyTorch's `load_raven`)
 * rebuilds the model:
 *
 * ```ts
 * const bytes = Checkpoint.toBytes(vars.params, { metadata: modelMetadata(lm) });
 * ```
 * @throws InvalidArgumentError when `layer` is not a `decoderLM` or
 * `multiHeadAttention` layer, or `extra` is not an object of strings or
 * sets `raven.model` or `raven.config`.
 */
export function modelMetadata(layer: ModelLayer, extra?: Readonly<Record<string, string>>): Record<string, string> {
  const fn = "modelMetadata";
  const kind = kindOf(fn, layer);
  if (extra !== undefined && !isRecord(extra)) throw fail(fn, `extra must be an object of strings, got ${describe(extra)}`);
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (k === MODEL_METADATA_KEYS.model || k === MODEL_METADATA_KEYS.config) throw fail(fn, `extra may not set ${nx.fmtValue(k)}: modelMetadata writes it from the layer`);
    if (typeof v !== "string") throw fail(fn, `extra[${nx.fmtValue(k)}] must be a string, got ${describe(v)}`);
  }
  const options = kind === "decoderLM" ? pick((layer as DecoderLMLayer).config, LM_KEYS) : pick((layer as MultiHeadAttentionLayer).config, ATTENTION_KEYS);
  return { [MODEL_METADATA_KEYS.model]: kind, [MODEL_METADATA_KEYS.config]: JSON.stringify(options), ...extra };
}

const CHECKPOINT_ERROR = /^kaun\.Checkpoint\.\w+: ([\s\S]*)$/;

/** `layerOf(fn, kind, text)` is the layer the options JSON `text` builds. */
function layerOf(fn: string, kind: ModelKind, text: string | undefined): ModelLayer {
  const key = nx.fmtValue(MODEL_METADATA_KEYS.config);
  if (text === undefined) throw fail(fn, `the file's metadata has no ${key} entry (the ${kind}'s options)`);
  let options: unknown;
  try {
    options = JSON.parse(text);
  } catch {
    throw fail(fn, `metadata ${key} is not valid JSON`);
  }
  if (!isRecord(options)) throw fail(fn, `metadata ${key} must be a JSON object of ${kind} options, got ${describe(options)}`);
  const invalid = new RegExp(`^kaun\\.${kind}: ([\\s\\S]*)$`);
  const prefix = `metadata ${key} is not a valid ${kind} configuration: `;
  if (kind === "decoderLM") return reworded(fn, invalid, prefix, () => decoderLM(options as never));
  // headDim is derived; a config written as JSON.stringify(attn.config) carries it.
  const { headDim, ...rest } = options;
  const layer = reworded(fn, invalid, prefix, () => multiHeadAttention(rest as never));
  if (headDim !== undefined && headDim !== layer.config.headDim) {
    throw fail(fn, `${prefix}headDim ${describe(headDim)} differs from embedDim / numHeads = ${layer.config.headDim}`);
  }
  return layer;
}

/**
 * `modelFromCheckpoint(bytes, { kind? })` is the model a safetensors file
 * written with {@link modelMetadata} holds, `{ kind, layer, vars, metadata }`:
 * the layer rebuilt from `raven.model` and `raven.config`, its `vars` (the
 * file's params, on the current backend, in the file's float dtype: float64
 * when the layer's first parameter is stored as `F64`, else float32; an
 * empty state) and the file's whole `__metadata__` (for what an
 * application stored beside the model, such as `raven.vocab`). Tensors the
 * layer does not name are ignored. `kind` defaults to either kind. Only
 * the params stay live; on error nothing does.
 *
 * ```ts
 * const { layer, vars } = modelFromCheckpoint(bytes, { kind: "decoderLM" });
 * const text = layer.generate(vars, prompt, { maxNewTokens: 100, temperature: 0 });
 * ```
 * @throws InvalidArgumentError, naming `kaun.modelFromCheckpoint`, when
 * `bytes` is not a valid safetensors file (as `Checkpoint.inspect`),
 * `options` is not an object or `kind` not a model kind, the metadata has no
 * `raven.model` or names another kind than `kind`, `raven.config` is
 * missing, not valid JSON, not an object, or options the layer rejects
 * (its message follows), or a parameter of the layer is missing from the
 * file or has another shape or dtype (as `Checkpoint.fromBytes`).
 */
export function modelFromCheckpoint(bytes: Uint8Array): LoadedModel;
export function modelFromCheckpoint<K extends ModelKind>(bytes: Uint8Array, options: ModelFromCheckpointOptions<K>): Extract<LoadedModel, { kind: K }>;
export function modelFromCheckpoint(bytes: Uint8Array, options?: ModelFromCheckpointOptions): LoadedModel {
  const fn = "modelFromCheckpoint";
  const o = optionalOptions(fn, options, ["kind"]);
  const wanted = o.kind === undefined ? undefined : checkOneOf(fn, "kind", o.kind, MODEL_KINDS);
  const { metadata, tensors } = reworded(fn, CHECKPOINT_ERROR, "", () => Checkpoint.inspect(bytes));
  const named = metadata[MODEL_METADATA_KEYS.model];
  if (named === undefined) {
    throw fail(fn, `the file's metadata has no ${nx.fmtValue(MODEL_METADATA_KEYS.model)} entry naming its model (save the params with { metadata: modelMetadata(layer) })`);
  }
  const kind = checkOneOf(fn, `metadata ${nx.fmtValue(MODEL_METADATA_KEYS.model)}`, named, MODEL_KINDS);
  if (wanted !== undefined && kind !== wanted) throw fail(fn, `the file holds a ${kind}, not a ${wanted}`);
  const layer = layerOf(fn, kind, metadata[MODEL_METADATA_KEYS.config]);
  const template = Rng.run(0, () => Layer.init(layer as Layer<"int32" | "float", "float">, { dtype: "float32" }));
  try {
    const first = Ptree.flattenWithPaths(template.params)[0]?.[0];
    const dtype = tensors.find((t) => t.name === first)?.dtype === "F64" ? "float64" : "float32";
    const params = nx.tidy(() => {
      const like = dtype === "float32" ? template.params : Ptree.map((p) => nx.cast(p, dtype), template.params);
      return reworded(fn, CHECKPOINT_ERROR, "", () => Checkpoint.fromBytes(bytes, { like }));
    });
    return { kind, layer, vars: { params, state: template.state, dtype }, metadata } as LoadedModel;
  } finally {
    nx.dispose(template.params);
  }
}
