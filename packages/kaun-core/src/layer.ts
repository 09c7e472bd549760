/**
 * `Layer`: Kaun's model of a neural network. A layer is a plain object
 * `{ init, apply }`: `init({ dtype })` creates its variables
 * (`{ params, state, dtype }`), and `apply({ params, state, dtype, training, ctx }, x)`
 * is the forward pass, returning the output and the new state. Layers
 * compose with {@link compose} and {@link sequential}.
 *
 * The type parameters say what element kind a layer consumes and produces
 * (`"float"` or `"int32"`), so that, for instance, an `embedding` (int32 in,
 * float out) can start a `compose` but not sit inside a `sequential` of float
 * layers. They exist only for the type checker.
 */
import type { FloatDType, Tensor } from "@raven-ts/nx";
import { isTensor, tidy } from "@raven-ts/nx";
import { checkCtx, type Context } from "./context.js";
import { field } from "./layers/params.js";
import type { Ptree } from "./ptree.js";
import type { Key } from "./rng.js";
import { subKeys, withKey } from "./rng.js";
import { checkFloatDType, checkOptions, describe, fail, isRecord, optionalOptions } from "./util.js";

/** The element kinds a layer consumes or produces. */
export type ElementKind = "float" | "int32";

declare const inputKind: unique symbol;
declare const outputKind: unique symbol;

/** A model's variables: trainable `params`, non-trainable `state` (such as running statistics), and the float `dtype` of both. */
export interface Vars {
  /** The trainable parameters, updated by optimizers. */
  readonly params: Ptree;
  /** The non-trainable state, threaded through forward passes. */
  readonly state: Ptree;
  /** The model's float dtype: every float parameter has it, and float layers require inputs of it. */
  readonly dtype: FloatDType;
}

/** The argument of `Layer.init`. */
export interface InitOptions {
  /** The float dtype of the parameters. */
  readonly dtype: FloatDType;
}

/** The first argument of a layer's `apply`. */
export interface ApplyArgs {
  /** The layer's parameters, as its `init` made them (or trained). */
  readonly params: Ptree;
  /** The layer's state. */
  readonly state: Ptree;
  /** The model's float dtype. */
  readonly dtype: FloatDType;
  /** Whether this is a training pass (dropout active, statistics updated). */
  readonly training: boolean;
  /** Per-call auxiliary tensors (attention masks, ...); may be absent. */
  readonly ctx?: Context | undefined;
}

/**
 * A layer consuming `I` tensors and producing `O` tensors (element kinds).
 * `init({ dtype })` returns fresh variables, drawing random keys from the
 * implicit `Rng` scope; `apply(args, x)` returns `[y, newState]`.
 */
export interface Layer<I extends ElementKind = "float", O extends ElementKind = "float"> {
  /** `init({ dtype })` is fresh variables for this layer. */
  readonly init: (options: InitOptions) => Vars;
  /** `apply({ params, state, dtype, training, ctx }, x)` is `[y, newState]`. */
  readonly apply: (args: ApplyArgs, x: Tensor) => [Tensor, Ptree];
  /** Type-level only: the element kind consumed. */
  readonly [inputKind]?: I;
  /** Type-level only: the element kind produced. */
  readonly [outputKind]?: O;
}

/** `checkLayer(fn, layer, name?)` returns `layer` when it is an object with `init` and `apply` functions. Internal. */
export function checkLayer(fn: string, layer: unknown, name = "layer"): Layer<ElementKind, ElementKind> {
  if (typeof layer !== "object" || layer === null || typeof (layer as Layer).init !== "function" || typeof (layer as Layer).apply !== "function") {
    throw fail(fn, `${name} must be an object with init and apply functions, got ${describe(layer)}`);
  }
  return layer as Layer<ElementKind, ElementKind>;
}

