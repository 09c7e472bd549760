/**
 * Size limits of gpu.js kernels, declared in the backend's capabilities
 * (`maxElements`) so the nx frontend refuses an oversized tensor before any
 * kernel runs, instead of computing wrong values.
 */

/**
 * Kernels address elements with float32 index arithmetic, exact up to 2^24.
 * Larger buffers are refused (not tiled): their indices would round.
 */
export const MAX_ELEMENTS = 2 ** 24;

/**
 * `maxElements(maxTextureSize)` is the most elements one buffer may hold:
 * {@link MAX_ELEMENTS}, and on GL at most `maxTextureSize²` (one element per
 * texel of a square texture; `Infinity` off GL).
 */
export function maxElements(maxTextureSize: number): number {
  return Math.min(MAX_ELEMENTS, maxTextureSize ** 2);
}
