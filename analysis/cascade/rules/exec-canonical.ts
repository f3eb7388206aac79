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
 * fire on ANY reading, allow lists hold only if EVERY reading is allowed) through exec-readings.ts:
 * `execCommandReadings` (`attrs.exec.command`), `execIndirectReading` (`attrs.exec.indirect`),
 * `canonicalExecAllowed` (spec allow lists).
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
 * `indirectKinds` says how the text came (INDIRECT_*): decoded (no word of the script spells it: a
 * decoder or escapes made it), literal (spelled: here-docs, here-strings, `eval 'words'`, an echoed
 * literal), runtime (it depends on values only known when it runs: `eval "$(ssh-agent -s)"`).
 *
 * A script that assigns variables and uses them (`a=cu; b=rl; $a$b …`) is also read with the
 * values known where they are used (shell-vars.ts): the expanded commands join `commands` as a
 * further reading (the unexpanded one stays), and one that used a decoded value is `indirect`.
 * Each pipeline of a reading is kept as one line too (exec-pipelines.ts).
 */
import {
  evalText, expandRunSubstitutions, processSubstitutionOf, readsOwnInput, runSubstitutionBodies, shellInput, substitutionOutput, type RunSubstitutions, type ToolAt,
} from './exec-decode-pipeline.js';
import { SHELLS } from './exec-stdin-script.js';
import { addFed, hasPipes, pipelineLines, pipesOn } from './exec-pipelines.js';
import { INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME, joinWords } from './exec-readings.js';
import { isAssignment, unwrap } from './exec-wrappers.js';
import { COMMAND_ASSIGNS, mayCarryVariables, readWithVariables, spelledIn, type SubstitutionOutput, type VariableReading } from './shell-vars.js';
import { readShellScript, shellBudget, MAX_SCRIPT_CHARS, MAX_SCRIPT_WORDS, REDIRECTION_WORDS, WORD_DECODED, WORD_EXPANDED, type ShellBudget, type ShellScript } from './shell-words.js';

/** Nesting of scripts read (argv's script is depth 1). */
const MAX_DEPTH = 3;
/** Wrappers followed from one tool word to the one it runs. */
const MAX_WRAPPERS = 4;
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
  /** INDIRECT_* bits (exec-readings.ts): how those scripts came about (0 when not `indirect`). */
  indirectKinds: number;
  /** One line per pipeline of two or more commands, in every reading (exec-pipelines.ts). */
  pipelines: readonly string[];
  /** Tools whose output a later stage of their pipeline runs as its script, in every reading (exec-pipelines.ts). */
  fedToShell: readonly string[];
  /** `<shell> -c <script as read with its variables expanded>` when that differs from `shellLine`, else null. */
  readonly expandedShellLine: string | null;
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

const NO_TEXTS: readonly string[] = [];

/** Whether a text run as a script depends on values known only at run time (a parameter, a substitution). */
const dependsOnRun = (text: string): boolean => text.indexOf('$') >= 0 || text.indexOf('`') >= 0;

class Builder {
  readonly commands: string[][] = [];
  readonly scripted: boolean[] = [];
  readonly budget: ShellBudget = shellBudget();
  payloads: readonly string[] = NO_TEXTS;
  pipelines: readonly string[] = NO_TEXTS;
  fedToShell: readonly string[] = NO_TEXTS;
  /** INDIRECT_* bits; not 0 when the reading ran text no word spells (`indirect`). */
  kinds = 0;
  /** argv's script read with its variables expanded, when it was. */
  expanded: ShellScript | null = null;

  /** Reads a script at `depth` (1 for argv's); its commands come back with their tool words reduced. */
  script(text: string, depth: number): ShellScript {
    const read = readShellScript(text, this.budget);
    this.commandsOf(read, text, depth, null);
    if (depth < MAX_DEPTH) for (const sub of read.substitutions) this.script(sub, depth + 1);
    if (read.substitutes) {
      // What a run substitution's commands print runs (`sh -c "$(curl -fsSL URL)"`): they feed a shell.
      for (const body of runSubstitutionBodies(text)) this.feedTools(readShellScript(body, shellBudget()), 0, -1);
      const how: RunSubstitutions = { decoded: false };
      const expanded = expandRunSubstitutions(text, this.budget, toolAt, how);
      if (expanded !== undefined) this.payload(expanded, depth, expanded === null || how.decoded ? INDIRECT_DECODED : dependsOnRun(expanded) ? INDIRECT_RUNTIME : INDIRECT_LITERAL);
    }
    // Variables that carry a command: a second reading, only for scripts that assign and expand.
    if (mayCarryVariables(text, read)) {
      const outputOf: SubstitutionOutput = (body) => substitutionOutput(body, this.budget, toolAt);
      const v = readWithVariables(text, this.budget, outputOf);
      if (v !== null) {
        this.commandsOf(v.read, text, depth, v);
        if (depth === 1) this.expanded = v.read;
      }
    }
    return read;
  }

