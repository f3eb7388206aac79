/**
 * What an interpreter one-liner runs (MITRE T1059.006 Python, T1059.007 JavaScript, T1059 Perl,
 * Ruby, PHP; T1140 when it decodes its payload first): `python3 -c 'import os;
 * os.system("curl -T …")'`, `perl -e 'exec "/bin/sh -i"'`, `ruby -e '`curl …`'`, `node -e
 * "require('child_process').execSync('…')"`, `php -r 'system("…");'`. Given the interpreter word
 * (by base name: python, python3, python3.11, pypy3, perl, perl5.36, ruby, node, nodejs, php…) and
 * its argv, the inline code (`-c`; `-e` / `-E`; `-e` / `--eval` / `-p` / `--print`; `-r` / `-B` /
 * `-R` / `-E`; in option clusters too: `python3 -Ic`, `perl -we`, `ruby -rsocket -e`) is read by a
 * small tokenizer of its language (exec-interpreter-lex*.ts) and the calls that run commands are
 * found (exec-interpreter-calls.ts): each gives a shell command line or an argv, with how its text
 * came about (INDIRECT_* bits: literal when the code spells it, decoded when a decoder made it,
 * runtime when part of it is known only when the code runs). Code run by `exec` / `eval` is read
 * again as the same language, to MAX_CODE_DEPTH, its runs marked as that code was.
 *
 * The same shape for the other interpreters attacker one-liners use (GTFOBins): Lua (`lua -e`,
 * `os.execute`, `io.popen`), awk (`system()`, `"cmd" | getline`, `print … | "sh"`; gawk, mawk,
 * busybox), Bun and Deno (`bun -e`, `deno eval`: JavaScript with `Bun.spawn`, `Deno.Command`,
 * `$\`…\``), PowerShell (`pwsh -c`, `-EncodedCommand`; MITRE T1059.001: its statements are
 * commands of its own, `direct` runs, as a shell's are; `iex` of text runs it indirectly), Tcl and
 * Expect (`exec`, `spawn`), and the shell escapes of vim / ex (`-c ':!cmd'`, `:py3 …`) and gdb
 * (`-ex '!cmd'`, `shell`, `python`). Code one of these runs in another language (vim's `:py3`)
 * is read by that language's reader.
 *
 * A script file (`python3 train.py`) or a module (`python3 -m pip`) is no inline code: nothing is
 * read. Code an interpreter reads from stdin (`programOperand`: none, `-`) is read by the caller
 * with `readCode` when the shell script spells or decodes it (a here-doc, `echo … | base64 -d |
 * python3`; exec-canonical.ts). Bounded: the code text to MAX_SCRIPT_CHARS (a cut one is
 * `truncated`, and since its unread part may run anything, `runtime`), MAX_CODE_READS texts read,
 * MAX_RUNS runs per text. Never throws.
 */
import { readCalls, type CallsRead, type CodeRun } from './exec-interpreter-calls.js';
import { readGdb, readVim } from './exec-interpreter-ex.js';
import { lexScript } from './exec-interpreter-lex.js';
import { lexAwk } from './exec-interpreter-lex-awk.js';
import { lexLua } from './exec-interpreter-lex-lua.js';
import { lexPython } from './exec-interpreter-lex-python.js';
import { scanOptions } from './exec-interpreter-options.js';
import { readPowerShell } from './exec-interpreter-powershell.js';
import { MAX_WRITES } from './exec-interpreter-file-writes.js';
import { socketSend } from './exec-interpreter-socket-send.js';
import { findSockets } from './exec-interpreter-sockets.js';
import { powerShellSocketShell, socketShell } from './exec-interpreter-socket-shell.js';
import { readTcl } from './exec-interpreter-tcl.js';
import type { CodeLang, Lang, TokenSink } from './exec-interpreter-token.js';
import { INDIRECT_LITERAL, INDIRECT_RUNTIME, unionOf } from './exec-readings.js';
import { MAX_SCRIPT_CHARS } from './shell-script.js';

export type { CodeRun } from './exec-interpreter-calls.js';
export type { CodeLang, Lang } from './exec-interpreter-token.js';

/** Code run by exec / eval read again, nested at most this deep. */
export const MAX_CODE_DEPTH = 3;
/** Code texts read per interpreter command (its own and those it runs). */
export const MAX_CODE_READS = 8;
/** Runs kept per interpreter command. */
const MAX_TOTAL_RUNS = 32;

