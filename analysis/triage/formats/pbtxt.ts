/**
 * Protocol Buffers text format (protobuf.dev/reference/protobuf/textformat-spec) parsed without a
 * schema into plain objects, as Triton's config.pbtxt uses it: `name: value`, nested `{ }` or
 * `< >` messages with optional colon, `[ ]` lists, adjacent strings concatenated, C-style escapes,
 * `#` comments, optional `,`/`;` separators. A field seen once maps to its value; a repeated field
 * or a list maps to an array (pbList reads either way). Input, token count and depth are bounded.
 */

export type PbValue = string | number | boolean | PbMessage;
export interface PbMessage {
  [field: string]: PbValue | PbValue[];
}

export const MAX_PBTXT_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 100;

export class PbtxtError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = 'PbtxtError';
  }
}

/** A field's values as an array, whether it was written once, repeated or as a list. */
export function pbList(msg: PbMessage, field: string): PbValue[] {
  if (!Object.prototype.hasOwnProperty.call(msg, field)) return [];
  const v = msg[field]!;
  return Array.isArray(v) ? v : [v];
}

export function pbString(msg: PbMessage, field: string): string | null {
  const v = pbList(msg, field)[0];
  return typeof v === 'string' ? v : null;
}

export function isPbMessage(v: PbValue | undefined): v is PbMessage {
  return typeof v === 'object' && v !== null;
}

export interface PbtxtParse {
  message: PbMessage;
  /** Null when the whole text parsed; else why it stopped (what came before is in `message`). */
  error: PbtxtError | null;
}

type TokKind = 'ident' | 'string' | 'number' | 'punct' | 'eof';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '?': '?', '\\': '\\', "'": "'", '"': '"' };

export function parsePbtxt(text: string): PbtxtParse {
  const message = newMessage();
  const p = new Parser(text.length > MAX_PBTXT_BYTES ? text.slice(0, MAX_PBTXT_BYTES) : text);
  try {
    if (text.length > MAX_PBTXT_BYTES) throw new PbtxtError(`text longer than ${MAX_PBTXT_BYTES} characters`, 1, 1);
    p.next();
    p.fields(message, 'eof', 0);
    return { message, error: null };
  } catch (e) {
    if (e instanceof PbtxtError) return { message, error: e };
    throw e;
  }
}

function newMessage(): PbMessage {
  return Object.create(null) as PbMessage;
}

function add(msg: PbMessage, field: string, value: PbValue, asList: boolean): void {
  const existing = Object.prototype.hasOwnProperty.call(msg, field) ? msg[field] : undefined;
  if (existing === undefined) msg[field] = asList ? [value] : value;
  else if (Array.isArray(existing)) existing.push(value);
  else msg[field] = [existing, value];
}

class Parser {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  kind: TokKind = 'eof';
  tok = '';
  private tokLine = 1;
  private tokCol = 1;

  constructor(private readonly s: string) {}

  /** The current token is the punctuation `p` (a method, so narrowing does not stick across next()). */
  private at(p: string): boolean {
    return this.kind === 'punct' && this.tok === p;
  }

  fail(message: string): never {
    throw new PbtxtError(message, this.tokLine, this.tokCol);
  }

