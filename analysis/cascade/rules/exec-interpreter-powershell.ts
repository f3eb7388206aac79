/**
 * The commands PowerShell text runs (MITRE T1059.001), read as its statements: a PowerShell
 * command line is mostly "command arguments" (about_Parsing, argument mode), so the text is split
 * into statements at `;`, newlines, `|`, `&&`, `||` and script-block braces, outside strings and
 * parentheses, and each statement's words are read with PowerShell's quoting (about_Quoting_Rules:
 * `'…'` with `''`, `"…"` with backtick escapes and `$var` / `$(…)` known only at run time, here-
 * strings `@'…'@` / `@"…"@`, typographic quotes too; a backtick escapes in a bare word). Each
 * statement that names a command is a run of the text's own (`direct`, as a shell script's
 * commands are): `Invoke-WebRequest -InFile …`, `curl.exe -T …` (a `.exe` suffix and a path
 * dropped from the name), `& 'curl' …`, `Start-Process curl -ArgumentList '…'`. The inside of
 * `(…)`, `$(…)` and `@(…)` is read as statements too.
 *
 * `Invoke-Expression` / `iex` runs text as PowerShell: a literal string (spelled, or a `$x` the
 * text assigns it once; as an argument or piped in: `'…' | iex`) is read again (literal);
 * `[Convert]::FromBase64String('…')` of a literal is decoded (UTF-16LE where the statement says
 * `Unicode`, else UTF-8) and read again (decoded); anything else —
 * `iex (New-Object Net.WebClient).DownloadString('…')` — runs text known only at run time.
 *
 * Bounded: MAX_STATEMENTS statements and MAX_GROUPS parenthesised texts per text; past a bound the
 * reading says `truncated`. Never throws.
 */
import type { CallsRead, CodeRun } from './exec-interpreter-calls.js';
import { decodeEncodedCommand } from './exec-interpreter-powershell-args.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';

const MAX_STATEMENTS = 128;
const MAX_GROUPS = 16;
const MAX_WORDS = 256;
const MAX_RUNS = 16;

const W_BARE = 0;
const W_QUOTED = 1;
const W_EXPR = 2;

interface PsWord {
  text: string;
  how: number;
  kind: number;
  /** `$name` when the word is that variable alone (lower case), else null. */
  variable: string | null;
  from: number;
  to: number;
}

interface Statement {
  words: PsWord[];
  /** Its input is the previous statement's output (`… | iex`). */
  piped: boolean;
  /** Run by the call operator: `& 'curl' …`. */
  call: boolean;
  from: number;
  to: number;
}

/** A text's value as PowerShell would hand it on: its text and how it came about. */
interface Known {
  text: string;
  how: number;
}

