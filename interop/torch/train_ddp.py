#!/usr/bin/env python3
"""Train a raven-ts decoderLM with PyTorch DistributedDataParallel, from and to raven-ts checkpoints.

On one machine (spawns its own workers; gloo on CPU, NCCL on GPUs):

    python3 train_ddp.py --checkpoint raven.safetensors --out trained.safetensors --nprocs 2

Under torchrun (it reads RANK, WORLD_SIZE and LOCAL_RANK), e.g. 2 nodes x 8 GPUs:

    torchrun --nnodes 2 --nproc-per-node 8 --rdzv-backend c10d --rdzv-endpoint HOST:29500 \\
        train_ddp.py --checkpoint raven.safetensors --out trained.safetensors --steps 2000

It trains on the demo's text with the demo's tokenizer and AdamW settings
(packages/kaun-attention/examples/tiny-lm.mjs: lr warmupCosineDecay(peak 3e-3,
warmup 20, decay over --steps, end 3e-4), weight decay 0.01, b1 0.9, b2 0.999,
eps 1e-8, global batch 16 windows of 64 characters split evenly over the
workers, the model's dropout), then rank 0 writes a raven-ts checkpoint and,
with --report, a JSON report: the per-step loss of the global batch, the loss
of a fixed batch (no dropout) before and after training and its window starts.
The optimizer's moments start at zero: a raven-ts checkpoint of params holds none.
"""
import argparse
import json
import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from raven_torch import DecoderLM, load_raven, save_raven
from raven_torch.schedule import warmup_cosine_decay
from raven_torch.text import fixed_starts, load_corpus, random_windows, windows

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_TEXT = os.path.join(HERE, "..", "..", "packages", "kaun-attention", "examples", "data", "sonnets.txt")
VOCAB_KEY = "raven.vocab"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True, help="the raven-ts decoderLM checkpoint to start from")
    p.add_argument("--out", required=True, help="where rank 0 writes the trained raven-ts checkpoint")
    p.add_argument("--text", default=DEMO_TEXT, help="the training text (default: the demo's sonnets)")
    p.add_argument("--steps", type=int, default=400, help="optimizer steps (default 400, as the demo)")
    p.add_argument("--batch", type=int, default=16, help="global batch in windows, split over the workers (default 16)")
    p.add_argument("--seq-len", type=int, default=64, help="characters per window (default 64)")
    p.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (default 3e-3)")
    p.add_argument("--warmup-steps", type=int, default=20, help="linear warmup from 0 (default 20)")
    p.add_argument("--end-lr", type=float, default=3e-4, help="learning rate at the end of the cosine decay (default 3e-4)")
    p.add_argument("--weight-decay", type=float, default=0.01, help="AdamW's decoupled weight decay (default 0.01)")
    p.add_argument("--seed", type=int, default=0, help="seeds each worker's data and dropout streams (default 0)")
    p.add_argument("--nprocs", type=int, default=2, help="workers to spawn when not under torchrun (default 2)")
    p.add_argument("--backend", choices=("gloo", "nccl"), help="process-group backend (default: nccl with CUDA, else gloo)")
    p.add_argument("--report", help="where rank 0 writes the JSON report")
    p.add_argument("--log-every", type=int, default=10, help="print the loss every N steps (default 10)")
    args = p.parse_args(argv)
    for name in ("steps", "batch", "seq_len", "nprocs"):
        if getattr(args, name) <= 0:
            p.error("--%s must be positive" % name.replace("_", "-"))
    return args


def log(rank, message):
    if rank == 0:
        print("[train_ddp] " + message, flush=True)


