/**
 * A bounded tokenizer for awk programs (`awk 'BEGIN{system("…")}'`, gawk, mawk, busybox awk;
 * MITRE T1059), after POSIX awk "Lexical Conventions" (XCU awk): names, numbers, `#` comments,
 * strings `"…"` with their escapes (`\"`, `\/`, `\\`, `\a` … `\v`, `\ddd` octal; gawk's `\xHH`),
 * ERE tokens `/…/` where an operand may start (an opaque value here, so a quote inside one does
 * not derail the reading), field references `$1` `$NF` (values known only at run time), the
 * operators the calls reader needs whole (`|&` gawk's coprocess pipe, `==`, `>>`…), and newlines
 * (TK_NL) with backslash-newline joining lines.
 *
 * Linear in the text; at most MAX_TOKENS tokens (then `truncated`); an unterminated literal runs
 * to the end of the text. Never throws.
 */
import { isNameChar, isNameStart, readEscape, TK_NAME, TK_NL, TK_OP, TK_STR, TK_VAR, TokenSink, type Token } from './exec-interpreter-token.js';

const OPS2 = new Set(['|&', '||', '&&', '==', '!=', '<=', '>=', '++', '--', '+=', '-=', '*=', '/=', '%=', '^=', '**', '>>', '!~']);
/** Names after which an ERE token may start (XCU awk grammar: an operand follows them). */
const OPERAND_KEYWORDS = new Set(['print', 'printf', 'return', 'in', 'if', 'while', 'do', 'else']);

/** Whether an operand (so an ERE token) may start after `t`. */
function operandMayStart(t: Token | undefined): boolean {
  if (t === undefined || t.k === TK_NL) return true;
  if (t.k === TK_OP) return t.v !== ')' && t.v !== ']' && t.v !== '++' && t.v !== '--';
  return t.k === TK_NAME && OPERAND_KEYWORDS.has(t.v);
}

/** Reads an awk program into tokens. */
export function lexAwk(code: string): TokenSink {
  const out = new TokenSink();
  const s = code;
  let i = 0;
  while (i < s.length && !out.truncated) {
    const c = s.charCodeAt(i);
    const ch = s.charAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c) i++;
    else if (ch === '\\' && (s.charAt(i + 1) === '\n' || s.charAt(i + 1) === '\r')) i += s.charAt(i + 2) === '\n' ? 3 : 2;
    else if (c === 0x0a) {
      out.push(TK_NL, '\n');
      i++;
    } else if (ch === '#') {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl;
    } else if (ch === '"') {
      let text = '';
      let j = i + 1;
      while (j < s.length && s.charAt(j) !== '"' && s.charAt(j) !== '\n') {
        if (s.charAt(j) === '\\') {
          // `\/` is a slash in awk strings too; the rest as the shared escape reader has them.
          const [t, k] = s.charAt(j + 1) === '/' ? ['/', j + 2] : readEscape(s, j + 1, 'awk');
          text += t;
          j = k;
        } else text += s.charAt(j++);
      }
      out.push(TK_STR, text);
      i = Math.min(j + 1, s.length);
    } else if (ch === '/' && operandMayStart(out.last())) {
      let j = i + 1;
      while (j < s.length && s.charAt(j) !== '/' && s.charAt(j) !== '\n') j += s.charAt(j) === '\\' ? 2 : 1;
      j = Math.min(j + 1, s.length);
      out.push(TK_VAR, s.slice(i, j));
      i = j;
    } else if (ch === '$' && (isNameChar(s.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
      out.push(TK_VAR, s.slice(i, j));
      i = j;
    } else if (isNameStart(c)) {
      let j = i + 1;
      while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
      out.push(TK_NAME, s.slice(i, j));
      i = j;
    } else if (c >= 0x30 && c <= 0x39) i = out.number(s, i);
    else i = out.operator(s, i, OPS2);
  }
  return out;
}

/**
 * An awk `-v name=value` assignment as a statement of the program's own (XCU awk: the value is
 * read as a string literal is, escapes processed), so a value the program uses is known; null
 * when the name is no awk name.
 */
export function awkAssignment(arg: string): string | null {
  const eq = arg.indexOf('=');
  if (eq <= 0 || !isNameStart(arg.charCodeAt(0))) return null;
  for (let k = 1; k < eq; k++) if (!isNameChar(arg.charCodeAt(k))) return null;
  let lit = '';
  for (let k = eq + 1; k < arg.length; k++) {
    const ch = arg.charAt(k);
    if (ch === '\\') {
      // An escape pair stays as written; a lone backslash at the end would escape the closing quote.
      if (k + 1 < arg.length && arg.charAt(k + 1) !== '\n') lit += ch + arg.charAt(++k);
    } else if (ch === '"') lit += '\\"';
    else if (ch === '\n') lit += '\\n';
    else lit += ch;
  }
  return `${arg.slice(0, eq)} = "${lit}"\n`;
}
