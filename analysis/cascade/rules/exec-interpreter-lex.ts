/**
 * A bounded tokenizer for Perl, Ruby, PHP and JavaScript one-liners (`perl -e`, `ruby -e`,
 * `php -r`, `node -e`): enough of each language's lexical grammar to find string literals and the
 * calls they are given to, never enough to run anything. Comments are skipped (`#`, `//`, `/*…*\/`
 * as the language has them); strings are read with their escapes and interpolations
 * (exec-interpreter-token.ts); command literals — backticks in Perl, Ruby and PHP, Perl `qx{…}`,
 * Ruby `%x(…)` — become TK_CMD tokens; Perl `q qq qw`, Ruby `%q %Q %( %w` are strings and word
 * lists; regex literals and substitutions (`/…/`, `m{…}`, `s/…/…/`, `tr`, `%r{…}`) are opaque
 * values, so a quote inside one does not derail the reading. A `/` or `%` starts a literal only
 * where an operand may start (after an operator, an opening bracket or a keyword), as the
 * languages' own lexers guess. Ruby and Perl here-documents (`system <<~EOS`) are string or
 * command literals, their bodies read at the end of the line that opens them
 * (exec-interpreter-heredoc.ts); Ruby's `` ` `` after a `.` or `:` is the method's name
 * (`Kernel.\`("id")`, `send(:\`, "id")`). Python has its own tokenizer (exec-interpreter-lex-python.ts).
 *
 * Linear in the text; at most MAX_TOKENS tokens (then `truncated`); an unterminated literal runs
 * to the end of the text. Never throws.
 */
import { heredocBody, heredocHead, MAX_PENDING_HEREDOCS, type HeredocHead } from './exec-interpreter-heredoc.js';
import {
  closeBraceAt, closerOf, delimitedBody, HOLE, interpolatedText, isNameChar, isNameStart, nameEnd, singleQuotedText, STR_RUNTIME,
  TK_CMD, TK_NAME, TK_NL, TK_NUM, TK_OP, TK_STR, TK_VAR, TK_WORDS, TokenSink, type Lang, type Token,
} from './exec-interpreter-token.js';

/** Two-character operators kept whole (the calls reader needs `->` `=>` `::` `==` `=~`). */
const OPS2 = new Set(['->', '=>', '::', '==', '!=', '=~', '!~', '<=', '>=', '&&', '||', '**', '..', '+=', '-=', '.=', '&.']);
/** Names after which an operand (so a regex or `%` literal) may start. */
const OPERAND_KEYWORDS = new Set(['return', 'and', 'or', 'not', 'if', 'unless', 'while', 'until', 'when', 'split', 'grep', 'map', 'join', 'push', 'unshift', 'typeof', 'in', 'of', 'case', 'do', 'else', 'elsif', 'then', 'new', 'delete', 'void', 'throw', 'yield', 'print', 'puts', 'x', 'lt', 'gt', 'le', 'ge', 'eq', 'ne', 'cmp']);
/** Perl's declarators and list operators after which a `%` or `/` starts an operand (`local %ENV = …`, `keys %h`). */
const PERL_OPERAND_KEYWORDS = new Set(['my', 'our', 'local', 'keys', 'values', 'each', 'scalar', 'sort', 'reverse']);
const QUOTE_OPS = new Set(['q', 'qq', 'qx', 'qw', 'm', 'qr', 's', 'tr', 'y']);

/** The languages this tokenizer reads (Python, Lua and awk have their own). */
export type ScriptLang = Exclude<Lang, 'python' | 'lua' | 'awk'>;

/** Reads `code` as `lang` into tokens. */
export function lexScript(code: string, lang: ScriptLang): TokenSink {
  const out = new TokenSink();
  new ScriptLexer(code, lang, out).run();
  return out;
}

class ScriptLexer {
  private i = 0;
  /** Here-documents opened on the current line, their literal tokens filled at its end. */
  private readonly heredocs: Array<{ h: HeredocHead; tok: Token }> = [];
  constructor(
    private readonly s: string,
    private readonly lang: ScriptLang,
    private readonly out: TokenSink,
  ) {
    // `php -r` takes code without the opening tag; a tag given anyway is skipped.
    if (lang === 'php' && s.startsWith('<?php')) this.i = 5;
  }

