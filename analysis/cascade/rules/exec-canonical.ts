/**
 * The canonical reading of an exec's command (`attrs.exec.command`, the argv of a `pods/exec`
 * request): what runs, whatever the spelling (MITRE T1027). For argv `[shell, …, -c, script]`
 * (sh, bash, dash, ash, zsh, ksh…; `-c` alone or in a cluster such as `-ec`, `-lc`; through
 * wrappers such as `busybox sh` or `env sh`) the script read as the shell reads it (shell-words.ts),
 * otherwise argv itself. In every simple command the tool word is reduced to its basename
 * (`/usr/bin/curl` → `curl`), also behind wrappers (`env`, `nohup`, `timeout 5`, `sudo -u x`,
 * `busybox`…, which stay as words; exec-wrappers.ts), and a shell run with `-c` (or `env -S`,
 * `su -c`, `cmd /c`: exec-cmd.ts) inside a script is replaced by the commands of its own script, to
 * a bounded depth. A wrapper's script at argv's top (`cmd /c`, `su -c`, `env -S`) gets a shell
 * line as a shell's does (`cmd /c <line as read>`), so spec allow lists judge what it runs.
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
 * A command a tool runs somewhere else (a Ray job's entrypoint, `kubectl exec POD -- cmd`, ssh's
 * remote command line; exec-wrappers.ts `remoteRun`) is read beside the tool's own command, at the
 * next depth: the tool stays what the pod runs (what it sends, what its stdin is fed).
 *
 * An interpreter run with inline code (`python3 -c`, `perl -e`, `ruby -e`, `node -e`, `php -r`,
 * `lua -e`, `awk '…'`, `pwsh -c` / `-enc`, `expect -c`, `vim -c ':!…'`, `gdb -ex`; exec-interpreter.ts), or fed code on stdin as a shell is (`… | base64 -d | python3`, a here-doc),
 * runs what its code's calls run: a shell line (`os.system("…")`, backticks) is read as such a
 * payload, an argv (`subprocess.run([...])`) as a command; the kind is literal when the code
 * spells it, decoded (`exec(base64.b64decode(…))`) or runtime as it came about.
 *
 * What the script installs to run later is such a payload too (exec-persisted-runs.ts): a cron
 * entry's command (`(crontab -l; echo '* * * * * curl … | sh') | crontab -`), a systemd unit's
 * `ExecStart=` line, a line appended to ~/.bashrc or /etc/rc.local (`cat > /etc/cron.d/x <<EOF`).
 *
 * A script that assigns variables and uses them (`a=cu; b=rl; $a$b …`) is also read with the
 * values known where they are used (shell-vars.ts): the expanded commands join `commands` as a
 * further reading (the unexpanded one stays), and one that used a decoded value is `indirect`.
 * Each pipeline of a reading is kept as one line too (exec-pipelines.ts).
 */
import {
  evalText, expandRunSubstitutions, processSubstitutionOf, readsOwnInput, runsFedScript, runSubstitutionBodies, shellInput, substitutionOutput, wholeSubstitutionBody,
  type RunSubstitutions, type ToolAt,
} from './exec-decode-pipeline.js';
import { MAX_WRITES } from './exec-interpreter-file-writes.js';
import { PERSIST_WRITERS, persistedRuns, persistedText, spelledRun } from './exec-persisted-runs.js';
import { inlineCode, interpreterLanguage, programOperand, readCode, readInterpreter } from './exec-interpreter.js';
import { runsStdinScript, SHELLS, shellScriptIndex } from './exec-stdin-script.js';
import { stdinShellName } from './exec-interpreter-shells.js';
import { MAX_VALUES } from './exec-socket-io.js';
import { addFed, expandedPipelines, hasPipes, pipelineLines, pipesOn } from './exec-pipelines.js';
import { Canonical, type ExecCanonical } from './exec-canonical-view.js';
import { clientInputLines, STDIN_CLIENTS } from './exec-command-lines.js';
import { isIoNumber, operandsOf } from './exec-decode-stage.js';
import { INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME, unionOf } from './exec-readings.js';
import { remoteRun, REMOTE_RUNNERS, toolIndex, unwrap } from './exec-wrappers.js';
import { COMMAND_ASSIGNS, mayCarryVariables, readWithVariables, spelledIn, type SubstitutionOutput, type VariableReading } from './shell-vars.js';
import { readShellScript, shellBudget, MAX_SCRIPT_CHARS, MAX_SCRIPT_WORDS, REDIRECTION_WORDS, WORD_DECODED, type ShellBudget, type ShellScript } from './shell-words.js';
import { isAssignment } from './shell-script.js';

