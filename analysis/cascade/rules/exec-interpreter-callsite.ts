/**
 * Where interpreter code calls a function that runs a command or code, and which one (its
 * CallSpec, exec-interpreter-table.ts), with the call's arguments read as values
 * (exec-interpreter-value.ts); exec-interpreter-calls.ts reads what each runs. A callee is found:
 * - by its name, resolved through its qualifier (Perl, Ruby, PHP, Lua, awk, JavaScript names;
 *   Perl `IPC::Open3::open3`, bare `run` only where the code names IPC::Run);
 * - through its callee expression in Python and JavaScript (exec-interpreter-refs.ts: import
 *   aliases, names assigned once, `getattr`, `__import__`, module namespaces, `eval("os.system")`,
 *   ctypes' libc, `require('child_process')['exec']`, destructuring with renames);
 * - through the languages' own indirections: Perl's indirect object (`exec { PROGRAM } LIST`,
 *   perlfunc "exec": the program in the block, LIST its argv with LIST's first word as argv[0]),
 *   Perl code references (`$f->(…)`, `IPC::Open3->can('open3')->(…)`, `&{"…"}(…)`;
 *   exec-interpreter-perl-coderef.ts), Ruby's `send` / `public_send` / `__send__` (Object#send,
 *   which reaches Kernel's private methods) and Method objects (`method(:system).call(…)`,
 *   `Kernel.method(:spawn).(…)`, one assigned to a name once).
 * A call written without parentheses (Perl `system "…";`, Ruby `exec "…"`, `send :system, "…"`,
 * Python 2 `exec "…"`) takes its arguments to the statement's end.
 *
 * A callee named only at run time on a module that runs commands (`getattr(os, x)`,
 * `Kernel.send(m, …)`, `cp[k]`) is a site with no spec and `how` runtime: the reader counts a
 * command it cannot read. Another object's method (`app.send(:status)`, `obj.system(…)`) is none.
 */
import { codeRefCallAt } from './exec-interpreter-perl-coderef.js';
import { CalleeRefs, R_RUNTIME_FN } from './exec-interpreter-refs.js';
import { C_CODE, C_CODE_LAST, C_INDIRECT_OBJECT, C_SYSTEM, CALLS, pythonAliases, type CallSpec } from './exec-interpreter-table.js';
import { isOp, STR_RUNTIME, TK_NAME, TK_NL, TK_OP, TK_STR, type Lang, type Token } from './exec-interpreter-token.js';
import { V_STR, type Arg, type CodeValues } from './exec-interpreter-value.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

/** A call: its spec (null: a command function named only at run time), its arguments, and the INDIRECT_* bits of how its callee was named. */
export interface CallSite {
  spec: CallSpec | null;
  args: readonly Arg[];
  how: number;
}

/** Names that end a Perl or Ruby call written without parentheses (statement modifiers, low-precedence operators). */
const STATEMENT_ENDS = new Set(['if', 'unless', 'while', 'until', 'or', 'and', 'for', 'foreach', 'do', 'then', 'end']);
/** Names before a name that make it a definition, not a call. */
const DEFINERS = new Set(['def', 'sub', 'function', 'class', 'fn']);
const INDIRECT_OBJECT: CallSpec = { kind: C_INDIRECT_OBJECT };
const RUBY_SENDS = new Set(['send', 'public_send', '__send__']);
const RUBY_METHODS = new Set(['method', 'public_method']);
/** Receivers whose sends reach a command method: none, self, Kernel, Object (Kernel's methods) and the modules the table keys. */
const RUBY_COMMAND_RECEIVERS = new Set(['', 'Kernel', 'Object', 'Process', 'IO', 'Open3', 'PTY']);
const NO_ARGS: readonly Arg[] = [];

const isDot = (t: Token | undefined): t is Token => t !== undefined && t.k === TK_OP && (t.v === '.' || t.v === '->' || t.v === '::' || t.v === '&.');
const runtimeSite = (how: number): CallSite => ({ spec: null, args: NO_ARGS, how: how | INDIRECT_RUNTIME });

/**
 * The end of the arguments of a call written without parentheses (Perl, Ruby, Python 2's exec),
 * starting at `k`; -1 when none follow. `symbolFirst`: a Ruby symbol may start them (`send :system, …`).
 */
