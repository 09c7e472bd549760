"""`load_raven` / `save_raven`: raven-ts safetensors checkpoints <-> the PyTorch twins.

A raven-ts checkpoint holds a model's params under their dotted names
(`Checkpoint.save(path, vars.params, { metadata })`). Its `__metadata__`
carries the model: `raven.model` (`"decoderLM"` or `"multiHeadAttention"`)
and `raven.config` (the options as JSON, e.g. `JSON.stringify(lm.config)`).
A file without them takes its configuration from a JSON file beside it,
`<name>.config.json` for `<name>.safetensors` (`{"model": ..., "config": {...}}`),
or from the `config` argument.
"""
import json
import os

import torch

from .config import CONFIGS, AttentionConfig, ConfigError, DecoderLMConfig
from .modules import MODELS
from .safetensors import load_file, save_file

MODEL_KEY = "raven.model"
CONFIG_KEY = "raven.config"
FLOAT_DTYPES = (torch.float32, torch.float64)


class CheckpointError(ValueError):
    """A checkpoint that does not match its configuration (naming the parameter), or that carries no configuration."""


def config_path(path):
    """`config_path("run/model.safetensors")` is `"run/model.config.json"`: where a configuration travels when the file's metadata lacks it."""
    root, ext = os.path.splitext(os.fspath(path))
    return (root if ext == ".safetensors" else os.fspath(path)) + ".config.json"


def model_kind(config):
    """`"decoderLM"` or `"multiHeadAttention"`: the `raven.model` name of a config object."""
    for kind, cls in CONFIGS.items():
        if isinstance(config, cls):
            return kind
    raise TypeError("expected a DecoderLMConfig or an AttentionConfig, got %s" % type(config).__name__)


def _resolve_config(path, metadata, config):
    if isinstance(config, (AttentionConfig, DecoderLMConfig)):
        return config, "the config argument"
    if config is not None:
        raise TypeError("load_raven: config must be a DecoderLMConfig or an AttentionConfig, got %s" % type(config).__name__)
    if MODEL_KEY in metadata and CONFIG_KEY in metadata:
        kind, options, source = metadata[MODEL_KEY], metadata[CONFIG_KEY], "the file's metadata"
    elif os.path.exists(config_path(path)):
        with open(config_path(path), encoding="utf-8") as f:
            beside = json.load(f)
        if not isinstance(beside, dict):
            raise CheckpointError("load_raven: %s must hold {\"model\": ..., \"config\": {...}}" % config_path(path))
        kind, options, source = beside.get("model"), beside.get("config"), config_path(path)
    else:
        raise CheckpointError(
            "load_raven: %s carries no configuration: its metadata has no %r / %r and there is no %s; pass config=..."
            % (os.fspath(path), MODEL_KEY, CONFIG_KEY, config_path(path)))
    if kind not in CONFIGS:
        raise CheckpointError("load_raven: %s names the model %r; known: %s" % (source, str(kind)[:80], ", ".join(CONFIGS)))
    try:
        return CONFIGS[kind].from_options(options), source
    except (ConfigError, ValueError) as e:
        raise CheckpointError("load_raven: the configuration in %s is invalid: %s" % (source, e)) from None


def _check(path, entries, tensors, source):
    """Checks the file's names, shapes and dtypes against the entries of the configuration; returns the common float dtype."""
    expected = {e.raven: e for e in entries}
    missing = [name for name in expected if name not in tensors]
    unexpected = [name for name in tensors if name not in expected]
    where = "load_raven: %s" % os.fspath(path)
    if missing:
        raise CheckpointError("%s: parameter %r is missing (the configuration from %s expects it%s)"
                              % (where, missing[0], source, "" if len(missing) == 1 else "; %d more are missing" % (len(missing) - 1)))
    if unexpected:
        raise CheckpointError("%s: parameter %r is not part of the configuration from %s%s"
                              % (where, unexpected[0][:100], source, "" if len(unexpected) == 1 else " (nor are %d more)" % (len(unexpected) - 1)))
    dtype = None
    for entry in entries:
        tensor = tensors[entry.raven]
        if tuple(tensor.shape) != entry.shape:
            raise CheckpointError("%s: parameter %r has shape %s, but the configuration from %s expects %s"
                                  % (where, entry.raven, list(tensor.shape), source, list(entry.shape)))
        if tensor.dtype not in FLOAT_DTYPES:
            raise CheckpointError("%s: parameter %r has dtype %s; raven-ts params are float32 or float64" % (where, entry.raven, tensor.dtype))
        if dtype is not None and tensor.dtype != dtype:
            raise CheckpointError("%s: parameter %r has dtype %s, but the parameters before it are %s" % (where, entry.raven, tensor.dtype, dtype))
        dtype = tensor.dtype
    return dtype


def load_raven(path, config=None, prefix=""):
    """`load_raven(path, config=None, prefix="")` is the twin (`DecoderLM` or `MultiHeadAttention`) holding the raven-ts checkpoint at `path`.

    The configuration comes from `config`, else the file's metadata, else
    `<name>.config.json` beside it. The model takes the file's float dtype
    (float32 or float64) and lives on the CPU; `model.raven_metadata` is the
    file's `__metadata__`. With `prefix` (e.g. `"vars.params."` for a saved
    raven-ts `TrainState`), only the tensors under it are read.
    Raises `CheckpointError` naming the parameter when a name is missing or
    unexpected, or a shape or dtype does not match the configuration.
    """
    tensors, metadata = load_file(path)
    if prefix:
        tensors = {name[len(prefix):]: t for name, t in tensors.items() if name.startswith(prefix)}
    config, source = _resolve_config(path, metadata, config)
    model = MODELS[model_kind(config)](config)
    entries = model.raven_entries()
    dtype = _check(path, entries, tensors, source)
    model.to(dtype)
    state = model.state_dict()
    with torch.no_grad():
        for entry in entries:
            state[entry.torch].copy_(entry.to_torch(tensors[entry.raven]))
    model.raven_metadata = dict(metadata)
    return model


def save_raven(model, path, metadata=None):
    """`save_raven(model, path, metadata=None)` writes the twin's parameters as a raven-ts checkpoint at `path` (atomically).

    Names and layouts follow the entries of `raven_entries()`; the metadata
    holds `raven.model`, `raven.config` (the resolved options, camelCase) and
    `format: "pt"`, plus `metadata` (strings). raven-ts reads it back with
    `Checkpoint.load(path, { like })`. Raises `CheckpointError` naming the
    parameter when one is not float32 or float64 (e.g. after `model.half()`).
    """
    model = getattr(model, "module", model)  # a DistributedDataParallel wrapper saves its module
    state = model.state_dict()
    entries = model.raven_entries()
    for e in entries:
        if state[e.torch].dtype not in FLOAT_DTYPES:
            raise CheckpointError("save_raven: parameter %r (%s) is %s; raven-ts loads float32 or float64: convert the model first (model.float())"
                                  % (e.raven, e.torch, state[e.torch].dtype))
    tensors = {e.raven: e.to_raven(state[e.torch].detach()).contiguous() for e in entries}
    meta = {"format": "pt", **(metadata or {})}
    meta[MODEL_KEY] = model_kind(model.config)
    meta[CONFIG_KEY] = json.dumps(model.config.to_options())
    save_file(tensors, path, meta)
