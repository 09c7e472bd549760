/**
 * The arena: how the WebAssembly CPU backend hands out and reuses byte
 * ranges of its one `WebAssembly.Memory`. WebAssembly memory can grow but
 * never shrink, so freed blocks are kept and reused: a free block merges
 * with free neighbours, the block at the top of the used region is given
 * back to the top, and an allocation takes the first free block large
 * enough from the smallest size bin that can hold it (splitting off the
 * rest). A loop that allocates the same sizes every step therefore reaches a
 * fixed memory size after its first step.
 */

/** Blocks are aligned to (and sized in multiples of) one cache line. */
export const ALIGN = 64;
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
    for (let bin = binOf(size); bin < 33; bin++) {
      for (const start of this.#bins[bin] as Set<number>) {
        const have = this.#byStart.get(start) as number;
        if (have < size) continue;
        this.#unlink(start, have);
        if (have > size) this.#link(start + size, have - size);
        return start;
      }
    }
    const start = this.#top;
    const end = start + size;
    if (end > this.capacity) this.#grow(end);
    this.#top = end;
    return start;
  }

  /** `free(ptr, bytes)` returns the block `alloc(bytes)` gave at `ptr`. */
  free(ptr: number, bytes: number): void {
    let start = ptr;
    let size = Arena.size(bytes);
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

  /** The bytes held in free blocks below the top. */
  get freeBytes(): number {
    let total = 0;
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
