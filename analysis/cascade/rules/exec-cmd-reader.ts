/**
 * cmd.exe's syntax read (phase 2 of the model in exec-cmd-vars.ts; `cmd /?`, `if /?`, `for /?`)
 * and written as a POSIX shell command line of the same commands (exec-cmd.ts says how the words
 * are written). Besides words, quotes, carets, operators, redirections and `( … )` groups:
 * - `if [/i] [not] exist|defined|errorlevel|cmdextversion X …`, `if [/i] [not] a==b …`,
 *   `if [/i] a EQU|NEQ|LSS|LEQ|GTR|GEQ b …`: the condition is dropped (it runs nothing) and the
 *   command after it is read; `) else (` after a parenthesized body reads the else branch too,
 *   written `( cmd1 ) & ( cmd2 )`: both are commands the line may run.
 * - `for … %v in (set) do body`: the body is read; with `/f` a set `('command')` (or
 *   `` (`command`) `` under `usebackq`) is a command line cmd runs (in a child `cmd /c`), read and
 *   written before the body as `( command ) & body`. The body runs with the variable set to values
 *   a file name, a list or a command's output gives: runtime (INDIRECT_RUNTIME).
 * - `@`, `call` (with its second expansion, exec-cmd-vars.ts), `start ["title"] [/opts]` before
 *   the program; the tool word loses its path and a `.exe` suffix; `%COMSPEC%` is `cmd`.
 * Bounded: MAX_CMD_WORDS words a reader, MAX_CMD_DEPTH nested readers (`call`, `for /f`), the
 * expansion budget of CmdState; never throws.
 */
import type { CmdState } from './exec-cmd-vars.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';
import { MAX_SCRIPT_CHARS } from './shell-script.js';

/** Words read from one cmd command line. */
const MAX_CMD_WORDS = 512;
/** Readers nested in one line (`call` read again, `for /f`'s command). */
const MAX_CMD_DEPTH = 3;
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** `start` options that take a value (`start /d C:\x prog`). */
const START_VALUED = new Set(['/d', '/node', '/affinity']);
/** `if`'s comparison operators (`if /?`). */
const COMPARE = new Set(['equ', 'neq', 'lss', 'leq', 'gtr', 'geq']);
/** `if` conditions of a keyword and one operand. */
const IF_UNARY = new Set(['exist', 'defined', 'errorlevel', 'cmdextversion']);

interface CmdWord {
  text: string;
  /** Some of it was quoted (a quoted word is a word even when empty; `start`'s title is one). */
  quoted: boolean;
  /** An operator or redirection, written as it is. */
  op: boolean;
  /** The length of `text` at its last `"` (-1: none): `if "a"==""` has an operand after `==`. */
  lastQuote: number;
}

/** A word's keyword reading: lower-cased, leading `@` dropped; '' for a quoted word or an operator. */
const keyword = (w: CmdWord | undefined): string => (w === undefined || w.quoted || w.op ? '' : w.text.replace(/^@+/, '').toLowerCase());

export class CmdReader {
  private readonly out: string[] = [];
  private cmd: CmdWord[] = [];
  private w: CmdWord | null = null;
  private count = 0;
  /** The current command's text after phase 2 (carets read, quotes kept): `set` and `call` read it. */
  private raw = '';
  /** A `for` set was read: the next word should be `do`. */
  private forDo = false;
  /** Commands written. */
  commands = 0;
  private readonly text: string;
  constructor(text: string, private readonly state: CmdState, private readonly depth = 0) {
    this.text = text.length > MAX_SCRIPT_CHARS ? text.slice(0, MAX_SCRIPT_CHARS) : text;
  }

  read(): string {
    const text = this.text;
    if (this.depth === 0) this.state.percent(text); // phase 1: what it finds depends on the environment
    let quoted = false;
    let depth = 0;
    for (let i = 0; i < text.length && this.count < MAX_CMD_WORDS; i++) {
      const c = text.charAt(i);
      const n = text.charAt(i + 1);
      if (c === '"') {
        quoted = !quoted;
        const w = this.word();
        w.quoted = true;
        w.lastQuote = w.text.length;
        this.raw += c;
      } else if (quoted) this.char(c);
      else if (c === '^') {
        // An escaped character; `^` then a line break continues the line.
        if (n === '\r' && text.charAt(i + 2) === '\n') i += 2;
        else if (n !== '') {
          if (n !== '\n') this.char(n);
          i++;
        }
      } else if (c === ' ' || c === '\t') {
        this.endWord();
        this.raw += c;
      } else if (c === '&' || c === '|' || c === '\n' || c === '\r') {
        const twice = n === c && c !== '\n' && c !== '\r';
        this.endCommand(c === '&' || c === '\n' || c === '\r' ? (twice ? '&&' : '&') : twice ? '||' : '|');
        if (twice) i++;
      } else if (c === '<' || c === '>') i = this.redirection(i);
      else if (c === '(' && this.w === null && this.cmd.length === 0) {
        depth++;
        this.out.push('(');
      } else if (c === ')' && depth > 0) {
        depth--;
        this.endCommand(')');
      } else if (c === '(' && this.w === null && keyword(this.cmd[0]) === 'for' && keyword(this.cmd[this.cmd.length - 1]) === 'in') i = this.forSet(i);
      else this.char(c);
    }
    this.endCommand('');
    return this.out.join(' ');
  }

