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
 * - saves weights to it: Python `torch.save(obj, p)`, safetensors `save_file(tensors, p)` /
 *   `save_model(model, p)`, `numpy.save(p, a)` / `savez`, `joblib.dump(obj, p)`, a model's or
 *   dataset's `save_pretrained(d)` / `save_to_disk(d)`; or a table: pandas' `df.to_parquet(p)` /
 *   `to_csv`…, pyarrow's `write_table(t, p)` / `write_feather`;
 * - gives a file that path: Python `shutil.copy` / `copy2` / `copyfile` / `copytree` / `move`,
 *   `os.rename` / `replace` / `symlink` / `link` (the destination), `Path(a).rename(p)` /
 *   `symlink_to`; Perl `rename` / `symlink` / `link`, File::Copy `copy` / `move`; Ruby `FileUtils.cp`
 *   / `mv` / `install` / `ln_s`…, `File.rename` / `symlink`; PHP `copy` / `rename` / `symlink`;
 *   Node `fs.copyFile(Sync)` / `cp(Sync)` / `rename(Sync)` / `symlink(Sync)`; Lua `os.rename`;
 * - awk `print … > "p"` / `>> "p"` (printf too).
 * Paths are read as exec-interpreter-path-value.ts reads them: argument values (literals,
 * concatenations, names assigned once; HOLE where a part is known only at run time), joins, the
 * home directory, path objects (`(Path.home() / '.ssh' / 'authorized_keys').open('a')`,
 * `p = Path('/etc/cron.d') / 'x'; p.write_text(…)`), and a relative path placed in the directory
 * the code changed to (`os.chdir('/etc/cron.d'); open('x', 'w')`). Python names go through the
 * code's imports (`from shutil import copy as c`). Node's
 * generic names (`open`, `rename`, `cp`, `writeFile`) count only on an `fs` receiver or in code that
 * names the fs module; Perl's bare `copy` / `move` only in code that names File::Copy.
 * The text a call writes whole into a place that runs it is kept with its path (`texts`), for what
 * it will run there (exec-persisted-runs.ts): the data argument of the whole-file writers (`File.write(p, c)`,
 * `file_put_contents`, `fs.writeFileSync`, `Bun.write`, `Deno.writeTextFile`, `Path(p).write_text(c)`,
 * `Pathname(p).write(c)`), and in Python what a file opened to write is given by `write(c)`: on the
 * call itself (`open(p, 'a').write(c)`) or on its handle (`with open(p, 'a') as f:`, `f = open(p,
 * 'w')`, then `f.write(c)`), joined in order.
 * Bounded: one pass over the tokens, MAX_WRITES paths, MAX_WRITTEN_TEXTS texts; never throws.
 */
import { bareArgsEnd } from './exec-interpreter-callsite.js';
import { MEMBER } from './exec-interpreter-bindings.js';
import { PathValues } from './exec-interpreter-path-value.js';
import { runsFrom } from './exec-persisted-runs.js';
import { isOp, onlyHoles, TK_NAME, TK_NL, TK_OP, TK_STR, type Lang, type Token } from './exec-interpreter-token.js';
import { V_STR, type ArgRange, type CodeValues, type Val } from './exec-interpreter-value.js';
import { MAX_VALUE_CHARS, strVal } from './exec-interpreter-value-type.js';

/** Paths one code text gives. */
export const MAX_WRITES = 16;
/** Texts written whole that one code text gives. */
export const MAX_WRITTEN_TEXTS = 4;

/** What one code text writes: the paths, and the texts it writes whole with the path of each. */
export interface FileWritesRead {
  paths: string[];
  texts: WrittenText[];
}

export interface WrittenText {
  path: string;
  text: Val;
}

