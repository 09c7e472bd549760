"""README.md's layout table is the code's: every tensor of every model kind has its row, and every row is used."""
import os
import re
import unittest

from raven_torch import AttentionConfig, DecoderLM, DecoderLMConfig, MultiHeadAttention

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")


def table_rows():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text.split("## The layout table", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        name, shape, torch_key, transform = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        raven = re.match(r"`([^`]+)`", name).group(1)
        rows[raven] = {"shape": shape.strip("`"), "torch": re.match(r"`([^`]+)`", torch_key).group(1), "transform": re.match(r"\w+", transform).group(0)}
    return rows


def symbolic(name):
    return re.sub(r"blocks\.\d+\.", "blocks.{i}.", name)


class LayoutTable(unittest.TestCase):
    def test_the_table_lists_every_entry_of_the_code(self):
        rows = table_rows()
        used = set()
        lm = dict(vocab_size=11, embed_dim=16, num_layers=2, num_heads=4, num_kv_heads=2, mlp_dim=24)
        models = [
            DecoderLM(DecoderLMConfig(**lm)),
            DecoderLM(DecoderLMConfig(**lm, norm="layerNorm", tie_embeddings=True)),
            DecoderLM(DecoderLMConfig(**lm, mlp="swiglu")),
            MultiHeadAttention(AttentionConfig(embed_dim=16, num_heads=4, num_kv_heads=2)),
        ]
        sizes = {"V": 11, "D": 16, "H": 4, "K": 2, "d": 4, "M": 24}
        for model in models:
            for entry in model.raven_entries():
                key = symbolic(entry.raven)
                self.assertIn(key, rows, "README's layout table has no row for %s" % key)
                row = rows[key]
                used.add(key)
                self.assertEqual(row["torch"], symbolic(entry.torch), key)
                self.assertEqual(row["transform"], entry.transform, key)
                self.assertEqual(tuple(eval(row["shape"], {}, sizes)), entry.shape, key)  # e.g. "[D, H*d]"
        self.assertEqual(set(rows) - used, set(), "rows of README's layout table that no model has")


if __name__ == "__main__":
    unittest.main()
