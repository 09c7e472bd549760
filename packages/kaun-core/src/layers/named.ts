/** The named-sub-layer combinator: a layer built from sub-layers stored under names, wired by a forward function. */
import type { Tensor } from "@raven-ts/nx";
import { fmtValue, isTensor, tidy } from "@raven-ts/nx";
import type { ApplyArgs, ElementKind, Layer } from "../layer.js";
import { checkLayer, checkResult } from "../layer.js";
import type { Ptree } from "../ptree.js";
import type { Key } from "../rng.js";
import { subKeys, withKey } from "../rng.js";
import { checkFunction, checkOptions, describe, fail, optionalOptions } from "../util.js";
import { field } from "./params.js";

/** Any layer, whatever element kinds it consumes and produces. */
type AnyLayer = Layer<ElementKind, ElementKind>;

/** `run(name, x)` applies the sub-layer stored under `name` to `x` (in its own key scope) and returns its output. */
export type NamedRun = (name: string, x: Tensor) => Tensor;

/** `forward(run, x, args)` computes a named layer's output from its input `x`, calling sub-layers through `run`; `args` are the pass's (`training`, `ctx`, ...). */
export type NamedForward = (run: NamedRun, x: Tensor, args: ApplyArgs) => Tensor;

/**
 * `override(args, x)` replaces one sub-layer's `apply` in
 * {@link NamedLayer.applyWith}: `args` carries that sub-layer's params and
 * state; it returns the sub-layer's output and any tree of tensors to hand
 * back to the caller of `applyWith` (such as an extended KV cache).
 */
export type NamedOverride = (args: ApplyArgs, x: Tensor) => [Tensor, Ptree];

/** Options of {@link named}. */
export interface NamedOptions {
  /** The name errors start with (`kaun.<name>: ...`), the function the user called; defaults to `"Layer.named"`. */
  readonly name?: string;
}

/** The layer {@link named} returns. */
export interface NamedLayer<I extends ElementKind = "float", O extends ElementKind = "float"> extends Layer<I, O> {
  /** The sub-layers, by name (their params and state live under the same names). */
  readonly layers: Readonly<Record<string, AnyLayer>>;
  /**
   * `applyWith(args, x, overrides)` is `[y, state, outputs]`: `apply(args, x)`
   * with the sub-layers named in `overrides` replaced. `run(name, h)` calls
   * `overrides[name]({ ...args, params, state }, h)`, with that sub-layer's
   * params and state, instead of its `apply`, and uses the first result as
   * the sub-layer's output; the sub-layer's state is returned unchanged, and
   * the second result is returned in `outputs[name]` (the last one, when
   * `run` calls it several times), alive like `y`. A transformer block, for
   * instance, decodes with a KV cache by overriding its attention with a
   * function returning `[output, extendedCache]`. Keys are drawn exactly as
   * by `apply`.
   * @throws InvalidArgumentError as `apply`, or when an override names no
   * sub-layer, is not a function, or returns something other than `[tensor, tree]`.
   */
  applyWith(args: ApplyArgs, x: Tensor, overrides: Readonly<Record<string, NamedOverride>>): [Tensor, Ptree, Record<string, Ptree>];
}

/**
 * `named(layers, forward, { name? })` is a layer made of the sub-layers
 * `layers` (an object of layers: its keys name them) wired together by
 * `forward(run, x, args)`, which calls sub-layer `name` on a tensor `h` as
 * `run(name, h)`, any number of times, in any order, around any other
 * computation (residual connections, gating, ...).
 *
 * Params and state are objects keyed by the same names, each entry the
 * sub-layer's own tree, so a checkpoint key reads `"attn.q_proj"`. For
 * `init` and for each forward pass, one key is drawn from the enclosing
 * scope and sub-layer `i` (in the order of `layers`' keys) runs in its own
 * scope keyed by `i` (`Rng.subKeys`; every call of sub-layer `i` in one pass
 * runs under that key), so adding a sub-layer at the end never
 * changes its siblings' draws; `forward` itself runs in the enclosing scope
 * (after that draw). The pass returns `[y, state]`, with the new state of
 * each sub-layer `run` called (threaded through repeated calls of one
 * sub-layer; the others keep theirs), and releases every other tensor it
 * created. `name` defaults to `"Layer.named"`.
 *
 * ```ts
 * const residualMlp = Layer.named(
 *   { norm: Layer.rmsNorm({ dim: 8 }), mlp: Layer.linear({ inFeatures: 8, outFeatures: 8 }) },
 *   (run, x) => nx.add(x, run("mlp", run("norm", x))),
 * );
 * ```
 * @throws InvalidArgumentError when `layers` is not an object of layers,
 * `forward` is not a function or `name` is not a non-empty string; when
 * applied, when params or state is not an object holding every sub-layer's
 * name, `run` is called with an unknown name, a sub-layer returns something
 * other than `[tensor, state]` or `forward` returns something other than a tensor.
 */
