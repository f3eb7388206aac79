/**
 * Python code that stages files for exfiltration without a shell, read as the command lines that do
 * the same (exec-interpreter-transfer.ts says why a call is read as a run), so the staging rules
 * (MLS-EXFIL-013 packing and copying, MLS-EXFIL-043 encoding) read them as they read the tools:
 * - `shutil.make_archive(base_name, format, root_dir[, base_dir])` → `tar czf BASE.tar.gz ROOT` for
 *   the tar formats, `zip -r BASE.zip ROOT` for zip (ROOT/BASE_DIR when a base directory is given);
 * - `tarfile.open(p, 'w…')` (also `tarfile.TarFile(p, 'w')`) then `.add(src)` on it, directly or
 *   through a name bound once → `tar cf P SRC`; `zipfile.ZipFile(p, 'w' | 'a' | 'x').write(src)` →
 *   `zip P SRC`;
 * - `shutil.copytree(src, dst)` → `cp -r SRC DST`; `shutil.copy` / `copy2` / `copyfile(src, dst)` →
 *   `cp SRC DST` (the destination is already among the code's writes: exec-interpreter-file-writes.ts);
 *   `shutil.move` / `os.rename` / `os.replace` / `os.renames(src, dst)` → `mv SRC DST`;
 * - weights loaded and saved again, the save given the load itself or a name bound to it once, with
 *   any indexing or method between (`torch.save(torch.load(p)['model'], q)`, `sd = torch.load(p);
 *   torch.save(sd, q)`, safetensors' `save_file(load_file(p), q)`, `save_file(torch.load(p), q)`) →
 *   `cp P Q`: the file's weights given a new path, in another format perhaps;
 * - `base64.b64encode` / `b32encode` / `encodebytes` / `b85encode` of a file's contents
 *   (`b64encode(open(p, 'rb').read())`) → `base64 P`;
 * - `zlib` / `gzip` / `bz2` / `lzma` `.compress` of a file's contents → `gzip -c P` (`bzip2 -c`,
 *   `xz -c`); the third-party compressors' too (`zstandard.ZstdCompressor().compress(…)`, `zstd`,
 *   `pyzstd` → `zstd -c P`; `lz4.frame.compress` → `lz4 -c P`; `brotli.compress` → `brotli -c P`),
 *   and Python 3.14's `compression.<module>`; a file copied into a compressed file opened to write
 *   (`shutil.copyfileobj(open(p, 'rb'), gzip.open(out, 'wb'))`, `lz4.frame.open(out, 'wb').write(…)`,
 *   `compressedCopy`) → `gzip -c P`.
 * Each run ends in a marker word naming the call. An archive opened to read, a path the code does
 * not spell (HOLE) and an encoding of data that is no file read are read as nothing more than they
 * are: the run keeps HOLE, or none is made. The chain must start at the module's import; never throws.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { callNamed, type ArgRanges, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { V_STR } from './exec-interpreter-value.js';

const COPIES = new Set(['copy', 'copy2', 'copyfile']);
const OS_MOVES = new Set(['rename', 'replace', 'renames']);
/** Weights loaders from a file by library (PyTorch's; safetensors' and safetensors.torch's `load_file`: its `load` takes bytes). */
const WEIGHT_LOADS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['torch', new Set(['load'])],
  ['safetensors', new Set(['load_file'])],
]);
const ENCODERS = new Set(['b64encode', 'standard_b64encode', 'urlsafe_b64encode', 'encodebytes', 'b32encode', 'b85encode', 'a85encode']);
const TAR_OPENS = new Set(['open', 'TarFile']);
/** Python's compression modules (the standard library's and common third-party ones) and the command-line tool each stands for. */
export const COMPRESSORS: ReadonlyMap<string, string> = new Map([
  ['zlib', 'gzip'], ['gzip', 'gzip'], ['bz2', 'bzip2'], ['lzma', 'xz'],
  ['zstandard', 'zstd'], ['zstd', 'zstd'], ['pyzstd', 'zstd'], ['lz4', 'lz4'], ['brotli', 'brotli'],
]);
/** The calls that open a compressed file (`gzip.open`, `bz2.BZ2File`, `lzma.LZMAFile`, `gzip.GzipFile`, `lz4.frame.LZ4FrameFile`, `pyzstd.ZstdFile`). */
const COMPRESSED_OPENS = new Set(['open', 'GzipFile', 'BZ2File', 'LZMAFile', 'LZ4FrameFile', 'ZstdFile']);

