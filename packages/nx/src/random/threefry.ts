/**
 * The threefry2x32 block cipher (Salmon et al., "Parallel random numbers: as
 * easy as 1, 2, 3", SC 2011) with 20 rounds, the counter-based generator
 * behind `nx.random`. Pure 32-bit integer arithmetic, so every backend and
 * platform computes the same words.
 */

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
const PARITY = 0x1bd11bda;

/**
 * `threefry2x32Into(k0, k1, c0, c1, out, at)` encrypts the counter `(c0, c1)` under the
 * key `(k0, k1)` (all uint32) and writes the two uint32 output words to
 * `out[at]` and `out[at + 1]` (any array type that stores them: a Uint32Array keeps
 * the bit pattern, an Int32Array stores it as signed).
 */
export function threefry2x32Into(k0: number, k1: number, c0: number, c1: number, out: { [i: number]: number }, at: number): void {
  const k2 = (PARITY ^ k0 ^ k1) >>> 0;
  let x0 = (c0 + k0) | 0;
  let x1 = (c1 + k1) | 0;
  const ks = [k0 | 0, k1 | 0, k2 | 0];
  for (let group = 0; group < 5; group++) {
    const base = (group & 1) * 4;
    for (let r = 0; r < 4; r++) {
      const rot = ROTATIONS[base + r] as number;
      x0 = (x0 + x1) | 0;
      x1 = (x1 << rot) | (x1 >>> (32 - rot));
      x1 ^= x0;
    }
    x0 = (x0 + (ks[(group + 1) % 3] as number)) | 0;
    x1 = (x1 + (ks[(group + 2) % 3] as number) + group + 1) | 0;
  }
  out[at] = x0 >>> 0;
  out[at + 1] = x1 >>> 0;
}

/** `threefry2x32(key, counter)` is the two uint32 words of encrypting `counter` under `key`. */
export function threefry2x32(key: readonly [number, number], counter: readonly [number, number]): [number, number] {
  const out: [number, number] = [0, 0];
  threefry2x32Into(key[0], key[1], counter[0], counter[1], out, 0);
  return out;
}

/**
 * `uniformFromStream(key, size, float64)` is the `[0, 1)` floats of the stream
 * `backend.ts` specifies for `randomUniform`: block `b` is
 * `threefry2x32(key, [b, 0])`; a float32 element uses one word's top 24 bits,
 * a float64 element one block's 53 bits.
 */
export function uniformFromStream(key: readonly [number, number], size: number, out: Float32Array | Float64Array): void {
  const words = new Uint32Array(2);
  const [k0, k1] = key;
  if (out instanceof Float64Array) {
    for (let i = 0; i < size; i++) {
      threefry2x32Into(k0, k1, i, 0, words, 0);
      out[i] = ((words[0] as number) >>> 5) * 2 ** -27 + ((words[1] as number) >>> 6) * 2 ** -53;
    }
    return;
  }
  for (let b = 0; b * 2 < size; b++) {
    threefry2x32Into(k0, k1, b, 0, words, 0);
    out[2 * b] = ((words[0] as number) >>> 8) * 2 ** -24;
    if (2 * b + 1 < size) out[2 * b + 1] = ((words[1] as number) >>> 8) * 2 ** -24;
  }
}
