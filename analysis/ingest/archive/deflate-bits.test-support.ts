/**
 * Test-only: writes deflate streams (RFC 1951) bit by bit, so tests can build the malformed ones
 * no compressor makes: reserved block types, over-subscribed codes, codes 286/287 and 30/31, too
 * distant matches, bad stored lengths.
 */

export class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;

  /** `value`'s low `count` bits, lowest first (header fields, extra bits: RFC 1951 §3.1.1). */
  bits(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.acc |= ((value >>> i) & 1) << this.n;
      if (++this.n === 8) this.flushByte();
    }
    return this;
  }

  /** A Huffman code, its first (most significant) bit first. */
  code(code: number, len: number): this {
    for (let i = len - 1; i >= 0; i--) this.bits((code >>> i) & 1, 1);
    return this;
  }

  /** Pads to a byte boundary with zero bits. */
  align(): this {
    if (this.n > 0) this.flushByte();
    return this;
  }

  raw(bytes: ArrayLike<number>): this {
    this.align();
    for (let i = 0; i < bytes.length; i++) this.bytes.push(bytes[i]!);
    return this;
  }

  done(): Buffer {
    this.align();
    return Buffer.from(this.bytes);
  }

  private flushByte(): void {
    this.bytes.push(this.acc);
    this.acc = 0;
    this.n = 0;
  }
}

/** The fixed literal/length code of `sym` (RFC 1951 §3.2.6). */
export function fixedLit(w: BitWriter, sym: number): BitWriter {
  if (sym < 144) return w.code(0x30 + sym, 8);
  if (sym < 256) return w.code(0x190 + sym - 144, 9);
  if (sym < 280) return w.code(sym - 256, 7);
  return w.code(0xc0 + sym - 280, 8);
}

/** Canonical codes for code lengths `lens` (RFC 1951 §3.2.2); over-subscribed sets give garbage. */
export function canonicalCodes(lens: readonly number[]): number[] {
  const count = new Array<number>(16).fill(0);
  for (const l of lens) count[l]!++;
  count[0] = 0;
  const next = new Array<number>(16).fill(0);
  let code = 0;
  for (let len = 1; len < 16; len++) {
    code = (code + count[len - 1]!) << 1;
    next[len] = code;
  }
  return lens.map((l) => (l === 0 ? 0 : next[l]!++));
}

/** Code-length code lengths used by `dynamicHeader`: complete, every symbol 0–18 present. */
const CL_LENS = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 2, 3, 3];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** One code-length symbol with its extra bits (16: 2 bits, 17: 3, 18: 7). */
export type CodeLengthSymbol = number | [sym: 16 | 17 | 18, extra: number];

export interface DynamicHeader {
  final?: boolean;
  /** HLIT + 257 and HDIST + 1 as written; by default the lengths' counts. */
  nlen?: number;
  ndist?: number;
  /** Code-length code lengths in symbol order (19); by default a complete set. */
  clLens?: readonly number[];
  /** The run-length coded code lengths as written; by default each length as itself. */
  symbols?: readonly CodeLengthSymbol[];
}

/**
 * Writes a dynamic block header (RFC 1951 §3.2.7) for literal/length lengths `lit` and distance
 * lengths `dist`; returns their canonical codes for the block's data.
 */
export function dynamicHeader(w: BitWriter, lit: readonly number[], dist: readonly number[], h: DynamicHeader = {}): { lit: number[]; dist: number[] } {
  const clLens = h.clLens ?? CL_LENS;
  w.bits(h.final === false ? 0 : 1, 1).bits(2, 2);
  w.bits((h.nlen ?? lit.length) - 257, 5).bits((h.ndist ?? dist.length) - 1, 5).bits(19 - 4, 4);
  for (const sym of CL_ORDER) w.bits(clLens[sym]!, 3);
  const clCodes = canonicalCodes(clLens);
  for (const s of h.symbols ?? [...lit, ...dist]) {
    const [sym, extra] = typeof s === 'number' ? [s, 0] : s;
    w.code(clCodes[sym]!, clLens[sym]!);
    if (sym === 16) w.bits(extra, 2);
    if (sym === 17) w.bits(extra, 3);
    if (sym === 18) w.bits(extra, 7);
  }
  return { lit: canonicalCodes(lit), dist: canonicalCodes(dist) };
}

/** Complete literal/length lengths: 226 codes of 8 bits (literals 0–196, lengths 257–285), 60 of 9. */
export function litLengths(): number[] {
  const lens = new Array<number>(286).fill(9);
  for (let s = 0; s < 197; s++) lens[s] = 8;
  for (let s = 257; s < 286; s++) lens[s] = 8;
  return lens;
}

/** Complete distance lengths: codes 0 and 1 of 4 bits, 2–29 of 5. */
export function distLengths(): number[] {
  return [4, 4, ...new Array<number>(28).fill(5)];
}
