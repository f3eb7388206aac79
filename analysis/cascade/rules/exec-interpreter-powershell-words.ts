/**
 * PowerShell text as statements of words (MITRE T1059.001), for exec-interpreter-powershell.ts: a
 * PowerShell command line is mostly "command arguments" (about_Parsing, argument mode), so the
 * text is split into statements at `;`, newlines, `|`, `&&`, `||` and script-block braces, outside
 * strings and parentheses, and each statement's words are read with PowerShell's quoting
 * (about_Quoting_Rules: `'…'` with `''`, `"…"` with backtick escapes and `$var` / `$(…)` known only
 * at run time, here-strings `@'…'@` / `@"…"@`, typographic quotes too; a backtick escapes in a bare
 * word). A comma list (`'-T','a', 'b'`, about_Arrays: the array operator, a blank after a comma
 * allowed) is one word with its items. The inside of `(…)`, `$(…)` and `@(…)` is handed back
 * (`groups`) to be read as statements too.
 *
 * Also the value a word hands on (`valueOf`): a literal, a `$x` the text assigned once, a
 * `[Convert]::FromBase64String('…')` of a literal decoded (UTF-16LE where the text says `Unicode`).
 *
 * Bounded: MAX_STATEMENTS statements, MAX_WORDS words each, MAX_ITEMS items a list, MAX_GROUPS
 * parenthesised texts, MAX_RUNS runs (`pushRun`); past a bound the reading says `truncated`.
 * Never throws.
 */
