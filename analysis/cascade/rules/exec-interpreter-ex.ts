/**
 * Shell escapes of editors and debuggers (GTFOBins vim, vi, ex, gdb; MITRE T1059.004): the
 * commands given on their command line (`vim -c ':!curl …'`, `vim +':py3 …'`, `ex -c`,
 * `gdb -batch -ex '!curl …'`) read for what they run.
 * - Vim Ex commands (vim's `:help cmdline`, `:help :bar`): after colons, blanks and a range,
 *   `:!cmd` (also `:r !cmd`, `:w !cmd`, `:{range}!filter`) runs the rest of the line in a shell;
 *   `:terminal cmd` too; `:call system("…")` (and `systemlist`, `job_start`, Neovim `jobstart`,
 *   `termopen`) runs its string; `:py3` / `:python` / `:pyx` / `:lua` / `:perl` / `:ruby` / `:tcl`
 *   run the rest of the line as code of that language (read again by its reader); `:exe "…"`
 *   runs its string as Ex commands; `:sh[ell]` starts an interactive shell (commands known only
 *   at run time); `:silent` prefixes; others end at `|`.
 * - gdb commands (GDB manual "Shell Commands", "Python Commands"): `!cmd`, `shell cmd`,
 *   `pipe cmd | shell_cmd` (`| cmd | shell_cmd`), `python code` / `pi code`.
 * Strings in Vim script are `"…"` (backslash escapes) or `'…'` (`''` a quote), joined by `.`,
 * `..` (and by a blank for `:execute`); anything else is a value known only at run time.
 */
