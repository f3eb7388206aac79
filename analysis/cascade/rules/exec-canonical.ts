/**
 * The canonical reading of an exec's command (`attrs.exec.command`, the argv of a `pods/exec`
 * request): what runs, whatever the spelling (MITRE T1027). For argv `[shell, …, -c, script]`
 * (sh, bash, dash, ash, zsh, ksh…; `-c` alone or in a cluster such as `-ec`, `-lc`; through
 * wrappers such as `busybox sh` or `env sh`) the script read as the shell reads it (shell-words.ts),
 * otherwise argv itself. In every simple command the tool word is reduced to its basename
 * (`/usr/bin/curl` → `curl`), also behind wrappers (`env`, `nohup`, `timeout 5`, `sudo -u x`,
 * `busybox`…, which stay as words; exec-wrappers.ts), and a shell run with `-c` (or `env -S`,
 * `su -c`) inside a script is replaced by the commands of its own script, to a bounded depth.
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
 *
 * Text a shell runs that no word spells (MITRE T1027 / T1140; exec-decode-pipeline.ts) is read as
 * a script at the next depth, its commands joining `commands` as scripted: `eval`'s arguments
 * joined (also `builtin eval`, `command eval`), the here-string or here-doc of a shell run without
 * `-c` (`bash <<< '…'`, `sh <<EOF`), the output of a decode pipeline run by a shell
 * (`echo Y3Vy… | base64 -d | sh`, `printf '\x63…' | bash -s`, `bash <(… | base64 -d)`) or of
 * one in a command substitution whose output runs (`sh -c "$(… | base64 -d)"`, `eval "$(…)"`).
 * That text is also a reading of its own (`payloads`: a pipe in it is seen as the rules see the
 * argv's script). Such a reading is never vouched for by an allow list (`indirect`): the list's
 * author wrote it for commands as typed, and a payload decoded at run time is no such command.
 */
import { MAX_LEAVES } from './field-test.js';
import { evalText, expandRunSubstitutions, shellInput, type ToolAt } from './exec-decode-pipeline.js';
import { isAssignment, unwrap } from './exec-wrappers.js';
import { readShellScript, shellBudget, MAX_SCRIPT_CHARS, MAX_SCRIPT_WORDS, REDIRECTION_WORDS, type ShellBudget, type ShellScript } from './shell-words.js';

/** Shells whose `-c` runs its next operand as a script. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'lksh', 'pdksh', 'oksh', 'yash', 'posh', 'rbash']);
/** Nesting of scripts read (argv's script is depth 1). */
const MAX_DEPTH = 3;
/** Wrappers followed from one tool word to the one it runs. */
const MAX_WRAPPERS = 4;
/** Values `execCommandReadings` adds beyond argv. */
const MAX_EXTRA = 1024;
/** Texts read as scripts that no word spells (eval'd, decoded, fed on stdin), per command. */
const MAX_PAYLOADS = 16;

/** Reserved words that may open a simple command (`then curl …`, `! curl …`, `{ curl …`). */
const RESERVED = new Set(['{', '}', '!', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'time', 'case', 'esac']);
const REDIRECTIONS = REDIRECTION_WORDS;
/** Tools besides shells that run a text as a script (see exec-decode-pipeline.ts): a char test first. */
const isTextRunner = (w: string): boolean => {
  const c = w.charCodeAt(0);
  return (c === 0x65 && w === 'eval') || (c === 0x73 && w === 'source') || (c === 0x2e && w === '.');
};

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
  /** A bound (script length, words, commands, argv words, depth) cut the reading short. */
  truncated: boolean;
  /** Scripts read that no word spells (eval'd, decoded, here-docs fed to a shell), as text. */
  payloads: readonly string[];
  /** The reading ran such a script (or one it could not decode): no allow list vouches for it. */
  indirect: boolean;
}

