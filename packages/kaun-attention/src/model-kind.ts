/**
 * Internal: which model kind a layer is, for checkpoint metadata. The
 * factories mark the layers they return, so a kind is never guessed from a
 * layer's methods (a `transformerBlock` has the methods of an attention layer).
 */

/** The layer kinds a model checkpoint can hold. */
export type ModelKind = "decoderLM" | "multiHeadAttention";

const kinds = new WeakMap<object, ModelKind>();

/** `markModel(layer, kind)` records that `layer`, which a factory is returning, is a model of `kind`, and returns it. */
export function markModel<T extends object>(layer: T, kind: ModelKind): T {
  kinds.set(layer, kind);
  return layer;
}

/** `modelKindOf(layer)` is the kind `multiHeadAttention` or `decoderLM` marked `layer` with, or undefined for any other value. */
export function modelKindOf(layer: unknown): ModelKind | undefined {
  return typeof layer === "object" && layer !== null ? kinds.get(layer) : undefined;
}
