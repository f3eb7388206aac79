/**
 * `attrs.exec.printsFile`: the files an exec prints to its own standard output, as
 * `<tool> <file>`. An exec's output goes back to whoever ran `kubectl exec`, through the API
 * server: `kubectl exec pod -- cat /mnt/ckpt/model.safetensors > stolen.safetensors` copies the
 * weights out of the cluster with no network tool in the pod, and so does `dd if=… skip=… count=…`
 * a chunk at a time, `base64 f`, `gzip -c f`, `cat f | gzip | base64`.
 *
 * A command prints a file when its tool reads that file's bytes and writes them on (FILE_READERS:
 * an operand, `dd if=`, `openssl enc -in`, or standard input redirected from the file) and its
 * output reaches the exec's: no redirection of its standard output to a file (`> /dev/null`,
 * `> /tmp/x` keep it in the pod; `>&2`, `> /dev/stdout` do not), and where it is piped, every later
 * stage of the pipeline passes the bytes on (PASS_ON: compressors, encoders, `pv`, `cat`…) with
 * its output not redirected either. `| sha256sum`, `| wc -c`, `| nc h p` end it: what reaches the
 * client then is no longer the file (a socket is another rule's).
 *
 * A small read is the file's header, not its bytes: `head -c 8 model.safetensors` (the header's
 * length), `xxd -l 64`, `od -N 16`, `dd bs=1 count=8` of 64 KiB or less (SMALL_READ) are left out.
 * An archiver writing its archive to standard output prints its members (`tar cf - PATH`, what
 * `kubectl cp pod:PATH .` runs; `zip -r - DIR`), as the first stage of a pipeline.
 * `for f in LIST; do cat "$f"; done` prints the loop's list (a `$(find …)` in it, what the
 * lister names); a find -exec, an xargs or a `while read f` loop fed by a lister (a pipe, or `done
 * < <(find …)`) prints what it lists (`find /mnt/ckpt -name '*.pt' | xargs cat`:
 * exec-listed-files.ts), and so does a shell a find -exec or such an xargs runs, through its
 * positional parameters or the runner's replace string (`-exec sh -c 'cat "$1"' _ {} \;`, `| xargs
 * -I{} sh -c 'cat {}'`), or a shell given the files as arguments (`sh -c 'cat "$1"' _ FILE`).
 * Interpreter code that writes a file to stdout is not read here. Bounded by MAX_LINES and never
 * throws.
 */
import { operandsOf, stdinFile, stdoutTarget } from './exec-decode-stage.js';
import { baseName } from './exec-canonical.js';
import { ownWords, runIndex } from './exec-fetched-run.js';
import { expandLoop, loopLists, runnerListing } from './exec-listed-files.js';
import { addLine, MAX_LINES } from './exec-command-lines.js';
import { walkShortCluster } from './option-operands.js';
import { readTar } from './exec-unpack.js';

/** Bytes a read may take and still be a look at the file's header. */
export const SMALL_READ = 64 * 1024;

/** Where a redirection of standard output still reaches the exec's output. */
const CLIENT_STREAMS: ReadonlySet<string> = new Set(['/dev/stdout', '/dev/stderr', '/dev/fd/1', '/dev/fd/2', '/proc/self/fd/1', '/proc/self/fd/2', '/dev/tty']);

const COMPRESSORS: ReadonlySet<string> = new Set(['gzip', 'pigz', 'bzip2', 'pbzip2', 'lbzip2', 'xz', 'pixz', 'lzma', 'zstd', 'pzstd', 'lz4', 'brotli', 'lzop']);
const ALWAYS_STDOUT: ReadonlySet<string> = new Set(['cat', 'tac', 'pv', 'base64', 'base32', 'basenc', 'zcat', 'gzcat', 'bzcat', 'xzcat', 'zstdcat', 'lz4cat']);
const DUMPERS: ReadonlySet<string> = new Set(['xxd', 'od', 'hexdump', 'hd']);

/** Stages that write what they read on (their output is the file's bytes, transformed). */
const PASS_ON: ReadonlySet<string> = new Set([
  ...ALWAYS_STDOUT, ...COMPRESSORS, ...DUMPERS, 'dd', 'head', 'tail', 'openssl', 'gpg', 'gpg2', 'age', 'tee', 'mbuffer', 'buffer', 'rev', 'tr',
]);

/** Archivers that write an archive of their operands to standard output when told to (`tar cf - f`, `zip - f`): the first stage only. */
const ARCHIVERS: ReadonlySet<string> = new Set(['tar', 'gtar', 'bsdtar', 'zip']);
/** zip's options that take the next word as a value (zip 3.0); `-x` / `-i` take the rest of the words. */
const ZIP_VALUE: ReadonlySet<string> = new Set(['-b', '-n', '-t', '-tt', '-O', '-P', '-Z', '-s', '-sp', '-TT', '-ll', '-ds']);

