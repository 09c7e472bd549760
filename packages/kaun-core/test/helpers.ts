/** Test helpers: flat values, closeness checks, and reference math in plain JS. */
import type { Tensor } from "@raven-ts/nx";
import { expect } from "vitest";

/** `values(t)` is the tensor's elements as a plain number array (C order). */
export function values(t: Tensor): number[] {
  return Array.from(t.dataSync(), Number);
}

/** Asserts `actual` and `expected` agree elementwise within `atol + rtol * |expected|` (NaN agrees with nothing; equal infinities agree). */
export function expectClose(actual: Tensor | readonly number[], expected: readonly number[], atol = 1e-6, rtol = 1e-5): void {
  const a = Array.isArray(actual) ? (actual as number[]) : values(actual as Tensor);
  expect(a.length).toBe(expected.length);
  a.forEach((v, i) => {
    const e = expected[i] as number;
    if (!(v === e || Math.abs(v - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`element ${i}: got ${v}, expected ${e} (atol ${atol}, rtol ${rtol})\nactual:   ${a.join(", ")}\nexpected: ${expected.join(", ")}`);
    }
  });
}

/** The error function, to ~1e-15 (series / continued fraction), for reference values. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    // Maclaurin series.
    let sum = 0;
    let term = ax;
    for (let n = 0; n < 100; n++) {
      sum += term / (2 * n + 1);
      term *= (-ax * ax) / (n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc.
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

/** Mean and (population) standard deviation. */
export function stats(xs: readonly number[]): { mean: number; std: number; min: number; max: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs) };
}

/** A small deterministic PRNG for test data (`@raven-ts/nx/testing`). */
export { seededUniform as prng } from "@raven-ts/nx/testing";

/** `softmaxRow(xs)` in float64. */
export function softmaxRow(xs: readonly number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
