/**
 * Fixed-size ArrayBuffers that the ingest threads hand back and forth (transferred, never
 * copied) instead of allocating one per message: input blocks go to the parse worker and come
 * back, row batches come from it and go back. A fresh buffer per message is fresh pages for the
 * kernel to fault in and zero, and garbage the receiving thread's GC collects late (it does not
 * see their size), which lifted the ingest's peak memory by tens of MB.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  /** `size`: the only size kept; `max`: how many are kept at most (the rest are left to the GC). */
  constructor(
    readonly size: number,
    private readonly max: number,
  ) {}

  /** A buffer of `size` bytes, contents unspecified. */
  take(): ArrayBuffer {
    return this.free.pop() ?? (Buffer.allocUnsafeSlow(this.size).buffer as ArrayBuffer);
  }

  /** Keeps `buf` for reuse when it is of this pool's size (a detached buffer has length 0). */
  give(buf: ArrayBuffer): void {
    if (buf.byteLength === this.size && this.free.length < this.max) this.free.push(buf);
  }
}
