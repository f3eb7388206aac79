/**
 * The files one command hands another to read, for `attrs.exec.printsFile` (exec-client-output.ts):
 * `find /mnt/ckpt -name '*.safetensors' -exec cat {} +`, `find … | xargs cat`, `ls /mnt/ckpt/*.pt |
 * xargs -n1 base64`, `find … | while read f; do cat "$f"; done` print every file found, one shard
 * after another, with no file named after the reader.
 *
 * What a lister names is given as the paths or patterns its words spell, which is what the rules
 * test (a weight file's extension, a checkpoint directory's glob):
 *   - `find ROOT… [tests]`: per root, `ROOT/NAME` for each `-name` / `-iname` pattern (a file at any
 *     depth below ROOT whose name matches), each `-path` / `-ipath` / `-wholename` pattern as it is,
 *     else `ROOT/*` (every file below it); no root is `.`;
 *   - `ls [options] ARGS…`, `echo ARGS…`, `printf FORMAT ARGS…`: their arguments (the globs the shell
 *     expands into the files);
 *   - anything else (`cat list.txt`, a substitution): unknown, null.
 * Bounded by MAX_LINES.
 */
import { baseName } from './exec-canonical.js';
import { MAX_LINES } from './exec-command-lines.js';

/** find's leading options (before its roots), POSIX and GNU. */
const FIND_LEADING = /^-(?:[HLP]|O\d*|D)$/;
/** find tests whose value is a file-name pattern, or a whole-path pattern. */
const NAME_TESTS: ReadonlySet<string> = new Set(['-name', '-iname']);
const PATH_TESTS: ReadonlySet<string> = new Set(['-path', '-ipath', '-wholename', '-iwholename']);

/** The files the find command at `words[at]` lists, up to `end` (its action, when it runs one). */
export function findListing(words: readonly string[], at: number, end = words.length): string[] {
  let j = at + 1;
  while (j < end && FIND_LEADING.test(words[j]!)) j += words[j] === '-D' ? 2 : 1;
  const roots: string[] = [];
  for (; j < end; j++) {
    const w = words[j]!;
    if (w.startsWith('-') || w === '(' || w === '!' || w === ',') break;
    roots.push(w.length > 1 ? w.replace(/\/+$/, '') : w);
  }
  if (roots.length === 0) roots.push('.');
  const names: string[] = [];
  const paths: string[] = [];
  for (; j + 1 < end; j++) {
    const w = words[j]!;
    if (NAME_TESTS.has(w)) names.push(words[++j]!);
    else if (PATH_TESTS.has(w)) paths.push(words[++j]!);
  }
  const out: string[] = paths.slice(0, MAX_LINES);
  for (let r = 0; r < roots.length && out.length < MAX_LINES; r++) {
    if (names.length === 0 && paths.length === 0) out.push(`${roots[r]}/*`);
    for (let i = 0; i < names.length && out.length < MAX_LINES; i++) out.push(`${roots[r]}/${names[i]}`);
  }
  return out;
}

/** The files a command lists on its standard output (see the file comment), or null when unknown. */
export function listedFiles(cmd: readonly string[]): string[] | null {
  const tool = cmd.length > 0 ? baseName(cmd[0]!) : '';
  if (tool === 'find') return findListing(cmd, 0);
  if (tool === 'ls' || tool === 'echo') {
    const args = cmd.slice(1).filter((w) => !w.startsWith('-'));
    return args.length === 0 ? null : args.slice(0, MAX_LINES);
  }
  if (tool === 'printf') return cmd.length > 2 ? cmd.slice(2, 2 + MAX_LINES) : null;
  return null;
}
