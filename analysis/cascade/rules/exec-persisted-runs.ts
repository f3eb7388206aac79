/**
 * What a script's persistence will run later (MITRE T1053.003 cron, T1543.002 systemd units,
 * T1037.004 rc scripts, T1546.004 shell profiles). MLS-RAY-016 / -017 alert on the install itself
 * (exec-persistence.ts); this reads the text installed, so the rules that read commands (a download
 * run, a reverse shell, an upload) see what it will run as well.
 *
 * The text, as the script spells or decodes it (exec-decode-pipeline.ts):
 * - given to `crontab` on stdin (`crontab -`, or no operand): its here-string or here-doc, the
 *   pipeline feeding it (`echo '…' | crontab -`, `echo … | base64 -d | crontab -`), or what the
 *   commands of a group feeding it print (`(crontab -l; echo '…') | crontab -`; `crontab -l` prints
 *   the old entries, which are not read);
 * - written into a place that runs it by `tee [-a] f`, or by a stage the decoder reads (`> f`,
 *   `>> f`): `echo` / `printf`, `cat` of its stdin (`cat > f <<EOF`), `echo … | base64 -d > f`. A relative path is placed against the
 *   directory the script's `cd`s set (`cd /etc/cron.d && echo … > x`), `~` / `$HOME` read as a home.
 * What runs, by place (exec-persistence.ts `persistencePlace`):
 * - cron (/etc/crontab, /etc/cron.d/*, /var/spool/cron/*, crontab's input): each entry's command
 *   (exec-cron-entries.ts);
 * - systemd units: each `Exec…=` command line (systemd.service(5));
 * - rc scripts (/etc/rc.local, /etc/init.d/*…) and shell profiles (~/.bashrc, /etc/profile.d/*…):
 *   the text itself, a shell script run at boot or at login.
 * Bounded: MAX_PERSISTED_RUNS texts of MAX_PERSISTED_CHARS characters each.
 */
import { cronCommands } from './exec-cron-entries.js';
import { pipelineText, stdinText, type ToolAt } from './exec-decode-pipeline.js';
import { eachRedirection, operandsOf, STAGE_TOOLS, stageOutput, writesFile } from './exec-decode-stage.js';
import { decodedText, textBytes } from './exec-decode.js';
import { persistencePlace } from './exec-persistence.js';
import { runIndex } from './exec-fetched-run.js';
import { pipesOn } from './exec-pipelines.js';
import { changedDir, normalPath, placePath, type WorkDir } from './exec-script-paths.js';
import { spelledIn } from './shell-vars.js';
import type { ShellScript } from './shell-words.js';

export const MAX_PERSISTED_RUNS = 4;
export const MAX_PERSISTED_CHARS = 4096;

/** Persistence places whose files say what runs. */
export type RunPlace = 'cron' | 'systemd' | 'rc' | 'profile';
const RUN_PLACES: ReadonlySet<string> = new Set<RunPlace>(['cron', 'systemd', 'rc', 'profile']);

/** A text a script installs where it will run, and whether it is a system crontab (whose lines name a user). */
export interface PersistedText {
  text: string;
  place: RunPlace;
  system: boolean;
}

/** Tools that may install such a text (a cheap test before `persistedText`): crontab, tee and the decoder's stages. */
export const PERSIST_WRITERS: ReadonlySet<string> = new Set(['crontab', 'tee', ...STAGE_TOOLS]);

const SYSTEM_CRONTAB = /^\/etc\/(crontab|cron\.d\/)/;
/** Flags that make `crontab` list, remove or edit rather than install from its input. */
const NOT_INSTALLING = /^-[A-Za-z]*[lreiV]/;
const FROM_HOME = /^(~|\$HOME|\$\{HOME\})(\/|$)/;

/**
 * The text command `i` of `read` (tool word at `t`) installs where it will run, when the script
 * gives that text; null otherwise.
 */
export function persistedText(read: ShellScript, i: number, t: number, toolAt: ToolAt): PersistedText | null {
  const words = read.commands[i]!;
  const tool = words[t]!;
  if (tool === 'crontab') {
    const ops = operandsOf(words, t, false) ?? [];
    if (ops.some((w) => NOT_INSTALLING.test(w))) return null;
    const files = ops.filter((w) => !w.startsWith('-') || w === '-');
    if (files.length > 1 || (files.length === 1 && files[0] !== '-' && files[0] !== '/dev/stdin')) return null;
    const text = stdinText(read, i, toolAt) ?? groupOutput(read, i, toolAt);
    return text === null || text === undefined ? null : { text, place: 'cron', system: false };
  }
  if (tool === 'tee') {
    let target: Target | null = null;
    for (const w of operandsOf(words, t, false) ?? []) if (target === null && !w.startsWith('-')) target = targetOf(read, i, w);
    const text = target === null ? null : stdinText(read, i, toolAt);
    return typeof text === 'string' ? { text, ...target! } : null;
  }
  let target: Target | null = null;
  eachRedirection(words, t, (op, fd, to) => {
    if ((fd === '' || fd === '1') && writesFile(op, to)) target = targetOf(read, i, to) ?? target;
  });
  if (target === null) return null;
  // The stage's output as if it went down a pipe (its words without the redirections), from its
  // here-doc or what the pipeline feeding it writes: `cat` of its stdin, `base64 -d`.
  const input = stdinText(read, i, toolAt);
  const bytes = stageOutput([...words.slice(0, t + 1), ...(operandsOf(words, t, false) ?? [])], t, typeof input === 'string' ? textBytes(input) : null);
  const text = bytes ? decodedText(bytes) : null;
  return text === null ? null : { text, ...(target as Target) };
}

