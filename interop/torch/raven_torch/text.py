"""The demo's character tokenizer and batches (packages/kaun-attention/examples/tiny-lm.mjs).

The vocabulary is the text's distinct characters sorted as JavaScript sorts
strings (by UTF-16 code units), so ids agree with raven-ts's `loadCorpus`.
"""
import torch


def load_corpus(path):
    """`load_corpus(path)` is `(chars, ids)`: the sorted vocabulary and the text's ids (int64)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text), key=lambda c: c.encode("utf-16-be"))
    index = {c: i for i, c in enumerate(chars)}
    return chars, torch.tensor([index[c] for c in text], dtype=torch.long)


def windows(ids, starts, seq_len):
    """The windows of `ids` at `starts`: inputs `[len(starts), seq_len]` and next-character labels."""
    starts = torch.as_tensor(starts, dtype=torch.long)
    offsets = starts[:, None] + torch.arange(seq_len)[None, :]
    return ids[offsets], ids[offsets + 1]


def random_windows(ids, batch, seq_len, generator):
    """`batch` windows at uniform random starts in `[0, len(ids) - seq_len - 1)` (the demo's range)."""
    return windows(ids, torch.randint(0, len(ids) - seq_len - 1, (batch,), generator=generator), seq_len)


def fixed_starts(num_ids, batch, seq_len):
    """`batch` evenly spaced window starts over the text: the fixed batch both sides evaluate."""
    last = num_ids - seq_len - 1
    return [round(i * last / max(batch - 1, 1)) for i in range(batch)]
