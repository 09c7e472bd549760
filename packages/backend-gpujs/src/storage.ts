/**
 * The backend's buffer table: every `DataId` it hands out maps to one device
 * array (or to nothing, for empty buffers, which gpu.js cannot represent).
 * It also keeps the live counts `memory()` reports.
 */
import type { BackendMemory, DataId } from "@raven-ts/nx";
import type { DeviceArray } from "./gpu/engine.js";

/** One buffer: `size` float32 elements on the device (`data` is null when `size` is 0). */
export interface DeviceBuffer {
  readonly size: number;
  readonly data: DeviceArray | null;
}

/** A buffer handle; its class is private to this module. */
class Handle {
  constructor(readonly id: number) {}
}

/** Bytes one stored element occupies on the device (everything is float32). */
export const BYTES_PER_ELEMENT = 4;

/** The table of live buffers. */
export class BufferTable {
  readonly #buffers = new Map<Handle, DeviceBuffer>();
  #nextId = 1;
  #bytes = 0;

  /** `add(buffer)` registers `buffer` and returns its new handle. */
  add(buffer: DeviceBuffer): DataId {
    const h = new Handle(this.#nextId++);
    this.#buffers.set(h, buffer);
    this.#bytes += buffer.size * BYTES_PER_ELEMENT;
    return h as unknown as DataId;
  }

  /** `get(id)` is the buffer of `id`. @throws Error when `id` is not a live buffer of this backend. */
  get(id: DataId): DeviceBuffer {
    const b = this.#buffers.get(id as unknown as Handle);
    if (!b) throw new Error("gpujs backend: unknown or freed buffer (was it made by another backend, or freed twice?)");
    return b;
  }

  /** `remove(id)` unregisters `id` and returns its buffer for release. */
  remove(id: DataId): DeviceBuffer {
    const b = this.get(id);
    this.#buffers.delete(id as unknown as Handle);
    this.#bytes -= b.size * BYTES_PER_ELEMENT;
    return b;
  }

  /** `memory()` is the live buffer count and bytes. */
  memory(): BackendMemory {
    return { buffers: this.#buffers.size, bytes: this.#bytes };
  }

  /** `entries()` is every live buffer, for teardown. */
  entries(): DeviceBuffer[] {
    return [...this.#buffers.values()];
  }
}