/** How a call names the path it writes: the argument holding it, and a mode argument that must say "write". */
interface WriteCall {
  /** Positional index of the path (-1: the receiver's call, `Path(p).write_text()`). */
  path: number;
  /** Its keyword, where the language has keywords. */
  kw?: string;
  /** Positional index of an open mode (`'w'`) or flags (`O_WRONLY`) that must write; absent: the call always writes. */
  mode?: number;
  modeKw?: string;
  /** Positional index of the text written whole (and its keyword). */
  data?: number;
  dataKw?: string;
  /** The mode is a flags expression (`os.O_WRONLY | os.O_CREAT`), not a mode string. */
  flags?: true;
  /** Perl's open, whose mode may lead the path in one string (`perlOpenArgs`). */
  perlOpen?: true;
}

const W = (path: number, more: Omit<WriteCall, 'path'> = {}): WriteCall => ({ path, ...more });
const OPEN: WriteCall = W(0, { kw: 'file', mode: 1, modeKw: 'mode' });
const DEST: WriteCall = W(1, { kw: 'dst' });
const WHOLE: WriteCall = W(0);
/** A whole-file writer given its text after the path (`File.write(p, c)`, `fs.writeFileSync(p, c)`). */
const WHOLE_DATA: WriteCall = W(0, { data: 1, dataKw: 'data' });
const RECEIVER: WriteCall = W(-1);
/** A path object's whole-file writer given its text (`Path(p).write_text(c)`, `Pathname(p).write(c)`). */
const RECEIVER_DATA: WriteCall = W(-1, { data: 0, dataKw: 'data' });

/** Python calls by their dotted name as imports resolve it (`open` matches any qualifier: see `pythonCall`). */
const PYTHON: ReadonlyMap<string, WriteCall> = new Map([
  ['os.open', W(0, { kw: 'path', mode: 1, modeKw: 'flags', flags: true })],
  ...['shutil.copy', 'shutil.copy2', 'shutil.copyfile', 'shutil.copytree', 'shutil.move', 'os.rename', 'os.replace', 'os.renames', 'os.symlink', 'os.link'].map((n) => [n, DEST] as const),
  // Weights saved: PyTorch, safetensors, NumPy, joblib (each library's reference: the file argument and its keyword).
  ['torch.save', W(1, { kw: 'f' })],
  ...['safetensors.torch.save_file', 'safetensors.numpy.save_file', 'safetensors.torch.save_model'].map((n) => [n, W(1, { kw: 'filename' })] as const),
  ...['numpy.save', 'numpy.savez', 'numpy.savez_compressed'].map((n) => [n, W(0, { kw: 'file' })] as const),
  ['joblib.dump', W(1, { kw: 'filename' })],
  // Tables written: pyarrow's Parquet and Feather writers (the table first, then where).
  ['pyarrow.parquet.write_table', W(1, { kw: 'where' })],
  ['pyarrow.feather.write_feather', W(1, { kw: 'dest' })],
]);
/**
 * Python methods that write to the path they are given, on any receiver (a DataFrame, a model, a
 * dataset: the receiver's type is not known, and no other common API has these names): pandas'
 * `df.to_parquet(p)`, `to_csv`, `to_json`, `to_pickle`, `to_feather`, `to_hdf`, `to_orc`,
 * `to_excel`; Hugging Face's `model.save_pretrained(d)` (transformers, diffusers, tokenizers,
 * PEFT) and `datasets`' `save_to_disk(d)`. A call given no path (`df.to_json()` returns text)
 * writes nothing.
 */
const PYTHON_ANY_RECEIVER: ReadonlyMap<string, WriteCall> = new Map([
  ...['to_parquet', 'to_pickle', 'to_feather', 'to_orc'].map((n) => [n, W(0, { kw: 'path' })] as const),
  ...['to_csv', 'to_json', 'to_hdf'].map((n) => [n, W(0, { kw: 'path_or_buf' })] as const),
  ['to_excel', W(0, { kw: 'excel_writer' })],
  ['save_pretrained', W(0, { kw: 'save_directory' })],
  ['save_to_disk', W(0, { kw: 'dataset_path' })],
]);
/** Methods of `pathlib.Path(p)`: the receiver's path, or the argument's (`rename`, `replace`: where the file goes). */
const PATH_METHODS: ReadonlyMap<string, WriteCall> = new Map([
  ['write_text', RECEIVER_DATA], ['write_bytes', RECEIVER_DATA], ['touch', RECEIVER], ['symlink_to', RECEIVER], ['hardlink_to', RECEIVER],
  ['open', W(-1, { mode: 0, modeKw: 'mode' })], ['rename', WHOLE], ['replace', WHOLE],
]);

