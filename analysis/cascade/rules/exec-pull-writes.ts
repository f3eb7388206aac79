/**
 * What a pull from elsewhere writes in the pod, for exec-persistence.ts `readWrites`
 * (`attrs.exec.writes`), beside a fetch tool's file (exec-fetched-run.ts `fetchOutput`) and a bucket
 * copied down (exec-bucket-copies.ts `bucketDownload`): weights, code or data brought in over what
 * the cluster loads (`hf download evil/llama-3-8b --local-dir /mnt/models/llama` replaces the model
 * a server loads on its next start).
 * - The Hugging Face Hub CLI (`huggingface-cli download`, `hf download REPO [FILES…]`):
 *   `--local-dir DIR`, else the repo's folder in the hub cache (`--cache-dir`, else
 *   `HF_HUB_CACHE` / `HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, as assignments before the
 *   tool give them or the environment it inherits, else `~/.cache/huggingface/hub`), named as the hub names it:
 *   `models--ORG--NAME` (`datasets--`, `spaces--` by `--repo-type`). Nothing for `--dry-run` or help.
 *   Options as argparse reads them: `--name=value`, or a unique prefix of a name (an ambiguous one
 *   is refused, and nothing runs).
 * - `git clone [options] REPO [DIR]`: DIR, else the repository's "humanish" name (its last path
 *   part less `.git`; with `.git` for `--bare` / `--mirror`), under `git -C`; `git pull` and
 *   `git lfs pull` write the work tree (`-C` / `--work-tree`, else `.`).
 * - `aws s3api get-object … OUTFILE` (exec-bucket-copies.ts `s3apiDownload`).
 * - rclone and MinIO's mc pulling into a local path (exec-rclone-copies.ts `rclonePulls`,
 *   exec-minio-copies.ts `mcPull`).
 * - wget fetching a tree (`-r`, `-m`, `-i`): the directory it fills (`wgetTree`).
 * The caller places relative paths against the script's `cd`s. Never throws.
 */
import { BUCKET_COPY_TOOLS, bucketDownload, s3apiDownload } from './exec-bucket-copies.js';
import { toolArgs } from './exec-decode-stage.js';
import { MINIO_TOOLS, mcPull } from './exec-minio-copies.js';
import { gitGlobals } from './exec-patch-writes.js';
import { rclonePulls } from './exec-rclone-copies.js';
import { joinName } from './exec-script-paths.js';
import { getoptOperands } from './option-operands.js';
import { walkWgetWords } from './wget-options.js';

/**
 * One pull's local side: `to` itself written (a file, or a tree: `sources` null), or each of
 * `sources` copied into `to` as cp would place it (a directory when several, or a trailing slash).
 */
export interface Pull {
  to: string;
  sources: readonly string[] | null;
}

/** The Hub CLI's names. */
const HUB_TOOLS: ReadonlySet<string> = new Set(['huggingface-cli', 'hf']);
/** The other tools `pullWrites` reads (MinIO's mc aside: MINIO_TOOLS). */
const PULLERS: ReadonlySet<string> = new Set(['git', 'aws', 'rclone', 'wget']);

/** `download`'s options that take a value (huggingface_hub's CLI); `--include` / `--exclude` take any number. */
const HUB_VALUES: readonly string[] = ['repo-type', 'revision', 'cache-dir', 'local-dir', 'local-dir-use-symlinks', 'token', 'max-workers'];
const HUB_LISTS: readonly string[] = ['include', 'exclude'];
const HUB_SWITCHES: readonly string[] = ['force-download', 'resume-download', 'quiet', 'dry-run', 'help'];
const HUB_OPTIONS: readonly string[] = [...HUB_VALUES, ...HUB_LISTS, ...HUB_SWITCHES];

/** The cache environment variables the hub reads, as the assignments before its tool set them. */
const HUB_CACHE_VARS: readonly string[] = ['HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE'];

