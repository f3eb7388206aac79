/**
 * The canonical reading of an exec's command (`attrs.exec.command`, the argv of a `pods/exec`
 * request): what runs, whatever the spelling (MITRE T1027). For argv `[shell, …, -c, script]`
 * (sh, bash, dash, ash, zsh, ksh…; `-c` alone or in a cluster such as `-ec`, `-lc`; through
 * wrappers such as `busybox sh` or `env sh`) the script read as the shell reads it (shell-words.ts),
 * otherwise argv itself. In every simple command the tool word is reduced to its basename
 * (`/usr/bin/curl` → `curl`), also behind wrappers (`env`, `nohup`, `timeout 5`, `sudo -u x`,
 * `busybox`…, which stay as words), and a shell run with `-c` (or `env -S`, `su -c`) inside a
 * script is replaced by the commands of its own script, to a bounded depth.
 *
 * Rules read both readings (the project's policy for ambiguous input: deny and alert patterns
 * fire on ANY reading, allow lists hold only if EVERY reading is allowed):
 * - `execCommandReadings`: the values a rule's `attrs.exec.command` fans over — the argv elements,
 *   then the canonical words argv does not already hold (short-flag clusters `-sT` also as `-s`
 *   `-T`), then one line per
 *   simple command read from a script (its words joined by single spaces, so `contains: 'curl -T'`
 *   sees `c''url\t-T`). No line is made of an argv that runs no shell: argv is not text, and its
 *   joined words are a reading the rules were not written for (`tar cf - …/ckpt/…` would read
 *   as "packs checkpoints", MLS-EXFIL-013, on every `kubectl cp`). The shell's own option words
 *   (`-c`) are left out: beside the script's words they would read as the script's flags
 *   (`sh -c 'tar xf a.tar'` is no `tar -c`).
 * - `canonicalExecAllowed`: a spec's exec allow list must also allow the shell's canonical command
 *   line (`sh -c <script as read>`), and no bound may have cut the script short.
 */
import { MAX_LEAVES } from './field-test.js';
import { readShellScript, shellBudget, MAX_SCRIPT_WORDS, type ShellBudget, type ShellScript } from './shell-words.js';

/** Shells whose `-c` runs its next operand as a script. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'lksh', 'pdksh', 'oksh', 'yash', 'posh', 'rbash']);
/** Nesting of scripts read (argv's script is depth 1). */
const MAX_DEPTH = 3;
/** Wrappers followed from one tool word to the one it runs. */
const MAX_WRAPPERS = 4;
/** Values `execCommandReadings` adds beyond argv. */
const MAX_EXTRA = 1024;

/** Options of a wrapper: those taking an argument, operands before the command, a script option. */
interface Wrapper {
  args?: readonly string[];
  operands?: number;
  assignments?: boolean;
  /** An option whose argument is a command line the wrapper splits (env -S). */
  script?: readonly string[];
}

