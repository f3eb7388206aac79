/**
 * What `echo` and `printf` write, as bytes, for the literals a decode pipeline starts from
 * (`printf '\x63\x75\x72\x6c …' | sh`, `echo Y3Vy… | base64 -d | sh`; MITRE T1027.010).
 *
 * - echo (bash builtin options `-n` `-e` `-E`): the operands joined by spaces and a newline.
 *   Backslash escapes are read unless `-E` is given: bash reads them only with `-e`, dash and XSI
 *   echo always do, and deny rules fire on any reading, so the escaped one is taken.
 * - printf (POSIX printf, bash builtin): the format's escapes (`\NNN` octal, bash's `\xHH`
 *   `\uHHHH` `\UHHHHHHHH`), conversions `%s` `%b` `%c` `%d` `%i` `%u` `%o` `%x` `%X` `%%` with
 *   flags, width and precision; the format is reused while operands remain (POSIX). `-v var` writes
 *   a variable, not stdout; another conversion (`%f`, `%q`…) reads as unknown (null).
 * Output is bounded by MAX_DECODED_BYTES (null past it).
 */
import { MAX_DECODED_BYTES } from './exec-decode.js';
import { hexDigit } from '../../core/hex-digit.js';

/** A growing byte buffer that stops at MAX_DECODED_BYTES (`over` then). */
class Bytes {
  buf = new Uint8Array(256);
  n = 0;
  over = false;

  byte(b: number): void {
    if (this.n >= this.buf.length) {
      if (this.buf.length >= MAX_DECODED_BYTES) {
        this.over = true;
        return;
      }
      const next = new Uint8Array(Math.min(MAX_DECODED_BYTES, this.buf.length * 2));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = b;
  }

  /** A code point as UTF-8. */
  code(cp: number): void {
    if (cp < 0x80) this.byte(cp);
    else if (cp < 0x800) {
      this.byte(0xc0 | (cp >> 6));
      this.byte(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      this.byte(0xe0 | (cp >> 12));
      this.byte(0x80 | ((cp >> 6) & 0x3f));
      this.byte(0x80 | (cp & 0x3f));
    } else {
      this.byte(0xf0 | (cp >> 18));
      this.byte(0x80 | ((cp >> 12) & 0x3f));
      this.byte(0x80 | ((cp >> 6) & 0x3f));
      this.byte(0x80 | (cp & 0x3f));
    }
  }

  text(s: string): void {
    for (let i = 0; i < s.length && !this.over; i++) {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      this.code(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
    }
  }

  result(): Uint8Array | null {
    return this.over ? null : this.buf.subarray(0, this.n);
  }
}

const SIMPLE: Readonly<Record<string, number>> = { a: 7, b: 8, e: 27, E: 27, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 0x5c, "'": 0x27, '"': 0x22, '?': 0x3f };
const isOctal = (c: number): boolean => c >= 0x30 && c <= 0x37;

/**
 * Writes `s` with its backslash escapes to `out`. `echoStyle` (echo, printf `%b`): octal is
 * `\0NNN` (and `\NNN`, as zsh and dash's printf read it); else (a printf format) `\NNN`.
 * Returns false when `\c` ended all output.
 */
function escaped(s: string, out: Bytes, echoStyle: boolean): boolean {
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) !== 0x5c || i + 1 >= s.length) continue;
    out.text(s.slice(from, i));
    const e = s.charAt(i + 1);
    let j = i + 2;
    const simple = Object.prototype.hasOwnProperty.call(SIMPLE, e) ? SIMPLE[e] : undefined;
    if (simple !== undefined) out.byte(simple);
    else if (e === 'c') return false;
    else if (isOctal(e.charCodeAt(0))) {
      let v = 0;
      let k = echoStyle && e === '0' ? 0 : 1;
      if (k === 1) v = e.charCodeAt(0) - 0x30;
      for (; k < 3 && j < s.length && isOctal(s.charCodeAt(j)); k++, j++) v = v * 8 + s.charCodeAt(j) - 0x30;
      out.byte(v & 0xff);
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const max = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      let v = 0;
      let k = 0;
      for (; k < max && j < s.length && hexDigit(s.charCodeAt(j)) >= 0; k++, j++) v = v * 16 + hexDigit(s.charCodeAt(j));
      if (k === 0) out.text(`\\${e}`);
      else if (e === 'x') out.byte(v);
      else out.code(v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? 0xfffd : v);
    } else out.text(`\\${e}`);
    from = j;
    i = j - 1;
  }
  out.text(s.slice(from));
  return true;
}

