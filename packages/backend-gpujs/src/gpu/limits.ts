/**
 * Size limits of gpu.js kernels, checked before any kernel runs so an
 * oversized tensor fails with a message naming the limit instead of
 * computing wrong values.
 */
import { InvalidArgumentError } from "@raven-ts/nx";

/**
 * Kernels address elements with float32 index arithmetic, exact up to 2^24.
 * Larger buffers are rejected (not tiled): their indices would round.
 */
export const MAX_ELEMENTS = 2 ** 24;

/**
 * `checkSize(fn, size, maxTextureSize)` returns `size` when a buffer of
 * `size` float32 elements fits every limit: at most {@link MAX_ELEMENTS}
 * elements, and on GL at most `maxTextureSize²` texels (one element per texel).
 * @throws InvalidArgumentError naming `fn`, the size and the limit otherwise.
 */
export function checkSize(fn: string, size: number, maxTextureSize: number): number {
  if (size > MAX_ELEMENTS) {
    throw new InvalidArgumentError(
      fn,
      `a buffer of ${size} elements exceeds the gpujs backend's limit of ${MAX_ELEMENTS} (2^24) elements per tensor, the largest index its float32 kernels address exactly; split the tensor or use the CPU backend`,
    );
  }
  const side = Math.ceil(Math.sqrt(size));
  if (side > maxTextureSize) {
    throw new InvalidArgumentError(
      fn,
      `a buffer of ${size} elements needs a ${side}x${side} texture, beyond this WebGL context's MAX_TEXTURE_SIZE of ${maxTextureSize}`,
    );
  }
  return size;
}