export interface InterpreterReading {
  lang: CodeLang;
  /** Commands the code runs, in the order its text has them. */
  runs: CodeRun[];
  /** INDIRECT_* bits of everything the code runs (0: it runs nothing this reading knows of). */
  kinds: number;
  truncated: boolean;
  /** Download tools whose text the code runs as code (`exec(urlopen(u).read())`, `iex (irm u)`), each once; absent for none. */
  fed?: readonly string[];
  /** `shell <name>` for each code text that hands a network socket to a shell (exec-interpreter-socket-shell.ts), `send <language>` for one that sends a file over one (exec-interpreter-socket-send.ts), each once; absent for none. */
  socketIo?: readonly string[];
  /** Paths the code writes by its own calls (exec-interpreter-file-writes.ts), each once, at most MAX_WRITES; absent for none. */
  writes?: readonly string[];
}

/** A family of interpreter names: its stem, language, and whether a version may follow (`3.11`, `5.4`). */
type Family = readonly [stem: string, lang: CodeLang, versioned: boolean];

/**
 * Families by the first two characters of their names (longer stems first where one starts
 * another): BUCKET_OF[(c0 << 7) | c1] is an index into BUCKETS, 0 for none.
 */
const BUCKETS: Family[][] = [[]];
const BUCKET_OF = new Uint8Array(128 * 128);
for (const f of [
  ['python', 'python', true], ['pypy', 'python', true], ['perl', 'perl', true], ['php', 'php', true], ['ruby', 'ruby', true],
  ['nodejs', 'js', true], ['node', 'js', true], ['bun', 'js', false], ['deno', 'js', false],
  ['luajit', 'lua', true], ['lua', 'lua', true],
  ['awk', 'awk', true], ['gawk', 'awk', true], ['mawk', 'awk', true], ['nawk', 'awk', true], ['original-awk', 'awk', false],
  ['pwsh-preview', 'powershell', false], ['pwsh.exe', 'powershell', false], ['pwsh', 'powershell', false], ['powershell.exe', 'powershell', false], ['powershell', 'powershell', false],
  ['tclsh', 'tcl', true], ['expect', 'tcl', false],
  ['vim.basic', 'vim', false], ['vim.tiny', 'vim', false], ['vim.nox', 'vim', false], ['vim.gtk3', 'vim', false], ['vim', 'vim', false], ['vi', 'vim', false], ['view', 'vim', false], ['nvim', 'vim', false], ['ex', 'vim', false],
  ['gdb-multiarch', 'gdb', false], ['gdb', 'gdb', false],
] as const satisfies readonly Family[]) {
  const key = (f[0].charCodeAt(0) << 7) | f[0].charCodeAt(1);
  if (BUCKET_OF[key] === 0) BUCKET_OF[key] = BUCKETS.push([]) - 1;
  BUCKETS[BUCKET_OF[key]!]!.push(f);
}

/** The language of an interpreter's base name (`python3.11`, `perl5.36.0`, `nodejs`, `php8.2`, `lua5.4`, `gawk`, `pwsh`, `tclsh8.6`, `vim.basic`, `gdb`), or null. */
export function interpreterLanguage(name: string): CodeLang | null {
  // The hot path (every command of every script): two character reads and one table read for most tool words.
  const b = BUCKET_OF[(name.charCodeAt(0) << 7) | name.charCodeAt(1)];
  if (b === 0 || b === undefined) return null;
  const fams = BUCKETS[b]!;
  for (let k = 0; k < fams.length; k++) {
    const [stem, lang, versioned] = fams[k]!;
    if (name.length === stem.length ? name !== stem : !versioned || !name.startsWith(stem)) continue;
    let i = stem.length;
    for (; i < name.length; i++) {
      const d = name.charCodeAt(i);
      if (!((d >= 0x30 && d <= 0x39) || d === 0x2e)) break;
    }
    if (i === name.length) return lang;
  }
  return null;
}

/** The inline code of the interpreter at `t` (several `-e` joined by newlines), or null when it runs a script file, a module or its stdin. */
export function inlineCode(words: readonly string[], t: number, lang: CodeLang): string | null {
  const r = scanOptions(words, t, lang);
  return r.code.length > 0 ? r.code.join('\n') : null;
}

/**
 * The operand the interpreter at `t` takes as its program (a script file, `-`; undefined when
 * there is none: it reads its program from stdin, as perlrun, ruby(1), node(1), php(1), lua(1),
 * tclsh(1) and about_Pwsh say), or null when it runs inline code or a module instead, or takes no
 * program from stdin (awk, vim outside Ex mode, gdb; exec-stdin-script.ts decides).
 */
