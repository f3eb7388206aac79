/**
 * Variables that carry a command (MITRE T1027.010 Command Obfuscation): `a=cu; b=rl; $a$b -T f u`,
 * `x=curl; "$x" …`, `${x}`, and with a decoder (T1140) `x=$(echo Y3Vy… | base64 -d); eval "$x"`.
 * A bounded constant propagation inside one script, read twice by the word reader in expand mode
 * (shell-expand.ts, XCU 2.6.2 / 2.9.1):
 *
 * 1. Collect: which names the script may set in a way this reading cannot follow. A variable is
 *    known only where every assignment the script makes to it is a plain command (assignments
 *    alone, after `;` / a newline / the start, not in a pipeline, in the background or after
 *    `&&` / `||`) of the script's straight-line start: before the first compound command, function
 *    definition or subshell (`if`, `while`, `for`, `case`, `{`, `(`, `f()`…), where one cannot tell
 *    how often or whether a command runs. Anything else that may set a name makes it unknown for the
 *    whole script, wherever it stands (a loop may run it before an earlier line): an assignment
 *    elsewhere, `read`/`export`/`declare`/`local`/`unset`/`for`/`getopts`/`printf -v`… naming it,
 *    `${name:=…}`. `eval`, `source`, `.` and `trap` may set any name: at the straight-line start
 *    every value is forgotten after them; anywhere else nothing is expanded at all. So is a script
 *    that assigns IFS (field splitting would no longer be the default one).
 * 2. Expand: read again with the values known at each point (`$name`, `${name}`, and the default
 *    forms `${name:-word}` `${name-word}` `${name:=word}` `${name=word}` of XCU 2.6.2: the value
 *    when it is known and set (`:-` / `:=`: and not null), else `word` — a name the script has
 *    not set (so the environment's, unknown here) or cannot follow reads as unset, one reading
 *    beside the unexpanded one; `word` only when it is literal, quotes removed). Other forms stay
 *    as written. A command substitution in an assignment's value is known when it is a decode
 *    pipeline the caller can compute (`outputOf`, exec-decode-pipeline.ts); a value whose text the
 *    substitution's body does not spell (a decoder made it) is marked decoded, and so is every
 *    word it goes into.
 * 3. Positional parameters, when the caller knows the arguments the shell was given (`sh -c
 *    '"$@"' _ curl -T f URL`: XCU `sh -c command_string command_name argument…`): `$0`, `$1`…
 *    (past the last: empty), `$*`, and `"$@"` as one word per argument; unknown for the whole
 *    script when it may change them (`shift`, `set` with operands) or defines a function (its
 *    body's `$1` is the function's own).
 *
 * Bounded: MAX_VARIABLES names, values of at most MAX_SCRIPT_CHARS characters, MAX_EXPANDED_CHARS
 * characters put into words in all, MAX_OUTPUTS substitutions computed; the second reading spends
 * the caller's shared budget. Past a bound a value is unknown and the reading says `truncated`.
 */
import { readShellScriptExpanding } from './shell-expand.js';
import {
  isAssignment, MAX_SCRIPT_CHARS, shellBudget, WORD_DECODED, WORD_OPAQUE, type ShellBudget, type ShellExpansions, type ShellScript,
} from './shell-script.js';

export const MAX_VARIABLES = 32;
/** Characters all expansions of one reading may put into its words. */
export const MAX_EXPANDED_CHARS = MAX_SCRIPT_CHARS;
/** Command substitutions in assignments computed per reading. */
export const MAX_OUTPUTS = 4;

/** A command of the expanded reading that only assigns (it runs nothing). */
export const COMMAND_ASSIGNS = 8;

/** The output of a command substitution's body when it can be computed (else null or undefined). */
export type SubstitutionOutput = (body: string) => string | null | undefined;

/** The script read with its known variables expanded. */
export interface VariableReading {
  read: ShellScript;
  /** Per command of `read`: its words' WORD_* bits together, and COMMAND_ASSIGNS. */
  flags: number[];
  /** Per command of `read`, per word: its WORD_* bits. */
  words: Array<readonly number[]>;
}

