#!/usr/bin/env python3
"""Fit the float32 error function of the WebAssembly SIMD kernels
(`src/cpu/wasm/elementwise.ts`, `emitErf`) and measure its error.

Run from anywhere (numpy; not needed in CI, the coefficients are committed):

    python3 packages/nx/scripts/fit-erf-f32.py

Two branches, chosen per lane:

- `|x| < SPLIT`: `erf(x) = x * P(x^2)`, P of degree 6, fitted to `erf(t)/t`
  (no cancellation near 0, so the relative error stays small);
- `SPLIT <= |x|`: `erf(x) = sign(x) * (1 - exp(Q(min(|x|, 4))))`, Q of
  degree 9 fitted to `log(erfc(t))` on `[SPLIT, 4]` (at 4, `1 - erfc`
  rounds to 1 in float32, and it stays 1 beyond).

Each fit is a least-squares fit on Chebyshev nodes, reweighted toward the
minimax (equal-ripple) solution. The script then evaluates the kernel's
arithmetic in float32 (coefficients rounded to float32, Horner's rule,
correctly rounded exp) on a grid and prints the largest error in ulp
against Python's `math.erf`. The kernel's own exp adds up to 2-3 ulp to the
`exp` part of the second branch.
"""
import math

import numpy as np

SPLIT = 0.921875
SATURATION = 4.0


def minimax_fit(fun, lo, hi, degree, xmap, nodes=4000, rounds=30):
    t = np.cos(np.pi * (np.arange(nodes) + 0.5) / nodes) * (hi - lo) / 2 + (hi + lo) / 2
    y = np.array([fun(v) for v in t])
    v = np.vander(xmap(t), degree + 1)
    w = np.ones(nodes)
    for _ in range(rounds):
        c, *_ = np.linalg.lstsq(v * w[:, None], y * w, rcond=None)
        err = np.abs(v @ c - y)
        w = w * (1 + err / err.max()) ** 2
        w /= w.max()
    return [float(np.float32(x)) for x in c], float(err.max())


def horner32(coefs, x):
    x = np.float32(x)
    r = np.float32(coefs[0])
    for c in coefs[1:]:
        r = np.float32(np.float32(r * x) + np.float32(c))
    return r


def main():
    p, p_err = minimax_fit(lambda t: math.erf(t) / t, 1e-6, SPLIT, 6, lambda t: t * t)
    q, q_err = minimax_fit(lambda t: math.log(math.erfc(t)), SPLIT, SATURATION, 9, lambda t: t)

    def erf32(x):
        ax = np.float32(abs(x))
        if ax < SPLIT:
            return np.float32(horner32(p, np.float32(ax * ax)) * np.float32(x))
        e = np.float32(math.exp(float(horner32(q, min(ax, np.float32(SATURATION))))))
        return np.float32(math.copysign(float(np.float32(1 - e)), x))

    worst, at = 0.0, 0.0
    for x in np.linspace(1e-5, 4.5, 300001, dtype=np.float32):
        ref = math.erf(float(x))
        err = abs(float(erf32(x)) - ref) / float(np.spacing(np.float32(abs(ref))))
        if err > worst:
            worst, at = err, float(x)
    print(f"SPLIT = {SPLIT}")
    print(f"P (x^2, highest degree first; fit error {p_err:.2e}) = {p}")
    print(f"Q (|x|, highest degree first; fit error {q_err:.2e}) = {q}")
    print(f"largest error {worst:.2f} ulp at x = {at}")


if __name__ == "__main__":
    main()
