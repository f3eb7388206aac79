/**
 * A bounded tokenizer for Python one-liners (`python3 -c '…'`, and code that `exec` runs), after
 * the Python Language Reference §2 "Lexical analysis": names, numbers, operators, `#` comments,
 * explicit line joining (a backslash before a newline), and string literals with their prefixes
 * (§2.4.1): `r` raw (escapes kept as written), `b` bytes, `u`, `f` formatted (each `{…}` field is
 * a value known only at run time: a HOLE, the literal STR_RUNTIME; `{{` and `}}` are braces), and
 * triple quotes. Escapes as §2.4.1.1 gives them (exec-interpreter-token.ts). Python 2's backticks
 * (repr) are an operator here, not a command.
 *
 * Linear in the text; at most MAX_TOKENS tokens (then `truncated`); an unterminated string runs to
 * the end of the text. Never throws.
 */
import { closeBraceAt, HOLE, isNameChar, isNameStart, readEscape, STR_RUNTIME, TK_NAME, TK_NL, TK_STR, TokenSink } from './exec-interpreter-token.js';

/** Operators kept whole: the calls reader tells `=` (a keyword argument) from `==`, and `**` (unpacking). */
const OPS2 = new Set(['==', '!=', '<=', '>=', '**', '//', '->', ':=', '+=', '-=', '<<', '>>']);

/** Whether `p` is a string prefix (§2.4.1: r, u, b, f, and two-letter mixes of r with b or f). */
function isPrefix(p: string): boolean {
  const l = p.toLowerCase();
  return l === 'r' || l === 'u' || l === 'b' || l === 'f' || l === 'rb' || l === 'br' || l === 'rf' || l === 'fr';
}

/** Reads Python `code` into tokens. */
export function lexPython(code: string): TokenSink {
  const out = new TokenSink();
  const s = code;
  let i = 0;
  while (i < s.length && !out.truncated) {
    const c = s.charCodeAt(i);
    const ch = s.charAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c) i++;
    else if (ch === '\\' && s.charAt(i + 1) === '\n') i += 2;
    else if (c === 0x0a) {
      out.push(TK_NL, '\n');
      i++;
    } else if (ch === '#') {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl;
    } else if (ch === "'" || ch === '"') i = readString(s, i, '', out);
    else if (isNameStart(c)) {
      let j = i + 1;
      while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
      const word = s.slice(i, j);
      const q = s.charAt(j);
      if ((q === "'" || q === '"') && isPrefix(word)) i = readString(s, j, word.toLowerCase(), out);
      else {
        out.push(TK_NAME, word);
        i = j;
      }
    } else if (c >= 0x30 && c <= 0x39) i = out.number(s, i);
    else i = out.operator(s, i, OPS2);
  }
  return out;
}

/** A string literal whose opening quote is at `at`, with `prefix` (lower case): pushed; returns the index after it. */
function readString(s: string, at: number, prefix: string, out: TokenSink): number {
  const q = s.charAt(at);
  const triple = s.charAt(at + 1) === q && s.charAt(at + 2) === q;
  const raw = prefix.indexOf('r') >= 0;
  const fmt = prefix.indexOf('f') >= 0;
  let i = at + (triple ? 3 : 1);
  let text = '';
  let runtime = false;
  while (i < s.length) {
    const ch = s.charAt(i);
    if (ch === q && (!triple || (s.charAt(i + 1) === q && s.charAt(i + 2) === q))) {
      i += triple ? 3 : 1;
      out.push(TK_STR, text, runtime ? STR_RUNTIME : 0);
      return i;
    }
    if (ch === '\\') {
      if (raw) {
        // A raw string keeps the backslash; it still hides the next character from the closing quote.
        text += s.slice(i, i + 2);
        i += 2;
      } else {
        const [t, j] = readEscape(s, i + 1, 'python');
        text += t;
        i = j;
      }
    } else if (fmt && ch === '{') {
      if (s.charAt(i + 1) === '{') {
        text += '{';
        i += 2;
      } else {
        text += HOLE;
        runtime = true;
        i = Math.max(i + 1, closeBraceAt(s, i));
      }
    } else if (fmt && ch === '}' && s.charAt(i + 1) === '}') {
      text += '}';
      i += 2;
    } else {
      text += ch;
      i++;
    }
  }
  out.push(TK_STR, text, runtime ? STR_RUNTIME : 0);
  return s.length;
}
