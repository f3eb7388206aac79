/**
 * What an unpacking command writes, for exec-fetched-run.ts: an archive downloaded, unpacked and a
 * file from it run (`curl -o /tmp/k.tgz URL && tar xzf /tmp/k.tgz -C /tmp && /tmp/k/run`, `curl
 * -sL URL | tar xz -C /opt`, `unzip -o a.zip -d /tmp/a; sh /tmp/a/i.sh`), how miners and implants
 * ship their tool with its configuration (MITRE T1105, then T1140 for the unpacking).
 *
 * Two kinds, read from the command's words as the tools read their options:
 * - A tree: tar (bsdtar, gtar) in extract mode (`x` in a traditional key such as `xzf`, `-x…` in
 *   a cluster, `--extract`, `--get`), its archive after `f` / `--file` (none or `-`: standard
 *   input), into `-C DIR` / `--directory` (else the working directory); `unzip A [-d DIR]` (with
 *   `-p` / `-c` its members go to standard output; listing, testing and zipinfo modes write none); `7z
 *   x|e A [-oDIR]` (7za, 7zr); `jar x[v]f A`. Which files a tree holds is not known: every path
 *   under its directory may be one.
 * - A file: a stream decompressor (gunzip, `gzip -d`, unxz, `xz -d`, bunzip2, `bzip2 -d`, unzstd,
 *   `zstd -d`, `lz4 -d`, zcat and the like) writes the archive's name less its suffix
 *   (`k.tgz` → `k.tar`), or its standard output with `-c` / `--stdout` (and the cat forms), which
 *   the caller follows to a redirection or a pipe.
 * Anything else (cpio, a password-protected unzip's prompt, members listed) is read as far as the
 * words say; unknown options are stepped over as flags. Never throws.
 */

/** An archive or stream read from standard input, or written to standard output. */
export const STDIO = '-';

export type Unpack =
  /** Every path under `into` (null: the working directory) may come from `archive`. */
  | { kind: 'tree'; archive: string; into: string | null }
  /** `out` (STDIO: standard output) holds `archive` decompressed. */
  | { kind: 'file'; archive: string; out: string };

const TARS = new Set(['tar', 'bsdtar', 'gtar']);
const SEVEN_ZIPS = new Set(['7z', '7za', '7zr']);
/** Decompressors run as themselves, and those that decompress only with -d / --decompress. */
const UNPACKERS = new Set(['gunzip', 'unxz', 'bunzip2', 'unzstd', 'unlz4', 'uncompress', 'lzcat', 'unlzma']);
const PACKERS = new Set(['gzip', 'xz', 'bzip2', 'zstd', 'lz4', 'lzma', 'pigz', 'pbzip2']);
const CATS = new Set(['zcat', 'gzcat', 'xzcat', 'bzcat', 'zstdcat', 'lz4cat']);
/** Suffixes a decompressor strips, and the two it renames (`.tgz` → `.tar`). */
const SUFFIXES = ['.gz', '.xz', '.bz2', '.zst', '.lz4', '.lzma', '.Z', '.z'];
const RENAMED: Readonly<Record<string, string>> = { '.tgz': '.tar', '.tbz2': '.tar', '.txz': '.tar', '.tbz': '.tar', '.taz': '.tar' };

/** Traditional tar key letters and short options that take a value (GNU tar 1.35). */
const TAR_VALUE_LETTERS = new Set(['f', 'C', 'b', 'T', 'X', 'K', 'N', 'V', 'g', 'F', 'L', 'H']);
/** Member operands kept per tar command. */
const MAX_MEMBERS = 64;
const TAR_VALUE_LONG = new Set(['file', 'directory', 'blocking-factor', 'files-from', 'exclude-from', 'starting-file', 'newer', 'label', 'listed-incremental', 'info-script', 'tape-length', 'format', 'transform', 'xform', 'owner', 'group', 'mode', 'use-compress-program', 'strip-components']);

/** The tools `unpackOf` reads (any other unpacks nothing). */
export const UNPACK_TOOLS: ReadonlySet<string> = new Set([...TARS, 'unzip', ...SEVEN_ZIPS, 'jar', ...UNPACKERS, ...CATS, ...PACKERS]);

/** What the command `words[t..]` (its tool `name`, a basename) unpacks, or null when it unpacks nothing. */
export function unpackOf(words: readonly string[], t: number, name: string): Unpack | null {
  if (TARS.has(name)) return tarUnpack(words, t);
  if (name === 'unzip') return unzipUnpack(words, t);
  if (SEVEN_ZIPS.has(name)) return sevenZipUnpack(words, t);
  if (name === 'jar') return jarUnpack(words, t);
  if (UNPACKERS.has(name) || CATS.has(name) || PACKERS.has(name)) return streamUnpack(words, t, name);
  return null;
}

function tarUnpack(words: readonly string[], t: number): Unpack | null {
  const tar = readTar(words, t);
  return tar.mode === 'x' ? { kind: 'tree', archive: tar.archive, into: tar.into } : null;
}

/**
 * A tar command as GNU tar 1.35 reads it: its mode (`x`: extract, `c`: create, else null), its
 * archive after `f` / `--file` (none: STDIO, GNU tar's and busybox's default), the last `-C` /
 * `--directory`, and its member operands, each joined to the `-C` before it (tar applies `-C` to
 * the operands after it: `tar cf - -C /mnt/ckpt model.pt` reads /mnt/ckpt/model.pt).
 */