/** Reserved words that open a compound command (after them nothing is straight-line). */
const OPENERS = new Set(['if', 'while', 'until', 'for', 'select', 'case', '{', 'function']);
const RESERVED = new Set(['{', '}', '!', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'time', 'case', 'esac', 'for', 'select', 'function']);
/** bash's declaration builtins: an operand `NAME=value` assigns (exec-environment.ts reads them too). */
export const DECLARATION_BUILTINS: ReadonlySet<string> = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);
/** Commands that set the names among their operands. */
const SETTERS = new Set([...DECLARATION_BUILTINS, 'read', 'unset', 'getopts', 'mapfile', 'readarray', 'let', 'printf', 'wait', 'for', 'select']);
/** Commands that may set any name. */
const ANY_SETTERS = new Set(['eval', 'source', '.', 'trap']);
/** Wrappers a setter may hide behind (`builtin eval`, `command read`). */
const SETTER_WRAPPERS = new Set(['builtin', 'command', 'exec', 'time', 'nohup', 'env', 'sudo']);
/** `${name:-word}`, `${name-word}`, `${name:=word}`, `${name=word}` (XCU 2.6.2). */
const DEFAULT_FORM = /^([A-Za-z_][A-Za-z0-9_]*)(:?)([-=])([^]*)$/;
/** A positional parameter's spec: `1`, `${12}`, `0`, `@`, `*`. */
const POSITIONAL = /^(?:\d{1,3}|[@*])$/;
/** Names the shell itself changes (bash): never known, and always set. */
const DYNAMIC_NAMES: ReadonlySet<string> = new Set(['RANDOM', 'SRANDOM', 'LINENO', 'SECONDS', 'BASHPID', 'EPOCHSECONDS', 'EPOCHREALTIME', 'PPID', 'UID', 'EUID', 'OPTIND', 'OPTARG', 'REPLY', 'PWD', 'OLDPWD', 'HISTCMD', 'BASH_COMMAND', 'FUNCNAME', 'PIPESTATUS']);

