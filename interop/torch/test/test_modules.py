"""The twins against plain-loop references written from DESIGN.md's attention semantics (float64), and the configs' defaults."""
import math
import unittest

import torch

from raven_torch import AttentionConfig, ConfigError, DecoderLM, DecoderLMConfig, MultiHeadAttention
from raven_torch.modules import masked_softmax, rope


def reference_rope(x, theta):
    """Element by element: the pair (x[i], x[i + d/2]) at position p rotates by p * theta^(-2i/d)."""
    *_, seq, d = x.shape
    out = x.clone()
    for p in range(seq):
        for i in range(d // 2):
            a = p * theta ** (-(2 * i) / d)
            c, s = math.cos(a), math.sin(a)
            first, second = x[..., p, i], x[..., p, i + d // 2]
            out[..., p, i] = first * c - second * s
            out[..., p, i + d // 2] = second * c + first * s
    return out


def reference_attention(x, wq, wk, wv, wo, config, keep_keys=None):
    """Per batch, head, query: weights over the kept keys (none kept: zeros); W are raven-ts [in, out] matrices."""
    b_size, seq, _ = x.shape
    h_n, kv_n, d = config.num_heads, config.num_kv_heads, config.head_dim
    q = (x @ wq).view(b_size, seq, h_n, d).transpose(1, 2)
    k = (x @ wk).view(b_size, seq, kv_n, d).transpose(1, 2)
    v = (x @ wv).view(b_size, seq, kv_n, d).transpose(1, 2)
    if config.rope:
        q, k = reference_rope(q, config.rope_theta), reference_rope(k, config.rope_theta)
    heads = torch.zeros(b_size, h_n, seq, d, dtype=x.dtype)
    for b in range(b_size):
        for h in range(h_n):
            kv = h // (h_n // kv_n)
            for i in range(seq):
                keys = [j for j in range(seq) if (keep_keys is None or keep_keys[b][j]) and (not config.is_causal or j <= i)]
                if not keys:
                    continue
                scores = torch.stack([q[b, h, i] @ k[b, kv, j] / math.sqrt(d) for j in keys])
                w = torch.softmax(scores, 0)
                heads[b, h, i] = sum(w[n] * v[b, kv, j] for n, j in enumerate(keys))
    return heads.transpose(1, 2).reshape(b_size, seq, h_n * d) @ wo


class Attention(unittest.TestCase):
    def test_rope_is_rotate_half(self):
        x = torch.randn(2, 5, 8, dtype=torch.float64)
        self.assertTrue(torch.allclose(rope(x, 500.0), reference_rope(x, 500.0), atol=1e-13))

    def test_the_twin_matches_the_loop_reference(self):
        torch.manual_seed(1)
        mask = [[1, 1, 1, 1, 1, 0], [0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]]
        for options in ({}, {"is_causal": True}, {"num_kv_heads": 2}, {"rope": True, "rope_theta": 300.0}, {"num_kv_heads": 1, "is_causal": True, "rope": True}):
            config = AttentionConfig(embed_dim=16, num_heads=4, **options)
            model = MultiHeadAttention(config).double()
            x = torch.randn(3, 6, 16, dtype=torch.float64)
            w = [getattr(model, n).weight.t() for n in ("q_proj", "k_proj", "v_proj", "out_proj")]  # raven-ts layout
            with torch.no_grad():
                for keep in (None, mask):
                    got = model(x, None if keep is None else torch.tensor(keep, dtype=torch.int32))
                    self.assertTrue(torch.allclose(got, reference_attention(x, *w, config, keep), atol=1e-12), (options, keep))

    def test_masked_rows_give_zeros_and_finite_gradients(self):
        scores = torch.randn(2, 3, requires_grad=True)
        keep = torch.tensor([[True, False, True], [False, False, False]])
        w = masked_softmax(scores, keep)
        self.assertEqual(w[0, 1].item(), 0.0)
        self.assertEqual(w[1].tolist(), [0.0, 0.0, 0.0])
        (w * torch.randn(2, 3)).sum().backward()
        self.assertTrue(torch.isfinite(scores.grad).all())
        self.assertEqual(scores.grad[1].tolist(), [0.0, 0.0, 0.0])

    def test_dropout_only_in_training(self):
        model = MultiHeadAttention(AttentionConfig(embed_dim=8, num_heads=2, dropout=0.5))
        x = torch.randn(1, 4, 8)
        model.eval()
        self.assertTrue(torch.equal(model(x), model(x)))
        model.train()
        self.assertFalse(torch.equal(model(x), model(x)))


class Configs(unittest.TestCase):
    def test_defaults_and_options_are_raven_ts(self):
        lm = DecoderLMConfig(vocab_size=10, embed_dim=8, num_layers=1, num_heads=2)
        # decoderLM({ vocabSize: 10, embedDim: 8, numLayers: 1, numHeads: 2 }).config in raven-ts:
        self.assertEqual(lm.to_options(), {
            "vocabSize": 10, "embedDim": 8, "numLayers": 1, "numHeads": 2, "numKvHeads": 2, "mlpDim": 32, "dropout": 0.0,
            "ropeTheta": 10000.0, "norm": "rmsNorm", "normEps": 1e-6, "mlp": "dense", "activation": "gelu", "tieEmbeddings": False,
        })
        # A gated MLP reports its gate as the activation, as raven-ts's config does, and accepts it back.
        for kind, gate in (("glu", "sigmoid"), ("swiglu", "silu"), ("geglu", "gelu")):
            config = DecoderLMConfig(vocab_size=10, embed_dim=8, num_layers=1, num_heads=2, mlp=kind)
            self.assertEqual(config.activation, gate)
            self.assertEqual(DecoderLMConfig.from_options(config.to_options()), config)
        self.assertEqual(DecoderLMConfig.from_options(dict(lm.to_options(), norm="layerNorm", normEps=None)).norm_eps, 1e-5)
        self.assertEqual(AttentionConfig.from_options({"embedDim": 8, "numHeads": 2, "headDim": 4}).head_dim, 4)

    def test_invalid_options_are_rejected_as_raven_ts_rejects_them(self):
        cases = [
            (lambda: AttentionConfig(embed_dim=10, num_heads=4), "embedDim (10) must be divisible by numHeads (4)"),
            (lambda: AttentionConfig(embed_dim=8, num_heads=4, num_kv_heads=3), "numHeads (4) must be divisible by numKvHeads (3)"),
            (lambda: AttentionConfig(embed_dim=6, num_heads=2, rope=True), "rope needs an even head size"),
            (lambda: AttentionConfig(embed_dim=8, num_heads=2, dropout=1.0), "dropout must be in [0, 1)"),
            (lambda: AttentionConfig.from_options({"embedDim": 8, "numHeads": 2, "headDim": 3}), "headDim is 3, but the other options give 4"),
            (lambda: DecoderLMConfig(vocab_size=0, embed_dim=8, num_layers=1, num_heads=2), "vocabSize must be a positive integer"),
            (lambda: DecoderLMConfig(vocab_size=5, embed_dim=8, num_layers=1, num_heads=2, norm="batchNorm"), 'norm must be "rmsNorm" or "layerNorm"'),
            (lambda: DecoderLMConfig(vocab_size=5, embed_dim=8, num_layers=1, num_heads=2, activation="tanh"), "activation must be one of gelu, silu, relu"),
            (lambda: DecoderLMConfig(vocab_size=5, embed_dim=8, num_layers=1, num_heads=2, norm_eps=-1), "normEps must be >= 0.0"),
            (lambda: DecoderLMConfig.from_options({"vocabSize": 5, "embedDim": 8, "numLayers": 1, "numHeads": 2, "mlp": "moe"}), "mlp must be one of dense, glu, swiglu, geglu, got 'moe'"),
            (lambda: DecoderLMConfig(vocab_size=5, embed_dim=8, num_layers=1, num_heads=2, mlp="swiglu", activation="relu"), "activation 'relu' does not apply to mlp \"swiglu\", whose gate is \"silu\""),
            (lambda: DecoderLMConfig(vocab_size=5, embed_dim=8, num_layers=1, num_heads=2, activation="sigmoid"), "activation must be one of gelu, silu, relu"),
            (lambda: DecoderLMConfig.from_options({"vocabSize": 5, "embedDim": 8, "numLayers": 1, "numHeads": 2, "mlpKind": "swiglu"}), "unknown option 'mlpKind'"),
            (lambda: DecoderLMConfig.from_options({"vocabSize": 5, "embedDim": 8, "numHeads": 2}), "decoderLM: option 'numLayers' is required"),
        ]
        for make, message in cases:
            with self.assertRaises(ConfigError) as ctx:
                make()
            self.assertIn(message, str(ctx.exception))

    def test_gated_mlps_are_shazeers(self):
        """down(gate(x W_gate) * (x W_up)) with raven-ts's [in, out] matrices (the modules store [out, in])."""
        gates = {"glu": torch.sigmoid, "swiglu": lambda h: h * torch.sigmoid(h), "geglu": lambda h: 0.5 * h * (1 + torch.erf(h / math.sqrt(2)))}
        x = torch.randn(2, 3, 8, dtype=torch.float64)
        for kind, gate in gates.items():
            model = DecoderLM(DecoderLMConfig(vocab_size=6, embed_dim=8, num_layers=1, num_heads=2, mlp_dim=12, mlp=kind)).double()
            mlp = model.blocks[0].mlp
            self.assertEqual({n: tuple(p.shape) for n, p in mlp.named_parameters()}, {"gate_proj.weight": (12, 8), "up_proj.weight": (12, 8), "down_proj.weight": (8, 12)})
            wg, wu, wd = mlp.gate_proj.weight.t(), mlp.up_proj.weight.t(), mlp.down_proj.weight.t()
            with torch.no_grad():
                torch.testing.assert_close(mlp(x), (gate(x @ wg) * (x @ wu)) @ wd, rtol=1e-12, atol=1e-12)

    def test_the_tied_head_reuses_the_embedding(self):
        model = DecoderLM(DecoderLMConfig(vocab_size=6, embed_dim=4, num_layers=1, num_heads=1, tie_embeddings=True))
        self.assertIsNone(model.lm_head)
        self.assertNotIn("lm_head.weight", dict(model.named_parameters()))


if __name__ == "__main__":
    unittest.main()
