/** Internal: composite layers whose sub-layers are stored under names, each with its own key scope. */
import { InvalidArgumentError, isTensor } from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { Rng, type Layer, type Ptree } from "@raven-ts/kaun-core";

type AnyLayer = Layer<"float" | "int32", "float" | "int32">;

/** `field(fn, tree, name)` is `tree[name]`. @throws InvalidArgumentError naming `fn` when `tree` is not an object holding `name`. */
export function field(fn: string, tree: Ptree, name: string): Ptree {
  if (typeof tree !== "object" || tree === null || isTensor(tree) || !Object.prototype.hasOwnProperty.call(tree, name)) {
    throw new InvalidArgumentError(fn, `expected an object with key ${JSON.stringify(name)}`);
  }
  return (tree as { readonly [k: string]: Ptree })[name];
}

/**
 * `initNamed(layers, dtype)` initializes each named sub-layer in its own key
 * scope (`Rng.subKeys`, in the order of `layers`), so adding a sub-layer
 * never changes its siblings' draws; params and state are keyed by name.
 */
export function initNamed(layers: Readonly<Record<string, AnyLayer>>, dtype: "float32" | "float64"): { params: Record<string, Ptree>; state: Record<string, Ptree> } {
  const names = Object.keys(layers);
  const keys = Rng.subKeys(names.length);
  const params: Record<string, Ptree> = {};
  const state: Record<string, Ptree> = {};
  names.forEach((name, i) => {
    const vars = Rng.withKey(keys[i] as Rng.Key, () => (layers[name] as AnyLayer).init({ dtype }));
    params[name] = vars.params;
    state[name] = vars.state;
  });
  return { params, state };
}

/** A forward-pass runner: `run(name, x)` applies the named sub-layer in its own key scope. */
export type NamedRunner = (name: string, x: Tensor) => Tensor;

/**
 * `namedRunner(fn, layers, args)` draws one key per named sub-layer (as
 * {@link initNamed} does) and returns a function that applies a sub-layer
 * by name with its params and state under its own key; the pass's new states
 * are collected into `states`.
 */
export function namedRunner(
  fn: string,
  layers: Readonly<Record<string, AnyLayer>>,
  args: Parameters<AnyLayer["apply"]>[0],
): { run: NamedRunner; keyOf: (name: string) => Rng.Key; states: Record<string, Ptree> } {
  const names = Object.keys(layers);
  const keys = Rng.subKeys(names.length);
  const states: Record<string, Ptree> = {};
  const keyOf = (name: string): Rng.Key => keys[names.indexOf(name)] as Rng.Key;
  const run: NamedRunner = (name, x) => {
    const layer = layers[name] as AnyLayer;
    const sub = { ...args, params: field(fn, args.params, name), state: field(fn, args.state, name) };
    const [y, s] = Rng.withKey(keyOf(name), () => layer.apply(sub, x));
    states[name] = s;
    return y;
  };
  return { run, keyOf, states };
}