/** Stages whose `-o` / `--output` names the file they write instead of standard output. */
const OUTPUT_OPTION: ReadonlySet<string> = new Set(['zstd', 'brotli', 'gpg', 'gpg2', 'age']);

/** Short options that take the next word (or the rest of their cluster) as a value, per tool. */
const VALUE_SHORT: ReadonlyMap<string, ReadonlySet<string>> = new Map(Object.entries({
  head: 'cn', tail: 'cnsF', base64: 'w', base32: 'w', basenc: 'w', xxd: 'cglosn', od: 'AjNStw', hexdump: 'efns', hd: 'efns',
  pv: 'LsNiBWDAd', gzip: 'S', pigz: 'Sbpk', zstd: 'oDTBlM', xz: 'TMF', lz4: 'B', brotli: 'oqwr', gpg: 'orRu', gpg2: 'orRu', age: 'orRi',
}).map(([tool, letters]) => [tool, new Set(letters)]));
const NO_VALUES: ReadonlySet<string> = new Set();
/** The short option a dumper reads its length from (`xxd -l`, `od -N`, `hexdump -n`). */
const LENGTH_SHORT: Readonly<Record<string, string>> = { xxd: 'l', od: 'N', hexdump: 'n', hd: 'n' };
/** Long options that take the next word as a value when not written `--opt=value`. */
const VALUE_LONG: ReadonlySet<string> = new Set(['bytes', 'lines', 'wrap', 'suffix', 'skip-bytes', 'read-bytes', 'address-radix', 'format', 'width', 'length', 'seek', 'output', 'rate-limit', 'size', 'name', 'interval', 'threads', 'memory', 'sleep-interval', 'pid']);

/** A size as GNU tools write it (`64`, `0x40`, `1K`, `10MB`, `2G`); null when it cannot be read. */
export function parseSize(text: string): number | null {
  const hex = /^0[xX]([0-9a-fA-F]{1,12})$/.exec(text);
  if (hex) return parseInt(hex[1]!, 16);
  const m = /^(\d{1,15})([a-zA-Z]{0,3})$/.exec(text);
  if (!m) return null;
  const unit = m[2]!;
  const k = unit === '' || unit === 'c' ? 1 : unit === 'w' ? 2 : unit === 'b' ? 512 : unitFactor(unit);
  return k === null ? null : Number(m[1]) * k;
}

function unitFactor(unit: string): number | null {
  const power = 'KMGTPE'.indexOf(unit[0]!.toUpperCase()) + 1;
  if (power === 0) return null;
  const rest = unit.slice(1);
  if (rest === '' || rest === 'iB') return 1024 ** power;
  if (rest === 'B' || rest === 'b') return 1000 ** power;
  return null;
}

/** The options and operands of the tool at `t` (redirections left out), with each value option's value. */
function optionsOf(words: readonly string[], t: number, tool: string): { opts: Map<string, string>; operands: string[] } {
  const opts = new Map<string, string>();
  const operands: string[] = [];
  const ws = operandsOf(words, t, false) ?? [];
  const short = VALUE_SHORT.get(tool) ?? NO_VALUES;
  let ended = false;
  for (let k = 0; k < ws.length; k++) {
    const w = ws[k]!;
    if (ended || w === '-' || w.length < 2 || w[0] !== '-') {
      operands.push(w);
      continue;
    }
    if (w === '--') {
      ended = true;
      continue;
    }
    if (tool === 'xxd') {
      k = xxdOption(ws, k, short, opts);
      continue;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      opts.set(name, eq >= 0 ? w.slice(eq + 1) : VALUE_LONG.has(name) ? (ws[++k] ?? '') : '');
      continue;
    }
    if (walkShortCluster(w, ws[k + 1], short, (c, value) => opts.set(c, value ?? ''))) k++;
  }
  return { opts, operands };
}

/**
 * One xxd option at `ws[k]`, read as xxd reads it: by its first letter (`-ps` is `-p`, `-len` is
 * `-l`), a value letter taking the rest of the word when that is a number (`-l64`, `-l0x40`), else
 * the next word. Returns the index of the last word it took.
 */
function xxdOption(ws: readonly string[], k: number, short: ReadonlySet<string>, opts: Map<string, string>): number {
  const w = ws[k]!;
  const c = w[1]!;
  if (!short.has(c)) {
    opts.set(c, '');
    return k;
  }
  const rest = w.slice(2);
  if (/^(?:0[xX][0-9a-fA-F]|[-+]?\d)/.test(rest)) {
    opts.set(c, rest);
    return k;
  }
  opts.set(c, ws[k + 1] ?? '');
  return k + 1;
}

