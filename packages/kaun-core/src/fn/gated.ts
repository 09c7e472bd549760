/**
 * Gated MLPs (Shazeer, 2020, "GLU Variants Improve Transformer"):
 * `(act(x W_gate) ⊙ (x W_up)) W_down`, with the gate's activation a sigmoid
 * (GLU), SiLU (SwiGLU, LLaMA's MLP) or GELU (GeGLU). The weights are named
 * as in LLaMA (`gate_proj`, `up_proj`, `down_proj`), without biases.
 */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { checkFloatTensor, checkOptions, checkSameDevice, fail } from "../util.js";
import { geluOf, siluOf } from "./activation.js";

/** The weights of a gated MLP: a layer's params (`Layer.swiglu(...)`) can be passed as they are. */
export interface GatedMlpWeights {
  /** `[in, hidden]`: the projection the gate's activation is applied to. */
  readonly gate_proj: Tensor;
  /** `[in, hidden]`: the projection the gate multiplies. */
  readonly up_proj: Tensor;
  /** `[hidden, out]`: the output projection. */
  readonly down_proj: Tensor;
}

/** The gate activations, by the name of the gated MLP. */
export type GateKind = "glu" | "swiglu" | "geglu";

/** `GATES[kind](h)` is the activation of the gate (the caller tidies). */
export const GATES: Readonly<Record<GateKind, (h: Tensor) => Tensor>> = { glu: nx.sigmoid, swiglu: siluOf, geglu: geluOf };

/**
 * `gatedMlp(kind, x, weights)` is the gated MLP on checked operands (the
 * caller tidies): `(gate(x @ gate_proj) * (x @ up_proj)) @ down_proj`. Internal.
 */
export function gatedMlp(kind: GateKind, x: Tensor, weights: GatedMlpWeights): Tensor {
  return nx.matmul(nx.mul(GATES[kind](nx.matmul(x, weights.gate_proj)), nx.matmul(x, weights.up_proj)), weights.down_proj);
}

function gated(fn: string, kind: GateKind, x: Tensor, weights: GatedMlpWeights): Tensor {
  checkFloatTensor(fn, "x", x);
  checkOptions(fn, weights, "{ gate_proj, up_proj, down_proj }", ["gate_proj", "up_proj", "down_proj"]);
  const gate = checkFloatTensor(fn, "gate_proj", weights.gate_proj);
  const up = checkFloatTensor(fn, "up_proj", weights.up_proj);
  const down = checkFloatTensor(fn, "down_proj", weights.down_proj);
  for (const [name, w] of [["gate_proj", gate], ["up_proj", up], ["down_proj", down]] as const) {
    if (w.ndim !== 2) throw fail(fn, `${name} must be a matrix, got shape ${nx.fmtShape(w.shape)}`);
    if (w.dtype !== x.dtype) throw fail(fn, `${name} is ${w.dtype}, but x is ${x.dtype}`);
  }
  const [inF, hidden] = gate.shape as [number, number];
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) throw fail(fn, `x of shape ${nx.fmtShape(x.shape)} must end with the in features of gate_proj ${nx.fmtShape(gate.shape)}`);
  if (!nx.shapesEqual(up.shape, gate.shape)) throw fail(fn, `up_proj ${nx.fmtShape(up.shape)} must have gate_proj's shape ${nx.fmtShape(gate.shape)}`);
  if (down.shape[0] !== hidden) throw fail(fn, `down_proj ${nx.fmtShape(down.shape)} must have ${hidden} rows, the hidden size of gate_proj ${nx.fmtShape(gate.shape)}`);
  checkSameDevice(fn, [x, gate, up, down]);
  return nx.tidy(() => gatedMlp(kind, x, { gate_proj: gate, up_proj: up, down_proj: down }));
}

/**
 * `glu(x, { gate_proj, up_proj, down_proj })` is the GLU MLP
 * `(sigmoid(x @ gate_proj) * (x @ up_proj)) @ down_proj` on the last axis:
 * `x` `[..., in]`, `gate_proj` and `up_proj` `[in, hidden]`, `down_proj`
 * `[hidden, out]`, result `[..., out]` (Dauphin et al.'s gate in Shazeer's
 * FFN form; PyTorch's `F.glu(x)`, which splits `x` in halves instead, is
 * `nx.mul(a, nx.sigmoid(b))` of those halves).
 * @throws InvalidArgumentError when `x` or a weight is not a live float tensor, the shapes or dtypes do not fit together, a weight is missing, or they live on different backends.
 */
export function glu(x: Tensor, weights: GatedMlpWeights): Tensor {
  return gated("Fn.glu", "glu", x, weights);
}

/**
 * `swiglu(x, { gate_proj, up_proj, down_proj })` is the SwiGLU MLP of LLaMA
 * and PaLM, `(silu(x @ gate_proj) * (x @ up_proj)) @ down_proj`, with the
 * shapes of {@link glu}.
 * @throws InvalidArgumentError as {@link glu}.
 */
export function swiglu(x: Tensor, weights: GatedMlpWeights): Tensor {
  return gated("Fn.swiglu", "swiglu", x, weights);
}

/**
 * `geglu(x, { gate_proj, up_proj, down_proj })` is the GeGLU MLP,
 * `(gelu(x @ gate_proj) * (x @ up_proj)) @ down_proj` with the exact (erf)
 * GELU, with the shapes of {@link glu}.
 * @throws InvalidArgumentError as {@link glu}.
 */
export function geglu(x: Tensor, weights: GatedMlpWeights): Tensor {
  return gated("Fn.geglu", "geglu", x, weights);
}
