/**
 * Text a shell runs that no word of the script spells (MITRE T1027 / T1140): where it comes from
 * and what it is, when it can be computed from the script alone.
 *
 * - A shell reading its script on stdin (`sh`, `bash -s`, `sudo bash`; no `-c`, no script file
 *   operand) or from a process substitution (`bash <(…)`, `source <(…)`): the text is its own
 *   here-string (`<<<`, bash appends a newline) or here-doc, else the output of the pipeline
 *   feeding it (`echo Y3Vy… | base64 -d | sh`), stage by stage (exec-decode-stage.ts).
 * - `eval args…`: the arguments joined by spaces (bash).
 * - A command substitution at a place where its output runs (the start of a command, after
 *   `eval`/`exec`, `"$(…)"` as the command): the script with the substitution replaced by the
 *   pipeline's output, trailing newlines removed (XCU 2.6.3). `sh -c "$(…)"` and `eval "$(…)"`
 *   reach here as the script `$(…)`.
 * Each function says undefined when there is no such text, null when there is but it cannot be
 * read (a decoder fails, binary output, a bound), else the text.
 */
import { decodedText, textBytes } from './exec-decode.js';
import { STAGE_TOOLS, isIoNumber, operandsOf, stageOutput } from './exec-decode-stage.js';
import { STDIN_FILES, shellReadsStdin } from './exec-stdin-script.js';
import { closeBacktick, closeParen } from './shell-spans.js';
import { spelledIn } from './shell-vars.js';
import { REDIRECTION_WORDS, readShellScript, type ShellBudget, type ShellScript } from './shell-words.js';

/** Index of the word a command runs (tool words reduced to basenames in place, through wrappers), -1 if none. */
export type ToolAt = (words: string[]) => number;

/** Command substitutions whose output a script runs, read per script. */
const MAX_RUN_SUBSTITUTIONS = 4;
/** Words after which a command substitution's output is a command (reserved words, and wrappers that take no operand before it). */
const RUN_AFTER = new Set(['eval', 'exec', 'then', 'do', 'else', '!', 'time', '{', 'nohup', 'setsid', 'sudo', 'nice', 'env', 'command']);

const isPipe = (op: string | undefined): boolean => op === '|' || op === '|&';

/** `eval`'s script: its operands (redirections and a leading `--` left out) joined by spaces. */
export function evalText(words: readonly string[], t: number): string {
  const ops = operandsOf(words, t, false)!;
  return (ops[0] === '--' ? ops.slice(1) : ops).join(' ');
}

/**
 * The command's own stdin: the text of its last here-string or here-doc; null when it has none;
 * undefined when its stdin is a file (`< f`).
 */
function ownInput(read: ShellScript, k: number): string | null | undefined {
  const words = read.commands[k]!;
  let text: string | null | undefined = null;
  let heredoc = 0;
  for (let j = 0; j < words.length; j++) {
    const w = words[j]!;
    if (!REDIRECTION_WORDS.has(w) || w.charCodeAt(0) !== 0x3c) continue; // <…
    if (j > 0 && isIoNumber(words, j - 1) && words[j - 1] !== '0') continue; // 3<<< x: not stdin
    if (w === '<<<') text = j + 1 < words.length ? `${words[j + 1]}\n` : undefined;
    else if (w === '<<' || w === '<<-') {
      let n = heredoc++;
      text = undefined;
      for (const h of read.heredocs) {
        if (h.command === k && n-- === 0) {
          text = h.body;
          break;
        }
      }
    } else text = undefined;
  }
  return text;
}

/** Whether command `k`'s stdin is its own here-string or here-doc (text the script spells). */
export function readsOwnInput(read: ShellScript, k: number): boolean {
  return typeof ownInput(read, k) === 'string';
}

/**
 * The bytes the pipeline `read.commands[from..to]` writes, each stage reading the previous one's
 * output (or its own here-string / here-doc). See the header for null and undefined.
 */
export function pipelineOutput(read: ShellScript, from: number, to: number, toolAt: ToolAt): Uint8Array | null | undefined {
  let data: Uint8Array | null = null;
  let failed = false;
  for (let k = from; k <= to; k++) {
    const words = read.commands[k]!;
    const t = toolAt(words);
    if (t < 0 || !STAGE_TOOLS.has(words[t]!)) return undefined;
    const own = ownInput(read, k);
    if (own === undefined) return undefined;
    const input = own !== null ? textBytes(own) : k === from ? null : data;
    const out = stageOutput(words, t, input);
    if (out === undefined) return undefined;
    // A stage that wrote nothing readable: the stages after it are still checked as known.
    if (out === null) failed = true;
    data = out ?? new Uint8Array(0);
  }
  return failed ? null : data;
}

