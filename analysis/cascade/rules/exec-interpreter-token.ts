/**
 * The tokens an interpreter one-liner is read into (exec-interpreter-lex*.ts) and the pieces of
 * string-literal reading the languages share: backslash escapes as each language's reference gives
 * them (Python "String and Bytes literals", ECMAScript §12.9.4, perlop "Quote and Quote-like
 * Operators", Ruby "Literals", PHP "Strings"), spans closed by a delimiter (Perl `q(…)`, Ruby
 * `%x{…}`: paired delimiters nest), and interpolations (`$x`, `#{…}`, `${…}`, f-string `{…}`),
 * which are values known only when the code runs: each is replaced by HOLE in the literal's text
 * and the literal is marked STR_RUNTIME. Nothing here throws; every scan stops at the text's end.
 */

import { hexDigit } from '../../core/hex-digit.js';

/** Token kinds. */
export const TK_NAME = 1; // an identifier (Perl and Ruby: with `::` inside; PHP: lower-cased)
export const TK_VAR = 2; // a value this reading does not follow: a variable, a regex literal
export const TK_STR = 3; // a string literal: `v` its text, escapes decoded
export const TK_CMD = 4; // a command literal (backticks, `qx{…}`, `%x(…)`): `v` the shell line
export const TK_WORDS = 5; // a word list (`qw(…)`, `%w(…)`): `w` the words
export const TK_NUM = 6;
export const TK_OP = 7; // punctuation or an operator, `v` its text
export const TK_NL = 8; // a newline (ends a statement in Python and Ruby)

/** TK_STR / TK_CMD flag: the literal interpolates values known only at run time (HOLE in `v`). */
export const STR_RUNTIME = 1;

export interface Token {
  k: number;
  v: string;
  f: number;
  w: readonly string[] | null;
}

/** True when `t` is the operator `v`. */
export const isOp = (t: Token | undefined, v: string): boolean => t !== undefined && t.k === TK_OP && t.v === v;
/** True when `t` is a name (the name `v`, when given). */
export const isName = (t: Token | undefined, v?: string): boolean => t !== undefined && t.k === TK_NAME && (v === undefined || t.v === v);
/** True when `t` is a name or a variable (`$s`, `@a`): what a binding or a receiver can be. */
export const isNameOrVar = (t: Token | undefined): t is Token => t !== undefined && (t.k === TK_NAME || t.k === TK_VAR);

/** What an interpolation or a value this reading cannot know stands as in a text read further. */
export const HOLE = '${RUNTIME}';
/** Whether a text read holds nothing but holes and blanks: nothing of it is known before it runs. */
export const onlyHoles = (s: string): boolean => s.split(HOLE).join('').trim() === '';
/** Tokens one code text is read into; past it the reading says truncated. */
export const MAX_TOKENS = 4096;

/** Languages read as tokens and calls (exec-interpreter-calls.ts). */
export type Lang = 'python' | 'perl' | 'ruby' | 'js' | 'php' | 'lua' | 'awk';
/**
 * Every language an interpreter reading knows: those read as tokens and calls, and those read as
 * command words (Tcl and Expect, PowerShell; exec-interpreter-tcl.ts, exec-interpreter-powershell.ts)
 * or as editor and debugger commands (vim / ex, gdb; exec-interpreter-ex.ts).
 */
export type CodeLang = Lang | 'tcl' | 'powershell' | 'vim' | 'gdb';

/** Where tokens go, bounded. */
export class TokenSink {
  readonly tokens: Token[] = [];
  truncated = false;
  push(k: number, v: string, f = 0, w: readonly string[] | null = null): boolean {
    if (this.tokens.length >= MAX_TOKENS) {
      this.truncated = true;
      return false;
    }
    this.tokens.push({ k, v, f, w });
    return true;
  }
  /** The last token, or undefined. */
  last(): Token | undefined {
    return this.tokens[this.tokens.length - 1];
  }
  /**
   * The number literal starting at `i` (a digit): digits, letters, `_` and `.` (hex, exponents,
   * suffixes; a `..` range operator ends it when `dotDotEnds`, as in Lua). Returns the index after it.
   */
  number(s: string, i: number, dotDotEnds = false): number {
    let j = i + 1;
    while (j < s.length && (isNameChar(s.charCodeAt(j)) || (s.charAt(j) === '.' && !(dotDotEnds && s.charAt(j + 1) === '.')))) j++;
    this.push(TK_NUM, s.slice(i, j));
    return j;
  }
  /** The operator at `i`: the longest of `ops3`, `ops2` or the one character. Returns the index after it. */
  operator(s: string, i: number, ops2: ReadonlySet<string>, ops3: ReadonlySet<string> | null = null): number {
    const three = ops3 === null ? '' : s.slice(i, i + 3);
    const two = s.slice(i, i + 2);
    const op = ops3 !== null && ops3.has(three) ? three : ops2.has(two) ? two : s.charAt(i);
    this.push(TK_OP, op);
    return i + op.length;
  }
}