/**
 * Nesting of scripts read (argv's script is depth 1). Four reach the shell inside a job that a
 * one-liner submits elsewhere (`sh -c` → `python3 -c` → its request's entrypoint → `bash -c`);
 * the budget on commands and words bounds the whole reading whatever the depth.
 */
const MAX_DEPTH = 4;
/** Wrappers followed from one tool word to the one it runs. */
const MAX_WRAPPERS = 4;
/** Texts read as scripts that no word spells (eval'd, decoded, fed on stdin), per command. */
const MAX_PAYLOADS = 16;

/** Tools besides shells that run a text as a script (see exec-decode-pipeline.ts): a char test first. */
const isTextRunner = (w: string): boolean => {
  const c = w.charCodeAt(0);
  return (c === 0x65 && w === 'eval') || (c === 0x73 && w === 'source') || (c === 0x2e && w === '.');
};

/** The part of a path after its last `/` (the path itself when that part is empty). */
export function baseName(w: string): string {
  const k = w.lastIndexOf('/');
  return k < 0 || k === w.length - 1 ? w : w.slice(k + 1);
}

/**
 * `words` without the note a reading of interpreter code ends the command it makes with
 * (`cp SRC DST #shutil.copy`, `rsync … #paramiko.put`): no operand of the tool at `t`. The same
 * array when it has none.
 */
export function withoutNote(words: readonly string[], t: number): readonly string[] {
  return words.length > t + 1 && words[words.length - 1]!.startsWith('#') ? words.slice(0, -1) : words;
}

/** Where a command hands a script to a shell (or a wrapper that splits one), if it does. */
interface Resolved {
  script: string | null;
  /** Index of the shell word and of its script (a shell run with -c), else -1. */
  shellAt: number;
  scriptAt: number;
  /** INDIRECT_* bits the hand-over holds (a cmd line that expands variables: runtime). */
  kinds: number;
}

const NO_SCRIPT: Resolved = { script: null, shellAt: -1, scriptAt: -1, kinds: 0 };
/**
 * The index of the tool word past the wrappers that the last `resolve` reached (a wrapper that
 * runs nothing is its own tool; -1 when one hands over a command line): written here, not
 * returned, so the hot path allocates nothing.
 */
let resolvedTool = -1;
/** …and whether that tool is a shell (run without -c when NO_SCRIPT came back). */
let resolvedShell = false;
/** …and that tool word as written when it was a path reduced to its basename (`./k/run`), else null. */
let resolvedPath: string | null = null;
/** …and whether find or xargs ran one of the wrappers it went through (`sudo find … -exec sh -c …`): they add arguments of their own. */
let resolvedAdds = false;
/** …and whether one was a server that runs the command for each client (KEPT_RUNNERS): its options are read as a command of its own. */
let resolvedKept = false;
/** …and the wrapper that handed over a command line (`script -c LINE`), else ''. */
let resolvedBy = '';
/** Web terminals whose own options say who may use them (`ttyd -W -c user:pw bash -c '…'`): kept beside the script they run. */
const KEPT_RUNNERS: ReadonlySet<string> = new Set(['ttyd', 'gotty']);

/** Reduces the tool words of `words` (owned: changed in place) to basenames from `start`, through wrappers. */
function resolve(words: string[], start: number): Resolved {
  let t = start;
  let written = '';
  resolvedPath = null;
  resolvedAdds = false;
  resolvedKept = false;
  resolvedBy = '';
  for (let k = 0; t < words.length; k++) {
    const w = (written = words[t]!);
    const name = baseName(w);
    if (name !== w) words[t] = name;
    if (name === 'find' || name === 'xargs') resolvedAdds = true;
    else if (KEPT_RUNNERS.has(name)) resolvedKept = true;
    if (SHELLS.has(name)) {
      resolvedTool = t;
      resolvedShell = true;
      const at = shellScriptIndex(words, t);
      return at >= 0 ? { script: words[at]!, shellAt: t, scriptAt: at, kinds: 0 } : NO_SCRIPT;
    }
    if (k >= MAX_WRAPPERS) break;
    const u = unwrap(words, t, name);
    if (u === null) break;
    if (u.script) {
      resolvedTool = -1;
      resolvedBy = name;
      return { script: words[u.next]!, shellAt: -1, scriptAt: u.next, kinds: u.kinds ?? 0 };
    }
    t = u.next;
  }
  resolvedTool = t < words.length ? t : -1;
  resolvedShell = false;
  resolvedPath = resolvedTool >= 0 && written !== words[t] ? written : null;
  return NO_SCRIPT;
}

