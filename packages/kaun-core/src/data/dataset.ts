/**
 * `Dataset`: a lazy, re-iterable input pipeline (the `Data` namespace makes
 * one from tensors or token ids). Each stage is a plan: how many elements a
 * pass yields, how to run pass `epoch`, and, for stages that still read rows
 * of a table in some order (sources, `shuffle`, `take`, a finite `repeat`),
 * that order, so `batch` fetches a whole batch in one gather and `shuffle`
 * permutes rows rather than buffering elements.
 */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import type { Ptree } from "../ptree.js";
import { disposeUnheld, tensorLeaves, treeCall } from "../tree-args.js";
import { checkBool, checkFunction, checkNonNegInt, checkPositiveInt, checkSameDevice, describe, fail, optionalOptions } from "../util.js";

/** A table of `size` rows: the element at one row, or the elements at many rows stacked along a new axis 0. */
export interface Table<T> {
  readonly size: number;
  /** The element at `row` (fresh tensors or views, owned by the caller). */
  one(row: number): T;
  /** The elements at `rows`, stacked along a new leading axis (owned by the caller). */
  many(rows: Int32Array): T;
}

/** A random-access stage: its table and the rows pass `epoch` reads, in order. */
interface Rows<T> {
  readonly table: Table<T>;
  order(epoch: number): Int32Array;
}

/** A stage of a pipeline: elements per pass (`Infinity` for an endless repeat), a pass, and its rows when it has random access. */
interface Plan<T> {
  readonly length: number;
  readonly rows?: Rows<T>;
  run(epoch: number): Generator<T, void, undefined>;
}

/** Options of {@link Dataset.batch}. */
export interface BatchOptions {
  /** Whether a last batch smaller than `size` is dropped (so every batch has `size` elements); defaults to false (it is kept). */
  readonly dropLast?: boolean;
}

const MADE_BY_DATA = Symbol("Data");

function rowsPlan<T>(table: Table<T>, length: number, order: (epoch: number) => Int32Array): Plan<T> {
  return {
    length,
    rows: { table, order },
    *run(epoch) {
      for (const row of order(epoch)) yield table.one(row);
    },
  };
}

/** `permutationOf(key, n)` is a uniformly random permutation of `0 .. n-1` on the host (`nx.random.permutation`'s). */
function permutationOf(key: nx.random.Key, n: number): Int32Array {
  const perm = nx.random.permutation(key, n);
  try {
    return Int32Array.from(perm.dataSync());
  } finally {
    perm.dispose();
  }
}

/**
 * `stackTrees(fn, elements)` is the elements (trees of tensors of one
 * structure, shapes, dtypes and backend) stacked leafwise along a new axis 0.
 */
function stackTrees<T>(fn: string, elements: readonly T[]): T {
  const structure = (element: T): nx.tree.TreeDef => treeCall(fn, () => nx.tree.flatten<unknown>(element as nx.tree.Tree<unknown>))[1];
  const def0 = structure(elements[0] as T);
  const first = tensorLeaves(fn, elements[0] as Ptree);
  const columns: Tensor[][] = first.map(() => []);
  elements.forEach((element, i) => {
    if (JSON.stringify(structure(element)) !== JSON.stringify(def0)) throw fail(fn, `element ${i} of a batch has a different tree structure from element 0`);
    tensorLeaves(fn, element as Ptree).forEach(([path, t], j) => {
      const [, t0] = first[j] as [string, Tensor];
      const where = path === "" ? "" : ` at ${describe(path)}`;
      if (t.isDisposed) throw fail(fn, `the tensor${where} of element ${i} was disposed`);
      if (t.dtype !== t0.dtype || !nx.shapesEqual(t.shape, t0.shape)) {
        throw fail(fn, `element ${i} holds a ${t.dtype} tensor ${nx.fmtShape(t.shape)}${where} where element 0 holds ${t0.dtype} ${nx.fmtShape(t0.shape)}; the elements of a batch must match`);
      }
      (columns[j] as Tensor[]).push(t);
    });
  });
  columns.forEach((column) => checkSameDevice(fn, column));
  const stacked: Tensor[] = [];
  try {
    for (const column of columns) stacked.push(nx.stack(column));
  } catch (e) {
    nx.dispose(stacked);
    throw e;
  }
  return nx.tree.unflatten(def0, stacked) as T;
}

