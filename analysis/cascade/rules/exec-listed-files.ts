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
 * And what a loop variable holds (`loopLists`): a for loop's items, a while-read loop's lister, a
 * find -exec shell's positional parameters. Bounded by MAX_LINES.
 */
import { baseName } from './exec-canonical.js';
import { MAX_LINES } from './exec-command-lines.js';
import { wholeSubstitutionBody } from './exec-decode-pipeline.js';
import { runIndex } from './exec-fetched-run.js';
import { SHELLS } from './exec-interpreter-shells.js';
import { readShellScript } from './shell-words.js';

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

/**
 * The position in `chain` (a command's wrapper chain, exec-fetched-run.ts `runIndex`) of the last
 * runner named `name` before the tool (`find … -exec sudo cat {} +`: find, with sudo between), or -1.
 */
function runnerAt(words: readonly string[], chain: readonly number[], name: string): number {
  for (let k = chain.length - 2; k >= 0; k--) if (baseName(words[chain[k]!]!) === name) return k;
  return -1;
}

/** The string xargs replaces with each item it reads, from its options `opts`: `-I R` / `-IR`; GNU's `-i` / `--replace`: `{}`. */
function xargsReplaceString(opts: readonly string[]): string | undefined {
  const i = opts.indexOf('-I');
  if (i >= 0) return opts[i + 1];
  const joined = opts.find((w) => w.startsWith('-I') && w.length > 2);
  if (joined !== undefined) return joined.slice(2);
  return opts.includes('-i') || opts.includes('--replace') ? '{}' : undefined;
}

/** What a find or an xargs running a command's tool hands it (runnerListing). */
export interface RunnerListing {
  /** What the runner lists: find's listing, or what the command piped into xargs lists. */
  readonly listed: readonly string[];
  /** The string the runner replaces with each item (find's `{}`, xargs' `-I R`); undefined: xargs puts the items after the tool's own words. */
  readonly mark: string | undefined;
  readonly find: boolean;
}

/**
 * What runs `commands[c]`'s tool when a find or an xargs does, itself or through wrappers (`find …
 * -exec TOOL … {} +`, `-exec sudo TOOL …`, `LISTER | xargs -I{} TOOL {}`): `words` and `chain` are
 * the command's wrapper chain (exec-fetched-run.ts `runIndex`), `pipesOut` the indices of commands
 * whose output the next one reads (an xargs reads the command before it). Null when neither runs
 * it, or when what is piped into the xargs is unknown.
 */
export function runnerListing(commands: readonly (readonly string[])[], pipesOut: readonly number[], c: number, words: readonly string[], chain: readonly number[]): RunnerListing | null {
  const f = runnerAt(words, chain, 'find');
  if (f >= 0) return { listed: findListing(words, chain[f]!, chain[f + 1]!), mark: '{}', find: true };
  const x = runnerAt(words, chain, 'xargs');
  if (x < 0 || !pipesOut.includes(c - 1)) return null;
  const listed = listedFiles(commands[c - 1]!);
  return listed === null ? null : { listed, mark: xargsReplaceString(words.slice(chain[x]! + 1, chain[x + 1]!)), find: false };
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

/**
 * The loops of a reading's commands: each loop variable's items (the last loop wins): `for NAME in
 * ITEMS…` (an item that is one command substitution, `$(find …)` or `` `ls …` ``, as what its
 * lister names; `for NAME` alone runs over `$@`), `LISTER | while read [-r] NAME` and `while read
 * NAME; do …; done < <(LISTER)` with what the lister names, and what a find -exec or an xargs fed
 * by a lister hands the shell it runs (runnerShellParameters). `pipesOut`: the indices of commands
 * whose output the next command reads; `positional`: the arguments a shell of the reading was given
 * after its script (`$0` first), whose `$@` a bare `for NAME` runs over.
 */
export function loopLists(commands: readonly (readonly string[])[], pipesOut: readonly number[], positional: readonly string[] | null = null): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  // A shell given arguments after its script: `for f; do` runs over them.
  if (positional !== null && positional.length > 1) out.set('@', positional.slice(1, 1 + MAX_LINES));
  for (let i = 0; i < commands.length; i++) {
    const words = commands[i]!;
    if (words[0] === 'for' && words[2] === 'in' && words[1] !== undefined) out.set(words[1], words.slice(3, 3 + MAX_LINES).flatMap(substitutionListing));
    // `for f; do`: over the positional parameters.
    else if (words[0] === 'for' && words.length === 2) out.set(words[1]!, out.get('@') ?? ['$@']);
    // `while read -r f`, `while IFS= read -r f`.
    else if (words[0] === 'while' && (words[1] === 'read' || words[2] === 'read') && words.length > 2) {
      const lister = pipesOut.includes(i - 1) ? commands[i - 1]! : processSubstitutionFeeding(commands, i);
      const listed = lister === null ? null : listedFiles(lister);
      if (listed !== null) out.set(words[words.length - 1]!, listed);
    } else runnerShellParameters(commands, pipesOut, i, out);
  }
  return out;
}