const SINGLE = "'\u2018\u2019\u201a\u201b";
const DOUBLE = '"\u201c\u201d\u201e';
/** Backtick escapes (about_Special_Characters). */
const TICK: Readonly<Record<string, string>> = { '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
/** Language keywords: a statement opening with one runs no command of that name. */
const KEYWORDS = new Set(['if', 'elseif', 'else', 'foreach', 'for', 'while', 'do', 'until', 'switch', 'function', 'filter', 'workflow', 'param', 'return', 'throw', 'exit', 'break', 'continue', 'try', 'catch', 'finally', 'trap', 'begin', 'process', 'end', 'class', 'enum', 'using', 'data', 'dynamicparam', 'hidden', 'static', 'configuration']);
const isNameChar = (c: string): boolean => /[A-Za-z0-9_:?]/.test(c);

/** The index after the closer matching the opener at `i` (`(`, `{`, `[`), quotes skipped; the text's end when unclosed. */
function groupEnd(s: string, i: number): number {
  const open = s.charAt(i);
  const close = open === '(' ? ')' : open === '{' ? '}' : ']';
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charAt(j);
    if (c === '`') j++;
    else if (SINGLE.indexOf(c) >= 0 || DOUBLE.indexOf(c) >= 0) {
      const q = s.indexOf(c, j + 1);
      if (q < 0) return s.length;
      j = q;
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  return s.length;
}

/** Splits PowerShell text into statements; parenthesised texts go to `groups`. */
class Splitter {
  private i = 0;
  readonly statements: Statement[] = [];
  truncated = false;
  constructor(
    private readonly s: string,
    readonly groups: string[],
  ) {}

  run(): void {
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
      else if (st.words.length < MAX_WORDS) st.words.push(this.word(st.words.length === 0));
      else this.truncated = true;
    }
    end(false);
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

  private word(first: boolean): PsWord {
    const s = this.s;
    const from = this.i;
    const w: PsWord = { text: '', how: 0, kind: W_BARE, variable: null, from, to: from };
    const c0 = s.charAt(from);
    if (SINGLE.indexOf(c0) >= 0 || DOUBLE.indexOf(c0) >= 0 || (c0 === '@' && (SINGLE + DOUBLE).indexOf(s.charAt(from + 1)) >= 0)) w.kind = W_QUOTED;
    else if (c0 === '$' || c0 === '(' || c0 === '[' || (c0 === '@' && (s.charAt(from + 1) === '(' || s.charAt(from + 1) === '{'))) w.kind = W_EXPR;
    while (this.i < s.length) {
      const c = s.charAt(this.i);
      if (' \t\r\n;|&{})'.indexOf(c) >= 0) break;
      if (c === '@' && this.i + 1 < s.length && '({'.indexOf(s.charAt(this.i + 1)) >= 0) this.hole(w, this.group(this.i + 1));
      else if (c === '@' && (SINGLE + DOUBLE).indexOf(s.charAt(this.i + 1)) >= 0 && (s.charAt(this.i + 2) === '\n' || s.charAt(this.i + 2) === '\r')) this.hereString(w);
      else if (SINGLE.indexOf(c) >= 0) this.single(w);
      else if (DOUBLE.indexOf(c) >= 0) this.double(w);
      else if (c === '`') {
        const e = s.charAt(this.i + 1);
        w.text += TICK[e] ?? e;
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
    if (alone && (next === '' || ' \t\r\n;|)}'.indexOf(next) >= 0)) w.variable = name;
  }

  private single(w: PsWord): void {
    const s = this.s;
    let j = this.i + 1;
    for (; j < s.length; j++) {
      if (SINGLE.indexOf(s.charAt(j)) < 0) w.text += s.charAt(j);
      else if (SINGLE.indexOf(s.charAt(j + 1)) >= 0) w.text += s.charAt(++j);
      else break;
    }
    this.i = Math.min(j + 1, s.length);
  }

  private double(w: PsWord): void {
    const s = this.s;
    this.i++;
    while (this.i < s.length) {
      const c = s.charAt(this.i);
      if (DOUBLE.indexOf(c) >= 0) {
        if (DOUBLE.indexOf(s.charAt(this.i + 1)) < 0) break;
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
    if (SINGLE.indexOf(q) >= 0) w.text += body;
    else {
      const inner = new Splitter(`"${body.replace(/"/g, '""')}"`, this.groups);
      const iw = inner.word(false);
      w.text += iw.text;
      w.how |= iw.how;
    }
    this.i = Math.min(close + 3, s.length);
  }
}

/** The name a command word runs: its path and a `.exe` suffix dropped (Windows resolves `curl` to `curl.exe`). */
function commandName(w: string): string {
  const k = Math.max(w.lastIndexOf('/'), w.lastIndexOf('\\'));
  const base = k >= 0 && k < w.length - 1 ? w.slice(k + 1) : w;
  return base.length > 4 && base.slice(-4).toLowerCase() === '.exe' ? base.slice(0, -4) : base;
}

/** A `[Convert]::FromBase64String('…')` in `raw` decoded (UTF-16LE when the text says Unicode), or undefined when there is none. */
function fromBase64(raw: string): Known | null | undefined {
  const m = /FromBase64String\(\s*['"\u2018\u2019\u201c\u201d]([A-Za-z0-9+/=\s]{4,})['"\u2018\u2019\u201c\u201d]\s*\)/i.exec(raw.length > 65536 ? raw.slice(0, 65536) : raw);
  if (m === null) return undefined;
  const text = decodeEncodedCommand(m[1]!, /unicode/i.test(raw));
  return text === null ? null : { text, how: INDIRECT_DECODED };
}

/** What PowerShell `text` runs (see the header). */
export function readPowerShell(text: string): CallsRead {
  const out: CallsRead = { runs: [], codes: [], kinds: 0, truncated: false };
  const texts = [text];
  const groups: string[] = [];
  const bound = new Map<string, Known | null>();
  for (let t = 0; t < texts.length; t++) {
    const sp = new Splitter(texts[t]!, groups);
    sp.run();
    if (sp.truncated) out.truncated = true;
    let previous: Known | null | undefined;
    for (const st of sp.statements) previous = statement(texts[t]!, st, st.piped ? previous : undefined, bound, out);
    while (groups.length > 0 && texts.length < MAX_GROUPS) texts.push(groups.shift()!);
    if (groups.length > 0) out.truncated = true;
  }
  return out;
}

const push = (out: CallsRead, r: CodeRun): void => {
  if (out.runs.length >= MAX_RUNS) out.truncated = true;
  else out.runs.push(r);
};

/** Text handed to Invoke-Expression: read again when known, else a run-time value. */
function invoke(v: Known | null | undefined, out: CallsRead): void {
  if (v === undefined || v === null) {
    out.kinds |= v === null ? INDIRECT_DECODED : INDIRECT_RUNTIME;
    return;
  }
  const how = v.how || INDIRECT_LITERAL;
  out.kinds |= how;
  if (out.codes.length < 8) out.codes.push({ code: v.text, how });
  else out.truncated = true;
}

/** The value of a word handed on (a literal, a variable assigned once, a decoded literal); undefined: known only at run time. */
function valueOf(src: string, w: PsWord, bound: ReadonlyMap<string, Known | null>): Known | null | undefined {
  if (w.kind === W_QUOTED && w.how === 0) return { text: w.text, how: 0 };
  if (w.variable !== null) return bound.get(w.variable) ?? undefined;
  return w.kind === W_EXPR ? fromBase64(src.slice(w.from, w.to)) : undefined;
}

/** Reads one statement; returns the value it hands down a pipeline (undefined: none known). */
function statement(src: string, st: Statement, piped: Known | null | undefined, bound: Map<string, Known | null>, out: CallsRead): Known | null | undefined {
  let words = st.words;
  const w0 = words[0];
  if (w0 === undefined) return undefined;
  if (w0.variable !== null && words[1]?.kind === W_BARE && words[1].text === '=') {
    // `$c = '…'`: a variable assigned once is known where it is used; `$r = curl …` runs the command.
    const v = words.length === 3 ? valueOf(src, words[2]!, bound) : undefined;
    bound.set(w0.variable, bound.has(w0.variable) ? null : (v ?? null));
    words = words.slice(2);
    if (words.length === 0 || words[0]!.kind !== W_BARE) return undefined;
  }
  const head = words[0]!;
  if (!st.call && head.kind !== W_BARE) return words.length === 1 ? valueOf(src, head, bound) : fromBase64(src.slice(st.from, st.to));
  let name = head.text;
  if (st.call) {
    const v = valueOf(src, head, bound);
    if (v === undefined || v === null) {
      out.kinds |= INDIRECT_RUNTIME;
      return undefined;
    }
    name = v.text;
  }
  const lower = name.toLowerCase();
  if (KEYWORDS.has(lower) || name === '' || name === '=') return undefined;
  const args = words.slice(1);
  if (lower === 'iex' || lower === 'invoke-expression') {
    const arg = args.find((a) => !(a.kind === W_BARE && a.text.startsWith('-')));
    invoke(arg !== undefined ? valueOf(src, arg, bound) : piped, out);
    return undefined;
  }
  if (lower === 'start-process' || lower === 'saps' || lower === 'start') return startProcess(args, out);
  push(out, { line: null, argv: [commandName(name), ...args.map((a) => a.text)], how: 0, direct: true });
  return undefined;
}

/** Start-Process switches that take no value (about Start-Process). */
const SP_SWITCHES = new Set(['wait', 'nonewwindow', 'passthru', 'loaduserprofile', 'usenewenvironment']);

/** `Start-Process [-FilePath] file [[-ArgumentList] args]`: the program and its arguments, a run of the text's own. */
function startProcess(args: readonly PsWord[], out: CallsRead): undefined {
  let file: string | undefined;
  let list: string[] = [];
  const positional: PsWord[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (!(a.kind === W_BARE && a.text.length > 1 && a.text[0] === '-')) {
      positional.push(a);
      continue;
    }
    const p = a.text.slice(1).toLowerCase();
    const v = args[k + 1];
    if (SP_SWITCHES.has(p)) continue;
    k++;
    if (v === undefined) break;
    if (p.length >= 1 && 'filepath'.startsWith(p)) file = v.text;
    else if (p === 'args' || (p.length >= 1 && 'argumentlist'.startsWith(p))) list = argumentWords(v);
  }
  if (file === undefined && positional[0] !== undefined) file = positional.shift()!.text;
  if (list.length === 0 && positional[0] !== undefined) list = argumentWords(positional[0]);
  if (file !== undefined) push(out, { line: null, argv: [commandName(file), ...list], how: 0, direct: true });
  return undefined;
}

/** An -ArgumentList value: a quoted command line split at blanks, or a comma list. */
function argumentWords(w: PsWord): string[] {
  return w.text.split(w.kind === W_QUOTED ? /\s+/ : ',').filter((x) => x !== '');
}
