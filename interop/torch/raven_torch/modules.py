"""The PyTorch twins of raven-ts's `multiHeadAttention` and `decoderLM`.

Each computes what packages/kaun-attention computes (see the `multiHeadAttention` section of
packages/kaun-attention/README.md), with the parameters of a raven-ts checkpoint after
the transforms of `layout.py`:

- projections are bias-free `nn.Linear`s; heads split `[B, T, H, D] -> [B, H, T, D]`;
- GQA: query head `h` reads key/value head `h // (num_heads // num_kv_heads)`;
- RoPE: rotate-half (first half / second half of each head), `inv_freq[i] =
  theta ** (-2i / head_dim)`, positions from 0, tables computed in float64
  then cast, on queries and keys only;
- scores scaled by `1 / sqrt(head_dim)`; masked scores get weight exactly 0 and
  a query whose keys are all masked outputs zeros;
- dropout on the attention weights (and, in blocks, on both residual
  branches) only in training mode;
- blocks are pre-norm: `h = x + attn(norm(x))`, `y = h + mlp(norm(h))`, the MLP
  dense or gated (`mlp.py`);
- the embedding multiplies rows by `sqrt(embed_dim)`; the head is a linear
  layer with bias, or the transposed embedding table when tied.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from .config import AttentionConfig, DecoderLMConfig
from .layout import Entry, linear_entries, matrix_entry, norm_entries
from .mlp import make_mlp


def rope_tables(seq_len, head_dim, theta, dtype, device=None, offset=0):
    """The `(cos, sin)` tables `[seq_len, head_dim]` of raven-ts's `ropeTables`: float64, then cast to `dtype`."""
    half = head_dim // 2
    inv_freq = torch.tensor([theta ** (-(2 * i) / head_dim) for i in range(half)], dtype=torch.float64)
    positions = torch.arange(offset, offset + seq_len, dtype=torch.float64)
    angles = torch.outer(positions, inv_freq)
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos().to(dtype=dtype, device=device), angles.sin().to(dtype=dtype, device=device)


def rope(x, theta, offset=0):
    """Rotate-half RoPE on `x` `[..., seq, head_dim]`: `x * cos + rotate_half(x) * sin`, `rotate_half(x) = cat(-x2, x1)`."""
    cos, sin = rope_tables(x.shape[-2], x.shape[-1], theta, x.dtype, x.device, offset)
    first, second = x.chunk(2, dim=-1)
    return x * cos + torch.cat([-second, first], dim=-1) * sin


def masked_softmax(scores, keep):
    """Softmax over the last axis where `keep` is true; masked entries are exactly 0, an all-masked row is all 0 (never NaN)."""
    if keep is None:
        return F.softmax(scores, dim=-1)
    masked = scores.masked_fill(~keep, float("-inf"))
    row_max = masked.amax(dim=-1, keepdim=True).detach()
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    e = torch.exp(masked - row_max)
    denom = e.sum(dim=-1, keepdim=True)
    return e / torch.where(denom > 0, denom, torch.ones_like(denom))