/**
 * A lazy, re-iterable sequence of elements (trees of tensors) for training
 * and evaluation, made by `Data.ofTensors` or `Data.textWindows` and refined
 * with {@link Dataset.shuffle}, {@link Dataset.batch}, {@link Dataset.map},
 * {@link Dataset.take} and {@link Dataset.repeat}, each returning a new
 * dataset (the receiver is unchanged). Nothing is computed until it is
 * iterated.
 *
 * **Epochs.** One iteration is one pass, numbered from 0: the n-th time a
 * dataset is iterated (`for ... of`, `Train.fit`) it runs epoch n, so a
 * shuffled dataset yields a new order each time; `ds.epoch(e)` runs epoch
 * `e` directly, and the same epoch always yields the same elements.
 *
 * **Ownership.** Every element yielded is the consumer's: dispose it when
 * done (`nx.dispose(batch)`); `Train.fit` and `Train.evaluate` dispose the
 * elements of a dataset for you. A stage disposes what it consumes itself
 * (the elements `batch` stacks, the tensors of a `map` input that its
 * result does not hold, a dropped last batch), and stopping a pass early
 * (`break`, an exception) disposes what a stage had buffered. So a consumer
 * that disposes each element keeps `nx.memory().numTensors` flat.
 */
export class Dataset<T> implements Iterable<T> {
  readonly #plan: Plan<T>;
  #passes = 0;

  /** Internal: datasets come from `Data.ofTensors` and `Data.textWindows`. */
  constructor(token: typeof MADE_BY_DATA, plan: Plan<T>) {
    if (token !== MADE_BY_DATA) throw fail("Data.Dataset", "make datasets with Data.ofTensors or Data.textWindows");
    this.#plan = plan;
  }

  /** The number of elements one pass yields (`Infinity` for an endless {@link repeat}). */
  get length(): number {
    return this.#plan.length;
  }

  /** `ds[Symbol.iterator]()` runs the next epoch: 0 the first time this dataset is iterated, then 1, 2, .... */
  [Symbol.iterator](): Iterator<T> {
    return this.#plan.run(this.#passes++);
  }

  /**
   * `ds.epoch(e)` is the elements of epoch `e` (an iterable; iterating it
   * again repeats the same elements). Use it to resume or reproduce a given
   * epoch without counting iterations.
   * @throws InvalidArgumentError when `e` is not a non-negative safe integer.
   */
  epoch(e: number): Iterable<T> {
    const epoch = checkNonNegInt("Data.epoch", "e", e);
    const plan = this.#plan;
    return { [Symbol.iterator]: () => plan.run(epoch) };
  }

  /**
   * `ds.shuffle(key)` is `ds` in a uniformly random order, a new one each
   * epoch: epoch `e` reads `ds`'s epoch `e` in the order of
   * `nx.random.permutation(nx.random.foldIn(key, e), ds.length)`, so one key
   * gives a different but reproducible order per epoch (on every backend).
   * It needs random access: shuffle a source (or a shuffled, taken or
   * finitely repeated one) before `map` and `batch`.
   * @throws InvalidArgumentError when `key` is not an `nx.random.Key`, or `ds` has no random access (it comes from `map`, `batch` or an endless `repeat`).
   */
  shuffle(key: nx.random.Key): Dataset<T> {
    const fn = "Data.shuffle";
    if (!nx.random.isKey(key)) throw fail(fn, `key must be an nx.random.Key (nx.random.key(seed)), got ${describe(key)}`);
    const rows = this.#plan.rows;
    if (rows === undefined) {
      throw fail(fn, "this dataset has no random access (it comes from map, batch or an endless repeat); shuffle first, e.g. Data.ofTensors(t).shuffle(key).batch(32).map(f)");
    }
    const n = this.#plan.length;
    return new Dataset(MADE_BY_DATA, rowsPlan(rows.table, n, (epoch) => {
      const base = rows.order(epoch);
      const perm = permutationOf(nx.random.foldIn(key, epoch), n);
      return perm.map((i) => base[i] as number);
    }));
  }

  /**
   * `ds.batch(size, { dropLast? })` groups consecutive elements into batches
   * of `size`, each leaf stacked along a new axis 0 (a leaf `[...s]` becomes
   * `[size, ...s]`); the last batch holds the remaining elements unless
   * `dropLast`. From a random-access dataset each batch is one gather of its
   * rows (`nx.take`, or a view for consecutive rows of `ofTensors`);
   * otherwise the elements are stacked (`nx.stack`) and disposed. Elements of
   * a batch must have the same structure, shapes, dtypes and backend.
   * `dropLast` defaults to false.
   * @throws InvalidArgumentError when `size` is not a positive integer or `dropLast` is not a boolean; during iteration, naming `kaun.Data.batch`, when elements of a batch differ or a leaf is not a tensor.
   */
  batch(size: number, options: BatchOptions = {}): Dataset<T> {
    const fn = "Data.batch";
    const n = checkPositiveInt(fn, "size", size);
    const dropLast = checkBool(fn, "dropLast", optionalOptions(fn, options, ["dropLast"]).dropLast, false);
    const source = this.#plan;
    const length = dropLast ? Math.floor(source.length / n) : Math.ceil(source.length / n);
    const rows = source.rows;
    if (rows !== undefined) {
      return new Dataset(MADE_BY_DATA, {
        length,
        *run(epoch) {
          const order = rows.order(epoch);
          for (let b = 0; b < length; b++) yield rows.table.many(order.subarray(b * n, Math.min((b + 1) * n, order.length)));
        },
      });
    }
    return new Dataset(MADE_BY_DATA, {
      length,
      *run(epoch) {
        const buffer: T[] = [];
        try {
          for (const element of source.run(epoch)) {
            buffer.push(element);
            if (buffer.length === n) {
              const stacked = stackTrees(fn, buffer);
              nx.dispose(buffer.splice(0));
              yield stacked;
            }
          }
          if (buffer.length > 0 && !dropLast) {
            const stacked = stackTrees(fn, buffer);
            nx.dispose(buffer.splice(0));
            yield stacked;
          }
        } finally {
          nx.dispose(buffer);
        }
      },
    });
  }