/**
 * The arguments after the script of the shell `resolve` just reached (`sh -c SCRIPT NAME ARG…`:
 * its `$0`, `$1`…), up to a redirection; null when none, or when a find or xargs running it adds
 * arguments of its own (exec-listed-files.ts reads those).
 */
function shellArguments(words: readonly string[], r: Resolved): readonly string[] | null {
  if (r.shellAt < 0 || resolvedAdds || r.scriptAt + 1 >= words.length) return null;
  let end = r.scriptAt + 1;
  while (end < words.length && !REDIRECTION_WORDS.has(words[end]!)) end++;
  // The reader splits an IO number off its redirection (`2>/dev/null`: `2`, `>`, …).
  if (end > r.scriptAt + 1 && isIoNumber(words, end - 1)) end--;
  return end > r.scriptAt + 1 ? words.slice(r.scriptAt + 1, end) : null;
}

/** The tool index of a script's command (its tool words reduced in place): for decode pipelines. */
const toolAt: ToolAt = (words) => {
  resolve(words, toolIndex(words));
  return resolvedTool;
};

const NO_TEXTS: readonly string[] = [];
/** Assignment words carried from commands that hand a script to a shell (`shellEnv`). */
const MAX_CARRIED_ENV = 16;
const NO_INDICES: readonly number[] = [];

/** Whether a text run as a script depends on values known only at run time (a parameter, a substitution). */
const dependsOnRun = (text: string): boolean => text.indexOf('$') >= 0 || text.indexOf('`') >= 0;

class Builder {
  readonly commands: string[][] = [];
  readonly scripted: boolean[] = [];
  readonly budget: ShellBudget = shellBudget();
  payloads: readonly string[] = NO_TEXTS;
  pipelines: readonly string[] = NO_TEXTS;
  fedToShell: readonly string[] = NO_TEXTS;
  /** Indices of commands whose output the next command reads through a pipe (ascending). */
  pipesOut: readonly number[] = NO_INDICES;
  /** Per command index, its tool word as written when that was a path (exec-fetched-run.ts). */
  toolPaths: Map<number, string> | null = null;
  /** What clients that read commands on stdin were fed (exec-command-lines.ts: `ftp put f`). */
  clientLines: readonly string[] = NO_TEXTS;
  /** What interpreter code does on a socket it opened: `shell <name>`, `send <language>` (exec-interpreter-socket-shell.ts, -socket-send.ts). */
  codeSocketIo: readonly string[] = NO_TEXTS;
  /** Paths interpreter code writes by its own calls (exec-interpreter-file-writes.ts). */
  codeWrites: readonly string[] = NO_TEXTS;
  /** Shells started for the session with no script, as `<starter> <shell>` (ExecCanonical `spawnedShells`). */
  spawnedShells: readonly string[] = NO_TEXTS;
  /** Assignments a command gives the shell it hands a script to (`LD_PRELOAD=x sh -c '…'`, `env P=… bash -c`): no command of its own keeps them. */
  shellEnv: readonly string[] = NO_TEXTS;
  /** The arguments the last shell read that was given any had after its script (shellArguments). */
  positional: readonly string[] | null = null;
  /** INDIRECT_* bits; not 0 when the reading ran text no word spells (`indirect`). */
  kinds = 0;
  /** argv's script read with its variables expanded, when it was. */
  expanded: ShellScript | null = null;