/** The text the pipeline `read.commands[from..to]` writes (see `pipelineOutput`; null for bytes that are no text). */
export function pipelineText(read: ShellScript, from: number, to: number, toolAt: ToolAt): string | null | undefined {
  const bytes = pipelineOutput(read, from, to, toolAt);
  return bytes ? decodedText(bytes) : bytes;
}

/**
 * The script a shell (`shell`) or `source`/`.` at `t` in command `i` runs from its stdin or a
 * process substitution. See the header for null and undefined.
 */
export function shellInput(read: ShellScript, i: number, t: number, toolAt: ToolAt, shell: boolean): string | null | undefined {
  const words = read.commands[i]!;
  // `bash <(…)`: the reader hands back `<` then the `(…)` commands (an unquoted `(` is an operator).
  if (words[words.length - 1] === '<' && read.ops[i] === '(') {
    let k = i + 1;
    while (k < read.commands.length && isPipe(read.ops[k])) k++;
    return k < read.commands.length && read.ops[k]!.charCodeAt(0) === 0x29 ? pipelineText(read, i + 1, k, toolAt) : undefined;
  }
  if (shell ? !shellReadsStdin(words, t) : !STDIN_FILES.has(words[t + 1] ?? '')) return undefined;
  return stdinText(read, i, toolAt);
}

/**
 * The text command `i` reads on standard input: its own here-string or here-doc, else what the
 * pipeline feeding it writes (`printf 'put f\n' | ftp -n h`). See the header for null and undefined.
 */
export function stdinText(read: ShellScript, i: number, toolAt: ToolAt): string | null | undefined {
  const own = ownInput(read, i);
  if (own !== null) return own;
  if (i === 0 || !isPipe(read.ops[i - 1])) return undefined;
  let from = i - 1;
  while (from > 0 && isPipe(read.ops[from - 1])) from--;
  return pipelineText(read, from, i - 1, toolAt);
}

/**
 * Whether the shell (`shell`) or `source`/`.` at `t` in command `i` runs a script that a pipe or a
 * process substitution feeds it (`curl … | sh`, `bash <(curl …)`, `… | python3`), whether or not
 * `shellInput` can know that text. Its own here-doc or a redirection from a file is not fed.
 */
export function runsFedScript(read: ShellScript, i: number, t: number, shell: boolean): boolean {
  const words = read.commands[i]!;
  if (words[words.length - 1] === '<' && read.ops[i] === '(') return true;
  if (shell ? !shellReadsStdin(words, t) : !STDIN_FILES.has(words[t + 1] ?? '')) return false;
  return ownInput(read, i) === null && i > 0 && isPipe(read.ops[i - 1]);
}

/** The next `$(` (not `$((`) or `` ` `` at or after `from` that no backslash escapes, else -1. */
function nextSubstitution(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x60 || (c === 0x24 && s.charCodeAt(i + 1) === 0x28 && s.charCodeAt(i + 2) !== 0x28)) return i;
  }
  return -1;
}

/** Whether a substitution at `p` is where a command starts (its output then runs). */
function atRunPosition(s: string, p: number): boolean {
  let j = p - 1;
  // "$(…)" as the command word. (After `eval` the quotes are eval's: evalText reads it.)
  const quoted = s.charCodeAt(j) === 0x22;
  if (quoted) j--;
  while (j >= 0 && (s.charCodeAt(j) === 0x20 || s.charCodeAt(j) === 0x09)) j--;
  if (j < 0 || ';&|(\n'.indexOf(s.charAt(j)) >= 0) return true;
  if (quoted) return false;
  let k = j;
  while (k >= 0 && ' \t\n;&|()'.indexOf(s.charAt(k)) < 0 && j - k < 8) k--;
  return RUN_AFTER.has(s.slice(k + 1, j + 1));
}

/**
 * The bodies of the command substitutions of `script` whose output runs (at a command's start,
 * after `eval`/`exec`, `"$(…)"` as the command), whatever they compute: `$(curl -fsSL URL)` runs
 * what it fetches. At most MAX_RUN_SUBSTITUTIONS.
 */
export function runSubstitutionBodies(script: string): string[] {
  const bodies: string[] = [];
  for (const sub of substitutionsOf(script)) {
    if (bodies.length >= MAX_RUN_SUBSTITUTIONS) break;
    if (atRunPosition(script, sub.start)) bodies.push(sub.body);
  }
  return bodies;
}

