/**
 * Here-documents in Ruby and Perl code (Ruby "Literals: Here Document Literals"; perlop
 * "<<EOF"): after `<<` an identifier, bare or quoted — `'ID'` not interpolated, `"ID"` and a bare
 * one interpolated, `` `ID` `` a command — with `-` (Ruby: the terminator line may be indented)
 * or `~` (Ruby 2.3, Perl 5.26: indented, the body's common indentation removed). The body is the
 * lines after the line the `<<` is on, up to the terminator line; several here-documents opened
 * on one line follow each other (exec-interpreter-lex.ts reads them at that line's end).
 *
 * Bounded: identifiers of at most MAX_ID_CHARS, bodies of at most MAX_HEREDOC_CHARS (past it the
 * body is cut: `cut`); an unterminated body runs to the text's end. Linear; never throws.
 */
import { isNameChar, isNameStart } from './exec-interpreter-token.js';

export const MAX_HEREDOC_CHARS = 16_384;
/** Here-documents opened on one line whose bodies are read; more are values known only at run time. */
export const MAX_PENDING_HEREDOCS = 8;
const MAX_ID_CHARS = 64;

export interface HeredocHead {
  id: string;
  /** `'`, `"`, `` ` `` or '' (bare). */
  quote: string;
  /** `-` or `~`: the terminator may be indented. */
  indented: boolean;
  /** `~`: the common indentation is removed. */
  squiggly: boolean;
  /** The index after the head. */
  end: number;
}

/** The here-document head at `i` (its first `<`) in `lang`, or null when no head is there. */
export function heredocHead(s: string, i: number, lang: 'ruby' | 'perl'): HeredocHead | null {
  if (s.charAt(i) !== '<' || s.charAt(i + 1) !== '<') return null;
  let j = i + 2;
  const mod = s.charAt(j);
  const squiggly = mod === '~';
  const indented = squiggly || (mod === '-' && lang === 'ruby');
  if (indented) j++;
  const q = s.charAt(j);
  if (q === "'" || q === '"' || q === '`') {
    const close = s.indexOf(q, j + 1);
    if (close <= j + 1 || close - j > MAX_ID_CHARS) return null;
    const id = s.slice(j + 1, close);
    return id.indexOf('\n') >= 0 ? null : { id, quote: q, indented, squiggly, end: close + 1 };
  }
  if (!isNameStart(s.charCodeAt(j))) return null;
  let k = j + 1;
  while (k < s.length && isNameChar(s.charCodeAt(k)) && k - j <= MAX_ID_CHARS) k++;
  return k - j > MAX_ID_CHARS ? null : { id: s.slice(j, k), quote: '', indented, squiggly, end: k };
}

/** The body of `h` from `from` (the start of a line): [text as written, index after its terminator line, cut]. */
export function heredocBody(s: string, from: number, h: HeredocHead): [string, number, boolean] {
  let pos = from;
  let bodyEnd = s.length;
  let next = s.length;
  while (pos < s.length) {
    const nl = s.indexOf('\n', pos);
    const lineEnd = nl < 0 ? s.length : nl;
    let line = s.slice(pos, lineEnd);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if ((h.indented ? line.trim() : line) === h.id) {
      bodyEnd = pos;
      next = Math.min(lineEnd + 1, s.length);
      break;
    }
    pos = lineEnd + 1;
  }
  const cut = bodyEnd - from > MAX_HEREDOC_CHARS;
  const body = s.slice(from, cut ? from + MAX_HEREDOC_CHARS : bodyEnd);
  return [h.squiggly ? dedent(body) : body, next, cut];
}

/** The body with the least indentation of its non-blank lines removed from every line (Ruby's `<<~`, Perl's `<<~`). */
function dedent(body: string): string {
  const lines = body.split('\n');
  let least = Infinity;
  for (const l of lines) {
    if (l.trim() === '') continue;
    let n = 0;
    while (n < l.length && (l.charAt(n) === ' ' || l.charAt(n) === '\t')) n++;
    least = Math.min(least, n);
  }
  if (least === Infinity || least === 0) return body;
  return lines.map((l) => {
    let n = 0;
    while (n < least && n < l.length && (l.charAt(n) === ' ' || l.charAt(n) === '\t')) n++;
    return l.slice(n);
  }).join('\n');
}
