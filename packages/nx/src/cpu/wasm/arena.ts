/**
 * The arena: how the WebAssembly CPU backend hands out and reuses byte
 * ranges of its one `WebAssembly.Memory`. WebAssembly memory can grow but
 * never shrink, so freed blocks are kept and reused: a free block merges
 * with free neighbours, the block at the top of the used region is given
 * back to the top, and an allocation takes the first free block large
 * enough from the smallest size bin that can hold it (splitting off the
 * rest). A loop that allocates the same sizes every step therefore reaches a
 * fixed memory size after its first step.
 *
 * Small blocks, which a step of small ops frees and asks for again by the
 * hundred, take a faster path (as `malloc`'s fast bins): a freed block of at
 * most {@link QUICK_MAX} bytes goes onto a stack for its exact size, unmerged,
 * and `alloc` pops a block of that size first. At most
 * {@link QUICK_MAX_BYTES} bytes wait there; when no block fits, the waiting
 * blocks are merged back before the memory grows.
 */

/** Blocks are aligned to (and sized in multiples of) one cache line. */
const ALIGN = 64;
/**
 * The largest block kept on the quick stacks: the scalars and small tensors
 * of per-op bookkeeping. Larger blocks always merge, since unmerged ones of
 * many sizes fragment the memory enough to make it grow in long training runs.
 */
const QUICK_MAX = 4096;
/** The most bytes the quick stacks hold. */
const QUICK_MAX_BYTES = 1 << 22;
const PAGE = 65536;

/** `binOf(bytes)` is the free-list bin of a block size: `floor(log2(bytes))`. */
function binOf(bytes: number): number {
  return 31 - Math.clz32(bytes);
}

/**
 * An `Arena` manages `memory` from byte `base` upward. `alloc(bytes)` is the
 * start of a block of at least `bytes` (rounded up to {@link ALIGN});
 * `free(ptr, bytes)` returns it with the size `alloc` was asked for.
 */
export class Arena {
  /** The end of the used region; everything above is free. */
  #top: number;
  /** Free blocks below the top: start → size and end → start, for merging. */
  readonly #byStart = new Map<number, number>();
  readonly #byEnd = new Map<number, number>();
  /** Free block starts per bin, for the allocation search. */
  readonly #bins: Set<number>[] = Array.from({ length: 33 }, () => new Set<number>());
  /** Freed small blocks by size, unmerged: entry `size / ALIGN` stacks their starts. */
  readonly #quick: number[][] = Array.from({ length: QUICK_MAX / ALIGN + 1 }, () => []);
  #quickBytes = 0;
  /** Bumped each time the memory grows (a non-shared memory's old views are then detached). */
  generation = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.#top = Math.ceil(base / ALIGN) * ALIGN;
  }

  /** `size(bytes)` is the block size `alloc(bytes)` takes. */
  static size(bytes: number): number {
    return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  }

  /** The bytes the memory has, used or free. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  /** The end of the used region (the memory above it is free). */
  get top(): number {
    return this.#top;
  }

  /**
   * `alloc(bytes)` is the byte address of a free block of `Arena.size(bytes)`
   * bytes, growing the memory when no free block fits.
   * @throws RangeError when the memory cannot grow that far (WebAssembly's 4 GiB limit, or the engine's).
   */
  alloc(bytes: number): number {
    const size = Arena.size(bytes);
    if (size <= QUICK_MAX) {
      const start = (this.#quick[size / ALIGN] as number[]).pop();
      if (start !== undefined) {
        this.#quickBytes -= size;
        return start;
      }
    }
    const found = this.#fit(size);
    if (found !== undefined) return found;
    if (this.#quickBytes > 0) {
      this.#drainQuick();
      const merged = this.#fit(size);
      if (merged !== undefined) return merged;
    }
    const start = this.#top;
    const end = start + size;
    if (end > this.capacity) this.#grow(end);
    this.#top = end;
    return start;
  }

  /** `#fit(size)` takes the first free block of at least `size` bytes from the smallest bin that can hold it, or is undefined. */
  #fit(size: number): number | undefined {
    for (let bin = binOf(size); bin < 33; bin++) {
      for (const start of this.#bins[bin] as Set<number>) {
        const have = this.#byStart.get(start) as number;
        if (have < size) continue;
        this.#unlink(start, have);
        if (have > size) this.#link(start + size, have - size);
        return start;
      }
    }
    return undefined;
  }

  /** `free(ptr, bytes)` returns the block `alloc(bytes)` gave at `ptr`. */
  free(ptr: number, bytes: number): void {
    const size = Arena.size(bytes);
    if (size <= QUICK_MAX && this.#quickBytes + size <= QUICK_MAX_BYTES) {
      (this.#quick[size / ALIGN] as number[]).push(ptr);
      this.#quickBytes += size;
      return;
    }
    this.#release(ptr, size);
  }

  /** `#drainQuick()` merges every block waiting on the quick stacks back into the free lists. */
  #drainQuick(): void {
    this.#quick.forEach((stack, k) => {
      for (const start of stack) this.#release(start, k * ALIGN);
      stack.length = 0;
    });
    this.#quickBytes = 0;
  }

  /** `#release(ptr, size)` frees the block of `size` bytes at `ptr`, merging it with free neighbours (or the top). */
  #release(ptr: number, size: number): void {
    let start = ptr;
    const before = this.#byEnd.get(start);
    if (before !== undefined) {
      const beforeSize = this.#byStart.get(before) as number;
      this.#unlink(before, beforeSize);
      start = before;
      size += beforeSize;
    }
    const afterSize = this.#byStart.get(start + size);
    if (afterSize !== undefined) {
      this.#unlink(start + size, afterSize);
      size += afterSize;
    }
    if (start + size === this.#top) this.#top = start;
    else this.#link(start, size);
  }

  /** The bytes held in free blocks below the top (the quick stacks' included). */
  get freeBytes(): number {
    let total = this.#quickBytes;
    for (const size of this.#byStart.values()) total += size;
    return total;
  }

  #link(start: number, size: number): void {
    this.#byStart.set(start, size);
    this.#byEnd.set(start + size, start);
    (this.#bins[binOf(size)] as Set<number>).add(start);
  }

  #unlink(start: number, size: number): void {
    this.#byStart.delete(start);
    this.#byEnd.delete(start + size);
    (this.#bins[binOf(size)] as Set<number>).delete(start);
  }

  /** Grows the memory to hold `end` bytes, by at least a quarter of its size (fewer, larger steps). */
  #grow(end: number): void {
    const have = this.capacity;
    const want = Math.max(end, have + (have >>> 2));
    const pages = Math.ceil((Math.min(want, 2 ** 32) - have) / PAGE);
    const minimum = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      this.memory.grow(minimum);
    }
    this.generation++;
  }
}
