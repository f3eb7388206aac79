/**
 * The files interpreter code writes by its own calls, not through a shell (MITRE T1053.003,
 * T1098.004, T1546.004 done from a one-liner: `open('/etc/cron.d/x', 'w').write(…)`), for
 * `attrs.exec.persists` (exec-persistence.ts places each path; exec-canonical-view.ts merges them).
 * A path is written when the code:
 * - opens it to write: Python `open(p, mode)` (any qualifier: `io`, `codecs`, `gzip`…; a mode with
 *   `w`, `a`, `x` or `+`), `os.open(p, O_WRONLY | …)`; Perl `open(F, '>', p)`, `open F, ">>p"`,
 *   `sysopen(F, p, O_WRONLY | …)` (perlfunc "open": `>`, `>>`, `+<`; `>&` duplicates a handle and
 *   writes no file); Ruby `File.open(p, 'w')` / `File.new` / Kernel `open`, PHP `fopen(p, 'w')`
 *   (`w`, `a`, `x`, `c`, `+`), Node `fs.open(p, 'w')`, Lua `io.open(p, 'w')` / `io.output(p)`;
 * - writes it whole: Python `pathlib.Path(p).write_text` / `write_bytes` / `touch` / `open('w')`,
 *   Ruby `File.write` / `IO.write` / `File.binwrite` / `Pathname(p).write`, PHP `file_put_contents`,
 *   Node `fs.writeFile(Sync)` / `appendFile(Sync)` / `createWriteStream` / `fs.promises.writeFile`,
 *   `Bun.write`, `Deno.writeTextFile`;
 * - gives a file that path: Python `shutil.copy` / `copy2` / `copyfile` / `copytree` / `move`,
 *   `os.rename` / `replace` / `symlink` / `link` (the destination), `Path(a).rename(p)` /
 *   `symlink_to`; Perl `rename` / `symlink` / `link`, File::Copy `copy` / `move`; Ruby `FileUtils.cp`
 *   / `mv` / `install` / `ln_s`…, `File.rename` / `symlink`; PHP `copy` / `rename` / `symlink`;
 *   Node `fs.copyFile(Sync)` / `cp(Sync)` / `rename(Sync)` / `symlink(Sync)`; Lua `os.rename`;
 * - awk `print … > "p"` / `>> "p"` (printf too).
 * Paths are argument values as exec-interpreter-value.ts reads them (literals, concatenations,
 * names assigned once; HOLE where a part is known only at run time), and Python's
 * `os.path.join(…)` / Node's `path.join` / Ruby's `File.join` of such values, `os.path.expanduser(p)`
 * as p. Python names go through the code's imports (`from shutil import copy as c`). Node's
 * generic names (`open`, `rename`, `cp`, `writeFile`) count only on an `fs` receiver or in code that
 * names the fs module; Perl's bare `copy` / `move` only in code that names File::Copy.
 * Bounded: one pass over the tokens, MAX_WRITES paths; never throws.
 */
import { bareArgsEnd } from './exec-interpreter-callsite.js';
import { MEMBER } from './exec-interpreter-bindings.js';
import { HOLE, isNameOrVar, isOp, TK_NAME, TK_NL, TK_OP, TK_STR, type Lang, type Token } from './exec-interpreter-token.js';
import { V_STR, type ArgRange, type CodeValues, type Val } from './exec-interpreter-value.js';

/** Paths one code text gives. */
export const MAX_WRITES = 16;

/** How a call names the path it writes: the argument holding it, and a mode argument that must say "write". */
interface WriteCall {
  /** Positional index of the path (-1: the receiver's call, `Path(p).write_text()`). */
  path: number;
  /** Its keyword, where the language has keywords. */
  kw?: string;
  /** Positional index of an open mode (`'w'`) or flags (`O_WRONLY`) that must write; absent: the call always writes. */
  mode?: number;
  modeKw?: string;
  /** The mode is a flags expression (`os.O_WRONLY | os.O_CREAT`), not a mode string. */
  flags?: true;
  /** Perl's open, whose mode may lead the path in one string (`perlOpenArgs`). */
  perlOpen?: true;
}

const W = (path: number, more: Omit<WriteCall, 'path'> = {}): WriteCall => ({ path, ...more });
const OPEN: WriteCall = W(0, { kw: 'file', mode: 1, modeKw: 'mode' });
const DEST: WriteCall = W(1, { kw: 'dst' });
const WHOLE: WriteCall = W(0);
const RECEIVER: WriteCall = W(-1);

