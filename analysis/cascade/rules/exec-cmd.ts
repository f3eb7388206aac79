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
 * Its variables (`%VAR%`, `call`'s second expansion, `!VAR!` under `/v:on`) are expanded as cmd
 * expands them (exec-cmd-vars.ts): what depends on the environment makes the reading runtime
 * (INDIRECT_RUNTIME), so no spec allow list vouches for it. `if` and `for` run the commands in
 * them, `for /f`'s `('command')` too (exec-cmd-reader.ts). cmd without `/c` (or with `/k`) runs
 * its stdin: `curl … | cmd` feeds curl to it (`cmdReadsStdin`, exec-pipelines.ts).
 *
 * Not handled: the C runtime's `\"` inside a quoted word, cmd's `,` `;` `=` as word separators,
 * a newline ending the command line (read as a command separator), the text piped into cmd read as
 * its commands (only the feeding tools are named).
 * Bounded: MAX_SCRIPT_CHARS characters, MAX_CMD_WORDS words (exec-cmd-reader.ts); never throws.
 */
import { windowsLine } from './exec-cmd-argv.js';
import { CmdReader } from './exec-cmd-reader.js';
import { CmdState } from './exec-cmd-vars.js';

/** Characters cmd treats as special between the two quotes of its quote-stripping rule. */
const SPECIAL = '&<>()@^|';

/** Whether a program word names cmd.exe (`cmd`, `CMD.EXE`, `C:\Windows\System32\cmd.exe`). */
export function isCmdName(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20;
  if (c !== 0x63 || name.length < 3) return false; // 'c' or 'C': the hot path pays one test
  const base = name.slice(Math.max(name.lastIndexOf('\\'), name.lastIndexOf('/')) + 1).toLowerCase();
  return base === 'cmd' || base === 'cmd.exe';
}

/**
 * For cmd at `t` in `words` (owned: changed in place), the index of the word its command line
 * now is, written as a shell command line (the words after it dropped; a line glued to its option,
 * `/c"…"`, gets a word of its own after `/c`), or -1 when it runs none (no `/c`, `/k` or `/r`: cmd
 * reads its commands from stdin). The INDIRECT_* bits its reading holds are added to `how`.
 */
export function cmdScriptAt(words: string[], t: number, how: { kinds: number } = { kinds: 0 }): number {
  let s = false;
  let delayed: boolean | null = null;
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (w.length < 2 || w.charAt(0) !== '/') return -1;
    const o = w.charAt(1).toLowerCase();
    if (o === 's' && w.length === 2) s = true;
    if (o === 'v') delayed = w.length === 2 || w.slice(2).toLowerCase() === ':on';
    if (o !== 'c' && o !== 'k' && o !== 'r') continue;
    const glued = w.slice(2);
    if (glued === '' && j + 1 >= words.length) return -1;
    const rest = j + 2 === words.length ? words[j + 1]! : windowsLine(words, j + 1);
    const text = glued === '' ? rest : j + 1 < words.length ? `${glued} ${rest}` : glued;
    words[j] = w.slice(0, 2);
    words[j + 1] = cmdReading(stripQuotes(text.trimStart(), s), delayed, how);
    words.length = j + 2;
    return j + 1;
  }
  return -1;
}

/**
 * Whether cmd at `t` runs its standard input as commands: no `/c` or `/r` (`/k` runs its line,
 * then reads stdin). `curl … | cmd` runs what curl fetched, as `| sh` does (exec-pipelines.ts).
 */
export function cmdReadsStdin(words: readonly string[], t: number): boolean {
  if (t < 0 || t >= words.length || !isCmdName(words[t]!)) return false;
  for (let j = t + 1; j < words.length && j - t <= 16; j++) {
    const w = words[j]!;
    if (w.length < 2 || w.charAt(0) !== '/') return true;
    const o = w.charAt(1).toLowerCase();
    if (o === 'c' || o === 'r') return false;
    if (o === 'k') return true;
  }
  return true;
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

/** A cmd command line written as a POSIX shell command line of the same commands (see the header). */
export function cmdScript(text: string): string {
  return new CmdReader(text, new CmdState()).read();
}

/**
 * `cmdScript` of the line `cmd` runs, with what its reading found: `kinds` (INDIRECT_* bits; a
 * value from the environment is runtime, exec-cmd-vars.ts) added to `how`. `delayed`: `/v:on`,
 * `/v:off`, or null (neither: the registry decides).
 */
export function cmdReading(text: string, delayed: boolean | null, how: { kinds: number }): string {
  const state = new CmdState(delayed);
  const script = new CmdReader(text, state).read();
  how.kinds |= state.kinds;
  return script;
}