export function bareArgsEnd(ts: readonly Token[], match: Int32Array, lang: Lang, k: number, symbolFirst: boolean): number {
  const first = ts[k];
  if (first === undefined || (lang !== 'perl' && lang !== 'ruby' && lang !== 'python')) return -1;
  // An operator starts none but a list (`exec [...]` Ruby, `run [...]` Perl), a Perl reference (`run \@cmd`) or a Ruby symbol.
  const opStarts = first.k === TK_OP && ((first.v === '[' && lang !== 'python') || (first.v === '\\' && lang === 'perl') || (first.v === ':' && symbolFirst));
  if (first.k === TK_OP ? !opStarts : first.k === TK_NL || (first.k === TK_NAME && STATEMENT_ENDS.has(first.v))) return -1;
  let j = k;
  for (; j < ts.length; j++) {
    const t = ts[j]!;
    if (t.k === TK_NL && lang !== 'perl') break;
    if (t.k === TK_NAME && STATEMENT_ENDS.has(t.v)) break;
    if (t.k !== TK_OP) continue;
    if (t.v === ';' || t.v === ')' || t.v === ']' || t.v === '}') break;
    if (t.v === '(' || t.v === '[' || t.v === '{') j = match[j]!;
  }
  return Math.min(j, ts.length);
}