import type { CallsRead } from './exec-interpreter-calls.js';
import type { InterpreterRun } from './exec-interpreter-options.js';
import { HOLE, onlyHoles, readEscape, type CodeLang } from './exec-interpreter-token.js';
import { INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';

const MAX_RUNS = 16;
const MAX_LINES = 64;

/** Languages Vim's interfaces run (`:help python3`, `:help lua`, `:help perl`, `:help ruby`, `:help tcl`). */
const VIM_CODE: ReadonlyMap<string, CodeLang> = new Map<string, CodeLang>([
  ...['py', 'pyt', 'pyth', 'pytho', 'python', 'py3', 'python3', 'pyx', 'pythonx'].map((n): [string, CodeLang] => [n, 'python']),
  ['lua', 'lua'], ['pe', 'perl'], ['per', 'perl'], ['perl', 'perl'], ['rub', 'ruby'], ['ruby', 'ruby'], ['tcl', 'tcl'],
]);
/** Vim script functions that run their first argument (`:help system()`, `:help job_start()`, Neovim `jobstart()`). */
const VIM_RUNNERS = /\b(?:system|systemlist|job_start|jobstart|termopen|term_start)\s*\(/;

/** Whether `name` abbreviates `full` to at least `min` letters (Vim's command abbreviations). */
const abbrev = (name: string, full: string, min: number): boolean => name.length >= min && full.startsWith(name);

class ExReader {
  readonly out: CallsRead = { runs: [], codes: [], kinds: 0, truncated: false };

  line(raw: string, how: number): void {
    const text = raw.trim();
    if (text === '') return;
    if (onlyHoles(text)) {
      this.out.kinds |= how || INDIRECT_RUNTIME;
      return;
    }
    this.out.kinds |= how || INDIRECT_LITERAL;
    if (this.out.runs.length >= MAX_RUNS) this.out.truncated = true;
    else this.out.runs.push({ line: text, argv: null, how });
  }

  code(code: string, how: number, lang: CodeLang): void {
    if (code.trim() === '') return;
    this.out.kinds |= how || INDIRECT_LITERAL;
    if (this.out.codes.length >= 8) this.out.truncated = true;
    else this.out.codes.push({ code, how, lang });
  }

  /** One line of Vim Ex commands, `|`-separated. */
  vim(text: string): void {
    let s = text;
    for (let n = 0; n < 32 && s !== ''; n++) {
      s = s.replace(/^[\s:]*(?:[%.$\d,;+\-\s]|'[a-zA-Z<>]|\/[^/]*\/|\?[^?]*\?)*/, '');
      if (s.startsWith('!')) return this.line(s.slice(1), 0);
      const m = /^([A-Za-z]+[0-9]?)(!?)\s*/.exec(s);
      if (m === null) return;
      const name = m[1]!;
      const rest = s.slice(m[0].length);
      const lang = VIM_CODE.get(name);
      if (lang !== undefined) return this.code(rest, 0, lang);
      if (abbrev(name, 'silent', 3) || abbrev(name, 'noautocmd', 3) || abbrev(name, 'keepjumps', 5) || abbrev(name, 'sandbox', 3)) {
        s = rest;
        continue;
      }
      if ((abbrev(name, 'read', 1) || abbrev(name, 'write', 1)) && rest.startsWith('!')) return this.line(rest.slice(1), 0);
      if (abbrev(name, 'read', 1) && m[2] === '!') return this.line(rest, 0);
      if (abbrev(name, 'terminal', 3)) return this.line(rest.replace(/^(?:\+\+\S+\s*)*/, ''), 0);
      if (abbrev(name, 'shell', 2)) this.out.kinds |= INDIRECT_RUNTIME;
      else if (abbrev(name, 'execute', 3)) {
        const [v, how, end] = vimValue(rest, true);
        if (v !== null && how === 0) this.code(v, INDIRECT_LITERAL, 'vim');
        else this.out.kinds |= INDIRECT_RUNTIME;
        s = rest.slice(barAt(rest, end) + 1 || rest.length);
        continue;
      } else if (abbrev(name, 'normal', 4) || abbrev(name, 'global', 1) || name === 'v' || abbrev(name, 'vglobal', 2)) return;
      const bar = barAt(rest, 0);
      const own = bar < 0 ? rest : rest.slice(0, bar);
      const at = VIM_RUNNERS.exec(own);
      if (at !== null) {
        const [v, how] = vimValue(own.slice(at.index + at[0].length), false);
        if (v !== null) this.line(v, how);
        else this.out.kinds |= INDIRECT_RUNTIME;
      }
      s = bar < 0 ? '' : rest.slice(bar + 1);
    }
  }

  /** One gdb command line. */
  gdb(text: string): void {
    const s = text.trimStart();
    if (s.startsWith('!')) return this.line(s.slice(1), 0);
    if (s.startsWith('|')) return this.pipe(s.slice(1));
    const m = /^([a-z][a-z-]*)\s*/.exec(s);
    if (m === null) return;
    const name = m[1]!;
    const rest = s.slice(m[0].length);
    if (abbrev(name, 'shell', 3)) this.line(rest, 0);
    else if (name === 'pipe') this.pipe(rest);
    else if (name === 'python' || name === 'py' || name === 'python-interactive' || name === 'pi') this.code(rest, 0, 'python');
  }

  /** `pipe [-d DELIM] COMMAND DELIM SHELL_COMMAND`: the shell command after the delimiter. */
  private pipe(rest: string): void {
    let delim = '|';
    let r = rest.trimStart();
    const d = /^-d\s+(\S+)\s*/.exec(r);
    if (d !== null) {
      delim = d[1]!;
      r = r.slice(d[0].length);
    }
    const k = r.indexOf(delim);
    if (k >= 0) this.line(r.slice(k + delim.length), 0);
  }
}

/** The index of the `|` that ends the Ex command in `s` from `from` (quotes skipped), or -1. */
function barAt(s: string, from: number): number {
  let q = '';
  for (let i = from; i < s.length; i++) {
    const c = s.charAt(i);
    if (q !== '') {
      if (c === '\\' && q === '"') i++;
      else if (c === q) q = '';
    } else if (c === '"' || c === "'") q = c;
    else if (c === '|') return i;
  }
  return -1;
}

/**
 * A Vim script string expression at the start of `s`: literals joined by `.` / `..` (and by a
 * blank, which `:execute` puts between its arguments), or a list of them (Neovim's
 * `jobstart([...])`, joined by blanks); [value, how, index after] — null when it starts with no
 * literal, HOLE for a part that is no literal (runtime).
 */
function vimValue(s: string, execute: boolean): [string | null, number, number] {
  let i = 0;
  let v = '';
  let how = 0;
  let any = false;
  const list = s.trimStart().startsWith('[');
  if (list) i = s.indexOf('[') + 1;
  for (let n = 0; n < 64 && i < s.length; n++) {
    while (s.charAt(i) === ' ' || s.charAt(i) === '\t') i++;
    const c = s.charAt(i);
    if (c === '"' || c === "'") {
      const [text, end] = vimString(s, i);
      v += text;
      any = true;
      i = end;
    } else if (/[A-Za-z_&$@]/.test(c)) {
      // A variable or a call: a value known only at run time.
      const m = /^[A-Za-z_&$@:][\w:#.]*(?:\([^()]*\))?/.exec(s.slice(i));
      v += HOLE;
      how |= INDIRECT_RUNTIME;
      i += m === null ? 1 : m[0].length;
    } else break;
    while (s.charAt(i) === ' ' || s.charAt(i) === '\t') i++;
    if (s.startsWith('..', i)) i += 2;
    else if (s.charAt(i) === '.') i++;
    else if (list && s.charAt(i) === ',') {
      v += ' ';
      i++;
    } else if (execute && (s.charAt(i) === '"' || s.charAt(i) === "'" || /[A-Za-z_]/.test(s.charAt(i)))) v += ' ';
    else break;
  }
  return [any ? v : null, how, i];
}

/** A Vim script string literal at `at`: [text, index after]. */
function vimString(s: string, at: number): [string, number] {
  const q = s.charAt(at);
  let text = '';
  let i = at + 1;
  while (i < s.length) {
    const c = s.charAt(i);
    if (c === q) {
      if (q === "'" && s.charAt(i + 1) === "'") {
        text += "'";
        i += 2;
        continue;
      }
      return [text, i + 1];
    }
    if (c === '\\' && q === '"') {
      const [t, j] = readEscape(s, i + 1, 'ruby');
      text += t;
      i = j;
    } else {
      text += c;
      i++;
    }
  }
  return [text, s.length];
}

/** What Vim Ex command lines (newline-separated) run. */
export function readVim(text: string): CallsRead {
  const r = new ExReader();
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) r.out.truncated = true;
  for (const l of lines.slice(0, MAX_LINES)) r.vim(l);
  return r.out;
}

/** What gdb command lines (newline-separated) run. */
export function readGdb(text: string): CallsRead {
  const r = new ExReader();
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) r.out.truncated = true;
  for (const l of lines.slice(0, MAX_LINES)) r.gdb(l);
  return r.out;
}

/** Vim options that take the next word (vim(1)); `-s` does too outside Ex mode. */
const VIM_ARG = new Set(['-T', '-u', '-U', '-i', '-t', '-w', '-W', '--servername', '--startuptime', '--socketid', '--remote-send', '--remote-expr', '--log', '--listen']);

/** The Ex commands of a vim / vi / ex command line: `-c cmd`, `--cmd cmd`, `+cmd` (not `+N` or `+/pat`). */
export function vimOptions(words: readonly string[], t: number, exMode: boolean): InterpreterRun {
  const out: InterpreterRun = { code: [], how: 0, operand: words.length, module: true };
  let ex = exMode;
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--') break;
    if ((w === '-c' || w === '--cmd') && j + 1 < words.length) out.code.push(words[++j]!);
    else if (w.startsWith('+') && w.length > 1 && !/^\+(?:\d+|\/.*)$/.test(w)) out.code.push(w.slice(1));
    else if (w === '-e' || w === '-E' || w === '-es' || w === '-Es') ex = true;
    else if (VIM_ARG.has(w) || (w === '-s' && !ex) || (w === '-S' && words[j + 1] !== undefined && !words[j + 1]!.startsWith('-'))) j++;
  }
  // Ex mode with no command of its own reads its commands from stdin.
  out.module = !ex || out.code.length > 0;
  return out;
}

/** gdb options that take the next word (gdb(1)); `-ex` / `-iex` take a command, `-x` / `-ix` a command file. */
const GDB_ARG = new Set(['p', 'pid', 'c', 'core', 's', 'symbols', 'e', 'exec', 'se', 'd', 'directory', 'cd', 'D', 'data-directory', 'b', 'l', 'tty', 'i', 'interpreter', 'init-command', 'ix']);

/** The commands of a gdb command line (`-ex`, `--eval-command=`, `-iex`); `-x -` or `-x /dev/stdin` reads them from stdin. */
export function gdbOptions(words: readonly string[], t: number): InterpreterRun {
  const out: InterpreterRun = { code: [], how: 0, operand: words.length, module: true };
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--args' || w.length < 2 || w[0] !== '-') break;
    const eq = w.indexOf('=');
    const name = w.slice(w[1] === '-' ? 2 : 1, eq < 0 ? undefined : eq);
    const value = eq < 0 ? undefined : w.slice(eq + 1);
    if (name === 'ex' || name === 'eval-command' || name === 'iex' || name === 'init-eval-command') {
      const v = value ?? words[++j];
      if (v !== undefined) out.code.push(v);
    } else if (name === 'x' || name === 'command') {
      if (value === undefined) j++;
      // A command file: nothing read, unless it is stdin (its index, for exec-stdin-script.ts).
      if (value === undefined && out.code.length === 0) {
        out.operand = j;
        out.module = false;
      }
    } else if (GDB_ARG.has(name) && value === undefined) j++;
  }
  return out;
}