export function readTar(words: readonly string[], t: number): { mode: 'x' | 'c' | null; archive: string; into: string | null; members: string[] } {
  let mode: 'x' | 'c' | null = null;
  let archive: string = STDIO;
  // Not narrowed to null: `take` sets it.
  let into = null as string | null;
  const members: string[] = [];
  const take = (letter: string, value: string | undefined): void => {
    if (value === undefined) return;
    if (letter === 'f') archive = value;
    else if (letter === 'C') into = value;
  };
  let ended = false;
  for (let k = t + 1; k < words.length; k++) {
    const w = words[k]!;
    // An operand: after `--`, `-` alone, or a word without a dash that is not the traditional key (the first word, letters only).
    if (ended || w === '-' || (w[0] !== '-' && (k > t + 1 || !/^[A-Za-z]+$/.test(w)))) {
      if (members.length < MAX_MEMBERS) members.push(into === null || w.startsWith('/') ? w : `${into.replace(/\/+$/, '')}/${w}`);
      continue;
    }
    if (w === '--') {
      ended = true;
      continue;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const long = w.slice(2, eq < 0 ? undefined : eq);
      if (long === 'extract' || long === 'get') mode = 'x';
      else if (long === 'create') mode = 'c';
      const value = eq >= 0 ? w.slice(eq + 1) : TAR_VALUE_LONG.has(long) ? words[++k] : undefined;
      if (long === 'file') take('f', value);
      else if (long === 'directory') take('C', value);
      continue;
    }
    // The traditional key (first operand, no dash: `xzf A`) takes its values in the order of its letters.
    const key = w[0] !== '-';
    let next = k;
    for (let i = key ? 0 : 1; i < w.length; i++) {
      const c = w[i]!;
      if (c === 'x') mode = 'x';
      else if (c === 'c') mode = 'c';
      if (!TAR_VALUE_LETTERS.has(c)) continue;
      if (key) take(c, words[++next]);
      else {
        take(c, i + 1 < w.length ? w.slice(i + 1) : words[++next]);
        break;
      }
    }
    k = next;
  }
  return { mode, archive, into, members };
}

function unzipUnpack(words: readonly string[], t: number): Unpack | null {
  let archive: string | null = null;
  let into: string | null = null;
  let lists = false;
  let stdout = false;
  for (let k = t + 1; k < words.length; k++) {
    const w = words[k]!;
    if (w === '-d' || w === '-P') {
      const v = words[++k];
      if (w === '-d' && v !== undefined) into = v;
    } else if (w.startsWith('-d') && w.length > 2 && !w.startsWith('--')) into = w.slice(2);
    else if (w === '-x') break; // the members left out follow
    else if (w[0] !== '-' && archive === null) archive = w;
    else if (w.length > 1 && w[0] === '-' && w[1] !== '-') {
      // unzip(1): -l / -v list, -t tests, -z shows the comment, -Z is zipinfo: nothing written; -p / -c extract to standard output.
      if (/[ltvzZ]/.test(w)) lists = true;
      if (/[pc]/.test(w)) stdout = true;
    }
  }
  if (archive === null || lists) return null;
  return stdout ? { kind: 'file', archive, out: STDIO } : { kind: 'tree', archive, into };
}

function sevenZipUnpack(words: readonly string[], t: number): Unpack | null {
  const command = words[t + 1];
  if (command !== 'x' && command !== 'e') return null;
  let archive: string | null = null;
  let into: string | null = null;
  for (let k = t + 2; k < words.length; k++) {
    const w = words[k]!;
    if (w.startsWith('-o') && w.length > 2) into = w.slice(2);
    else if (w === '-si') archive ??= STDIO;
    else if (w[0] !== '-' && archive === null) archive = w;
  }
  return archive === null ? null : { kind: 'tree', archive, into };
}

function jarUnpack(words: readonly string[], t: number): Unpack | null {
  const key = words[t + 1] ?? '';
  if (!/^-?[a-zA-Z0-9]*x[a-zA-Z0-9]*$/.test(key)) return null;
  return { kind: 'tree', archive: key.includes('f') ? (words[t + 2] ?? STDIO) : STDIO, into: null };
}

function streamUnpack(words: readonly string[], t: number, name: string): Unpack | null {
  let decompress = UNPACKERS.has(name) || CATS.has(name);
  let stdout = CATS.has(name);
  const files: string[] = [];
  let named: string | null = null;
  for (let k = t + 1; k < words.length; k++) {
    const w = words[k]!;
    if (w === '-o' && name === 'zstd') named = words[++k] ?? null; // `zstd -d A -o OUT`
    else if (w === '--') {
      files.push(...words.slice(k + 1));
      break;
    }
    if (w === '--decompress' || w === '--uncompress') decompress = true;
    else if (w === '--stdout' || w === '--to-stdout') stdout = true;
    else if (w.length > 1 && w[0] === '-' && w[1] !== '-') {
      if (w.includes('d')) decompress = true;
      if (w.includes('c')) stdout = true;
    } else if (!w.startsWith('--')) files.push(w);
  }
  if (!decompress) return null;
  const archive = files[0] ?? STDIO;
  if (named !== null) return { kind: 'file', archive, out: named };
  if (stdout || archive === STDIO) return { kind: 'file', archive, out: STDIO };
  const out = withoutSuffix(archive);
  return out === null ? null : { kind: 'file', archive, out };
}

/** The name a decompressor writes for `archive`, or null when it strips no suffix it knows. */
function withoutSuffix(archive: string): string | null {
  for (const [suffix, to] of Object.entries(RENAMED)) if (archive.endsWith(suffix) && archive.length > suffix.length) return archive.slice(0, -suffix.length) + to;
  for (const suffix of SUFFIXES) if (archive.endsWith(suffix) && archive.length > suffix.length) return archive.slice(0, -suffix.length);
  return null;
}