  private char(c: string): void {
    this.word().text += c;
    this.raw += c;
  }

  private word(): CmdWord {
    return (this.w ??= { text: '', quoted: false, op: false, lastQuote: -1 });
  }

  private endWord(): void {
    if (this.w !== null && this.count++ < MAX_CMD_WORDS) {
      this.cmd.push(this.w);
      this.w = null;
      this.keywords();
    }
    this.w = null;
  }

  /** `if`'s condition, `else`, `for`'s `do`: words that run nothing, dropped as they complete. */
  private keywords(): void {
    const cmd = this.cmd;
    const k = keyword(cmd[cmd.length - 1]);
    if (cmd.length === 1 && this.forDo) {
      this.forDo = false;
      if (k === 'do') this.clear();
    } else if (cmd.length === 1 && k === 'else' && this.out[this.out.length - 1] === ')') {
      this.clear();
      this.out.push('&');
    } else if (cmd.length >= 3 && keyword(cmd[0]) === 'if' && ifHeadDone(cmd)) this.clear();
  }

  private clear(): void {
    this.cmd = [];
    this.raw = '';
  }

  private endCommand(op: string): void {
    this.endWord();
    this.writeCommand();
    this.clear();
    this.forDo = false;
    if (op !== '') this.out.push(op);
  }

  /** A redirection at `i` (`>`, `>>`, `<`; `2>` takes a lone digit before it, `>&1` a descriptor after it); the index of its last character. */
  private redirection(i: number): number {
    const text = this.text;
    const c = text.charAt(i);
    const w = this.w;
    const fd = w !== null && !w.quoted && /^[0-9]$/.test(w.text) ? w.text : '';
    if (fd !== '') this.w = null;
    else this.endWord();
    let op = fd + c;
    if (c === '>' && text.charAt(i + 1) === '>') op += text.charAt(++i);
    if (text.charAt(i + 1) === '&' && /[0-9]/.test(text.charAt(i + 2))) {
      op += text.slice(i + 1, i + 3);
      i += 2;
    }
    if (this.count++ < MAX_CMD_WORDS) this.cmd.push({ text: op, quoted: false, op: true, lastQuote: -1 });
    return i;
  }

  /** `for`'s `(set)` opening at `i`: a `/f` command read and written; the index of its `)`. */
  private forSet(i: number): number {
    const text = this.text;
    let f = false;
    let backq = false;
    for (const x of this.cmd) {
      if (keyword(x) === '/f') f = true;
      else if (x.quoted && x.text.toLowerCase().indexOf('usebackq') >= 0) backq = true;
    }
    const q = backq ? '`' : "'";
    let open = '';
    let k = i + 1;
    for (; k < text.length; k++) {
      const c = text.charAt(k);
      if (open !== '') open = c === open ? '' : open;
      else if (c === '"' || (f && c === q)) open = c;
      else if (c === ')') break;
    }
    this.state.kinds |= INDIRECT_RUNTIME;
    const set = text.slice(i + 1, k).trim();
    this.clear();
    this.forDo = true;
    if (f && set.length >= 2 && set.charAt(0) === q && set.charAt(set.length - 1) === q) {
      const inner = this.nested(caretsRead(set.slice(1, -1)));
      if (inner !== '') this.out.push('(', inner, ')', '&');
    }
    return k;
  }

  /** A command line read by a nested reader (`call`, `for /f`), sharing the line's state; '' past the bounds. */
  private nested(text: string): string {
    if (this.depth + 1 >= MAX_CMD_DEPTH || !this.state.take(text.length + 1)) {
      this.state.kinds |= INDIRECT_RUNTIME;
      return '';
    }
    return new CmdReader(text, this.state, this.depth + 1).read();
  }

