/**
 * What a callee expression names in Python or JavaScript code, so a call through any spelling of
 * a command function reads as that function's call: `os.system`, an import alias, a name assigned
 * once (`s = os.system`, `const x = cp.execSync`), `getattr(os, "sys" + "tem")`, `__import__("os")`
 * and `importlib.import_module(…)`, `require('child_process')` (also `process.mainModule.require`,
 * `module.require`), a module's namespace (`os.__dict__["system"]`, `vars(os)["system"]`,
 * `sys.modules["os"]`, `cp['exec']`), `eval("os.system")`, a C library ctypes loads
 * (`ctypes.CDLL(None)`, `ctypes.CDLL("libc.so.6")`: libc, whose system(3) runs a shell line), and
 * JavaScript destructuring (`const {execSync: x} = require('child_process')`). What each evaluates
 * to is as Python's data model says (Language Reference §3.2 modules and their `__dict__`; the
 * builtins `getattr`, `vars`, `__import__`, `eval`) and Node's module system (`require`,
 * `process.binding`).
 *
 * A name computed at run time on a module that runs commands (`getattr(os, x)`, `cp[k]`,
 * `__import__(x).system`) is R_RUNTIME_FN: its call runs some command this reading cannot name, so
 * the reading says runtime. Anything else (`getattr(config, "x")`, `d["system"]` on a dict) is
 * R_NONE: no command. A name's `how` holds the INDIRECT_* bits of the strings that spelled it
 * (decoded for `getattr(os, b64decode(…))`).
 *
 * Bounded: MAX_LINKS links per chain, MAX_DEPTH nested evaluations (a getattr inside a getattr, a
 * name bound to a name), MAX_NAME_CHARS per dotted name, MAX_ALIASES destructured names.
 */
import { expressionEnd } from './exec-interpreter-bindings.js';
import { CALLS, type CallSpec } from './exec-interpreter-table.js';
import { isOp, TK_NAME, TK_NL, TK_STR, type Token } from './exec-interpreter-token.js';
import { V_FALSE, V_STR, V_UNKNOWN, type CodeValues, type Val } from './exec-interpreter-value.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

export const R_NONE = 0; // nothing this reading follows
export const R_NAMED = 1; // a dotted name: a module, a module's function (`os.system`), a builtin ('' : JavaScript's global object)
export const R_RUNTIME_FN = 2; // a command module's attribute named only at run time
export const R_RUNTIME_MOD = 3; // a module named only at run time (`__import__(x)`, `require(x)`)

export interface Ref {
  readonly k: number;
  readonly name: string;
  readonly how: number;
}

const MAX_LINKS = 32;
const MAX_DEPTH = 8;
const MAX_NAME_CHARS = 256;
const MAX_ALIASES = 64;

