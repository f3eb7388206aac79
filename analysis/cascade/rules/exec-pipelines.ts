/**
 * Pipelines as rules read them: one line per pipeline of two or more commands (XCU 2.9.2), each
 * stage written from the word it runs (wrappers, assignments and leading redirections left out,
 * tool words as basenames: `sudo /bin/bash` is `bash`), ` | ` between the stages. A rule that must
 * see two tools in ONE pipeline (a download piped into a shell, MLS-RAY-012) tests one such line:
 * the words of one reading joined say nothing about which command fed which.
 *
 * Each pipeline also names the tools whose output a later stage runs as its script (a shell or
 * Python reading stdin, exec-stdin-script.ts, or cmd.exe without `/c`, exec-cmd.ts, unless that
 * stage has its own here-doc or here-string): `curl … | tee f | sh` feeds `curl` and `tee` to a shell. Rules read them as
 * `attrs.exec.pipedToShell` (event-fields.ts): a test of one word, where a pattern over the line
 * would have to scan the rest of the line from every stage (quadratic in the line's length).
 */
import { cmdReadsStdin } from './exec-cmd.js';
import { readsOwnInput } from './exec-decode-pipeline.js';
import { runsStdinScript } from './exec-stdin-script.js';
import { WORD_EXPANDED, type ShellScript } from './shell-words.js';

/** Pipeline lines one reading keeps (later pipelines are still read as commands). */
export const MAX_PIPELINES = 16;
/** Tools fed to a shell that one command keeps (distinct names). */
export const MAX_FED_TOOLS = 32;

/** Whether the operators after a command pipe its output into the next: `|` or `|&`, then only newlines. */
export function pipesOn(op: string | undefined): boolean {
  if (op === undefined || op.charCodeAt(0) !== 0x7c) return false;
  if (op === '|' || op === '|&') return true;
  let k = op.charCodeAt(1) === 0x26 ? 2 : 1;
  if (op.charCodeAt(k) === 0x7c) return false; // ||
  for (; k < op.length; k++) if (op.charCodeAt(k) !== 0x20 && op.charCodeAt(k) !== 0x0a) return false;
  return true;
}

/** Whether any command of a read script pipes into another (the cheap test before `from` is kept). */
export function hasPipes(read: ShellScript): boolean {
  const ops = read.ops;
  for (let i = 0; i < ops.length; i++) if (ops[i]!.charCodeAt(0) === 0x7c && pipesOn(ops[i])) return true;
  return false;
}

/**
 * Appends to `out` (up to MAX_PIPELINES lines) one line per pipeline of `read`: stage `k` written
 * from word `from[k]`; and to `fed` (distinct, up to MAX_FED_TOOLS) the tools a later stage of
 * their pipeline runs the output of. `only` (when given) keeps the pipelines holding a command it marks.
 */
export function pipelineLines(read: ShellScript, from: readonly number[], only: readonly boolean[] | null, out: string[], fed: string[]): void {
  const cmds = read.commands;
  for (let i = 0; i < cmds.length; i++) {
    if (!pipesOn(read.ops[i])) continue;
    let j = i;
    while (j + 1 < cmds.length && pipesOn(read.ops[j])) j++;
    let keep = only === null;
    for (let k = i; k <= j && !keep; k++) keep = only![k] === true;
    if (keep) {
      if (out.length < MAX_PIPELINES) {
        let line = '';
        for (let k = i; k <= j; k++) line += (k > i ? ' | ' : '') + stage(cmds[k]!, from[k] ?? 0);
        out.push(line);
      }
      feeders(read, from, i, j, fed);
    }
    i = j;
  }
}

/** Adds a tool word to `fed` (distinct, up to MAX_FED_TOOLS). */
export function addFed(fed: string[], tool: string | undefined): void {
  if (tool !== undefined && tool !== '' && fed.length < MAX_FED_TOOLS && !fed.includes(tool)) fed.push(tool);
}

/** Adds to `fed` the tools of stages i..k-1, k being the last stage of i..j that runs its stdin piped in. */
function feeders(read: ShellScript, from: readonly number[], i: number, j: number, fed: string[]): void {
  for (let k = j; k > i; k--) {
    const words = read.commands[k]!;
    const t = from[k] ?? -1;
    if (!(runsStdinScript(words, t) || cmdReadsStdin(words, t)) || readsOwnInput(read, k)) continue;
    for (let s = i; s < k; s++) addFed(fed, read.commands[s]![from[s] ?? -1]);
    return;
  }
}

/** A command's words from `t`, empty words left out, one space apart. */
function stage(words: readonly string[], t: number): string {
  let s = '';
  for (let i = Math.max(0, t); i < words.length; i++) {
    const w = words[i]!;
    if (w !== '') s = s ? `${s} ${w}` : w;
  }
  return s;
}

/** Per command of a reading with variables expanded (exec-canonical.ts; `flags` per command, shell-vars.ts WORD_*): whether its pipeline holds a command with an expanded word. */
export function expandedPipelines(read: ShellScript, flags: readonly number[]): boolean[] {
  const n = read.commands.length;
  const out = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pipesOn(read.ops[j])) j++;
    let any = false;
    for (let k = i; k <= j; k++) any ||= ((flags[k] ?? 0) & WORD_EXPANDED) !== 0;
    if (any) for (let k = i; k <= j; k++) out[k] = true;
    i = j + 1;
  }
  return out;
}