/**
 * The body of `text` when all of it (blanks around aside) is one command substitution
 * (`$(curl -s URL)`, `` `curl -s URL` ``), else null: an interpreter given it as its inline code
 * (`python3 -c "$(curl -s URL)"`) runs what the body prints.
 */
export function wholeSubstitutionBody(text: string): string | null {
  const t = text.trim();
  if (t.startsWith('$(') && !t.startsWith('$((')) return closeParen(t, 1) === t.length - 1 && t.endsWith(')') ? t.slice(2, -1) : null;
  if (t.startsWith('`')) return t.length > 1 && closeBacktick(t, 0) === t.length - 1 ? t.slice(1, -1) : null;
  return null;
}

/** One command substitution of a script: where `$(` or `` ` `` stands, where it closes, its body. */
interface Substitution {
  start: number;
  end: number;
  body: string;
}

/** The command substitutions of `script` in order (unbounded: each caller stops at its own bound). */
function* substitutionsOf(script: string): Generator<Substitution> {
  if (script.indexOf('$(') < 0 && script.indexOf('`') < 0) return;
  for (let p = nextSubstitution(script, 0); p >= 0; ) {
    const tick = script.charCodeAt(p) === 0x60;
    const end = tick ? closeBacktick(script, p) : closeParen(script, p + 1);
    yield { start: p, end, body: script.slice(p + (tick ? 1 : 2), end) };
    p = nextSubstitution(script, end + 1);
  }
}

/**
 * The commands `read.commands[from..to]` (both included) of a process substitution command `i` reads as its
 * script (`bash <(curl …)`, `source <(…)`: the reader hands back `<` then the `(…)` commands),
 * or null when command `i` has none.
 */
export function processSubstitutionOf(read: ShellScript, i: number): [from: number, to: number] | null {
  const words = read.commands[i]!;
  if (words[words.length - 1] !== '<' || read.ops[i] !== '(') return null;
  let k = i + 1;
  while (k < read.commands.length && isPipe(read.ops[k])) k++;
  return k < read.commands.length && read.ops[k]!.charCodeAt(0) === 0x29 ? [i + 1, k] : null;
}

/** The output of a substitution body that is one pipeline of known stages (trailing newlines removed). */
export function substitutionOutput(body: string, budget: ShellBudget, toolAt: ToolAt): string | null | undefined {
  const read = readShellScript(body, budget);
  const n = read.commands.length;
  if (n === 0 || read.lead !== '') return undefined;
  for (let k = 0; k < n - 1; k++) if (!isPipe(read.ops[k])) return undefined;
  const end = read.ops[n - 1];
  if (end !== '' && end !== '\n' && end !== ';') return undefined;
  const text = pipelineText(read, 0, n - 1, toolAt);
  if (typeof text !== 'string') return text;
  let e = text.length;
  while (e > 0 && text.charCodeAt(e - 1) === 0x0a) e--;
  return text.slice(0, e);
}

/** Whether `s` holds a word of a stage tool (so a substitution in it may be a decode pipeline). */
function mentionsStage(s: string): boolean {
  for (const t of STAGE_TOOLS) if (s.indexOf(t) >= 0) return true;
  return false;
}

/** What `expandRunSubstitutions` found besides its text. */
export interface RunSubstitutions {
  /** An output the substitution's body does not spell (a decoder or escapes made it), or one that could not be read. */
  decoded: boolean;
}

/**
 * `script` with each command substitution whose output runs (see the header) replaced by that
 * output. See the header for null and undefined. Callers ask only when the reader saw a
 * substitution (`ShellScript.substitutes`); a body naming no stage tool is not read again.
 */
export function expandRunSubstitutions(script: string, budget: ShellBudget, toolAt: ToolAt, how?: RunSubstitutions): string | null | undefined {
  let out = '';
  let last = 0;
  let found = false;
  let n = 0;
  for (const { start: p, end, body } of substitutionsOf(script)) {
    if (n++ >= MAX_RUN_SUBSTITUTIONS) break;
    if (atRunPosition(script, p) && mentionsStage(body)) {
      const r = substitutionOutput(body, budget, toolAt);
      if (r !== undefined) found = true;
      if (how !== undefined && (r === null || (typeof r === 'string' && !spelledIn(r, body)))) how.decoded = true;
      if (typeof r === 'string') {
        const quoted = script.charCodeAt(p - 1) === 0x22 && script.charCodeAt(end + 1) === 0x22;
        out += script.slice(last, quoted ? p - 1 : p) + r;
        last = quoted ? end + 2 : end + 1;
      }
    }
  }
  if (!found) return undefined;
  return last === 0 ? null : out + script.slice(last);
}
