/**
 * A raw-deflate (RFC 1951) inflater in plain TypeScript on Uint8Arrays: no node internals, so it
 * runs on any runtime (another Node major, Electron's Node) where RawInflater cannot drive node's
 * zlib handle. Same contract (inflater.ts), and better on bad data: the output before an error is
 * exact, so a decoder driving it loses nothing to a corrupt block.
 *
 * Resumable at any bit: input may stop anywhere (the state, up to 32 pending bits, is kept) and
 * output stops exactly at the room given (a match may be split across calls). The checks and their
 * messages are zlib's (inflate.c), so a file is reported the same whichever inflater read it.
 *
 * Output goes through a 128 KiB buffer that keeps the 32 KiB window; a back-reference before the
 * start of the stream is refused ("invalid distance too far back"), so nothing uninitialised is read.
 * Memory is fixed per inflater (buffer and tables, ~150 KiB), whatever the input.
 */
import {
  Alphabet,
  buildTable,
  CODELEN_ENOUGH,
  CODELEN_ROOT,
  DIST_ENOUGH,
  DIST_ROOT,
  fixedTables,
  LITLEN_ENOUGH,
  LITLEN_ROOT,
  OP_BASE,
  OP_EOB,
  OP_LIT,
  OP_MASK,
  OP_SUB,
} from './inflate-tables.js';
import type { Inflater } from './inflater.js';
import { copyMatch, inflateFast, Mode, type FastState } from './inflate-fast.js';

const EMPTY = new Uint8Array(0);
/** Deflate's window (RFC 1951 §2: distances up to 32768). */
const WINDOW = 32 << 10;
const BUFFER = WINDOW + (96 << 10);
/** Past this, the last WINDOW bytes move to the front of the buffer. */
const SLIDE_AT = BUFFER - 1024;
/** Order of the code-length code lengths in a dynamic block header (RFC 1951 §3.2.7). */
const CODELEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

export class JsInflater implements Inflater, FastState {
  error: string | null = null;
  read = 0;
  wrote = 0;

  mode = Mode.Header;
  /** The current block is the final one (BFINAL). */
  last = false;
  /** Input bits not yet used, lowest first; `bits` of them. */
  hold = 0;
  bits = 0;
  /** Output buffer; win[0, p) is output, its last WINDOW bytes the window. */
  readonly win = new Uint8Array(BUFFER);
  p = 0;
  /** Input of the current `write`: inp[ip, inEnd). */
  ip = 0;
  private inp: Uint8Array = EMPTY;
  private inEnd = 0;

  lcode: Int32Array;
  lbits: number;
  dcode: Int32Array;
  dbits: number;
  private readonly ltab = new Int32Array(LITLEN_ENOUGH);
  private readonly dtab = new Int32Array(DIST_ENOUGH);
  private readonly ctab = new Int32Array(CODELEN_ENOUGH);
  private cbits = 0;
  private readonly lens = new Uint8Array(286 + 30);
  private nlen = 0;
  private ndist = 0;
  private ncode = 0;
  private have = 0;
  /** Length of the match being decoded or copied, its distance, and extra bits still to read. */
  private length = 0;
  private dist = 0;
  private extra = 0;

  constructor() {
    const f = fixedTables();
    this.lcode = f.lit;
    this.lbits = f.litBits;
    this.dcode = f.dist;
    this.dbits = f.distBits;
  }

  /** The deflate stream has ended (its final block is complete). */
  get ended(): boolean {
    return this.mode === Mode.Done;
  }

  write(input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number, finish = false): boolean {
    if (inOff < 0 || inLen < 0 || inOff + inLen > input.length || outOff < 0 || outLen < 0 || outOff + outLen > out.length) {
      throw new RangeError('JsInflater.write: range outside its buffer');
    }
    this.read = 0;
    this.wrote = 0;
    if (this.error !== null) return false;
    this.inp = input;
    this.ip = inOff;
    this.inEnd = inOff + inLen;
    let wrote = 0;
    let starved = false;
    while (wrote < outLen && !starved && this.mode < Mode.Done) {
      if (this.p >= SLIDE_AT) {
        this.win.copyWithin(0, this.p - WINDOW, this.p);
        this.p = WINDOW;
      }
      const start = this.p;
      starved = this.run(start + Math.min(outLen - wrote, BUFFER - start));
      if (this.p > start) {
        out.set(this.win.subarray(start, this.p), outOff + wrote);
        wrote += this.p - start;
      }
    }
    this.read = this.ip - inOff;
    this.wrote = wrote;
    this.inp = EMPTY;
    if (this.error !== null) return false;
    if (finish && starved && this.mode !== Mode.Done) {
      this.error = 'unexpected end of file';
      return false;
    }
    return true;
  }

