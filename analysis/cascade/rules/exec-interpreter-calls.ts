/**
 * The calls through which interpreter code runs a command or more code (MITRE T1059.006 Python,
 * T1059.007 JavaScript, T1059 Perl / Ruby / PHP), one table per language (exec-interpreter-table.ts),
 * and what each runs, read from its arguments' values (exec-interpreter-value.ts):
 * - a shell command line: `os.system(s)`, `subprocess.*(s, shell=True)`, `os.popen`, Perl
 *   `system`/`exec` with one string, backticks, `qx{}`, `readpipe`, two-argument `open(F, "cmd |")`,
 *   Ruby `system`/`exec`/`spawn`/`IO.popen` with one string, `%x()`, Node `exec`/`execSync`, a
 *   `{shell: true}` spawn, PHP `system`, `exec`, `shell_exec`, `passthru`, `popen`, `proc_open`;
 * - an argv (no shell between): a list (`subprocess.run([...])`, `spawn('sh', ['-c', …])`,
 *   `IO.popen([...])`), several string arguments (Perl and Ruby `system LIST`,
 *   `asyncio.create_subprocess_exec`), `os.exec*` / `os.spawn*` / `os.posix_spawn`, `pty.spawn`,
 *   `pcntl_exec`;
 * - code in the same language: `exec`/`eval` (Python), `eval` (Perl, Ruby, PHP, JavaScript),
 *   `Function(…)`, `vm.runIn*Context`, `assert` (PHP < 8), Lua `load`, read again by the caller;
 * - Lua `os.execute` / `io.popen` (also `os.execute "…"`), awk `system()` and its command pipes
 *   (exec-interpreter-awk.ts), Bun / Deno spawns and the `$\`…\`` shell template (Bun, zx).
 * Where the calls are and what each calls is exec-interpreter-callsite.ts's part: Python calls are
 * resolved through the code's imports and names (`import subprocess as sp`, `from os import
 * system`, `s = os.system`, `__import__('os')`, `getattr(os, 'system')`, ctypes' libc;
 * exec-interpreter-refs.ts), so `app.run("0.0.0.0")` or `asyncio.run(main())` is no command; a
 * callee named only at run time on a command module (`getattr(os, x)`) counts as runtime.
 *
 * Library transfers (boto3, requests, huggingface_hub, Node's fetch, Ruby's Net::HTTP, Perl's LWP…) run no command; they are read
 * as the tool runs that move the same data, `direct` (exec-interpreter-transfer.ts).
 *
 * A run's `how` holds INDIRECT_* bits (0: spelled in the code); an argument this reading cannot
 * know adds its bits to `kinds` without a run (`os.system(cmd)`: runtime). Bounded by MAX_RUNS
 * runs and MAX_CODES code texts per code text read; past them the reading says `truncated`.
 */
