// kaun-attention: causal attention maps from multiHeadAttention.
import * as nx from "@raven-ts/nx";
import { Layer, Rng } from "@raven-ts/kaun-core";
import { multiHeadAttention } from "@raven-ts/kaun-attention";

export function run() {
  const attn = multiHeadAttention({ embedDim: 4, numHeads: 2, isCausal: true, rope: true });
  const vars = Rng.run(0, () => Layer.init(attn, { dtype: "float32" }));
  const w = attn.attentionWeights(vars, nx.random.normal(nx.random.key(1), [1, 3, 4]));
  const rows = w.arraySync()[0].flat(); // 2 heads x 3 queries, each 3 keys
  return {
    shape: [...w.shape],
    aboveDiagonal: rows.flatMap((row, i) => row.filter((_, k) => k > i % 3)),
    rowSums: rows.map((row) => Math.round(row.reduce((a, b) => a + b, 0) * 1e5) / 1e5),
  };
}
