/**
 * `nx.random`: pure, keyed random numbers. A {@link Key} is an immutable pair
 * of uint32 words; every sampler is a function of its key alone (never of
 * call order, global state or backend), built on the counter-based
 * threefry2x32 cipher with JAX's conventions:
 *
 * ```ts
 * const k = nx.random.key(0);
 * const [kInit, kDrop] = nx.random.split(k);
 * const w = nx.random.normal(kInit, [784, 10]);
 * const keep = nx.random.bernoulli(kDrop, 0.9, [32, 784]);
 * ```
 *
 * Reusing a key reproduces the same draw; derive fresh keys with
 * {@link split} or {@link foldIn}.
 */
export { Key, foldIn, isKey, key, split } from "./key.js";
export type { TruncatedNormalOptions, UniformOptions } from "./samplers.js";
export { bernoulli, normal, randint, truncatedNormal, uniform } from "./samplers.js";
export type { ShuffleOptions } from "./permutation.js";
export { permutation, shuffle } from "./permutation.js";
export type { CategoricalOptions } from "./categorical.js";
export { categorical } from "./categorical.js";