import { awkPipeAt } from './exec-interpreter-awk.js';
import { CallSites, type CallSite } from './exec-interpreter-callsite.js';
import { underEnv } from './exec-interpreter-environ.js';
import { fileWrites } from './exec-interpreter-file-writes.js';
import { runsWrittenTo } from './exec-persisted-runs.js';
import { FetchedCode, statementEnd } from './exec-interpreter-fetched-code.js';
import {
  C_ARGS, C_CMD_LIST, C_CODE, C_CODE_LAST, C_COMMAND_ARGS, C_EXECL, C_EXECV, C_INDIRECT_OBJECT, C_LINE, C_OPEN_PIPE, C_PERL_OPEN, C_PHP_EXEC, C_POPEN, C_PROGRAM, C_SPAWN, C_SUBPROCESS, C_SYSTEM, type CallSpec,
} from './exec-interpreter-table.js';
import { TransferReader } from './exec-interpreter-transfer.js';
import { HOLE, onlyHoles, STR_RUNTIME, TK_CMD, TK_NAME, TK_OP, TK_STR, type CodeLang, type Lang, type Token } from './exec-interpreter-token.js';
import { bracketMatch, CodeValues, strVal, UNKNOWN, V_DICT, V_FALSE, V_LIST, V_STR, V_TRUE, V_UNKNOWN, type Arg, type Val } from './exec-interpreter-value.js';
import { INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';

export const MAX_RUNS = 16;
export const MAX_CODES = 8;
/** Words of one argv run kept. */
const MAX_ARGV = 256;

/** A command the code runs: a shell command line or an argv, and how its text came about (INDIRECT_* bits, 0: spelled). */
export interface CodeRun {
  line: string | null;
  argv: readonly string[] | null;
  how: number;
  /**
   * The code's own command, as a shell script's commands are (a PowerShell statement): no text
   * run indirectly, so no INDIRECT_* kind of its own while `how` is 0.
   */
  direct?: true;
}

export interface CallsRead {
  runs: CodeRun[];
  /** Code texts run by eval / exec, with how each came about, and their language when not the reader's (vim's `:py3`). */
  codes: Array<{ code: string; how: number; lang?: CodeLang }>;
  /** INDIRECT_* bits of every run, code and unknown argument (literal for what is spelled). */
  kinds: number;
  truncated: boolean;
  /** Download tools whose text the code runs as code (`exec(urlopen(u).read())`: exec-interpreter-fetched-code.ts). */
  fed?: string[];
  /**
   * A command or code the code runs is known only at run time as a whole, its program too
   * (`os.system(cmd)`, `system $_`, awk's `c |& getline`, `exec(s.recv(4096))`): what it runs is
   * whatever the value holds then (exec-interpreter-socket-shell.ts: read from a socket, a shell).
   */
  opaque?: true;
  /**
   * What the code does on a network socket it opened, as `attrs.exec.socketIo` says it (set by
   * exec-interpreter.ts's reader): `shell <name>` when it hands the socket to a shell, else `send
   * <language>` when it sends a file or its standard input over it.
   */
  socketIo?: string;
  /** Paths the code writes by its own calls (exec-interpreter-file-writes.ts), each once; absent for none. */
  writes?: string[];
}


/** The commands and code that `tokens` (code in `lang`, its text `code`) run through known calls. */
export function readCalls(tokens: readonly Token[], lang: Lang, code: string): CallsRead {
  return new CallReader(tokens, lang, code).read();
}

class CallReader {
  private readonly out: CallsRead = { runs: [], codes: [], kinds: 0, truncated: false };
  private readonly values: CodeValues;
  private readonly match: Int32Array;
  private readonly sites: CallSites;
  /** INDIRECT_* bits of how the callee being applied was named (a decoded `getattr` name), added to what it runs. */
  private calleeHow = 0;
  /** Library transfers read as runs (exec-interpreter-transfer*.ts): Python, JavaScript, Ruby, Perl and PHP. */
  private readonly transfers: TransferReader | null;
  /** Code calls of runtime code and downloads to memory, by token (exec-interpreter-fetched-code.ts). */
  private readonly fetched = new FetchedCode();
  /**
   * The token the site being applied starts at (-1: none) and the one its arguments end before
   * (-1: the end of its statement, found only when a code call needs it).
   */
  private siteFrom = -1;
  private siteTo = -1;
  /** The `(` token the transfer reader is reading at (-1: none). */
  private transferAt = -1;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly lang: Lang,
    code: string,
  ) {
    this.match = bracketMatch(tokens);
    this.values = new CodeValues(tokens, this.match, lang);
    this.sites = new CallSites(tokens, this.match, lang, code, this.values);
    this.transfers = lang === 'python' || lang === 'js' || lang === 'ruby' || lang === 'perl' || lang === 'php' ? new TransferReader(tokens, this.match, lang, this.values, this.sites.aliases, (r) => this.directRun(r)) : null;
  }

  read(): CallsRead {
    const ts = this.tokens;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (t.k === TK_CMD) this.line(strVal(t.v, (t.f & STR_RUNTIME) !== 0 ? INDIRECT_RUNTIME : 0));
      else if (t.k === TK_NAME) this.applySiteIn(this.sites.atName(i), i, -1);
      else if (t.k !== TK_OP) continue;
      else if (t.v === '(') {
        this.applySiteIn(this.sites.atParen(i), i, this.match[i]!);
        this.transferAt = i;
        this.transfers?.at(i);
        this.transferAt = -1;
      }
      else if (t.v === '.') {
        this.applySiteIn(this.sites.atDotCall(i), i, -1);
        // A promise step (exec-interpreter-fetched-code.ts `thenSteps`): `fetch(u).then(…)`.
        if (this.lang === 'js' && ts[i + 1]?.k === TK_NAME && ts[i + 1]!.v === 'then' && ts[i + 2]?.k === TK_OP && ts[i + 2]!.v === '(') {
          // `.then(eval)` runs what the chain resolves to: code known only at run time.
          if (this.fetched.then(ts, this.match, i, i + 2, this.match[i + 2]!)) this.out.kinds |= INDIRECT_RUNTIME;
        }
      }
      else if (t.v === '=' || t.v === '+=' || t.v === '.=') this.transfers?.assignmentAt(i);
      else if (t.v === '->' || t.v === '&') this.applySite(this.sites.atCodeRef(i));
      else if (this.lang === 'awk' && (t.v === '|' || t.v === '|&')) awkPipeAt(ts, this.match, i, this.values, this);
      else if (this.lang === 'js' && t.v === '$' && ts[i + 1]?.k === TK_STR) {
        // Bun Shell and zx: a template tagged `$` is a command line (`await $\`curl -T …\``).
        const lit = ts[i + 1]!;
        this.line(strVal(lit.v, (lit.f & STR_RUNTIME) !== 0 ? INDIRECT_RUNTIME : 0));
      }
    }
    if (this.values.truncated) this.out.truncated = true;
    if (this.fetched.both) {
      this.fetched.thenSteps();
      this.fetched.throughNames(ts, (name) => this.values.bindingOf(name));
    }
    const fed = this.fetched.tools();
    if (fed.length > 0) this.out.fed = fed;
    const writes = fileWrites(ts, this.match, this.lang, this.values, this.sites.aliases);
    if (writes.paths.length > 0) this.out.writes = writes.paths;
    // What a text written into a persistence place will run there (`open('/etc/cron.d/x', 'w').write('* * * * * root …')`).
    this.calleeHow = 0;
    for (const w of writes.texts) for (const run of runsWrittenTo(w.path, w.text.s)) this.line(strVal(run, w.text.how));
    return this.out;
  }

  /** `applySite` for a site at token `from` whose arguments end before `to` (-1: its statement's end). */
  private applySiteIn(site: CallSite | null, from: number, to: number): void {
    if (site === null) return;
    this.siteFrom = from;
    this.siteTo = to;
    this.applySite(site);
    this.siteFrom = this.siteTo = -1;
  }

  /** A call found: what its arguments run, or, for a command function named only at run time, its kind. */
  private applySite(site: CallSite | null): void {
    if (site === null) return;
    if (site.spec === null) {
      this.out.kinds |= site.how || INDIRECT_RUNTIME;
      this.out.opaque = true;
      return;
    }
    this.calleeHow = site.how;
    this.apply(site.spec, site.args);
    this.calleeHow = 0;
  }

  private apply(spec: CallSpec, args: readonly Arg[]): void {
    const pos: Val[] = [];
    const kw = new Map<string, Val>();
    for (const a of args) {
      if (a.name === null) pos.push(a.v);
      else kw.set(a.name, a.v);
    }
    const at = spec.at ?? 0;
    switch (spec.kind) {
      case C_LINE: {
        // Node's exec / execSync take an options object second; asyncio's shell `env=`.
        const opts = this.lang === 'js' && pos[1]?.k === V_DICT ? pos[1].keys?.get('env') : kw.get('env');
        return this.lineUnder(underEnv(opts), pos[0] ?? kw.get('cmd') ?? kw.get('command'));
      }
      case C_SUBPROCESS:
        return this.subprocess(pos[0] ?? kw.get('args'), kw.get('shell'), underEnv(kw.get('env')));
      case C_EXECV: {
        // The `…e` forms take the environment third (os.execve(path, args, env), os.posix_spawn).
        const list = pos[at + 1];
        const under = underEnv(pos[at + 2] ?? kw.get('env'));
        if (pos[at] === undefined) return;
        return list?.k === V_LIST ? this.argv([...under, pos[at]!, ...list.items.slice(1)]) : this.argv([...under, pos[at]!], INDIRECT_RUNTIME);
      }
      case C_EXECL: {
        if (pos[at] === undefined) return;
        const rest = pos.slice(at + 2, spec.env ? -1 : undefined);
        // C's execl ends its list with a NULL (`None` through ctypes).
        if (rest[rest.length - 1]?.k === V_FALSE) rest.pop();
        return this.argv([...(spec.env ? underEnv(pos[pos.length - 1]) : []), pos[at]!, ...rest]);
      }
      case C_PROGRAM:
        return pos[0]?.k === V_STR ? this.argv([pos[0]]) : this.line(pos[0]);
      case C_ARGS:
        return this.argv(pos.length === 1 && pos[0]!.k === V_LIST ? pos[0]!.items : pos);
      case C_SYSTEM:
        return this.system(pos.slice(at));
      case C_INDIRECT_OBJECT: {
        // perlfunc "exec": `exec { PROGRAM } LIST` runs PROGRAM with LIST as its argv, LIST's first word argv[0].
        const list = pos.slice(1).flatMap((v) => (v.k === V_LIST ? v.items : [v]));
        if (pos[0] === undefined) return;
        return this.argv(list.length === 1 && list[0]!.k !== V_STR ? [pos[0], list[0]!] : [pos[0], ...list.slice(1)]);
      }
      case C_SPAWN:
        return this.spawn(pos);
      case C_CMD_LIST: {
        const v = pos[0]?.k === V_DICT ? pos[0].keys?.get('cmd') : pos[0];
        return v?.k === V_LIST ? this.argv(v.items) : v === undefined ? undefined : this.unknown(v);
      }
      case C_COMMAND_ARGS: {
        if (pos[0] === undefined) return;
        const list = pos[1]?.k === V_DICT ? pos[1].keys?.get('args') : undefined;
        return this.argv([pos[0], ...(list?.k === V_LIST ? list.items : [])], list === undefined || list.k === V_LIST ? 0 : INDIRECT_RUNTIME);
      }
      case C_CODE:
        return this.code(pos[0]);
      case C_CODE_LAST:
        return this.code(pos[pos.length - 1]);
      case C_PERL_OPEN:
        return this.perlOpen(pos);
      case C_POPEN:
        return this.popen(pos);
      case C_PHP_EXEC:
        if (pos[0] === undefined) return;
        return this.argv([pos[0], ...(pos[1]?.k === V_LIST ? pos[1].items : [])]);
      case C_OPEN_PIPE: {
        const v = pos[0];
        if (v?.k === V_STR && !v.bin && v.s.startsWith('|')) this.line(strVal(v.s.slice(1), v.how));
        return;
      }
    }
  }

  /**
   * Python's subprocess calls: a string runs as a shell line with `shell=True`, else as a program
   * name; a list is an argv. An `env={…}` given (`env` the `NAME=value` words of its known keys) runs it
   * under `env` (exec-interpreter-environ.ts), a shell line as `env … sh -c LINE`.
   */
  private subprocess(cmd: Val | undefined, shell: Val | undefined, under: readonly Val[]): void {
    if (cmd === undefined) return;
    const viaShell = shell !== undefined && (shell.k === V_TRUE || shell.k === V_UNKNOWN || (shell.k === V_STR && shell.s !== '' && shell.s !== '0'));
    if (viaShell) this.lineUnder(under, cmd.k === V_LIST ? cmd.items[0] : cmd, shell.k === V_UNKNOWN ? INDIRECT_RUNTIME : 0);
    else if (cmd.k === V_STR) this.argv([...under, cmd]);
    else if (cmd.k === V_LIST) this.argv([...under, ...cmd.items]);
    else this.unknown(cmd);
  }

  /** A shell line run under `env K=V … sh -c LINE` when `under` (underEnv) sets variables, else as a line. */
  private lineUnder(under: readonly Val[], line: Val | undefined, extra = 0): void {
    if (under.length > 0 && line?.k === V_STR && !line.bin) this.argv([...under, strVal('sh', 0), strVal('-c', 0), line], extra);
    else this.line(line, extra);
  }

  /** Perl and Ruby `system`/`exec`/`spawn`: one string is a shell line, several arguments an argv. */
  private system(pos: Val[]): void {
    let args = pos;
    let under: Val[] = [];
    if (this.lang === 'ruby') {
      // Ruby: an env hash first, an options hash last; `[cmd, argv0]` names the program.
      if (args[0]?.k === V_DICT) {
        under = underEnv(args[0]);
        args = args.slice(1);
      }
      if (args[args.length - 1]?.k === V_DICT) args = args.slice(0, -1);
      if (args[0]?.k === V_LIST) args = [args[0].items[0] ?? UNKNOWN, ...args.slice(1)];
    } else if (args.length > 1 || args[0]?.k === V_LIST) args = args.flatMap((v) => (v.k === V_LIST ? v.items : [v]));
    if (args.length === 0) return;
    if (args.length === 1) this.lineUnder(under, args[0]);
    else this.argv([...under, ...args]);
  }

  /** Node's spawn / execFile family: `(file, args?, options?)`, through a shell when `options.shell` is set. */
  private spawn(pos: Val[]): void {
    const file = pos[0];
    if (file === undefined) return;
    const list = pos[1]?.k === V_LIST ? pos[1] : null;
    const opts = pos.find((v) => v.k === V_DICT);
    const shell = opts?.keys?.get('shell');
    const items = [...underEnv(opts?.keys?.get('env')), file, ...(list?.items ?? [])];
    const runtimeArgs = pos[1] !== undefined && list === null && pos[1].k !== V_DICT ? INDIRECT_RUNTIME : 0;
    if (shell !== undefined && (shell.k === V_TRUE || (shell.k === V_STR && shell.s !== ''))) {
      const words = items.map((v) => (v.k === V_STR && !v.bin ? v.s : HOLE));
      let how = runtimeArgs;
      for (const v of items) how |= v.how;
      this.line(strVal(words.join(' '), how));
    } else this.argv(items, runtimeArgs);
  }

  /** Perl `open`: two arguments with a `|` at an end of the command, or a `-|` / `|-` mode and the command. */
  private perlOpen(pos: Val[]): void {
    const e = pos[1];
    if (e?.k !== V_STR || e.bin) return;
    const mode = e.s.trim();
    if (pos.length === 2) {
      if (mode.endsWith('|') && mode !== '-|') this.line(strVal(mode.slice(0, -1), e.how));
      else if (mode.startsWith('|') && mode !== '|-') this.line(strVal(mode.slice(1), e.how));
    } else if (mode === '-|' || mode === '|-') {
      const rest = pos.slice(2);
      if (rest.length === 1) this.line(rest[0]);
      else this.argv(rest);
    }
  }

  /** Ruby `IO.popen` and PHP `proc_open`: a string is a shell line, a list an argv. */
  private popen(pos: Val[]): void {
    // Ruby: `IO.popen(env, cmd)` or `IO.popen([env, cmd…])`; PHP: proc_open's fifth argument.
    let under = underEnv(this.lang === 'php' ? pos[4] : pos[0]?.k === V_DICT ? pos[0] : undefined);
    const v = pos[0]?.k === V_DICT ? pos[1] : pos[0];
    if (v === undefined || (v.k === V_STR && v.s.trim() === '-')) return;
    if (v.k !== V_LIST) return this.lineUnder(under, v);
    let items = v.items;
    if (items[0]?.k === V_DICT) {
      under = underEnv(items[0]);
      items = items.slice(1);
    }
    if (items[0]?.k === V_LIST) items = [items[0].items[0] ?? UNKNOWN, ...items.slice(1)];
    this.argv([...under, ...items]);
  }

  line(v: Val | undefined, extra = 0): void {
    if (v === undefined) return;
    if (v.k === V_LIST) return this.argv(v.items, extra);
    if (v.k !== V_STR || v.bin) return this.unknown(v);
    if (v.s.trim() === '') return;
    if (onlyHoles(v.s)) return this.unknown(v);
    this.run({ line: v.s, argv: null, how: v.how | extra });
  }

  private argv(items: readonly Val[], extra = 0): void {
    const words: string[] = [];
    let how = extra;
    for (let k = 0; k < items.length && k < MAX_ARGV; k++) {
      const it = items[k]!;
      if (it.k === V_STR && !it.bin) words.push(it.s);
      else words.push(HOLE);
      how |= it.k === V_STR && !it.bin ? it.how : it.how || INDIRECT_RUNTIME;
    }
    if (words.length === 0) return;
    if (words.every((w) => w === HOLE)) {
      this.out.kinds |= how | this.calleeHow;
      this.out.opaque = true;
      return;
    }
    this.run({ line: null, argv: words, how });
  }

  private code(v: Val | undefined): void {
    if (v === undefined) return;
    if (!v.bin && (v.k !== V_STR || (v.how & INDIRECT_RUNTIME) !== 0) && this.siteFrom >= 0 && !this.fetched.full) {
      this.fetched.codeCall(this.siteFrom, this.siteTo >= 0 ? this.siteTo : statementEnd(this.tokens, this.match, this.siteFrom));
    }
    if (v.k !== V_STR || v.bin) return this.unknown(v);
    const how = v.how | this.calleeHow;
    this.out.kinds |= how || INDIRECT_LITERAL;
    if (this.out.codes.length >= MAX_CODES) this.out.truncated = true;
    else this.out.codes.push({ code: v.s, how });
  }

  /** A value run that this reading cannot read: how it came about still counts (binary decoded output: decoded). */
  private unknown(v: Val): void {
    this.out.kinds |= (v.bin ? INDIRECT_DECODED : v.how || INDIRECT_RUNTIME) | this.calleeHow;
    this.out.opaque = true;
  }

  /** A run that is the code's own statement (a library transfer): only what its words did not spell counts as a kind. */
  private directRun(r: CodeRun): void {
    if (r.argv !== null) this.fetched.transfer(this.transferAt, this.transferAt >= 0 ? this.match[this.transferAt]! : -1, r.argv);
    this.out.kinds |= r.how;
    if (this.out.runs.length >= MAX_RUNS) this.out.truncated = true;
    else this.out.runs.push(r);
  }

  private run(r: CodeRun): void {
    r.how |= this.calleeHow;
    this.out.kinds |= r.how || INDIRECT_LITERAL;
    if (this.out.runs.length >= MAX_RUNS) this.out.truncated = true;
    else this.out.runs.push(r);
  }
}
