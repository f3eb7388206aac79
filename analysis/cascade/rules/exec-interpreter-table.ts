/**
 * Per language, the calls that run a command or code (exec-interpreter-calls.ts reads them), as
 * each language's reference documents them: Python's `os` ("Process Management"), `subprocess`,
 * `pty`, `asyncio` subprocesses, `commands` / `platform.popen` (Python 2) and the `exec`/`eval`
 * builtins, and libc's `system` / `popen` / `exec*` through ctypes; Perl's `system`, `exec`,
 * `readpipe`, `open` and `eval` (perlfunc), IPC::Open2, IPC::Open3, IPC::Run; Ruby's `Kernel`
 * (`system`, `exec`, `spawn`, `` ` ``, `open("|…")`, `eval`), `Process.spawn`, `IO.popen`, `Open3`, `PTY`;
 * Node's `child_process` and `vm`, `eval`, `Function`; PHP's program execution functions, `eval`
 * and `assert` (evaluated a string before PHP 8); Bun's and Deno's spawn APIs; Lua's `os.execute`,
 * `io.popen`, `load`; awk's `system`. Python names are keyed by module
 * (`subprocess.run`: `run` alone is Flask's or asyncio's too); Ruby's by receiver where one is
 * needed (`IO.popen`); the others by name.
 *
 * Also the import aliases of Python code (`import subprocess as sp`, `from os import system`,
 * `from os import *`, `o = __import__('os')`), so a call can be resolved to its module.
 */
import { isName, isOp, TK_NAME, TK_NL, TK_STR, type Lang, type Token } from './exec-interpreter-token.js';

/** What a call's arguments run (exec-interpreter-calls.ts `apply`). */
export const C_LINE = 1; // the first argument: a shell command line
export const C_SUBPROCESS = 2; // Python subprocess: a list argv, or a string (a line with shell=True)
export const C_EXECV = 3; // (file, [argv0, args…]) from argument `at`
export const C_EXECL = 4; // (file, argv0, args…) from argument `at`, an env last when `env`
export const C_PROGRAM = 5; // a program name or an argv list (pty.spawn)
export const C_ARGS = 6; // every argument is a word of the argv
export const C_SYSTEM = 7; // Perl / Ruby system: one string a line, several an argv
export const C_SPAWN = 8; // Node spawn/execFile: (file, [args], {shell})
export const C_CODE = 9; // the first argument is code in the same language
export const C_CODE_LAST = 10; // the last argument is code (Function)
export const C_PERL_OPEN = 11; // Perl open with a pipe
export const C_POPEN = 12; // Ruby IO.popen, PHP proc_open: a line or an argv list
export const C_PHP_EXEC = 13; // pcntl_exec(path, [args])
export const C_OPEN_PIPE = 14; // Ruby Kernel#open("|cmd")
export const C_CMD_LIST = 15; // an argv list, or options whose `cmd` is one (Bun.spawn, Deno.run)
export const C_COMMAND_ARGS = 16; // (file, {args: [...]}) (new Deno.Command)
export const C_INDIRECT_OBJECT = 17; // Perl `exec { PROGRAM } LIST`: the program first, then LIST (its first item argv[0])

export interface CallSpec {
  kind: number;
  /** Index of the file argument (os.spawn*: after the mode). */
  at?: number;
  /** The last argument is an environment (os.execle, os.spawnlpe). */
  env?: boolean;
}

const K = (kind: number, at = 0, env = false): CallSpec => ({ kind, at, env });
const table = (entries: ReadonlyArray<[readonly string[], CallSpec]>): ReadonlyMap<string, CallSpec> => new Map(entries.flatMap(([names, s]) => names.map((n): [string, CallSpec] => [n, s])));