export function programOperand(words: readonly string[], t: number, lang: CodeLang): string | undefined | null {
  const r = scanOptions(words, t, lang);
  return r.code.length > 0 || r.module || r.how !== 0 ? null : words[r.operand];
}

/** The reading of the interpreter command `words` whose tool word (a base name) is at `t`, or null when it runs no inline code. */
export function readInterpreter(words: readonly string[], t: number): InterpreterReading | null {
  const lang = interpreterLanguage(words[t] ?? '');
  if (lang === null) return null;
  const r = scanOptions(words, t, lang);
  // `-EncodedCommand` that decodes to no text: decoded text ran all the same.
  if (r.code.length === 0) return r.how === 0 ? null : { lang, runs: [], kinds: r.how, truncated: false };
  const out = readCode(r.code.join('\n'), lang, r.how);
  out.kinds |= r.how;
  return out;
}

/** Code in a language read as tokens, by its tokenizer. */
export function lexCode(text: string, lang: Lang): TokenSink {
  switch (lang) {
    case 'python':
      return lexPython(text);
    case 'lua':
      return lexLua(text);
    case 'awk':
      return lexAwk(text);
    default:
      return lexScript(text, lang);
  }
}

/** What one code text runs, by its language's reader. */
function readText(text: string, lang: CodeLang): CallsRead {
  switch (lang) {
    case 'powershell': {
      const read = readPowerShell(text);
      const shell = powerShellSocketShell(text, read);
      if (shell !== null) read.socketIo = shell;
      return read;
    }
    case 'tcl':
      return readTcl(text);
    case 'vim':
      return readVim(text);
    case 'gdb':
      return readGdb(text);
    default: {
      const lexed = lexCode(text, lang);
      const read = readCalls(lexed.tokens, lang, text);
      if (lexed.truncated) read.truncated = true;
      // The code's sockets, found once for both readings of what it does with them.
      const found = findSockets(lexed.tokens, lang);
      const io = found.opens ? (socketShell(lexed.tokens, lang, read, found) ?? socketSend(lexed.tokens, lang, found)) : null;
      if (io !== null) read.socketIo = io;
      return read;
    }
  }
}

/** What `code` in `lang` runs (see the header); `how`: INDIRECT_* bits of how the code itself came about (0: spelled). */
export function readCode(code: string, lang: CodeLang, how = 0): InterpreterReading {
  const out: InterpreterReading = { lang, runs: [], kinds: 0, truncated: false };
  const queue: Array<{ code: string; how: number; depth: number; lang: CodeLang }> = [{ code, how, depth: 0, lang }];
  for (let reads = 0; reads < queue.length; reads++) {
    if (reads >= MAX_CODE_READS) {
      out.truncated = true;
      break;
    }
    const item = queue[reads]!;
    let text = item.code;
    if (text.length > MAX_SCRIPT_CHARS) {
      text = text.slice(0, MAX_SCRIPT_CHARS);
      out.truncated = true;
      // What the unread part runs is not known before it runs.
      out.kinds |= INDIRECT_RUNTIME | item.how;
    }
    const read = readText(text, item.lang);
    if (read.truncated) out.truncated = true;
    if (read.fed !== undefined) out.fed = unionOf(out.fed ?? [], read.fed);
    if (read.socketIo !== undefined) out.socketIo = unionOf(out.socketIo ?? [], [read.socketIo]);
    if (read.writes !== undefined) out.writes = unionOf(out.writes ?? [], read.writes, MAX_WRITES);
    // What code that was itself decoded (or is partly unknown) spells came about as that code did.
    out.kinds |= item.how === 0 ? read.kinds : (read.kinds & ~INDIRECT_LITERAL) | (read.kinds === 0 ? 0 : item.how);
    for (const r of read.runs) {
      if (out.runs.length >= MAX_TOTAL_RUNS) {
        out.truncated = true;
        break;
      }
      // A run of code that came about indirectly is no direct command of the exec's own.
      out.runs.push(item.how === 0 ? r : { line: r.line, argv: r.argv, how: r.how | item.how });
    }
    for (const c of read.codes) {
      if (item.depth + 1 >= MAX_CODE_DEPTH) out.truncated = true;
      else queue.push({ code: c.code, how: c.how | item.how, depth: item.depth + 1, lang: c.lang ?? item.lang });
    }
  }
  return out;
}
