/** Gradient accumulation: `multiSteps(k, inner)`, as optax's `MultiSteps`. */
import * as nx from "@raven-ts/nx";
import { checkPositiveInt, fail } from "../util.js";
import type { Optimizer } from "./transform.js";
import { checkOptimizer, makeTransform, pickSlots } from "./transform.js";

/** The slot that holds the running mean of the gradients of the current cycle. */
const ACC = "acc_grads";

/**
 * `multiSteps(k, inner)` accumulates gradients over `k` calls of
 * `Optim.step` and applies `inner` once per `k` (optax's `MultiSteps` with a
 * fixed `every_k_schedule`): calls `1 .. k-1` of each cycle only add the
 * gradients to a running mean and return zero updates (the parameters keep
 * their values), and call `k` hands `inner` the mean of the cycle's `k`
 * gradients, applies its update and resets the mean. So `k` micro-batches
 * give the update `inner` would make on their average gradient, as
 * PyTorch's usual accumulation of `loss / k` over `k` backward passes.
 *
 * The state's `count` counts the calls; `inner` (its schedules, Adam's bias
 * correction) sees `floor(count / k)`, the number of its own updates. Slots:
 * `acc_grads` (the running mean, zeros) and those of `inner`.
 * `learningRate(step)` is `inner.learningRate(floor(step / k))`.
 * `multiSteps(1, inner)` behaves as `inner`.
 * @throws InvalidArgumentError when `k` is not a positive integer, `inner` is not a transformation, or `inner` keeps a slot named `acc_grads`.
 */
export function multiSteps(k: number, inner: Optimizer): Optimizer {
  const fn = "Optim.multiSteps";
  const every = checkPositiveInt(fn, "k", k);
  const opt = checkOptimizer(fn, inner, "inner");
  if (opt.slots.includes(ACC)) throw fail(fn, `inner keeps a slot named "${ACC}", which multiSteps uses for the accumulated gradients`);
  const rate = opt.learningRate;
  return makeTransform({
    name: "multiSteps",
    hyperparams: { k: every },
    slots: { [ACC]: 0, ...opt.slotInit },
    parts: [opt],
    ...(rate === undefined ? {} : { learningRate: (step: number) => rate(Math.floor(step / every)) }),
    rule: (stepFn, count, params) => {
      const mini = count % every;
      const innerApply = mini === every - 1 ? opt.rule(stepFn, Math.floor(count / every), params) : undefined;
      return (updates, slots) => {
        const acc = slots[ACC] as readonly nx.Tensor[];
        const mean = updates.map((g, i) => {
          const a = acc[i] as nx.Tensor;
          return nx.add(a, nx.div(nx.sub(g, a), mini + 1));
        });
        const innerSlots = pickSlots(slots, opt.slots);
        if (innerApply === undefined) return [updates.map((g) => nx.zerosLike(g)), { ...innerSlots, [ACC]: mean }];
        const [applied, innerNext] = innerApply(mean, innerSlots);
        return [applied, { ...innerNext, [ACC]: mean.map((m) => nx.zerosLike(m)) }];
      };
    },
  });
}
