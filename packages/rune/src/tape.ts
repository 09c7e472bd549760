/**
 * The tape: an nx `Tracer` that records every primitive execution whose
 * inputs depend on a differentiated input, and the backward pass that walks
 * it in reverse, applying the rules of `rules.ts`.
 *
 * While installed, the tape also `holds` every tensor it recorded, so a
 * `nx.tidy` inside the differentiated function hands them to the enclosing
 * scope instead of disposing them.
 */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import type { Primitive, PrimitiveParams, Tracer } from "@raven-ts/nx/primitives";
import { isHeld } from "@raven-ts/nx/primitives";
import type { VjpRule } from "./rules.js";
import { VJP } from "./rules.js";

/** One recorded execution of primitive `P`. */
interface TapeNode<P extends Primitive> {
  readonly prim: P;
  readonly inputs: readonly Tensor[];
  readonly params: PrimitiveParams[P];
  readonly output: Tensor;
}

type AnyNode = { [P in Primitive]: TapeNode<P> }[Primitive];

let paused = 0;

/** `untaped(fn)` runs `fn` with every tape ignoring what it executes (the basis of `stopGradient`). */
export function untaped<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

const observers = new Set<(prim: Primitive) => void>();

/**
 * `observeRules(fn)` calls `fn(prim)` each time a backward pass applies the
 * rule of `prim`, until the returned function is called. Internal: the
 * gradient-check suite uses it to prove every rule is exercised.
 */
export function observeRules(fn: (prim: Primitive) => void): () => void {
  observers.add(fn);
  return () => {
    observers.delete(fn);
  };
}

/**
 * `Tape` is an nx tracer recording, while installed, every execution of a
 * differentiable primitive with a float output and at least one tracked
 * input; the output becomes tracked. `backward` then replays it in reverse.
 */
export class Tape implements Tracer {
  readonly #nodes: AnyNode[] = [];
  /** Tensors that depend on a differentiated input (the inputs themselves included). */
  readonly #tracked = new Set<Tensor>();
  /** Every tensor a recorded node refers to: the rules may need any of them. */
  readonly #held = new Set<Tensor>();

  /** `new Tape(inputs)` is an empty tape differentiating with respect to `inputs`. */
  constructor(inputs: readonly Tensor[]) {
    for (const t of inputs) {
      this.#tracked.add(t);
      this.#held.add(t);
    }
  }

  /** `isTracked(t)` is true when `t` depends on a differentiated input. */
  isTracked(t: Tensor): boolean {
    return this.#tracked.has(t);
  }

  /** `held()` is every tensor the tape refers to. */
  held(): Tensor[] {
    return [...this.#held];
  }

  /** The number of recorded nodes. */
  get length(): number {
    return this.#nodes.length;
  }

  /** `holds(t)` is true for every tensor a recorded node refers to (so `nx.tidy` keeps it while the tape is installed). */
  holds(t: Tensor): boolean {
    return this.#held.has(t);
  }

  /** `record(prim, inputs, params, output)` is called by nx's `bind` for every primitive execution. */
  record<P extends Primitive>(prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P], output: Tensor): void {
    if (paused > 0 || VJP[prim] === "nondiff" || !nx.isFloat(output.dtype)) return;
    if (!inputs.some((t) => this.#tracked.has(t))) return;
    const node = { prim, inputs: [...inputs], params, output } as TapeNode<P>;
    this.#nodes.push(node as unknown as AnyNode);
    this.#tracked.add(output);
    this.#held.add(output);
    for (const t of inputs) this.#held.add(t);
  }

  /**
   * `backward(seeds)` propagates the cotangents `seeds` (pairs of a tracked
   * tensor and its cotangent, of its shape and dtype) back through the tape
   * and returns the cotangents that reach tracked tensors which are not node
   * outputs (the differentiated inputs). Intermediate cotangents are disposed
   * as soon as they are consumed, unless another installed tape holds them.
   */
  backward(seeds: readonly (readonly [Tensor, Tensor])[]): Map<Tensor, Tensor> {
    const ct = new Map<Tensor, Tensor>();
    const refs = new Map<Tensor, number>();
    const foreign = new Set<Tensor>(seeds.map(([, c]) => c));
    const ref = (c: Tensor): void => {
      refs.set(c, (refs.get(c) ?? 0) + 1);
    };
    const release = (c: Tensor): void => {
      const n = (refs.get(c) ?? 0) - 1;
      if (n > 0) {
        refs.set(c, n);
        return;
      }
      refs.delete(c);
      if (!foreign.has(c) && !this.#held.has(c) && !isHeld(c)) c.dispose();
    };
    const accumulate = (t: Tensor, c: Tensor): void => {
      const old = ct.get(t);
      if (old === undefined) {
        ct.set(t, c);
        ref(c);
        return;
      }
      const sum = nx.add(old, c);
      ct.set(t, sum);
      ref(sum);
      release(old);
    };

    for (const [t, c] of seeds) if (this.#tracked.has(t)) accumulate(t, c);

    for (let i = this.#nodes.length - 1; i >= 0; i--) {
      const node = this.#nodes[i] as AnyNode;
      const g = ct.get(node.output);
      if (g === undefined) continue;
      ct.delete(node.output);
      const needs = node.inputs.map((t) => this.#tracked.has(t));
      const rule = VJP[node.prim] as VjpRule<Primitive> | "nondiff";
      if (rule === "nondiff") throw new Error(`rune: internal error: ${node.prim} was recorded but has no rule`);
      for (const observe of observers) observe(node.prim);
      const grads = rule(g, { inputs: node.inputs, output: node.output, params: node.params, needs });
      const produced: Tensor[] = [];
      node.inputs.forEach((x, k) => {
        const gx = grads[k];
        if (!needs[k] || gx === undefined) return;
        if (!nx.shapesEqual(gx.shape, x.shape)) {
          throw new Error(`rune: internal error: the ${node.prim} rule gave a cotangent of shape ${nx.fmtShape(gx.shape)} for an input of shape ${nx.fmtShape(x.shape)}`);
        }
        const typed = gx.dtype === x.dtype ? gx : nx.cast(gx, x.dtype);
        accumulate(x, typed);
        produced.push(typed);
        if (typed !== gx) produced.push(gx);
      });
      release(g);
      for (const c of produced) if (!refs.has(c) && !foreign.has(c)) release(c);
    }
    return ct;
  }
}
