/**
 * `Tensor`: an n-dimensional array of one dtype, a strided view onto storage
 * owned by one backend. Tensors are immutable; ops return new tensors, and
 * movement ops (transpose, slice, broadcast, most reshapes) return views
 * sharing the storage.
 */
import type { Backend, View } from "./backend.js";
import type { DType, HostArray } from "./dtype.js";
import { InvalidArgumentError, fmtShape } from "./errors.js";
import type { Storage } from "./engine.js";
import { trackCreate, trackInScope, trackRelease } from "./engine.js";
import { formatTensor } from "./format.js";
import { isContiguous, sizeOf } from "./shape.js";

/** A nested JS array of numbers (or booleans for `bool`), as `arraySync()` returns. */
export type NestedArray = number | boolean | NestedArray[];

/** A node of {@link frozen}'s trie: the frozen array of the path so far, and the next entries. */
interface InternNode {
  array?: readonly number[];
  next?: Map<number, InternNode>;
}

const interned = new Map<number, InternNode>();
let internedNodes = 0;
/** Past this many nodes, new arrays are frozen copies, not interned (the trie stays small). */
const MAX_INTERNED_NODES = 1 << 16;

/**
 * `frozen(a)` is a frozen array equal to `a`: shapes and strides recur from
 * op to op, so one frozen array per distinct value is kept (a trie keyed by
 * length, then entries) and shared by every tensor with that value, instead
 * of freezing a copy per tensor.
 */
function frozen(a: readonly number[]): readonly number[] {
  let node: InternNode | undefined = interned.get(a.length);
  if (node === undefined) {
    node = {};
    interned.set(a.length, node);
  }
  for (let i = 0; i < a.length; i++) {
    const d = a[i] as number;
    let next: InternNode | undefined = node.next?.get(d);
    if (next === undefined) {
      if (internedNodes >= MAX_INTERNED_NODES) return Object.freeze([...a]);
      internedNodes++;
      next = {};
      (node.next ??= new Map()).set(d, next);
    }
    node = next;
  }
  node.array ??= Object.freeze([...a]);
  return node.array;
}

let nextId = 1;

export class Tensor {
  /** A process-unique id, increasing in creation order (autodiff tapes key on it). */
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Element strides into the storage (0 for broadcast axes, negative for flipped ones). */
  readonly strides: readonly number[];
  /** Element offset of index `[0, ..., 0]` in the storage. */
  readonly offset: number;
  readonly #storage: Storage;
  /** The number of elements (1 for a scalar). */
  readonly size: number;
  #disposed = false;
  /** What `view()` returns, made on first use (everything in it is fixed for the tensor's life). */
  #view: View | undefined;

  /** Internal: use the creation ops (`nx.tensor`, `nx.zeros`, ...). */
  constructor(storage: Storage, dtype: DType, shape: readonly number[], strides: readonly number[], offset: number) {
    this.id = nextId++;
    this.#storage = storage;
    this.dtype = dtype;
    this.shape = frozen(shape);
    this.strides = frozen(strides);
    this.size = sizeOf(shape);
    this.offset = offset;
    trackCreate(storage);
    if (!trackInScope(this)) storage.watch();
  }

  /** Internal: the tensor leaves every scope alive, so the finalizer must cover it from now on. */
  escapeScopes(): void {
    if (!this.#disposed) this.#storage.watch();
  }

  /** The rank: the number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The backend that owns the storage. */
  get backend(): Backend {
    return this.#storage.backend;
  }

  /** Internal: the shared storage, for making views. */
  get storage(): Storage {
    this.assertLive("Tensor.storage");
    return this.#storage;
  }

  /** True once `dispose()` was called. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** True when the elements are laid out in C order from `offset`. */
  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /**
   * `view(fn)` is what a backend receives for this tensor.
   * @throws InvalidArgumentError naming `fn` when the tensor was disposed.
   */
  view(fn = "nx"): View {
    this.assertLive(fn);
    this.#view ??= Object.freeze({ data: this.#storage.data, dtype: this.dtype, shape: this.shape, strides: this.strides, offset: this.offset });
    return this.#view;
  }

  /** @throws InvalidArgumentError naming `fn` when the tensor was disposed. */
  assertLive(fn: string): void {
    if (this.#disposed) throw new InvalidArgumentError(fn, `tensor ${fmtShape(this.shape)} ${this.dtype} (id ${this.id}) was disposed and can no longer be used`);
  }

  /** `dataSync()` is a fresh C-order copy of the elements in the dtype's typed array (`bool` as 0/1 bytes). @throws InvalidArgumentError when disposed. */
  dataSync(): HostArray {
    return this.#storage.backend.read(this.view("Tensor.dataSync"));
  }

  /** `data()` resolves to what {@link dataSync} returns, without blocking where the backend can. @throws InvalidArgumentError when disposed. */
  data(): Promise<HostArray> {
    return this.#storage.backend.readAsync(this.view("Tensor.data"));
  }

  /** `arraySync()` is the elements as nested JS arrays (a number for rank 0; booleans for `bool`). @throws InvalidArgumentError when disposed. */
  arraySync(): NestedArray {
    return nest(this.#storage.backend.read(this.view("Tensor.arraySync")), this.shape, this.dtype === "bool");
  }

  /** `array()` resolves to what {@link arraySync} returns. */
  async array(): Promise<NestedArray> {
    return nest(await this.#storage.backend.readAsync(this.view("Tensor.array")), this.shape, this.dtype === "bool");
  }

  /**
   * `item()` is the single element of a one-element tensor, as a number (boolean for `bool`).
   * @throws InvalidArgumentError when the tensor does not hold exactly one element, or was disposed.
   */
  item(): number | boolean {
    if (this.size !== 1) throw new InvalidArgumentError("Tensor.item", `expected a tensor with one element, got shape ${fmtShape(this.shape)}`);
    const v = this.#storage.backend.read(this.view("Tensor.item"))[0] as number;
    return this.dtype === "bool" ? v !== 0 : v;
  }

  /** `dispose()` releases this tensor's hold on its storage (freed when no view remains). Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    trackRelease(this.#storage);
  }

  /** `toString()` prints the values like numpy (`[[1, 2],\n [3, 4]]`), eliding the middle of axes beyond 1000 elements, followed by the shape and dtype. */
  toString(): string {
    if (this.#disposed) return `Tensor(disposed, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    return `${formatTensor(this.dataSync(), this.shape, this.dtype)}\nTensor(shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
  }
}

function nest(data: HostArray, shape: readonly number[], asBool: boolean): NestedArray {
  const at = (i: number): number | boolean => (asBool ? data[i] !== 0 : (data[i] as number));
  if (shape.length === 0) return at(0);
  let pos = 0;
  const build = (axis: number): NestedArray[] => {
    const n = shape[axis] as number;
    const out: NestedArray[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = axis === shape.length - 1 ? at(pos++) : build(axis + 1);
    return out;
  };
  return build(0);
}

/** `isTensor(v)` is true for nx tensors. */
export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}
