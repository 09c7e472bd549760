"""How a raven-ts parameter maps to a PyTorch parameter: one `Entry` per tensor.

Every twin module lists its parameters with `raven_entries(raven_prefix,
torch_prefix)`; `checkpoint.load_raven` / `save_raven` apply the entries and
nothing else, so this list and the table in README.md are the whole
conversion.
"""
from dataclasses import dataclass

import torch

# transform name -> (raven-ts tensor -> PyTorch tensor); each is its own inverse.
TRANSFORMS = {
    # raven-ts computes `x @ W` with W [in, out]; torch.nn.Linear stores [out, in] and computes `x @ W.T`.
    "transpose": lambda t: t.t(),
    "none": lambda t: t,
}


@dataclass(frozen=True)
class Entry:
    """One tensor: its raven-ts dotted name and shape, its PyTorch `state_dict` key, and the transform between them."""

    raven: str
    shape: tuple
    torch: str
    transform: str

    def to_torch(self, tensor):
        return TRANSFORMS[self.transform](tensor)

    def to_raven(self, tensor):
        return TRANSFORMS[self.transform](tensor)


def matrix_entry(raven_name, torch_name, linear):
    """A bias-free `torch.nn.Linear` that raven-ts stores as the bare matrix `<name>` `[in, out]` (the attention projections)."""
    out_features, in_features = linear.weight.shape
    return Entry(raven_name, (in_features, out_features), torch_name + ".weight", "transpose")


def linear_entries(raven_name, torch_name, linear):
    """A `torch.nn.Linear` with bias: kaun-core's `Layer.linear`, `<name>.weight` `[in, out]` and `<name>.bias` `[out]`."""
    out_features, in_features = linear.weight.shape
    return [
        Entry(raven_name + ".weight", (in_features, out_features), torch_name + ".weight", "transpose"),
        Entry(raven_name + ".bias", (out_features,), torch_name + ".bias", "none"),
    ]


def norm_entries(raven_name, torch_name, norm):
    """kaun-core's `Layer.rmsNorm` (`scale`) or `Layer.layerNorm` (`gamma`, `beta`) as the twin's `RMSNorm.weight` / `torch.nn.LayerNorm.weight, .bias`."""
    (dim,) = norm.weight.shape
    if isinstance(norm, torch.nn.LayerNorm):
        return [
            Entry(raven_name + ".gamma", (dim,), torch_name + ".weight", "none"),
            Entry(raven_name + ".beta", (dim,), torch_name + ".bias", "none"),
        ]
    return [Entry(raven_name + ".scale", (dim,), torch_name + ".weight", "none")]