const NONE: Ref = Object.freeze({ k: R_NONE, name: '', how: 0 });
const named = (name: string, how: number): Ref => (name.length > MAX_NAME_CHARS ? NONE : { k: R_NAMED, name, how });
const runtime = (k: number, how: number): Ref => ({ k, name: '', how: how | INDIRECT_RUNTIME });
/** The text of a string value known before run time (a name), or null. */
const known = (v: Val | undefined): string | null => (v !== undefined && v.k === V_STR && !v.bin && (v.how & INDIRECT_RUNTIME) === 0 && v.s.length <= MAX_NAME_CHARS ? v.s : null);
const DOTTED = /^\s*[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*\s*$/;

/** The builtins module under its three spellings: `builtins.exec` is `exec`. */
const PY_BUILTINS = ['builtins.', '__builtins__.', '__builtin__.'];
const pyNormal = (name: string): string => {
  for (const p of PY_BUILTINS) if (name.startsWith(p)) return name.slice(p.length);
  return name;
};
/** Python modules with command-running functions (their computed attributes are runtime). */
const PY_COMMAND_MODULES = new Set(['os', 'posix', 'subprocess', 'pty', 'commands', 'libc', 'builtins', '__builtins__', '__builtin__']);
const PY_IMPORTERS = new Set(['__import__', 'importlib.import_module', 'import_module', 'importlib.__import__']);
/** ctypes' library loaders (ctypes reference "Loading shared libraries"). */
const PY_LOADERS = new Set(['ctypes.CDLL', 'ctypes.PyDLL', 'ctypes.cdll.LoadLibrary', 'ctypes.pydll.LoadLibrary']);
/** A C library name that is libc (`libc.so.6`, `/lib/x86_64-linux-gnu/libc.so.6`, `libc-2.31.so`). */
const LIBC = /(?:^|\/)libc(?:\.so[.\d]*|-[\d.]+\.so)?$/;
const JS_ROOTS = new Set(['globalThis', 'global', 'window', 'self']);
const JS_REQUIRES = new Set(['require', 'module.require', 'process.mainModule.require', 'module.constructor._load', 'process.mainModule.constructor._load']);
/** Node's internal bindings that spawn processes (`process.binding('spawn_sync').spawn({…})`). */
const JS_SPAWN_BINDINGS = new Set(['spawn_sync', 'process_wrap']);
const SPAWN_BINDING = 'process.binding:spawn';

/** Last names of the functions that run commands, per language: what a module named at run time may be called through. */
const lastNames = (m: ReadonlyMap<string, CallSpec>): Set<string> => new Set([...m.keys()].map((k) => k.slice(k.lastIndexOf('.') + 1)));
const COMMAND_NAMES = { python: lastNames(CALLS.python), js: lastNames(CALLS.js) };

export class CalleeRefs {
  private depth = 0;
  /** Whether an evaluation stopped at MAX_DEPTH (its result is then not remembered for the name). */
  private deep = false;
  private readonly memo = new Map<string, Ref>();
  private readonly resolving = new Set<string>();
  /** JavaScript names destructured from a module: local → module.name. */
  private readonly jsNames = new Map<string, string>();

  constructor(
    private readonly ts: readonly Token[],
    private readonly match: Int32Array,
    private readonly lang: 'python' | 'js',
    private readonly values: CodeValues,
    private readonly aliases: ReadonlyMap<string, string>,
  ) {
    if (lang === 'js') this.destructure();
  }

  /** The start of the callee of the call whose parenthesis is at `p`: a chain of names, `.name`, `[…]` and `(…)`; -1 when none. */
  calleeStart(p: number): number {
    const ts = this.ts;
    let j = p - 1;
    for (let links = 0; links < MAX_LINKS && j >= 0; links++) {
      const t = ts[j]!;
      if (t.k === TK_NAME) {
        if (!isOp(ts[j - 1], '.')) return j;
        j -= 2;
      } else if (isOp(t, ')') || isOp(t, ']')) {
        const o = this.match[j]!;
        if (o < 0 || o >= j) return -1;
        const before = ts[o - 1];
        if (before === undefined || !(before.k === TK_NAME || isOp(before, ')') || isOp(before, ']'))) return o;
        j = o - 1;
      } else return t.k === TK_STR ? j : -1;
    }
    return -1;
  }

  /** What the callee of the call at parenthesis `p` names. */
  callee(p: number): Ref {
    const s = this.calleeStart(p);
    return s < 0 ? NONE : this.chain(s, p);
  }

  /** The call spec of a name (R_NAMED), or undefined. */
  specOf(ref: Ref): CallSpec | undefined {
    if (ref.k !== R_NAMED) return undefined;
    if (this.lang === 'python') return CALLS.python.get(pyNormal(ref.name));
    const dot = ref.name.lastIndexOf('.');
    // A bare name is read by name (exec-interpreter-callsite.ts); here only the global object's eval and Function.
    if (dot < 0) return ref.name === 'eval' || ref.name === 'Function' ? CALLS.js.get(ref.name) : undefined;
    const mod = ref.name.slice(0, dot);
    return mod === 'child_process' || mod === 'vm' ? CALLS.js.get(ref.name.slice(dot + 1)) : CALLS.js.get(ref.name);
  }

  /** Whether calling `ref` with the arguments at parenthesis `p` loads Node's spawn binding (`process.binding('spawn_sync')`). */
  loadsSpawnBinding(ref: Ref, p: number): boolean {
    if (ref.k !== R_NAMED || (ref.name !== 'process.binding' && ref.name !== 'process._linkedBinding')) return false;
    const r = this.call(ref, p + 1, this.match[p]!);
    return r.k === R_RUNTIME_MOD || (r.k === R_NAMED && r.name === SPAWN_BINDING);
  }

  /** The expression [a, b) as one chain, or NONE when it is no chain or is not all of [a, b). */
  chain(a: number, b: number): Ref {
    const ts = this.ts;
    while (a < b && ts[a]!.k === TK_NL) a++;
    while (b > a && ts[b - 1]!.k === TK_NL) b--;
    if (a >= b) return NONE;
    if (this.depth >= MAX_DEPTH) {
      this.deep = true;
      return NONE;
    }
    this.depth++;
    try {
      let ref: Ref;
      let j: number;
      const t = ts[a]!;
      if (t.k === TK_NAME) [ref, j] = [this.nameRef(t.v), a + 1];
      else if (isOp(t, '(') && this.match[a]! < b) {
        // JavaScript's `(0, cp.execSync)(…)`: a comma expression is its last operand.
        const c = this.match[a]!;
        const parts = this.lang === 'js' ? this.values.split(a + 1, c) : [];
        const last: [number, number] = parts.length > 1 ? parts[parts.length - 1]! : [a + 1, c];
        [ref, j] = [this.chain(last[0], last[1]), c + 1];
      }
      else return NONE;
      for (let links = 0; j < b; links++) {
        const u = ts[j]!;
        if (links >= MAX_LINKS || ref.k === R_NONE) return NONE;
        if (isOp(u, '.') && j + 1 < b && ts[j + 1]!.k === TK_NAME) {
          ref = this.attr(ref, ts[j + 1]!.v, 0);
          j += 2;
        } else if (isOp(u, '[') || isOp(u, '(')) {
          const close = this.match[j]!;
          if (close < 0 || close >= b) return NONE;
          ref = u.v === '[' ? this.subscript(ref, j + 1, close) : this.call(ref, j + 1, close);
          j = close + 1;
        } else return NONE;
      }
      return ref;
    } finally {
      this.depth--;
    }
  }

  /** A name: an import alias, a destructured name, a name assigned once, a star import, or itself. */
  private nameRef(n: string): Ref {
    if (this.lang === 'js') {
      if (JS_ROOTS.has(n)) return named('', 0);
      const d = this.jsNames.get(n);
      if (d !== undefined) return named(d, 0);
    } else {
      const full = this.aliases.get(n);
      if (full !== undefined) return named(full, 0);
    }
    const r = this.values.bindingOf(n);
    if (r !== undefined) {
      const memo = this.memo.get(n);
      if (memo !== undefined) return memo;
      if (this.resolving.has(n)) return NONE;
      this.resolving.add(n);
      const outer = this.deep;
      this.deep = false;
      const ref = this.chain(r[0], r[1]);
      this.resolving.delete(n);
      if (!this.deep) this.memo.set(n, ref);
      this.deep ||= outer;
      return ref;
    }
    if (this.lang === 'python') {
      for (const [k, v] of this.aliases) if (k.startsWith('*') && (CALLS.python.has(`${v}.${n}`) || PY_LOADERS.has(`${v}.${n}`))) return named(`${v}.${n}`, 0);
    }
    return named(n, 0);
  }

  private commandModule(ref: Ref): boolean {
    if (ref.k === R_RUNTIME_MOD) return true;
    if (ref.k !== R_NAMED) return false;
    return this.lang === 'python' ? PY_COMMAND_MODULES.has(ref.name) : ref.name === 'child_process' || ref.name === SPAWN_BINDING;
  }

  private attr(ref: Ref, name: string, how: number): Ref {
    if (ref.k === R_NAMED) return named(ref.name === '' ? name : `${ref.name}.${name}`, ref.how | how);
    if (ref.k === R_RUNTIME_MOD) return COMMAND_NAMES[this.lang].has(name) ? runtime(R_RUNTIME_FN, ref.how | how) : NONE;
    return NONE;
  }

  /** `x[k]`: Python only on a namespace (`m.__dict__`, `vars(m)`, `sys.modules`); JavaScript on any name (`cp['exec']` is `cp.exec`). */
  private subscript(ref: Ref, a: number, b: number): Ref {
    let base: Ref | null = null;
    if (ref.k === R_RUNTIME_MOD || (ref.k === R_NAMED && this.lang === 'js')) base = ref;
    else if (ref.k === R_NAMED && ref.name.endsWith('.__dict__')) base = named(ref.name.slice(0, -'.__dict__'.length), ref.how);
    else if (ref.k === R_NAMED && ref.name === 'sys.modules') base = named('', ref.how);
    if (base === null) return NONE;
    const v = this.values.value(a, b);
    const key = known(v);
    if (key !== null) return this.attr(base, key, v.how);
    return this.commandModule(base) ? runtime(R_RUNTIME_FN, base.how | v.how) : NONE;
  }

  /** What calling `ref` with the arguments in [a, b) gives, for the few calls that give a module or a function. */
  private call(ref: Ref, a: number, b: number): Ref {
    if (ref.k !== R_NAMED) return NONE;
    const args = this.values.split(a, b);
    const arg = (k: number): Val | undefined => (args[k] === undefined ? undefined : this.values.value(args[k]![0], args[k]![1]));
    if (this.lang === 'js') {
      const v = arg(0);
      const s = known(v);
      const how = v?.how ?? 0;
      if (JS_REQUIRES.has(ref.name)) return s !== null ? named(s.startsWith('node:') ? s.slice(5) : s, how) : runtime(R_RUNTIME_MOD, how);
      if (ref.name === 'process.binding' || ref.name === 'process._linkedBinding') return s === null ? runtime(R_RUNTIME_MOD, how) : JS_SPAWN_BINDINGS.has(s) ? named(SPAWN_BINDING, how) : NONE;
      return NONE;
    }
    const f = pyNormal(ref.name);
    if (f === 'getattr' && args.length >= 2) {
      const obj = this.chain(args[0]![0], args[0]![1]);
      const v = arg(1)!;
      const s = known(v);
      if (s !== null) return this.attr(obj, s, v.how);
      return this.commandModule(obj) ? runtime(R_RUNTIME_FN, obj.how | v.how) : NONE;
    }
    if (PY_IMPORTERS.has(f)) {
      const v = arg(0);
      const s = known(v);
      // `__import__('os.path')` gives the top package; import_module the named one.
      return s !== null ? named(f === '__import__' ? s.split('.')[0]! : s, v!.how) : runtime(R_RUNTIME_MOD, v?.how ?? 0);
    }
    if (f === 'vars' && args.length === 1) {
      const obj = this.chain(args[0]![0], args[0]![1]);
      return obj.k === R_NAMED && obj.name !== '' ? named(`${obj.name}.__dict__`, obj.how) : NONE;
    }
    if (f === 'eval') {
      // `eval("os.sys" + "tem")` gives the function the text names.
      const v = arg(0);
      const s = known(v);
      return s !== null && DOTTED.test(s) ? this.dotted(s, v!.how) : NONE;
    }
    if (PY_LOADERS.has(f)) {
      const v = arg(0);
      const libc = v === undefined || v.k === V_FALSE || v.k === V_UNKNOWN || (v.k === V_STR && ((v.how & INDIRECT_RUNTIME) !== 0 || LIBC.test(v.s)));
      return libc ? named('libc', ref.how | ((v?.how ?? 0) & ~INDIRECT_RUNTIME)) : NONE;
    }
    return NONE;
  }

  private dotted(text: string, how: number): Ref {
    const parts = text.split('.').map((p) => p.trim());
    let ref = this.nameRef(parts[0]!);
    ref = ref.k === R_NAMED ? named(ref.name, ref.how | how) : ref;
    for (let k = 1; k < parts.length && ref.k !== R_NONE; k++) ref = this.attr(ref, parts[k]!, 0);
    return ref;
  }

  /** `const {a, b: c} = <module>` (ECMAScript §14.3.3 object binding patterns, one level): c → module.b. */
  private destructure(): void {
    const ts = this.ts;
    for (let k = 0; k < ts.length && this.jsNames.size < MAX_ALIASES; k++) {
      if (!isOp(ts[k], '{')) continue;
      const c = this.match[k]!;
      if (c >= ts.length || !isOp(ts[c + 1], '=')) continue;
      const mod = this.chain(c + 2, expressionEnd(ts, this.match, c + 2, 'js'));
      if (mod.k !== R_NAMED || mod.name === '') continue;
      for (const [x, y] of this.values.split(k + 1, c)) {
        const key = ts[x]!;
        if (key.k !== TK_NAME && key.k !== TK_STR) continue;
        if (y === x + 1 && key.k === TK_NAME) this.jsNames.set(key.v, `${mod.name}.${key.v}`);
        else if (y === x + 3 && isOp(ts[x + 1], ':') && ts[x + 2]!.k === TK_NAME) this.jsNames.set(ts[x + 2]!.v, `${mod.name}.${key.v}`);
        if (this.jsNames.size >= MAX_ALIASES) break;
      }
    }
  }
}
