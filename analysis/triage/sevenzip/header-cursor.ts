/**
 * A bounds-checked reader over 7z header bytes (7zFormat.txt): bytes, the variable-length UINT64
 * ("first byte's leading 1 bits say how many bytes follow"), fixed little-endian UINT32/UINT64,
 * and the MSB-first bit vectors. Every read past the end throws SevenZipError('truncated'), and
 * every count is checked against what the remaining bytes could hold before anything is allocated.
 */
import { SevenZipError } from './sevenzip-error.js';

export class HeaderCursor {
  pos: number;
  readonly end: number;
  constructor(readonly bytes: Uint8Array, start = 0, end = bytes.length) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) throw new SevenZipError('truncated', `header ends inside ${what} (byte ${this.pos})`);
  }

  byte(what = 'a property id'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  /**
   * 7z UINT64: `0xxxxxxx` is 7 bits; `10xxxxxx y` is 6 high bits + 1 byte; … `11111111` + 8 bytes.
   * Values past 2^53 cannot be a real size or count in this reader: they are refused as 'limit'.
   */
  number(what = 'a number'): number {
    const first = this.byte(what);
    let mask = 0x80;
    let extra = 0;
    while (extra < 8 && (first & mask) !== 0) {
      extra++;
      mask >>>= 1;
    }
    this.need(extra, what);
    let value = 0;
    let scale = 1;
    for (let i = 0; i < extra; i++) {
      value += this.bytes[this.pos++]! * scale;
      scale *= 256;
    }
    // The first byte's bits below the length prefix are the value's high part (none when 8 bytes follow).
    if (extra < 8) value += (first & (mask - 1)) * scale;
    if (!Number.isSafeInteger(value)) throw new SevenZipError('limit', `${what} ${value} is beyond 2^53`);
    return value;
  }

  /** A number used as a count or size: at most `max` (else SevenZipError 'limit'). */
  bounded(max: number, what: string): number {
    const n = this.number(what);
    if (n > max) throw new SevenZipError('limit', `${what} ${n} is over the bound ${max}`);
    return n;
  }

  uint32(what = 'a UINT32'): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Fixed 8-byte little-endian UINT64 (signature header); 'limit' past 2^53. */
  uint64(what = 'a UINT64'): number {
    const lo = this.uint32(what);
    const hi = this.uint32(what);
    const v = hi * 2 ** 32 + lo;
    if (!Number.isSafeInteger(v)) throw new SevenZipError('limit', `${what} is beyond 2^53`);
    return v;
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** `count` bits, most significant bit of each byte first. */
  bits(count: number, what: string): boolean[] {
    this.need(Math.ceil(count / 8), what);
    const out = new Array<boolean>(count);
    for (let i = 0; i < count; i++) out[i] = (this.bytes[this.pos + (i >>> 3)]! & (0x80 >>> (i & 7))) !== 0;
    this.pos += Math.ceil(count / 8);
    return out;
  }

  /** 7zFormat.txt's "AllAreDefined" byte, then (when 0) one bit per item. */
  defined(count: number, what: string): boolean[] {
    const all = this.byte(what);
    return all !== 0 ? new Array<boolean>(count).fill(true) : this.bits(count, what);
  }

  /** Digests: a defined vector, then one UINT32 CRC per defined item (null where undefined). */
  digests(count: number, what: string): (number | null)[] {
    const def = this.defined(count, what);
    return def.map((d) => (d ? this.uint32(what) : null));
  }
}