  /**
   * Adds the commands of one reading of `text` (nested scripts read, texts they run read). For a
   * reading with variables expanded (`vars`), only the pipelines holding an expanded command.
   */
  private commandsOf(read: ShellScript, text: string, depth: number, vars: VariableReading | null): void {
    const cmds = read.commands;
    const only = vars === null ? null : expandedPipelines(read, vars.flags);
    // Where each stage of a pipeline starts (its tool word): kept only for scripts with a pipe.
    const from: number[] | null = hasPipes(read) ? [] : null;
    for (let i = 0; i < cmds.length; i++) {
      const cmd = cmds[i]!;
      if (only !== null && (!only[i] || (vars!.flags[i]! & COMMAND_ASSIGNS) !== 0)) continue;
      const r = resolve(cmd, toolIndex(cmd));
      const tool = resolvedTool;
      // A shell flag or three string compares for a command that runs no text: the hot path pays nothing more.
      const runsText = r.script === null && tool >= 0 && (resolvedShell || isTextRunner(cmd[tool]!));
      // A decoded value that runs (the tool word, a shell's script, any word of eval or of a shell reading stdin).
      if (vars !== null && (vars.flags[i]! & WORD_DECODED) !== 0 && runsDecoded(vars.words[i]!, r.script !== null ? r.scriptAt : tool, runsText)) {
        this.kinds |= INDIRECT_DECODED;
      }
      if (from !== null) from[i] = r.shellAt >= 0 ? r.shellAt : tool >= 0 ? tool : toolIndex(cmd);
      if (r.script !== null && depth < MAX_DEPTH) this.script(r.script, depth + 1);
      else {
        this.add(cmd, true);
        if (runsText) this.runsText(read, i, tool, text, depth);
      }
    }
    if (from !== null) {
      if (this.pipelines === NO_TEXTS) this.pipelines = [];
      if (this.fedToShell === NO_TEXTS) this.fedToShell = [];
      pipelineLines(read, from, only, this.pipelines as string[], this.fedToShell as string[]);
    }
  }

  /** A command that runs a text (eval, a shell or `source` reading stdin or `<(…)`): read it. */
  private runsText(read: ShellScript, i: number, t: number, script: string, depth: number): void {
    const cmd = read.commands[i]!;
    const name = cmd[t]!;
    if (name === 'eval') {
      const text = evalText(cmd, t);
      // `eval $(minikube docker-env)`: an unquoted substitution leaves eval no words of its own.
      this.payload(text, depth, text === '' || dependsOnRun(text) ? INDIRECT_RUNTIME : INDIRECT_LITERAL);
      return;
    }
    // `bash <(curl …)`, `source <(…)`: the process substitution's commands feed the script run.
    const inner = processSubstitutionOf(read, i);
    if (inner !== null) this.feedTools(read, inner[0], inner[1] + 1);
    const text = shellInput(read, i, t, toolAt, SHELLS.has(name));
    if (text === undefined) return;
    const spelled = text !== null && (readsOwnInput(read, i) || spelledIn(text, script));
    this.payload(text, depth, !spelled ? INDIRECT_DECODED : dependsOnRun(text) ? INDIRECT_RUNTIME : INDIRECT_LITERAL);
  }

  /** The tools of `read.commands[from..to)` (to -1: all) as tools fed to a shell (a copy of each command is resolved). */
  private feedTools(read: ShellScript, from: number, to: number): void {
    if (this.fedToShell === NO_TEXTS) this.fedToShell = [];
    const end = to < 0 ? read.commands.length : to;
    for (let k = from; k < end; k++) {
      const words = read.commands[k]!.slice();
      addFed(this.fedToShell as string[], words[toolAt(words)]);
    }
  }

  /** A text run as a script that no word spells: read at the next depth, kept as a reading. */
  private payload(text: string | null, depth: number, kind: number): void {
    this.kinds |= kind;
    if (text === null || text === '') return;
    if (depth >= MAX_DEPTH || this.payloads.length >= MAX_PAYLOADS) {
      this.budget.truncated = true;
      return;
    }
    if (this.payloads === NO_TEXTS) this.payloads = [];
    (this.payloads as string[]).push(text.length > MAX_SCRIPT_CHARS ? text.slice(0, MAX_SCRIPT_CHARS) : text);
    this.script(text, depth + 1);
  }

  add(words: string[], scripted: boolean): void {
    this.commands.push(words);
    this.scripted.push(scripted);
  }
}

/** Whether word `at` (the tool word or a shell's script) holds a decoded value, or any word after it when it runs text (eval, `bash <<< "$x"`). */
function runsDecoded(flags: readonly number[], at: number, runsText: boolean): boolean {
  if (at < 0) return false;
  for (let k = at; k < (runsText ? flags.length : at + 1); k++) if (((flags[k] ?? 0) & WORD_DECODED) !== 0) return true;
  return false;
}

/** Per command of an expanded reading: whether its pipeline holds a command with an expanded word. */
function expandedPipelines(read: ShellScript, flags: readonly number[]): boolean[] {
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

class Canonical implements ExecCanonical {
  private line: string | null | undefined;
  readonly commands: string[][];
  readonly scripted: boolean[];
  readonly payloads: readonly string[];
  readonly pipelines: readonly string[];
  readonly fedToShell: readonly string[];
  readonly indirectKinds: number;
  private readonly expanded: ShellScript | null;
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
    this.pipelines = b.pipelines;
    this.fedToShell = b.fedToShell;
    this.indirectKinds = b.kinds;
    this.expanded = b.expanded;
  }

  get indirect(): boolean {
    return this.indirectKinds !== 0;
  }

  /** Written when asked (spec allow lists), once. */
  get shellLine(): string | null {
    if (this.line === undefined) this.line = this.argv && this.read ? `${joinWords(this.argv, this.shellOptionsTo)} ${render(this.read)}` : null;
    return this.line;
  }

  /** Written each time asked (spec allow lists; only scripts whose variables were expanded have one). */
  get expandedShellLine(): string | null {
    return this.argv && this.expanded ? `${joinWords(this.argv, this.shellOptionsTo)} ${render(this.expanded)}` : null;
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

export { canonicalExecAllowed, execCommandReadings, execIndirectReading, INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';
