"""The PyTorch side of test/exchange.test.mjs: run with `python3 test/torch_side.py DIR` from interop/torch.

DIR/cases.json lists the cases the Node side prepared:
- "raven-to-torch": load DIR/<name>.safetensors (written by raven-ts) with
  `load_raven` and write the twin's outputs on DIR/<name>.inputs.safetensors
  to DIR/<name>.torch.safetensors (`out`);
- "torch-to-raven": build the twin from `options` in `dtype`, initialised by PyTorch's
  generator (seed `seed`) and then perturbed so that every parameter (norm
  scales, biases) differs from its initial value, save it with `save_raven`
  to DIR/<name>.safetensors, and write its outputs (`out`) and, for a
  decoderLM, its greedy continuation of the inputs' first `promptLen` tokens
  (`greedy`, `maxNewTokens` new ones) to DIR/<name>.torch.safetensors.
DIR/adamw.safetensors (when present) holds `params.*` and `grads.<k>.*`:
torch.optim.AdamW takes one step per k and the params after each go to
DIR/adamw.torch.safetensors as `step.<k>.*`. The learning-rate schedule of
the DDP script for `schedule` in cases.json goes to DIR/schedule.json.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from raven_torch import AttentionConfig, DecoderLM, DecoderLMConfig, MultiHeadAttention, load_raven, save_raven  # noqa: E402
from raven_torch.safetensors import load_file, save_file  # noqa: E402
from raven_torch.schedule import warmup_cosine_decay  # noqa: E402


def outputs(model, inputs):
    model.eval()
    with torch.no_grad():
        if isinstance(model, DecoderLM):
            return model(inputs["tokens"])
        return model(inputs["x"], inputs.get("attention_mask"))


def raven_to_torch(directory, case):
    model = load_raven(os.path.join(directory, case["name"] + ".safetensors"))
    inputs, _ = load_file(os.path.join(directory, case["name"] + ".inputs.safetensors"))
    save_file({"out": outputs(model, inputs)}, os.path.join(directory, case["name"] + ".torch.safetensors"))


def torch_to_raven(directory, case):
    torch.manual_seed(case["seed"])
    if case["kind"] == "decoderLM":
        model = DecoderLM(DecoderLMConfig.from_options(case["options"]))
    else:
        model = MultiHeadAttention(AttentionConfig.from_options(case["options"]))
    model.to(getattr(torch, case["dtype"]))
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    save_raven(model, os.path.join(directory, case["name"] + ".safetensors"))
    inputs, _ = load_file(os.path.join(directory, case["name"] + ".inputs.safetensors"))
    result = {"out": outputs(model, inputs)}
    if isinstance(model, DecoderLM):
        prompt = inputs["tokens"][:, : case["promptLen"]]
        result["greedy"] = model.greedy(prompt, case["maxNewTokens"]).to(torch.int32)
    save_file(result, os.path.join(directory, case["name"] + ".torch.safetensors"))


def adamw(directory, spec):
    tensors, _ = load_file(os.path.join(directory, "adamw.safetensors"))
    names = sorted(n[len("params."):] for n in tensors if n.startswith("params."))
    params = [torch.nn.Parameter(tensors["params." + n].clone()) for n in names]
    opt = torch.optim.AdamW(params, lr=spec["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=spec["weightDecay"])
    out = {}
    for k in range(spec["steps"]):
        for n, p in zip(names, params):
            p.grad = tensors["grads.%d.%s" % (k, n)].clone()
        opt.step()
        for n, p in zip(names, params):
            out["step.%d.%s" % (k, n)] = p.detach().clone()
    save_file(out, os.path.join(directory, "adamw.torch.safetensors"))


def main(directory):
    torch.set_num_threads(1)  # tiny models: threads would only contend with the other test processes
    with open(os.path.join(directory, "cases.json"), encoding="utf-8") as f:
        spec = json.load(f)
    for case in spec["cases"]:
        (raven_to_torch if case["direction"] == "raven-to-torch" else torch_to_raven)(directory, case)
    if "adamw" in spec:
        adamw(directory, spec["adamw"])
    if "schedule" in spec:
        s = spec["schedule"]
        schedule = warmup_cosine_decay(s["peakValue"], s["warmupSteps"], s["decaySteps"], s["endValue"])
        with open(os.path.join(directory, "schedule.json"), "w", encoding="utf-8") as f:
            json.dump([schedule(step) for step in range(s["steps"])], f)


if __name__ == "__main__":
    main(sys.argv[1])