  /** One command written out: `set` recorded, `call` expanded, cmd's prefixes read, the tool word reduced. */
  private writeCommand(): void {
    const words = this.cmd;
    const st = this.state;
    if (st.delayed !== false) for (const x of words) if (!x.op) x.text = st.bang(x.text);
    let t = 0;
    while (t < words.length && words[t]!.op) t += 2;
    const head = keyword(words[t]);
    if (head === 'set') st.set(st.delayed === true ? st.bang(this.raw) : this.raw);
    else if (head === 'call' && this.raw.indexOf('%') >= 0) {
      // `call` expands its command again and reads it again (exec-cmd-vars.ts).
      const after = this.raw.replace(/^[\s@]*call[ \t]*/i, '');
      const expanded = st.percent(after);
      if (expanded !== after) {
        const inner = this.nested(expanded);
        if (inner !== '') {
          this.commands++;
          this.out.push(...(/ (&&?|\|\|?) /.test(inner) ? ['(', inner, ')'] : [inner]));
        }
        return;
      }
    }
    writeWords(words, t, this.out);
    this.commands++;
  }
}

/** Whether `if`'s words (`cmd[0]` is `if`) hold its whole condition (`if /?`). */
function ifHeadDone(cmd: readonly CmdWord[]): boolean {
  let k = 1;
  if (keyword(cmd[k]) === '/i') k++;
  if (keyword(cmd[k]) === 'not') k++;
  const first = cmd[k];
  if (first === undefined) return false;
  if (IF_UNARY.has(keyword(first))) return cmd.length === k + 2;
  const eq = first.text.indexOf('==');
  if (eq >= 0) return cmd.length === (eq + 2 < first.text.length || first.lastQuote >= eq + 2 ? k + 1 : k + 2);
  const second = cmd[k + 1];
  if (second === undefined) return false;
  if (second.text.startsWith('==')) return cmd.length === (second.text.length > 2 ? k + 2 : k + 3);
  return COMPARE.has(keyword(second)) && cmd.length === k + 3;
}

/** Text with cmd's `^` escapes read (outside double quotes): a `for /f` command as its child cmd gets it. */
function caretsRead(s: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '"') quoted = !quoted;
    if (c === '^' && !quoted && i + 1 < s.length) out += s.charAt(++i);
    else out += c;
  }
  return out;
}

/** A command's words from its tool word `t` written to `out`: `@`, `call`, `start` read, the tool word reduced. */
function writeWords(words: CmdWord[], t: number, out: string[]): void {
  const first = words[t];
  if (first !== undefined && !first.quoted && first.text.startsWith('@')) {
    first.text = first.text.replace(/^@+/, '');
    if (first.text === '') words.splice(t, 1);
  }
  for (let k = 0; k < 4 && t < words.length; k++) {
    const name = words[t]!.quoted ? '' : words[t]!.text.toLowerCase();
    if (name === 'call') words.splice(t, 1);
    else if (name === 'start') {
      let j = t + 1;
      if (words[j]?.quoted) j++; // the window title
      while (j < words.length && !words[j]!.quoted && words[j]!.text.startsWith('/')) j += START_VALUED.has(words[j]!.text.toLowerCase()) ? 2 : 1;
      words.splice(t, j - t);
    } else break;
  }
  const tool = words[t];
  if (tool !== undefined && !tool.op) tool.text = toolName(tool.text);
  for (const x of words) if (x.text !== '' || x.quoted) out.push(x.op ? x.text : shellWord(x.text));
}

/** The program a tool word names: its path and a `.exe` suffix dropped (cmd searches PATHEXT). */
function toolName(w: string): string {
  if (w.toLowerCase() === '%comspec%') return 'cmd';
  const base = w.slice(Math.max(w.lastIndexOf('\\'), w.lastIndexOf('/')) + 1);
  const name = base === '' ? w : base;
  return name.length > 4 && name.slice(-4).toLowerCase() === '.exe' ? name.slice(0, -4) : name;
}

/** A word both cmd and a POSIX shell read as `w` (bare or double-quoted), else single-quoted for the shell. */
function shellWord(w: string): string {
  if (SAFE.test(w)) return w;
  const rest = w.split(HOLE).join('');
  let ok = rest.indexOf('"') < 0 && rest.indexOf('$') < 0 && rest.indexOf('`') < 0;
  // In double quotes a shell reads `\` before `\`, `"`, `$`, `` ` `` or a newline (and at the end) as an escape.
  for (let i = w.indexOf('\\'); ok && i >= 0; i = w.indexOf('\\', i + 1)) ok = i + 1 < w.length && '\\"$`\n'.indexOf(w.charAt(i + 1)) < 0;
  return ok ? `"${w}"` : `'${w.split("'").join("'\\''")}'`;
}