  /** Whether an operand may start here: after nothing, an operator, an opening bracket or a keyword. */
  private operandMayStart(): boolean {
    const t: Token | undefined = this.out.last();
    if (t === undefined || t.k === TK_NL) return true;
    if (t.k === TK_OP) return t.v !== ')' && t.v !== ']' && t.v !== '}';
    return t.k === TK_NAME && (OPERAND_KEYWORDS.has(t.v) || (this.lang === 'perl' && PERL_OPERAND_KEYWORDS.has(t.v)));
  }

  run(): void {
    const s = this.s;
    const lang = this.lang;
    while (this.i < s.length && !this.out.truncated) {
      const c = s.charCodeAt(this.i);
      const ch = s.charAt(this.i);
      const next = s.charAt(this.i + 1);
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c) this.i++;
      else if (c === 0x0a) {
        this.out.push(TK_NL, '\n');
        this.i++;
        if (this.heredocs.length > 0) this.heredocBodies();
      } else if (ch === '#' && lang !== 'js') this.skipLine();
      else if (ch === '/' && next === '/' && (lang === 'js' || lang === 'php')) this.skipLine();
      else if (ch === '/' && next === '*' && (lang === 'js' || lang === 'php')) {
        const end = s.indexOf('*/', this.i + 2);
        this.i = end < 0 ? s.length : end + 2;
      } else if (ch === "'" || ch === '"') this.quoted(ch);
      else if (ch === '`') this.backtick();
      else if (this.isSigil(c, next)) this.variable();
      else if (c >= 0x30 && c <= 0x39) {
        let j = this.i + 1;
        while (j < s.length && (isNameChar(s.charCodeAt(j)) || (s.charAt(j) === '.' && /[0-9]/.test(s.charAt(j + 1))))) j++;
        this.out.push(TK_NUM, s.slice(this.i, j));
        this.i = j;
      } else if (isNameStart(c)) this.name();
      else if (ch === '/' && lang !== 'php' && this.operandMayStart()) this.opaqueSpan(this.i, 1);
      else if (ch === '%' && lang === 'ruby' && this.operandMayStart() && this.percentLiteral()) continue;
      else if (ch === '<' && next === '<' && (lang === 'ruby' || lang === 'perl') && this.heredoc()) continue;
      else this.i = this.out.operator(s, this.i, OPS2);
    }
    if (this.out.truncated) this.i = s.length;
  }

  private skipLine(): void {
    const nl = this.s.indexOf('\n', this.i);
    this.i = nl < 0 ? this.s.length : nl;
  }

  /** `$x`, `@x`, `%x` (Perl), `$x` (PHP), `@x` `@@x` `$x` (Ruby). */
  private isSigil(c: number, next: string): boolean {
    const n = next.charCodeAt(0);
    if (this.lang === 'js') return false;
    if (c === 0x24) return this.lang !== 'php' || isNameStart(n) || next === '$' || next === '{';
    if (c === 0x40) return this.lang !== 'php' && (isNameStart(n) || next === '{' || next === '$' || next === '@' || next === '_');
    if (c === 0x25) return this.lang === 'perl' && (isNameStart(n) || next === '$') && this.operandMayStart();
    return false;
  }

  private variable(): void {
    const s = this.s;
    let j = this.i + 1;
    if (s.charAt(j) === '{') j = closeBraceAt(s, j);
    else if (this.lang === 'perl' && s.charAt(j) === '#') j = nameEnd(s, j + 1); // $#array
    else if (isNameStart(s.charCodeAt(j))) j = nameEnd(s, j);
    else j++; // $_ $$ $0 $! @@…: one special character
    this.out.push(TK_VAR, s.slice(this.i, j));
    this.i = j;
  }

  private name(): void {
    const s = this.s;
    const lang = this.lang;
    let j = lang === 'perl' || lang === 'ruby' ? nameEnd(s, this.i) : this.i;
    while (j < s.length && (isNameChar(s.charCodeAt(j)) || (lang === 'js' && s.charAt(j) === '$'))) j++;
    // Ruby method names may end in ? or ! (`strip!`), not before `=` (`a!=b`).
    if (lang === 'ruby' && (s.charAt(j) === '!' || s.charAt(j) === '?') && s.charAt(j + 1) !== '=') j++;
    const word = s.slice(this.i, j);
    if (lang === 'perl' && QUOTE_OPS.has(word) && this.quoteOp(word, j)) return;
    this.out.push(TK_NAME, lang === 'php' ? word.toLowerCase() : word);
    this.i = j;
  }

  /** Perl `q qq qx qw m qr s tr y` with their delimiters (perlop), at `j` after the name. */
  private quoteOp(op: string, j: number): boolean {
    const s = this.s;
    const prev = this.out.last();
    if (prev !== undefined && prev.k === TK_OP && (prev.v === '->' || prev.v === '{')) return false;
    let k = j;
    while (k < s.length && (s.charAt(k) === ' ' || s.charAt(k) === '\t')) k++;
    const d = s.charAt(k);
    if (d === '' || isNameChar(s.charCodeAt(k)) || ' \t\n,;)=-'.indexOf(d) >= 0 || (d === '#' && k > j)) return false;
    if (op === 'm' || op === 'qr' || op === 's' || op === 'tr' || op === 'y') {
      this.opaqueSpan(k, op === 'm' || op === 'qr' ? 1 : 2);
      return true;
    }
    const [body, end] = delimitedBody(s, k);
    this.i = end;
    const close = closerOf(d);
    if (op === 'q') this.out.push(TK_STR, singleQuotedText(body, close));
    else if (op === 'qw') this.words(body);
    else {
      const [text, runtime] = d === "'" ? [singleQuotedText(body, close), false] : interpolatedText(body, 'perl');
      this.out.push(op === 'qx' ? TK_CMD : TK_STR, text, runtime ? STR_RUNTIME : 0);
    }
    return true;
  }

  /** A regex literal or substitution at `at` (its delimiter), with `parts` delimited parts and trailing flags: one opaque value. */
  private opaqueSpan(at: number, parts: number): void {
    const s = this.s;
    let k = at;
    for (let p = 0; p < parts && k < s.length; p++) {
      const d = s.charAt(k);
      const [, end] = delimitedBody(s, k);
      k = end;
      // A paired second part has delimiters of its own (`s{a}{b}`); an unpaired one shares the middle one.
      if (p + 1 < parts) {
        if (closerOf(d) !== d) {
          while (k < s.length && /\s/.test(s.charAt(k))) k++;
        } else k--;
      }
    }
    while (k < s.length && /[a-z]/i.test(s.charAt(k))) k++;
    this.out.push(TK_VAR, s.slice(at, k));
    this.i = k;
  }

  /** Ruby `%q(…)` `%Q(…)` `%(…)` `%w(…)` `%W(…)` `%x(…)` `%r(…)` `%i(…)` `%s(…)`; false when this `%` is no literal. */
  private percentLiteral(): boolean {
    const s = this.s;
    let k = this.i + 1;
    let kind = s.charAt(k);
    if ('qQwWxriIs'.indexOf(kind) >= 0 && kind !== '' && !isNameChar(s.charCodeAt(k + 1)) && s.charAt(k + 1) !== ' ' && s.charAt(k + 1) !== '') k++;
    else if ('([{<|!/^'.indexOf(kind) >= 0 && kind !== '') kind = 'Q';
    else return false;
    const d = s.charAt(k);
    const [body, end] = delimitedBody(s, k);
    this.i = end;
    const close = closerOf(d);
    if (kind === 'q') this.out.push(TK_STR, singleQuotedText(body, close));
    else if (kind === 'Q') this.pushInterpolated(TK_STR, body);
    else if (kind === 'x') this.pushInterpolated(TK_CMD, body);
    else if (kind === 'w' || kind === 'W') this.words(body);
    else this.out.push(TK_VAR, `%${kind}`);
    return true;
  }

  private words(body: string): void {
    const w = body.split(/\s+/).filter((x) => x !== '');
    this.out.push(TK_WORDS, body, 0, w);
  }

  private pushInterpolated(kind: number, body: string): void {
    const [text, runtime] = interpolatedText(body, this.lang);
    this.out.push(kind, text, runtime ? STR_RUNTIME : 0);
  }

  /** `'…'` and `"…"`: single quotes are literal in Perl, Ruby and PHP; JavaScript decodes escapes in both. */
  private quoted(q: string): void {
    const s = this.s;
    let j = this.i + 1;
    while (j < s.length && s.charAt(j) !== q) j += s.charAt(j) === '\\' ? 2 : 1;
    const body = s.slice(this.i + 1, Math.min(j, s.length));
    this.i = Math.min(j + 1, s.length);
    if (q === "'" && this.lang !== 'js') this.out.push(TK_STR, singleQuotedText(body, "'"));
    else {
      const [text, runtime] = interpolatedText(body, this.lang, this.lang !== 'js');
      this.out.push(TK_STR, text, runtime ? STR_RUNTIME : 0);
    }
  }

  /**
   * A here-document's head at `<<` (exec-interpreter-heredoc.ts): its literal token pushed, its body
   * read at the line's end; false when this `<<` is a shift. A bare `<<ID` is one only where an
   * operand may start or after a name and a space (`system <<EOS`, `print $fh <<EOF`), as the
   * languages' lexers guess; `<<~`, `<<-` and quoted identifiers are taken wherever no space follows.
   */
  private heredoc(): boolean {
    const s = this.s;
    const h = heredocHead(s, this.i, this.lang === 'ruby' ? 'ruby' : 'perl');
    if (h === null) return false;
    const last = this.out.last();
    const before = s.charAt(this.i - 1);
    const spaced = before === ' ' || before === '\t';
    // After a name (`system <<EOS`) or, in Perl, a filehandle variable (`print $fh <<EOF`), with a space before.
    const afterWord = spaced && (last?.k === TK_NAME || (last?.k === TK_VAR && this.lang === 'perl'));
    if (h.quote === '' && !h.indented && !this.operandMayStart() && !afterWord) return false;
    this.i = h.end;
    if (this.heredocs.length >= MAX_PENDING_HEREDOCS) {
      // Past the bound the body is not read: a value known only at run time.
      this.out.push(TK_STR, HOLE, STR_RUNTIME);
      return true;
    }
    if (this.out.push(h.quote === '`' ? TK_CMD : TK_STR, '')) this.heredocs.push({ h, tok: this.out.last()! });
    return true;
  }

  /** The bodies of the here-documents the line just ended opened, in order, from `i`. */
  private heredocBodies(): void {
    for (const { h, tok } of this.heredocs) {
      const [raw, next, cut] = heredocBody(this.s, this.i, h);
      this.i = next;
      const [text, runtime] = h.quote === "'" ? [raw, false] : interpolatedText(raw, this.lang);
      tok.v = cut ? text + HOLE : text;
      if (runtime || cut) tok.f |= STR_RUNTIME;
    }
    this.heredocs.length = 0;
  }

  /** A backtick literal: a command in Perl, Ruby and PHP; a template literal in JavaScript (`${…}` a hole). */
  private backtick(): void {
    const s = this.s;
    const last = this.out.last();
    if (this.lang === 'ruby' && last !== undefined && (last.k === TK_OP ? last.v === '.' || last.v === '::' || last.v === '&.' || (last.v === ':' && s.charAt(this.i - 1) === ':' && s.charAt(this.i - 2) !== ':') : last.k === TK_NAME && last.v === 'def')) {
      // Kernel#` called as a method (`Kernel.\`("id")`), named as a symbol (`:\``) or defined: the name, no literal.
      this.out.push(TK_NAME, '`');
      this.i++;
      return;
    }
    let j = this.i + 1;
    while (j < s.length && s.charAt(j) !== '`') {
      if (s.charAt(j) === '\\') j += 2;
      else if (this.lang === 'js' && s.charAt(j) === '$' && s.charAt(j + 1) === '{') j = closeBraceAt(s, j + 1);
      else j++;
    }
    const body = s.slice(this.i + 1, Math.min(j, s.length));
    this.i = Math.min(j + 1, s.length);
    this.pushInterpolated(this.lang === 'js' ? TK_STR : TK_CMD, body);
  }
}
