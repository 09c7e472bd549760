// nx alone, named imports: the default CPU backend must come along.
import { matmul, tensor } from "@raven-ts/nx";

export function run() {
  return { product: Array.from(matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])).dataSync()) };
}
