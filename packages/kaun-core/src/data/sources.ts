/** The sources of `Data`: rows of tensors (`ofTensors`) and next-token windows of token ids (`textWindows`). */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import type { Ptree } from "../ptree.js";
import { tensorLeaves } from "../tree-args.js";
import { checkOptions, checkPositiveInt, checkSameDevice, checkTensor, describe, fail } from "../util.js";
import { fromTable, type Dataset, type Table } from "./dataset.js";

/**
 * `ofTensors(tree)` is the dataset of the rows of a tree of tensors: element
 * `i` is the tree with every leaf `x` replaced by `x[i]` (its axis 0
 * dropped), so `ofTensors({ x: [n, 784], y: [n] })` yields `{ x: [784], y: [] }`
 * and, batched, `{ x: [b, 784], y: [b] }`. Elements are views or gathers of
 * the given tensors, on their backend; the tensors stay yours and must stay
 * live while the dataset is iterated (the dataset never disposes them).
 * @throws InvalidArgumentError when `tree` holds no tensor, a leaf is not a
 * live tensor of rank ≥ 1, the leaves' axis-0 lengths differ, or they live
 * on different backends (the tree may not have cycles); during iteration,
 * naming `kaun.Data.ofTensors`, when one of them was disposed since.
 */
export function ofTensors<T extends Ptree>(tree: T): Dataset<T> {
  const fn = "Data.ofTensors";
  const pairs = tensorLeaves(fn, tree);
  if (pairs.length === 0) throw fail(fn, `tree must hold at least one tensor, got ${describe(tree)}`);
  const name = (path: string): string => (path === "" ? "the tensor" : `the tensor at ${describe(path)}`);
  let size = -1;
  for (const [path, t] of pairs) {
    checkTensor(fn, name(path), t);
    if (t.ndim === 0) throw fail(fn, `${name(path)} is a scalar; every leaf needs an axis 0 to slice along`);
    const n = t.shape[0] as number;
    if (size < 0) size = n;
    else if (n !== size) throw fail(fn, `${name(path)} ${nx.fmtShape(t.shape)} has ${n} rows along axis 0, but ${name((pairs[0] as [string, Tensor])[0])} has ${size}; every leaf must have the same axis-0 length`);
  }
  checkSameDevice(fn, pairs.map(([, t]) => t));
  const leaves = (): Tensor[] =>
    pairs.map(([path, t]) => {
      if (t.isDisposed) throw fail(fn, `${name(path)} ${nx.fmtShape(t.shape)} was disposed while the dataset was in use; keep the tensors of ofTensors live until it is done`);
      return t;
    });
  /** The tree with every leaf `t` replaced by `f(t)`; on failure, what was made is disposed. */
  const rebuild = (f: (t: Tensor) => Tensor): T => {
    const made: Tensor[] = [];
    try {
      return nx.tree.map((t: Tensor) => {
        const y = f(t);
        made.push(y);
        return y;
      }, tree) as T;
    } catch (e) {
      nx.dispose(made);
      throw e;
    }
  };
  const table: Table<T> = {
    size,
    one: (row) => {
      leaves();
      return rebuild((t) => nx.slice(t, [row]));
    },
    many: (rows) => {
      const live = leaves();
      const first = rows[0] as number;
      const consecutive = rows.every((r, i) => r === first + i);
      if (consecutive) return rebuild((t) => nx.slice(t, [{ start: first, stop: first + rows.length }]));
      const index = nx.tensor(rows, { dtype: "int32", backend: (live[0] as Tensor).backend });
      try {
        return rebuild((t) => nx.take(t, index, { axis: 0 }));
      } finally {
        index.dispose();
      }
    },
  };
  return fromTable(table);
}

/** An element of {@link textWindows}: a window of token ids and the ids one position later. */
export interface TextWindow {
  /** int32 `[seqLen]` (batched: `[batch, seqLen]`): tokens `s .. s+seqLen-1`. */
  readonly inputs: Tensor;
  /** int32 `[seqLen]` (batched: `[batch, seqLen]`): tokens `s+1 .. s+seqLen`, the next token at each position. */
  readonly targets: Tensor;
}

