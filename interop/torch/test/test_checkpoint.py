"""load_raven / save_raven: round trips, where the configuration comes from, and checkpoints that do not match it."""
import json
import os
import tempfile
import unittest

import torch

from raven_torch import AttentionConfig, CheckpointError, DecoderLM, DecoderLMConfig, MultiHeadAttention, config_path, load_raven, save_raven
from raven_torch.safetensors import load_file, save_file

LM = DecoderLMConfig(vocab_size=11, embed_dim=16, num_layers=2, num_heads=4, num_kv_heads=2, mlp_dim=24)


class Files(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        torch.manual_seed(0)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def saved(self, model, name="m.safetensors"):
        save_raven(model, self.path(name))
        return self.path(name)

    def rewritten(self, tensors, metadata, name="bad.safetensors"):
        save_file(tensors, self.path(name), metadata)
        return self.path(name)

    def assert_rejects(self, path, *fragments, config=None):
        with self.assertRaises(CheckpointError) as ctx:
            load_raven(path, config)
        for fragment in fragments:
            self.assertIn(fragment, str(ctx.exception))


class RoundTrips(Files):
    def test_decoder_lm_untied_tied_float64(self):
        for config, dtype in ((LM, torch.float32), (DecoderLMConfig(vocab_size=7, embed_dim=8, num_layers=1, num_heads=2, norm="layerNorm", tie_embeddings=True), torch.float64)):
            model = DecoderLM(config).to(dtype)
            back = load_raven(self.saved(model))
            self.assertEqual(back.config, config)
            self.assertEqual(next(back.parameters()).dtype, dtype)
            for (name, a), (_, b) in zip(model.state_dict().items(), back.state_dict().items()):
                self.assertTrue(torch.equal(a, b), name)

    def test_names_shapes_and_transposes_are_raven_ts(self):
        model = DecoderLM(LM)
        tensors, meta = load_file(self.saved(model))
        self.assertEqual(meta["raven.model"], "decoderLM")
        self.assertEqual(json.loads(meta["raven.config"])["mlpDim"], 24)
        self.assertEqual(tuple(tensors["blocks.1.attn.k_proj"].shape), (16, 8))  # [in, out]
        self.assertTrue(torch.equal(tensors["blocks.1.attn.k_proj"], model.blocks[1].attn.k_proj.weight.t()))
        self.assertTrue(torch.equal(tensors["blocks.0.mlp_in.weight"], model.blocks[0].mlp.mlp_in.weight.t()))
        self.assertTrue(torch.equal(tensors["lm_head.bias"], model.lm_head.bias))
        self.assertTrue(torch.equal(tensors["final_norm.scale"], model.final_norm.weight))
        self.assertEqual(len(tensors), len(list(model.parameters())))

    def test_config_beside_the_file_and_as_argument(self):
        model = MultiHeadAttention(AttentionConfig(embed_dim=8, num_heads=2, is_causal=True))
        tensors, _ = load_file(self.saved(model))
        path = self.rewritten(tensors, None, "plain.safetensors")  # no metadata, as `Checkpoint.save(path, params)`
        self.assert_rejects(path, "carries no configuration", "plain.config.json")
        self.assertEqual(load_raven(path, model.config).config, model.config)
        with open(config_path(path), "w", encoding="utf-8") as f:
            json.dump({"model": "multiHeadAttention", "config": {"embedDim": 8, "numHeads": 2, "isCausal": True}}, f)
        self.assertEqual(load_raven(path).config, model.config)

    def test_prefix_reads_the_params_of_a_train_state(self):
        model = DecoderLM(LM)
        tensors, meta = load_file(self.saved(model))
        state = {"vars.params." + k: v for k, v in tensors.items()}
        state.update({"opt.mu." + k: torch.zeros_like(v) for k, v in tensors.items()})
        path = self.rewritten(state, meta)
        self.assert_rejects(path, "parameter 'embed.embedding' is missing")
        back = load_raven(path, prefix="vars.params.")
        self.assertTrue(torch.equal(back.embed.weight, model.embed.weight))


class Rejects(Files):
    """The loader names the parameter that does not match the configuration."""

    def test_a_wrong_shape(self):
        tensors, meta = load_file(self.saved(DecoderLM(LM)))
        tensors["blocks.1.attn.k_proj"] = torch.zeros(16, 16)  # as if numKvHeads were 4
        self.assert_rejects(self.rewritten(tensors, meta), "parameter 'blocks.1.attn.k_proj' has shape [16, 16]", "expects [16, 8]")

    def test_a_torch_layout_weight(self):
        tensors, meta = load_file(self.saved(DecoderLM(LM)))
        tensors["blocks.0.mlp_in.weight"] = tensors["blocks.0.mlp_in.weight"].t().contiguous()  # [out, in] by mistake
        self.assert_rejects(self.rewritten(tensors, meta), "parameter 'blocks.0.mlp_in.weight' has shape [24, 16]", "expects [16, 24]")

    def test_a_missing_parameter(self):
        tensors, meta = load_file(self.saved(DecoderLM(LM)))
        del tensors["lm_head.bias"]
        self.assert_rejects(self.rewritten(tensors, meta), "parameter 'lm_head.bias' is missing")

    def test_an_unexpected_parameter(self):
        tensors, meta = load_file(self.saved(DecoderLM(LM)))
        tensors["blocks.2.attn.q_proj"] = torch.zeros(16, 16)
        self.assert_rejects(self.rewritten(tensors, meta), "parameter 'blocks.2.attn.q_proj' is not part of the configuration from the file's metadata")

    def test_a_tied_config_with_an_untied_file(self):
        tensors, meta = load_file(self.saved(DecoderLM(LM)))
        options = json.loads(meta["raven.config"])
        options["tieEmbeddings"] = True
        meta["raven.config"] = json.dumps(options)
        self.assert_rejects(self.rewritten(tensors, meta), "parameter 'lm_head.weight' is not part of the configuration")

    def test_a_layer_norm_file_under_an_rms_norm_config(self):
        model = DecoderLM(DecoderLMConfig(vocab_size=5, embed_dim=8, num_layers=1, num_heads=2, norm="layerNorm"))
        tensors, _ = load_file(self.saved(model))
        self.assert_rejects(self.rewritten(tensors, None), "parameter 'blocks.0.attn_norm.scale' is missing", config=DecoderLMConfig(vocab_size=5, embed_dim=8, num_layers=1, num_heads=2))

    def test_dtypes(self):
        tensors, meta = load_file(self.saved(DecoderLM(LM)))
        mixed = dict(tensors, **{"final_norm.scale": tensors["final_norm.scale"].double()})
        self.assert_rejects(self.rewritten(mixed, meta), "parameter 'final_norm.scale' has dtype torch.float64, but the parameters before it are torch.float32")
        ints = dict(tensors, **{"embed.embedding": tensors["embed.embedding"].to(torch.int32)})
        self.assert_rejects(self.rewritten(ints, meta), "parameter 'embed.embedding' has dtype torch.int32")

    def test_save_refuses_dtypes_raven_ts_cannot_load(self):
        with self.assertRaises(CheckpointError) as ctx:
            save_raven(DecoderLM(LM).to(torch.bfloat16), self.path("half.safetensors"))
        self.assertIn("parameter 'embed.embedding' (embed.weight) is torch.bfloat16", str(ctx.exception))
        self.assertFalse(os.path.exists(self.path("half.safetensors")))

    def test_configurations_it_cannot_mirror(self):
        tensors, meta = load_file(self.saved(DecoderLM(LM)))
        unknown = dict(meta, **{"raven.config": json.dumps(dict(json.loads(meta["raven.config"]), mlpKind="swiglu"))})
        self.assert_rejects(self.rewritten(tensors, unknown), "unknown option 'mlpKind'")
        invalid = dict(meta, **{"raven.config": json.dumps(dict(json.loads(meta["raven.config"]), numKvHeads=3))})
        self.assert_rejects(self.rewritten(tensors, invalid), "numHeads (4) must be divisible by numKvHeads (3)")
        kind = dict(meta, **{"raven.model": "encoderLM"})
        self.assert_rejects(self.rewritten(tensors, kind), "names the model 'encoderLM'")


if __name__ == "__main__":
    unittest.main()