  /**
   * `ds.map(f)` is the dataset of `f(element)`. The tensors of the element
   * that `f`'s result does not hold are disposed once `f` returns (so `f`
   * may return the element itself, or some of its tensors, or new ones; a
   * tensor captured by a closure in the result is not held, so return the
   * tensors themselves). The result has no random access (shuffle before
   * map); its elements are `f`'s results, the consumer's to dispose.
   * @throws InvalidArgumentError when `f` is not a function; whatever `f` throws propagates (its input is disposed first).
   */
  map<U>(f: (element: T) => U): Dataset<U> {
    const g = checkFunction("Data.map", "f", f);
    const source = this.#plan;
    return new Dataset(MADE_BY_DATA, {
      length: source.length,
      *run(epoch) {
        for (const element of source.run(epoch)) {
          let out: U;
          try {
            out = g(element);
          } catch (e) {
            nx.dispose(element);
            throw e;
          }
          disposeUnheld(element, out);
          yield out;
        }
      },
    });
  }

  /**
   * `ds.take(n)` is the first `n` elements of each pass of `ds` (all of
   * them when there are fewer): `ds.repeat().take(steps)` yields exactly
   * `steps` elements. The source makes no element past the `n`-th.
   * @throws InvalidArgumentError when `n` is not a non-negative integer.
   */
  take(n: number): Dataset<T> {
    const count = checkNonNegInt("Data.take", "n", n);
    const source = this.#plan;
    const length = Math.min(count, source.length);
    const rows = source.rows;
    if (rows !== undefined) return new Dataset(MADE_BY_DATA, rowsPlan(rows.table, length, (epoch) => rows.order(epoch).subarray(0, length)));
    return new Dataset(MADE_BY_DATA, {
      length,
      *run(epoch) {
        if (length === 0) return;
        let i = 0;
        for (const element of source.run(epoch)) {
          yield element;
          if (++i >= length) return;
        }
      },
    });
  }

  /**
   * `ds.repeat(count?)` runs `count` epochs of `ds` one after the other as
   * one pass: pass `e` of the result is epochs `e·count .. e·count + count-1`
   * of `ds` (so `ds.shuffle(key).repeat(3)` yields three different orders).
   * Without `count` it repeats endlessly (bound it with {@link take}); every
   * pass then runs `ds`'s epochs 0, 1, 2, ... (an empty `ds` repeats to an
   * empty dataset). A finite repeat of a random-access dataset keeps random
   * access. `count` defaults to endless.
   * @throws InvalidArgumentError when `count` is given and is not a positive integer.
   */
  repeat(count?: number): Dataset<T> {
    const fn = "Data.repeat";
    const times = count === undefined ? undefined : checkPositiveInt(fn, "count", count);
    const source = this.#plan;
    const rows = source.rows;
    if (times !== undefined && rows !== undefined) {
      return new Dataset(MADE_BY_DATA, rowsPlan(rows.table, source.length * times, (epoch) => {
        const order = new Int32Array(source.length * times);
        for (let r = 0; r < times; r++) order.set(rows.order(epoch * times + r), r * source.length);
        return order;
      }));
    }
    const length = times === undefined ? (source.length === 0 ? 0 : Infinity) : source.length * times;
    return new Dataset(MADE_BY_DATA, {
      length,
      *run(epoch) {
        if (length === 0) return;
        for (let r = 0; times === undefined || r < times; r++) yield* source.run(times === undefined ? r : epoch * times + r);
      },
    });
  }
}

/** `fromTable(table)` is the dataset of a table's rows in order. Internal (the sources of `Data`). */
export function fromTable<T>(table: Table<T>): Dataset<T> {
  const order = Int32Array.from({ length: table.size }, (_, i) => i);
  return new Dataset(MADE_BY_DATA, rowsPlan(table, table.size, () => order));
}

/** `isDataset(v)` is true when `v` is a {@link Dataset}. */
export function isDataset(v: unknown): v is Dataset<unknown> {
  return v instanceof Dataset;
}