import type { CallsRead, CodeRun } from './exec-interpreter-calls.js';
import { decodeEncodedCommand } from './exec-interpreter-powershell-args.js';
import { HOLE, onlyHoles } from './exec-interpreter-token.js';
import { runsWrittenTo } from './exec-persisted-runs.js';
import { INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';

export const MAX_STATEMENTS = 128;
export const MAX_GROUPS = 16;
const MAX_WORDS = 256;
const MAX_ITEMS = 64;

export const W_BARE = 0;
export const W_QUOTED = 1;
export const W_EXPR = 2;

export interface PsWord {
  text: string;
  /** INDIRECT_* bits of what it holds (runtime: a variable, a subexpression). */
  how: number;
  kind: number;
  /** `$name` when the word is that variable alone (lower case), else null. */
  variable: string | null;
  /** The items of a comma list (`a,'b', c`), else null. */
  items: PsWord[] | null;
  from: number;
  to: number;
}

export interface Statement {
  words: PsWord[];
  /** Its input is the previous statement's output (`… | iex`). */
  piped: boolean;
  /** Run by the call operator: `& 'curl' …`. */
  call: boolean;
  from: number;
  to: number;
}

/** A text's value as PowerShell would hand it on: its text and how it came about. */
export interface Known {
  text: string;
  how: number;
}

export const SINGLE = "'\u2018\u2019\u201a\u201b";
export const DOUBLE = '"\u201c\u201d\u201e';
const QUOTES = SINGLE + DOUBLE;
/** Whether `c` (one character, '' past the end) is one of `set`. */
export const isIn = (set: string, c: string): boolean => c !== '' && set.indexOf(c) >= 0;
/** Backtick escapes (about_Special_Characters). */
const TICK: Readonly<Record<string, string>> = { '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const isNameChar = (c: string): boolean => /[A-Za-z0-9_:?]/.test(c);

/** The index after the closer matching the opener at `i` (`(`, `{`, `[`), quotes skipped; the text's end when unclosed. */
export function groupEnd(s: string, i: number): number {
  const open = s.charAt(i);
  const close = open === '(' ? ')' : open === '{' ? '}' : ']';
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charAt(j);
    if (c === '`') j++;
    else if (isIn(QUOTES, c)) {
      const q = s.indexOf(c, j + 1);
      if (q < 0) return s.length;
      j = q;
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  return s.length;
}

/** Splits PowerShell text into statements; parenthesised texts go to `groups`. */
export class Splitter {
  private i = 0;
  readonly statements: Statement[] = [];
  truncated = false;
  constructor(
    private readonly s: string,
    readonly groups: string[],
  ) {}

  run(): this {
    const s = this.s;
    let st = this.fresh(false);
    const end = (piped: boolean): void => {
      if (st.words.length > 0 || st.call) {
        st.to = this.i;
        if (this.statements.length >= MAX_STATEMENTS) this.truncated = true;
        else this.statements.push(st);
      }
      st = this.fresh(piped);
    };
    while (this.i < s.length && !this.truncated) {
      const c = s.charAt(this.i);
      const n = s.charAt(this.i + 1);
      if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || (c === '`' && (n === '\n' || n === '\r'))) this.i += c === '`' ? 2 : 1;
      else if (c === '\n' || c === ';' || c === '{' || c === '}' || c === ')') {
        end(false);
        this.i++;
      } else if (c === '|' || c === '&') {
        const twice = n === c;
        if (c === '&' && !twice && st.words.length === 0) st.call = true;
        else end(c === '|' && !twice);
        this.i += twice ? 2 : 1;
      } else if (c === '#') this.skipTo('\n', 0);
      else if (c === '<' && n === '#') this.skipTo('#>', 2);
      else if (st.words.length < MAX_WORDS) st.words.push(this.word(st.words.length, st.words[0]?.kind === W_EXPR));
      else this.truncated = true;
    }
    end(false);
    return this;
  }

  private fresh(piped: boolean): Statement {
    return { words: [], piped, call: false, from: this.i, to: this.i };
  }

  private skipTo(close: string, extra: number): void {
    const k = this.s.indexOf(close, this.i + extra);
    this.i = k < 0 ? this.s.length : close === '\n' ? k : k + close.length;
  }

  /** A group (`(…)`, `@{…}`, `[…]`) at `at`: its inside queued as statements, a hole in the word. */
  private group(at: number): number {
    const end = groupEnd(this.s, at);
    if (this.s.charAt(at) === '(') {
      if (this.groups.length < MAX_GROUPS) this.groups.push(this.s.slice(at + 1, Math.max(at + 1, end - 1)));
      else this.truncated = true;
    }
    return end;
  }

  /** The statement's `index`th word (`target`: the first is an expression): one element, or a comma list of them (not the command name). */
  private word(index: number, target: boolean): PsWord {
    const first = index === 0;
    const s = this.s;
    if (index === 1 && target && s.charAt(this.i) === '=' && s.charAt(this.i + 1) !== '=') {
      // `$x='…'`: the assignment operator is a word of its own, blanks around it or not.
      this.i++;
      return { text: '=', how: 0, kind: W_BARE, variable: null, items: null, from: this.i - 1, to: this.i };
    }
    const w = this.element(first);
    if (first || s.charAt(this.i) !== ',') return w;
    const items = [w];
    const list: PsWord = { text: w.text, how: w.how, kind: W_EXPR, variable: null, items, from: w.from, to: w.to };
    while (s.charAt(this.i) === ',') {
      this.i++;
      while (this.i < s.length && ' \t\r\n'.indexOf(s.charAt(this.i)) >= 0) this.i++;
      if (this.i >= s.length || ';|&{})'.indexOf(s.charAt(this.i)) >= 0) break;
      if (items.length >= MAX_ITEMS) {
        this.truncated = true;
        break;
      }
      const x = this.element(false);
      items.push(x);
      list.text += `,${x.text}`;
      list.how |= x.how;
    }
    list.to = this.i;
    return list;
  }

  private element(first: boolean): PsWord {
    const s = this.s;
    const from = this.i;
    const w: PsWord = { text: '', how: 0, kind: W_BARE, variable: null, items: null, from, to: from };
    const c0 = s.charAt(from);
    const c1 = s.charAt(from + 1);
    if (isIn(QUOTES, c0) || (c0 === '@' && isIn(QUOTES, c1))) w.kind = W_QUOTED;
    else if (c0 === '$' || c0 === '(' || c0 === '[' || (c0 === '@' && (c1 === '(' || c1 === '{'))) w.kind = W_EXPR;
    while (this.i < s.length) {
      const c = s.charAt(this.i);
      const n = s.charAt(this.i + 1);
      if (' \t\r\n;|&{})'.indexOf(c) >= 0 || (c === ',' && !first) || (c === '=' && first && w.kind === W_EXPR && n !== '=')) break;
      if (c === '@' && (n === '(' || n === '{')) this.hole(w, this.group(this.i + 1));
      else if (c === '@' && isIn(QUOTES, n) && (s.charAt(this.i + 2) === '\n' || s.charAt(this.i + 2) === '\r')) this.hereString(w);
      else if (isIn(SINGLE, c)) this.single(w);
      else if (isIn(DOUBLE, c)) this.double(w);
      else if (c === '`') {
        w.text += TICK[n] ?? n;
        this.i += 2;
      } else if (c === '$') this.variable(w, this.i === from);
      else if (c === '(') {
        // `iex(…)`: a command name ends at a parenthesis (about_Parsing).
        if (first && w.text !== '' && w.kind === W_BARE) break;
        this.hole(w, this.group(this.i));
      } else if (c === '[' && this.i === from) this.hole(w, groupEnd(s, this.i));
      else {
        w.text += c;
        this.i++;
      }
    }
    w.to = this.i;
    if (w.to === from) this.i++;
    return w;
  }

  private hole(w: PsWord, end: number): void {
    w.text += HOLE;
    w.how |= INDIRECT_RUNTIME;
    this.i = Math.max(end, this.i + 1);
  }

  /** `$name`, `${…}`, `$env:X`, `$(…)`: a value known at run time; `$` before anything else is itself. */
  private variable(w: PsWord, alone: boolean): void {
    const s = this.s;
    const n = s.charAt(this.i + 1);
    if (n === '(') return this.hole(w, this.group(this.i + 1));
    if (n === '{') {
      const k = s.indexOf('}', this.i + 2);
      return this.hole(w, k < 0 ? s.length : k + 1);
    }
    let j = this.i + 1;
    while (j < s.length && isNameChar(s.charAt(j))) j++;
    if (j === this.i + 1) {
      w.text += '$';
      this.i++;
      return;
    }
    const name = s.slice(this.i + 1, j).toLowerCase();
    this.hole(w, j);
    const next = s.charAt(j);
    if (alone && (next === '' || ' \t\r\n;|)},='.indexOf(next) >= 0)) w.variable = name;
  }

  private single(w: PsWord): void {
    const s = this.s;
    let j = this.i + 1;
    for (; j < s.length; j++) {
      if (!isIn(SINGLE, s.charAt(j))) w.text += s.charAt(j);
      else if (isIn(SINGLE, s.charAt(j + 1))) w.text += s.charAt(++j);
      else break;
    }
    this.i = Math.min(j + 1, s.length);
  }

  private double(w: PsWord): void {
    const s = this.s;
    this.i++;
    while (this.i < s.length) {
      const c = s.charAt(this.i);
      if (isIn(DOUBLE, c)) {
        if (!isIn(DOUBLE, s.charAt(this.i + 1))) break;
        w.text += c;
        this.i += 2;
      } else if (c === '`') {
        const e = s.charAt(this.i + 1);
        w.text += TICK[e] ?? e;
        this.i += 2;
      } else if (c === '$') this.variable(w, false);
      else {
        w.text += c;
        this.i++;
      }
    }
    this.i = Math.min(this.i + 1, s.length);
  }

  /** `@'…'@` (literal) and `@"…"@` (expanding): from the line after the opening to a line starting with the closing. */
  private hereString(w: PsWord): void {
    const s = this.s;
    const q = s.charAt(this.i + 1);
    const bodyFrom = s.indexOf('\n', this.i) + 1;
    let close = s.indexOf(`\n${q}@`, bodyFrom - 1);
    if (close < 0) close = s.length;
    const body = s.slice(bodyFrom, close).replace(/\r$/, '');
    if (isIn(SINGLE, q)) w.text += body;
    else {
      const inner = new Splitter(`"${body.replace(/"/g, '""')}"`, this.groups);
      const iw = inner.element(false);
      w.text += iw.text;
      w.how |= iw.how;
    }
    this.i = Math.min(close + 3, s.length);
  }
}

/** A `[Convert]::FromBase64String('…')` in `raw` decoded (UTF-16LE when the text says Unicode), or undefined when there is none. */
export function fromBase64(raw: string): Known | null | undefined {
  const m = /FromBase64String\(\s*['"\u2018\u2019\u201c\u201d]([A-Za-z0-9+/=\s]{4,})['"\u2018\u2019\u201c\u201d]\s*\)/i.exec(raw.length > 65536 ? raw.slice(0, 65536) : raw);
  if (m === null) return undefined;
  const text = decodeEncodedCommand(m[1]!, /unicode/i.test(raw));
  return text === null ? null : { text, how: INDIRECT_DECODED };
}

/** The value of a word handed on (a literal, a variable assigned once, a decoded literal); undefined: known only at run time. */
export function valueOf(src: string, w: PsWord, bound: ReadonlyMap<string, Known | null>): Known | null | undefined {
  if (w.kind === W_QUOTED && w.how === 0) return { text: w.text, how: 0 };
  if (w.variable !== null) return bound.get(w.variable) ?? undefined;
  return w.kind === W_EXPR && w.items === null ? fromBase64(src.slice(w.from, w.to)) : undefined;
}

/** Runs kept per text read. */
export const MAX_RUNS = 16;

/** A run kept, or `truncated` past MAX_RUNS. */
export function pushRun(out: CallsRead, r: CodeRun): void {
  if (out.runs.length >= MAX_RUNS) out.truncated = true;
  else out.runs.push(r);
}

/**
 * What `text`, written into `path` by the code's own call, will run where the path runs it
 * (exec-persisted-runs.ts: a cron entry, a unit's ExecStart, a profile line): runs with the text's `how`.
 */
export function pushWrittenRuns(out: CallsRead, path: string | null | undefined, text: string | null | undefined, how: number): void {
  if (path === null || path === undefined || text === null || text === undefined || onlyHoles(path) || onlyHoles(text)) return;
  for (const line of runsWrittenTo(path, text)) pushRun(out, { line, argv: null, how });
}

/** The name a command word runs: its path and a `.exe` suffix dropped (Windows resolves `curl` to `curl.exe`). */
export function commandName(w: string): string {
  const k = Math.max(w.lastIndexOf('/'), w.lastIndexOf('\\'));
  const base = k >= 0 && k < w.length - 1 ? w.slice(k + 1) : w;
  return base.length > 4 && base.slice(-4).toLowerCase() === '.exe' ? base.slice(0, -4) : base;
}

/** Text run as PowerShell (Invoke-Expression, `[scriptblock]::Create`): read again when known (undefined: known only at run time; null: decoded to no text). */
export function runText(v: Known | null | undefined, out: CallsRead): void {
  if (v === undefined || v === null) {
    out.kinds |= v === null ? INDIRECT_DECODED : INDIRECT_RUNTIME;
    return;
  }
  const how = v.how || INDIRECT_LITERAL;
  out.kinds |= how;
  if (out.codes.length < 8) out.codes.push({ code: v.text, how });
  else out.truncated = true;
}
