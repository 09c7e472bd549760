/**
 * Learning-rate schedules: functions from the step index to a learning rate.
 * The index counts the updates already applied, so the first update uses
 * `schedule(0)` (as optax and PyTorch).
 */
import { checkFinite, checkNonNegative, checkNonNegInt, checkPositiveInt, describe, fail } from "../util.js";

/** `schedule(step)` is the learning rate of update number `step` (0 for the first update). */
export type Schedule = (step: number) => number;

/** A rate: a number (constant) or a {@link Schedule}. */
export type Rate = number | Schedule;

/**
 * `asSchedule(fn, name, v, { nonNegative? })` is `v` as a schedule: a
 * function as it is, a finite number (≥ 0 when `nonNegative`) as a constant. Internal.
 * @throws InvalidArgumentError naming `kaun.<fn>` and `name` otherwise.
 */
export function asSchedule(fn: string, name: string, v: unknown, options: { readonly nonNegative?: boolean } = {}): Schedule {
  if (typeof v === "function") return v as Schedule;
  if (typeof v === "number") {
    const value = options.nonNegative === true ? checkNonNegative(fn, name, v) : checkFinite(fn, name, v);
    return () => value;
  }
  throw fail(fn, `${name} must be a number or a schedule function, got ${describe(v)}`);
}

/**
 * `evalSchedule(fn, what, schedule, step)` is `schedule(step)`, checked to be a finite number. Internal.
 * @throws InvalidArgumentError `"the <what> schedule returned <v> at step <step>"` otherwise.
 */
export function evalSchedule(fn: string, what: string, schedule: Schedule, step: number): number {
  const v: unknown = schedule(step);
  if (typeof v !== "number" || !Number.isFinite(v)) throw fail(fn, `the ${what} schedule returned ${describe(v)} at step ${step}`);
  return v;
}

/** `constant(value)` is `value` at every step. @throws InvalidArgumentError when `value` is not finite. */
export function constant(value: number): Schedule {
  const v = checkFinite("Optim.constant", "value", value);
  return () => v;
}

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** The rate at step 0. */
  readonly initValue: number;
  /** The number of steps over which the rate decays; from then on it stays at `alpha * initValue`. */
  readonly decaySteps: number;
  /** The final rate as a fraction of `initValue`; defaults to 0. */
  readonly alpha?: number;
}

/**
 * `cosineDecay({ initValue, decaySteps, alpha? })` is
 * `initValue * ((1 - alpha) * (1 + cos(π * min(step, decaySteps) / decaySteps)) / 2 + alpha)`:
 * `initValue` at step 0, `alpha * initValue` from `decaySteps` on. `alpha` defaults to 0.
 * @throws InvalidArgumentError when `initValue` or `alpha` is not finite or `decaySteps` is not a positive integer.
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  const fn = "Optim.cosineDecay";
  if (typeof options !== "object" || options === null) throw fail(fn, "options { initValue, decaySteps } are required");
  const init = checkFinite(fn, "initValue", options.initValue);
  const steps = checkPositiveInt(fn, "decaySteps", options.decaySteps);
  const alpha = checkFinite(fn, "alpha", options.alpha ?? 0);
  return (step) => {
    const t = Math.min(Math.max(step, 0), steps) / steps;
    return init * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * t)) + alpha);
  };
}

/** Options of {@link linearWarmup}. */
export interface LinearWarmupOptions {
  /** The rate at step 0; defaults to 0. */
  readonly initValue?: number;
  /** The rate reached at `warmupSteps` and kept afterwards. */
  readonly peakValue: number;
  /** The length of the ramp. */
  readonly warmupSteps: number;
}

/**
 * `linearWarmup({ initValue?, peakValue, warmupSteps })` rises linearly from
 * `initValue` at step 0 to `peakValue` at step `warmupSteps`, then stays at
 * `peakValue`. `initValue` defaults to 0.
 * @throws InvalidArgumentError when a value is not finite or `warmupSteps` is not a positive integer.
 */
