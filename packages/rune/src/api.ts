/**
 * The public transformations: `grad`, `valueAndGrad`, `vjp` and `stopGradient`.
 */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { addTracer, isHeld } from "@raven-ts/nx/primitives";
import { Tape, untaped } from "./tape.js";

type TreeDef = ReturnType<typeof nx.tree.flatten>[1];

/** Options of {@link grad}. */
export interface GradOptions {
  /**
   * Whether `f` returns `[loss, aux]` instead of `loss`; defaults to false.
   * With it, `grad(f, { hasAux: true })(x)` returns `[grads, aux]`.
   */
  readonly hasAux?: boolean;
}

/** Options of {@link valueAndGrad}. */
export interface ValueAndGradOptions {
  /**
   * Whether `f` returns `[loss, aux]` instead of `loss`; defaults to false.
   * With it, the result is `[[loss, aux], grads]`; `aux` is passed through
   * undifferentiated (e.g. a layer's updated state).
   */
  readonly hasAux?: boolean;
}

/**
 * The pullback returned by {@link vjp}: `pullback(cotangent)` is the
 * vector-Jacobian product of `f` at `x` with `cotangent` (a pytree of the
 * structure of `y` and tensors of its leaves' shapes), a pytree of the
 * structure of `x`. It may be called any number of times.
 */
export interface Pullback<X, Y> {
  (cotangent: Y): X;
  /**
   * `dispose()` frees the intermediate tensors recorded during the forward
   * pass (not `y`, and no tensor created before `vjp` was called); the
   * pullback cannot be called afterwards. Idempotent.
   */
  dispose(): void;
}

function describeLeaf(path: string): string {
  return path === "" ? "x" : `leaf ${nx.fmtValue(path)}`;
}

function describeValue(v: unknown): string {
  return v instanceof nx.Tensor ? `a tensor of shape ${nx.fmtShape(v.shape)} and dtype ${v.dtype}` : nx.fmtValue(v);
}

/**
 * `asCaller(fn, what, body)` runs `body` (a pytree function of nx applied to
 * the caller's argument `what`) and reports its `InvalidArgumentError` (a
 * cycle, excessive depth, mismatched structures) under `fn`, the function the
 * user called.
 */
function asCaller<T>(fn: string, what: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    const m = e instanceof nx.InvalidArgumentError ? /^nx\.tree\.\w+: (.*)$/s.exec(e.message) : null;
    if (m) throw new nx.InvalidArgumentError(fn, `${what}: ${m[1] ?? ""}`);
    throw e;
  }
}

/** The float tensor leaves of `x` and its structure. @throws InvalidArgumentError naming the first leaf that is not a live float tensor, or a cycle or excessive depth in `x`. */
function inputLeaves(fn: string, x: unknown): [Tensor[], TreeDef] {
  const [leaves, def] = asCaller(fn, "x", () => nx.tree.flatten(x as nx.tree.Tree));
  const paths = nx.tree.flattenWithPaths(x as nx.tree.Tree);
  leaves.forEach((leaf: unknown, i) => {
    const where = describeLeaf(paths[i]?.[0] ?? "");
    if (!(leaf instanceof nx.Tensor)) throw new nx.InvalidArgumentError(fn, `${where} is ${describeValue(leaf)}; only float tensors are differentiable`);
    if (leaf.isDisposed) throw new nx.InvalidArgumentError(fn, `${where} was disposed`);
    if (!nx.isFloat(leaf.dtype)) throw new nx.InvalidArgumentError(fn, `${where} has dtype ${leaf.dtype}; only float leaves are differentiable`);
  });
  return [leaves, def];
}

/** `finish(grad, leaf)` is the gradient of `leaf` as returned to users: its dtype, C-contiguous, zeros when none arrived. */
function finish(grad: Tensor | undefined, leaf: Tensor): Tensor {
  if (grad === undefined) return nx.zerosLike(leaf);
  const typed = grad.dtype === leaf.dtype ? grad : nx.cast(grad, leaf.dtype);
  return typed.isContiguous ? typed : nx.contiguous(typed);
}