/** Python calls by their dotted name as imports resolve it (`open` matches any qualifier: see `pythonCall`). */
const PYTHON: ReadonlyMap<string, WriteCall> = new Map([
  ['os.open', W(0, { kw: 'path', mode: 1, modeKw: 'flags', flags: true })],
  ...['shutil.copy', 'shutil.copy2', 'shutil.copyfile', 'shutil.copytree', 'shutil.move', 'os.rename', 'os.replace', 'os.renames', 'os.symlink', 'os.link'].map((n) => [n, DEST] as const),
]);
/** Methods of `pathlib.Path(p)`: the receiver's path, or the argument's (`rename`, `replace`: where the file goes). */
const PATH_METHODS: ReadonlyMap<string, WriteCall> = new Map([
  ['write_text', RECEIVER], ['write_bytes', RECEIVER], ['touch', RECEIVER], ['symlink_to', RECEIVER], ['hardlink_to', RECEIVER],
  ['open', W(-1, { mode: 0, modeKw: 'mode' })], ['rename', WHOLE], ['replace', WHOLE],
]);
const PATH_CLASSES = new Set(['Path', 'pathlib.Path', 'PosixPath', 'pathlib.PosixPath', 'Pathname', 'Pathname.new']);

const PERL_OPEN: WriteCall = W(2, { perlOpen: true });
const PERL: ReadonlyMap<string, WriteCall> = new Map([
  ['sysopen', W(1, { mode: 2, flags: true })],
  ['rename', DEST], ['symlink', DEST], ['link', DEST],
  ['File.Copy.copy', DEST], ['File.Copy.move', DEST], ['File.Copy.cp', DEST], ['File.Copy.mv', DEST],
]);
const PERL_FILE_COPY: ReadonlyMap<string, WriteCall> = new Map([['copy', DEST], ['move', DEST], ['cp', DEST], ['mv', DEST]]);

const RUBY: ReadonlyMap<string, WriteCall> = new Map([
  ...['File.write', 'IO.write', 'File.binwrite', 'IO.binwrite'].map((n) => [n, WHOLE] as const),
  ...['File.open', 'File.new', 'open', 'Kernel.open'].map((n) => [n, W(0, { mode: 1, modeKw: 'mode' })] as const),
  ...['cp', 'copy', 'cp_r', 'mv', 'move', 'install', 'ln', 'ln_s', 'ln_sf', 'symlink', 'copy_file', 'copy_entry'].map((n) => [`FileUtils.${n}`, DEST] as const),
  ...['File.rename', 'File.symlink', 'File.link'].map((n) => [n, DEST] as const),
]);

const PHP: ReadonlyMap<string, WriteCall> = new Map([
  ['file_put_contents', WHOLE], ['fopen', W(0, { mode: 1 })],
  ['copy', DEST], ['rename', DEST], ['symlink', DEST], ['link', DEST], ['move_uploaded_file', DEST],
]);

/** Node's fs functions (by their last name) and the runtimes' own writers (by their full name). */
const JS_FS: ReadonlyMap<string, WriteCall> = new Map([
  ...['writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createWriteStream', 'outputFile', 'outputFileSync'].map((n) => [n, WHOLE] as const),
  ...['open', 'openSync'].map((n) => [n, W(0, { mode: 1 })] as const),
  ...['copyFile', 'copyFileSync', 'cp', 'cpSync', 'rename', 'renameSync', 'symlink', 'symlinkSync', 'link', 'linkSync'].map((n) => [n, DEST] as const),
]);
/** Names no other common API has: read as fs calls on any receiver. */
const JS_FS_DISTINCT = new Set(['writeFileSync', 'appendFileSync', 'createWriteStream', 'openSync', 'copyFileSync', 'cpSync', 'renameSync', 'symlinkSync', 'linkSync']);
const JS_FS_RECEIVERS = new Set(['fs', 'fsp', 'promises', 'fse', 'fs.promises']);
const JS_RUNTIME: ReadonlyMap<string, WriteCall> = new Map([
  ['Bun.write', WHOLE], ['Deno.writeTextFile', WHOLE], ['Deno.writeFile', WHOLE], ['Deno.writeTextFileSync', WHOLE], ['Deno.writeFileSync', WHOLE],
  ['Deno.copyFile', DEST], ['Deno.rename', DEST], ['Deno.symlink', DEST],
]);