class MultiHeadAttention(nn.Module):
    """The twin of `multiHeadAttention(config)`: `forward(x, attention_mask=None)`, `x` `[batch, seq, embed_dim]`.

    `attention_mask` is raven-ts's padding mask (`Context` key `attention_mask`):
    `[batch, seq]`, bool or integer, true / nonzero keeps a key position.
    """

    def __init__(self, config):
        super().__init__()
        if not isinstance(config, AttentionConfig):
            raise TypeError("MultiHeadAttention: config must be an AttentionConfig, got %s" % type(config).__name__)
        self.config = config
        d, h, kv, hd = config.embed_dim, config.num_heads, config.num_kv_heads, config.head_dim
        self.q_proj = nn.Linear(d, h * hd, bias=False)
        self.k_proj = nn.Linear(d, kv * hd, bias=False)
        self.v_proj = nn.Linear(d, kv * hd, bias=False)
        self.out_proj = nn.Linear(h * hd, d, bias=False)
        for proj in (self.q_proj, self.k_proj, self.v_proj, self.out_proj):
            nn.init.xavier_uniform_(proj.weight)  # raven-ts's Init.glorotUniform (the same limit on [out, in])

    def forward(self, x, attention_mask=None):
        c = self.config
        batch, seq, _ = x.shape
        q = self.q_proj(x).view(batch, seq, c.num_heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(batch, seq, c.num_kv_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(batch, seq, c.num_kv_heads, c.head_dim).transpose(1, 2)
        if c.rope:
            q, k = rope(q, c.rope_theta), rope(k, c.rope_theta)
        groups = c.num_heads // c.num_kv_heads
        if groups > 1:  # query head h reads kv head h // groups
            k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
        keep = None
        if attention_mask is not None:
            if tuple(attention_mask.shape) != (batch, seq):
                raise ValueError("MultiHeadAttention: attention_mask must have shape [batch, seq] = [%d, %d], got %s" % (batch, seq, list(attention_mask.shape)))
            keep = (attention_mask != 0).view(batch, 1, 1, seq)
        if c.is_causal:
            causal = torch.ones(seq, seq, dtype=torch.bool, device=x.device).tril()
            keep = causal if keep is None else keep & causal
        weights = masked_softmax((q @ k.transpose(-1, -2)) * (1 / math.sqrt(c.head_dim)), keep)
        weights = F.dropout(weights, c.dropout, self.training)
        merged = (weights @ v).transpose(1, 2).reshape(batch, seq, c.num_heads * c.head_dim)
        return self.out_proj(merged)

    def raven_entries(self, raven_prefix="", torch_prefix=""):
        return [matrix_entry(raven_prefix + n, torch_prefix + n, getattr(self, n)) for n in ("q_proj", "k_proj", "v_proj", "out_proj")]


class RMSNorm(nn.Module):
    """kaun-core's `Layer.rmsNorm`: `x / sqrt(mean(x²) + eps) * weight` over the last axis (PyTorch 1.13 has no `nn.RMSNorm`)."""

    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps) * self.weight


def make_norm(config):
    """The block and final norm of `config`: `RMSNorm` or `nn.LayerNorm` (biased variance, as raven-ts) with `config.norm_eps`."""
    if config.norm == "rmsNorm":
        return RMSNorm(config.embed_dim, config.norm_eps)
    return nn.LayerNorm(config.embed_dim, eps=config.norm_eps)


class TransformerBlock(nn.Module):
    """The twin of `transformerBlock`: pre-norm, causal RoPE attention, the MLP, dropout on both residual branches."""

    def __init__(self, config):
        super().__init__()
        self.dropout = config.dropout
        self.attn_norm = make_norm(config)
        self.attn = MultiHeadAttention(config.attention())
        self.mlp_norm = make_norm(config)
        self.mlp = make_mlp(config)

    def forward(self, x):
        h = x + F.dropout(self.attn(self.attn_norm(x)), self.dropout, self.training)
        return h + F.dropout(self.mlp(self.mlp_norm(h)), self.dropout, self.training)

    def raven_entries(self, raven_prefix, torch_prefix):
        return [
            *norm_entries(raven_prefix + "attn_norm", torch_prefix + "attn_norm", self.attn_norm),
            *self.attn.raven_entries(raven_prefix + "attn.", torch_prefix + "attn."),
            *norm_entries(raven_prefix + "mlp_norm", torch_prefix + "mlp_norm", self.mlp_norm),
            *self.mlp.raven_entries(raven_prefix, torch_prefix + "mlp."),
        ]


class DecoderLM(nn.Module):
    """The twin of `decoderLM(config)`: int64 (or int32) tokens `[batch, seq]` -> logits `[batch, seq, vocab_size]`.

    Initialised as raven-ts initialises (Glorot-uniform projections, zero
    biases, `N(0, 0.02²)` embedding, unit norms), from PyTorch's generator.
    """

    def __init__(self, config):
        super().__init__()
        if not isinstance(config, DecoderLMConfig):
            raise TypeError("DecoderLM: config must be a DecoderLMConfig, got %s" % type(config).__name__)
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed_dim)
        nn.init.normal_(self.embed.weight, std=0.02)
        self.blocks = nn.ModuleList(TransformerBlock(config) for _ in range(config.num_layers))
        self.final_norm = make_norm(config)
        self.lm_head = None
        if not config.tie_embeddings:
            self.lm_head = nn.Linear(config.embed_dim, config.vocab_size)
            nn.init.xavier_uniform_(self.lm_head.weight)
            nn.init.zeros_(self.lm_head.bias)

    def forward(self, tokens):
        h = self.embed(tokens.long()) * math.sqrt(self.config.embed_dim)
        for block in self.blocks:
            h = block(h)
        h = self.final_norm(h)
        return F.linear(h, self.embed.weight) if self.lm_head is None else self.lm_head(h)

    @torch.no_grad()
    def greedy(self, prompt, max_new_tokens):
        """`prompt` `[batch, t]` extended by `max_new_tokens` argmax tokens (recomputing the whole sequence each step, in eval mode)."""
        was_training = self.training
        self.eval()
        tokens = prompt.long()
        for _ in range(max_new_tokens):
            tokens = torch.cat([tokens, self(tokens)[:, -1].argmax(dim=-1, keepdim=True)], dim=1)
        self.train(was_training)
        return tokens

    def raven_entries(self, raven_prefix="", torch_prefix=""):
        entries = [Entry(raven_prefix + "embed.embedding", tuple(self.embed.weight.shape), torch_prefix + "embed.weight", "none")]
        for i, block in enumerate(self.blocks):
            entries += block.raven_entries("%sblocks.%d." % (raven_prefix, i), "%sblocks.%d." % (torch_prefix, i))
        entries += norm_entries(raven_prefix + "final_norm", torch_prefix + "final_norm", self.final_norm)
        if self.lm_head is not None:
            entries += linear_entries(raven_prefix + "lm_head", torch_prefix + "lm_head", self.lm_head)
        return entries


# `raven.model` metadata -> twin class.
MODELS = {"decoderLM": DecoderLM, "multiHeadAttention": MultiHeadAttention}
