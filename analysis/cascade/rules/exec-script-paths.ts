/**
 * Paths as the commands of one script name them (exec-fetched-run.ts): compared as written, or
 * placed against the working directory that the script's `cd` / `pushd` commands set.
 *
 * The directory the exec starts in is not known: it is '' here, and a path placed against it stays
 * relative (`k/run`). A `cd` the words cannot follow (`cd`, `cd -`, `cd ~x`, `cd "$D"`) leaves the
 * working directory unknown (null): a relative path then has no place. `..` segments are folded
 * where the path says what they undo (`/tmp/a/../b` is `/tmp/b`), kept at the front of a relative
 * path. Pure string work; never throws.
 */
import { baseName } from './exec-canonical.js';

/** The working directory: '' where the exec started, null when a `cd` could not be followed. */
export type WorkDir = string | null;

/** A path as compared: `./` prefixes and repeated slashes dropped. */
export function normalPath(p: string): string {
  let s = p.replace(/\/{2,}/g, '/');
  while (s.startsWith('./')) s = s.slice(2);
  return s;
}

/** Whether `a` and `b` name the same file as far as the words show: equal, or by last segment where either has no directory. */
export function samePath(a: string, b: string): boolean {
  const x = normalPath(a);
  const y = normalPath(b);
  if (x === '' || y === '') return false;
  if (x === y) return true;
  return (x.indexOf('/') < 0 || y.indexOf('/') < 0) && baseName(x) === baseName(y);
}

/** `p` placed against `cwd`, `.` and `..` folded, no trailing slash; null when `p` is relative and `cwd` unknown. */
export function placePath(cwd: WorkDir, p: string): string | null {
  const absolute = p.startsWith('/');
  if (!absolute && cwd === null) return null;
  const base = absolute || cwd === '' ? '' : cwd!;
  const out: string[] = [];
  for (const seg of `${base}/${p}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg !== '..' || !(absolute || base.startsWith('/'))) out.push(seg);
  }
  const joined = out.join('/');
  return absolute || base.startsWith('/') ? `/${joined}` : joined;
}

/**
 * A file a command names, placed against the directory a `cd` moved to (`cd /mnt/ckpt && … m.pt`
 * names /mnt/ckpt/m.pt); as written where the directory is the exec's own or unknown, and where it
 * is home-relative or unexpanded (`~/m.pt`, `$F`: no place under the directory).
 */
export function placeFile(cwd: WorkDir, file: string): string {
  if (cwd === null || cwd === '' || /^[/~$]/.test(file)) return file;
  return placePath(cwd, file) || file;
}

/** `dir/<src's last name>`: where a copy into a directory puts `src` ('' when src names nothing). */
export function joinName(dir: string, src: string): string {
  const name = baseName(src.replace(/\/+$/, ''));
  if (dir === '' || name === '' || name === '.' || name === '..') return '';
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

/** Whether the placed path `p` lies under the placed directory `dir` ('' the starting directory: any relative path not leaving it). */
export function underDir(p: string, dir: string): boolean {
  if (dir === '') return p !== '' && !p.startsWith('/') && p !== '..' && !p.startsWith('../');
  if (dir === '/') return p.length > 1 && p.startsWith('/');
  return p.length > dir.length + 1 && p.startsWith(dir) && p.charCodeAt(dir.length) === 0x2f;
}

/** The working directory after `cd` / `pushd` at `t` in `words`, from `cwd`. */
export function changedDir(cwd: WorkDir, words: readonly string[], t: number): WorkDir {
  let k = t + 1;
  while (k < words.length && /^-[LPe@]+$/.test(words[k]!)) k++;
  if (words[k] === '--') k++;
  const to = words[k];
  if (to === undefined || to === '' || to === '-' || /^[~+]/.test(to) || /[$`*?[]/.test(to)) return null;
  return placePath(cwd, to);
}