const LUA: ReadonlyMap<string, WriteCall> = new Map([['io.open', W(0, { mode: 1 })], ['io.output', WHOLE], ['os.rename', DEST]]);

/**
 * The last names of every call above (Python's `open` under any qualifier, Perl's `open`, the path
 * classes' methods): a name token ending in none of them is no writer, and its dotted name is not built.
 */
const CALL_NAMES: ReadonlySet<string> = new Set(
  ['open', 'write', 'binwrite', ...PATH_METHODS.keys(), ...[PYTHON, PERL, PERL_FILE_COPY, RUBY, PHP, JS_FS, JS_RUNTIME, LUA].flatMap((m) => [...m.keys()])].map(lastName),
);

function lastName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('.'), name.lastIndexOf(':')) + 1);
}

/** Joins of path parts: `os.path.join(a, b)`, `path.join`, `File.join`. */
const JOINS = new Set(['os.path.join', 'posixpath.join', 'path.join', 'path.resolve', 'File.join', 'path.posix.join']);
const EXPANDS = new Set(['os.path.expanduser', 'os.path.expandvars', 'posixpath.expanduser']);
/** Flags that open a file to write (POSIX open(2), as Python's os and Perl's Fcntl name them). */
const WRITE_FLAG = /^O_(WRONLY|RDWR|CREAT|APPEND|TRUNC)$/;

const isNamed = isNameOrVar;
const isDot = (t: Token | undefined): boolean => t !== undefined && t.k === TK_OP && MEMBER.has(t.v);

/** The paths the code in `lang` (tokens `ts`, brackets `match`, values `values`) writes, each once. */
export function fileWrites(ts: readonly Token[], match: Int32Array, lang: Lang, values: CodeValues, aliases: ReadonlyMap<string, string>): string[] {
  try {
    return new FileWrites(ts, match, lang, values, aliases).read();
  } catch {
    return [];
  }
}

class FileWrites {
  private readonly out: string[] = [];
  /** Node code that names the fs module: its generic names (`writeFile`, `rename`) are fs's. */
  private readonly nodeFs: boolean;
  private readonly fileCopy: boolean;

  constructor(
    private readonly ts: readonly Token[],
    private readonly match: Int32Array,
    private readonly lang: Lang,
    private readonly values: CodeValues,
    private readonly aliases: ReadonlyMap<string, string>,
  ) {
    this.nodeFs = lang === 'js' && ts.some((t) => t.k === TK_STR && /^(node:)?fs(\/promises)?$|^fs-extra$/.test(t.v));
    this.fileCopy = lang === 'perl' && ts.some((t) => t.k === TK_NAME && t.v.startsWith('File::Copy'));
  }

  read(): string[] {
    const ts = this.ts;
    for (let i = 0; i < ts.length && this.out.length < MAX_WRITES; i++) {
      const t = ts[i]!;
      if (this.lang === 'awk') {
        if (isOp(t, '>') || isOp(t, '>>')) this.awkRedirect(i);
        continue;
      }
      if (t.k !== TK_NAME || isDot(ts[i + 1])) continue;
      // A Python name may be an import alias of a writer (`from shutil import copy as c`).
      if (!CALL_NAMES.has(lastName(t.v)) && !(this.lang === 'python' && this.aliases.has(t.v))) continue;
      const spec = this.spec(this.dottedEndingAt(i), i);
      if (spec === null) continue;
      const open = isOp(ts[i + 1], '(') ? i + 1 : -1;
      const args = open >= 0 ? this.values.argRanges(open + 1, Math.min(this.match[open]!, ts.length)) : this.bareArgs(i + 1);
      if (args !== null) this.apply(spec, args, i);
    }
    return this.out;
  }

  /** The name a callee ends with at `i`, its qualifiers joined by `.` (`shutil.copy`, `File::Copy::copy` → `File.Copy.copy`); after a call's `)` only the name itself (`Path(p).write_text`: `spec` reads the receiver). */
  private dottedEndingAt(i: number): string {
    const ts = this.ts;
    let name = ts[i]!.v;
    let j = i;
    while (isDot(ts[j - 1]) && isNamed(ts[j - 2])) {
      name = `${ts[j - 2]!.v}.${name}`;
      j -= 2;
    }
    return name.replace(/::/g, '.').replace(/^\$/, '');
  }

  /** Arguments of a call written without parentheses (Perl, Ruby): to the statement's end; null when none follow. */
  private bareArgs(k: number): ArgRange[] | null {
    if (this.lang !== 'perl' && this.lang !== 'ruby') return null;
    const end = bareArgsEnd(this.ts, this.match, this.lang, k, false);
    return end <= k ? null : this.values.argRanges(k, end);
  }