/** What `echo` writes for its operands (options first, as bash reads them). */
export function echoOutput(args: readonly string[]): Uint8Array | null {
  let i = 0;
  let newline = true;
  let escapes = true;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a.length < 2 || a[0] !== '-' || !/^-[neE]+$/.test(a)) break;
    for (let k = 1; k < a.length; k++) {
      if (a[k] === 'n') newline = false;
      else escapes = a[k] === 'e';
    }
  }
  const out = new Bytes();
  for (let k = i; k < args.length && !out.over; k++) {
    if (k > i) out.byte(0x20);
    if (!escapes) out.text(args[k]!);
    else if (!escaped(args[k]!, out, true)) return out.result();
  }
  if (newline) out.byte(0x0a);
  return out.result();
}

/** An integer operand as printf reads it (`'c` is the character's code), 0 when none. */
function integer(a: string | undefined): number {
  if (a === undefined || a === '') return 0;
  if (a[0] === "'" || a[0] === '"') return a.codePointAt(1) ?? 0;
  const v = Number.parseInt(a, /^[+-]?0[xX]/.test(a) ? 16 : /^[+-]?0[0-7]/.test(a) ? 8 : 10);
  return Number.isFinite(v) ? v : 0;
}

/** What `printf` writes for its operands (format first), or null (no stdout, an unknown conversion, over the bound). */
export function printfOutput(argsIn: readonly string[]): Uint8Array | null {
  let args = argsIn;
  if (args[0] === '-v') return null;
  if (args[0] === '--') args = args.slice(1);
  const format = args[0];
  if (format === undefined) return null;
  const out = new Bytes();
  let next = 1;
  // POSIX: the format is reused while operands remain (and a pass consumed one).
  for (let pass = 0; pass < 1 + args.length && !out.over; pass++) {
    const before = next;
    let from = 0;
    for (let i = 0; i < format.length; i++) {
      if (format.charCodeAt(i) !== 0x25) continue; // %
      if (!escaped(format.slice(from, i), out, false)) return out.result();
      const m = /^%([-+ #0]*)(\d*)(?:\.(\d*))?([a-zA-Z%])/.exec(format.slice(i, i + 24));
      if (m === null) return null;
      const conv = m[4]!;
      i += m[0].length - 1;
      from = i + 1;
      if (conv === '%') {
        out.byte(0x25);
        continue;
      }
      const arg = args[next++];
      let s: string;
      if (conv === 's' || conv === 'b' || conv === 'c') {
        s = arg ?? '';
        if (conv === 'c') s = s.slice(0, 1);
        if (m[3] !== undefined) s = s.slice(0, Number(m[3]));
      } else if ('diuoxX'.includes(conv)) {
        const v = Math.trunc(integer(arg));
        s = conv === 'o' ? v.toString(8) : conv === 'x' ? v.toString(16) : conv === 'X' ? v.toString(16).toUpperCase() : String(v);
      } else return null;
      const width = Math.min(Number(m[2] || 0), 256);
      const pad = width > s.length ? ' '.repeat(width - s.length) : '';
      const left = m[1]!.includes('-');
      if (!left) out.text(pad);
      if (conv === 'b') {
        if (!escaped(s, out, true)) return out.result();
      } else out.text(s);
      if (left) out.text(pad);
    }
    if (!escaped(format.slice(from), out, false)) return out.result();
    if (next >= args.length || next === before) break;
  }
  return out.result();
}
