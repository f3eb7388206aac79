/**
 * A bounded tokenizer for Lua one-liners (`lua -e '…'`, `luajit -e`; MITRE T1059), after the Lua
 * 5.4 Reference Manual §3.1 "Lexical Conventions": names, numbers, operators (`..` concatenates),
 * `--` comments and long comments `--[[ … ]]`, short strings `'…'` / `"…"` with their escapes
 * (`\ddd` is decimal here, `\z` skips the blanks after it; the others as exec-interpreter-token.ts
 * reads them) and long strings `[[…]]` / `[==[…]==]` (no escapes; a first newline dropped).
 * Newlines are kept (TK_NL): an assignment's value ends at one (exec-interpreter-bindings.ts).
 *
 * Linear in the text; at most MAX_TOKENS tokens (then `truncated`); an unterminated literal runs
 * to the end of the text. Never throws.
 */
import { isNameChar, isNameStart, readEscape, TK_NAME, TK_NL, TK_STR, TokenSink } from './exec-interpreter-token.js';

const OPS3 = new Set(['...']);
const OPS2 = new Set(['..', '==', '~=', '<=', '>=', '//', '::', '<<', '>>']);

/** The level of a long bracket opening at `i` (`[[` 0, `[==[` 2), or -1 when none opens there. */
function longOpen(s: string, i: number): number {
  if (s.charAt(i) !== '[') return -1;
  let j = i + 1;
  while (s.charAt(j) === '=') j++;
  return s.charAt(j) === '[' ? j - i - 1 : -1;
}

/** A long bracket of `level` opening at `i`: [its body, the index after it]. */
function longBody(s: string, i: number, level: number): [string, number] {
  let from = i + level + 2;
  if (s.charAt(from) === '\r') from++;
  if (s.charAt(from) === '\n') from++;
  const close = `]${'='.repeat(level)}]`;
  const end = s.indexOf(close, from);
  return end < 0 ? [s.slice(from), s.length] : [s.slice(from, end), end + close.length];
}

/** A short string whose quote is at `at`: [text, index after]. */
function shortString(s: string, at: number): [string, number] {
  const q = s.charAt(at);
  let text = '';
  let i = at + 1;
  while (i < s.length) {
    const ch = s.charAt(i);
    if (ch === q) return [text, i + 1];
    if (ch === '\n') return [text, i];
    if (ch !== '\\') {
      text += ch;
      i++;
      continue;
    }
    const e = s.charAt(i + 1);
    if (e >= '0' && e <= '9') {
      let v = 0;
      let j = i + 1;
      for (let k = 0; k < 3 && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x39; k++, j++) v = v * 10 + s.charCodeAt(j) - 0x30;
      text += String.fromCharCode(v & 0xff);
      i = j;
    } else if (e === 'z') {
      i += 2;
      while (i < s.length && /\s/.test(s.charAt(i))) i++;
    } else {
      const [t, j] = readEscape(s, i + 1, 'lua');
      text += t;
      i = j;
    }
  }
  return [text, s.length];
}

/** Reads Lua `code` into tokens. */
export function lexLua(code: string): TokenSink {
  const out = new TokenSink();
  const s = code;
  let i = 0;
  while (i < s.length && !out.truncated) {
    const c = s.charCodeAt(i);
    const ch = s.charAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c) i++;
    else if (c === 0x0a) {
      out.push(TK_NL, '\n');
      i++;
    } else if (ch === '-' && s.charAt(i + 1) === '-') {
      const level = longOpen(s, i + 2);
      if (level >= 0) i = longBody(s, i + 2, level)[1];
      else {
        const nl = s.indexOf('\n', i);
        i = nl < 0 ? s.length : nl;
      }
    } else if (ch === "'" || ch === '"') {
      const [text, j] = shortString(s, i);
      out.push(TK_STR, text);
      i = j;
    } else if (ch === '[' && longOpen(s, i) >= 0) {
      const [text, j] = longBody(s, i, longOpen(s, i));
      out.push(TK_STR, text);
      i = j;
    } else if (isNameStart(c)) {
      let j = i + 1;
      while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
      out.push(TK_NAME, s.slice(i, j));
      i = j;
    } else if (c >= 0x30 && c <= 0x39) i = out.number(s, i, true);
    else i = out.operator(s, i, OPS2, OPS3);
  }
  return out;
}