export const isNameStart = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
export const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 0x30 && c <= 0x39);

const SIMPLE: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', e: '\x1b', '\\': '\\', "'": "'", '"': '"' };
/** Escapes each language does not know (`\e` is not Python's, `\a` not JavaScript's…). */
const NOT_KNOWN: Readonly<Record<Lang, string>> = { python: 'e', js: 'ae', perl: 'v', ruby: '', php: 'ab', lua: 'e', awk: 'e' };

/** A code point from a number, a replacement character for what is none. */
const codePoint = (v: number): string => String.fromCodePoint(v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? 0xfffd : v);

/** Reads up to `max` hex digits from `i`: [value, index after, digits read]. */
function hexRun(s: string, i: number, max: number): [number, number, number] {
  let v = 0;
  let k = 0;
  for (; k < max && i < s.length && hexDigit(s.charCodeAt(i)) >= 0; k++, i++) v = v * 16 + hexDigit(s.charCodeAt(i));
  return [v, i, k];
}

/**
 * One backslash escape of a double-quoted literal in `lang`, `i` at the character after the
 * backslash: [the text it stands for, the index after it]. An escape the language does not know
 * keeps its backslash in Python and PHP and drops it elsewhere (each reference says so).
 */
export function readEscape(s: string, i: number, lang: Lang): [string, number] {
  const e = s.charAt(i);
  if (e === '') return ['\\', i];
  if (e === '\n') return lang === 'python' || lang === 'js' || lang === 'ruby' ? ['', i + 1] : ['\\\n', i + 1];
  const simple = SIMPLE[e];
  if (simple !== undefined && NOT_KNOWN[lang].indexOf(e) < 0) return [simple, i + 1];
  if (e === 'x') {
    if (s.charAt(i + 1) === '{' && (lang === 'perl' || lang === 'php')) {
      const end = s.indexOf('}', i + 2);
      const [v, , k] = hexRun(s, i + 2, 8);
      if (end > 0 && k > 0) return [codePoint(v), end + 1];
    }
    const [v, j, k] = hexRun(s, i + 1, 2);
    if (k === 2 || (k === 1 && lang !== 'python' && lang !== 'js')) return [String.fromCharCode(v), j];
    return [lang === 'python' || lang === 'php' ? '\\x' : 'x', i + 1];
  }
  if (e === 'u' && lang !== 'perl') {
    if (s.charAt(i + 1) === '{' && lang !== 'python') {
      const [v, j, k] = hexRun(s, i + 2, 8);
      if (k > 0 && s.charAt(j) === '}') return [codePoint(v), j + 1];
    } else if (lang !== 'php') {
      const [v, j, k] = hexRun(s, i + 1, 4);
      if (k === 4) return [codePoint(v), j];
    }
    return [lang === 'python' || lang === 'php' ? '\\u' : 'u', i + 1];
  }
  if (e === 'U' && lang === 'python') {
    const [v, j, k] = hexRun(s, i + 1, 8);
    if (k === 8) return [codePoint(v), j];
  }
  if (e >= '0' && e <= '7') {
    if (lang === 'js') return e === '0' ? ['\0', i + 1] : [e, i + 1];
    let v = 0;
    let j = i;
    for (let k = 0; k < 3 && j < s.length && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x37; k++, j++) v = v * 8 + s.charCodeAt(j) - 0x30;
    return [String.fromCharCode(v & 0xff), j];
  }
  return lang === 'python' || lang === 'php' ? [`\\${e}`, i + 1] : [e, i + 1];
}

/** The closing delimiter of an opening one: `(`→`)`, `[`→`]`, `{`→`}`, `<`→`>`, others themselves. */
export function closerOf(open: string): string {
  const k = '([{<'.indexOf(open);
  return k < 0 ? open : ')]}>'.charAt(k);
}

/**
 * The body of a span opened by the delimiter at `open` (perlop "Gory details of parsing quoted
 * constructs": paired delimiters nest, a backslash hides the next character): [body as written,
 * index after the closing delimiter]. Unclosed: the rest of the text.
 */
