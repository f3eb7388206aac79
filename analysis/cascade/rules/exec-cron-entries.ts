/**
 * What a cron entry a script installs will run (MITRE T1053.003). MLS-RAY-016 alerts on the install
 * itself (exec-persistence.ts); this reads the entry's command as a shell line cron will run, so
 * the rules that read commands (a download run, a reverse shell, an upload) see it too.
 *
 * The entry text, as the script spells or decodes it (exec-decode-pipeline.ts):
 * - given to `crontab` on stdin (`crontab -`, or no operand): its here-string or here-doc, the
 *   pipeline feeding it (`echo '…' | crontab -`, `echo … | base64 -d | crontab -`), or what the
 *   commands of a group feeding it print (`(crontab -l; echo '…') | crontab -`; `crontab -l` prints
 *   the old entries, which are not read);
 * - written by `echo` / `printf` (`> f`, `>> f`) or `tee [-a] f` into a cron place: /etc/crontab,
 *   /etc/cron.d/* and /var/spool/cron/* (paths as written, or placed from `~` / `$HOME`).
 * Each entry line (crontab(5)): five time fields or an `@` nickname, then in a system crontab
 * (/etc/crontab, /etc/cron.d) the user, then the command, up to an unescaped `%` (what follows is
 * its stdin); `\%` is a `%`. Blank lines, comments and variable settings (`MAILTO=…`) run nothing.
 * Bounded: MAX_CRON_COMMANDS commands of MAX_CRON_COMMAND_CHARS characters per text.
 */
import { decodedText } from './exec-decode.js';
import { pipelineText, stdinText, type ToolAt } from './exec-decode-pipeline.js';
import { eachRedirection, operandsOf, stageOutput, writesFile } from './exec-decode-stage.js';
import { persistencePlace } from './exec-persistence.js';
import { pipesOn } from './exec-pipelines.js';
import type { ShellScript } from './shell-words.js';

export const MAX_CRON_COMMANDS = 4;
export const MAX_CRON_COMMAND_CHARS = 4096;

/** An entry text a script installs, and whether it goes to a system crontab (whose lines name a user). */
export interface CronText {
  text: string;
  system: boolean;
}

const TIME_FIELD = /^[0-9*?/,\-A-Za-z#LW]+$/;
const NICKNAME = /^@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)$/i;
const SETTING = /^[A-Za-z_][A-Za-z0-9_]*\s*=/;
const SYSTEM_CRONTAB = /^\/etc\/(crontab|cron\.d\/)/;
/** Flags that make `crontab` list, remove or edit rather than install from its input. */
const NOT_INSTALLING = /^-[A-Za-z]*[lreiV]/;

/**
 * The entry text command `i` of `read` (tool word at `t`) installs, when it installs one whose
 * text the script gives; null otherwise.
 */
export function cronInstalled(read: ShellScript, i: number, t: number, toolAt: ToolAt): CronText | null {
  const words = read.commands[i]!;
  const tool = words[t]!;
  if (tool === 'crontab') {
    const ops = operandsOf(words, t, false) ?? [];
    if (ops.some((w) => NOT_INSTALLING.test(w))) return null;
    const files = ops.filter((w) => !w.startsWith('-') || w === '-');
    if (files.length > 1 || (files.length === 1 && files[0] !== '-' && files[0] !== '/dev/stdin')) return null;
    const text = stdinText(read, i, toolAt) ?? groupOutput(read, i, toolAt);
    return text === null || text === undefined ? null : { text, system: false };
  }
  if (tool === 'tee') {
    const target = (operandsOf(words, t, false) ?? []).find((w) => !w.startsWith('-') && cronPlace(w));
    const text = target === undefined ? null : stdinText(read, i, toolAt);
    return text === null || text === undefined ? null : { text, system: SYSTEM_CRONTAB.test(target!) };
  }
  if (tool !== 'echo' && tool !== 'printf') return null;
  let target: string | null = null;
  eachRedirection(words, t, (op, fd, to) => {
    if ((fd === '' || fd === '1') && writesFile(op, to) && cronPlace(to)) target = to;
  });
  if (target === null) return null;
  // The stage's output as if it went down a pipe: its words without the redirections.
  const bytes = stageOutput([...words.slice(0, t + 1), ...(operandsOf(words, t, false) ?? [])], t, null);
  const text = bytes ? decodedText(bytes) : null;
  return text === null ? null : { text, system: SYSTEM_CRONTAB.test(target) };
}

function cronPlace(path: string): boolean {
  return persistencePlace(path) === 'cron';
}

/**
 * What the commands of the group whose `)` ends right before command `i`'s pipe print, joined by
 * newlines: each pipeline in it whose every stage the decoder reads (`echo`, `printf`, `base64 -d`…);
 * others (`crontab -l`) are left out. Undefined when no group feeds `i`.
 */
function groupOutput(read: ShellScript, i: number, toolAt: ToolAt): string | undefined {
  const before = read.ops[i - 1];
  if (i === 0 || before === undefined || !before.startsWith(')') || !pipesOn(before.slice(1).trimStart())) return undefined;
  let start = i - 1;
  while (start > 0 && !read.ops[start - 1]!.includes('(')) start--;
  if (start === 0 && !read.lead.includes('(') && !(read.ops[0] ?? '').includes('(')) return undefined;
  const texts: string[] = [];
  for (let k = start; k < i; k++) {
    // The last stage of each pipeline in the group prints to the group's output.
    if (k < i - 1 && pipesOn(read.ops[k])) continue;
    let from = k;
    while (from > start && pipesOn(read.ops[from - 1])) from--;
    const text = pipelineText(read, from, k, toolAt);
    if (typeof text === 'string') texts.push(text);
  }
  return texts.length > 0 ? texts.join('\n') : undefined;
}

/** The commands of the entries in `text` (see the header), in order. */
export function cronCommands(text: string, system: boolean): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    if (out.length >= MAX_CRON_COMMANDS) break;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || SETTING.test(line)) continue;
    const fields = line.split(/[ \t]+/);
    let k = NICKNAME.test(fields[0]!) ? 1 : 0;
    if (k === 0) {
      while (k < 5 && k < fields.length && TIME_FIELD.test(fields[k]!)) k++;
      if (k < 5) continue;
    }
    if (system) k++;
    if (k >= fields.length) continue;
    const lead = new RegExp(`^(?:\\S+[ \\t]+){${k}}`).exec(line);
    const command = lead === null ? '' : untilPercent(line.slice(lead[0].length)).trim();
    if (command !== '') out.push(command.slice(0, MAX_CRON_COMMAND_CHARS));
  }
  return out;
}

/** The command part of an entry: up to its first unescaped `%`, `\%` read as `%`. */
function untilPercent(s: string): string {
  let out = '';
  for (let j = 0; j < s.length; j++) {
    const c = s.charAt(j);
    if (c === '\\' && s.charAt(j + 1) === '%') {
      out += '%';
      j++;
    } else if (c === '%') break;
    else out += c;
  }
  return out;
}
