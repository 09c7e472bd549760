"""raven_torch.safetensors: round trips, a file from an independent writer, and every malformation rejected."""
import json
import os
import struct
import tempfile
import unittest

import torch

from raven_torch.safetensors import SafetensorsError, load_bytes, load_file, save_bytes, save_file

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
# Written by packages/kaun-core/test/fixtures/make_safetensors.py (struct + json only; no code shared with this reader).
FIXTURE = os.path.join(REPO, "packages", "kaun-core", "test", "fixtures", "interop.safetensors")


def raw_file(header, data=b""):
    text = json.dumps(header).encode("utf-8")
    return struct.pack("<Q", len(text)) + text + data


class RoundTrip(unittest.TestCase):
    def test_every_dtype_and_the_metadata_survive(self):
        tensors = {
            "f64": torch.tensor([[1.5, -2.0]], dtype=torch.float64),
            "f32": torch.tensor([3.25, -0.0, 1e-30]),
            "bf16": torch.tensor([1.0, -2.0], dtype=torch.bfloat16),
            "f16": torch.tensor([65504.0], dtype=torch.float16),
            "i64": torch.tensor([2**40, -1]),
            "i32": torch.tensor([2147483647, -2147483648], dtype=torch.int32),
            "i16": torch.tensor([-300], dtype=torch.int16),
            "i8": torch.tensor([-7], dtype=torch.int8),
            "u8": torch.tensor([0, 255], dtype=torch.uint8),
            "bool": torch.tensor([True, False, True]),
            "empty": torch.zeros(0, 4),
            "strided": torch.arange(6.0).reshape(2, 3).t(),  # non-contiguous: written in C order
        }
        raw = save_bytes(tensors, {"who": "test"})
        (n,) = struct.unpack("<Q", raw[:8])
        self.assertEqual(n % 8, 0, "the header is padded to 8 bytes")
        back, meta = load_bytes(raw)
        self.assertEqual(meta, {"who": "test"})
        self.assertEqual(set(back), set(tensors))
        for name, t in tensors.items():
            self.assertEqual(back[name].dtype, t.dtype, name)
            self.assertTrue(torch.equal(back[name], t), name)
        header = json.loads(raw[8:8 + n])
        for name, info in header.items():
            if name != "__metadata__":
                self.assertEqual(info["data_offsets"][0] % back[name].element_size(), 0, "%s is aligned" % name)

    def test_save_file_is_atomic_and_leaves_no_temporary_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.safetensors")
            save_file({"a": torch.ones(2)}, path)
            save_file({"a": torch.zeros(3)}, path)
            self.assertEqual(os.listdir(d), ["t.safetensors"])
            self.assertTrue(torch.equal(load_file(path)[0]["a"], torch.zeros(3)))

    def test_reads_the_file_of_an_independent_writer(self):
        tensors, meta = load_file(FIXTURE)
        self.assertEqual(meta["written_by"], "make_safetensors.py")
        self.assertEqual(tensors["encoder.layers.0.weight"].tolist(), torch.tensor([[1.5, -2.25, 0.0], [3.0e-8, -0.0, 65504.0]]).tolist())
        self.assertEqual(tensors["head.scale"].tolist(), [3.141592653589793, -1e-300])
        self.assertEqual(tensors["ids"].tolist(), [[0, -1], [2147483647, -2147483648]])
        self.assertEqual(tensors["pixels"].tolist(), [0, 1, 128, 255])
        self.assertEqual(tensors["mask"].tolist(), [True, False, True])
        self.assertEqual(tuple(tensors["empty"].shape), (0, 4))
        self.assertEqual(tensors["half.weight"].tolist(), [1.0, -2.0])


class Rejects(unittest.TestCase):
    def check(self, raw, message):
        with self.assertRaises(SafetensorsError) as ctx:
            load_bytes(raw)
        self.assertIn(message, str(ctx.exception))

    def test_malformed_files(self):
        good = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
        self.check(b"\x01\x02", "truncated file")
        self.check(struct.pack("<Q", 10**9) + b"{}", "exceeds")
        self.check(struct.pack("<Q", 100) + b"{}", "runs past the end")
        self.check(struct.pack("<Q", 2) + b"\xff\xfe", "not UTF-8 JSON")
        self.check(raw_file([1, 2]), "not a JSON object")
        self.check(raw_file({"__metadata__": {"a": 1}}), "__metadata__ must map strings to strings")
        self.check(raw_file({"a": {"dtype": "F32", "shape": [2]}}, bytes(8)), "must be {dtype, shape, data_offsets}")
        self.check(raw_file({"a": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}}, bytes(8)), 'unknown dtype "Q7"')
        self.check(raw_file({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, bytes(8)), "malformed shape")
        self.check(raw_file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}, bytes(8)), "malformed data_offsets")
        self.check(raw_file({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, bytes(8)), "do not hold F32 [3]")
        self.check(raw_file(good, bytes(4)), "run past the 4-byte data buffer")
        self.check(raw_file(good, bytes(12)), "bytes [8, 12) at the end of the data buffer belong to no tensor")
        gap = {"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}
        self.check(raw_file(gap, bytes(8)), 'bytes [0, 4) of the data buffer belong to no tensor (before "a")')
        overlap = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}
        self.check(raw_file(overlap, bytes(8)), 'tensor "b" overlaps')

    def test_names_in_messages_are_bounded(self):
        with self.assertRaises(SafetensorsError) as ctx:
            load_bytes(raw_file({"x" * 5000: {"dtype": "Q7", "shape": [], "data_offsets": [0, 0]}}))
        self.assertLess(len(str(ctx.exception)), 300)


if __name__ == "__main__":
    unittest.main()