interface Target {
  place: RunPlace;
  system: boolean;
}

/** Where `path`, written by command `i`, runs (placed against the script's `cd`s before it), or null. */
function targetOf(read: ShellScript, i: number, path: string): Target | null {
  const p = path.startsWith('/') || FROM_HOME.test(path) ? path : placePath(dirBefore(read, i), path);
  return p === null ? null : placeTarget(p);
}

/** The place an absolute (or `~`) path runs from, or null. */
function placeTarget(path: string): Target | null {
  const place = persistencePlace(path);
  return place !== null && RUN_PLACES.has(place) ? { place: place as RunPlace, system: SYSTEM_CRONTAB.test(normalPath(path)) } : null;
}

/** Whether an absolute (or `~`) path is a place whose files say what runs. */
export function runsFrom(path: string): boolean {
  return placeTarget(path) !== null;
}

/**
 * What `text`, written whole into `path` (as interpreter code places it: exec-interpreter-file-writes.ts),
 * will run when `path` is a place that runs it.
 */
export function runsWrittenTo(path: string, text: string): string[] {
  const target = placeTarget(path);
  return target === null ? [] : persistedRuns({ text, ...target });
}

/** Per script read, the working directory each command starts in (made on first use, in one pass). */
const startDirs = new WeakMap<ShellScript, WorkDir[]>();

/** The working directory the `cd` / `pushd` commands before command `i` set (as exec-persistence.ts follows them). */
function dirBefore(read: ShellScript, i: number): WorkDir {
  let dirs = startDirs.get(read);
  if (dirs === undefined) {
    dirs = [];
    let cwd: WorkDir = '';
    for (const cmd of read.commands) {
      dirs.push(cwd);
      // runIndex reads a copy: the commands after `i` are still to be resolved (in place) by the reading.
      const { words, t, tool } = runIndex(cmd);
      if (tool === 'cd' || tool === 'pushd') cwd = changedDir(cwd, words, t);
    }
    startDirs.set(read, dirs);
  }
  return dirs[i] ?? null;
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

/** The shell texts `installed` will run (see the header), in order. */
export function persistedRuns(installed: PersistedText): string[] {
  switch (installed.place) {
    case 'cron':
      return cronCommands(installed.text, installed.system).slice(0, MAX_PERSISTED_RUNS);
    case 'systemd':
      return unitCommands(installed.text);
    default: {
      const script = installed.text.trim();
      return script === '' ? [] : [script.slice(0, MAX_PERSISTED_CHARS)];
    }
  }
}

/** Whether the script spells each line of `run` (so it is literal, not decoded: printf's escapes may make the lines). */
export function spelledRun(run: string, script: string): boolean {
  return run.split('\n').every((line) => line.trim() === '' || spelledIn(line, script));
}

/** Settings of a unit whose value is a command line (systemd.service(5) "Options"). */
const EXEC_SETTING = /^Exec(?:Start|StartPre|StartPost|Condition|Reload|Stop|StopPost)[ \t]*=[ \t]*/;

/**
 * The command lines of a unit file's `Exec…=` settings, in order: a line ending in `\` goes on in
 * the next; the value's prefixes (`-`, `@`, `:`, `+`, `!`, `!!`) are dropped, and with `@` the word
 * after the program (the argv[0] it is given) too. An empty value (a reset) runs nothing.
 */
export function unitCommands(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/\\\r?\n/g, ' ').split('\n');
  for (let k = 0; k < lines.length && out.length < MAX_PERSISTED_RUNS; k++) {
    const line = lines[k]!.trim();
    const setting = EXEC_SETTING.exec(line);
    if (setting === null) continue;
    const value = line.slice(setting[0].length);
    const prefix = /^[-@:+!]*/.exec(value)![0];
    let command = value.slice(prefix.length).trim();
    if (prefix.includes('@')) command = command.replace(/^(\S+)[ \t]+\S+/, '$1');
    if (command !== '') out.push(command.slice(0, MAX_PERSISTED_CHARS));
  }
  return out;
}