/**
 * Runs `f` on views of the input leaves with a tape installed and returns
 * what `f` returned, the tape, and the views (the tape's inputs).
 */
function record(x: readonly Tensor[], def: TreeDef, f: (x: never) => unknown): { out: unknown; tape: Tape; views: Tensor[] } {
  // Distinct views, so a tensor appearing twice in `x` gets two gradients and
  // uses of `x` outside `f` are never recorded.
  const views = x.map((t) => nx.reshape(t, t.shape));
  const tape = new Tape(views);
  const remove = addTracer(tape);
  let out: unknown;
  try {
    out = f(nx.tree.unflatten(def, views) as never);
  } catch (e) {
    remove();
    disposeRecorded(tape, views);
    throw e;
  }
  remove();
  return { out, tape, views };
}

/**
 * `disposeRecorded(tape, views)` disposes the tensors the tape recorded during
 * this call (those created after the first view; not the caller's), except
 * those another installed tape holds: the cleanup when `f` or a check throws,
 * since `nx.tidy` does not dispose its scope on an exception.
 */
function disposeRecorded(tape: Tape, views: readonly Tensor[]): void {
  const first = views[0]?.id ?? Number.POSITIVE_INFINITY;
  for (const t of tape.held()) if (t.id >= first && !isHeld(t)) t.dispose();
}

/** The loss `f` returned, checked. @throws InvalidArgumentError when it is not a one-element float tensor. */
function checkLoss(fn: string, loss: unknown): Tensor {
  const what = "f must return a scalar (one-element) float tensor";
  if (!(loss instanceof nx.Tensor)) throw new nx.InvalidArgumentError(fn, `${what}, got ${describeValue(loss)}`);
  if (loss.size !== 1 || !nx.isFloat(loss.dtype)) throw new nx.InvalidArgumentError(fn, `${what}, got shape ${nx.fmtShape(loss.shape)} and dtype ${loss.dtype}`);
  return loss;
}

function splitAux(fn: string, out: unknown, hasAux: boolean): [Tensor, unknown] {
  if (!hasAux) return [checkLoss(fn, out), undefined];
  if (!Array.isArray(out) || out.length !== 2) {
    throw new nx.InvalidArgumentError(fn, `with hasAux, f must return [loss, aux], got ${describeValue(out)}`);
  }
  return [checkLoss(fn, out[0]), out[1]];
}

function checkFunction(fn: string, f: unknown): void {
  if (typeof f !== "function") throw new nx.InvalidArgumentError(fn, `f must be a function, got ${describeValue(f)}`);
}

/**
 * The shared core of `grad` and `valueAndGrad`: `[f's result, grads]`, or
 * without `withValue`, what `grad` returns (`grads`, or `[grads, aux]`), so
 * the loss is disposed with the other intermediates.
 */
function differentiate(fn: string, f: (x: never) => unknown, x: unknown, hasAux: boolean, withValue: boolean): unknown {
  const [leaves, def] = inputLeaves(fn, x);
  return nx.tidy(() => {
    const { out, tape, views } = record(leaves, def, f);
    let loss: Tensor;
    let aux: unknown;
    try {
      [loss, aux] = splitAux(fn, out, hasAux);
    } catch (e) {
      disposeRecorded(tape, views);
      throw e;
    }
    // The backward pass runs no user code: a tensor it cannot allocate is reported under `fn`.
    const grads = nx.runOp(fn, () => {
      const cts = tape.backward([[loss, nx.onesLike(loss)]]);
      return nx.tree.unflatten(
        def,
        views.map((v) => finish(cts.get(v), v)),
      );
    });
    if (withValue) return [out, grads];
    return hasAux ? [grads, aux] : grads;
  });
}