const PYTHON = table([
  [['os.system', 'os.popen', 'os.popen2', 'os.popen3', 'os.popen4', 'posix.system', 'posix.popen', 'subprocess.getoutput', 'subprocess.getstatusoutput', 'commands.getoutput', 'commands.getstatusoutput', 'platform.popen', 'asyncio.create_subprocess_shell'], K(C_LINE)],
  [['subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen'], K(C_SUBPROCESS)],
  [['os.execv', 'os.execve', 'os.execvp', 'os.execvpe', 'os.posix_spawn', 'os.posix_spawnp', 'posix.execv', 'posix.execve'], K(C_EXECV)],
  [['os.spawnv', 'os.spawnve', 'os.spawnvp', 'os.spawnvpe'], K(C_EXECV, 1)],
  [['os.execl', 'os.execlp'], K(C_EXECL)],
  [['os.execle', 'os.execlpe'], K(C_EXECL, 0, true)],
  [['os.spawnl', 'os.spawnlp'], K(C_EXECL, 1)],
  [['os.spawnle', 'os.spawnlpe'], K(C_EXECL, 1, true)],
  [['pty.spawn'], K(C_PROGRAM)],
  [['asyncio.create_subprocess_exec'], K(C_ARGS)],
  [['exec', 'eval', 'builtins.exec', 'builtins.eval', '__builtin__.eval', '__builtins__.exec', '__builtins__.eval'], K(C_CODE)],
  // libc through ctypes (`ctypes.CDLL(None).system(b"…")`; exec-interpreter-refs.ts names the library `libc`): system(3), popen(3), exec(3).
  [['libc.system', 'libc.popen'], K(C_LINE)],
  [['libc.execl', 'libc.execlp'], K(C_EXECL)],
  [['libc.execv', 'libc.execvp'], K(C_EXECV)],
]);

const PERL = table([
  [['system', 'exec'], K(C_SYSTEM)],
  [['readpipe'], K(C_LINE)],
  [['open'], K(C_PERL_OPEN)],
  [['eval'], K(C_CODE)],
  // IPC::Open2 / IPC::Open3 (perl core): the command after the handles, one string a shell line, more an argv.
  [['open2', 'IPC::Open2::open2'], K(C_SYSTEM, 2)],
  [['open3', 'IPC::Open3::open3'], K(C_SYSTEM, 3)],
  // IPC::Run (CPAN): `run \@cmd, …` / `run [...]`; bare `run` / `start` only where the code names IPC::Run.
  [['IPC::Run::run', 'IPC::Run::start', 'IPC::Run::harness'], K(C_POPEN)],
]);

const RUBY = table([
  [['system', 'exec', 'spawn', 'Kernel.system', 'Kernel.exec', 'Kernel.spawn', 'Process.spawn', 'Process.exec', 'PTY.spawn'], K(C_SYSTEM)],
  // Kernel#` (backticks as a method: `Kernel.\`("id")`, `send(:\`, "id")`).
  [['`', 'Kernel.`'], K(C_LINE)],
  [['Open3.popen3', 'Open3.popen2', 'Open3.popen2e', 'Open3.capture2', 'Open3.capture2e', 'Open3.capture3'], K(C_SYSTEM)],
  [['IO.popen'], K(C_POPEN)],
  [['open', 'Kernel.open'], K(C_OPEN_PIPE)],
  [['eval', 'Kernel.eval', 'instance_eval', 'class_eval', 'module_eval'], K(C_CODE)],
]);

const JS = table([
  [['exec', 'execSync'], K(C_LINE)],
  // Bun and Deno (their runtime API references: Bun.spawn, Deno.Command, Deno.run), keyed by receiver.
  [['Bun.spawn', 'Bun.spawnSync', 'Deno.run'], K(C_CMD_LIST)],
  [['Deno.Command'], K(C_COMMAND_ARGS)],
  [['execFile', 'execFileSync', 'spawn', 'spawnSync'], K(C_SPAWN)],
  [['eval', 'runInThisContext', 'runInNewContext', 'runInContext'], K(C_CODE)],
  [['Function'], K(C_CODE_LAST)],
]);

const PHP = table([
  [['system', 'exec', 'shell_exec', 'passthru', 'popen'], K(C_LINE)],
  [['proc_open'], K(C_POPEN)],
  [['pcntl_exec'], K(C_PHP_EXEC)],
  [['eval', 'assert'], K(C_CODE)],
]);