/** Options of {@link textWindows}. */
export interface TextWindowsOptions {
  /** The tokens per window. */
  readonly seqLen: number;
  /** The distance between the starts of consecutive windows; defaults to `seqLen` (windows that do not overlap). */
  readonly stride?: number;
}

/** The token ids of `ids` as an Int32Array copy. */
function tokenIds(fn: string, ids: unknown): { ids: Int32Array; backend?: nx.Backend } {
  if (ids instanceof Int32Array) return { ids: ids.slice() };
  if (nx.isTensor(ids)) {
    const t = checkTensor(fn, "ids", ids);
    if (t.dtype !== "int32" || t.ndim !== 1) throw fail(fn, `ids must be an int32 tensor of rank 1, got ${describe(t)}`);
    return { ids: Int32Array.from(t.dataSync()), backend: t.backend };
  }
  if (Array.isArray(ids)) {
    const out = new Int32Array(ids.length);
    ids.forEach((v: unknown, i) => {
      if (typeof v !== "number" || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw fail(fn, `ids[${i}] must be an int32 integer, got ${describe(v)}`);
      out[i] = v;
    });
    return { ids: out };
  }
  throw fail(fn, `ids must be an Int32Array, an array of integers or an int32 tensor of rank 1, got ${describe(ids)}`);
}

/**
 * `textWindows(ids, { seqLen, stride? })` is the dataset of next-token
 * training windows over a token sequence: window `w` starts at
 * `s = w · stride` and yields `{ inputs: ids[s .. s+seqLen-1], targets: ids[s+1 .. s+seqLen] }`
 * (int32 `[seqLen]`; batched `[batch, seqLen]`), for every `s` with
 * `s + seqLen + 1 <= ids.length`, so there are
 * `floor((ids.length - seqLen - 1) / stride) + 1` windows. `ids` (an
 * Int32Array, an array of integers, or an int32 tensor of rank 1) is copied
 * once, now; windows are made on the tensor's backend, or on the current
 * backend when iterated. `stride` defaults to `seqLen` (no overlap); `1`
 * gives every start position.
 * @throws InvalidArgumentError when `ids` is none of those or holds a
 * non-integer, the options are missing, `seqLen` or `stride` is not a
 * positive integer, or `ids` has fewer than `seqLen + 1` tokens.
 */
export function textWindows(ids: Int32Array | readonly number[] | Tensor, options: TextWindowsOptions): Dataset<TextWindow> {
  const fn = "Data.textWindows";
  const o = checkOptions(fn, options, "{ seqLen, stride? }", ["seqLen", "stride"]);
  const seqLen = checkPositiveInt(fn, "seqLen", o.seqLen);
  const stride = o.stride === undefined ? seqLen : checkPositiveInt(fn, "stride", o.stride);
  const { ids: tokens, backend } = tokenIds(fn, ids);
  if (tokens.length < seqLen + 1) throw fail(fn, `ids has ${tokens.length} tokens; a window of seqLen ${seqLen} needs at least ${seqLen + 1} (its inputs and the next token)`);
  const size = Math.floor((tokens.length - seqLen - 1) / stride) + 1;
  const windows = (rows: ArrayLike<number>, shape: number[]): TextWindow => {
    const inputs = new Int32Array(rows.length * seqLen);
    const targets = new Int32Array(rows.length * seqLen);
    for (let b = 0; b < rows.length; b++) {
      const s = (rows[b] as number) * stride;
      inputs.set(tokens.subarray(s, s + seqLen), b * seqLen);
      targets.set(tokens.subarray(s + 1, s + seqLen + 1), b * seqLen);
    }
    const where = backend === undefined ? {} : { backend };
    const x = nx.tensor(inputs, { dtype: "int32", shape, ...where });
    try {
      return { inputs: x, targets: nx.tensor(targets, { dtype: "int32", shape, ...where }) };
    } catch (e) {
      x.dispose();
      throw e;
    }
  };
  return fromTable({ size, one: (row) => windows([row], [seqLen]), many: (rows) => windows(rows, [rows.length, seqLen]) });
}