/** A for-loop item: what the lister of a whole command substitution names, else the item. */
function substitutionListing(item: string): readonly string[] {
  const body = item.length > 3 && (item[0] === '$' || item[0] === '`') ? wholeSubstitutionBody(item) : null;
  if (body === null) return [item];
  const first = readShellScript(body).commands[0];
  return (first === undefined ? null : listedFiles(first)) ?? [item];
}

/**
 * The command a `while` loop at `i` reads from a process substitution on its `done` (`done <
 * <(find …)`: the reading hands back the redirection, then `<` and the substitution's commands),
 * or null.
 */
function processSubstitutionFeeding(commands: readonly (readonly string[])[], i: number): readonly string[] | null {
  for (let k = i + 1; k < commands.length && k <= i + MAX_LINES; k++) {
    const w = commands[k]!;
    if (w[0] !== 'done') continue;
    return w.length >= 3 && w[w.length - 1] === '<' && w[w.length - 2] === '<' ? (commands[k + 1] ?? null) : null;
  }
  return null;
}

/** A runner's replace string as a key of loopLists' map (no variable name starts with NUL). */
const markKey = (mark: string): string => `\0${mark}`;

/**
 * What the runner of a shell `sh -c SCRIPT …` at `commands[i]` hands it (the reading keeps such a
 * runner's command beside the script's own): a find -exec its listing (`-exec sh -c 'cat "$1"' _
 * {} \;`: `$1` is each file found; `-exec sh -c 'cat {}' \;`: find puts each file in place of a
 * `{}` inside the script too), an xargs what the command piped into it lists (`find … | xargs sh -c
 * 'cat "$@"' _`: the items follow the shell's own arguments; `xargs -I{} sh -c 'cat {}'`: each item
 * in place of the `-I` string). The find or xargs may run through wrappers, and run the shell
 * through others (`sudo find …`, `-exec sudo sh -c …`).
 */
function runnerShellParameters(commands: readonly (readonly string[])[], pipesOut: readonly number[], i: number, out: Map<string, readonly string[]>): void {
  const words = commands[i]!;
  if (words.length < 4 || !(words.includes('find') || words.includes('xargs'))) return;
  const { words: ws, t, tool, chain, end } = runIndex(words);
  if (!SHELLS.has(tool) || ws[t + 1] !== '-c') return;
  const handed = runnerListing(commands, pipesOut, i, ws, chain);
  if (handed === null) return;
  const { listed, mark } = handed;
  const args = ws.slice(t + 3, end);
  // Without a replace string, xargs puts its items after the shell's own arguments: `$N` from there on.
  if (mark === undefined) for (let n = args.length; n <= 9; n++) args.push('{}');
  const m = mark ?? '{}';
  if (mark !== undefined) out.set(markKey(mark), listed);
  args.forEach((a, n) => {
    if (n <= 9 && a.includes(m)) out.set(String(n), listed);
  });
  if (args.slice(1).some((a) => a.includes(m))) {
    out.set('@', listed);
    out.set('*', listed);
  }
}

/**
 * `$f`, `${f}` or `"$f"` (quotes are gone from the reading's words) when `f` is a loop variable, a
 * word holding a runner's replace string (runnerShellParameters) as what it lists, else the word.
 */
export function expandLoop(w: string, loops: ReadonlyMap<string, readonly string[]>): readonly string[] {
  if (loops.size === 0) return [w];
  if (w[0] !== '$') {
    for (const [key, listed] of loops) if (key.charCodeAt(0) === 0 && w.includes(key.slice(1))) return listed;
    return [w];
  }
  const name = w[1] === '{' && w.endsWith('}') ? w.slice(2, -1) : w.slice(1);
  return loops.get(name) ?? [w];
}