/** A default form's word with its quotes removed when it is literal (no expansion in it), else null. */
function literalWord(w: string): string | null {
  if (w.indexOf('$') >= 0 || w.indexOf('`') >= 0) return null;
  let out = '';
  for (let i = 0; i < w.length; i++) {
    const c = w.charAt(i);
    if (c === "'" || c === '"') {
      const q = w.indexOf(c, i + 1);
      if (q < 0) return null;
      out += c === '"' ? w.slice(i + 1, q).replace(/\\([\\"])/g, '$1') : w.slice(i + 1, q);
      i = q;
    } else if (c === '\\') out += w.charAt(++i);
    else out += c;
  }
  return out;
}

/** Whether a script may hold a default form (`${name:-…}`): the callers' cheap test. */
export function mayUseDefaults(script: string): boolean {
  for (let i = script.indexOf('${'); i >= 0; i = script.indexOf('${', i + 2)) {
    let j = i + 2;
    while (j < script.length && /[A-Za-z0-9_]/.test(script.charAt(j))) j++;
    const c = script.charAt(j);
    if (j > i + 2 && (c === '-' || c === '=' || (c === ':' && (script.charAt(j + 1) === '-' || script.charAt(j + 1) === '=')))) return true;
  }
  return false;
}

/** Whether `set` at `t` is given operands, which become the positional parameters (`set -- a b`, `set a`; not `set -e`, `set -o pipefail`). */
function setsPositional(words: readonly string[], t: number): boolean {
  for (let a = t + 1; a < words.length; a++) {
    const w = words[a]!;
    if (w === '--' || w === '-' || !(w[0] === '-' || w[0] === '+')) return true;
    if (w === '-o' || w === '+o') a++;
  }
  return false;
}

function isName(w: string): boolean {
  if (w.length === 0 || w.length > 255) return false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (!(c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (i > 0 && c >= 0x30 && c <= 0x39))) return false;
  }
  return true;
}

/** The name an assignment word sets. */
function assignedName(w: string): string {
  const eq = w.indexOf('=');
  return w.slice(0, w.charCodeAt(eq - 1) === 0x2b ? eq - 1 : eq);
}

/** Operators after which the next command runs unconditionally in this shell: `;`, newlines. */
function sequential(op: string): boolean {
  for (let i = 0; i < op.length; i++) {
    const c = op.charCodeAt(i);
    if (c !== 0x3b && c !== 0x0a && c !== 0x20) return false;
  }
  return op.indexOf(';;') < 0;
}

/** Operators after an assignment that leave it in this shell: those and `&&` / `||` (it ran first). */
function keepsAssignment(op: string): boolean {
  return sequential(op.replace('&&', ';').replace('||', ';'));
}

/** Whether a substitution's output is spelled in its body (trailing newlines aside): no decoder made it. */
export function spelledIn(text: string, script: string): boolean {
  let e = text.length;
  while (e > 0 && text.charCodeAt(e - 1) === 0x0a) e--;
  return script.indexOf(e === text.length ? text : text.slice(0, e)) >= 0;
}

class Propagation implements ShellExpansions {
  expanding = false;
  lastFlags = 0;
  truncated = false;
  expandedAny = false;
  /** Collect: nothing may be expanded (an any-setter outside the straight-line start, IFS). */
  giveUp = false;
  readonly flags: number[] = [];
  readonly words: Array<readonly number[]> = [];
  private readonly poisoned = new Set<string>(DYNAMIC_NAMES);
  private readonly candidates = new Set<string>();
  private readonly referenced = new Set<string>();
  private readonly env = new Map<string, string>();
  private readonly decoded = new Set<string>();
  private straight = true;
  private prevOp = '';
  /** Collect: the script uses a default form with a literal word. */
  private defaults = false;
  /** Expand: values were forgotten (an any-setter ran). */
  private forgotten = false;
  private chars = MAX_EXPANDED_CHARS;
  private outputs = 0;
  /** Collect: the script reads a positional parameter; …it may change them or define a function (whose `$1` is its own). */
  private positionalUsed = false;
  private positionalLost = false;

  /** `positional`: the script's `$0`, `$1`… as its shell was given them (`sh -c SCRIPT $0 $1…`), when known. */
  constructor(private readonly outputOf: SubstitutionOutput, private readonly positional: readonly string[] | null = null) {}

  /** Whether the collected script has a name worth a second reading. */
  worthExpanding(): boolean {
    if (this.giveUp) return false;
    if (this.defaults || (this.positionalUsed && !this.positionalLost)) return true;
    for (const n of this.referenced) if (this.candidates.has(n) && !this.poisoned.has(n)) return true;
    return false;
  }

  /** Resets the structure tracking for the second reading. */
  startExpanding(): void {
    this.expanding = true;
    this.straight = true;
    this.prevOp = '';
  }

  parameter(spec: string): string | undefined {
    if (!this.expanding) {
      if (isName(spec)) this.referenced.add(spec);
      else if (POSITIONAL.test(spec)) this.positionalUsed = this.positional !== null;
      else {
        const m = DEFAULT_FORM.exec(spec);
        // `${name=…}` / `${name:=…}` assign.
        if (m && m[3] === '=') this.poison(m[1]!);
        if (m && literalWord(m[4]!) !== null) this.defaults = true;
      }
      return undefined;
    }
    if (this.forgotten) return undefined;
    if (POSITIONAL.test(spec)) return this.positionalValue(spec);
    if (!isName(spec)) return this.defaulted(spec);
    if (this.poisoned.has(spec)) return undefined;
    const v = this.env.get(spec);
    if (v === undefined || !this.spend(v.length)) return undefined;
    this.lastFlags = this.decoded.has(spec) ? WORD_DECODED : 0;
    this.expandedAny = true;
    return v;
  }

  /** `$N` (unset past the last: ''), `$@` and `$*` (joined by spaces: an unquoted one is split again), or undefined when unknown. */
  private positionalValue(spec: string): string | undefined {
    const p = this.positional;
    if (p === null || this.positionalLost) return undefined;
    const v = spec === '@' || spec === '*' ? p.slice(1).join(' ') : (p[Number(spec)] ?? '');
    if (!this.spend(v.length)) return undefined;
    this.lastFlags = 0;
    this.expandedAny = true;
    return v;
  }

  fields(): readonly string[] | undefined {
    const p = this.positional;
    if (!this.expanding || this.forgotten || p === null || this.positionalLost) return undefined;
    let n = 0;
    for (let k = 1; k < p.length; k++) n += p[k]!.length;
    if (!this.spend(n)) return undefined;
    this.lastFlags = 0;
    this.expandedAny = true;
    return p.slice(1);
  }

  /** A default form in expand mode (see the header), or undefined when it stays as written. */
  private defaulted(spec: string): string | undefined {
    const m = DEFAULT_FORM.exec(spec);
    const word = m ? literalWord(m[4]!) : null;
    if (!m || word === null || DYNAMIC_NAMES.has(m[1]!)) return undefined;
    const name = m[1]!;
    const v = this.poisoned.has(name) ? undefined : this.env.get(name);
    const useValue = v !== undefined && (m[2] === '' || v !== '');
    const out = useValue ? v : word;
    if (!this.spend(out.length)) return undefined;
    this.lastFlags = useValue && this.decoded.has(name) ? WORD_DECODED : 0;
    this.expandedAny = true;
    return out;
  }

  output(body: string): string | undefined {
    if (!this.expanding || this.outputs >= MAX_OUTPUTS) return undefined;
    this.outputs++;
    const v = this.outputOf(body);
    if (typeof v !== 'string' || !this.spend(v.length)) return undefined;
    // Command substitution removes trailing newlines (XCU 2.6.3).
    let e = v.length;
    while (e > 0 && v.charCodeAt(e - 1) === 0x0a) e--;
    this.lastFlags = spelledIn(v, body) ? 0 : WORD_DECODED;
    return v.slice(0, e);
  }

  command(words: readonly string[], flags: readonly number[], op: string): void {
    if (words.length === 0) {
      this.prevOp = this.prevOp ? `${this.prevOp} ${op}` : op;
      if (op.indexOf('(') >= 0 || op.indexOf(')') >= 0 || op.indexOf('`') >= 0) this.straight = false;
      return;
    }
    const after = sequential(this.prevOp);
    let k = 0;
    while (k < words.length && RESERVED.has(words[k]!)) if (OPENERS.has(words[k++]!)) this.straight = false;
    // A function's body reads its own arguments as `$1`…: `f() {…}` (a word, then `(`), `function f {…}`.
    if (!this.expanding && (op.charCodeAt(0) === 0x28 || words.indexOf('function') >= 0)) this.positionalLost = true;
    let j = k;
    while (j < words.length && isAssignment(words[j]!)) j++;
    const plain = this.straight && after && k === 0 && j === words.length && keepsAssignment(op);
    let all = 0;
    for (let a = k; a < j; a++) {
      const name = assignedName(words[a]!);
      if (!this.expanding) {
        if (plain) this.candidates.add(name);
        else this.poison(name);
      } else if (plain) this.assign(name, words[a]!, flags[a]!);
    }
    if (this.expanding) {
      for (let a = 0; a < flags.length; a++) all |= flags[a]!;
      this.flags.push(j === words.length ? all | COMMAND_ASSIGNS : all);
      this.words.push(flags);
    }
    this.setters(words, j, k > 0 ? words[k - 1]! : '');
    if (op.indexOf('(') >= 0 || op.indexOf(')') >= 0 || op.indexOf('`') >= 0) this.straight = false;
    this.prevOp = op;
  }

  /** Names the command at `t` (after a reserved word `reserved`) may set: unknown from now on. */
  private setters(words: readonly string[], t: number, reserved: string): void {
    let tool = words[t];
    if (reserved === 'for' || reserved === 'select') {
      this.poison(words[t] ?? '');
      return;
    }
    if (tool === undefined) return;
    if (SETTER_WRAPPERS.has(tool) && t + 1 < words.length) tool = words[++t]!;
    if (tool === 'shift' || (tool === 'set' && setsPositional(words, t))) this.positionalLost = true;
    if (ANY_SETTERS.has(tool)) {
      if (!this.straight) this.giveUp = true;
      else if (this.expanding) this.forgotten = true;
      return;
    }
    if (!SETTERS.has(tool)) return;
    for (let a = t + 1; a < words.length; a++) {
      const w = words[a]!;
      if (isAssignment(w)) this.poison(assignedName(w));
      else if (isName(w)) this.poison(w);
    }
  }

  private poison(name: string): void {
    if (name === 'IFS') this.giveUp = true;
    this.poisoned.add(name);
  }

  private spend(n: number): boolean {
    if (n > this.chars) {
      this.truncated = true;
      return false;
    }
    this.chars -= n;
    return true;
  }

  private assign(name: string, word: string, flags: number): void {
    if (this.forgotten || this.poisoned.has(name)) return;
    const eq = word.indexOf('=');
    const append = word.charCodeAt(eq - 1) === 0x2b;
    const base = append ? this.env.get(name) : '';
    if (base === undefined || (flags & WORD_OPAQUE) !== 0 || (!this.env.has(name) && this.env.size >= MAX_VARIABLES)) {
      if (!this.env.has(name) && this.env.size >= MAX_VARIABLES) this.truncated = true;
      this.env.delete(name);
      this.decoded.delete(name);
      return;
    }
    const value = base + word.slice(eq + 1);
    if (value.length > MAX_SCRIPT_CHARS) {
      this.truncated = true;
      this.env.delete(name);
      return;
    }
    this.env.set(name, value);
    if ((flags & WORD_DECODED) !== 0) this.decoded.add(name);
    else if (!append) this.decoded.delete(name);
  }
}

/**
 * `script` read with its known variables expanded (see the header), or null when no variable is
 * known where it is used. `positional`: its shell's `$0`, `$1`… when the caller knows them. The first reading spends a budget of its own, the second `budget`.
 */
export function readWithVariables(script: string, budget: ShellBudget, outputOf: SubstitutionOutput, positional: readonly string[] | null = null): VariableReading | null {
  const p = new Propagation(outputOf, positional);
  readShellScriptExpanding(script, shellBudget(), p);
  if (!p.worthExpanding()) return null;
  p.startExpanding();
  const read = readShellScriptExpanding(script, budget, p);
  if (p.truncated) budget.truncated = true;
  return p.expandedAny ? { read, flags: p.flags, words: p.words } : null;
}

/** Whether a read script may assign a variable it then uses, or use a default form (the callers' cheap test before `readWithVariables`). */
export function mayCarryVariables(script: string, read: ShellScript): boolean {
  if (script.indexOf('$') < 0) return false;
  if (mayUseDefaults(script)) return true;
  const cmds = read.commands;
  for (let i = 0; i < cmds.length; i++) if (isAssignment(cmds[i]![0]!)) return true;
  return false;
}