const PERL_OPEN: WriteCall = W(2, { perlOpen: true });
const PERL: ReadonlyMap<string, WriteCall> = new Map([
  ['sysopen', W(1, { mode: 2, flags: true })],
  ['rename', DEST], ['symlink', DEST], ['link', DEST],
  ['File.Copy.copy', DEST], ['File.Copy.move', DEST], ['File.Copy.cp', DEST], ['File.Copy.mv', DEST],
]);
const PERL_FILE_COPY: ReadonlyMap<string, WriteCall> = new Map([['copy', DEST], ['move', DEST], ['cp', DEST], ['mv', DEST]]);

const RUBY: ReadonlyMap<string, WriteCall> = new Map([
  ...['File.write', 'IO.write', 'File.binwrite', 'IO.binwrite'].map((n) => [n, WHOLE_DATA] as const),
  ...['File.open', 'File.new', 'open', 'Kernel.open'].map((n) => [n, W(0, { mode: 1, modeKw: 'mode' })] as const),
  ...['cp', 'copy', 'cp_r', 'mv', 'move', 'install', 'ln', 'ln_s', 'ln_sf', 'symlink', 'copy_file', 'copy_entry'].map((n) => [`FileUtils.${n}`, DEST] as const),
  ...['File.rename', 'File.symlink', 'File.link'].map((n) => [n, DEST] as const),
]);

const PHP: ReadonlyMap<string, WriteCall> = new Map([
  ['file_put_contents', WHOLE_DATA], ['fopen', W(0, { mode: 1 })],
  ['copy', DEST], ['rename', DEST], ['symlink', DEST], ['link', DEST], ['move_uploaded_file', DEST],
]);

/** Node's fs functions (by their last name) and the runtimes' own writers (by their full name). */
const JS_FS: ReadonlyMap<string, WriteCall> = new Map([
  ...['writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'outputFile', 'outputFileSync'].map((n) => [n, WHOLE_DATA] as const),
  ['createWriteStream', WHOLE],
  ...['open', 'openSync'].map((n) => [n, W(0, { mode: 1 })] as const),
  ...['copyFile', 'copyFileSync', 'cp', 'cpSync', 'rename', 'renameSync', 'symlink', 'symlinkSync', 'link', 'linkSync'].map((n) => [n, DEST] as const),
]);
/** Names no other common API has: read as fs calls on any receiver. */
const JS_FS_DISTINCT = new Set(['writeFileSync', 'appendFileSync', 'createWriteStream', 'openSync', 'copyFileSync', 'cpSync', 'renameSync', 'symlinkSync', 'linkSync']);
const JS_FS_RECEIVERS = new Set(['fs', 'fsp', 'promises', 'fse', 'fs.promises']);
const JS_RUNTIME: ReadonlyMap<string, WriteCall> = new Map([
  ...['Bun.write', 'Deno.writeTextFile', 'Deno.writeFile', 'Deno.writeTextFileSync', 'Deno.writeFileSync'].map((n) => [n, WHOLE_DATA] as const),
  ['Deno.copyFile', DEST], ['Deno.rename', DEST], ['Deno.symlink', DEST],
]);

const LUA: ReadonlyMap<string, WriteCall> = new Map([['io.open', W(0, { mode: 1 })], ['io.output', WHOLE], ['os.rename', DEST]]);

/**
 * The last names of every call above (Python's `open` under any qualifier, Perl's `open`, the path
 * classes' methods): a name token ending in none of them is no writer, and its dotted name is not built.
 */
const CALL_NAMES: ReadonlySet<string> = new Set(
  ['open', 'write', 'binwrite', 'chdir', ...PATH_METHODS.keys(), ...PYTHON_ANY_RECEIVER.keys(), ...[PYTHON, PERL, PERL_FILE_COPY, RUBY, PHP, JS_FS, JS_RUNTIME, LUA].flatMap((m) => [...m.keys()])].map(lastName),
);

function lastName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('.'), name.lastIndexOf(':')) + 1);
}