/** `checkVars(fn, vars, what)` returns `vars` when it is `{ params, state, dtype }` with a float dtype. Internal. */
export function checkVars(fn: string, vars: unknown, what: string): Vars {
  if (!isRecord(vars) || !("params" in vars) || !("state" in vars) || !("dtype" in vars)) {
    throw fail(fn, `${what} must be an object { params, state, dtype }, got ${describe(vars)}`);
  }
  checkFloatDType(fn, vars.dtype);
  return vars as unknown as Vars;
}

/** `checkResult(fn, out)` returns `out` when it is what a layer's `apply` returns, `[tensor, state]`. Internal. */
export function checkResult(fn: string, out: unknown): [Tensor, Ptree] {
  if (!Array.isArray(out) || out.length !== 2 || !isTensor(out[0])) throw fail(fn, `a layer's apply must return [output tensor, new state], got ${describe(out)}`);
  return out as [Tensor, Ptree];
}

/** Options of {@link init}. */
export interface InitHelperOptions {
  /** The float dtype of the parameters; defaults to `"float32"`. */
  readonly dtype?: FloatDType;
}

/**
 * `init(layer, { dtype? })` is `layer.init({ dtype })`: the layer's fresh
 * variables, with random keys drawn from the implicit `Rng` scope (wrap the
 * call in `Rng.run(seed, ...)` for reproducible weights). `dtype` defaults
 * to `"float32"`.
 * @throws InvalidArgumentError when `layer` is not a layer, `dtype` is not
 * float32 or float64, `options` is not an object, or the layer returns
 * something other than variables of that dtype.
 */
export function init<I extends ElementKind, O extends ElementKind>(layer: Layer<I, O>, options: InitHelperOptions = {}): Vars {
  const fn = "Layer.init";
  const l = checkLayer(fn, layer);
  const dtype = checkFloatDType(fn, optionalOptions(fn, options, ["dtype"]).dtype ?? "float32");
  // A layer whose init throws part-way leaves nothing allocated.
  const vars = checkVars(fn, tidy(() => l.init({ dtype })), "the layer's init result");
  if (vars.dtype !== dtype) throw fail(fn, `the layer's init returned dtype ${vars.dtype}, asked for ${dtype}`);
  return vars;
}

/** Options of {@link apply}. */
export interface ApplyOptions {
  /** Whether this is a training pass (dropout active). */
  readonly training: boolean;
  /** Per-call auxiliary tensors; defaults to none. */
  readonly ctx?: Context;
}

/**
 * `apply(layer, vars, x, { training, ctx? })` is the forward pass
 * `[y, newVars]`: `y` is the output and `newVars` is `vars` with the state
 * the pass returned (params and dtype unchanged). Random keys (dropout) come
 * from the implicit `Rng` scope. `ctx` defaults to none. The tensors the
 * pass creates besides `y` and the new state are released before it returns
 * (as every built-in layer's own `apply` does), so a loop of `apply` calls
 * holds only what the caller keeps.
 * @throws InvalidArgumentError when `layer` is not a layer, `vars` is not
 * `{ params, state, dtype }`, `training` is not a boolean, `ctx` is not a
 * `Context`, or the layer rejects `x` (for example a float layer given an
 * input whose dtype differs from `vars.dtype`).
 */
export function apply<I extends ElementKind, O extends ElementKind>(layer: Layer<I, O>, vars: Vars, x: Tensor, options: ApplyOptions): [Tensor, Vars] {
  const fn = "Layer.apply";
  const l = checkLayer(fn, layer);
  const v = checkVars(fn, vars, "vars");
  const training = checkOptions(fn, options, "{ training, ctx? }", ["training", "ctx"]).training;
  if (typeof training !== "boolean") throw fail(fn, `training must be a boolean, got ${describe(training)}`);
  checkCtx(fn, options.ctx);
  return tidy(() => {
    const [y, state] = checkResult(fn, l.apply({ params: v.params, state: v.state, dtype: v.dtype, training, ctx: options.ctx }, x));
    return [y, { params: v.params, state, dtype: v.dtype }];
  });
}