/** The part of a path after its last `/` (the path itself when that part is empty). */
export function baseName(w: string): string {
  const k = w.lastIndexOf('/');
  return k < 0 || k === w.length - 1 ? w : w.slice(k + 1);
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

/** Where a command hands a script to a shell (or a wrapper that splits one), if it does. */
interface Resolved {
  script: string | null;
  /** Index of the shell word and of its script (a shell run with -c), else -1. */
  shellAt: number;
  scriptAt: number;
}

const NO_SCRIPT: Resolved = { script: null, shellAt: -1, scriptAt: -1 };
/**
 * The index of the tool word past the wrappers that the last `resolve` reached (a wrapper that
 * runs nothing is its own tool; -1 when one hands over a command line): written here, not
 * returned, so the hot path allocates nothing.
 */
let resolvedTool = -1;
/** …and whether that tool is a shell (run without -c when NO_SCRIPT came back). */
let resolvedShell = false;

/** Reduces the tool words of `words` (owned: changed in place) to basenames from `start`, through wrappers. */
function resolve(words: string[], start: number): Resolved {
  let t = start;
  for (let k = 0; t < words.length; k++) {
    const w = words[t]!;
    const name = baseName(w);
    if (name !== w) words[t] = name;
    if (SHELLS.has(name)) {
      resolvedTool = t;
      resolvedShell = true;
      const at = shellScriptIndex(words, t);
      return at >= 0 ? { script: words[at]!, shellAt: t, scriptAt: at } : NO_SCRIPT;
    }
    if (k >= MAX_WRAPPERS) break;
    const u = unwrap(words, t, name);
    if (u === null) break;
    if (u.script) {
      resolvedTool = -1;
      return { script: words[u.next]!, shellAt: -1, scriptAt: u.next };
    }
    t = u.next;
  }
  resolvedTool = t < words.length ? t : -1;
  resolvedShell = false;
  return NO_SCRIPT;
}

/** The tool index of a script's command (its tool words reduced in place): for decode pipelines. */
const toolAt: ToolAt = (words) => {
  resolve(words, toolIndex(words));
  return resolvedTool;
};

const NO_PAYLOADS: readonly string[] = [];

class Builder {
  readonly commands: string[][] = [];
  readonly scripted: boolean[] = [];
  readonly budget: ShellBudget = shellBudget();
  payloads: readonly string[] = NO_PAYLOADS;
  indirect = false;

  /** Reads a script at `depth` (1 for argv's); its commands come back with their tool words reduced. */
  script(text: string, depth: number): ShellScript {
    const read = readShellScript(text, this.budget);
    const cmds = read.commands;
    for (let i = 0; i < cmds.length; i++) {
      const cmd = cmds[i]!;
      const r = resolve(cmd, toolIndex(cmd));
      const tool = resolvedTool;
      if (r.script !== null && depth < MAX_DEPTH) this.script(r.script, depth + 1);
      else {
        this.add(cmd, true);
        // A shell flag or three string compares for a command that runs no text: the hot path pays nothing more.
        if (r.script === null && tool >= 0 && (resolvedShell || isTextRunner(cmd[tool]!))) this.runsText(read, i, tool, depth);
      }
    }
    if (depth < MAX_DEPTH) for (const sub of read.substitutions) this.script(sub, depth + 1);
    if (read.substitutes) {
      const expanded = expandRunSubstitutions(text, this.budget, toolAt);
      if (expanded !== undefined) this.payload(expanded, depth);
    }
    return read;
  }

  /** A command that runs a text (eval, a shell or `source` reading stdin or `<(…)`): read it. */
  private runsText(read: ShellScript, i: number, t: number, depth: number): void {
    const cmd = read.commands[i]!;
    const name = cmd[t]!;
    const text = name === 'eval' ? evalText(cmd, t) : shellInput(read, i, t, toolAt, SHELLS.has(name));
    if (text !== undefined) this.payload(text, depth);
  }

  /** A text run as a script that no word spells: read at the next depth, kept as a reading. */
  private payload(text: string | null, depth: number): void {
    this.indirect = true;
    if (text === null || text === '') return;
    if (depth >= MAX_DEPTH || this.payloads.length >= MAX_PAYLOADS) {
      this.budget.truncated = true;
      return;
    }
    if (this.payloads === NO_PAYLOADS) this.payloads = [];
    (this.payloads as string[]).push(text.length > MAX_SCRIPT_CHARS ? text.slice(0, MAX_SCRIPT_CHARS) : text);
    this.script(text, depth + 1);
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
  readonly commands: string[][];
  readonly scripted: boolean[];
  readonly payloads: readonly string[];
  readonly indirect: boolean;
  constructor(
    b: Builder,
    readonly truncated: boolean,
    readonly shellOptionsFrom = -1,
    readonly shellOptionsTo = -1,
    private readonly argv: readonly string[] | null = null,
    private readonly read: ShellScript | null = null,
  ) {
    this.commands = b.commands;
    this.scripted = b.scripted;
    this.payloads = b.payloads;
    this.indirect = b.indirect;
  }

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
  if (argv.length === 0) return new Canonical(b, cut);
  const r = resolve(argv, 0);
  if (r.script === null) {
    b.add(argv, false);
    return new Canonical(b, cut);
  }
  const read = b.script(r.script, 1);
  const truncated = cut || b.budget.truncated;
  return r.shellAt >= 0 ? new Canonical(b, truncated, r.shellAt + 1, r.scriptAt, argv, read) : new Canonical(b, truncated);
}

/** The canonical reading of a command given as one string (a command line, read as a script). */
export function canonicalCommandLine(text: string): ExecCanonical {
  const b = new Builder();
  b.script(text, 1);
  return new Canonical(b, b.budget.truncated);
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
  for (let p = 0; p < view.payloads.length && extra.length < MAX_EXTRA; p++) extra.push(view.payloads[p]!);
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
 * is tested by the caller; an argv that runs no script reads as itself.) A reading that ran text
 * no word spells (`indirect`: eval, a decode pipeline, a here-doc fed to a shell) is never allowed:
 * the allow list names commands as typed, and what such a command runs is decided at run time.
 */
export function canonicalExecAllowed(view: ExecCanonical | null, allowed: (command: string) => boolean): boolean {
  if (view === null) return true;
  if (view.indirect) return false;
  if (view.shellLine === null) return true;
  return !view.truncated && allowed(view.shellLine);
}