/**
 * `grad(f)` is the function computing the gradient of `f` at `x`: `f` maps
 * `x` (a float tensor, or a pytree, i.e. nested arrays and plain objects, of
 * float tensors) to a scalar float tensor (one element, any rank), and
 * `grad(f)(x)` has the structure of `x` with, at each leaf, the gradient of
 * `f` with respect to that leaf (same shape and dtype, C-contiguous). Leaves
 * `f`'s result does not depend on get zeros. With `{ hasAux: true }`, `f`
 * returns `[loss, aux]` and `grad(f, { hasAux: true })(x)` returns
 * `[grads, aux]`.
 *
 * Every tensor created while `f` and the backward pass run is disposed
 * afterwards, except those returned (`aux`, the gradients). Calls nest:
 * `grad(grad(f))` is the second derivative. Gradients flow through nx
 * operations only: values read back to the host (`dataSync`) and tensors
 * built from them are constants.
 * @throws InvalidArgumentError when `f` is not a function or `options` not an
 * object with a boolean `hasAux`; when `x` contains a cycle, nests too deeply,
 * or a leaf of `x` is not a live float tensor (naming the leaf's dotted path, e.g.
 * `rune.grad: leaf "idx" has dtype int32; only float leaves are differentiable`);
 * when `f` returns anything but a one-element float tensor (or, with
 * `hasAux`, a `[loss, aux]` pair whose `loss` is one); when the backward pass
 * needs a tensor the backend cannot hold; whatever `f` throws propagates.
 */
// The hasAux overloads come first: TypeScript fixes the type of an annotated
// arrow at the first overload tried, and only a tuple context keeps `[loss, aux]` a tuple.
export function grad<X, A>(f: (x: X) => readonly [Tensor, A], options: { readonly hasAux: true }): (x: X) => [X, A];
export function grad<X>(f: (x: X) => Tensor, options?: { readonly hasAux?: false }): (x: X) => X;
export function grad<X>(f: (x: X) => unknown, options?: GradOptions): (x: X) => unknown {
  const fn = "rune.grad";
  checkFunction(fn, f);
  const hasAux = nx.checkBool(fn, "hasAux", nx.checkOptions(fn, options, ["hasAux"]).hasAux, false);
  return (x: X) => differentiate(fn, f as (x: never) => unknown, x, hasAux, false);
}

/**
 * `valueAndGrad(f)` is the function computing both `f(x)` and its gradient
 * (see {@link grad}): `valueAndGrad(f)(x)` is `[loss, grads]`. With
 * `{ hasAux: true }`, `f` returns `[loss, aux]` and the result is
 * `[[loss, aux], grads]`.
 * @throws InvalidArgumentError as {@link grad} (messages start with `rune.valueAndGrad`).
 */
export function valueAndGrad<X, A>(f: (x: X) => readonly [Tensor, A], options: { readonly hasAux: true }): (x: X) => [[Tensor, A], X];
export function valueAndGrad<X>(f: (x: X) => Tensor, options?: { readonly hasAux?: false }): (x: X) => [Tensor, X];
export function valueAndGrad<X>(f: (x: X) => unknown, options?: ValueAndGradOptions): (x: X) => unknown {
  const fn = "rune.valueAndGrad";
  checkFunction(fn, f);
  const hasAux = nx.checkBool(fn, "hasAux", nx.checkOptions(fn, options, ["hasAux"]).hasAux, false);
  return (x: X) => differentiate(fn, f as (x: never) => unknown, x, hasAux, true);
}

/**
 * `vjp(f, x)` is `[y, pullback]`: `y = f(x)` (any pytree; its float tensor
 * leaves are differentiable outputs) and `pullback(cotangent)` the
 * vector-Jacobian product: for `cotangent` of `y`'s structure (a tensor of
 * each leaf's shape; cast to the leaf's dtype), the gradient of
 * `sum_i <cotangent_i, y_i>` with respect to `x`, of `x`'s structure.
 * Cotangents at non-float or non-tensor leaves of `y` are ignored. The
 * intermediates of the forward pass stay alive until `pullback.dispose()`
 * (or until an enclosing `nx.tidy` ends); each pullback call disposes its
 * own intermediates.
 * @throws InvalidArgumentError when `f` is not a function or a leaf of `x`
 * is not a live float tensor (as {@link grad}); whatever `f` throws
 * propagates. The pullback throws InvalidArgumentError when the cotangent's
 * structure differs from `y`'s, a cotangent leaf at a float leaf of `y` is
 * not a tensor of that leaf's shape, or it was disposed.
 */