def eval_loss(model, x, y):
    """The mean cross-entropy of `model` on `(x, y)` in eval mode (no dropout), as a Python float."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).item()
    model.train(was_training)
    return loss


def worker(rank, world_size, local_rank, args):
    backend = args.backend or ("nccl" if torch.cuda.is_available() else "gloo")
    dist.init_process_group(backend, rank=rank, world_size=world_size)
    try:
        train(rank, world_size, local_rank, backend, args)
    finally:
        dist.destroy_process_group()


def train(rank, world_size, local_rank, backend, args):
    if args.batch % world_size:
        raise SystemExit("train_ddp: --batch %d is not divisible by the %d workers" % (args.batch, world_size))
    device = torch.device("cuda", local_rank) if backend == "nccl" else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    model = load_raven(args.checkpoint)
    if not isinstance(model, DecoderLM):
        raise SystemExit("train_ddp: %s holds a %s, not a decoderLM" % (args.checkpoint, type(model).__name__))
    chars, ids = load_corpus(args.text)
    vocab = model.raven_metadata.get(VOCAB_KEY)
    if vocab is not None and json.loads(vocab) != chars:
        raise SystemExit("train_ddp: the checkpoint's %s differs from the vocabulary of %s" % (VOCAB_KEY, args.text))
    if len(chars) != model.config.vocab_size:
        raise SystemExit("train_ddp: %s has %d distinct characters, the model's vocabSize is %d" % (args.text, len(chars), model.config.vocab_size))
    model.to(device).train()
    ddp = DistributedDataParallel(model, device_ids=[local_rank] if device.type == "cuda" else None)
    optimizer = torch.optim.AdamW(ddp.parameters(), lr=0.0, betas=(0.9, 0.999), eps=1e-8, weight_decay=args.weight_decay)
    schedule = warmup_cosine_decay(args.lr, args.warmup_steps, args.steps, args.end_lr)
    data = torch.Generator().manual_seed(args.seed * 1000 + rank)
    torch.manual_seed(args.seed * 1000 + rank)  # dropout differs per worker
    per_worker = args.batch // world_size

    starts = fixed_starts(len(ids), args.batch, args.seq_len)
    fixed_x, fixed_y = (t.to(device) for t in windows(ids, starts, args.seq_len))
    before = eval_loss(model, fixed_x, fixed_y)
    log(rank, "%d workers (%s, %s), global batch %d x %d, %d steps; fixed-batch loss %.4f"
        % (world_size, backend, device.type, args.batch, args.seq_len, args.steps, before))
    losses = []
    started = time.perf_counter()
    for step in range(args.steps):
        for group in optimizer.param_groups:
            group["lr"] = schedule(step)
        x, y = (t.to(device) for t in random_windows(ids, per_worker, args.seq_len, data))
        logits = ddp(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # DDP averages the gradients over the workers: the gradient of the global batch
        optimizer.step()
        mean = loss.detach().clone()
        dist.all_reduce(mean)
        losses.append(mean.item() / world_size)
        if (step + 1) % args.log_every == 0 or step + 1 == args.steps:
            log(rank, "step %d/%d  loss %.4f  lr %.2e" % (step + 1, args.steps, losses[-1], schedule(step)))
    seconds = time.perf_counter() - started
    if rank == 0:
        after = eval_loss(model, fixed_x, fixed_y)
        save_raven(model.to("cpu"), args.out, {VOCAB_KEY: json.dumps(chars)})
        log(rank, "fixed-batch loss %.4f -> %.4f; %.0f tokens/s; wrote %s" % (before, after, args.steps * args.batch * args.seq_len / seconds, args.out))
        if args.report:
            report = {
                "worldSize": world_size, "backend": backend, "steps": args.steps, "batch": args.batch, "seqLen": args.seq_len,
                "losses": losses, "fixedStarts": starts, "fixedLossBefore": before, "fixedLossAfter": after,
                "seconds": seconds, "tokensPerSecond": args.steps * args.batch * args.seq_len / seconds,
            }
            with open(args.report, "w", encoding="utf-8") as f:
                json.dump(report, f, indent=1)
    dist.barrier()


def spawned(index, world_size, args):
    if not torch.cuda.is_available():  # share the cores between the workers
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // world_size))
    worker(index, world_size, index, args)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    args = parse_args(argv)
    if all(k in os.environ for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK")):  # under torchrun: it set the rendezvous too
        worker(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ["LOCAL_RANK"]), args)
        return
    # One machine, our own workers: rendezvous on loopback only.
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(free_port()))
    if sys.platform.startswith("linux"):
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    mp.spawn(spawned, args=(args.nprocs, args), nprocs=args.nprocs, join=True)


if __name__ == "__main__":
    sys.exit(main())
