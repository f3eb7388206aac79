/**
 * A gzip member header (RFC 1952 §2.3), parsed byte by byte as it arrives: a header may straddle
 * input chunks, and a hostile one may claim a name that never ends, so nothing is buffered but
 * the 10 fixed bytes, and the optional name and comment are bounded.
 */
import { crc32 } from './crc32.js';

/** FLG bits (RFC 1952 §2.3.1). FTEXT is only a hint and is ignored. */
export const FHCRC = 0x02;
export const FEXTRA = 0x04;
export const FNAME = 0x08;
export const FCOMMENT = 0x10;
/** Bits 5–7 are reserved and must be zero (zlib refuses them too: "unknown header flags set"). */
const FRESERVED = 0xe0;

/** Longest FNAME or FCOMMENT accepted (gzip writes a file name; 64 KiB is far past any path). */
export const MAX_HEADER_TEXT = 64 * 1024;

export type HeaderProblem = 'magic' | 'method' | 'flags' | 'name' | 'comment' | 'header-crc';

/** A header that is not a gzip member header, or a broken one; `problem` says which check failed. */
export class GzipHeaderError extends Error {
  constructor(
    readonly problem: HeaderProblem,
    message: string,
  ) {
    super(message);
    this.name = 'GzipHeaderError';
  }
}

const enum Phase {
  Fixed,
  ExtraLength,
  Extra,
  Name,
  Comment,
  HeaderCrc,
  Done,
}

export class GzipHeaderParser {
  /** Header bytes consumed so far. */
  length = 0;
  private phase = Phase.Fixed;
  private flags = 0;
  /** Bytes still to take in the current fixed-size field, or text bytes seen in Name/Comment. */
  private count = 0;
  /** Little-endian value of XLEN or the stored header CRC, as it arrives. */
  private value = 0;
  /** CRC-32 of the header bytes before FHCRC (only kept when FHCRC is set). */
  private crc = 0;
  private readonly fixed = new Uint8Array(10);

  get done(): boolean {
    return this.phase === Phase.Done;
  }

  reset(): void {
    this.length = 0;
    this.phase = Phase.Fixed;
    this.flags = 0;
    this.count = 0;
    this.value = 0;
    this.crc = 0;
  }

  /**
   * Consumes header bytes of `buf` from `from`; returns the index just past the header (it is
   * then `done`) or `buf.length` when the header goes on in the next chunk. Throws GzipHeaderError.
   */
  feed(buf: Uint8Array, from: number): number {
    let p = from;
    const end = buf.length;
    while (p < end) {
      switch (this.phase) {
        case Phase.Fixed: {
          const b = buf[p++]!;
          const i = this.length++;
          this.fixed[i] = b;
          if ((i === 0 && b !== 0x1f) || (i === 1 && b !== 0x8b)) throw new GzipHeaderError('magic', 'not a gzip member header');
          if (i === 2 && b !== 8) throw new GzipHeaderError('method', `compression method ${b} is not deflate (8)`);
          if (i === 3 && (b & FRESERVED) !== 0) {
            throw new GzipHeaderError('flags', `reserved header flags set (FLG 0x${b.toString(16).padStart(2, '0')})`);
          }
          if (i === 9) {
            this.flags = this.fixed[3]!;
            if (this.flags & FHCRC) this.crc = crc32(this.fixed);
            this.next(Phase.Fixed);
          }
          break;
        }
        case Phase.ExtraLength:
        case Phase.HeaderCrc: {
          const b = buf[p++]!;
          this.length++;
          this.value |= b << (8 * (2 - this.count));
          if (this.phase === Phase.ExtraLength) this.addCrc(buf, p - 1, p);
          if (--this.count > 0) break;
          if (this.phase === Phase.HeaderCrc) {
            if (this.value !== (this.crc & 0xffff)) {
              const want = hex4(this.crc & 0xffff);
              throw new GzipHeaderError('header-crc', `header CRC-16 0x${hex4(this.value)} does not match its header (0x${want})`);
            }
            this.phase = Phase.Done;
            return p;
          }
          this.count = this.value; // XLEN
          if (this.count > 0) this.phase = Phase.Extra;
          else this.next(Phase.Extra);
          break;
        }
        case Phase.Extra: {
          const take = Math.min(this.count, end - p);
          this.addCrc(buf, p, p + take);
          p += take;
          this.length += take;
          this.count -= take;
          if (this.count === 0) this.next(Phase.Extra);
          break;
        }
        case Phase.Name:
        case Phase.Comment: {
          const nul = buf.indexOf(0, p);
          const stop = nul < 0 ? end : nul + 1;
          this.count += stop - p - (nul < 0 ? 0 : 1);
          if (this.count > MAX_HEADER_TEXT) {
            const what = this.phase === Phase.Name ? 'name' : 'comment';
            throw new GzipHeaderError(what, `header ${what} longer than ${MAX_HEADER_TEXT} bytes`);
          }
          this.addCrc(buf, p, stop);
          this.length += stop - p;
          p = stop;
          if (nul >= 0) this.next(this.phase);
          break;
        }
        case Phase.Done:
          return p;
      }
      if (this.done) return p;
    }
    return p;
  }

  /** Moves past `after` to the next field the flags announce (RFC 1952 order). */
  private next(after: Phase): void {
    const f = this.flags;
    this.count = 0;
    this.value = 0;
    if (after < Phase.ExtraLength && f & FEXTRA) {
      this.phase = Phase.ExtraLength;
      this.count = 2;
    } else if (after < Phase.Name && f & FNAME) {
      this.phase = Phase.Name;
    } else if (after < Phase.Comment && f & FCOMMENT) {
      this.phase = Phase.Comment;
    } else if (f & FHCRC) {
      this.phase = Phase.HeaderCrc;
      this.count = 2;
    } else {
      this.phase = Phase.Done;
    }
  }

  private addCrc(buf: Uint8Array, from: number, to: number): void {
    if (this.flags & FHCRC && to > from) this.crc = crc32(buf.subarray(from, to), this.crc);
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
