/**
 * The commands Tcl and Expect text runs (MITRE T1059; GTFOBins tclsh, expect): `exec prog args`
 * (an argv; with a `|` the stages as one shell line, so a pipe into a shell reads as one),
 * `open "|prog args"`, Expect's `spawn prog args` and `system args` (a shell line), and `send
 * "…"` to a shell that `spawn` started without `-c` (the text typed into it is a shell line).
 * Words are read as Tcl(n)'s dodekalogue says: commands end at `;` and newlines, `{…}` is literal
 * (nesting), `"…"` and bare words take backslash escapes, `$var` and `[cmd]` are substituted —
 * `[…]` is read as a script of its own, a variable the text `set`s once is known, anything else a
 * value known only at run time (HOLE); `{*}$list` expands a known list. The braced bodies of
 * control commands (`if`, `while`, `proc`, `catch`, `eval`, Expect's `expect { pat { … } }`…) are
 * read as scripts too.
 *
 * Bounded: MAX_COMMANDS commands and MAX_DEPTH nested scripts per text; past a bound the reading
 * says `truncated`. Never throws.
 */
import type { CallsRead } from './exec-interpreter-calls.js';
import type { InterpreterRun } from './exec-interpreter-options.js';
import { isStdinShell } from './exec-interpreter-shells.js';
import { HOLE, onlyHoles, readEscape } from './exec-interpreter-token.js';
import { INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';

const MAX_COMMANDS = 256;
const MAX_DEPTH = 8;
const MAX_RUNS = 16;

interface TclWord {
  text: string;
  how: number;
  braced: boolean;
  /** `{*}` before it: its value is a list spliced in as words. */
  expand: boolean;
}

/** Commands whose braced arguments are scripts (Tcl(n), expect(1)). */
const CONTROL = new Set(['if', 'elseif', 'else', 'while', 'for', 'foreach', 'proc', 'catch', 'try', 'finally', 'on', 'trap', 'after', 'time', 'namespace', 'expect', 'expect_after', 'expect_before', 'interact', 'switch', 'lmap', 'dict', 'apply']);
/** …of which these may take one braced list of patterns and bodies. */
const LISTED = new Set(['expect', 'expect_after', 'expect_before', 'interact', 'switch']);
/** exec's redirections whose target is the next word (Tcl exec(n)). */
const REDIRECT_NEXT = new Set(['<', '<@', '<<', '>', '2>', '>&', '>>', '2>>', '>>&', '>@', '2>@', '>&@']);
/** spawn's options that take a value (expect(1)). */
const SPAWN_ARG = new Set(['-ignore', '-open', '-leaveopen']);

const SIMPLE_WORD = /^[A-Za-z0-9_\-.,/:=@%+^]+$/;
/** A word as a POSIX shell reads it back: single-quoted when it holds anything special. */
const shellQuote = (w: string): string => (SIMPLE_WORD.test(w) ? w : `'${w.split("'").join("'\\''")}'`);

class TclReader {
  readonly out: CallsRead = { runs: [], codes: [], kinds: 0, truncated: false };
  private commands = 0;
  private readonly vars = new Map<string, TclWord | null>();
  private spawnedShell = false;

  /** Reads `text` as a script at `depth`. */
  script(text: string, depth: number): void {
    if (depth >= MAX_DEPTH) {
      this.out.truncated = true;
      return;
    }
    const p = new WordParser(text, false, (inner) => this.substitution(inner, depth + 1), (name) => this.vars.get(name));
    for (let words = p.command(); words !== null; words = p.command()) {
      if (++this.commands > MAX_COMMANDS) {
        this.out.truncated = true;
        return;
      }
      this.command(this.expanded(words), depth);
    }
  }

  /** A `[…]` substitution read as a script; `[list a b]` of literal words is a known value (the list). */
  private substitution(inner: string, depth: number): string | null {
    const words = listWords(inner);
    if (words[0]?.text === 'list' && !/[[$;\n]/.test(inner) && words.every((w) => w.how === 0)) {
      return words.slice(1).map((w) => (w.text === '' || /[\s{}"\\]/.test(w.text) ? `{${w.text}}` : w.text)).join(' ');
    }
    this.script(inner, depth);
    return null;
  }

  /** `{*}$x` spliced: a known list's words; an unknown one a hole. */
  private expanded(words: TclWord[]): TclWord[] {
    if (!words.some((w) => w.expand)) return words;
    const out: TclWord[] = [];
    for (const w of words) {
      if (!w.expand) out.push(w);
      else if (w.how !== 0) out.push({ ...w, text: HOLE, expand: false });
      else out.push(...listWords(w.text));
    }
    return out;
  }

  private command(words: TclWord[], depth: number): void {
    const name = words[0]?.text;
    if (name === undefined) return;
    const args = words.slice(1);
    if (name === 'set' && args.length === 2 && words[1]!.how === 0) {
      const v = words[1]!.text;
      this.vars.set(v, this.vars.has(v) ? null : args[1]!);
    } else if (name === 'exec' || name === 'exp_exec') {
      let k = 0;
      while (k < args.length && args[k]!.text.startsWith('-') && args[k]!.how === 0) if (args[k++]!.text === '--') break;
      this.exec(args.slice(k));
    } else if (name === 'open' && args[0]?.text.startsWith('|')) {
      const first = args[0];
      this.exec(listWords(first.text.slice(1)).map((w) => ({ ...w, how: w.how | first.how })));
    } else if (name === 'spawn' || name === 'exp_spawn') {
      let k = 0;
      for (; k < args.length && args[k]!.text.startsWith('-'); k++) if (SPAWN_ARG.has(args[k]!.text)) k++;
      const argv = args.slice(k);
      if (argv.length > 0 && isStdinShell(argv.map((w) => w.text))) this.spawnedShell = true;
      this.exec(argv);
    } else if (name === 'system' || name === 'exp_system') this.run(args.map((w) => w.text).join(' '), null, howOf(args));
    else if ((name === 'send' || name === 'exp_send') && this.spawnedShell) {
      const text = args.filter((w) => !w.text.startsWith('-'))[0];
      if (text !== undefined) this.run(text.text.replace(/[\r\n]+$/, ''), null, text.how);
    }
    if (name === 'eval' || name === 'uplevel') this.script(args.map((w) => w.text).join(' '), depth + 1);
    else if (CONTROL.has(name)) {
      // `expect { "pat" { send … } }`: one braced list of patterns and bodies.
      const bodies = args.length === 1 && args[0]!.braced && LISTED.has(name) ? listWords(args[0]!.text) : args;
      for (const w of bodies) if (w.braced && w.text.trim() !== '') this.script(w.text, depth + 1);
    }
  }

  /** exec's words: without a pipe an argv (redirections dropped), with one a shell line. */
  private exec(args: TclWord[]): void {
    const words: string[] = [];
    let piped = false;
    for (let k = 0; k < args.length; k++) {
      const w = args[k]!.text;
      if (w === '&' && k === args.length - 1) break;
      if (w === '|' || w === '|&') {
        piped = true;
        words.push('|');
      } else if (REDIRECT_NEXT.has(w)) k++;
      else if (w[0] !== '<' && w[0] !== '>' && !w.startsWith('2>')) words.push(w);
    }
    if (words.length === 0) return;
    if (piped) this.run(words.map((w) => (w === '|' ? w : shellQuote(w))).join(' '), null, howOf(args));
    else this.run(null, words, howOf(args));
  }

  private run(line: string | null, argv: string[] | null, how: number): void {
    if (onlyHoles(line ?? argv!.join(''))) {
      this.out.kinds |= how || INDIRECT_RUNTIME;
      return;
    }
    this.out.kinds |= how || INDIRECT_LITERAL;
    if (this.out.runs.length >= MAX_RUNS) this.out.truncated = true;
    else this.out.runs.push({ line, argv, how });
  }
}

const howOf = (ws: readonly TclWord[]): number => ws.reduce((h, w) => h | w.how, 0);

/** A Tcl list's words (Tcl(n) list syntax: braces and quotes group, no substitution). */
function listWords(text: string): TclWord[] {
  const p = new WordParser(text, true, () => null, () => undefined);
  const out: TclWord[] = [];
  for (let ws = p.command(); ws !== null && out.length < 256; ws = p.command()) out.push(...ws);
  return out;
}

/** Reads Tcl words, command by command (list mode: no substitutions, newlines are blanks). */
class WordParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly list: boolean,
    private readonly onScript: (inner: string) => string | null,
    private readonly varValue: (name: string) => TclWord | null | undefined,
  ) {}

  /** The words of the next command, or null at the text's end. */
  command(): TclWord[] | null {
    const s = this.s;
    const words: TclWord[] = [];
    while (this.i < s.length) {
      const c = s.charAt(this.i);
      if (c === ' ' || c === '\t' || c === '\r' || (this.list && (c === '\n' || c === ';'))) this.i++;
      else if (c === '\\' && s.charAt(this.i + 1) === '\n') this.i += 2;
      else if (c === '\n' || c === ';') {
        this.i++;
        if (words.length > 0) return words;
      } else if (c === '#' && words.length === 0 && !this.list) {
        while (this.i < s.length && s.charAt(this.i) !== '\n') this.i += s.charAt(this.i) === '\\' ? 2 : 1;
      } else if (words.length >= 256) this.i++;
      else words.push(this.word());
    }
    return words.length > 0 ? words : null;
  }

  private word(): TclWord {
    const s = this.s;
    const w: TclWord = { text: '', how: 0, braced: false, expand: false };
    if (s.startsWith('{*}', this.i) && s.charAt(this.i + 3) !== '' && !/\s/.test(s.charAt(this.i + 3))) {
      w.expand = true;
      this.i += 3;
    }
    const c = s.charAt(this.i);
    if (c === '{') {
      const end = braceEnd(s, this.i);
      w.text = s.slice(this.i + 1, end - 1);
      w.braced = true;
      this.i = end;
      return w;
    }
    const quoted = c === '"';
    if (quoted) this.i++;
    while (this.i < s.length) {
      const ch = s.charAt(this.i);
      if (quoted ? ch === '"' : ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || (ch === ';' && !this.list)) break;
      if (ch === '\\') {
        const [t, j] = s.charAt(this.i + 1) === '\n' ? [' ', this.i + 2] : readEscape(s, this.i + 1, 'ruby');
        w.text += t;
        this.i = j;
      } else if (ch === '[' && !this.list) {
        const end = bracketEnd(s, this.i);
        const v = this.onScript(s.slice(this.i + 1, end - 1));
        if (v === null) this.hole(w, end);
        else {
          w.text += v;
          this.i = end;
        }
      } else if (ch === '$' && !this.list && /[A-Za-z0-9_:{]/.test(s.charAt(this.i + 1))) this.variable(w);
      else {
        w.text += ch;
        this.i++;
      }
    }
    if (quoted) this.i = Math.min(this.i + 1, s.length);
    return w;
  }

  private hole(w: TclWord, end: number): void {
    w.text += HOLE;
    w.how |= INDIRECT_RUNTIME;
    this.i = Math.max(end, this.i + 1);
  }

  /** `$name`, `${name}`, `$name(index)`: a value `set` once in the text, else a hole. */
  private variable(w: TclWord): void {
    const s = this.s;
    let name: string;
    let end: number;
    if (s.charAt(this.i + 1) === '{') {
      end = s.indexOf('}', this.i + 2);
      end = end < 0 ? s.length : end + 1;
      name = s.slice(this.i + 2, end - 1);
    } else {
      end = this.i + 1;
      while (end < s.length && /[A-Za-z0-9_:]/.test(s.charAt(end))) end++;
      name = s.slice(this.i + 1, end);
      if (s.charAt(end) === '(') return this.hole(w, Math.min(s.length, (s.indexOf(')', end) + 1) || s.length));
    }
    const v = this.varValue(name);
    if (v === undefined || v === null) return this.hole(w, end);
    w.text += v.text;
    w.how |= v.how;
    this.i = end;
  }
}

/** The index after the `}` matching the `{` at `i` (backslashes hide a brace); the end when unclosed. */
function braceEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charAt(j);
    if (c === '\\') j++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return j + 1;
  }
  return s.length;
}

/** The index after the `]` closing the command substitution at `i` (braces, quotes and nested brackets skipped). */
function bracketEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charAt(j);
    if (c === '\\') j++;
    else if (c === '{') j = braceEnd(s, j) - 1;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return j + 1;
  }
  return s.length;
}

/** What Tcl or Expect `text` runs (see the header). */
export function readTcl(text: string): CallsRead {
  const r = new TclReader();
  r.script(text, 0);
  return r.out;
}

/**
 * The options of `tclsh` (no inline code: `tclsh ?-encoding name? ?file args?`) and `expect`
 * (`-c cmds`, several; `-f file`; `-D n`; `-`: stdin), as their manual pages give them.
 */
export function tclOptions(words: readonly string[], t: number, expect: boolean): InterpreterRun {
  const out: InterpreterRun = { code: [], how: 0, operand: words.length, module: false };
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--') {
      out.operand = j + 1;
      break;
    }
    if (w === '-' || w.length < 2 || w[0] !== '-') {
      out.operand = j;
      break;
    }
    if (!expect) {
      if (w === '-encoding') j++;
    } else if (w === '-c' && j + 1 < words.length) out.code.push(words[++j]!);
    else if (w === '-f' || w === '-b') {
      out.operand = j + 1;
      break;
    } else if (w === '-D') j++;
  }
  return out;
}
