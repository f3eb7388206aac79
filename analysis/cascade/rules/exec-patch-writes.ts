/**
 * What applying a diff writes, for exec-persistence.ts `readWrites` (`attrs.exec.writes`): a
 * library, a training script or a config changed by a patch rather than an editor
 * (`patch -p1 -d /usr/local/lib/python3.10/site-packages/torch < /tmp/x.diff`,
 * `cd /workspace/llama-ft && git apply /tmp/x.patch`).
 *
 * Which files a diff names is in the diff, not in the words, so the paths given are what the words
 * do say:
 * - GNU / BSD `patch`: its `-o FILE` / `--output` (not `-`: standard output); else the file it is
 *   given (`patch /srv/app/config.yaml fix.diff`: the first operand); else the directory the diff's
 *   names are read from (`-d DIR` / `--directory`, else the working directory, `.`). Nothing for a
 *   dry run (`--dry-run`, BSD's `-C` / `--check`). Options that take a value (`-p1`, `-p 1`,
 *   `-i FILE`, `--strip=1`, `-B PREFIX`…) are stepped over with it.
 * - `git apply` and `git am`: the work tree (`git -C DIR`, else `.`), with `--directory=ROOT`
 *   below it; nothing for `--check`, `--stat`, `--numstat` or `--summary` without `--apply`, nor for
 *   `--cached` (the index only).
 * The caller places `.` and relative paths against the script's `cd`s. Never throws.
 */

import { walkShortCluster } from './option-operands.js';

/** patch's short options that take a value (GNU patch 2.7; BSD patch's are a subset). */
const PATCH_SHORT_VALUES = new Set(['B', 'D', 'F', 'V', 'Y', 'd', 'g', 'i', 'o', 'p', 'r', 'z']);
/** patch's long options (by name, without the dashes) that take a value as the next word when not given with `=`. */
const PATCH_LONG_VALUES = new Set([
  'prefix', 'ifdef', 'fuzz', 'version-control', 'basename-prefix', 'directory', 'get', 'input',
  'output', 'strip', 'reject-file', 'suffix', 'quoting-style', 'read-only', 'reject-format',
]);
/** git's global options that take the next word as their value (git(1)). */
const GIT_GLOBAL_VALUES = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env']);
/** git apply options that read or report instead of writing the work tree. */
const GIT_APPLY_NO_WRITE = new Set(['--check', '--stat', '--numstat', '--summary']);
/** git apply / am options that take the next word as their value. */
const GIT_APPLY_VALUES = new Set(['-p', '-C', '--exclude', '--include', '--directory', '--whitespace', '--build-fake-ancestor', '--patch-format', '--resolvemsg', '-S']);

/**
 * The paths a patch-applying `tool` writes, given the words after it less its redirections
 * (exec-decode-stage.ts `operandsOf`: `patch -p1 < x.diff` reads the diff from standard input);
 * empty for any other tool.
 */
export function patchedPaths(args: readonly string[], tool: string): string[] {
  if (tool === 'patch') return patchPaths(args);
  if (tool === 'git') return gitApplyPaths(args);
  return [];
}

function patchPaths(words: readonly string[]): string[] {
  let dir = '.';
  let output: string | null = null;
  let dryRun = false;
  // Each option by its name (a long one without the dashes, a short one by its letter) with its value.
  const option = (name: string, value: string | undefined, long: boolean): void => {
    if (long ? name === 'dry-run' || name === 'check' : name === 'C') dryRun = true;
    else if (long ? name === 'directory' : name === 'd') dir = value ?? '';
    else if (long ? name === 'output' : name === 'o') output = value ?? '';
  };
  const operands: string[] = [];
  for (let j = 0; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--') {
      operands.push(...words.slice(j + 1));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = w.slice(2, eq < 0 ? undefined : eq);
      option(name, eq >= 0 ? w.slice(eq + 1) : PATCH_LONG_VALUES.has(name) ? words[++j] : undefined, true);
    } else if (w.length > 1 && w[0] === '-') {
      // A short-option cluster as getopt reads it (option-operands.ts).
      if (walkShortCluster(w, words[j + 1], PATCH_SHORT_VALUES, (letter, value) => option(letter, value, false))) j++;
    } else operands.push(w);
  }
  if (dryRun) return [];
  if (output !== null) return output === '-' || output === '' ? [] : [output];
  if (operands.length > 0) return [operands[0]!];
  return [dir === '' ? '.' : dir];
}

/**
 * git's own options before its subcommand (`git -C /workspace/app apply x.diff`, git(1)): the work
 * tree they name (`-C` DIR, relative ones joined, or `--work-tree`; `.` when none), and the index
 * of the subcommand word (`words.length` when there is none). `words`: the words after `git`.
 */
export function gitGlobals(words: readonly string[]): { tree: string; at: number } {
  let tree = '.';
  let j = 0;
  for (; j < words.length; j++) {
    const w = words[j]!;
    if (!w.startsWith('-')) break;
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    if (!GIT_GLOBAL_VALUES.has(name)) continue;
    const value = eq < 0 ? (words[++j] ?? '') : w.slice(eq + 1);
    if (name === '-C' && value !== '') tree = tree === '.' || value.startsWith('/') ? value : `${tree}/${value}`;
    else if (name === '--work-tree' && value !== '') tree = value;
  }
  return { tree, at: j };
}

function gitApplyPaths(words: readonly string[]): string[] {
  const { tree, at } = gitGlobals(words);
  let j = at;
  const sub = words[j];
  if (sub !== 'apply' && sub !== 'am') return [];
  let root: string | null = null;
  let report = false;
  let apply = false;
  for (j++; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--') break;
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    if (name === '--cached') return [];
    if (GIT_APPLY_NO_WRITE.has(name)) report = true;
    else if (name === '--apply') apply = true;
    else if (name === '--directory') root = eq < 0 ? (words[++j] ?? null) : w.slice(eq + 1);
    else if (eq < 0 && GIT_APPLY_VALUES.has(name)) j++;
  }
  if (report && !apply) return [];
  if (root === null || root === '') return [tree];
  return [root.startsWith('/') ? root : tree === '.' ? root : `${tree}/${root}`];
}