const WRAPPERS = new Map<string, Wrapper>([
  ['env', { args: ['-u', '--unset', '-C', '--chdir'], assignments: true, script: ['-S', '--split-string'] }],
  ['nohup', {}],
  ['exec', { args: ['-a'] }],
  ['command', {}],
  ['builtin', {}],
  ['nice', { args: ['-n', '--adjustment'] }],
  ['ionice', { args: ['-c', '-n', '-p', '-P', '-u'] }],
  ['timeout', { args: ['-s', '--signal', '-k', '--kill-after'], operands: 1 }],
  ['stdbuf', { args: ['-i', '-o', '-e'] }],
  ['setsid', {}],
  ['sudo', { args: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T'] }],
  ['doas', { args: ['-u', '-C'] }],
  ['busybox', {}],
  ['chroot', { args: ['--userspec', '--groups'], operands: 1 }],
  ['taskset', { operands: 1 }],
  ['time', { args: ['-f', '-o'] }],
  ['xargs', { args: ['-I', '-n', '-P', '-d', '-a', '-E', '-L', '-s'] }],
  ['unbuffer', {}],
]);
/** Wrappers whose `-c` option runs a command line (`su root -c '…'`). */
const SCRIPT_OPTION = new Map<string, readonly string[]>([
  ['su', ['-c', '--command']],
  ['runuser', ['-c', '--command']],
]);
/** Reserved words that may open a simple command (`then curl …`, `! curl …`, `{ curl …`). */
const RESERVED = new Set(['{', '}', '!', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'time', 'case', 'esac']);
const REDIRECTIONS = new Set(['<', '<<', '<<-', '<<<', '<&', '<>', '>', '>>', '>&', '>|', '&>', '&>>']);

export interface ExecCanonical {
  /** The simple commands as they run, each its words (tool words as basenames). */
  commands: string[][];
  /** scripted[i]: commands[i] was read from a script (not argv itself). */
  scripted: boolean[];
  /** When argv runs a shell script: the argv indices of the shell's options [from, to); else -1, -1. */
  shellOptionsFrom: number;
  shellOptionsTo: number;
  /** `<shell> -c <script as read>` when argv runs a shell script, else null (spec allow lists). */
  readonly shellLine: string | null;
  /** A bound (script length, words, commands, argv words) cut the reading short. */
  truncated: boolean;
}

/** The part of a path after its last `/` (the path itself when that part is empty). */
export function baseName(w: string): string {
  const k = w.lastIndexOf('/');
  return k < 0 || k === w.length - 1 ? w : w.slice(k + 1);
}

function isAssignment(w: string): boolean {
  const c = w.charCodeAt(0);
  if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f)) return false;
  for (let i = 1; i < w.length && i < 256; i++) {
    const d = w.charCodeAt(i);
    if (d === 0x3d) return true; // =
    if (d === 0x2b && w.charCodeAt(i + 1) === 0x3d) return true; // +=
    if (!((d >= 0x30 && d <= 0x39) || (d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a) || d === 0x5f)) return false;
  }
  return false;
}

/** An IO number (`2` in `2>&1`). */
function isDigits(w: string): boolean {
  if (w.length === 0 || w.length > 3) return false;
  for (let i = 0; i < w.length; i++) if (w.charCodeAt(i) < 0x30 || w.charCodeAt(i) > 0x39) return false;
  return true;
}

/** `-x` for each ASCII letter x (split clusters without allocating). */
const SHORT_FLAG: string[] = [];
for (let c = 0x41; c <= 0x7a; c++) SHORT_FLAG[c] = `-${String.fromCharCode(c)}`;

/** `-` and 2–8 ASCII letters: a cluster of short flags (`-sT`, `-czf`). */
function isFlagCluster(w: string): boolean {
  if (w.length < 3 || w.length > 9 || w.charCodeAt(0) !== 0x2d) return false;
  for (let i = 1; i < w.length; i++) {
    const c = w.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) return false;
  }
  return true;
}

/** Index of the word a script's simple command runs: after reserved words, assignments, redirections. */
function toolIndex(words: readonly string[]): number {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (RESERVED.has(w) || isAssignment(w)) i++;
    else if (REDIRECTIONS.has(w)) i += 2;
    else if (isDigits(w) && i + 1 < words.length && REDIRECTIONS.has(words[i + 1]!)) i += 3;
    else break;
  }
  return i;
}

/** The shell's `-c` script index after the shell word at `t` (options skipped), else -1. */
function shellScriptIndex(words: readonly string[], t: number): number {
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
  return c && j < words.length ? j : -1;
}

/** Where the wrapper at `t` hands over: the index of the word it runs, or of its script (`script`). */
function unwrap(words: readonly string[], t: number, name: string): { next: number; script: boolean } | null {
  const opts = SCRIPT_OPTION.get(name);
  if (opts) {
    for (let j = t + 1; j + 1 < words.length; j++) if (opts.includes(words[j]!)) return { next: j + 1, script: true };
    return null;
  }
  const spec = WRAPPERS.get(name);
  if (!spec) return null;
  let j = t + 1;
  while (j < words.length) {
    const w = words[j]!;
    if (w === '--') {
      j++;
      break;
    }
    if (spec.assignments && isAssignment(w)) j++;
    else if (w.length > 1 && w[0] === '-') {
      if (spec.script?.includes(w)) return j + 1 < words.length ? { next: j + 1, script: true } : null;
      j += spec.args?.includes(w) ? 2 : 1;
    } else break;
  }
  j += spec.operands ?? 0;
  return j < words.length ? { next: j, script: false } : null;
}