  /** Fields until `close` ('}', '>' or end of input). */
  fields(msg: PbMessage, close: string, depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`messages nested deeper than ${MAX_DEPTH}`);
    for (;;) {
      if (this.kind === 'eof') {
        if (close === 'eof') return;
        this.fail(`missing "${close}"`);
      }
      if (this.kind === 'punct' && this.tok === close) return;
      let name: string;
      if (this.kind === 'ident') name = this.tok;
      else if (this.at('[')) name = this.extensionName();
      else this.fail(`expected a field name, found ${JSON.stringify(this.tok)}`);
      this.next();
      const colon = this.at(':');
      if (colon) this.next();
      this.fieldValue(msg, name, colon, depth);
      if (this.at(',') || this.at(';')) this.next();
    }
  }

  /** `[type.googleapis.com/pkg.Msg]` or `[pkg.ext]`: kept as written. */
  private extensionName(): string {
    let name = '[';
    this.next();
    while (!this.at(']')) {
      if (this.kind === 'eof') this.fail('unterminated extension name');
      name += this.tok;
      this.next();
    }
    return name + ']';
  }

  private fieldValue(msg: PbMessage, name: string, colon: boolean, depth: number): void {
    if (this.at('{') || this.at('<')) {
      const m = newMessage();
      add(msg, name, m, false);
      this.messageValue(m, depth);
      return;
    }
    if (this.at('[')) {
      this.next();
      if (!Object.prototype.hasOwnProperty.call(msg, name)) msg[name] = [];
      while (!this.at(']')) {
        // Messages are attached before they are filled, so a parse error keeps what was read.
        if (this.at('{') || this.at('<')) {
          const m = newMessage();
          add(msg, name, m, true);
          this.messageValue(m, depth);
        } else add(msg, name, this.scalar(), true);
        if (this.at(',')) this.next();
        else if (!this.at(']')) this.fail('expected "," or "]" in a list');
      }
      this.next();
      return;
    }
    if (!colon) this.fail(`expected ":" after ${JSON.stringify(name)}`);
    add(msg, name, this.scalar(), false);
  }

  private messageValue(m: PbMessage, depth: number): void {
    const close = this.tok === '{' ? '}' : '>';
    this.next();
    this.fields(m, close, depth + 1);
    this.next();
  }

  private scalar(): PbValue {
    if (this.kind === 'string') {
      let s = this.tok;
      this.next();
      while (this.kind === 'string') {
        s += this.tok;
        this.next();
      }
      return s;
    }
    let sign = '';
    if (this.at('-')) {
      sign = '-';
      this.next();
    }
    if (this.kind === 'number') {
      const v = parseNumber(this.tok);
      if (v === null) this.fail(`bad number ${JSON.stringify(this.tok)}`);
      this.next();
      return sign === '-' ? -v : v;
    }
    if (this.kind === 'ident') {
      const id = this.tok;
      this.next();
      const lower = id.toLowerCase();
      if (lower === 'inf' || lower === 'infinity') return sign === '-' ? -Infinity : Infinity;
      if (lower === 'nan') return NaN;
      if (sign === '') {
        if (id === 'true' || id === 'True' || id === 't') return true;
        if (id === 'false' || id === 'False' || id === 'f') return false;
      }
      return sign + id;
    }
    this.fail(`expected a value, found ${JSON.stringify(this.tok)}`);
  }

  /** Advances to the next token, skipping whitespace and `#` comments. */
  next(): void {
    const s = this.s;
    for (;;) {
      while (this.i < s.length) {
        const c = s.charCodeAt(this.i);
        if (c === 0x0a) {
          this.line++;
          this.lineStart = this.i + 1;
        } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c) break;
        this.i++;
      }
      if (s[this.i] !== '#') break;
      const nl = s.indexOf('\n', this.i);
      this.i = nl < 0 ? s.length : nl;
    }
    this.tokLine = this.line;
    this.tokCol = this.i - this.lineStart + 1;
    if (this.i >= s.length) {
      this.kind = 'eof';
      this.tok = '';
      return;
    }
    const c = s[this.i]!;
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(s.slice(this.i, this.i + 1024))!;
      this.kind = 'ident';
      this.tok = m[0];
    } else if (/[0-9.]/.test(c)) {
      const m = /^(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]+)?[fFuUlL]*)/.exec(s.slice(this.i, this.i + 1024))!;
      if (m[0] === '' || m[0] === '.') this.fail(`unexpected ${JSON.stringify(c)}`);
      this.kind = 'number';
      this.tok = m[0];
    } else if (c === '"' || c === "'") {
      this.kind = 'string';
      this.tok = this.stringLiteral(c);
      return;
    } else if ('{}[]<>:,;-'.includes(c)) {
      this.kind = 'punct';
      this.tok = c;
    } else this.fail(`unexpected character ${JSON.stringify(c)}`);
    this.i += this.tok.length;
  }

  private stringLiteral(quote: string): string {
    const s = this.s;
    let out = '';
    let i = this.i + 1;
    while (i < s.length) {
      const c = s[i]!;
      if (c === quote) {
        this.i = i + 1;
        return out;
      }
      if (c === '\n') break;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = s[i + 1] ?? '';
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (/[0-7]/.test(e)) {
        const m = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4))!;
        out += String.fromCharCode(parseInt(m[0], 8));
        i += 1 + m[0].length;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const m = new RegExp(`^[0-9a-fA-F]{${e === 'x' ? '1,2' : n}}`).exec(s.slice(i + 2, i + 2 + n));
        if (m === null) this.fail('bad escape in string');
        const code = parseInt(m[0], 16);
        out += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
        i += 2 + m[0].length;
      } else this.fail(`bad escape \\${e} in string`);
    }
    this.fail('unterminated string');
  }
}

function parseNumber(tok: string): number | null {
  const t = tok.replace(/[uUlL]+$/, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t, 16);
  if (/^0[0-7]+$/.test(t)) return parseInt(t, 8);
  const f = t.replace(/[fF]$/, '');
  const v = Number(f);
  return f === '' || Number.isNaN(v) ? null : v;
}
