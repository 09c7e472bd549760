/**
 * `Context`: per-call auxiliary tensors for a forward pass (attention masks,
 * position ids, encoder memory), passed as `ctx` to `Layer.apply`. Most
 * layers ignore it; the layers that need one read it by a well-known name
 * (such as `"attention_mask"`).
 *
 * ```ts
 * const ctx = Context.empty.set("attention_mask", mask);
 * Layer.apply(model, vars, x, { training: false, ctx });
 * ```
 */
import type { DType, FloatDType, Tensor } from "@raven-ts/nx";
import { fmtShape, fmtValue, isFloat, isTensor } from "@raven-ts/nx";
import { describe, fail } from "./util.js";

/** An immutable map from names to tensors. Build one from {@link Context.empty} with {@link Context.set}. */
export class Context {
  /** The context with no entries. */
  static readonly empty: Context = new Context(new Map());

  readonly #entries: ReadonlyMap<string, Tensor>;

  private constructor(entries: ReadonlyMap<string, Tensor>) {
    this.#entries = entries;
    Object.freeze(this);
  }

  /**
   * `ctx.set(name, tensor)` is a new context with `name` bound to `tensor`,
   * replacing any previous binding of `name`; `ctx` itself is unchanged.
   * @throws InvalidArgumentError when `name` is not a non-empty string or `tensor` is not a tensor.
   */
  set(name: string, tensor: Tensor): Context {
    if (typeof name !== "string" || name.length === 0) throw fail("Context.set", `name must be a non-empty string, got ${describe(name)}`);
    if (!isTensor(tensor)) throw fail("Context.set", `the value for ${fmtValue(name)} must be a Tensor, got ${describe(tensor)}`);
    const next = new Map(this.#entries);
    next.set(name, tensor);
    return new Context(next);
  }

  /** `ctx.find(name)` is the tensor bound to `name`, or `undefined`. */
  find(name: string): Tensor | undefined {
    return this.#entries.get(name);
  }

  /** `ctx.has(name)` is true when `name` is bound. */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** `ctx.names()` is the bound names, in insertion order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** `ctx.size` is the number of bindings. */
  get size(): number {
    return this.#entries.size;
  }

  #get(fn: string, name: string, expected: string, ok: (d: DType) => boolean): Tensor {
    const t = this.#entries.get(name);
    if (t === undefined) {
      const names = this.names();
      throw fail(fn, `no tensor under key ${fmtValue(name)} (bound keys: ${names.length > 0 ? names.slice(0, 10).map(fmtValue).join(", ") + (names.length > 10 ? `, and ${names.length - 10} more` : "") : "none"})`);
    }
    if (!ok(t.dtype)) throw fail(fn, `key ${fmtValue(name)} holds a ${t.dtype} tensor ${fmtShape(t.shape)}, expected ${expected}`);
    return t;
  }

  /**
   * `ctx.getFloat(name, dtype?)` is the float tensor bound to `name`. When
   * `dtype` is given the tensor must have exactly that dtype; otherwise
   * either float32 or float64 is accepted.
   * @throws InvalidArgumentError when `name` is not bound, or is bound to a tensor of another dtype (the message names the key and the dtype found).
   */
  getFloat(name: string, dtype?: FloatDType): Tensor {
    return this.#get("Context.getFloat", name, dtype ?? "float32 or float64", (d) => (dtype === undefined ? isFloat(d) : d === dtype));
  }

  /** `ctx.getInt32(name)` is the int32 tensor bound to `name`. @throws InvalidArgumentError when `name` is not bound or its tensor is not int32 (the message names the key and the dtype found). */
  getInt32(name: string): Tensor {
    return this.#get("Context.getInt32", name, "int32", (d) => d === "int32");
  }

  /** `ctx.getBool(name)` is the bool tensor bound to `name`. @throws InvalidArgumentError when `name` is not bound or its tensor is not bool (the message names the key and the dtype found). */
  getBool(name: string): Tensor {
    return this.#get("Context.getBool", name, "bool", (d) => d === "bool");
  }

  /** `ctx.toString()` lists the bindings as `Context{name: dtype [shape], ...}`. */
  toString(): string {
    return `Context{${[...this.#entries].map(([k, t]) => `${k}: ${t.dtype} ${fmtShape(t.shape)}`).join(", ")}}`;
  }
}

/** `checkCtx(fn, ctx)` returns `ctx` when it is a {@link Context} or undefined. @throws InvalidArgumentError naming `kaun.<fn>` otherwise. */
export function checkCtx(fn: string, ctx: unknown): Context | undefined {
  if (ctx !== undefined && !(ctx instanceof Context)) throw fail(fn, `ctx must be a Context, got ${describe(ctx)}`);
  return ctx;
}