  /** How the call named `name` (its last name at `i`) writes, or null. */
  private spec(name: string, i: number): WriteCall | null {
    const last = this.ts[i]!.v;
    const before = this.ts[i - 2];
    // A method of a call's result: `Path(p).write_text(…)`, `Pathname.new(p).write(…)`.
    if (isDot(this.ts[i - 1]) && isOp(before, ')') && name === last) {
      const r = this.receiverSpec(last, i - 2);
      // `require('fs').writeFileSync(…)`: a distinct fs name on any receiver.
      return r === null && this.lang === 'js' && JS_FS_DISTINCT.has(last) ? JS_FS.get(last)! : r;
    }
    switch (this.lang) {
      case 'python':
        return this.pythonCall(name);
      case 'perl':
        if (name === 'open') return PERL_OPEN;
        return PERL.get(name) ?? (this.fileCopy ? (PERL_FILE_COPY.get(name) ?? null) : null);
      case 'ruby':
        return RUBY.get(name) ?? null;
      case 'php':
        return PHP.get(name) ?? null;
      case 'js': {
        const dot = name.lastIndexOf('.');
        const recv = dot < 0 ? '' : name.slice(0, dot);
        const fs = JS_FS.get(last);
        if (fs !== undefined && (JS_FS_DISTINCT.has(last) || JS_FS_RECEIVERS.has(recv) || recv.endsWith('.promises') || (this.nodeFs && recv === ''))) return fs;
        return JS_RUNTIME.get(name) ?? null;
      }
      case 'lua':
        return LUA.get(name) ?? null;
      default:
        return null;
    }
  }

  private pythonCall(name: string): WriteCall | null {
    const full = this.resolved(name);
    const spec = PYTHON.get(full);
    if (spec !== undefined) return spec;
    // Any module's open to write writes a file there (io, codecs, gzip, tarfile…); os.open takes flags (above).
    return full === 'open' || full.endsWith('.open') ? OPEN : null;
  }

  /** `X(p).method(…)` with the `)` of `X(p)` at `close`: a path class's writing method, reading p. */
  private receiverSpec(method: string, close: number): WriteCall | null {
    const open = this.match[close]!;
    if (open < 0 || open >= close || !isNamed(this.ts[open - 1])) return null;
    const cls = this.dottedEndingAt(open - 1);
    if (!PATH_CLASSES.has(this.lang === 'python' ? this.resolved(cls) : cls)) return null;
    if (this.lang === 'ruby') return method === 'write' || method === 'binwrite' ? RECEIVER : null;
    return PATH_METHODS.get(method) ?? null;
  }

  private apply(spec: WriteCall, args: readonly ArgRange[], i: number): void {
    const pos = args.filter((a) => a.name === null);
    const kw = (k: string | undefined): ArgRange | undefined => (k === undefined ? undefined : args.find((a) => a.name === k));
    if (spec.perlOpen === true) return this.perlOpenArgs(pos);
    if (spec.mode !== undefined) {
      const mode = pos[spec.mode] ?? kw(spec.modeKw);
      if (mode === undefined || (spec.flags === true ? !this.writeFlags(mode) : !writeMode(this.values.value(mode.a, mode.b), this.lang))) return;
    }
    if (spec.path < 0) {
      const close = i - 2;
      return this.add(this.pathOf(this.values.argRanges(this.match[close]! + 1, close)[0]));
    }
    this.add(this.pathOf(pos[spec.path] ?? kw(spec.kw)));
  }

  /** perlfunc "open": three arguments (handle, mode, path) or two (handle, mode and path in one string). */
  private perlOpenArgs(pos: readonly ArgRange[]): void {
    if (pos[1] === undefined) return;
    const mode = this.values.value(pos[1].a, pos[1].b);
    if (mode.k !== V_STR) return;
    if (pos.length >= 3) {
      if (/^\s*(\+?>{1,2}|\+<)(?!&)/.test(mode.s)) this.add(this.pathOf(pos[2]));
      return;
    }
    const m = /^\s*(\+?>{1,2}|\+<)(?!&)\s*(.*?)\s*$/s.exec(mode.s);
    if (m !== null && m[2]! !== '') this.add(m[2]!);
  }