/** git clone's options that take a value (git-clone(1)); short ones by letter. */
const CLONE_VALUES_LONG: ReadonlySet<string> = new Set([
  'origin', 'branch', 'upload-pack', 'reference', 'reference-if-able', 'separate-git-dir', 'depth', 'shallow-since',
  'shallow-exclude', 'config', 'template', 'jobs', 'filter', 'server-option', 'bundle-uri', 'ref-format', 'revision',
]);
const CLONE_VALUES_SHORT: ReadonlySet<string> = new Set(['o', 'b', 'u', 'c', 'j']);

/**
 * What the command at `t` of `words` (its base name `tool`, a reading's note left out) pulls into
 * the pod; `env`: the `NAME=value` settings it inherits (exported before it, or given to the
 * interpreter whose code runs it), which the assignments before its tool override.
 */
export function pullWrites(words: readonly string[], t: number, tool: string, env: readonly string[] = []): Pull[] {
  if (HUB_TOOLS.has(tool)) {
    const to = hubDownload(words, t, env);
    return to === null ? [] : [{ to, sources: null }];
  }
  if (!PULLERS.has(tool) && !MINIO_TOOLS.has(tool)) return [];
  // Redirections are the shell's, not the tool's operands: `git clone U 2>/dev/null` clones into U's own name.
  const args = toolArgs(words, t, tool);
  switch (tool) {
    case 'git':
      return gitPull(args.slice(1)).map((to) => ({ to, sources: null }));
    case 'aws': {
      const to = s3apiDownload(args);
      return to === null ? [] : [{ to, sources: null }];
    }
    case 'rclone':
      return rclonePulls(args).map((to) => ({ to, sources: null }));
    case 'wget': {
      const to = wgetTree(args, 0);
      return to === null ? [] : [{ to, sources: null }];
    }
    default: {
      const mc = mcPull(args);
      return mc === null ? [] : [mc];
    }
  }
}

/**
 * A Hub CLI option's full name from what was typed: itself, else the one option it is a prefix of
 * (argparse); `ambiguous` for a prefix of several, which argparse refuses (the command runs nothing);
 * null for one it does not know.
 */
function hubOption(typed: string): string | null {
  if (HUB_OPTIONS.includes(typed)) return typed;
  const matches = HUB_OPTIONS.filter((o) => o.startsWith(typed));
  return matches.length > 1 ? 'ambiguous' : (matches[0] ?? null);
}

/** The directory `huggingface-cli download` / `hf download` at `t` writes (see the header), or null. */
function hubDownload(words: readonly string[], t: number, env: readonly string[]): string | null {
  if (words[t + 1] !== 'download') return null;
  const given = new Map<string, string>();
  const operands: string[] = [];
  let list = false;
  for (let j = t + 2; j < words.length; j++) {
    const w = words[j]!;
    if (w === '-h') return null;
    if (!w.startsWith('--') || w === '--') {
      if (!list && w !== '--') operands.push(w);
      continue;
    }
    const eq = w.indexOf('=');
    const name = hubOption(w.slice(2, eq < 0 ? undefined : eq));
    list = false;
    if (name === 'dry-run' || name === 'help' || name === 'ambiguous') return null;
    if (name === null || HUB_SWITCHES.includes(name)) continue;
    if (HUB_LISTS.includes(name)) list = eq < 0;
    else given.set(name, eq < 0 ? (words[++j] ?? '') : w.slice(eq + 1));
  }
  const repo = operands[0];
  const local = given.get('local-dir');
  if (local !== undefined) return local === '' ? null : local;
  if (repo === undefined || repo === '') return null;
  const kind = given.get('repo-type') ?? 'model';
  return `${hubCache([...env, ...words.slice(0, t)], given.get('cache-dir'))}/${kind}s--${repo.split('/').join('--')}`;
}