/** Where a command hands a script to a shell (or a wrapper that splits one), if it does. */
interface Resolved {
  script: string | null;
  /** Index of the shell word and of its script (a shell run with -c), else -1. */
  shellAt: number;
  scriptAt: number;
}

const NO_SCRIPT: Resolved = { script: null, shellAt: -1, scriptAt: -1 };

/** Reduces the tool words of `words` (owned: changed in place) to basenames from `start`, through wrappers. */
function resolve(words: string[], start: number): Resolved {
  let t = start;
  for (let k = 0; t < words.length; k++) {
    const w = words[t]!;
    const name = baseName(w);
    if (name !== w) words[t] = name;
    if (SHELLS.has(name)) {
      const at = shellScriptIndex(words, t);
      return at >= 0 ? { script: words[at]!, shellAt: t, scriptAt: at } : NO_SCRIPT;
    }
    if (k >= MAX_WRAPPERS) break;
    const u = unwrap(words, t, name);
    if (u === null) break;
    if (u.script) return { script: words[u.next]!, shellAt: -1, scriptAt: u.next };
    t = u.next;
  }
  return NO_SCRIPT;
}

class Builder {
  readonly commands: string[][] = [];
  readonly scripted: boolean[] = [];
  readonly budget: ShellBudget = shellBudget();

  /** Reads a script at `depth` (1 for argv's); its commands come back with their tool words reduced. */
  script(text: string, depth: number): ShellScript {
    const read = readShellScript(text, this.budget);
    const cmds = read.commands;
    for (let i = 0; i < cmds.length; i++) {
      const cmd = cmds[i]!;
      const r = resolve(cmd, toolIndex(cmd));
      if (r.script !== null && depth < MAX_DEPTH) this.script(r.script, depth + 1);
      else this.add(cmd, true);
    }
    if (depth < MAX_DEPTH) for (const sub of read.substitutions) this.script(sub, depth + 1);
    return read;
  }

  add(words: string[], scripted: boolean): void {
    this.commands.push(words);
    this.scripted.push(scripted);
  }
}

/** A script's commands joined by their operators (`;` for newlines), one space apart. */
function render(s: ShellScript): string {
  let text = s.lead ? `${s.lead} ` : '';
  for (let i = 0; i < s.commands.length; i++) {
    text += joinWords(s.commands[i]!);
    const op = s.ops[i]!;
    if (op === ';' || op === '\n') text += '; ';
    else if (op) text += ` ${op.indexOf('\n') < 0 ? op : op.split('\n').join(';')} `;
  }
  return text.trimEnd();
}

/** Words joined by single spaces, empty words left out. */
function joinWords(words: readonly string[], end = words.length): string {
  let s = '';
  for (let i = 0; i < end; i++) {
    const w = words[i]!;
    if (w !== '') s = s ? `${s} ${w}` : w;
  }
  return s;
}

class Canonical implements ExecCanonical {
  private line: string | null | undefined;
  constructor(
    readonly commands: string[][],
    readonly scripted: boolean[],
    readonly truncated: boolean,
    readonly shellOptionsFrom = -1,
    readonly shellOptionsTo = -1,
    private readonly argv: readonly string[] | null = null,
    private readonly read: ShellScript | null = null,
  ) {}

  /** Written when asked (spec allow lists), once. */
  get shellLine(): string | null {
    if (this.line === undefined) this.line = this.argv && this.read ? `${joinWords(this.argv, this.shellOptionsTo)} ${render(this.read)}` : null;
    return this.line;
  }
}

