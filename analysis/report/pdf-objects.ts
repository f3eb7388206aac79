/**
 * A small, bounded reader of PDF objects (ISO 32000-1 §7.2 lexical conventions, §7.3 objects,
 * §7.5.4 cross-reference table, §7.5.5 trailer), just enough to look up the printed report's named
 * destinations (pdf-dest-pages.ts). It reads the classic `xref` table that Chromium's Skia PDF
 * backend writes (PDF 1.4, no object or cross-reference streams) and follows `/Prev` chains; a
 * cross-reference stream is reported as unsupported rather than guessed at. Objects are found by
 * their xref offsets only — never by scanning for `obj`, which the text of a quoted alert could
 * imitate inside a string. Every loop is bounded by a shared step budget and a nesting limit, and
 * bad bytes end in a `PdfReadError` that the caller turns into a plain reason.
 */

export class PdfReadError extends Error {}

export class PdfName {
  constructor(readonly value: string) {}
}
export class PdfRef {
  constructor(readonly num: number, readonly gen: number) {}
}
export class PdfString {
  constructor(readonly bytes: Uint8Array) {}
  /** Text strings (§7.9.2.2): UTF-16BE with a BOM, else PDFDocEncoding (read as Latin-1). */
  text(): string {
    const b = this.bytes;
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      let s = '';
      for (let i = 2; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  }
}
export type PdfDict = Map<string, PdfValue>;
export type PdfValue = number | boolean | null | PdfName | PdfRef | PdfString | PdfValue[] | PdfDict;

/** Limits: nesting of arrays/dicts, bytes of one string, xref sections followed, work per document. */
export const PDF_MAX_DEPTH = 32;
export const PDF_MAX_STRING = 64 * 1024;
export const PDF_MAX_XREF_SECTIONS = 16;
export const PDF_MAX_OBJECTS = 10_000_000;
export const PDF_STEP_BUDGET = 20_000_000;

const isWhite = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
const isDelim = (c: number): boolean => c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x2f || c === 0x25;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** §7.3.4.2 Table 3: \n \r \t \b \f \( \) \\ */
const STRING_ESCAPES: Readonly<Record<number, number>> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
const hexVal = (c: number): number => (isDigit(c) ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

export function isDict(v: PdfValue | undefined): v is PdfDict {
  return v instanceof Map;
}

export class PdfDocument {
  private pos = 0;
  private steps = 0;
  private readonly offsets = new Map<number, number>();
  private readonly cache = new Map<number, PdfValue>();
  readonly trailer: PdfDict;

  constructor(private readonly b: Uint8Array) {
    this.trailer = this.readXrefChain();
  }

  /** The value behind a reference (following up to 16 references in a row), or the value itself. */
  resolve(v: PdfValue | undefined): PdfValue | undefined {
    for (let hops = 0; v instanceof PdfRef; hops++) {
      if (hops >= 16) throw new PdfReadError('reference chain too long');
      v = this.object(v.num);
    }
    return v;
  }

  /** Object `num`'s value (a stream object gives its dictionary); null when the xref has no such object. */
  object(num: number): PdfValue {
    const hit = this.cache.get(num);
    if (hit !== undefined) return hit;
    const off = this.offsets.get(num);
    if (off === undefined) return null;
    this.pos = off;
    const n = this.readValue(0);
    const g = this.readValue(0);
    if (n !== num || typeof g !== 'number' || !this.keyword('obj')) throw new PdfReadError(`object ${num} is not at its xref offset ${off}`);
    const v = this.readValue(0);
    this.cache.set(num, v);
    return v;
  }

  private step(): void {
    if (++this.steps > PDF_STEP_BUDGET) throw new PdfReadError('document too complex (step budget spent)');
  }

  private readXrefChain(): PdfDict {
    const tail = Buffer.from(this.b.buffer, this.b.byteOffset, this.b.byteLength).lastIndexOf('startxref', undefined, 'latin1');
    if (tail < 0 || this.b.length - tail > 4096) throw new PdfReadError('no startxref at the end of the file');
    this.pos = tail + 9;
    let at = this.readValue(0);
    let first: PdfDict | null = null;
    const seen = new Set<number>();
    for (let sections = 0; typeof at === 'number'; sections++) {
      if (sections >= PDF_MAX_XREF_SECTIONS || seen.has(at)) throw new PdfReadError('xref /Prev chain loops or is too long');
      if (!Number.isInteger(at) || at < 0 || at >= this.b.length) throw new PdfReadError(`xref offset ${at} outside the file`);
      seen.add(at);
      const trailer = this.readXrefSection(at);
      first ??= trailer;
      at = trailer.get('Prev') ?? null;
    }
    if (!first) throw new PdfReadError('no trailer');
    return first;
  }

  /** One `xref` table and its trailer; entries already known (from a newer section) are kept. */
  private readXrefSection(at: number): PdfDict {
    this.pos = at;
    if (!this.keyword('xref')) throw new PdfReadError('cross-reference stream (PDF 1.5) is not supported, only xref tables');
    for (;;) {
      this.skipWhite();
      if (this.keyword('trailer')) break;
      const start = this.readValue(0);
      const count = this.readValue(0);
      if (typeof start !== 'number' || typeof count !== 'number' || !Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > PDF_MAX_OBJECTS) {
        throw new PdfReadError('bad xref subsection header');
      }
      if (count * 18 > this.b.length - this.pos) throw new PdfReadError('xref subsection longer than the file');
      for (let i = 0; i < count; i++) {
        const off = this.readValue(0);
        this.readValue(0);
        const inUse = this.keyword('n');
        if (!inUse && !this.keyword('f')) throw new PdfReadError('bad xref entry');
        if (inUse && typeof off === 'number' && !this.offsets.has(start + i)) this.offsets.set(start + i, off);
      }
    }
    const trailer = this.readValue(0);
    if (!isDict(trailer)) throw new PdfReadError('trailer is not a dictionary');
    return trailer;
  }

  private skipWhite(): void {
    const b = this.b;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (isWhite(c)) this.pos++;
      else if (c === 0x25) while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      else break;
    }
  }

  /** Consumes `word` when it is the next token (followed by white space, a delimiter or the end). */
  private keyword(word: string): boolean {
    this.skipWhite();
    const b = this.b;
    for (let i = 0; i < word.length; i++) if (b[this.pos + i] !== word.charCodeAt(i)) return false;
    const next = b[this.pos + word.length];
    if (next !== undefined && !isWhite(next) && !isDelim(next)) return false;
    this.pos += word.length;
    return true;
  }

  private readValue(depth: number): PdfValue {
    this.step();
    if (depth > PDF_MAX_DEPTH) throw new PdfReadError('objects nested too deeply');
    this.skipWhite();
    const b = this.b;
    const c = b[this.pos];
    if (c === undefined) throw new PdfReadError('unexpected end of file');
    if (c === 0x2f) return this.readName();
    if (c === 0x28) return this.readLiteral();
    if (c === 0x5b) {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skipWhite();
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        arr.push(this.readValue(depth + 1));
      }
    }
    if (c === 0x3c && b[this.pos + 1] === 0x3c) {
      this.pos += 2;
      const dict: PdfDict = new Map();
      for (;;) {
        this.skipWhite();
        if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
          this.pos += 2;
          return dict;
        }
        if (b[this.pos] !== 0x2f) throw new PdfReadError('dictionary key is not a name');
        const key = this.readName().value;
        dict.set(key, this.readValue(depth + 1));
      }
    }
    if (c === 0x3c) return this.readHex();
    if (isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) return this.readNumberOrRef();
    if (this.keyword('true')) return true;
    if (this.keyword('false')) return false;
    if (this.keyword('null')) return null;
    throw new PdfReadError(`unexpected byte 0x${c.toString(16)} at ${this.pos}`);
  }

  private readName(): PdfName {
    const b = this.b;
    this.pos++;
    let s = '';
    while (this.pos < b.length && !isWhite(b[this.pos]!) && !isDelim(b[this.pos]!)) {
      this.step();
      const c = b[this.pos]!;
      // §7.3.5: #xx is the byte with that hex code.
      if (c === 0x23 && hexVal(b[this.pos + 1] ?? 0) >= 0 && hexVal(b[this.pos + 2] ?? 0) >= 0) {
        s += String.fromCharCode(hexVal(b[this.pos + 1]!) * 16 + hexVal(b[this.pos + 2]!));
        this.pos += 3;
      } else {
        s += String.fromCharCode(c);
        this.pos++;
      }
      if (s.length > PDF_MAX_STRING) throw new PdfReadError('name too long');
    }
    return new PdfName(s);
  }

  private readNumber(): number {
    const b = this.b;
    const start = this.pos;
    if (b[this.pos] === 0x2b || b[this.pos] === 0x2d) this.pos++;
    while (this.pos < b.length && (isDigit(b[this.pos]!) || b[this.pos] === 0x2e) && this.pos - start < 32) this.pos++;
    const v = Number(Buffer.from(b.buffer, b.byteOffset + start, this.pos - start).toString('latin1'));
    if (!Number.isFinite(v)) throw new PdfReadError(`bad number at ${start}`);
    return v;
  }

  /** `12`, or `12 0 R` (§7.3.10): two unsigned integers followed by the keyword R. */
  private readNumberOrRef(): PdfValue {
    const v = this.readNumber();
    if (!Number.isInteger(v) || v < 0) return v;
    const save = this.pos;
    this.skipWhite();
    if (isDigit(this.b[this.pos] ?? 0)) {
      const g = this.readNumber();
      if (Number.isInteger(g) && g >= 0 && this.keyword('R')) return new PdfRef(v, g);
    }
    this.pos = save;
    return v;
  }

  private readLiteral(): PdfString {
    const b = this.b;
    const out: number[] = [];
    let nest = 1;
    this.pos++;
    while (this.pos < b.length) {
      this.step();
      if (out.length > PDF_MAX_STRING) throw new PdfReadError('string too long');
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const d = b[this.pos++];
        if (d === undefined) break;
        const simple = STRING_ESCAPES[d];
        if (simple !== undefined) out.push(simple);
        else if (d >= 0x30 && d <= 0x37) {
          let v = d - 0x30;
          for (let k = 0; k < 2 && (b[this.pos] ?? 0) >= 0x30 && (b[this.pos] ?? 0) <= 0x37; k++) v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else if (d === 0x0d && b[this.pos] === 0x0a) this.pos++;
        else if (d !== 0x0a && d !== 0x0d) out.push(d);
      } else if (c === 0x28) {
        nest++;
        out.push(c);
      } else if (c === 0x29) {
        if (--nest === 0) return new PdfString(Uint8Array.from(out));
        out.push(c);
      } else out.push(c);
    }
    throw new PdfReadError('unterminated string');
  }

  private readHex(): PdfString {
    const b = this.b;
    const out: number[] = [];
    let hi = -1;
    this.pos++;
    while (this.pos < b.length) {
      this.step();
      const c = b[this.pos++]!;
      if (c === 0x3e) {
        if (hi >= 0) out.push(hi * 16);
        return new PdfString(Uint8Array.from(out));
      }
      if (isWhite(c)) continue;
      const h = hexVal(c);
      if (h < 0) throw new PdfReadError('bad hex string');
      if (hi < 0) hi = h;
      else {
        out.push(hi * 16 + h);
        hi = -1;
      }
      if (out.length > PDF_MAX_STRING) throw new PdfReadError('string too long');
    }
    throw new PdfReadError('unterminated hex string');
  }
}
