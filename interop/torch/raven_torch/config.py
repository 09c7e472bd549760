"""The configurations of the twins, option for option those of raven-ts.

`AttentionConfig` mirrors `multiHeadAttention(options)` and `DecoderLMConfig`
mirrors `decoderLM(options)` (packages/kaun-attention). Python attributes are
snake_case; `from_options` / `to_options` read and write the camelCase option
objects of raven-ts (what a checkpoint's `raven.config` metadata holds), with
the same defaults and the same checks. An option this twin does not know is
an error, never silently ignored: a model it cannot mirror must not load.
"""
from dataclasses import MISSING, dataclass, fields
import json
import math
import re

from .mlp import ACTIVATIONS, GATES, MLP_KINDS

NORM_KINDS = ("rmsNorm", "layerNorm")
# The default epsilon of each norm kind (kaun-core's Layer.rmsNorm and Layer.layerNorm).
DEFAULT_NORM_EPS = {"rmsNorm": 1e-6, "layerNorm": 1e-5}


class ConfigError(ValueError):
    """An option that raven-ts would reject, or that this twin does not know."""


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _positive_int(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError("%s: %s must be a positive integer, got %r" % (owner, _camel(name), value))
    return value


def _finite_number(owner, name, value, minimum=None, strict=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError("%s: %s must be a finite number, got %r" % (owner, _camel(name), value))
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        raise ConfigError("%s: %s must be %s %s, got %r" % (owner, _camel(name), ">" if strict else ">=", minimum, value))
    return float(value)


def _bool(owner, name, value):
    if not isinstance(value, bool):
        raise ConfigError("%s: %s must be a boolean, got %r" % (owner, _camel(name), value))
    return value


class _Options:
    """camelCase option objects <-> dataclass fields, shared by both configs."""

    OWNER = ""
    # Derived values raven-ts reports in `config` but does not take as options (checked, then dropped).
    DERIVED = ()

    @classmethod
    def from_options(cls, options):
        """`from_options(options)` is the config of a raven-ts option object (a dict or a JSON string)."""
        if isinstance(options, str):
            options = json.loads(options)
        if not isinstance(options, dict):
            raise ConfigError("%s: options must be an object, got %r" % (cls.OWNER, type(options).__name__))
        known = {_camel(f.name): f.name for f in fields(cls)}
        kwargs = {}
        for key, value in options.items():
            if key in cls.DERIVED:
                continue
            if key not in known:
                raise ConfigError("%s: unknown option %r (this twin mirrors %s)" % (cls.OWNER, key[:80], ", ".join(sorted(known))))
            kwargs[known[key]] = value
        for f in fields(cls):
            if f.default is MISSING and f.name not in kwargs:
                raise ConfigError("%s: option %r is required" % (cls.OWNER, _camel(f.name)))
        config = cls(**kwargs)
        for key in cls.DERIVED:
            if key in options and options[key] != getattr(config, _snake(key)):
                raise ConfigError("%s: %s is %r, but the other options give %r" % (cls.OWNER, key, options[key], getattr(config, _snake(key))))
        return config

    def to_options(self):
        """`to_options()` is the raven-ts option object (camelCase keys, every default filled in)."""
        return {_camel(f.name): getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class AttentionConfig(_Options):
    """`multiHeadAttention({ embedDim, numHeads, numKvHeads?, dropout?, isCausal?, rope?, ropeTheta? })`."""

    embed_dim: int
    num_heads: int
    num_kv_heads: int = None  # defaults to num_heads
    dropout: float = 0.0
    is_causal: bool = False
    rope: bool = False
    rope_theta: float = 10000.0

    OWNER = "multiHeadAttention"
    DERIVED = ("headDim",)

    def __post_init__(self):
        o = self.OWNER
        _positive_int(o, "embed_dim", self.embed_dim)
        _positive_int(o, "num_heads", self.num_heads)
        kv = self.num_heads if self.num_kv_heads is None else _positive_int(o, "num_kv_heads", self.num_kv_heads)
        object.__setattr__(self, "num_kv_heads", kv)
        if self.embed_dim % self.num_heads:
            raise ConfigError("%s: embedDim (%d) must be divisible by numHeads (%d)" % (o, self.embed_dim, self.num_heads))
        if self.num_heads % kv:
            raise ConfigError("%s: numHeads (%d) must be divisible by numKvHeads (%d)" % (o, self.num_heads, kv))
        dropout = _finite_number(o, "dropout", self.dropout, 0.0)
        if dropout >= 1:
            raise ConfigError("%s: dropout must be in [0, 1), got %r" % (o, self.dropout))
        object.__setattr__(self, "dropout", dropout)
        _bool(o, "is_causal", self.is_causal)
        _bool(o, "rope", self.rope)
        object.__setattr__(self, "rope_theta", _finite_number(o, "rope_theta", self.rope_theta, 0.0, strict=True))
        if self.rope and self.head_dim % 2:
            raise ConfigError("%s: rope needs an even head size, got embedDim / numHeads = %d" % (o, self.head_dim))

    @property
    def head_dim(self):
        return self.embed_dim // self.num_heads


@dataclass(frozen=True)
class DecoderLMConfig(_Options):
    """`decoderLM({ vocabSize, embedDim, numLayers, numHeads, numKvHeads?, mlpDim?, dropout?, ropeTheta?, norm?, normEps?, mlp?, activation?, tieEmbeddings? })`."""

    vocab_size: int
    embed_dim: int
    num_layers: int
    num_heads: int
    num_kv_heads: int = None  # defaults to num_heads
    mlp_dim: int = None  # defaults to 4 * embed_dim
    dropout: float = 0.0
    rope_theta: float = 10000.0
    norm: str = "rmsNorm"
    norm_eps: float = None  # defaults to DEFAULT_NORM_EPS[norm]
    mlp: str = "dense"
    activation: str = None  # the dense MLP's, default "gelu"; a gated MLP's gate, which may only be confirmed
    tie_embeddings: bool = False

    OWNER = "decoderLM"

    def __post_init__(self):
        o = self.OWNER
        _positive_int(o, "vocab_size", self.vocab_size)
        _positive_int(o, "num_layers", self.num_layers)
        attention = self.attention()  # checks the attention options
        object.__setattr__(self, "num_kv_heads", attention.num_kv_heads)
        object.__setattr__(self, "dropout", attention.dropout)
        object.__setattr__(self, "rope_theta", attention.rope_theta)
        mlp_dim = 4 * self.embed_dim if self.mlp_dim is None else _positive_int(o, "mlp_dim", self.mlp_dim)
        object.__setattr__(self, "mlp_dim", mlp_dim)
        if self.norm not in NORM_KINDS:
            raise ConfigError('%s: norm must be "rmsNorm" or "layerNorm", got %r' % (o, self.norm))
        eps = DEFAULT_NORM_EPS[self.norm] if self.norm_eps is None else _finite_number(o, "norm_eps", self.norm_eps, 0.0)
        object.__setattr__(self, "norm_eps", eps)
        if self.mlp not in MLP_KINDS:
            raise ConfigError("%s: mlp must be one of %s, got %r" % (o, ", ".join(MLP_KINDS), self.mlp))
        if self.mlp == "dense":
            activation = "gelu" if self.activation is None else self.activation
            if activation not in ACTIVATIONS:
                raise ConfigError("%s: activation must be one of %s, got %r" % (o, ", ".join(ACTIVATIONS), activation))
        else:
            activation = GATES[self.mlp][0]
            if self.activation is not None and self.activation != activation:
                raise ConfigError('%s: activation %r does not apply to mlp "%s", whose gate is "%s"' % (o, self.activation, self.mlp, activation))
        object.__setattr__(self, "activation", activation)
        _bool(o, "tie_embeddings", self.tie_embeddings)

    def attention(self):
        """The configuration of each block's attention: causal, with RoPE."""
        return AttentionConfig(
            embed_dim=self.embed_dim,
            num_heads=self.num_heads,
            num_kv_heads=self.num_kv_heads,
            dropout=self.dropout,
            is_causal=True,
            rope=True,
            rope_theta=self.rope_theta,
        )


# The model kinds a checkpoint's `raven.model` metadata may name, and their configs.
CONFIGS = {"decoderLM": DecoderLMConfig, "multiHeadAttention": AttentionConfig}