export function delimitedBody(s: string, open: number): [string, number] {
  const o = s.charAt(open);
  const c = closerOf(o);
  const nests = c !== o;
  let depth = 0;
  for (let i = open + 1; i < s.length; i++) {
    const ch = s.charAt(i);
    if (ch === '\\') i++;
    else if (nests && ch === o) depth++;
    else if (ch === c) {
      if (depth === 0) return [s.slice(open + 1, i), i + 1];
      depth--;
    }
  }
  return [s.slice(open + 1), s.length];
}

/** Index after the `}` closing the `{` at `open` (quotes inside skipped), or the text's end. */
export function closeBraceAt(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x27 || c === 0x22) {
      const q = s.indexOf(s.charAt(i), i + 1);
      if (q < 0) return s.length;
      i = q;
    } else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i + 1;
  }
  return s.length;
}

/**
 * The end of an interpolation starting at `i` in a double-quoted literal of `lang`, or -1 when
 * none starts there: Perl `$name` `@name` `${…}` (with `::`, `[…]`, `{…}` and `->` subscripts),
 * PHP `$name` (`->prop`, `[…]`) and `{$…}`, Ruby `#{…}` `#@x` `#$x`.
 */
export function interpolationEnd(s: string, i: number, lang: Lang): number {
  const c = s.charAt(i);
  const n = s.charCodeAt(i + 1);
  if (lang === 'ruby') {
    if (c !== '#') return -1;
    if (n === 0x7b) return closeBraceAt(s, i + 1);
    if ((n === 0x40 || n === 0x24) && isNameStart(s.charCodeAt(i + 2))) return nameEnd(s, i + 2);
    return -1;
  }
  if (lang === 'php' && c === '{' && n === 0x24) return closeBraceAt(s, i);
  if (lang === 'js' || lang === 'python') return c === '$' && n === 0x7b ? closeBraceAt(s, i + 1) : -1;
  if (c !== '$' && !(c === '@' && lang === 'perl')) return -1;
  if (n === 0x7b) return closeBraceAt(s, i + 1);
  if (!isNameStart(n) && !(lang === 'perl' && c === '$' && (n === 0x3a || (n >= 0x30 && n <= 0x39) || n === 0x24))) return -1;
  let j = lang === 'perl' && n === 0x24 ? i + 2 : nameEnd(s, i + 1);
  // Subscripts and method arrows that belong to the interpolated expression.
  for (let k = 0; k < 8 && j < s.length; k++) {
    const d = s.charAt(j);
    if (d === '[' || (d === '{' && lang === 'perl')) {
      const close = s.indexOf(closerOf(d), j + 1);
      if (close < 0) return s.length;
      j = close + 1;
    } else if (d === '-' && s.charAt(j + 1) === '>' && (isNameStart(s.charCodeAt(j + 2)) || s.charAt(j + 2) === '[' || s.charAt(j + 2) === '{')) {
      j = isNameStart(s.charCodeAt(j + 2)) ? nameEnd(s, j + 2) : j + 2;
    } else break;
  }
  return j;
}

/** The index after the name (with `::` parts) starting at `i`. */
export function nameEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    if (isNameChar(s.charCodeAt(j))) j++;
    else if (s.charCodeAt(j) === 0x3a && s.charCodeAt(j + 1) === 0x3a && isNameStart(s.charCodeAt(j + 2))) j += 2;
    else break;
  }
  return j;
}

/**
 * A double-quoted body (already cut out of the code) read as `lang` reads it: escapes decoded,
 * interpolations replaced by HOLE. [text, runtime].
 */
export function interpolatedText(body: string, lang: Lang, interpolates = true): [string, boolean] {
  let out = '';
  let runtime = false;
  let i = 0;
  while (i < body.length) {
    const c = body.charAt(i);
    if (c === '\\') {
      const [t, j] = readEscape(body, i + 1, lang);
      out += t;
      i = j;
      continue;
    }
    const end = interpolates ? interpolationEnd(body, i, lang) : -1;
    if (end > i) {
      out += HOLE;
      runtime = true;
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return [out, runtime];
}

/** A single-quoted body (Perl, Ruby, PHP, `q(…)`): only `\\` and the backslashed delimiter are escapes. */
export function singleQuotedText(body: string, close: string): string {
  if (body.indexOf('\\') < 0) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    const n = body.charAt(i + 1);
    if (c === '\\' && (n === '\\' || n === close || n === "'")) {
      out += n;
      i++;
    } else out += c;
  }
  return out;
}
