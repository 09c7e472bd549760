/**
 * `seededUniform(seed)` is a small, fast, deterministic generator of test data
 * on the host: each call returns the next float in `[0, 1)` of the mulberry32
 * sequence for the 32-bit `seed`. For inputs of tests only; models use the
 * keyed `nx.random`.
 */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
