// nx as a namespace import.
import * as nx from "@raven-ts/nx";

export function run() {
  const x = nx.tensor([[1, 2, 3], [0, 0, 0]]);
  return {
    backend: nx.getBackend().name,
    product: Array.from(nx.matmul(nx.tensor([[1, 2], [3, 4]]), nx.tensor([[5], [6]])).dataSync()),
    softmaxRow: Array.from(nx.softmax(x, { axes: [-1] }).dataSync()).slice(3),
  };
}
