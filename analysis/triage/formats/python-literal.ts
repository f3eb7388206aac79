/**
 * A tiny parser for the Python literal subset a .npy header holds (numpy/lib/format.py writes it
 * with repr() and reads it with ast.literal_eval): dicts, tuples, lists, str/bytes literals, ints,
 * floats, True/False/None. Never evaluates anything; nesting and input size are bounded.
 */

export type PyLiteral = string | number | boolean | null | PyLiteral[] | PyDict;
export interface PyDict {
  readonly dict: Map<string, PyLiteral>;
}

export const MAX_LITERAL_DEPTH = 32;

export class PyLiteralError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at character ${position}`);
    this.name = 'PyLiteralError';
  }
}

export function isPyDict(x: PyLiteral): x is PyDict {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses one literal that must fill `text` (surrounding whitespace allowed). */
export function parsePythonLiteral(text: string): PyLiteral {
  const p = new Parser(text);
  const v = p.value(0);
  p.ws();
  if (p.i < text.length) throw new PyLiteralError('unexpected text after the literal', p.i);
  return v;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' };

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && ' \t\n\r\f\v'.includes(this.s[this.i]!)) this.i++;
  }

  value(depth: number): PyLiteral {
    if (depth > MAX_LITERAL_DEPTH) throw new PyLiteralError(`nesting deeper than ${MAX_LITERAL_DEPTH}`, this.i);
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) throw new PyLiteralError('unexpected end', this.i);
    if (c === '{') return this.dict(depth);
    if (c === '[') return this.sequence(']', depth);
    if (c === '(') return this.sequence(')', depth);
    if (c === "'" || c === '"') return this.string(false);
    if (/[bBuUrR]/.test(c) && (this.s[this.i + 1] === "'" || this.s[this.i + 1] === '"')) {
      this.i++;
      return this.string(c === 'r' || c === 'R');
    }
    if (/[-+0-9.]/.test(c)) return this.number();
    for (const [word, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (this.s.startsWith(word, this.i) && !/[A-Za-z0-9_]/.test(this.s[this.i + word.length] ?? '')) {
        this.i += word.length;
        return v;
      }
    }
    throw new PyLiteralError(`unexpected ${JSON.stringify(c)}`, this.i);
  }

  private dict(depth: number): PyDict {
    const dict = new Map<string, PyLiteral>();
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return { dict };
      }
      const at = this.i;
      const key = this.value(depth + 1);
      if (typeof key !== 'string') throw new PyLiteralError('dict key is not a string', at);
      this.ws();
      if (this.s[this.i] !== ':') throw new PyLiteralError('expected ":"', this.i);
      this.i++;
      dict.set(key, this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new PyLiteralError('expected "," or "}"', this.i);
    }
  }

  /** A list or tuple; `(x)` without a comma is just x, as in Python. */
  private sequence(close: string, depth: number): PyLiteral {
    const items: PyLiteral[] = [];
    let sawComma = false;
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return close === ')' && items.length === 1 && !sawComma ? items[0]! : items;
      }
      items.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') {
        sawComma = true;
        this.i++;
      } else if (this.s[this.i] !== close) throw new PyLiteralError(`expected "," or "${close}"`, this.i);
    }
  }

  private string(raw: boolean): string {
    const quote = this.s[this.i]!;
    const start = this.i;
    this.i++;
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === quote) {
        this.i++;
        return out;
      }
      if (c === '\n') break;
      if (c === '\\' && !raw) {
        const e = this.s[this.i + 1] ?? '';
        if (e === 'x' || e === 'u') {
          const n = e === 'x' ? 2 : 4;
          const hex = this.s.slice(this.i + 2, this.i + 2 + n);
          if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new PyLiteralError('bad escape', this.i);
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 2 + n;
        } else {
          out += ESCAPES[e] ?? '\\' + e;
          this.i += 2;
        }
        continue;
      }
      out += c;
      this.i++;
    }
    throw new PyLiteralError('unterminated string', start);
  }

  private number(): number {
    const m = /^[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)[lL]?/.exec(this.s.slice(this.i, this.i + 64));
    if (m === null) throw new PyLiteralError('bad number', this.i);
    this.i += m[0].length;
    return Number(m[0].replace(/[lL]$/, ''));
  }
}