export class CallSites {
  private readonly refs: CalleeRefs | null;
  /** Node's `exec` is a RegExp method too: read as child_process's only where the code names that module. */
  private readonly childProcess: boolean;
  private readonly ipcRun: boolean;
  /** Python's import aliases (exec-interpreter-table.ts `pythonAliases`; empty for the other languages), shared with the transfer reader. */
  readonly aliases: ReadonlyMap<string, string>;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly match: Int32Array,
    private readonly lang: Lang,
    code: string,
    private readonly values: CodeValues,
  ) {
    this.aliases = lang === 'python' ? pythonAliases(tokens, match) : new Map();
    this.refs = lang === 'python' || lang === 'js' ? new CalleeRefs(tokens, match, lang, values, this.aliases) : null;
    this.childProcess = lang === 'js' && code.indexOf('child_process') >= 0;
    this.ipcRun = lang === 'perl' && code.indexOf('IPC::Run') >= 0;
  }

  /** The call whose callee's name is the token at `i`, or null. */
  atName(i: number): CallSite | null {
    const ts = this.tokens;
    const name = ts[i]!.v;
    const prev = ts[i - 1];
    const next = ts[i + 1];
    if (prev !== undefined && prev.k === TK_NAME && DEFINERS.has(prev.v)) return null;
    let spec: CallSpec | undefined;
    switch (this.lang) {
      case 'python': {
        // A call with parentheses is read at its parenthesis (atParen); here only Python 2's `exec "…"`.
        if (isOp(next, '(') || isDot(prev)) return null;
        spec = this.refs!.specOf(this.refs!.chain(i, i + 1));
        return spec?.kind === C_CODE ? this.bare(spec, i + 1, false) : null;
      }
      case 'ruby': {
        if (RUBY_SENDS.has(name.slice(name.lastIndexOf(':') + 1))) return this.rubySend(i);
        if (name === 'call' && isOp(prev, '.')) return this.rubyMethodCall(i - 1, i + 1);
        spec = this.specAt(i);
        break;
      }
      case 'perl': {
        spec = this.specAt(i);
        const base = name.slice(name.lastIndexOf(':') + 1);
        if (spec?.kind === C_SYSTEM && (base === 'system' || base === 'exec') && isOp(next, '{')) return this.perlIndirect(i + 1);
        break;
      }
      case 'js':
        spec = this.specAt(i);
        if (spec === undefined) return isOp(next, '(') ? this.refSite(i + 1) : null;
        break;
      default:
        spec = this.specAt(i);
    }
    if (spec === undefined) return null;
    if (isOp(next, '(')) return { spec, args: this.values.args(i + 2, this.match[i + 1]!), how: 0 };
    // `os.execute "id"`, `io.popen[[id]]`
    if (this.lang === 'lua' && next?.k === TK_STR) return { spec, args: this.values.args(i + 1, i + 2), how: 0 };
    return this.bare(spec, i + 1, false);
  }

  /** The call whose argument parenthesis is at `p`, its callee an expression: every Python call; JavaScript's `x[k](…)`, `f(…)(…)`. */
  atParen(p: number): CallSite | null {
    const prev = this.tokens[p - 1];
    if (this.refs === null || prev === undefined) return null;
    const computed = isOp(prev, ')') || isOp(prev, ']');
    return computed || (this.lang === 'python' && prev.k === TK_NAME) ? this.refSite(p) : null;
  }

  /** Ruby's `m.(…)` (Method#call) at the `.` `dot`. */
  atDotCall(dot: number): CallSite | null {
    return this.lang === 'ruby' && isOp(this.tokens[dot + 1], '(') ? this.rubyMethodCall(dot, dot + 1) : null;
  }

  private refSite(p: number): CallSite | null {
    const refs = this.refs!;
    const start = refs.calleeStart(p);
    if (start < 0) return null;
    const before = this.tokens[start - 1];
    if (before !== undefined && before.k === TK_NAME && DEFINERS.has(before.v)) return null;
    const ref = refs.chain(start, p);
    if (ref.k === R_RUNTIME_FN) return runtimeSite(ref.how);
    const spec = refs.specOf(ref);
    if (spec !== undefined) return { spec, args: this.values.args(p + 1, this.match[p]!), how: ref.how };
    return this.lang === 'js' && refs.loadsSpawnBinding(ref, p) ? runtimeSite(0) : null;
  }

  /** The call spec of the name at `i` in this language, resolved through its qualifier (Perl, Ruby, JavaScript, PHP, Lua, awk). */
  private specAt(i: number): CallSpec | undefined {
    const ts = this.tokens;
    const name = ts[i]!.v;
    const prev = ts[i - 1];
    const dotted = isDot(prev);
    const table = CALLS[this.lang];
    switch (this.lang) {
      case 'perl':
        return dotted ? undefined : this.perlSpec(name);
      case 'ruby': {
        const cut = name.lastIndexOf('::');
        if (cut >= 0) return table.get(`${name.slice(0, cut)}.${name.slice(cut + 2)}`);
        if (!dotted) return table.get(name);
        const q = ts[i - 2];
        return q?.k === TK_NAME ? table.get(`${q.v}.${name}`) : undefined;
      }
      case 'js': {
        const recv = ts[i - 2];
        if (dotted && (recv?.v === 'Bun' || recv?.v === 'Deno') && recv.k === TK_NAME) return table.get(`${recv.v}.${name}`);
        const spec = table.get(name);
        if (spec === undefined) return undefined;
        if (spec.kind === C_CODE || spec.kind === C_CODE_LAST) return dotted && name !== 'runInThisContext' && name !== 'runInNewContext' && name !== 'runInContext' ? undefined : spec;
        return name !== 'exec' || this.childProcess ? spec : undefined;
      }
      case 'lua': {
        // `os.execute(…)`, `io.popen(…)`, `load(…)`: the library's table before the name.
        const q = ts[i - 2];
        if (!dotted) return name.startsWith('load') || name === 'dostring' ? table.get(name) : undefined;
        return prev.v === '.' && q?.k === TK_NAME ? table.get(`${q.v}.${name}`) : undefined;
      }
      default:
        return dotted ? undefined : table.get(name);
    }
  }

  /** A Perl subroutine's spec by its name, plain (`system`), core (`CORE::system`) or package-qualified (`IPC::Open3::open3`). */
  private perlSpec(name: string): CallSpec | undefined {
    const table = CALLS.perl;
    const cut = name.lastIndexOf('::');
    const qual = cut < 0 ? '' : name.slice(0, cut);
    const base = cut < 0 ? name : name.slice(cut + 2);
    if (qual === '' && this.ipcRun && (base === 'run' || base === 'start')) return table.get(`IPC::Run::${base}`);
    return qual === '' || qual === 'CORE' || qual === 'CORE::GLOBAL' || qual === 'POSIX' ? table.get(base) : table.get(name);
  }

  /** Perl: a code reference called at `i`, a `->` or a `&` (exec-interpreter-perl-coderef.ts). */
  atCodeRef(i: number): CallSite | null {
    if (this.lang !== 'perl') return null;
    const r = codeRefCallAt(this.tokens, this.match, this.values, i);
    if (r === null) return null;
    const [ref, open] = r;
    if (ref.name === null) return runtimeSite(ref.how);
    const spec = this.perlSpec(ref.name);
    return spec === undefined ? null : { spec, args: this.values.args(open + 1, this.match[open]!), how: ref.how };
  }

  /** A call written without parentheses from `k` to the statement's end; null when no argument follows. */
  private bare(spec: CallSpec, k: number, symbolFirst: boolean): CallSite | null {
    const end = bareArgsEnd(this.tokens, this.match, this.lang, k, symbolFirst);
    return end < 0 ? null : { spec, args: this.values.args(k, end), how: 0 };
  }

  /** Perl `exec { PROGRAM } LIST` / `system { … } LIST` with the block's `{` at `open`: the program, then LIST. */
  private perlIndirect(open: number): CallSite | null {
    const close = this.match[open]!;
    if (close >= this.tokens.length) return null;
    const program = this.values.value(open + 1, close);
    let a = close + 1;
    let b: number;
    if (isOp(this.tokens[a], '(')) b = this.match[a++]!;
    else b = Math.max(a, bareArgsEnd(this.tokens, this.match, this.lang, a, false));
    return { spec: INDIRECT_OBJECT, args: [{ name: null, v: program }, ...this.values.args(a, b)], how: 0 };
  }

  /** A Ruby receiver's name for a send ('' for none or self), or null for an expression. */
  private receiver(i: number): string | null {
    const name = this.tokens[i]!.v;
    const cut = name.lastIndexOf('::');
    if (cut >= 0) return name.slice(0, cut);
    if (!isDot(this.tokens[i - 1])) return '';
    const q = this.tokens[i - 2];
    return q?.k === TK_NAME ? (q.v === 'self' ? '' : q.v) : null;
  }

  /** Ruby `send(:name, args…)` (with `public_send`, `__send__`) at the name `i`. */
  private rubySend(i: number): CallSite | null {
    const open = i + 1;
    let a = open;
    let b: number;
    if (isOp(this.tokens[open], '(')) {
      a = open + 1;
      b = this.match[open]!;
    } else b = bareArgsEnd(this.tokens, this.match, this.lang, open, true);
    const ranges = b < 0 ? [] : this.values.split(a, b);
    if (ranges.length === 0) return null;
    const [name, how] = this.rubySymbol(ranges[0]![0], ranges[0]![1]);
    return this.rubyDispatch(this.receiver(i), name, how, ranges.length > 1 ? ranges[1]![0] : b, b);
  }

  /** A Method object called (`.call(…)` or `.(…)`, the `.` at `dot`, the arguments from `open`): `[recv.]method(:name)` there or in a name assigned once. */
  private rubyMethodCall(dot: number, open: number): CallSite | null {
    const ts = this.tokens;
    const r = ts[dot - 1];
    let close = dot - 1;
    let from = -1;
    if (r?.k === TK_NAME) {
      const b = this.values.bindingOf(r.v);
      if (b === undefined) return null;
      [from, close] = [b[0], b[1] - 1];
    }
    if (!isOp(ts[close], ')')) return null;
    const o = this.match[close]!;
    const m = ts[o - 1];
    if (o < 0 || o >= close || m?.k !== TK_NAME || !RUBY_METHODS.has(m.v)) return null;
    const start = isDot(ts[o - 2]) ? o - 3 : o - 1;
    if (from >= 0 && from !== start) return null;
    const [name, how] = this.rubySymbol(o + 1, close);
    if (isOp(ts[open], '(')) return this.rubyDispatch(this.receiver(o - 1), name, how, open + 1, this.match[open]!);
    const end = bareArgsEnd(this.tokens, this.match, this.lang, open, false);
    return this.rubyDispatch(this.receiver(o - 1), name, how, open, Math.max(open, end));
  }

  /** A method name given as a symbol (`:system`, `:"system"`) or a string; [null, runtime] when known only at run time. */
  private rubySymbol(a: number, b: number): [string | null, number] {
    const ts = this.tokens;
    const s = ts[a + 1];
    if (isOp(ts[a], ':') && b === a + 2 && s !== undefined && (s.k === TK_NAME || s.k === TK_STR)) return (s.f & STR_RUNTIME) === 0 ? [s.v, 0] : [null, INDIRECT_RUNTIME];
    const v = this.values.value(a, b);
    return v.k === V_STR && !v.bin && (v.how & INDIRECT_RUNTIME) === 0 ? [v.s, v.how] : [null, v.how];
  }

  /**
   * The call a send or a Method object makes, its arguments in [a, b) (read only for a command
   * method): a command method of a command receiver, runtime when the name is unknown there.
   */
  private rubyDispatch(recv: string | null, name: string | null, how: number, a: number, b: number): CallSite | null {
    if (recv === null || !RUBY_COMMAND_RECEIVERS.has(recv)) return null;
    if (name === null) return runtimeSite(how);
    const table = CALLS.ruby;
    const spec = recv === '' || recv === 'Kernel' || recv === 'Object' ? table.get(name) : table.get(`${recv}.${name}`);
    return spec === undefined ? null : { spec, args: this.values.args(a, b), how };
  }
}
