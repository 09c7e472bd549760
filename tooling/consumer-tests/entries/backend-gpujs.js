// backend-gpujs: the gpu.js backend in a mode Node and browsers both have.
import * as nx from "@raven-ts/nx";
import { gpujsBackend } from "@raven-ts/backend-gpujs";

export function run() {
  const backend = nx.setBackend(gpujsBackend({ mode: "webasm" }));
  const product = Array.from(nx.matmul(nx.tensor([[1, 2], [3, 4]]), nx.tensor([[5], [6]])).dataSync());
  nx.setBackend("cpu");
  return { mode: backend.mode, product };
}