  reset(): void {
    this.error = null;
    this.mode = Mode.Header;
    this.last = false;
    this.hold = 0;
    this.bits = 0;
    this.p = 0;
    this.length = 0;
  }

  close(): void {
    this.inp = EMPTY;
  }

  /** Takes input bytes until `n` bits are held; false when the input runs out first. */
  private need(n: number): boolean {
    while (this.bits < n) {
      if (this.ip >= this.inEnd) return false;
      this.hold |= this.inp[this.ip++]! << this.bits;
      this.bits += 8;
    }
    return true;
  }

  private drop(n: number): void {
    this.hold >>>= n;
    this.bits -= n;
  }

  private fail(message: string): false {
    this.error = message;
    this.mode = Mode.Bad;
    return false;
  }

  /**
   * Looks up the next code of `table` (root `rootBits`), taking input bytes until the held bits
   * cover it (a shorter prefix needs no more: codes are prefix-free and every entry holds its
   * length). Returns the entry with the root bits of a long code dropped, or -1 when the input runs
   * out first. Slow path only: inflateFast does this inline.
   */
  private decode(table: Int32Array, rootBits: number): number {
    const mask = (1 << rootBits) - 1;
    for (;;) {
      const e = table[this.hold & mask]!;
      if ((e & OP_MASK) === OP_SUB) {
        const sub = table[(e >>> 16) + ((this.hold >>> rootBits) & ((1 << ((e >>> 8) & 15)) - 1))]!;
        if (rootBits + (sub & 31) <= this.bits) {
          this.drop(rootBits);
          return sub;
        }
      } else if ((e & 31) <= this.bits) {
        return e;
      }
      if (this.ip >= this.inEnd) return -1;
      this.hold |= this.inp[this.ip++]! << this.bits;
      this.bits += 8;
    }
  }