/** The canonical reading of an argv (non-strings given as ''). */
export function canonicalExec(argvIn: readonly string[]): ExecCanonical {
  return canonicalOwned(argvIn.slice(0, MAX_SCRIPT_WORDS), argvIn.length > MAX_SCRIPT_WORDS);
}

/** `canonicalExec` of an argv the caller gives up (its tool words are reduced in place). */
function canonicalOwned(argv: string[], cut: boolean): ExecCanonical {
  const b = new Builder();
  if (argv.length === 0) return new Canonical(b.commands, b.scripted, cut);
  const r = resolve(argv, 0);
  if (r.script === null) {
    b.add(argv, false);
    return new Canonical(b.commands, b.scripted, cut);
  }
  const read = b.script(r.script, 1);
  const truncated = cut || b.budget.truncated;
  return r.shellAt >= 0 ? new Canonical(b.commands, b.scripted, truncated, r.shellAt + 1, r.scriptAt, argv, read) : new Canonical(b.commands, b.scripted, truncated);
}

/** The canonical reading of a command given as one string (a command line, read as a script). */
export function canonicalCommandLine(text: string): ExecCanonical {
  const b = new Builder();
  b.script(text, 1);
  return new Canonical(b.commands, b.scripted, b.budget.truncated);
}

/** The canonical reading of an `attrs.exec.command` value: an argv (array) or a command line (string). */
export function canonicalExecValue(v: unknown): ExecCanonical | null {
  if (typeof v === 'string') return canonicalCommandLine(v);
  if (!Array.isArray(v) || v.length === 0) return null;
  const n = Math.min(v.length, MAX_SCRIPT_WORDS);
  const argv: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const x: unknown = v[i];
    argv[i] = typeof x === 'string' ? x : '';
  }
  return canonicalOwned(argv, v.length > MAX_SCRIPT_WORDS);
}

/**
 * The values a rule's `attrs.exec.command` fans over: `raw` (argv elements, the shell's option
 * words left out), then the canonical words and flag clusters split, then one line per scripted
 * command; `raw` itself when the reading adds nothing.
 */
export function execCommandReadings(raw: unknown, view: ExecCanonical | null): unknown {
  if (view === null) return raw;
  // No dedupe set (the hot path of every exec event): repeats cost a test each, no more.
  const extra: string[] = [];
  const cmds = view.commands;
  for (let c = 0; c < cmds.length && extra.length < MAX_EXTRA; c++) {
    const words = cmds[c]!;
    // argv itself is already among the values: only the words its reading changed are new.
    const argv = view.scripted[c] ? null : Array.isArray(raw) ? raw : null;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w !== '' && (argv === null || argv[i] !== w)) extra.push(w);
      if (isFlagCluster(w)) for (let k = 1; k < w.length; k++) extra.push(SHORT_FLAG[w.charCodeAt(k)]!);
    }
  }
  for (let c = 0; c < cmds.length && extra.length < MAX_EXTRA; c++) if (view.scripted[c] && cmds[c]!.length > 1) extra.push(joinWords(cmds[c]!));
  if (extra.length > MAX_EXTRA) extra.length = MAX_EXTRA;
  const dropFrom = view.shellOptionsFrom;
  const dropTo = view.shellOptionsTo;
  if (extra.length === 0 && dropFrom < 0) return raw;
  const out: unknown[] = [];
  if (Array.isArray(raw)) {
    const n = Math.min(raw.length, MAX_LEAVES - extra.length);
    for (let i = 0; i < n; i++) if (i < dropFrom || i >= dropTo) out.push(raw[i]);
  } else out.push(raw);
  for (let i = 0; i < extra.length; i++) out.push(extra[i]);
  return out;
}

/**
 * True when a spec's allow test holds for the canonical reading too: a command run through a
 * shell script must be allowed as `<shell> -c <script as read>`, read in full. (The raw joined text
 * is tested by the caller; an argv that runs no script reads as itself.)
 */
export function canonicalExecAllowed(view: ExecCanonical | null, allowed: (command: string) => boolean): boolean {
  if (view === null || view.shellLine === null) return true;
  return !view.truncated && allowed(view.shellLine);
}