/**
 * `compose(left, right)` applies `left`, then `right` to its output. Its
 * params and state are `{ left, right }`, each the sub-layer's own tree.
 * For `init` and for each forward pass, one key is drawn from the enclosing
 * scope and each sub-layer runs in its own scope keyed by its position
 * (`Rng.subKeys`), so the two sub-layers' random draws are independent.
 * @throws InvalidArgumentError when `left` or `right` is not a layer; when applied, when params or state is not `{ left, right }`.
 */
export function compose<A extends ElementKind, B extends ElementKind, C extends ElementKind>(left: Layer<A, B>, right: Layer<NoInfer<B>, C>): Layer<A, C> {
  const fn = "Layer.compose";
  const l = checkLayer(fn, left, "left");
  const r = checkLayer(fn, right, "right");
  return {
    init: ({ dtype }) => {
      const [k0, k1] = subKeys(2) as [Key, Key];
      // When the right layer's init throws, the left one's parameters are disposed.
      return tidy(() => {
        const lv = withKey(k0, () => l.init({ dtype }));
        const rv = withKey(k1, () => r.init({ dtype }));
        return { params: { left: lv.params, right: rv.params }, state: { left: lv.state, right: rv.state }, dtype };
      });
    },
    apply: (args, x) => {
      const sub = (key: "left" | "right"): ApplyArgs => ({
        ...args,
        params: field(fn, args.params, key, "params"),
        state: field(fn, args.state, key, "state"),
      });
      const [left, right] = [sub("left"), sub("right")];
      const [k0, k1] = subKeys(2) as [Key, Key];
      return tidy(() => {
        const [h, ls] = checkResult(fn, withKey(k0, () => l.apply(left, x)));
        const [y, rs] = checkResult(fn, withKey(k1, () => r.apply(right, h)));
        return [y, { left: ls, right: rs }];
      });
    },
  };
}

/**
 * `sequential(layers)` applies `layers` in order (float in, float out). Its
 * params and state are arrays with one entry per layer. As in {@link compose},
 * sub-layer `i` runs in its own key scope keyed by `i`, for `init` and for
 * each forward pass, so appending a layer leaves the others' draws unchanged.
 * An empty list is the identity.
 * @throws InvalidArgumentError when `layers` is not an array of layers; when
 * applied, when params or state is not an array of `layers.length` entries.
 */
export function sequential(layers: readonly Layer[]): Layer {
  const fn = "Layer.sequential";
  if (!Array.isArray(layers)) throw fail(fn, `layers must be an array of layers, got ${describe(layers)}`);
  const ls = layers.map((l, i) => checkLayer(fn, l, `layers[${i}]`));
  const n = ls.length;
  const list = (tree: Ptree, what: string): readonly Ptree[] => {
    if (!Array.isArray(tree) || tree.length !== n) throw fail(fn, `${what} must be an array of ${n} entries (one per layer), got ${describe(tree)}`);
    return tree as readonly Ptree[];
  };
  return {
    init: ({ dtype }) => {
      const keys = subKeys(n);
      // When a layer's init throws, the earlier layers' parameters are disposed.
      return tidy(() => {
        const vars = ls.map((l, i) => withKey(keys[i] as Key, () => l.init({ dtype })));
        return { params: vars.map((v) => v.params), state: vars.map((v) => v.state), dtype };
      });
    },
    apply: (args, x) => {
      const params = list(args.params, "params");
      const state = list(args.state, "state");
      const keys = subKeys(n);
      return tidy(() => {
        let h = x;
        const states: Ptree[] = [];
        ls.forEach((l, i) => {
          const [y, s] = checkResult(fn, withKey(keys[i] as Key, () => l.apply({ ...args, params: params[i], state: state[i] }, h)));
          h = y;
          states.push(s);
        });
        return [h, states];
      });
    },
  };
}
