/**
 * Pytrees: nested arrays and plain objects whose leaves are (usually)
 * tensors, such as a model's parameters `{ layer: [{ w, b }], head: { w } }`.
 *
 * A value is a **node** when it is an array (`Array.isArray`) or a plain
 * object (its prototype is `Object.prototype` or `null`); a node's children
 * are its elements, or its own enumerable string keys in `Object.keys` order
 * (insertion order, integer-like keys first, as JS defines it). `null` and
 * `undefined` are **empty subtrees**: they have no leaves and are kept as
 * they are in the structure. Every other value is a **leaf**: tensors
 * (`instanceof Tensor`, never traversed), numbers, strings, typed arrays,
 * class instances, functions.
 *
 * A leaf's **path** is the dotted list of keys and array indices leading to it
 * from the root: `"layer.0.w"`; the root itself has the path `""`.
 *
 * Trees may nest at most {@link MAX_TREE_DEPTH} containers deep and must not
 * contain cycles; every function here rejects such a tree with an
 * `InvalidArgumentError` instead of overflowing the stack.
 */
import { InvalidArgumentError, fmtValue } from "./errors.js";
import { checkFunction } from "./options.js";

/** The most containers a pytree may nest (model parameter trees nest a handful). */
export const MAX_TREE_DEPTH = 1000;
import { Tensor } from "./tensor.js";

/** A pytree with leaves of type `T` (by default tensors): a leaf, an empty subtree, or an array or plain object of subtrees. */
export type Tree<T = Tensor> = T | null | undefined | readonly Tree<T>[] | { readonly [key: string]: Tree<T> };

/**
 * The structure of a pytree without its leaves, as {@link flatten} returns
 * it: `leaf` marks a leaf's position, `empty` a `null`/`undefined` subtree.
 * Rebuild a tree with {@link unflatten}.
 */
