/**
 * How a shell's options say where its script is: the operand after `-c` (`shellScriptIndex`),
 * or, without one, its standard input. Commands that run their standard input as a script: a
 * shell with no `-c` and no script file (`sh`, `bash -s stable`, `sh -s -- -y`,
 * `bash /dev/stdin`) and a Python interpreter with no
 * `-c`/`-m` and no script file (`python3`, `python3 -`), and Perl, Ruby, Node, PHP, Lua, tclsh,
 * Expect or PowerShell with no inline code and no script file (`perl`, `node -`, `php`, `lua -`,
 * `tclsh`, `pwsh -c -`), awk with `-f -`, gdb with `-x /dev/stdin`, vim in Ex mode (`ex -s`);
 * exec-interpreter-options.ts reads their options). What a pipeline feeds such a command is code that runs (MITRE T1059.004 / T1059.006 /
 * T1059.007): `curl … | sh` fetches and runs in one step.
 */
import { isIoNumber } from './exec-decode-stage.js';
import { interpreterLanguage, programOperand } from './exec-interpreter.js';
import { SHELLS } from './exec-interpreter-shells.js';
import { REDIRECTION_WORDS } from './shell-words.js';

export { SHELLS } from './exec-interpreter-shells.js';
/** Files that are a process's stdin (`bash /dev/stdin`, `source /dev/stdin`). */
export const STDIN_FILES: ReadonlySet<string> = new Set(['/dev/stdin', '/proc/self/fd/0', '/dev/fd/0']);

/** Where the options of the shell word at `t` end (its first operand's index) and whether they hold `-c`. */
function shellOptions(words: readonly string[], t: number): [end: number, c: boolean] {
  let j = t + 1;
  let c = false;
  while (j < words.length) {
    const w = words[j]!;
    if (w === '--' || w === '-') {
      j++;
      break;
    }
    if (w.length < 2 || (w[0] !== '-' && w[0] !== '+')) break;
    if (w.startsWith('--')) j += w === '--rcfile' || w === '--init-file' ? 2 : 1;
    else {
      // A cluster: `c` runs a script; each `o`/`O` takes the next word (`-euo pipefail`).
      let takes = 0;
      for (let k = 1; k < w.length; k++) {
        const ch = w[k];
        if (ch === 'c' && w[0] === '-') c = true;
        else if (ch === 'o' || ch === 'O') takes++;
      }
      j += 1 + takes;
    }
  }
  return [j, c];
}

/** The shell's `-c` script index after the shell word at `t` (options skipped), else -1. */
export function shellScriptIndex(words: readonly string[], t: number): number {
  const [j, c] = shellOptions(words, t);
  return c && j < words.length ? j : -1;
}

/** The script file a shell at `t` runs (`sh /tmp/r.sh`, `bash -x run.sh`), or null: `-c`, stdin, or none. */
export function shellScriptFile(words: readonly string[], t: number): string | null {
  const [j, c] = shellOptions(words, t);
  if (c || shellReadsStdin(words, t)) return null;
  const w = words[j];
  return w === undefined || STDIN_FILES.has(w) ? null : w;
}

/** Whether a shell at `t` (no `-c`) reads its script from stdin: no operand, `-s`, or `/dev/stdin`. */
export function shellReadsStdin(words: readonly string[], t: number): boolean {
  let options = true;
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (isIoNumber(words, j)) j += 2;
    else if (REDIRECTION_WORDS.has(w)) j++;
    else if (options && (w === '--' || w === '-')) options = false;
    else if (options && w.length > 1 && (w[0] === '-' || w[0] === '+')) {
      if (w === '--rcfile' || w === '--init-file') j++;
      else if (w[1] !== '-') {
        for (let k = 1; k < w.length; k++) {
          if (w[k] === 's') return true;
          if (w[k] === 'o' || w[k] === 'O') j++;
        }
      }
    } else return STDIN_FILES.has(w);
  }
  return true;
}

/** `python`, `python3`, `python3.11`. */
function isPython(name: string): boolean {
  if (!name.startsWith('python')) return false;
  for (let i = 6; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e)) return false;
  }
  return true;
}

/** Python options whose argument is the next word (`-W error`, `-X dev`, `-Q new`). */
const PYTHON_ARG_OPTIONS = 'WXQ';

/**
 * Whether Python at `t` runs its stdin: no `-c` or `-m` (a command or module runs instead, reading
 * stdin as data), and no script operand other than `-` (Python's command-line reference).
 */
function pythonReadsStdin(words: readonly string[], t: number): boolean {
  for (let j = t + 1; j < words.length; j++) {
    const w = words[j]!;
    if (isIoNumber(words, j)) j += 2;
    else if (REDIRECTION_WORDS.has(w)) j++;
    else if (w === '-') return true;
    else if (w === '--') return j + 1 >= words.length || words[j + 1] === '-';
    else if (w.length > 1 && w[0] === '-') {
      if (w[1] === '-') continue; // --long options take no script
      for (let k = 1; k < w.length; k++) {
        if (w[k] === 'c' || w[k] === 'm') return false;
        if (PYTHON_ARG_OPTIONS.includes(w[k]!)) {
          if (k === w.length - 1) j++;
          break;
        }
      }
    } else return false;
  }
  return true;
}

/** Whether the command `words`, whose tool word is at `t`, runs its stdin as a script. */
export function runsStdinScript(words: readonly string[], t: number): boolean {
  const name = words[t];
  if (name === undefined) return false;
  if (SHELLS.has(name)) return shellReadsStdin(words, t);
  if (isPython(name)) return pythonReadsStdin(words, t);
  // Perl, Ruby, Node, PHP with no inline code and no script file read their program from stdin.
  const lang = interpreterLanguage(name);
  if (lang === null) return false;
  const op = programOperand(words, t, lang);
  return op !== null && (op === undefined || op === '-' || STDIN_FILES.has(op));
}
