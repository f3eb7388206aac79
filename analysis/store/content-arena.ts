/**
 * Bytes of the rows a stage window holds (stage-window.ts), in one ring buffer allocated once.
 * Held rows are many (thousands) and live long enough to be promoted by V8's GC; as JS strings
 * or Buffers each would be copied on promotion and then collected by full GCs, which measured
 * at about as much CPU as parsing the records. Here they cost one copy in and one copy out.
 *
 * Space is handed out in order and taken back in order: a region is reusable once it and every
 * older region are dead. The window frees a row's region when the row leaves, or when a more
 * complete stage replaces its content (the new content goes to a new region).
 */

/** Virtual offsets grow without bound; the physical one is `v % capacity`. */
export class ContentArena {
  readonly buf: Buffer;
  /** Next free virtual offset, and the start of the oldest region still live. */
  private vHead = 0;
  private vTail = 0;
  /** Regions in order of allocation, as a ring of (start, end, live). */
  private readonly qStart: Float64Array;
  private readonly qLive: Uint8Array;
  private qOldest = 0;
  private qNext = 0;
  /** The virtual offset and length the last `place` gave, until `commit` takes them (-1: none). */
  private placedAt = -1;
  private placedLen = 0;

  constructor(
    readonly capacity: number,
    private readonly maxRegions: number,
  ) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
    this.qStart = new Float64Array(maxRegions);
    this.qLive = new Uint8Array(maxRegions);
  }

  /**
   * The physical offset where up to `len` bytes can be written now, or -1 when there is no
   * room until older regions are freed. A region never wraps: the end of the ring is skipped.
   */
  place(len: number): number {
    const v = this.wrapped(this.vHead, len);
    if (v + len - this.vTail > this.capacity || this.qNext - this.qOldest >= this.maxRegions) return -1;
    this.placedAt = v;
    this.placedLen = len;
    return v % this.capacity;
  }

  /**
   * Records the `len` bytes just written at the last `place(…)`'s offset (at most what it was
   * asked for); returns the region's id. The region is where `place` put it: fewer bytes than
   * asked for may have fitted before the ring's end, but they were written after it.
   */
  commit(len: number): number {
    const v = this.placedAt;
    if (v < 0 || len > this.placedLen) throw new Error(`content arena: commit of ${len} bytes without a place() for them`);
    this.placedAt = -1;
    const id = this.qNext++;
    this.qStart[id % this.maxRegions] = v;
    this.qLive[id % this.maxRegions] = 1;
    if (this.qNext - this.qOldest === 1) this.vTail = v;
    this.vHead = v + len;
    return id;
  }

  /** The region `id` is no longer needed. */
  free(id: number): void {
    this.qLive[id % this.maxRegions] = 0;
    while (this.qOldest < this.qNext && this.qLive[this.qOldest % this.maxRegions] === 0) this.qOldest++;
    this.vTail = this.qOldest < this.qNext ? this.qStart[this.qOldest % this.maxRegions]! : this.vHead;
  }

  private wrapped(v: number, len: number): number {
    const at = v % this.capacity;
    return at + len > this.capacity ? v + (this.capacity - at) : v;
  }
}
