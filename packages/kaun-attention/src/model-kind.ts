/**
 * Internal: which model kind a layer is, for checkpoint metadata. The
 * factories mark the layers they return, so a kind is never guessed from a
 * layer's methods (a `transformerBlock` has the methods of an attention layer).
 * The mark is a non-enumerable property under a registered symbol: it holds
 * across copies of this package loaded twice (a test importing `src/` beside
 * an example importing `dist/`, two bundles), and a copy of a layer's fields
 * (`{ ...layer }`) does not carry it.
 */

/** The layer kinds a model checkpoint can hold. */
export type ModelKind = "decoderLM" | "multiHeadAttention";

const KIND = Symbol.for("@raven-ts/kaun-attention.modelKind");

/** `markModel(layer, kind)` records that `layer`, which a factory is returning, is a model of `kind`, and returns it. */
export function markModel<T extends object>(layer: T, kind: ModelKind): T {
  return Object.defineProperty(layer, KIND, { value: kind });
}

/** `modelKindOf(layer)` is the kind `multiHeadAttention` or `decoderLM` marked `layer` with, or undefined for any other value. */
export function modelKindOf(layer: unknown): ModelKind | undefined {
  if (typeof layer !== "object" || layer === null || !Object.prototype.hasOwnProperty.call(layer, KIND)) return undefined;
  const kind: unknown = (layer as Record<symbol, unknown>)[KIND];
  return kind === "decoderLM" || kind === "multiHeadAttention" ? kind : undefined;
}
