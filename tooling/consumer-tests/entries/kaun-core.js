// kaun-core: a loss, a functional op, a layer's parameter shapes and a checkpoint round trip.
import * as nx from "@raven-ts/nx";
import { Checkpoint, Fn, Layer, Loss, Rng } from "@raven-ts/kaun-core";

export function run() {
  const vars = Rng.run(0, () => Layer.init(Layer.linear({ inFeatures: 3, outFeatures: 2 }), { dtype: "float32" }));
  const bytes = Checkpoint.toBytes({ w: nx.tensor([1.5, -2]) });
  const back = Checkpoint.fromBytes(bytes, { like: { w: nx.zeros([2]) } });
  return {
    mse: Loss.mse(nx.tensor([1, 2]), nx.tensor([3, 5])).item(),
    relu: Array.from(Fn.relu(nx.tensor([-1, 2])).dataSync()),
    weightShape: [...vars.params.weight.shape],
    roundTrip: Array.from(back.w.dataSync()),
  };
}