/** Flags that open a file to write (POSIX open(2), as Python's os and Perl's Fcntl name them). */
const WRITE_FLAG = /^O_(WRONLY|RDWR|CREAT|APPEND|TRUNC)$/;

const isDot = (t: Token | undefined): boolean => t !== undefined && t.k === TK_OP && MEMBER.has(t.v);

/** The paths the code in `lang` (tokens `ts`, brackets `match`, values `values`) writes, each once, and the texts it writes whole. */
export function fileWrites(ts: readonly Token[], match: Int32Array, lang: Lang, values: CodeValues, aliases: ReadonlyMap<string, string>): FileWritesRead {
  try {
    return new FileWrites(ts, match, lang, values, aliases).read();
  } catch {
    return { paths: [], texts: [] };
  }
}

class FileWrites {
  private readonly out: string[] = [];
  private readonly texts: WrittenText[] = [];
  /** Per name, where it is given a `.write(` or bound again (`name =`), in token order: made on first use, in one pass. */
  private handleUses: Map<string, number[]> | null = null;
  /** Node code that names the fs module: its generic names (`writeFile`, `rename`) are fs's. */
  private readonly nodeFs: boolean;
  private readonly fileCopy: boolean;
  private readonly paths: PathValues;
  /** The path of the receiver of the call `spec` last read as a path object's method (`Path(p).write_text`). */
  private recvPath: string | null = null;

  constructor(
    private readonly ts: readonly Token[],
    private readonly match: Int32Array,
    private readonly lang: Lang,
    private readonly values: CodeValues,
    private readonly aliases: ReadonlyMap<string, string>,
  ) {
    this.nodeFs = lang === 'js' && ts.some((t) => t.k === TK_STR && /^(node:)?fs(\/promises)?$|^fs-extra$/.test(t.v));
    this.fileCopy = lang === 'perl' && ts.some((t) => t.k === TK_NAME && t.v.startsWith('File::Copy'));
    this.paths = new PathValues(ts, match, lang, values, aliases);
  }