  /** Whether a flags argument names a writing flag (`os.O_WRONLY | os.O_CREAT`, `O_WRONLY|O_APPEND`). */
  private writeFlags(r: ArgRange): boolean {
    for (let k = r.a; k < r.b; k++) if (this.ts[k]!.k === TK_NAME && WRITE_FLAG.test(this.ts[k]!.v)) return true;
    return false;
  }

  /** awk's output redirection (POSIX awk "Output Statements"): `print … > expr` in a print or printf statement. */
  private awkRedirect(i: number): void {
    let k = i - 1;
    for (; k >= 0; k--) {
      const t = this.ts[k]!;
      if (t.k === TK_NL || (t.k === TK_OP && (t.v === ';' || t.v === '{' || t.v === '}'))) break;
      // Inside parentheses `>` compares (`print ($1 > "x")`, `if ($2 > "y")`); a group before it is stepped over.
      if (isOp(t, '(')) return;
      if (t.k === TK_OP && t.v === ')' && this.match[k]! < k) k = this.match[k]!;
    }
    const first = this.ts[k + 1];
    if (first === undefined || first.k !== TK_NAME || (first.v !== 'print' && first.v !== 'printf')) return;
    let end = i + 1;
    while (end < this.ts.length && !(this.ts[end]!.k === TK_NL || (this.ts[end]!.k === TK_OP && (this.ts[end]!.v === ';' || this.ts[end]!.v === '}' || this.ts[end]!.v === '|')))) end++;
    if (end > i + 1) this.add(this.pathOf({ name: null, a: i + 1, b: end }));
  }

  /** The path an argument spells: joins (`os.path.join(a, b)`) and `expanduser(p)` read through, else its value's text; null when none of it is known. */
  private pathOf(r: ArgRange | undefined, depth = 0): string | null {
    if (r === undefined) return null;
    const call = this.wholeCall(r);
    if (call !== null && depth < 4) {
      const parts = this.values.argRanges(call.open + 1, r.b - 1);
      if (JOINS.has(call.name) && parts.length > 0) {
        let path = '';
        for (const p of parts) {
          const s = this.pathOf(p, depth + 1) ?? HOLE;
          path = s.startsWith('/') || path === '' ? s : `${path.replace(/\/+$/, '')}/${s}`;
        }
        return path === HOLE ? null : path;
      }
      if (EXPANDS.has(call.name)) return this.pathOf(parts[0], depth + 1);
    }
    // A name assigned once: what it was assigned (a join is no value CodeValues knows).
    let a = r.a;
    while (this.ts[a]?.k === TK_NL) a++;
    const bound = a + 1 === r.b && isNamed(this.ts[a]) && depth < 4 ? this.values.bindingOf(this.ts[a]!.v) : undefined;
    if (bound !== undefined) return this.pathOf({ name: null, a: bound[0], b: bound[1] }, depth + 1);
    const v = this.values.value(r.a, r.b);
    return v.k === V_STR && v.s !== HOLE ? v.s : null;
  }

  /** When [r.a, r.b) is one call `name(…)` and nothing else: its dotted name and its `(`; else null. */
  private wholeCall(r: ArgRange): { name: string; open: number } | null {
    let a = r.a;
    while (this.ts[a]?.k === TK_NL) a++;
    let j = a;
    while (isNamed(this.ts[j]) && isDot(this.ts[j + 1])) j += 2;
    if (!isNamed(this.ts[j]) || !isOp(this.ts[j + 1], '(') || Math.min(this.match[j + 1]!, this.ts.length) + 1 < r.b) return null;
    const name = this.dottedEndingAt(j);
    return { name: this.lang === 'python' ? this.resolved(name) : name, open: j + 1 };
  }

  /** A Python dotted name through the code's imports (`from os import path as p`: `p.join` → `os.path.join`). */
  private resolved(name: string): string {
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    const alias = this.aliases.get(head);
    return alias === undefined ? name : alias + name.slice(head.length);
  }

  private add(path: string | null): void {
    if (path === null || path === '' || this.out.length >= MAX_WRITES || this.out.includes(path)) return;
    this.out.push(path);
  }
}

/** Whether an open mode writes: Python / Ruby / Lua `w`, `a`, `x`, `+`; PHP also `c`; Node's flags `w`, `a`, `+`. */
function writeMode(mode: Val | undefined, lang: Lang): boolean {
  if (mode === undefined || mode.k !== V_STR) return false;
  return (lang === 'php' ? /[waxc+]/ : /[wax+]/).test(mode.s);
}