  /** The assignment words of `cmd` before the shell (or the wrapper's script) `r` resolved, kept for `attrs.exec.environment`. */
  carryEnv(cmd: readonly string[], r: Resolved): void {
    const end = r.shellAt >= 0 ? r.shellAt : r.scriptAt;
    for (let i = 0; i < end; i++) {
      const w = cmd[i]!;
      if (!isAssignment(w)) continue;
      if (this.shellEnv === NO_TEXTS) this.shellEnv = [];
      const env = this.shellEnv as string[];
      if (env.length < MAX_CARRIED_ENV && !env.includes(w)) env.push(w);
    }
  }

  /**
   * Reads a script at `depth` (1 for argv's); its commands come back with their tool words reduced.
   * `positional`: its shell's `$0`, `$1`… when given (shellArguments).
   */
  script(text: string, depth: number, positional: readonly string[] | null = null): ShellScript {
    if (positional !== null) this.positional = positional;
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
    // Variables that carry a command: a second reading, only for scripts that assign and expand (or are given arguments).
    if (mayCarryVariables(text, read) || (positional !== null && text.indexOf('$') >= 0)) {
      const outputOf: SubstitutionOutput = (body) => substitutionOutput(body, this.budget, toolAt);
      const v = readWithVariables(text, this.budget, outputOf, positional);
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
      const path = resolvedPath;
      this.kinds |= r.kinds;
      if (resolvedBy === 'script' || (tool >= 0 && cmd[tool] === 'script')) this.scriptShell(cmd, r.script);
      // A shell flag or three string compares for a command that runs no text: the hot path pays nothing more.
      const runsText = r.script === null && tool >= 0 && (resolvedShell || isTextRunner(cmd[tool]!));
      // A decoded value that runs (the tool word, a shell's script, any word of eval or of a shell reading stdin).
      if (vars !== null && (vars.flags[i]! & WORD_DECODED) !== 0 && runsDecoded(vars.words[i]!, r.script !== null ? r.scriptAt : tool, runsText)) {
        this.kinds |= INDIRECT_DECODED;
      }
      if (from !== null) from[i] = r.shellAt >= 0 ? r.shellAt : tool >= 0 ? tool : toolIndex(cmd);
      if (r.script !== null && depth < MAX_DEPTH) {
        // `find … -exec sh -c '…' \;` (`sudo find …` too), `… | xargs sh -c '…'`: the runner is a command of its own beside the script it runs.
        const positional = shellArguments(cmd, r);
        if (resolvedAdds || resolvedKept) this.add(cmd, true);
        else this.carryEnv(cmd, r);
        this.script(r.script, depth + 1, positional);
      } else {
        this.add(cmd, true, path);
        if (tool >= 0 && STDIN_CLIENTS.has(cmd[tool]!)) clientInputLines(read, i, cmd[tool]!, toolAt, (this.clientLines === NO_TEXTS ? (this.clientLines = []) : this.clientLines) as string[]);
        // The next command added reads this one's output (`curl URL | tee f`: exec-fetched-run.ts).
        if (from !== null && pipesOn(read.ops[i])) {
          if (this.pipesOut === NO_INDICES) this.pipesOut = [];
          (this.pipesOut as number[]).push(this.commands.length - 1);
        }
        if (tool >= 0 && PERSIST_WRITERS.has(cmd[tool]!)) this.persistedRuns(read, i, tool, text, depth);
        if (runsText) this.runsText(read, i, tool, text, depth);
        else if (tool >= 0 && interpreterLanguage(cmd[tool]!) !== null) this.interpreted(cmd, tool, depth, read, i, text);
        // A script's redirections are the pod's shell's, not part of what runs elsewhere.
        else if (tool >= 0 && REMOTE_RUNNERS.has(cmd[tool]!)) this.remote([...cmd.slice(0, tool + 1), ...operandsOf(cmd, tool, false)!], tool, depth);
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
    if (text === undefined) {
      // `curl … | sh`, `bash <(curl …)`: what runs is what arrives when it runs.
      if (runsFedScript(read, i, t, SHELLS.has(name))) this.kinds |= INDIRECT_RUNTIME;
      return;
    }
    const spelled = text !== null && (readsOwnInput(read, i) || spelledIn(text, script));
    this.payload(text, depth, !spelled ? INDIRECT_DECODED : dependsOnRun(text) ? INDIRECT_RUNTIME : INDIRECT_LITERAL);
  }

  /** What command `i` installs to run later (exec-persisted-runs.ts): payloads, literal where the script spells them. */
  private persistedRuns(read: ShellScript, i: number, t: number, script: string, depth: number): void {
    const installed = persistedText(read, i, t, toolAt);
    if (installed !== null) for (const run of persistedRuns(installed)) this.payload(run, depth, spelledRun(run, script) ? INDIRECT_LITERAL : INDIRECT_DECODED);
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

  /**
   * An interpreter command (exec-interpreter.ts): the code it runs — inline (`python3 -c`,
   * `perl -e`…), or fed to its stdin by a here-doc, a here-string or a decode pipeline
   * (`echo … | base64 -d | python3`: literal or decoded, as for a shell) — read for what it runs:
   * shell lines as payloads, argvs as commands, at the next depth.
   */
  interpreted(cmd: readonly string[], t: number, depth: number, read: ShellScript | null = null, i = -1, script = ''): void {
    this.fetchedProgram(cmd, t, read, i);
    let r = readInterpreter(cmd, t);
    if (r === null && read !== null && runsStdinScript(cmd, t)) {
      // shellInput's stdin test for a shell (no -c; no operand, `-` or /dev/stdin) holds for what runsStdinScript passed.
      const code = shellInput(read, i, t, toolAt, true);
      if (code === undefined) {
        if (runsFedScript(read, i, t, true)) this.kinds |= INDIRECT_RUNTIME; // `curl … | python3`
        return;
      }
      const how = code !== null && (readsOwnInput(read, i) || spelledIn(code, script)) ? INDIRECT_LITERAL : INDIRECT_DECODED;
      this.kinds |= how;
      if (code !== null) r = readCode(code, interpreterLanguage(cmd[t]!)!, how === INDIRECT_DECODED ? how : 0);
    }
    if (r === null) return;
    this.kinds |= r.kinds;
    if (r.truncated) this.budget.truncated = true;
    // Code that runs what a download handed it (`exec(urlopen(u).read())`): that tool feeds a script, as in `curl … | python3`.
    if (r.fed !== undefined) {
      if (this.fedToShell === NO_TEXTS) this.fedToShell = [];
      for (const t of r.fed) addFed(this.fedToShell as string[], t);
    }
    if (r.socketIo !== undefined) this.codeSocketIo = unionOf(this.codeSocketIo, r.socketIo);
    if (r.writes !== undefined) this.codeWrites = unionOf(this.codeWrites, r.writes, MAX_WRITES);
    for (const run of r.runs) {
      // A shell started with no script reads its commands from the session: an interactive shell the code hands it.
      const shell = stdinShellName(run.argv ?? run.line ?? '');
      if (shell !== null) this.spawnedShell(`${baseName(cmd[t]!)} ${shell}`);
      // A PowerShell statement is a command of the code's own, as a shell script's are: no kind of its own.
      const kind = run.direct === true ? run.how : run.how || INDIRECT_LITERAL;
      if (run.line !== null) this.payload(run.line, depth, kind);
      else if (run.argv !== null) this.argvRun(run.argv.slice(0, MAX_SCRIPT_WORDS), depth, kind);
    }
  }

  /**
   * An interpreter whose whole program is what commands print when it runs: its inline code one
   * command substitution (`python3 -c "$(curl -s URL)"`, `perl -e "$(wget -qO- URL)"`), or its
   * program a process substitution (`python3 <(curl -s URL)`). Those commands feed it a script, as
   * in `curl … | python3`.
   */
  private fetchedProgram(cmd: readonly string[], t: number, read: ShellScript | null, i: number): void {
    const lang = interpreterLanguage(cmd[t] ?? '');
    if (lang === null) return;
    const code = inlineCode(cmd, t, lang);
    const body = code === null ? null : wholeSubstitutionBody(code);
    if (body !== null) {
      this.kinds |= INDIRECT_RUNTIME;
      this.feedTools(readShellScript(body, shellBudget()), 0, -1);
      return;
    }
    // A process substitution is the program when the interpreter has no operand of its own (the reader hands back `<` then its commands).
    if (code !== null || read === null || programOperand(cmd, t, lang) !== undefined) return;
    const inner = processSubstitutionOf(read, i);
    if (inner === null) return;
    this.kinds |= INDIRECT_RUNTIME;
    this.feedTools(read, inner[0], inner[1] + 1);
  }

  /** A shell started for the session with no script (`spawnedShells`). */
  spawnedShell(value: string): void {
    this.spawnedShells = unionOf(this.spawnedShells, [value], MAX_VALUES);
  }

  /**
   * `script` giving the session a terminal: its typescript /dev/null (nothing kept: no session
   * recorded), the shell its `-c` line starts (`line`), or the login shell without one (null).
   */
  scriptShell(words: readonly string[], line: string | null): void {
    if (!words.includes('/dev/null')) return;
    const shell = line === null ? 'shell' : stdinShellName(line);
    if (shell !== null) this.spawnedShell(`script ${shell}`);
  }

  /** An argv interpreter code runs: a shell's script read, else the command kept (its own inline code read). */
  private argvRun(words: string[], depth: number, kind: number): void {
    this.kinds |= kind;
    if (depth >= MAX_DEPTH || this.budget.commands <= 0) {
      this.budget.truncated = true;
      return;
    }
    this.budget.commands--;
    const r = resolve(words, 0);
    const tool = resolvedTool;
    const path = resolvedPath;
    this.kinds |= r.kinds;
    if (r.script !== null) {
      this.carryEnv(words, r);
      this.script(r.script, depth + 1);
    } else {
      this.add(words, true, path);
      if (tool >= 0 && interpreterLanguage(words[tool]!) !== null) this.interpreted(words, tool, depth + 1);
      else if (tool >= 0 && REMOTE_RUNNERS.has(words[tool]!)) this.remote(words, tool, depth + 1);
    }
  }

  /** A command that runs another somewhere else (exec-wrappers.ts `remoteRun`): that one read beside it, at the next depth. */
  remote(cmd: readonly string[], t: number, depth: number): void {
    const r = remoteRun(cmd, t);
    if (r === null) return;
    if ('line' in r) {
      if (depth < MAX_DEPTH) this.script(r.line, depth + 1);
      else this.budget.truncated = true;
    } else this.argvRun(r.argv.slice(0, MAX_SCRIPT_WORDS), depth, 0);
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

  add(words: string[], scripted: boolean, toolPath: string | null = null): void {
    if (toolPath !== null) (this.toolPaths ??= new Map()).set(this.commands.length, toolPath);
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

/** The canonical reading of an argv (non-strings given as ''). */
export function canonicalExec(argvIn: readonly string[]): ExecCanonical {
  return canonicalOwned(argvIn.slice(0, MAX_SCRIPT_WORDS), argvIn.length > MAX_SCRIPT_WORDS);
}

/** `canonicalExec` of an argv the caller gives up (its tool words are reduced in place). */
function canonicalOwned(argv: string[], cut: boolean): ExecCanonical {
  const b = new Builder();
  if (argv.length === 0) return new Canonical(b, cut);
  const r = resolve(argv, 0);
  if (resolvedBy === 'script' || (resolvedTool >= 0 && argv[resolvedTool] === 'script')) b.scriptShell(argv, r.script);
  if (r.script === null) {
    b.add(argv, false, resolvedPath);
    const tool = resolvedTool;
    if (tool >= 0 && interpreterLanguage(argv[tool]!) !== null) b.interpreted(argv, tool, 0);
    else if (tool >= 0 && REMOTE_RUNNERS.has(argv[tool]!)) b.remote(argv, tool, 0);
    return new Canonical(b, cut || b.budget.truncated);
  }
  b.kinds |= r.kinds;
  const positional = shellArguments(argv, r);
  // `find … -exec sh -c '…' _ {} \;` as the argv: the search is a command of its own, as in a script (a web terminal too).
  if (resolvedAdds || resolvedKept) b.add(argv, false);
  else b.carryEnv(argv, r);
  const read = b.script(r.script, 1, positional);
  const truncated = cut || b.budget.truncated;
  // A wrapper's command line (`cmd /c`, `su -c`, `env -S`) is judged as read too: its words before the script, no option words dropped.
  const from = r.shellAt >= 0 ? r.shellAt + 1 : r.scriptAt;
  return new Canonical(b, truncated, from, r.scriptAt, argv, read);
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

export type { ExecCanonical } from './exec-canonical-view.js';
export { canonicalExecAllowed, execCommandReadings, execIndirectReading, INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';