/** The hub cache a download fills: `--cache-dir`, else the variables `settings` set last (the words before its tool), else the default. */
function hubCache(settings: readonly string[], cacheDir: string | undefined): string {
  if (cacheDir !== undefined && cacheDir !== '') return cacheDir.replace(/\/+$/, '');
  let cache: string | null = null;
  let home: string | null = null;
  for (const w of settings) {
    const eq = w.indexOf('=');
    if (eq <= 0) continue;
    const name = w.slice(0, eq);
    if (HUB_CACHE_VARS.includes(name)) cache = w.slice(eq + 1);
    else if (name === 'HF_HOME') home = w.slice(eq + 1);
  }
  if (cache !== null && cache !== '') return cache.replace(/\/+$/, '');
  if (home !== null && home !== '') return `${home.replace(/\/+$/, '')}/hub`;
  return '~/.cache/huggingface/hub';
}

/** The trees `git clone` / `git pull` / `git lfs pull` write (`args`: the words after `git`). */
function gitPull(args: readonly string[]): string[] {
  const { tree, at } = gitGlobals(args);
  const sub = args[at];
  if (sub === 'pull' || (sub === 'lfs' && args[at + 1] === 'pull')) return [tree];
  if (sub !== 'clone') return [];
  let bare = false;
  const operands = getoptOperands(args, at, CLONE_VALUES_SHORT, CLONE_VALUES_LONG, (name, _value, long) => {
    if (long && (name === 'bare' || name === 'mirror')) bare = true;
  });
  const repo = operands[0];
  if (repo === undefined) return [];
  const dir = operands[1] ?? humanishName(repo, bare);
  if (dir === '') return [];
  return [dir.startsWith('/') || tree === '.' ? dir : `${tree.replace(/\/+$/, '')}/${dir}`];
}

/** The directory `git clone REPO` makes: the repository's last path part less a trailing `/.git` or `.git` (git-clone(1)). */
function humanishName(repo: string, bare: boolean): string {
  const path = repo.replace(/\/+$/, '').replace(/\/\.git$/, '').replace(/\.git$/, '');
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf(':')) + 1);
  return name === '' ? '' : bare ? `${name}.git` : name;
}

/**
 * The directory a wget command fills with a tree of files it names from the URLs (`wget -r -np
 * -P /mnt/ckpt http://h/m/`, `--mirror`, `-i urls.txt`): its `-P` / `--directory-prefix`, else the
 * working directory (`.`); null when it fetches one named file (exec-fetched-run.ts `wgetOutput`'s),
 * writes to `-O`, or leaves nothing (`--spider`, `--delete-after`).
 */
function wgetTree(words: readonly string[], t: number): string | null {
  let tree = false;
  let keep = true;
  let dir: string | null = null;
  walkWgetWords(
    words,
    t,
    (name, value, long) => {
      if (long ? name === 'recursive' || name === 'mirror' || name === 'input-file' : name === 'r' || name === 'm' || name === 'i') tree = true;
      if (long ? name === 'spider' || name === 'delete-after' || name === 'output-document' : name === 'O') keep = false;
      if (long ? name === 'directory-prefix' : name === 'P') dir = value ?? null;
    },
    (w) => !w.startsWith('#'),
  );
  return tree && keep ? (dir ?? '.') : null;
}

/**
 * What a pull or a bucket download at `t` writes, for a later command that runs one of its files
 * (exec-fetched-run.ts): a tree (`tree`: every path under it), or a file a bucket copy or mc names,
 * placed as cp places it: `to` itself when one source goes to a name not ending in `/`, and `to/<the
 * source's last name>` (the words do not say whether `to` is a directory). The caller places them.
 */
export function pulledPaths(words: readonly string[], t: number, tool: string): Array<{ path: string; tree: boolean }> {
  const pulls = pullWrites(words, t, tool);
  const down = BUCKET_COPY_TOOLS.has(tool) ? bucketDownload(toolArgs(words, t, tool), tool) : null;
  if (down !== null) pulls.push(down);
  const out: Array<{ path: string; tree: boolean }> = [];
  for (const { to, sources } of pulls) {
    if (sources === null) {
      out.push({ path: to, tree: true });
      continue;
    }
    if (sources.length === 1 && !to.endsWith('/')) out.push({ path: to, tree: false });
    for (const src of sources) {
      const into = joinName(to, src);
      if (into !== '') out.push({ path: into, tree: false });
    }
  }
  return out;
}
