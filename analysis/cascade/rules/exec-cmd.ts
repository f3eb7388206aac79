/**
 * cmd.exe's `/c` (also `/k`, `/r`; `cmd /?`): the rest of its command line is a command line cmd
 * runs (MITRE T1059.003). Read here as the shell command line the rest of the canonical reading
 * reads (exec-canonical.ts through exec-wrappers.ts), wherever cmd is the program run: argv
 * `["cmd", "/c", "curl -T …"]`, `cmd.exe /c "…"` in a shell script, `cmd /c …` in PowerShell text
 * or in a .NET process start.
 *
 * cmd's command line after `/c`: argv words after it joined as Windows joins them (exec-cmd-argv.ts;
 * one word is taken as it is: Windows quotes it and cmd strips those quotes again), a leading `"`
 * stripped with its last `"` as cmd does (unless, without `/s`, the two quotes hold a program path
 * with a blank). Its syntax (`cmd /?`, Microsoft Learn "cmd"): blanks separate words; `"` groups
 * (and is removed from the word, as the C runtime of the program run removes it); `^` escapes the
 * next character outside quotes (`c^url`, `^&`), at a line's end it continues the line; `&`, `&&`,
 * `||`, `|` between commands; `<`, `>`, `>>`, `2>`, `2>&1` redirect; `( … )` groups commands. A
 * command's leading `@` is dropped, `call` runs the command after it, `start ["title"] [/opts]`
 * starts the program after its options, and the tool word loses its path and a `.exe` suffix
 * (`C:\Windows\System32\curl.exe` → `curl`; `%COMSPEC%` → `cmd`).
 *
 * The text written for the shell reader keeps cmd's operators (`&` separates commands in both
 * readers) and writes each word bare or in double quotes, which both cmd and a POSIX shell read as
 * the same word: reading the written text as cmd again gives it back (the reading may resolve one
 * command twice). A word double quotes cannot hold for both (with `"`, `$`, `` ` ``, a `\` before
 * one of them or at its end) is single-quoted for the shell reader instead.
 *
 * Not handled: `%VAR%` and `!VAR!` expansion (kept as written), `for /f … in ('cmd')` and `if`
 * (their words are read as a command), the C runtime's `\"` inside a quoted word, cmd's `,` `;`
 * `=` as word separators, a newline ending the command line (read as a command separator).
 * Bounded: MAX_SCRIPT_CHARS characters, MAX_CMD_WORDS words; never throws.
 */
import { windowsLine } from './exec-cmd-argv.js';
import { HOLE } from './exec-interpreter-token.js';
import { MAX_SCRIPT_CHARS } from './shell-script.js';

/** Words read from one cmd command line. */
const MAX_CMD_WORDS = 512;
/** Characters cmd treats as special between the two quotes of its quote-stripping rule. */
const SPECIAL = '&<>()@^|';
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** `start` options that take a value (`start /d C:\x prog`). */
const START_VALUED = new Set(['/d', '/node', '/affinity']);

/** Whether a program word names cmd.exe (`cmd`, `CMD.EXE`, `C:\Windows\System32\cmd.exe`). */
export function isCmdName(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20;
  if (c !== 0x63 || name.length < 3) return false; // 'c' or 'C': the hot path pays one test
  const base = name.slice(Math.max(name.lastIndexOf('\\'), name.lastIndexOf('/')) + 1).toLowerCase();
  return base === 'cmd' || base === 'cmd.exe';
}

/**
 * For cmd at `t` in `words` (owned: changed in place), the index of the word its command line
 * now is, written as a shell command line (the words after it dropped), or -1 when it runs none
 * (no `/c`, `/k` or `/r`: cmd reads its commands from stdin).
 */
export function cmdScriptAt(words: string[], t: number): number {
  let s = false;
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w.length < 2 || w.charAt(0) !== '/') return -1;
    const o = w.charAt(1).toLowerCase();
    if (o === 's' && w.length === 2) s = true;
    if (o !== 'c' && o !== 'k' && o !== 'r') continue;
    const glued = w.slice(2);
    if (glued === '' && j + 1 >= words.length) return -1;
    const rest = j + 2 === words.length ? words[j + 1]! : windowsLine(words, j + 1);
    const text = glued === '' ? rest : j + 1 < words.length ? `${glued} ${rest}` : glued;
    const at = glued === '' ? j + 1 : j;
    words[at] = cmdScript(stripQuotes(text.trimStart(), s));
    words.length = at + 1;
    return at;
  }
  return -1;
}

/** cmd's rule for a command line after `/c` that opens with a quote (`cmd /?`). */
function stripQuotes(text: string, s: boolean): string {
  if (text.charAt(0) !== '"') return text;
  const last = text.lastIndexOf('"');
  if (!s && last > 0 && text.indexOf('"', 1) === last) {
    const inner = text.slice(1, last);
    let special = false;
    for (let i = 0; i < inner.length && !special; i++) special = SPECIAL.indexOf(inner.charAt(i)) >= 0;
    if (!special && /\s/.test(inner) && /\.(exe|com|bat|cmd)$/i.test(inner)) return text;
  }
  return last > 0 ? text.slice(1, last) + text.slice(last + 1) : text.slice(1);
}

interface CmdWord {
  text: string;
  /** Some of it was quoted (a quoted word is a word even when empty; `start`'s title is one). */
  quoted: boolean;
  /** An operator or redirection, written as it is. */
  op: boolean;
}

/** A cmd command line written as a POSIX shell command line of the same commands (see the header). */
export function cmdScript(text: string): string {
  return new CmdReader(text.length > MAX_SCRIPT_CHARS ? text.slice(0, MAX_SCRIPT_CHARS) : text).read();
}

class CmdReader {
  private readonly out: string[] = [];
  private cmd: CmdWord[] = [];
  private w: CmdWord | null = null;
  private count = 0;
  constructor(private readonly text: string) {}

  read(): string {
    const text = this.text;
    let quoted = false;
    let depth = 0;
    for (let i = 0; i < text.length && this.count < MAX_CMD_WORDS; i++) {
      const c = text.charAt(i);
      const n = text.charAt(i + 1);
      if (c === '"') {
        quoted = !quoted;
        this.word().quoted = true;
      } else if (quoted) this.word().text += c;
      else if (c === '^') {
        // An escaped character; `^` then a line break continues the line.
        if (n === '\r' && text.charAt(i + 2) === '\n') i += 2;
        else if (n !== '') {
          this.word().text += n === '\n' ? '' : n;
          i++;
        }
      } else if (c === ' ' || c === '\t') this.endWord();
      else if (c === '&' || c === '|' || c === '\n' || c === '\r') {
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
      } else this.word().text += c;
    }
    this.endCommand('');
    return this.out.join(' ');
  }

  private word(): CmdWord {
    return (this.w ??= { text: '', quoted: false, op: false });
  }

  private endWord(): void {
    if (this.w !== null && this.count++ < MAX_CMD_WORDS) this.cmd.push(this.w);
    this.w = null;
  }

  private endCommand(op: string): void {
    this.endWord();
    writeCommand(this.cmd, this.out);
    this.cmd = [];
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
    if (this.count++ < MAX_CMD_WORDS) this.cmd.push({ text: op, quoted: false, op: true });
    return i;
  }
}

/** One command's words written out: cmd's prefixes read (`@`, `call`, `start`), the tool word reduced. */
function writeCommand(words: CmdWord[], out: string[]): void {
  let t = 0;
  while (t < words.length && words[t]!.op) t += 2;
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
