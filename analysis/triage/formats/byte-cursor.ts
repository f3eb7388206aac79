/**
 * A buffered forward reader over a ByteSource: the parsers walk multi-GB files through a window of
 * at most a megabyte, asking `ensure(n)` before a run of small synchronous reads. Skipping forward
 * (tensor payloads) costs nothing: the window is refilled only where reading resumes, starting
 * small after a jump and doubling while reading stays sequential, so a model with thousands of
 * skipped payloads does not read a megabyte after each.
 */
import type { ByteSource } from '../../core/byte-source.js';

const DEFAULT_WINDOW = 1 << 20;
const FIRST_WINDOW = 4096;
const EMPTY = new Uint8Array(0);

export class ByteCursor {
  /** Absolute position of the next byte to read. */
  pos: number;
  readonly size: number;
  private buf: Uint8Array = EMPTY;
  private view: DataView<ArrayBufferLike> = new DataView(EMPTY.buffer);
  private bufStart = 0;
  private chunk = FIRST_WINDOW;

  constructor(
    readonly src: ByteSource,
    start = 0,
    private readonly window = DEFAULT_WINDOW,
  ) {
    this.pos = start;
    this.size = src.size;
  }

  /** Bytes left in the source after `pos`. */
  remaining(): number {
    return Math.max(0, this.size - this.pos);
  }

  /** True when [pos, pos + n) is already in the window (no await needed). */
  has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length;
  }

  /**
   * Makes [pos, pos + n) readable synchronously. False when the source ends first (or n is not a
   * sane non-negative integer); the caller turns that into a truncation finding.
   */
  async ensure(n: number): Promise<boolean> {
    if (!Number.isSafeInteger(n) || n < 0) return false;
    if (this.has(n)) return true;
    if (this.pos < 0 || this.pos + n > this.size) return false;
    const sequential = this.pos >= this.bufStart && this.pos <= this.bufStart + this.buf.length;
    this.chunk = sequential ? Math.min(this.window, this.chunk * 2) : FIRST_WINDOW;
    const len = Math.min(this.size - this.pos, Math.max(n, this.chunk));
    const bytes = await this.src.read(this.pos, len);
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bufStart = this.pos;
    return bytes.length >= n;
  }

  skip(n: number): void {
    this.pos += n;
  }

  // The getters below assume a successful ensure() covering them.
  u8(): number {
    const v = this.buf[this.pos - this.bufStart] ?? 0;
    this.pos += 1;
    return v;
  }

  u16(le = true): number {
    const v = this.view.getUint16(this.pos - this.bufStart, le);
    this.pos += 2;
    return v;
  }

  u32(le = true): number {
    const v = this.view.getUint32(this.pos - this.bufStart, le);
    this.pos += 4;
    return v;
  }

  i32(le = true): number {
    const v = this.view.getInt32(this.pos - this.bufStart, le);
    this.pos += 4;
    return v;
  }

  u64(le = true): bigint {
    const v = this.view.getBigUint64(this.pos - this.bufStart, le);
    this.pos += 8;
    return v;
  }

  i64(le = true): bigint {
    const v = this.view.getBigInt64(this.pos - this.bufStart, le);
    this.pos += 8;
    return v;
  }

  f32(le = true): number {
    const v = this.view.getFloat32(this.pos - this.bufStart, le);
    this.pos += 4;
    return v;
  }

  f64(le = true): number {
    const v = this.view.getFloat64(this.pos - this.bufStart, le);
    this.pos += 8;
    return v;
  }

  /** A view (not a copy) of the next n bytes; valid until the next ensure(). */
  bytes(n: number): Uint8Array {
    const start = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(start, start + n);
  }

  /** The byte at pos + k without consuming it (k inside the ensured range). */
  peek(k = 0): number {
    return this.buf[this.pos - this.bufStart + k] ?? 0;
  }
}

/** A u64 as a JS number when it is a safe integer, else null (callers treat null as a lie). */
export function safeNumber(v: bigint): number | null {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}
