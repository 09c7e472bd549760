// Type-checked by the packed-install test under `module: node16` and under
// `moduleResolution: bundler`, against the .d.ts files of the installed tarballs.
import * as nx from "@raven-ts/nx";
import { grad, valueAndGrad } from "@raven-ts/rune";
import { Checkpoint, Layer, Loss, Optim, Rng, Train, type TrainState, type Vars } from "@raven-ts/kaun-core";
import { Checkpoint as FileCheckpoint } from "@raven-ts/kaun-core/node";
import { attentionMaskKey, decoderLM, multiHeadAttention, type KvCache } from "@raven-ts/kaun-attention";
import { gpujsBackend, type GpujsMode } from "@raven-ts/backend-gpujs";

const x: nx.Tensor = nx.matmul(nx.ones([2, 3]), nx.ones([3, 4]));
const shape: readonly number[] = x.shape;
const dtype: nx.DType = x.dtype;
const g: nx.Tensor = grad((t: nx.Tensor) => nx.sum(nx.square(t)))(x);
const [value, grads] = valueAndGrad((p: { w: nx.Tensor }) => nx.sum(p.w))({ w: x });
const attn = multiHeadAttention({ embedDim: 8, numHeads: 2, numKvHeads: 1, isCausal: true, rope: true });
const vars: Vars = Rng.run(0, () => Layer.init(attn, { dtype: "float32" }));
const cache: KvCache = attn.initCache({ batch: 1, maxLength: 4 });
const lm = decoderLM({ vocabSize: 10, embedDim: 8, numLayers: 1, numHeads: 2 });
const trainer = Train.make({ model: lm, optimizer: Optim.adamw({ lr: 1e-3 }) });
const state: TrainState = Rng.run(0, () => Train.init(trainer));
const bytes: Uint8Array = Checkpoint.toBytes(state.vars.params, { metadata: { note: "typed" } });
const saved: Promise<void> = FileCheckpoint.save("/tmp/never-written.safetensors", state.vars.params);
const mode: GpujsMode = "webgl2";
const loss: nx.Tensor = Loss.mse(x, x);
export const all = [shape, dtype, g, value, grads, vars, cache, bytes, saved, mode, loss, attentionMaskKey, gpujsBackend] as const;

// The types are real (not `any`): each of these is an error.
// @ts-expect-error -- softmax takes `axes`, not `axis`
nx.softmax(x, { axis: 1 });
// @ts-expect-error -- not a gpu.js mode
export const badMode: GpujsMode = "vulkan";
// @ts-expect-error -- numHeads is required
multiHeadAttention({ embedDim: 8 });