export function vjp<X, Y>(f: (x: X) => Y, x: X): [Y, Pullback<X, Y>] {
  const fn = "rune.vjp";
  checkFunction(fn, f);
  const [leaves, def] = inputLeaves(fn, x);
  const { y, held, views, tape } = nx.tidy(() => {
    const r = record(leaves, def, f as (x: never) => unknown);
    // The tape (a class instance) is a leaf tidy ignores; `held` keeps what it refers to alive.
    return { y: r.out, held: r.tape.held(), views: r.views, tape: r.tape };
  });
  const yLeaves = new Set(asCaller(fn, "y", () => nx.tree.leaves(y as nx.tree.Tree<unknown>)));
  const firstId = views[0]?.id ?? Number.POSITIVE_INFINITY;
  let disposed = false;

  const pullback = ((cotangent: Y): X => {
    if (disposed) throw new nx.InvalidArgumentError(fn, "the pullback was disposed");
    const pairs: [Tensor, Tensor][] = [];
    asCaller(fn, "the cotangent does not match y", () =>
      nx.tree.map2(
        (yl: unknown, c: unknown, path: string) => {
          if (!(yl instanceof nx.Tensor) || !nx.isFloat(yl.dtype)) return null;
          if (!(c instanceof nx.Tensor)) throw new nx.InvalidArgumentError(fn, `the cotangent at ${describeLeaf(path)} must be a tensor of shape ${nx.fmtShape(yl.shape)}, got ${describeValue(c)}`);
          if (!nx.shapesEqual(c.shape, yl.shape)) {
            throw new nx.InvalidArgumentError(fn, `the cotangent at ${describeLeaf(path)} has shape ${nx.fmtShape(c.shape)} but y there has shape ${nx.fmtShape(yl.shape)}`);
          }
          if (c.isDisposed) throw new nx.InvalidArgumentError(fn, `the cotangent at ${describeLeaf(path)} was disposed`);
          pairs.push([yl, c]);
          return null;
        },
        y as nx.tree.Tree<unknown>,
        cotangent as nx.tree.Tree<unknown>,
      ),
    );
    return nx.runOp(fn, () => {
      const seeds = pairs.map(([yl, c]) => [yl, c.dtype === yl.dtype ? c : nx.cast(c, yl.dtype)] as const);
      const cts = tape.backward(seeds);
      return nx.tree.unflatten(
        def,
        views.map((v) => finish(cts.get(v), v)),
      ) as X;
    });
  }) as Pullback<X, Y>;

  pullback.dispose = () => {
    if (disposed) return;
    disposed = true;
    for (const t of [...held, ...views]) if (t.id >= firstId && !yLeaves.has(t)) t.dispose();
  };
  return [y as Y, pullback];
}

/**
 * `stopGradient(x)` is `x` (a view of the same values) as a constant: no
 * gradient flows through it to whatever `x` was computed from. `x` may be a
 * tensor or a pytree of tensors; other leaves are returned as they are.
 * @throws InvalidArgumentError when a tensor leaf was disposed, or `x` contains a cycle or nests too deeply.
 */
export function stopGradient<T>(x: T): T {
  const fn = "rune.stopGradient";
  // Check the whole tree first, so a rejected call makes no view.
  for (const leaf of asCaller(fn, "x", () => nx.tree.leaves(x as nx.tree.Tree<unknown>))) {
    if (leaf instanceof nx.Tensor && leaf.isDisposed) throw new nx.InvalidArgumentError(fn, `tensor of shape ${nx.fmtShape(leaf.shape)} was disposed`);
  }
  return untaped(() => nx.tree.map((leaf: unknown) => (leaf instanceof nx.Tensor ? nx.reshape(leaf, leaf.shape) : leaf), x as nx.tree.Tree<unknown>) as T);
}
