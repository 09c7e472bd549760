"""The transformer block's MLP: the one place of the twin that knows the MLP kinds.

It mirrors `transformerBlock`'s MLP in packages/kaun-attention/src/transformer.ts
(`ACTIVATIONS` and the `mlp_in` / `mlp_out` linear layers):
`mlp_out(act(mlp_in(x)))`. A new MLP kind (gated: glu, swiglu, geglu) is
added here: its activation or gate, its modules and its raven-ts parameter
names in `raven_entries`, and its option in `config.DecoderLMConfig`.
"""
import torch.nn.functional as F
from torch import nn

from .layout import linear_entries

# activation option -> function: raven-ts's `Fn.gelu` is the exact (erf) GELU, as F.gelu's default.
ACTIVATIONS = {"gelu": F.gelu, "silu": F.silu, "relu": F.relu}


class MLP(nn.Module):
    """`mlp_out(activation(mlp_in(x)))` on `[..., embed_dim]`, both linear layers with bias, initialised as raven-ts initialises them."""

    def __init__(self, embed_dim, mlp_dim, activation):
        super().__init__()
        self.activation = activation
        self.mlp_in = nn.Linear(embed_dim, mlp_dim)
        self.mlp_out = nn.Linear(mlp_dim, embed_dim)
        for linear in (self.mlp_in, self.mlp_out):  # raven-ts's Layer.linear: Glorot-uniform weight, zero bias
            nn.init.xavier_uniform_(linear.weight)
            nn.init.zeros_(linear.bias)

    def forward(self, x):
        return self.mlp_out(ACTIVATIONS[self.activation](self.mlp_in(x)))

    def raven_entries(self, raven_prefix, torch_prefix):
        """The parameters' layout: raven-ts `<block>.mlp_in.weight` is `<block>.mlp.mlp_in.weight` here, transposed."""
        return [entry for name in ("mlp_in", "mlp_out") for entry in linear_entries(raven_prefix + name, torch_prefix + name, getattr(self, name))]
