/**
 * Resident storage: a float32 buffer that lives in the WASM module memory, so kernels read and
 * write it in place (no copy in or out). Used for long-lived buffers whose owner asks for it
 * (`alloc(dtype, size, { persistent: true })`: optimizer state), never for per-step temporaries.
 *
 * Lifetime: the block is returned to the heap by a FinalizationRegistry callback once the storage
 * is garbage-collected. Such callbacks run only when the event loop turns, which is why temporaries
 * stay on the JavaScript heap (a synchronous training loop would otherwise grow the WASM memory
 * without bound); the few persistent buffers of an optimizer are freed when it is dropped.
 *
 * An unshared memory detaches its old buffer when it grows: `data` is re-pointed at the new buffer
 * on every growth (shared memories keep old views valid).
 */
import type { Storage } from "../backend.js";
import type { WasmKernels } from "./module.js";

export class ResidentStorage implements Storage {
  readonly dtype = "float32" as const;
  readonly size: number;
  /** A Float32Array view of the block (re-derived after an unshared memory grows). */
  data: Float32Array;
  version = 0;
  /** Byte offset of the block in the module memory. */
  readonly ptr: number;

  constructor(ptr: number, size: number, data: Float32Array) {
    this.ptr = ptr;
    this.size = size;
    this.data = data;
  }
}

/** Allocates resident storages over one kernels instance and frees them after collection. */
export class ResidentPool {
  private readonly live = new Map<number, WeakRef<ResidentStorage>>();
  private readonly registry: FinalizationRegistry<number>;

  constructor(private readonly k: WasmKernels) {
    this.registry = new FinalizationRegistry((ptr: number) => {
      this.live.delete(ptr);
      k.heap.free(ptr);
    });
    if (!k.shared) {
      k.onGrow(() => {
        for (const ref of this.live.values()) {
          const s = ref.deref();
          if (s) s.data = k.f32(s.ptr, s.size);
        }
      });
    }
  }

  /** A zero-filled resident float32 storage of `size` elements. */
  alloc(size: number): ResidentStorage {
    const ptr = this.k.heap.alloc(4 * size);
    const data = this.k.f32(ptr, size);
    data.fill(0);
    const s = new ResidentStorage(ptr, size, data);
    this.live.set(ptr, new WeakRef(s));
    this.registry.register(s, ptr);
    return s;
  }

  /** Number of resident storages not yet collected (for tests). */
  get count(): number {
    return this.live.size;
  }
}
