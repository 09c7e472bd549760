/** The 1cycle learning-rate policy, as PyTorch's `OneCycleLR`. */
import { checkBool, checkFinite, checkOneOf, checkOptions, checkPositive, checkPositiveInt, fail } from "../util.js";
import type { Schedule } from "./schedule.js";

/** Options of {@link oneCycle}. */
export interface OneCycleOptions {
  /** The highest rate (PyTorch's `max_lr`). */
  readonly peakValue: number;
  /** The number of steps of the whole cycle (the training run). */
  readonly totalSteps: number;
  /** The fraction of the steps spent rising to `peakValue`; defaults to 0.3. */
  readonly pctStart?: number;
  /** The first rate is `peakValue / divFactor`; defaults to 25. */
  readonly divFactor?: number;
  /** The last rate is `peakValue / divFactor / finalDivFactor`; defaults to 1e4. */
  readonly finalDivFactor?: number;
  /** How each phase moves between its ends: `"cos"` (cosine annealing) or `"linear"`; defaults to `"cos"`. */
  readonly annealStrategy?: "cos" | "linear";
  /** Whether to return to the first rate before the final descent (fast.ai's three phases); defaults to false. */
  readonly threePhase?: boolean;
}

/**
 * `oneCycle({ peakValue, totalSteps, pctStart?, divFactor?, finalDivFactor?, annealStrategy?, threePhase? })`
 * is the 1cycle policy (Smith and Topin, 2018) with PyTorch's `OneCycleLR`
 * semantics, which users of that scheduler expect: from
 * `initial = peakValue / divFactor` at step 0 up to `peakValue` at step
 * `pctStart * totalSteps - 1`, then down to `initial / finalDivFactor` at
 * step `totalSteps - 1`, the last step of the run (with `threePhase`, back
 * to `initial` at `2 * pctStart * totalSteps - 2` first). Each phase anneals
 * from `a` to `b` over its fraction `f` as `b + (a - b) (1 + cos(π f)) / 2`
 * (`"cos"`) or `a + (b - a) f` (`"linear"`). After `totalSteps - 1` the
 * rate stays at the last value (PyTorch raises). optax's
 * `cosine_onecycle_schedule` peaks one step later (at `pctStart * totalSteps`)
 * and ends at `totalSteps`. `pctStart` defaults to 0.3, `divFactor` to 25,
 * `finalDivFactor` to 1e4, `annealStrategy` to `"cos"`, `threePhase` to false.
 * @throws InvalidArgumentError when the options are missing or unknown, a value is not finite, `totalSteps` is not a positive integer, a factor is not positive, `pctStart` is outside (0, 1), `annealStrategy` is unknown, or a phase would last no step (as PyTorch, which divides by its length).
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const fn = "Optim.oneCycle";
  checkOptions(fn, options, "{ peakValue, totalSteps }", ["peakValue", "totalSteps", "pctStart", "divFactor", "finalDivFactor", "annealStrategy", "threePhase"]);
  const peak = checkFinite(fn, "peakValue", options.peakValue);
  const total = checkPositiveInt(fn, "totalSteps", options.totalSteps);
  const pct = checkFinite(fn, "pctStart", options.pctStart ?? 0.3);
  if (!(pct > 0 && pct < 1)) throw fail(fn, `pctStart must be in (0, 1), got ${pct}`);
  const initial = peak / checkPositive(fn, "divFactor", options.divFactor ?? 25);
  const last = initial / checkPositive(fn, "finalDivFactor", options.finalDivFactor ?? 1e4);
  const strategy = checkOneOf(fn, "annealStrategy", options.annealStrategy ?? "cos", ["cos", "linear"] as const);
  const threePhase = checkBool(fn, "threePhase", options.threePhase, false);
  // [last step of the phase, rate at its start, rate at its end], as PyTorch's `_schedule_phases`.
  const phases: [number, number, number][] = threePhase
    ? [
        [pct * total - 1, initial, peak],
        [2 * pct * total - 2, peak, initial],
        [total - 1, initial, last],
      ]
    : [
        [pct * total - 1, initial, peak],
        [total - 1, peak, last],
      ];
  phases.forEach(([end], i) => {
    const start = i === 0 ? 0 : (phases[i - 1] as [number, number, number])[0];
    if (!(end > start)) throw fail(fn, `phase ${i + 1} of ${phases.length} would end at step ${Number(end.toPrecision(6))}, not after its start ${Number(start.toPrecision(6))}: raise totalSteps (${total}) or change pctStart (${pct})`);
  });
  const anneal = strategy === "cos" ? (a: number, b: number, f: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * f) + 1) : (a: number, b: number, f: number) => (b - a) * f + a;
  return (step) => {
    const s = Math.min(Math.max(step, 0), total - 1);
    // The last phase ends at totalSteps - 1, so some phase holds s.
    const k = phases.findIndex(([end]) => s <= end);
    const start = k === 0 ? 0 : (phases[k - 1] as [number, number, number])[0];
    const [end, from, to] = phases[k] as [number, number, number];
    return anneal(from, to, (s - start) / (end - start));
  };
}