  read(): FileWritesRead {
    const ts = this.ts;
    for (let i = 0; i < ts.length && this.out.length < MAX_WRITES; i++) {
      const t = ts[i]!;
      if (this.lang === 'awk') {
        if (isOp(t, '>') || isOp(t, '>>')) this.awkRedirect(i);
        continue;
      }
      if (t.k !== TK_NAME || isDot(ts[i + 1])) continue;
      // A Python name may be an import alias of a writer (`from shutil import copy as c`).
      const last = lastName(t.v);
      if (!CALL_NAMES.has(last) && !(this.lang === 'python' && this.aliases.has(t.v))) continue;
      const name = this.paths.dottedEndingAt(i);
      const spec = this.spec(name, i);
      const chdir = spec === null && last === 'chdir';
      if (spec === null && !chdir) continue;
      const open = isOp(ts[i + 1], '(') ? i + 1 : -1;
      const args = open >= 0 ? this.values.argRanges(open + 1, Math.min(this.match[open]!, ts.length)) : this.bareArgs(i + 1);
      if (chdir) this.paths.changesDir(name, args ?? []);
      else if (args !== null) {
        const path = this.apply(spec!, args);
        if (path !== null && open >= 0 && this.lang === 'python' && spec!.mode !== undefined && runsFrom(path)) this.pythonHandleWrites(path, i, this.match[open]!);
      }
    }
    return { paths: this.out, texts: this.texts };
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
    // A path object's method: `Path(p).write_text(…)`, `(Path.home() / '.bashrc').open('a')`, `p.write_text(…)`, `Pathname.new(p).write(…)`.
    if (isDot(this.ts[i - 1]) && (this.lang === 'python' || this.lang === 'ruby')) {
      const r = this.receiverSpec(last, i);
      if (r !== null) return r;
    }
    // A Python writer method on any receiver (`df.to_parquet(p)`, `pd.read_csv(a).to_csv(p)`, `model.save_pretrained(d)`).
    if (this.lang === 'python' && isDot(this.ts[i - 1])) {
      const m = PYTHON_ANY_RECEIVER.get(last);
      if (m !== undefined) return m;
    }
    // Another method of a call's result is no writer here, but `require('fs').writeFileSync(…)`: a distinct fs name on any receiver.
    if (isDot(this.ts[i - 1]) && isOp(this.ts[i - 2], ')') && name === last) return this.lang === 'js' && JS_FS_DISTINCT.has(last) ? JS_FS.get(last)! : null;
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
    const full = this.paths.resolved(name);
    const spec = PYTHON.get(full);
    if (spec !== undefined) return spec;
    // Any module's open to write writes a file there (io, codecs, gzip, tarfile…); os.open takes flags (above).
    return full === 'open' || full.endsWith('.open') ? OPEN : null;
  }

  /** The method `method` at `i` of a path object (Python's pathlib, Ruby's Pathname): how it writes, with its receiver's path kept in `recvPath`; else null. */
  private receiverSpec(method: string, i: number): WriteCall | null {
    const spec = this.lang === 'ruby' ? (method === 'write' || method === 'binwrite' ? RECEIVER_DATA : null) : (PATH_METHODS.get(method) ?? null);
    if (spec === null) return null;
    const start = this.paths.chainStart(i - 2);
    const recv = start < 0 ? null : this.paths.read(start, i - 1);
    if (recv === null || !recv.object) return null;
    this.recvPath = recv.path;
    return spec;
  }

  /** Adds the path the call writes (with the text it writes whole, if it gives one); returns that path, placed, or null. */
  private apply(spec: WriteCall, args: readonly ArgRange[]): string | null {
    const pos = args.filter((a) => a.name === null);
    const kw = (k: string | undefined): ArgRange | undefined => (k === undefined ? undefined : args.find((a) => a.name === k));
    if (spec.perlOpen === true) {
      this.perlOpenArgs(pos);
      return null;
    }
    if (spec.mode !== undefined) {
      const mode = pos[spec.mode] ?? kw(spec.modeKw);
      if (mode === undefined || (spec.flags === true ? !this.writeFlags(mode) : !writeMode(this.values.value(mode.a, mode.b), this.lang))) return null;
    }
    const path = this.add(spec.path < 0 ? this.recvPath : this.paths.of(pos[spec.path] ?? kw(spec.kw)));
    const data = spec.data === undefined ? undefined : (pos[spec.data] ?? kw(spec.dataKw));
    if (path !== null && data !== undefined) this.text(path, this.values.value(data.a, data.b));
    return path;
  }