export type TreeDef =
  | { readonly kind: "leaf" }
  | { readonly kind: "empty"; readonly value: null | undefined }
  | { readonly kind: "array"; readonly children: readonly TreeDef[] }
  | { readonly kind: "object"; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

type Node =
  | { readonly kind: "leaf" }
  | { readonly kind: "empty" }
  | { readonly kind: "array"; readonly items: readonly unknown[] }
  | { readonly kind: "object"; readonly obj: Readonly<Record<string, unknown>>; readonly keys: readonly string[] };

function isPlainObject(v: unknown): v is Readonly<Record<string, unknown>> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function classify(v: unknown): Node {
  if (v instanceof Tensor) return { kind: "leaf" };
  if (v === null || v === undefined) return { kind: "empty" };
  if (Array.isArray(v)) return { kind: "array", items: v as readonly unknown[] };
  if (isPlainObject(v)) return { kind: "object", obj: v, keys: Object.keys(v) };
  return { kind: "leaf" };
}

function childPath(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

function describe(path: string): string {
  return path === "" ? "the root" : fmtValue(path);
}

/** Tracks the containers on the current descent, to reject cycles and excessive depth instead of overflowing the stack. */
class Ancestors {
  readonly #open = new Set<object>();

  constructor(readonly fn: string) {}

  enter(v: object, path: string): void {
    if (this.#open.has(v)) throw new InvalidArgumentError(this.fn, `the tree contains a cycle at ${describe(path)}`);
    if (this.#open.size >= MAX_TREE_DEPTH) throw new InvalidArgumentError(this.fn, `the tree nests more than ${MAX_TREE_DEPTH} containers deep`);
    this.#open.add(v);
  }

  leave(v: object): void {
    this.#open.delete(v);
  }
}

/** Calls `visit(leaf, path)` for every leaf, in order (depth first, arrays by index, objects by key). */
function walk(fn: string, tree: unknown, visit: (leaf: unknown, path: string) => void): void {
  const seen = new Ancestors(fn);
  const go = (v: unknown, path: string): void => {
    const node = classify(v);
    switch (node.kind) {
      case "leaf":
        visit(v, path);
        return;
      case "empty":
        return;
      case "array":
        seen.enter(node.items, path);
        node.items.forEach((c, i) => go(c, childPath(path, i)));
        seen.leave(node.items);
        return;
      case "object":
        seen.enter(node.obj, path);
        for (const k of node.keys) go(node.obj[k], childPath(path, k));
        seen.leave(node.obj);
        return;
    }
  };
  go(tree, "");
}

/**
 * `leaves(tree)` is the leaves of `tree` in order: depth first, array
 * elements by index, object values by key order. Empty subtrees contribute
 * nothing; a lone leaf gives `[tree]`.
 * @throws InvalidArgumentError when the tree contains a cycle.
 */
export function leaves<T>(tree: Tree<T>): T[] {
  return leavesOf("nx.tree.leaves", tree);
}

/** {@link leaves}, reporting errors under the name `fn`. Internal. */
export function leavesOf<T>(fn: string, tree: Tree<T>): T[] {
  const out: T[] = [];
  walk(fn, tree, (leaf) => out.push(leaf as T));
  return out;
}

/**
 * `flattenWithPaths(tree)` is the `[path, leaf]` pairs of `tree` in the order of
 * {@link leaves}, with dotted paths such as `"layer.0.w"` (`""` for a root leaf).
 * @throws InvalidArgumentError when the tree contains a cycle.
 */
export function flattenWithPaths<T>(tree: Tree<T>): [string, T][] {
  const out: [string, T][] = [];
  walk("nx.tree.flattenWithPaths", tree, (leaf, path) => out.push([path, leaf as T]));
  return out;
}

/**
 * `flatten(tree)` is `[leaves(tree), treedef]`, where `treedef` records the
 * structure (containers, object keys, empty subtrees) so that
 * `unflatten(treedef, leaves)` rebuilds an equal tree.
 * @throws InvalidArgumentError when the tree contains a cycle.
 */
export function flatten<T>(tree: Tree<T>): [T[], TreeDef] {
  const fn = "nx.tree.flatten";
  const out: T[] = [];
  const seen = new Ancestors(fn);
  const go = (v: unknown, path: string): TreeDef => {
    const node = classify(v);
    switch (node.kind) {
      case "leaf":
        out.push(v as T);
        return LEAF;
      case "empty":
        return Object.freeze({ kind: "empty", value: v as null | undefined });
      case "array": {
        seen.enter(node.items, path);
        const children = Object.freeze(node.items.map((c, i) => go(c, childPath(path, i))));
        seen.leave(node.items);
        return Object.freeze({ kind: "array", children });
      }
      case "object": {
        seen.enter(node.obj, path);
        const children = Object.freeze(node.keys.map((k) => go(node.obj[k], childPath(path, k))));
        seen.leave(node.obj);
        return Object.freeze({ kind: "object", keys: Object.freeze([...node.keys]), children });
      }
    }
  };
  const def = go(tree, "");
  return [out, def];
}

const LEAF: TreeDef = Object.freeze({ kind: "leaf" });

/**
 * `countLeaves(fn, def)` is the number of leaf positions of `def`, after
 * checking that it is a treedef as {@link flatten} makes them (at most
 * {@link MAX_TREE_DEPTH} deep).
 * @throws InvalidArgumentError naming `fn` and the first malformed node otherwise.
 */
function countLeaves(fn: string, def: unknown): number {
  const bad = (path: string, v: unknown): InvalidArgumentError =>
    new InvalidArgumentError(fn, `treedef must be a structure made by nx.tree.flatten; at ${describe(path)} got ${fmtValue(v)}`);
  const go = (d: unknown, path: string, depth: number): number => {
    if (typeof d !== "object" || d === null) throw bad(path, d);
    if (depth > MAX_TREE_DEPTH) throw new InvalidArgumentError(fn, `the treedef nests more than ${MAX_TREE_DEPTH} containers deep`);
    const node = d as Partial<{ kind: unknown; value: unknown; keys: unknown; children: unknown }>;
    switch (node.kind) {
      case "leaf":
        return 1;
      case "empty":
        if (node.value !== null && node.value !== undefined) throw bad(path, d);
        return 0;
      case "array":
      case "object": {
        const children = node.children;
        if (!Array.isArray(children)) throw bad(path, d);
        if (node.kind === "object") {
          const keys = node.keys;
          if (!Array.isArray(keys) || keys.length !== children.length || !keys.every((k) => typeof k === "string")) throw bad(path, d);
        }
        let n = 0;
        for (let i = 0; i < children.length; i++) {
          const key = node.kind === "object" ? (node.keys as string[])[i] as string : i;
          n += go(children[i], childPath(path, key), depth + 1);
        }
        return n;
      }
      default:
        throw bad(path, d);
    }
  };
  return go(def, "", 0);
}

/**
 * `unflatten(treedef, leaves)` is the tree of structure `treedef` (from
 * {@link flatten}) with `leaves` placed at its leaf positions in order. The
 * containers are new arrays and plain objects.
 * @throws InvalidArgumentError when `treedef` is not a structure `flatten`
 * makes, `leaves` is not an array, or its length differs from the number of
 * leaf positions in `treedef`.
 */
export function unflatten<T>(treedef: TreeDef, leaves: readonly T[]): Tree<T> {
  const fn = "nx.tree.unflatten";
  const expected = countLeaves(fn, treedef);
  if (!Array.isArray(leaves)) throw new InvalidArgumentError(fn, `leaves must be an array, got ${fmtValue(leaves)}`);
  if (leaves.length !== expected) throw new InvalidArgumentError(fn, `the treedef has ${expected} leaves but ${leaves.length} were given`);
  let next = 0;
  const build = (def: TreeDef): Tree<T> => {
    switch (def.kind) {
      case "leaf":
        return leaves[next++] as T;
      case "empty":
        return def.value;
      case "array":
        return def.children.map(build);
      case "object": {
        const obj: Record<string, Tree<T>> = {};
        def.keys.forEach((k, i) => {
          obj[k] = build(def.children[i] as TreeDef);
        });
        return obj;
      }
    }
  };
  return build(treedef);
}

/**
 * `map(f, tree)` is a tree of the same structure whose leaves are
 * `f(leaf, path)` (called in the order of {@link leaves}); empty subtrees are
 * kept, and the containers are new arrays and plain objects.
 * @throws InvalidArgumentError when the tree contains a cycle; whatever `f` throws propagates.
 */
export function map<T, U>(f: (leaf: T, path: string) => U, tree: Tree<T>): Tree<U> {
  const fn = "nx.tree.map";
  checkFunction(fn, "f", f);
  const seen = new Ancestors(fn);
  const go = (v: unknown, path: string): Tree<U> => {
    const node = classify(v);
    switch (node.kind) {
      case "leaf":
        return f(v as T, path);
      case "empty":
        return v as null | undefined;
      case "array": {
        seen.enter(node.items, path);
        const out = node.items.map((c, i) => go(c, childPath(path, i)));
        seen.leave(node.items);
        return out;
      }
      case "object": {
        seen.enter(node.obj, path);
        const out: Record<string, Tree<U>> = {};
        for (const k of node.keys) out[k] = go(node.obj[k], childPath(path, k));
        seen.leave(node.obj);
        return out;
      }
    }
  };
  return go(tree, "");
}

function kindOf(node: Node, v: unknown): string {
  switch (node.kind) {
    case "leaf":
      return "a leaf";
    case "empty":
      return v === null ? "null" : "undefined";
    case "array":
      return `an array of length ${node.items.length}`;
    case "object":
      return `an object with keys ${fmtValue(node.keys)}`;
  }
}

/**
 * `map2(f, a, b)` is a tree of `a`'s structure whose leaves are
 * `f(leafA, leafB, path)` for the leaves at the same path of `a` and `b`
 * (called in the order of {@link leaves} of `a`). The structures must match:
 * arrays of equal length, objects with the same set of keys (the result
 * follows `a`'s key order), leaves against leaves, and empty subtrees
 * (`null` or `undefined`, interchangeably) against empty subtrees, which are
 * kept from `a`.
 * @throws InvalidArgumentError naming the first path where the structures differ, or when either tree contains a cycle; whatever `f` throws propagates.
 */
export function map2<A, B, U>(f: (a: A, b: B, path: string) => U, a: Tree<A>, b: Tree<B>): Tree<U> {
  const fn = "nx.tree.map2";
  checkFunction(fn, "f", f);
  const seenA = new Ancestors(fn);
  const seenB = new Ancestors(fn);
  const mismatch = (path: string, detail: string): InvalidArgumentError =>
    new InvalidArgumentError(fn, `tree structures differ at ${describe(path)}: ${detail}`);
  const go = (x: unknown, y: unknown, path: string): Tree<U> => {
    const nx = classify(x);
    const ny = classify(y);
    if (nx.kind !== ny.kind) throw mismatch(path, `a is ${kindOf(nx, x)}, b is ${kindOf(ny, y)}`);
    switch (nx.kind) {
      case "leaf":
        return f(x as A, y as B, path);
      case "empty":
        return x as null | undefined;
      case "array": {
        const ys = (ny as Extract<Node, { kind: "array" }>).items;
        if (nx.items.length !== ys.length) throw mismatch(path, `a is ${kindOf(nx, x)}, b is ${kindOf(ny, y)}`);
        seenA.enter(nx.items, path);
        seenB.enter(ys, path);
        const out = nx.items.map((c, i) => go(c, ys[i], childPath(path, i)));
        seenA.leave(nx.items);
        seenB.leave(ys);
        return out;
      }
      case "object": {
        const oy = ny as Extract<Node, { kind: "object" }>;
        const keysB = new Set(oy.keys);
        const onlyA = nx.keys.filter((k) => !keysB.has(k));
        const keysA = new Set(nx.keys);
        const onlyB = oy.keys.filter((k) => !keysA.has(k));
        if (onlyA.length > 0 || onlyB.length > 0) {
          const parts: string[] = [];
          if (onlyA.length > 0) parts.push(`keys only in a: ${fmtValue(onlyA)}`);
          if (onlyB.length > 0) parts.push(`keys only in b: ${fmtValue(onlyB)}`);
          throw mismatch(path, parts.join("; "));
        }
        seenA.enter(nx.obj, path);
        seenB.enter(oy.obj, path);
        const out: Record<string, Tree<U>> = {};
        for (const k of nx.keys) out[k] = go(nx.obj[k], oy.obj[k], childPath(path, k));
        seenA.leave(nx.obj);
        seenB.leave(oy.obj);
        return out;
      }
    }
  };
  return go(a, b, "");
}
