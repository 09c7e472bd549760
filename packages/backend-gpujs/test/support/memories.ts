/**
 * Counting WebAssembly memories, for the tests of the `webasm` mode (in Node
 * and in the browser page): gpu.js creates them with `new WebAssembly.Memory`.
 */

/** A running count of `WebAssembly.Memory` constructions; see {@link watchMemories}. */
export interface MemoryWatch {
  /** Memories constructed since the watch started (until it stopped). */
  readonly created: number;
  /** Puts the original constructor back; `created` stays as it was. */
  stop(): void;
}

/**
 * `watchMemories()` starts counting the `WebAssembly.Memory` objects
 * constructed from now until `stop()` (call it in a `finally`).
 */
export function watchMemories(): MemoryWatch {
  const original = WebAssembly.Memory;
  let created = 0;
  const counting = function (descriptor: WebAssembly.MemoryDescriptor) {
    created++;
    return new original(descriptor);
  } as unknown as typeof WebAssembly.Memory;
  counting.prototype = original.prototype;
  WebAssembly.Memory = counting;
  return {
    get created() {
      return created;
    },
    stop() {
      WebAssembly.Memory = original;
    },
  };
}
