/**
 * Pull-style reading over a push-style chunk stream: exact reads, bounded chunks and skips, with
 * the count of bytes consumed. Used by the tar reader and by stream slicing.
 */
const EMPTY = new Uint8Array(0);

export class ChunkReader {
  /** Bytes consumed from the stream so far. */
  offset = 0;
  private readonly it: AsyncIterator<Uint8Array>;
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private ended = false;

  constructor(src: AsyncIterable<Uint8Array>) {
    this.it = src[Symbol.asyncIterator]();
  }

  /** True once the stream is exhausted and nothing is buffered. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill());
  }

  /** Exactly `n` bytes, or fewer when the stream ends first. */
  async read(n: number): Promise<Uint8Array> {
    if (!(await this.fill())) return EMPTY;
    if (this.buf.length - this.pos >= n) {
      const out = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.offset += n;
      return out;
    }
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n && (await this.fill())) {
      const take = Math.min(n - got, this.buf.length - this.pos);
      out.set(this.buf.subarray(this.pos, this.pos + take), got);
      this.pos += take;
      got += take;
    }
    this.offset += got;
    return got === n ? out : out.subarray(0, got);
  }

  /** The next buffered bytes, at most `max`; null at the end of the stream. */
  async chunk(max: number): Promise<Uint8Array | null> {
    if (max <= 0 || !(await this.fill())) return null;
    const take = Math.min(max, this.buf.length - this.pos);
    const out = this.buf.subarray(this.pos, this.pos + take);
    this.pos += take;
    this.offset += take;
    return out;
  }

  /** Skips `n` bytes; returns how many could be skipped before the end. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0 && (await this.fill())) {
      const take = Math.min(left, this.buf.length - this.pos);
      this.pos += take;
      left -= take;
    }
    this.offset += n - left;
    return n - left;
  }

  /** Stops the underlying stream (closes files, destroys decompressors). */
  async close(): Promise<void> {
    this.ended = true;
    this.buf = EMPTY;
    this.pos = 0;
    await this.it.return?.();
  }

  private async fill(): Promise<boolean> {
    while (this.pos >= this.buf.length) {
      if (this.ended) return false;
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        this.buf = EMPTY;
        this.pos = 0;
        return false;
      }
      this.buf = r.value;
      this.pos = 0;
    }
    return true;
  }
}
