// The benchmark cases, written once for nx (any backend) and for tfjs, used
// by the Node run (bench/run.mjs) and the Chromium page (bench/browser/page.mjs).

/**
 * @typedef {object} BenchCase
 * @property {string} label
 * @property {{ name: string, shape: number[] }[]} inputs
 * @property {(nx: any, xs: any[]) => any} nx   returns one tensor (intermediates disposed)
 * @property {(tf: any, xs: any[]) => any} tf   returns one tensor (intermediates disposed)
 */

/** @param {number} n @returns {BenchCase} */
export function matmulCase(n) {
  return {
    label: `matmul ${n}`,
    inputs: [
      { name: "a", shape: [n, n] },
      { name: "b", shape: [n, n] },
    ],
    nx: (nx, [a, b]) => nx.matmul(a, b),
    tf: (tf, [a, b]) => tf.matMul(a, b),
  };
}

/**
 * Multi-head attention forward on x of shape [b, t, e] with `h` heads:
 * q/k/v/out projections (no bias), heads split [b,t,h,d] -> [b,h,t,d],
 * softmax(q kᵀ / √d) v, heads merged, output projection.
 * @param {number} b @param {number} t @param {number} e @param {number} h
 * @returns {BenchCase}
 */
export function mhaCase(b, t, e, h) {
  const d = e / h;
  const scale = 1 / Math.sqrt(d);
  return {
    label: `MHA forward [${b},${t},${e}] h=${h}`,
    inputs: [
      { name: "x", shape: [b, t, e] },
      { name: "wq", shape: [e, e] },
      { name: "wk", shape: [e, e] },
      { name: "wv", shape: [e, e] },
      { name: "wo", shape: [e, e] },
    ],
    nx: (nx, [x, wq, wk, wv, wo]) =>
      nx.tidy(() => {
        const heads = (w) => nx.transpose(nx.reshape(nx.matmul(x, w), [b, t, h, d]), [0, 2, 1, 3]);
        const q = heads(wq);
        const k = heads(wk);
        const v = heads(wv);
        const scores = nx.mul(nx.matmul(q, nx.transpose(k, [0, 1, 3, 2])), scale);
        const o = nx.matmul(nx.softmax(scores, { axes: [-1] }), v);
        return nx.matmul(nx.reshape(nx.transpose(o, [0, 2, 1, 3]), [b, t, e]), wo);
      }),
    tf: (tf, [x, wq, wk, wv, wo]) =>
      tf.tidy(() => {
        const heads = (w) => tf.transpose(tf.reshape(tf.matMul(tf.reshape(x, [b * t, e]), w), [b, t, h, d]), [0, 2, 1, 3]);
        const q = heads(wq);
        const k = heads(wk);
        const v = heads(wv);
        const scores = tf.mul(tf.matMul(q, k, false, true), scale);
        const o = tf.matMul(tf.softmax(scores), v);
        return tf.reshape(tf.matMul(tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [b * t, e]), wo), [b, t, e]);
      }),
  };
}

/**
 * The `k` largest of each row of `[b, v]` logits (decoding-time top-k
 * sampling), values read back: nx's `topk` against tfjs's.
 * @param {number} b @param {number} v @param {number} k
 * @returns {BenchCase}
 */
export function topkCase(b, v, k) {
  return {
    label: `topk ${k} [${b},${v}]`,
    inputs: [{ name: "logits", shape: [b, v] }],
    nx: (nx, [x]) => {
      const [values, indices] = nx.topk(x, k);
      indices.dispose();
      return values;
    },
    tf: (tf, [x]) => {
      const { values, indices } = tf.topk(x, k);
      indices.dispose();
      return values;
    },
  };
}

/**
 * `seeded(size, seed)` is `size` float32 values in [-1, 1) from a fixed seed
 * (mulberry32), the same in Node and the browser.
 * @param {number} size @param {number} seed
 */
export function seeded(size, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = s;
    r = Math.imul(r ^ (r >>> 15), r | 1);
    r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
    out[i] = (((r ^ (r >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
