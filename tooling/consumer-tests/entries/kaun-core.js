// kaun-core: a loss, a functional op, a layer's parameter shapes, a checkpoint round trip,
// a Data pipeline's first batch and a metric.
import * as nx from "@raven-ts/nx";
import { Checkpoint, Data, Fn, Layer, Loss, Metric, Rng } from "@raven-ts/kaun-core";

export function run() {
  const vars = Rng.run(0, () => Layer.init(Layer.linear({ inFeatures: 3, outFeatures: 2 }), { dtype: "float32" }));
  const bytes = Checkpoint.toBytes({ w: nx.tensor([1.5, -2]) });
  const back = Checkpoint.fromBytes(bytes, { like: { w: nx.zeros([2]) } });
  const [first] = Data.textWindows([0, 1, 2, 3, 4], { seqLen: 2 }).batch(2);
  const accuracy = Metric.accuracy();
  accuracy.update(nx.tensor([[0, 1], [1, 0]]), nx.tensor([1, 1], { dtype: "int32" }));
  return {
    mse: Loss.mse(nx.tensor([1, 2]), nx.tensor([3, 5])).item(),
    relu: Array.from(Fn.relu(nx.tensor([-1, 2])).dataSync()),
    weightShape: [...vars.params.weight.shape],
    roundTrip: Array.from(back.w.dataSync()),
    windows: [Array.from(first.inputs.dataSync()), Array.from(first.targets.dataSync())],
    accuracy: accuracy.compute(),
  };
}