/** The compression module a rooted chain starts at (Python 3.14's `compression.zstd` is `zstd`), or null. */
function compressionModule(c: Chain): string | null {
  const s = c.steps;
  const name = s[0]!.name === 'compression' && s.length > 1 ? s[1]!.name : s[0]!.name;
  return COMPRESSORS.has(name) ? name : null;
}

const marker = (name: string): Word => [`#${name}`, 0];

/** The staging run the rooted Python call `c(…)` (`fn` its method) makes, or null. */
export function stagingTransfer(ctx: TransferContext, c: Chain, fn: string, call: Step): Transfer | null {
  switch (c.steps[0]!.name) {
    case 'shutil':
      if (fn === 'make_archive') return makeArchive(ctx, call);
      if (fn === 'copytree') return copy(ctx, call, true, 'shutil.copytree');
      if (fn === 'move') return move(ctx, call, 'shutil.move');
      return COPIES.has(fn) ? copy(ctx, call, false, `shutil.${fn}`) : null;
    case 'os':
      return OS_MOVES.has(fn) ? move(ctx, call, `os.${fn}`) : null;
    case 'torch':
      return fn === 'save' ? resave(ctx, call, 'obj', 'f', 'torch.save') : null;
    case 'safetensors':
      return fn === 'save_file' ? resave(ctx, call, 'tensors', 'filename', 'safetensors.save_file') : null;
    case 'tarfile':
      return fn === 'add' ? tarAdd(ctx, c, call) : null;
    case 'zipfile':
      return fn === 'write' ? zipWrite(ctx, c, call) : null;
    case 'base64':
      return ENCODERS.has(fn) ? encode(ctx, fn, call) : null;
    default: {
      const module = compressionModule(c);
      return module !== null && fn === 'compress' ? compress(ctx, module, call) : null;
    }
  }
}

/** The text of a mode argument, or null when the code does not spell it. */
function modeOf(ctx: TransferContext, range: [number, number] | undefined): string | null {
  if (range === undefined) return null;
  const v = ctx.chains.values.value(range[0], range[1]);
  return v.k === V_STR ? v.s : null;
}

/**
 * True when an open call's mode (its second argument or `mode=`) starts with `w`, `a` or `x`. At the
 * start only: tarfile's `'r:xz'` reads (the transfer context's `writeMode`, for `open`'s own modes,
 * looks anywhere, as `'rb+'`-style modes need).
 */
function opensToWrite(ctx: TransferContext, oa: ArgRanges): boolean {
  const mode = modeOf(ctx, oa.pos[1] ?? oa.kw.get('mode'));
  return mode !== null && /^[wax]/.test(mode);
}

function makeArchive(ctx: TransferContext, call: Step): Transfer | null {
  const a = ctx.args(call);
  const base = ctx.word(a.pos[0] ?? a.kw.get('base_name'));
  const format = modeOf(ctx, a.pos[1] ?? a.kw.get('format'));
  const rootRange = a.pos[2] ?? a.kw.get('root_dir');
  const baseDirRange = a.pos[3] ?? a.kw.get('base_dir');
  // Without a root directory the archive is of the working directory.
  let root: Word = rootRange === undefined ? ['.', 0] : ctx.word(rootRange);
  if (baseDirRange !== undefined) {
    const bd = ctx.word(baseDirRange);
    root = [`${root[0]}/${bd[0]}`, root[1] | bd[1]];
  }
  if (format === 'zip') return { words: [['zip', 0], ['-r', 0], [`${base[0]}.zip`, base[1]], root, marker('shutil.make_archive')] };
  return { words: [['tar', 0], ['czf', 0], [`${base[0]}.tar.gz`, base[1]], root, marker('shutil.make_archive')] };
}

function copy(ctx: TransferContext, call: Step, tree: boolean, name: string): Transfer | null {
  const a = ctx.args(call);
  const src = ctx.word(a.pos[0] ?? a.kw.get('src'));
  const dst = ctx.word(a.pos[1] ?? a.kw.get('dst'));
  return { words: [['cp', 0], ...(tree ? [['-r', 0] as Word] : []), src, dst, marker(name)] };
}