  /**
   * What a Python file opened to write (the call at `nameAt`, its `)` at `close`) is given by
   * `write`: on the call itself, or on the name it is bound to (`with … as f`, `f = …`) after it.
   */
  private pythonHandleWrites(path: string, nameAt: number, close: number): void {
    const ts = this.ts;
    if (writeCallAt(ts, close + 1)) return this.text(path, this.firstArg(close + 3));
    let handle: string | null = null;
    if (ts[close + 1]?.k === TK_NAME && ts[close + 1]!.v === 'as' && ts[close + 2]?.k === TK_NAME) handle = ts[close + 2]!.v;
    else {
      const start = this.paths.chainStart(nameAt);
      if (start >= 2 && isOp(ts[start - 1], '=') && ts[start - 2]!.k === TK_NAME && !isDot(ts[start - 3])) handle = ts[start - 2]!.v;
    }
    if (handle === null) return;
    const parts: Val[] = [];
    for (const k of this.usesOf(handle)) {
      if (k <= close) continue;
      // A new binding of the name ends this file's writes.
      if (isOp(ts[k + 1], '=') || parts.length >= MAX_HANDLE_WRITES) break;
      const v = this.firstArg(k + 3);
      if (v === undefined || v.k !== V_STR || v.bin) break;
      parts.push(v);
    }
    if (parts.length > 0) this.text(path, joined(parts));
  }

  private usesOf(name: string): readonly number[] {
    if (this.handleUses === null) {
      this.handleUses = new Map();
      const ts = this.ts;
      for (let k = 1; k < ts.length; k++) {
        const t = ts[k]!;
        if (t.k !== TK_NAME || isDot(ts[k - 1]) || !(isOp(ts[k + 1], '=') || writeCallAt(ts, k + 1))) continue;
        const uses = this.handleUses.get(t.v);
        if (uses === undefined) this.handleUses.set(t.v, [k]);
        else uses.push(k);
      }
    }
    return this.handleUses.get(name) ?? [];
  }

  /** The value of the first argument of the call whose `(` is at `open`. */
  private firstArg(open: number): Val | undefined {
    const first = this.values.argRanges(open + 1, Math.min(this.match[open]!, this.ts.length))[0];
    return first === undefined || first.name !== null ? undefined : this.values.value(first.a, first.b);
  }

  private text(path: string, v: Val | undefined): void {
    if (!runsFrom(path) || v === undefined || v.k !== V_STR || v.bin || v.s.trim() === '' || onlyHoles(v.s) || this.texts.length >= MAX_WRITTEN_TEXTS) return;
    this.texts.push({ path, text: v });
  }

  /** perlfunc "open": three arguments (handle, mode, path) or two (handle, mode and path in one string). */
  private perlOpenArgs(pos: readonly ArgRange[]): void {
    if (pos[1] === undefined) return;
    const mode = this.values.value(pos[1].a, pos[1].b);
    if (mode.k !== V_STR) return;
    if (pos.length >= 3) {
      if (/^\s*(\+?>{1,2}|\+<)(?!&)/.test(mode.s)) this.add(this.paths.of(pos[2]));
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
    if (end > i + 1) this.add(this.paths.of({ name: null, a: i + 1, b: end }));
  }

  private add(written: string | null): string | null {
    if (written === null || written === '') return null;
    const path = this.paths.placed(written);
    if (this.out.length < MAX_WRITES && !this.out.includes(path)) this.out.push(path);
    return path;
  }
}

/** `write` calls given to one handle that are joined. */
const MAX_HANDLE_WRITES = 16;

/** Whether tokens at `k` are `.write(`. */
function writeCallAt(ts: readonly Token[], k: number): boolean {
  return isDot(ts[k]) && ts[k + 1]?.k === TK_NAME && ts[k + 1]!.v === 'write' && isOp(ts[k + 2], '(');
}

/** Texts written one after another, as one text (how each came about, together). */
function joined(parts: readonly Val[]): Val {
  if (parts.length === 1) return parts[0]!;
  let how = 0;
  for (const p of parts) how |= p.how;
  return strVal(parts.map((p) => p.s).join('').slice(0, MAX_VALUE_CHARS), how);
}

/** Whether an open mode writes: Python / Ruby / Lua `w`, `a`, `x`, `+`; PHP also `c`; Node's flags `w`, `a`, `+`. */
function writeMode(mode: Val | undefined, lang: Lang): boolean {
  if (mode === undefined || mode.k !== V_STR) return false;
  return (lang === 'php' ? /[waxc+]/ : /[wax+]/).test(mode.s);
}
