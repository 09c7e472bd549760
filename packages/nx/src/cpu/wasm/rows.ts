/**
 * Row tables: how the WebAssembly row kernels receive a strided walk. The
 * `RowCursor` of `strided.ts` splits a shape into rows (merging whatever
 * axes every operand can address with one stride); the table holds the byte
 * address of each row's first element for each operand, one i32 per entry.
 */
import type { View } from "../../backend.js";
import { itemSize } from "../../dtype.js";
import { arenaPointerOf } from "../storage.js";
import type { Layout } from "../strided.js";
import { rowCursor } from "../strided.js";
import type { Arena } from "./arena.js";

/** A walk as row-kernel arguments. */
export interface RowWalk {
  /** Byte address of the table: `rows × operands` i32 addresses. */
  readonly table: number;
  readonly rows: number;
  /** Elements per row. */
  readonly n: number;
  /** Each operand's step between neighbours of a row, in elements (0 for a broadcast). */
  readonly steps: readonly number[];
}

/**
 * A `RowTables` builds row tables in one scratch block of its arena, grown
 * as needed and reused by every call (so a table is valid until the next
 * `walk`; only the calling thread uses it).
 */
export class RowTables {
  #at = 0;
  #bytes = 0;

  constructor(readonly arena: Arena) {}

  /** `walk(shape, views)` is the row walk of `shape` over the strided `views` (arena buffers). */
  walk(shape: readonly number[], views: readonly View[]): RowWalk {
    const bases = views.map((v) => arenaPointerOf(v.data));
    const cursor = rowCursor(shape, views);
    const count = views.length;
    const sizes = views.map((v) => itemSize(v.dtype));
    const words = this.#table(cursor.rows * count);
    for (let r = 0, w = 0; r < cursor.rows; r++, cursor.next()) {
      for (let k = 0; k < count; k++) words[w++] = (bases[k] as number) + cursor.start(k) * (sizes[k] as number);
    }
    const steps: number[] = [];
    for (let k = 0; k < count; k++) steps.push(cursor.step(k));
    return { table: this.#at, rows: cursor.rows, n: cursor.length, steps };
  }

  /**
   * `starts(shape, layout, base, itemBytes)` tables the byte address of every
   * element of a strided operand of `shape`, in C order, as `rows` (one per
   * element; `n` and `steps` are 1 and [1]).
   */
  starts(shape: readonly number[], layout: Layout, base: number, itemBytes: number): RowWalk {
    const cursor = rowCursor(shape, [layout]);
    const count = cursor.rows * cursor.length;
    const words = this.#table(count);
    const step = cursor.step(0) * itemBytes;
    for (let r = 0, w = 0; r < cursor.rows; r++, cursor.next()) {
      for (let j = 0, p = base + cursor.start(0) * itemBytes; j < cursor.length; j++, p += step) words[w++] = p;
    }
    return { table: this.#at, rows: count, n: 1, steps: [1] };
  }

  /** `#table(entries)` is the scratch table with room for `entries` i32 values. */
  #table(entries: number): Int32Array {
    const need = Math.max(1, entries) * 4;
    if (need > this.#bytes) {
      if (this.#bytes > 0) this.arena.free(this.#at, this.#bytes);
      this.#bytes = Math.max(need, 2 * this.#bytes);
      this.#at = this.arena.alloc(this.#bytes);
    }
    return new Int32Array(this.arena.memory.buffer, this.#at, entries);
  }
}