/** Whether a length option holds a read of SMALL_READ bytes or less (`-c 8`; `-c +N`, `-c -N` read to the end). */
function smallRead(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  const n = parseSize(value);
  return n !== null && n <= SMALL_READ;
}

/** `dd`'s operands as `key=value`. */
function ddOperands(operands: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of operands) {
    const eq = w.indexOf('=');
    if (eq > 0) out.set(w.slice(0, eq), w.slice(eq + 1));
  }
  return out;
}

/**
 * The files the tool `tool` at `t` prints to its standard output, or null when it prints none of a
 * file's bytes there (it writes a file, reads only a header, or is not a reader).
 */
function printedFiles(words: readonly string[], t: number, tool: string): string[] | null {
  if (ARCHIVERS.has(tool)) return archived(operandsOf(words, t, false) ?? [], tool);
  const { opts, operands } = optionsOf(words, t, tool);
  const files = operands.filter((w) => w !== '-');
  if (tool === 'dd') {
    const dd = ddOperands(operands);
    const of = dd.get('of');
    if (of !== undefined && !CLIENT_STREAMS.has(of)) return null;
    const count = dd.get('count');
    const bs = parseSize(dd.get('ibs') ?? dd.get('bs') ?? '512');
    const n = count === undefined ? null : parseSize(count);
    if (bs !== null && n !== null && bs * n <= SMALL_READ) return null;
    const input = dd.get('if');
    return input === undefined ? [] : [input];
  }
  if (tool === 'head' || tool === 'tail') {
    const bytes = opts.get('c') ?? opts.get('bytes');
    if (smallRead(bytes)) return null;
    return files;
  }
  if (DUMPERS.has(tool)) {
    if (smallRead(opts.get(LENGTH_SHORT[tool]!) ?? opts.get('read-bytes') ?? opts.get('length'))) return null;
    // `xxd in out` writes the dump to `out`.
    if (tool === 'xxd' && files.length > 1) return null;
    return tool === 'xxd' ? files.slice(0, 1) : files;
  }
  if (COMPRESSORS.has(tool)) {
    const toStdout = opts.has('c') || opts.has('stdout') || opts.has('to-stdout');
    return toStdout ? files : null;
  }
  if (tool === 'openssl') {
    const sub = operands[0];
    if (sub !== 'enc' && sub !== 'base64' && !(sub !== undefined && /^-?(?:aes|chacha|des|camellia)/.test(sub))) return null;
    // openssl's options are single-dash words, each followed by its value.
    const args = operandsOf(words, t, false) ?? [];
    if (args.includes('-out')) return null;
    const at = args.indexOf('-in');
    return at >= 0 && at + 1 < args.length ? [args[at + 1]!] : [];
  }
  if (ALWAYS_STDOUT.has(tool)) return files;
  return null;
}

/**
 * The members an archiver writes to standard output (`tar cf - /mnt/ckpt/model.pt`, `tar -C
 * /mnt/ckpt -czf - step-9000`, `zip -r - /mnt/ckpt/step-9000`: what `kubectl cp` runs, and its zip
 * twin), each joined to tar's `-C` before it; null when the archive goes to a file or the command
 * does not create one. `args`: the words after the tool, redirections left out.
 */
function archived(args: readonly string[], tool: string): string[] | null {
  if (tool !== 'zip') {
    const tar = readTar(['tar', ...args], 0);
    return tar.mode === 'c' && (tar.archive === '-' || CLIENT_STREAMS.has(tar.archive)) ? tar.members.filter((m) => m !== '-') : null;
  }
  const operands: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const w = args[k]!;
    if (w === '-x' || w === '-i' || w === '--exclude' || w === '--include') break;
    if (ZIP_VALUE.has(w)) k++;
    else if (w === '-' || w[0] !== '-') operands.push(w);
  }
  return operands[0] === '-' ? operands.slice(1).filter((m) => m !== '-') : null;
}

/** Whether the standard output of the command's tool at `t` stays out of the exec's output (a file, /dev/null). */
function redirectedAway(words: readonly string[], t: number): boolean {
  const to = stdoutTarget(words, t);
  return to !== null && !CLIENT_STREAMS.has(to);
}

/**
 * The files the commands print to the exec's output, each as `<tool> <file>`, in order, each once.
 * `pipesOut`: the indices of commands whose output the next command reads; `positional`: the
 * arguments a shell of the reading was given after its script (exec-listed-files.ts `loopLists`).
 */