/** Lua 5.4 Reference Manual §6.9 (os.execute), §6.8 (io.popen), §6.1 (load; Lua 5.1 loadstring, dostring). */
const LUA = table([
  [['os.execute', 'io.popen'], K(C_LINE)],
  [['load', 'loadstring', 'dostring'], K(C_CODE)],
]);

/** awk's system() (XCU awk "Output Functions"); its command pipes are read in exec-interpreter-awk.ts. */
const AWK = table([[['system'], K(C_LINE)]]);

export const CALLS: Readonly<Record<Lang, ReadonlyMap<string, CallSpec>>> = { python: PYTHON, perl: PERL, ruby: RUBY, js: JS, php: PHP, lua: LUA, awk: AWK };

const MAX_ALIASES = 64;

/** A dotted name from `i` (`os.path`): [name, index after], or null. */
function dottedAt(ts: readonly Token[], i: number): [string, number] | null {
  if (!isName(ts[i])) return null;
  let name = ts[i]!.v;
  let j = i + 1;
  while (isOp(ts[j], '.') && isName(ts[j + 1])) {
    name += `.${ts[j + 1]!.v}`;
    j += 2;
  }
  return [name, j];
}

/**
 * The names Python code binds to modules and functions (Python Language Reference §7.11 "The
 * import statement"): local name → module (`import subprocess as sp`: sp → subprocess; `import
 * os.path`: os → os), or → module.function (`from os import system as s`: s → os.system); a star
 * import as `*module` → module; `o = __import__('os')` and `o = importlib.import_module('os')`.
 */
export function pythonAliases(ts: readonly Token[], match: Int32Array): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < ts.length && m.size < MAX_ALIASES; i++) {
    const t = ts[i]!;
    if (t.k !== TK_NAME) continue;
    if (t.v === 'from') {
      const mod = dottedAt(ts, i + 1);
      if (mod === null || !isName(ts[mod[1]], 'import')) continue;
      let j = mod[1] + 1;
      if (isOp(ts[j], '(')) j++;
      while (j < ts.length && m.size < MAX_ALIASES) {
        if (isOp(ts[j], '*')) {
          m.set(`*${mod[0]}`, mod[0]);
          break;
        }
        if (!isName(ts[j])) break;
        const name = ts[j]!.v;
        const local = isName(ts[j + 1], 'as') && isName(ts[j + 2]) ? ts[j + 2]!.v : name;
        m.set(local, `${mod[0]}.${name}`);
        j += local === name && !isName(ts[j + 1], 'as') ? 1 : 3;
        if (!isOp(ts[j], ',')) break;
        j++;
        while (ts[j]?.k === TK_NL) j++;
      }
      i = j;
    } else if (t.v === 'import') {
      let j = i + 1;
      while (j < ts.length && m.size < MAX_ALIASES) {
        const d = dottedAt(ts, j);
        if (d === null) break;
        if (isName(ts[d[1]], 'as') && isName(ts[d[1] + 1])) {
          m.set(ts[d[1] + 1]!.v, d[0]);
          j = d[1] + 2;
        } else {
          const first = d[0].split('.')[0]!;
          m.set(first, first);
          j = d[1];
        }
        if (!isOp(ts[j], ',')) break;
        j++;
      }
      i = j - 1;
    } else if (isOp(ts[i + 1], '=') && i + 2 < ts.length) {
      // o = __import__('os') / o = importlib.import_module('os')
      let j = i + 2;
      if (isName(ts[j], 'importlib') && isOp(ts[j + 1], '.')) j += 2;
      if ((isName(ts[j], '__import__') || isName(ts[j], 'import_module')) && isOp(ts[j + 1], '(') && ts[j + 2]?.k === TK_STR && match[j + 1] === j + 3) {
        m.set(t.v, ts[j + 2]!.v);
      }
    }
  }
  return m;
}