export function linearWarmup(options: LinearWarmupOptions): Schedule {
  const fn = "Optim.linearWarmup";
  if (typeof options !== "object" || options === null) throw fail(fn, "options { peakValue, warmupSteps } are required");
  const init = checkFinite(fn, "initValue", options.initValue ?? 0);
  const peak = checkFinite(fn, "peakValue", options.peakValue);
  const steps = checkPositiveInt(fn, "warmupSteps", options.warmupSteps);
  return (step) => (step >= steps ? peak : init + ((peak - init) * Math.max(step, 0)) / steps);
}

/** One piece of {@link join}. */
export interface Segment {
  /** How many steps this schedule runs (omit on the last segment, which runs forever). */
  readonly steps?: number;
  /** The schedule, called with the step counted from the segment's start. */
  readonly schedule: Schedule;
}

/**
 * `join(segments)` runs the schedules one after another: segment `i` runs
 * for `segments[i].steps` steps and sees steps counted from 0 at its start;
 * the last segment runs forever (its `steps`, if given, is ignored).
 * `join([{ steps: 100, schedule: linearWarmup(...) }, { schedule: cosineDecay(...) }])`
 * is warmup followed by cosine decay.
 * @throws InvalidArgumentError when `segments` is empty, a schedule is not a function, or a non-last segment's `steps` is not a positive integer.
 */
export function join(segments: readonly Segment[]): Schedule {
  const fn = "Optim.join";
  if (!Array.isArray(segments) || segments.length === 0) throw fail(fn, `segments must be a non-empty array, got ${describe(segments)}`);
  const bounds: number[] = [];
  let total = 0;
  segments.forEach((s, i) => {
    if (typeof s?.schedule !== "function") throw fail(fn, `segments[${i}].schedule must be a function, got ${describe(s?.schedule)}`);
    if (i < segments.length - 1) total += checkPositiveInt(fn, `segments[${i}].steps`, s.steps);
    bounds.push(total);
  });
  return (step) => {
    let start = 0;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as Segment;
      const end = bounds[i] as number;
      if (i === segments.length - 1 || step < end) return seg.schedule(step - start);
      start = end;
    }
    return Number.NaN;
  };
}

/** Options of {@link warmupCosineDecay}. */
export interface WarmupCosineDecayOptions {
  /** The rate at step 0; defaults to 0. */
  readonly initValue?: number;
  /** The rate at the end of warmup. */
  readonly peakValue: number;
  /** The length of the linear warmup. */
  readonly warmupSteps: number;
  /** The length of the cosine decay that follows the warmup. */
  readonly decaySteps: number;
  /** The rate at the end of the decay and afterwards; defaults to 0. */
  readonly endValue?: number;
}

/**
 * `warmupCosineDecay({ initValue?, peakValue, warmupSteps, decaySteps, endValue? })`
 * is {@link linearWarmup} from `initValue` to `peakValue` over `warmupSteps`,
 * then {@link cosineDecay} from `peakValue` to `endValue` over the next
 * `decaySteps` steps, then `endValue`. `initValue` and `endValue` default to 0.
 * @throws InvalidArgumentError when a value is not finite, or a step count is not a positive integer (`warmupSteps` may be 0).
 */
export function warmupCosineDecay(options: WarmupCosineDecayOptions): Schedule {
  const fn = "Optim.warmupCosineDecay";
  if (typeof options !== "object" || options === null) throw fail(fn, "options { peakValue, warmupSteps, decaySteps } are required");
  const peak = checkFinite(fn, "peakValue", options.peakValue);
  const end = checkFinite(fn, "endValue", options.endValue ?? 0);
  const warmup = checkNonNegInt(fn, "warmupSteps", options.warmupSteps);
  const decaySteps = checkPositiveInt(fn, "decaySteps", options.decaySteps);
  const alpha = peak === 0 ? 0 : end / peak;
  const decay: Schedule = peak === 0 ? () => end : cosineDecay({ initValue: peak, decaySteps, alpha });
  if (warmup === 0) return decay;
  return join([{ steps: warmup, schedule: linearWarmup({ initValue: options.initValue ?? 0, peakValue: peak, warmupSteps: warmup }) }, { schedule: decay }]);
}