export function named<I extends ElementKind = "float", O extends ElementKind = "float">(
  layers: Readonly<Record<string, AnyLayer>>,
  forward: NamedForward,
  options: NamedOptions = {},
): NamedLayer<I, O> {
  const given = optionalOptions("Layer.named", options, ["name"]).name;
  if (given !== undefined && (typeof given !== "string" || given.length === 0)) throw fail("Layer.named", `name must be a non-empty string, got ${describe(given)}`);
  const fn = given ?? "Layer.named";
  checkOptions(fn, layers, "layers { name: layer, ... }");
  const names = Object.keys(layers);
  const subs = new Map(names.map((n) => [n, checkLayer(fn, layers[n], `layers.${n}`)]));
  checkFunction(fn, "forward", forward);

  const pass = (args: ApplyArgs, x: Tensor, overrides: Readonly<Record<string, NamedOverride>>): [Tensor, Ptree, Record<string, Ptree>] => {
    const subArgs = new Map(names.map((n) => [n, { ...args, params: field(fn, args.params, n, "params"), state: field(fn, args.state, n, "state") }]));
    for (const [n, o] of Object.entries(overrides)) {
      if (!subs.has(n)) throw fail(fn, `overrides name no sub-layer: ${fmtValue(n)} (sub-layers: ${names.map(fmtValue).join(", ")})`);
      checkFunction(fn, `overrides.${n}`, o);
    }
    const keys = subKeys(names.length);
    return tidy(() => {
      const states: Record<string, Ptree> = {};
      const outputs: Record<string, Ptree> = {};
      for (const [n, a] of subArgs) states[n] = a.state;
      const run: NamedRun = (n, h) => {
        const layer = subs.get(n);
        const a = subArgs.get(n);
        if (layer === undefined || a === undefined) throw fail(fn, `no sub-layer named ${typeof n === "string" ? fmtValue(n) : describe(n)} (sub-layers: ${names.map(fmtValue).join(", ")})`);
        const key = keys[names.indexOf(n)] as Key;
        const override = overrides[n];
        if (override !== undefined) {
          const [y, out] = checkResult(fn, withKey(key, () => override(a, h)));
          outputs[n] = out;
          return y;
        }
        const [y, s] = checkResult(fn, withKey(key, () => layer.apply(a, h)));
        states[n] = s;
        subArgs.set(n, { ...a, state: s }); // a second call of the same sub-layer sees its new state
        return y;
      };
      const y = forward(run, x, args);
      if (!isTensor(y)) throw fail(fn, `forward must return a tensor, got ${describe(y)}`);
      return [y, states, outputs];
    });
  };

  return {
    layers,
    init: ({ dtype }) => {
      const keys = subKeys(names.length);
      // When a sub-layer's init throws, the parameters its siblings made are disposed.
      return tidy(() => {
        const params: Record<string, Ptree> = {};
        const state: Record<string, Ptree> = {};
        names.forEach((n, i) => {
          const vars = withKey(keys[i] as Key, () => (subs.get(n) as AnyLayer).init({ dtype }));
          params[n] = vars.params;
          state[n] = vars.state;
        });
        return { params, state, dtype };
      });
    },
    apply: (args, x) => {
      const [y, state] = pass(args, x, {});
      return [y, state];
    },
    applyWith: (args, x, overrides) => pass(args, x, checkOptions(fn, overrides, "overrides { name: (args, x) => y }")),
  };
}