export function clientPrintedFiles(commands: readonly (readonly string[])[], pipesOut: readonly number[] = [], positional: readonly string[] | null = null): string[] {
  const out: string[] = [];
  const loops = loopLists(commands, pipesOut, positional);
  for (let c = 0; c < commands.length && out.length < MAX_LINES; c++) {
    const run = runIndex(commands[c]!);
    const { words, t, tool, chain } = run;
    if (tool === '' || !(PASS_ON.has(tool) || ARCHIVERS.has(tool))) continue;
    const own = ownWords(run);
    const read = printedFiles(own, t, tool);
    if (read === null) continue;
    const fromStdin = stdinFile(own);
    const files = handedOn(commands, pipesOut, c, own, chain, fromStdin === null ? read : [...read, fromStdin]);
    if (files.length === 0 || redirectedAway(words, t)) continue;
    if (!reachesClient(commands, pipesOut, c)) continue;
    for (const f of files) {
      for (const file of expandLoop(f, loops)) {
        addLine(out, `${tool} ${file}`);
      }
    }
  }
  return out;
}

/**
 * `files` with what a find -exec or xargs running the tool hands it (exec-listed-files.ts): find's
 * listing in place of `{}`, and what the stage piped into xargs names, in place of xargs' `-I`
 * string or else after the tool's own words. Unchanged when the lister is unknown.
 */
function handedOn(commands: readonly (readonly string[])[], pipesOut: readonly number[], c: number, words: readonly string[], chain: readonly number[], files: string[]): string[] {
  if (chain.length < 2) return files;
  const handed = runnerListing(commands, pipesOut, c, words, chain);
  if (handed === null) return files;
  const { listed, mark } = handed;
  // find replaces a `{}` word of the tool's; xargs its `-I` string wherever a word holds it.
  if (handed.find) return files.flatMap((f) => (f === '{}' ? listed : [f]));
  if (mark === undefined) return [...files, ...listed];
  return files.flatMap((f) => (f.includes(mark) ? listed : [f]));
}

/** Whether a pipeline stage writes what it reads to its standard output, not to a file named by an option, and not just a header's worth. */
function passesOn(words: readonly string[], t: number, tool: string): boolean {
  const { opts, operands } = optionsOf(words, t, tool);
  if (tool === 'dd') {
    const of = ddOperands(operands).get('of');
    return of === undefined || CLIENT_STREAMS.has(of);
  }
  if (tool === 'head' || tool === 'tail') return !smallRead(opts.get('c') ?? opts.get('bytes'));
  if (tool === 'openssl') return !(operandsOf(words, t, false) ?? []).includes('-out');
  if (!OUTPUT_OPTION.has(tool)) return true;
  const output = opts.get('o') ?? opts.get('output');
  return output === undefined || output === '-' || CLIENT_STREAMS.has(output);
}

/**
 * The files whose bytes command `c` reads through its pipe: the pipeline's first stage that reads
 * a file (an operand, `dd if=`, standard input redirected from it, an archive's members) with every
 * stage between passing the bytes on (PASS_ON, output not redirected, more than a header), as
 * `reachesClient` follows them forward. `cat /mnt/ckpt/m.pt | gzip | redis-cli -x set k` gives
 * `/mnt/ckpt/m.pt` for the redis-cli; `head -c 8 m.pt | …` and `sha256sum m.pt | …` give none.
 * A find -exec or xargs source is not followed (its listing is `clientPrintedFiles`' reading).
 */
export function pipedFiles(commands: readonly (readonly string[])[], pipesOut: readonly number[], c: number): string[] {
  for (let k = c - 1; k >= 0 && pipesOut.includes(k); k--) {
    const { words, t, tool, end } = runIndex(commands[k]!);
    if (tool === '' || !(PASS_ON.has(tool) || ARCHIVERS.has(tool)) || end < words.length || redirectedAway(words, t)) return [];
    const read = printedFiles(words, t, tool);
    const fromStdin = stdinFile(words);
    if (read === null) {
      // A compressor without `-c` writes its file operands' archives, and what it reads on standard input to its output.
      if (!COMPRESSORS.has(tool) || optionsOf(words, t, tool).operands.some((w) => w !== '-')) return [];
      if (fromStdin !== null) return [fromStdin];
    } else if (read.length > 0 || fromStdin !== null) {
      return fromStdin === null ? read : [...read, fromStdin];
    } else if (ARCHIVERS.has(tool) || !passesOn(words, t, tool)) {
      return [];
    }
    // This stage reads its standard input and passes it on: the stage before it says what that is.
  }
  return [];
}

/** Whether what command `c` writes reaches the exec's output through the rest of its pipeline. */
function reachesClient(commands: readonly (readonly string[])[], pipesOut: readonly number[], c: number): boolean {
  for (let k = c; pipesOut.includes(k); k++) {
    const next = commands[k + 1];
    if (next === undefined) return false;
    const { words, t, tool, chain } = runIndex(next);
    // xargs makes what it reads the tool's arguments: the bytes stop there.
    if (chain.some((i) => baseName(words[i]!) === 'xargs')) return false;
    if (!PASS_ON.has(tool) || redirectedAway(words, t) || !passesOn(words, t, tool)) return false;
  }
  return true;
}
