"""PyTorch twins of raven-ts models, and raven-ts checkpoints in PyTorch.

    from raven_torch import load_raven, save_raven
    model = load_raven("raven.safetensors")   # a DecoderLM or MultiHeadAttention, parameters loaded
    ...                                       # train it with PyTorch (DDP, FSDP, ...)
    save_raven(model, "trained.safetensors")  # raven-ts loads it with Checkpoint.load
"""
from .checkpoint import CheckpointError, config_path, load_raven, save_raven
from .config import AttentionConfig, ConfigError, DecoderLMConfig
from .modules import DecoderLM, MultiHeadAttention
from .safetensors import SafetensorsError

__all__ = [
    "AttentionConfig",
    "CheckpointError",
    "ConfigError",
    "DecoderLM",
    "DecoderLMConfig",
    "MultiHeadAttention",
    "SafetensorsError",
    "config_path",
    "load_raven",
    "save_raven",
]
