"""Reading and writing safetensors files with the standard library and PyTorch.

Debian's PyTorch 1.13 has no `safetensors` module; this is a small, strict
implementation of the format (Hugging Face's spec): an 8-byte little-endian
header length `N`, `N` bytes of UTF-8 JSON mapping each tensor name to
`{dtype, shape, data_offsets}` (plus an optional `__metadata__` map of
strings), then the data buffer. With the `safetensors` package installed,
`safetensors.torch.load_file(path)` reads the same files (and this reads
theirs).

The reader applies the checks of the reference implementation: a header
length within the file and at most 100 MB, a UTF-8 JSON object, known
dtypes, non-negative integer shapes, `data_offsets` whose length matches the
dtype and shape, offsets that tile the data buffer exactly (no gap, no
overlap, no trailing bytes).
"""
import json
import os
import struct
import sys
import tempfile

import torch

METADATA_KEY = "__metadata__"
MAX_HEADER_BYTES = 100_000_000

# safetensors dtype -> (torch dtype, bytes per element)
DTYPES = {
    "F64": (torch.float64, 8),
    "F32": (torch.float32, 4),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
    "I64": (torch.int64, 8),
    "I32": (torch.int32, 4),
    "I16": (torch.int16, 2),
    "I8": (torch.int8, 1),
    "U8": (torch.uint8, 1),
    "BOOL": (torch.bool, 1),
}
TORCH_TO_SAFETENSORS = {torch_dtype: name for name, (torch_dtype, _) in DTYPES.items()}


class SafetensorsError(ValueError):
    """A malformed safetensors file, or a tensor the format cannot hold."""


def _quote(name):
    """A bounded, quoted rendering of a name from a file (names in messages never exceed ~100 characters)."""
    text = json.dumps(name)
    return text if len(text) <= 100 else text[:97] + '..."'


def _check_host(dtype_name):
    if sys.byteorder != "little" and DTYPES[dtype_name][1] > 1:
        raise SafetensorsError("safetensors: %s data is little-endian; this host is big-endian (not supported)" % dtype_name)


def read_header(raw, where="safetensors"):
    """`read_header(raw)` is `(entries, metadata, data)` of the file bytes `raw`, validated: entries are `(name, dtype, shape, begin, end)` sorted by offset."""
    if len(raw) < 8:
        raise SafetensorsError("%s: truncated file: %d bytes, fewer than the 8-byte header length" % (where, len(raw)))
    (n,) = struct.unpack("<Q", raw[:8])
    if n > MAX_HEADER_BYTES:
        raise SafetensorsError("%s: header length %d exceeds %d bytes" % (where, n, MAX_HEADER_BYTES))
    if 8 + n > len(raw):
        raise SafetensorsError("%s: header length %d runs past the end of the %d-byte file" % (where, n, len(raw)))
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise SafetensorsError("%s: the header is not UTF-8 JSON (%s)" % (where, str(e)[:100])) from None
    if not isinstance(header, dict):
        raise SafetensorsError("%s: the header is not a JSON object" % where)
    metadata = header.pop(METADATA_KEY, {})
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise SafetensorsError("%s: __metadata__ must map strings to strings" % where)
    data = memoryview(raw)[8 + n:]
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise SafetensorsError("%s: tensor %s must be {dtype, shape, data_offsets}" % (where, _quote(name)))
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPES:
            raise SafetensorsError("%s: tensor %s has the unknown dtype %s" % (where, _quote(name), _quote(dtype)))
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise SafetensorsError("%s: tensor %s has a malformed shape %s" % (where, _quote(name), _quote(shape)))
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets)):
            raise SafetensorsError("%s: tensor %s has malformed data_offsets %s" % (where, _quote(name), _quote(offsets)))
        begin, end = offsets
        count = 1
        for d in shape:
            count *= d
        if end < begin or end - begin != count * DTYPES[dtype][1]:
            raise SafetensorsError("%s: tensor %s: data_offsets [%d, %d] do not hold %s %s (%d bytes)" % (where, _quote(name), begin, end, dtype, shape, count * DTYPES[dtype][1]))
        if end > len(data):
            raise SafetensorsError("%s: tensor %s: data_offsets [%d, %d] run past the %d-byte data buffer" % (where, _quote(name), begin, end, len(data)))
        entries.append((name, dtype, shape, begin, end))
    entries.sort(key=lambda e: (e[3], e[4]))
    covered = 0
    for name, _, _, begin, end in entries:
        if begin < covered:
            raise SafetensorsError("%s: tensor %s overlaps the tensor before it" % (where, _quote(name)))
        if begin > covered:
            raise SafetensorsError("%s: bytes [%d, %d) of the data buffer belong to no tensor (before %s)" % (where, covered, begin, _quote(name)))
        covered = end
    if covered != len(data):
        raise SafetensorsError("%s: bytes [%d, %d) at the end of the data buffer belong to no tensor" % (where, covered, len(data)))
    return entries, metadata, data


def load_bytes(raw, where="safetensors"):
    """`load_bytes(raw)` is `(tensors, metadata)`: a dict name -> CPU tensor (in file order of offsets) and the `__metadata__` dict."""
    entries, metadata, data = read_header(raw, where)
    tensors = {}
    for name, dtype, shape, begin, end in entries:
        torch_dtype = DTYPES[dtype][0]
        if begin == end:
            tensors[name] = torch.empty(shape, dtype=torch_dtype)
            continue
        _check_host(dtype)
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch_dtype).reshape(shape)
    return tensors, metadata


def load_file(path):
    """`load_file(path)` is `(tensors, metadata)` of the safetensors file at `path` (see `load_bytes`)."""
    with open(path, "rb") as f:
        raw = f.read()
    return load_bytes(raw, "safetensors: %s" % _quote(os.fspath(path)))


def _tensor_bytes(name, tensor):
    if tensor.dtype not in TORCH_TO_SAFETENSORS:
        raise SafetensorsError("safetensors: tensor %s has dtype %s, which the format cannot hold" % (_quote(name), tensor.dtype))
    flat = tensor.detach().to("cpu").contiguous().reshape(-1)
    dtype = TORCH_TO_SAFETENSORS[tensor.dtype]
    out = bytearray(flat.numel() * DTYPES[dtype][1])
    if flat.numel() > 0:
        _check_host(dtype)
        torch.frombuffer(out, dtype=flat.dtype).copy_(flat)
    return dtype, out


def save_bytes(tensors, metadata=None):
    """`save_bytes(tensors, metadata=None)` is the safetensors bytes of the dict name -> tensor: tensors by decreasing element size (each aligned to its size), the header padded with spaces to 8 bytes."""
    if metadata is not None and not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise SafetensorsError("safetensors: metadata must map strings to strings")
    header = {} if metadata is None else {METADATA_KEY: dict(metadata)}
    blobs = []
    order = sorted(enumerate(tensors.items()), key=lambda item: (-item[1][1].element_size(), item[0]))
    offset = 0
    for _, (name, tensor) in order:
        if not isinstance(name, str) or name == METADATA_KEY:
            raise SafetensorsError("safetensors: %s is not a usable tensor name" % _quote(str(name)))
        dtype, blob = _tensor_bytes(name, tensor)
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return b"".join([struct.pack("<Q", len(text)), text, *blobs])


def save_file(tensors, path, metadata=None):
    """`save_file(tensors, path, metadata=None)` writes `save_bytes(tensors, metadata)` to `path` atomically (a temporary file in the same directory, flushed, then renamed)."""
    raw = save_bytes(tensors, metadata)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