function move(ctx: TransferContext, call: Step, name: string): Transfer | null {
  const a = ctx.args(call);
  return { words: [['mv', 0], ctx.word(a.pos[0] ?? a.kw.get('src')), ctx.word(a.pos[1] ?? a.kw.get('dst')), marker(name)] };
}

/** A weights save (its object first, its file second) given weights a loader read from a file: `cp LOADED SAVED`. */
function resave(ctx: TransferContext, call: Step, objKw: string, fileKw: string, name: string): Transfer | null {
  const a = ctx.args(call);
  const obj = a.pos[0] ?? a.kw.get(objKw);
  const file = a.pos[1] ?? a.kw.get(fileKw);
  const from = obj === undefined ? null : ctx.chains.chain(obj[0], obj[1]);
  if (from === null || !from.rooted || file === undefined) return null;
  const loads = WEIGHT_LOADS.get(from.steps[0]!.name);
  const load = loads === undefined ? null : callNamed(from, loads);
  if (load === null) return null;
  const la = ctx.args(load);
  return { words: [['cp', 0], ctx.word(la.pos[0] ?? la.kw.get('f') ?? la.kw.get('filename')), ctx.word(file), marker(name)] };
}

/** `.add(src)` on a tar archive opened to write (`tarfile.open(p, 'w:gz')`). */
function tarAdd(ctx: TransferContext, c: Chain, call: Step): Transfer | null {
  const open = callNamed(c, TAR_OPENS);
  if (open === null) return null;
  const oa = ctx.args(open);
  if (!opensToWrite(ctx, oa)) return null;
  const a = ctx.args(call);
  return { words: [['tar', 0], ['cf', 0], ctx.word(oa.pos[0] ?? oa.kw.get('name')), ctx.word(a.pos[0] ?? a.kw.get('name')), marker('tarfile.add')] };
}

/** `.write(src)` on a zip archive opened to write (`zipfile.ZipFile(p, 'w')`). */
function zipWrite(ctx: TransferContext, c: Chain, call: Step): Transfer | null {
  const open = callNamed(c, new Set(['ZipFile']));
  if (open === null) return null;
  const oa = ctx.args(open);
  if (!opensToWrite(ctx, oa)) return null;
  const a = ctx.args(call);
  return { words: [['zip', 0], ctx.word(oa.pos[0] ?? oa.kw.get('file')), ctx.word(a.pos[0] ?? a.kw.get('filename')), marker('zipfile.write')] };
}

/** An encoder given a file's contents (`b64encode(open(p, 'rb').read())`); other data is no file staged. */
function encode(ctx: TransferContext, fn: string, call: Step): Transfer | null {
  const f = ctx.fileOf(ctx.args(call).pos[0]);
  if (f === null || f.write) return null;
  return { words: [[fn.startsWith('b32') ? 'base32' : 'base64', 0], f.path, marker(`base64.${fn}`)] };
}

/** A compression module's `compress` given a file's contents (`zlib.compress(open(p, 'rb').read())`). */
function compress(ctx: TransferContext, module: string, call: Step): Transfer | null {
  const a = ctx.args(call);
  const f = ctx.fileOf(a.pos[0] ?? a.kw.get('data'));
  if (f === null || f.write) return null;
  return { words: [[COMPRESSORS.get(module)!, 0], ['-c', 0], f.path, marker(`${module}.compress`)] };
}

/**
 * The file `src` (read) copied into `dst` when `dst` is a compressed file opened to write
 * (`gzip.open(out, 'wb')`, `lzma.LZMAFile(out, mode='w')`), or null: `gzip -c SRC` as the
 * command line does it (`gzip.open`'s file is among the code's writes already: exec-interpreter-file-writes.ts).
 */
export function compressedCopy(ctx: TransferContext, dst: Chain | null, src: Word, name: string): Transfer | null {
  if (dst === null || !dst.rooted) return null;
  const module = compressionModule(dst);
  if (module === null) return null;
  const tool = COMPRESSORS.get(module)!;
  const open = callNamed(dst, COMPRESSED_OPENS);
  if (open === null || !opensToWrite(ctx, ctx.args(open))) return null;
  return { words: [[tool, 0], ['-c', 0], src, marker(name)] };
}
