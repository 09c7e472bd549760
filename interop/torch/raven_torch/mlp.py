"""The transformer block's MLP: the one place of the twin that knows the MLP kinds.

It mirrors `transformerBlock`'s MLP in packages/kaun-attention/src/transformer.ts
(`ACTIVATIONS`, `GATED` and the sub-layers it builds per kind):

- "dense": `mlp_out(act(mlp_in(x)))`, two linear layers with bias
  (raven-ts `<block>.mlp_in.weight` is `<block>.mlp.mlp_in.weight` here, transposed);
- "glu", "swiglu", "geglu": `down_proj(gate(gate_proj(x)) * up_proj(x))`, three
  bias-free linear layers (kaun-core's `Layer.glu` / `swiglu` / `geglu`;
  raven-ts `<block>.mlp.gate_proj` `[D, M]` is `<block>.mlp.gate_proj.weight` here,
  transposed), the gate a sigmoid, SiLU or exact GELU.

A new kind is added here (its module, its activation or gate, its raven-ts
parameter names in `raven_entries`) and in `MLP_KINDS`, which the config checks.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .layout import linear_entries, matrix_entry

# The dense MLP's activation option -> function: raven-ts's `Fn.gelu` is the exact (erf) GELU, as F.gelu's default.
ACTIVATIONS = {"gelu": F.gelu, "silu": F.silu, "relu": F.relu}

# A gated MLP kind -> its gate's activation: the name raven-ts reports as `activation` in the config, and the function.
GATES = {"glu": ("sigmoid", torch.sigmoid), "swiglu": ("silu", F.silu), "geglu": ("gelu", F.gelu)}

# Every `mlp` option value, the default first.
MLP_KINDS = ("dense", *GATES)


def _glorot(*linears):
    for linear in linears:  # raven-ts's Layer.linear / gated layers: Glorot-uniform weight (the same limit on [out, in]), zero bias
        nn.init.xavier_uniform_(linear.weight)
        if linear.bias is not None:
            nn.init.zeros_(linear.bias)


class MLP(nn.Module):
    """`mlp_out(activation(mlp_in(x)))` on `[..., embed_dim]`, both linear layers with bias, initialised as raven-ts initialises them."""

    def __init__(self, embed_dim, mlp_dim, activation):
        super().__init__()
        self.activation = activation
        self.mlp_in = nn.Linear(embed_dim, mlp_dim)
        self.mlp_out = nn.Linear(mlp_dim, embed_dim)
        _glorot(self.mlp_in, self.mlp_out)

    def forward(self, x):
        return self.mlp_out(ACTIVATIONS[self.activation](self.mlp_in(x)))

    def raven_entries(self, raven_prefix, torch_prefix):
        """raven-ts `<block>.mlp_in.weight` is `<block>.mlp.mlp_in.weight` here, transposed (`raven_prefix` is the block's)."""
        return [entry for name in ("mlp_in", "mlp_out") for entry in linear_entries(raven_prefix + name, torch_prefix + name, getattr(self, name))]


class GatedMLP(nn.Module):
    """`down_proj(gate(gate_proj(x)) * up_proj(x))` on `[..., embed_dim]` (Shazeer 2020; LLaMA's for "swiglu"), bias-free, initialised as raven-ts."""

    def __init__(self, embed_dim, mlp_dim, kind):
        super().__init__()
        self.kind = kind
        self.gate_proj = nn.Linear(embed_dim, mlp_dim, bias=False)
        self.up_proj = nn.Linear(embed_dim, mlp_dim, bias=False)
        self.down_proj = nn.Linear(mlp_dim, embed_dim, bias=False)
        _glorot(self.gate_proj, self.up_proj, self.down_proj)

    def forward(self, x):
        return self.down_proj(GATES[self.kind][1](self.gate_proj(x)) * self.up_proj(x))

    def raven_entries(self, raven_prefix, torch_prefix):
        """raven-ts `<block>.mlp.gate_proj` `[D, M]` is `<block>.mlp.gate_proj.weight` here, transposed."""
        return [matrix_entry(raven_prefix + "mlp." + name, torch_prefix + name, getattr(self, name)) for name in ("gate_proj", "up_proj", "down_proj")]


def make_mlp(config):
    """The MLP of a block of `config` (a `DecoderLMConfig`): `MLP` for "dense", `GatedMLP` otherwise."""
    if config.mlp == "dense":
        return MLP(config.embed_dim, config.mlp_dim, config.activation)
    return GatedMLP(config.embed_dim, config.mlp_dim, config.mlp)