  /**
   * Decodes until win reaches `limit`, the input runs out (returns true), the stream ends or the
   * data is bad (returns false; `mode` says which).
   */
  private run(limit: number): boolean {
    for (;;) {
      switch (this.mode) {
        case Mode.Header: {
          if (!this.need(3)) return true;
          this.last = (this.hold & 1) === 1;
          const type = (this.hold >>> 1) & 3;
          this.drop(3);
          if (type === 0) {
            this.mode = Mode.StoredLen;
          } else if (type === 1) {
            const f = fixedTables();
            this.lcode = f.lit;
            this.lbits = f.litBits;
            this.dcode = f.dist;
            this.dbits = f.distBits;
            this.mode = Mode.Len;
          } else if (type === 2) {
            this.mode = Mode.Table;
          } else {
            return this.fail('invalid block type');
          }
          break;
        }
        case Mode.StoredLen: {
          this.drop(this.bits & 7); // stored data starts on a byte boundary (RFC 1951 §3.2.4)
          if (!this.need(32)) return true;
          const len = this.hold & 0xffff;
          if (len !== (~this.hold >>> 16 & 0xffff)) return this.fail('invalid stored block lengths');
          this.hold = 0;
          this.bits = 0;
          this.length = len;
          this.mode = Mode.Stored;
          break;
        }
        case Mode.Stored: {
          if (this.length === 0) {
            this.mode = this.last ? Mode.Done : Mode.Header;
            break;
          }
          if (this.p >= limit) return false;
          if (this.ip >= this.inEnd) return true;
          const n = Math.min(this.length, limit - this.p, this.inEnd - this.ip);
          this.win.set(this.inp.subarray(this.ip, this.ip + n), this.p);
          this.ip += n;
          this.p += n;
          this.length -= n;
          break;
        }
        case Mode.Table: {
          if (!this.need(14)) return true;
          this.nlen = (this.hold & 31) + 257;
          this.ndist = ((this.hold >>> 5) & 31) + 1;
          this.ncode = ((this.hold >>> 10) & 15) + 4;
          this.drop(14);
          if (this.nlen > 286 || this.ndist > 30) return this.fail('too many length or distance symbols');
          this.have = 0;
          this.mode = Mode.CodeLenLens;
          break;
        }
        case Mode.CodeLenLens: {
          while (this.have < this.ncode) {
            if (!this.need(3)) return true;
            this.lens[CODELEN_ORDER[this.have++]!] = this.hold & 7;
            this.drop(3);
          }
          while (this.have < 19) this.lens[CODELEN_ORDER[this.have++]!] = 0;
          this.cbits = buildTable(this.lens, 0, 19, Alphabet.CodeLengths, this.ctab, CODELEN_ROOT);
          if (this.cbits < 0) return this.fail('invalid code lengths set');
          this.have = 0;
          this.mode = Mode.CodeLens;
          break;
        }
        case Mode.CodeLens:
          if (!this.codeLengths()) return this.error === null; // starved, unless it failed
          break;
        case Mode.Len: {
          if (this.p >= limit) return false;
          if (this.inEnd - this.ip >= 8 && limit - this.p >= 258) {
            inflateFast(this, this.inp, this.inEnd, limit);
            if (this.error !== null) return false;
            break;
          }
          const e = this.decode(this.lcode, this.lbits);
          if (e < 0) return true;
          this.drop(e & 31);
          const op = e & OP_MASK;
          if (op === OP_LIT) {
            this.win[this.p++] = e >>> 16;
          } else if (op === OP_BASE) {
            this.length = e >>> 16;
            this.extra = (e >>> 8) & 15;
            this.mode = Mode.LenExtra;
          } else if (op === OP_EOB) {
            this.mode = this.last ? Mode.Done : Mode.Header;
          } else {
            return this.fail('invalid literal/length code');
          }
          break;
        }
        case Mode.LenExtra:
          if (!this.need(this.extra)) return true;
          this.length += this.hold & ((1 << this.extra) - 1);
          this.drop(this.extra);
          this.mode = Mode.Dist;
          break;
        case Mode.Dist: {
          const e = this.decode(this.dcode, this.dbits);
          if (e < 0) return true;
          this.drop(e & 31);
          if ((e & OP_MASK) !== OP_BASE) return this.fail('invalid distance code');
          this.dist = e >>> 16;
          this.extra = (e >>> 8) & 15;
          this.mode = Mode.DistExtra;
          break;
        }
        case Mode.DistExtra:
          if (!this.need(this.extra)) return true;
          this.dist += this.hold & ((1 << this.extra) - 1);
          this.drop(this.extra);
          if (this.dist > this.p) return this.fail('invalid distance too far back');
          this.mode = Mode.Copy;
          break;
        case Mode.Copy: {
          if (this.p >= limit) return false;
          const n = Math.min(this.length, limit - this.p);
          copyMatch(this.win, this.p, this.dist, n);
          this.p += n;
          this.length -= n;
          if (this.length === 0) this.mode = Mode.Len;
          break;
        }
        case Mode.Done:
        case Mode.Bad:
          return false;
      }
    }
  }

  /**
   * The literal/length and distance code lengths of a dynamic block, run-length coded with the
   * code-length code (RFC 1951 §3.2.7), then their tables. False when the input ran out or the
   * data is bad (`mode` Bad).
   */
  private codeLengths(): boolean {
    const total = this.nlen + this.ndist;
    const lens = this.lens;
    while (this.have < total) {
      const e = this.decode(this.ctab, this.cbits);
      if (e < 0) return false;
      const sym = e >>> 16;
      const n = e & 31;
      if (sym < 16) {
        this.drop(n);
        lens[this.have++] = sym;
        continue;
      }
      // 16: copy the previous length 3–6 times; 17: 3–10 zeros; 18: 11–138 zeros.
      const extra = sym === 16 ? 2 : sym === 17 ? 3 : 7;
      if (!this.need(n + extra)) return false;
      this.drop(n);
      let value = 0;
      if (sym === 16) {
        if (this.have === 0) return this.fail('invalid bit length repeat');
        value = lens[this.have - 1]!;
      }
      const repeat = (sym === 18 ? 11 : 3) + (this.hold & ((1 << extra) - 1));
      this.drop(extra);
      if (this.have + repeat > total) return this.fail('invalid bit length repeat');
      lens.fill(value, this.have, this.have + repeat);
      this.have += repeat;
    }
    if (lens[256] === 0) return this.fail('invalid code -- missing end-of-block');
    const lbits = buildTable(lens, 0, this.nlen, Alphabet.LitLen, this.ltab, LITLEN_ROOT);
    if (lbits < 0) return this.fail('invalid literal/lengths set');
    const dbits = buildTable(lens, this.nlen, this.ndist, Alphabet.Dist, this.dtab, DIST_ROOT);
    if (dbits < 0) return this.fail('invalid distances set');
    this.lcode = this.ltab;
    this.lbits = lbits;
    this.dcode = this.dtab;
    this.dbits = dbits;
    this.mode = Mode.Len;
    return true;
  }
}
