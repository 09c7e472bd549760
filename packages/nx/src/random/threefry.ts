/**
 * The threefry2x32 block cipher (Salmon et al., "Parallel random numbers: as
 * easy as 1, 2, 3", SC 2011) with 20 rounds, the counter-based generator
 * behind `nx.random`. Pure 32-bit integer arithmetic, so every backend and
 * platform computes the same words.
 */

const PARITY = 0x1bd11bda;

/** `rotl(x, r)` rotates the 32-bit word `x` left by `r` bits (0 < r < 32). */
function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/**
 * `threefry2x32Into(k0, k1, c0, c1, out, at)` encrypts the counter `(c0, c1)` under the
 * key `(k0, k1)` (all uint32) and writes the two uint32 output words to
 * `out[at]` and `out[at + 1]` (any array type that stores them: a Uint32Array keeps
 * the bit pattern, an Int32Array stores it as signed). The 20 rounds run as
 * five groups of four (rotations 13 15 26 6, then 17 29 16 24, in turn), each
 * followed by a key injection; the key schedule stays in locals (this runs
 * once per block of every host-side stream).
 */
export function threefry2x32Into(k0: number, k1: number, c0: number, c1: number, out: { [i: number]: number }, at: number): void {
  const ks0 = k0 | 0;
  const ks1 = k1 | 0;
  const ks2 = (PARITY ^ k0 ^ k1) | 0;
  let x0 = (c0 + ks0) | 0;
  let x1 = (c1 + ks1) | 0;
  for (let group = 0; group < 5; group++) {
    const even = (group & 1) === 0;
    x0 = (x0 + x1) | 0;
    x1 = rotl(x1, even ? 13 : 17) ^ x0;
    x0 = (x0 + x1) | 0;
    x1 = rotl(x1, even ? 15 : 29) ^ x0;
    x0 = (x0 + x1) | 0;
    x1 = rotl(x1, even ? 26 : 16) ^ x0;
    x0 = (x0 + x1) | 0;
    x1 = rotl(x1, even ? 6 : 24) ^ x0;
    // Inject key words (group + 1) mod 3 and (group + 2) mod 3, and the group count.
    const phase = group % 3;
    x0 = (x0 + (phase === 0 ? ks1 : phase === 1 ? ks2 : ks0)) | 0;
    x1 = (x1 + (phase === 0 ? ks2 : phase === 1 ? ks0 : ks1) + group + 1) | 0;
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
