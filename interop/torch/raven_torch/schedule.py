"""kaun-core's learning-rate schedules (packages/kaun-core/src/optim/schedule.ts), step for step.

`step` counts the updates already applied: the first update uses `schedule(0)`.
"""
import math


def linear_warmup(peak_value, warmup_steps, init_value=0.0):
    """`Optim.linearWarmup`: `init_value` at step 0 rising linearly to `peak_value` at `warmup_steps`, then `peak_value`."""
    return lambda step: peak_value if step >= warmup_steps else init_value + (peak_value - init_value) * max(step, 0) / warmup_steps


def cosine_decay(init_value, decay_steps, alpha=0.0):
    """`Optim.cosineDecay`: `init_value * ((1 - alpha) * (1 + cos(pi * min(step, decay_steps) / decay_steps)) / 2 + alpha)`."""

    def schedule(step):
        t = min(max(step, 0), decay_steps) / decay_steps
        return init_value * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * t)) + alpha)

    return schedule


def warmup_cosine_decay(peak_value, warmup_steps, decay_steps, end_value=0.0, init_value=0.0):
    """`Optim.warmupCosineDecay`: linear warmup to `peak_value`, then cosine decay to `end_value` over `decay_steps`, then `end_value`."""
    decay = (lambda step: end_value) if peak_value == 0 else cosine_decay(peak_value, decay_steps, end_value / peak_value)
    if warmup_steps == 0:
        return decay
    warmup = linear_warmup(peak_value, warmup_steps, init_value)
    return lambda step: warmup(step) if step < warmup_steps else decay(step - warmup_steps)
