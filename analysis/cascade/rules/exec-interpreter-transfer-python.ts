/**
 * Python transfers beyond HTTP, boto3's single calls and GCS uploads (exec-interpreter-transfer.ts
 * reads those and says why each is a run):
 * - SFTP through paramiko (`SSHClient().open_sftp().put(local, remote)`, `SFTPClient
 *   .from_transport(Transport((h, 22))).put(…)`, `putfo`) and `scp.SCPClient(t).put(files,
 *   remote_path)` → `scp LOCAL HOST:REMOTE` (paramiko SFTPClient reference; the host from the
 *   Transport or the client's `connect(hostname)`);
 * - fsspec filesystems (`s3fs.S3FileSystem().put(lpath, rpath)`, `put_file`, `upload`;
 *   `fsspec.filesystem('s3')`, `gcsfs.GCSFileSystem()`), and a remote file opened for writing
 *   (`fsspec.open('s3://b/k', 'wb')`, `smart_open.open(…, 'wb')`, `fs.open(…, 'wb')`) written
 *   with `.write(X)` or `shutil.copyfileobj(src, it)` → `aws s3 cp SRC s3://B/K` (`gsutil cp` for
 *   `gs://`), SRC the file X reads or `-` for data from memory;
 * - boto3 multipart uploads: each `upload_part(Bucket, Key, Body=…)` → `aws s3 cp SRC s3://B/K`,
 *   the same run read once (`create_multipart_upload` alone moves nothing);
 * - the Hugging Face Hub: `upload_file`, `upload_folder`, `upload_large_folder` (module level or on
 *   an `HfApi()`) → `huggingface-cli upload REPO PATH [PATH_IN_REPO]`, and
 *   `huggingface_hub.create_commit(repo_id=r, operations=[CommitOperationAdd(path_in_repo=…,
 *   path_or_fileobj=p)])` → `huggingface-cli upload r p PATH_IN_REPO` (the first add operation);
 * - `ftplib.FTP(h).storbinary('STOR x', fp)` / `storlines` → `curl -T p ftp://h/x`;
 * - downloads, read as downloads (no upload tool word): `hf_hub_download(repo_id, filename)` →
 *   `huggingface-cli download REPO FILE` (with `local_dir=D`: `curl -o D/FILE
 *   https://huggingface.co/REPO/resolve/REV/FILE`), `snapshot_download(repo_id, local_dir=D)`
 *   → `huggingface-cli download REPO --local-dir D`, GCS `download_to_filename(p)` →
 *   `curl -o p https://storage.googleapis.com/B/K`, `ftp.retrbinary('RETR x', open(p, 'wb').write)`
 *   → `curl -o p ftp://h/x`, `shutil.copyfileobj(urlopen(u), open(p, 'wb'))` → `curl -o p u`;
 *   a model loaded by its hub id (`AutoModel.from_pretrained(id, cache_dir=D)`, diffusers, peft,
 *   `SentenceTransformer(id)`) → `huggingface-cli download ID [--cache-dir D]`;
 * - mail through smtplib with a file attached: exec-interpreter-transfer-mail.ts;
 * - MLflow and W&B uploads: exec-interpreter-transfer-platforms.ts;
 * - a file sent over a raw socket (`socket`, `ssl`): exec-interpreter-transfer-socket.ts;
 * - files staged without a shell (archives, copies, a file base64-encoded): exec-interpreter-transfer-staging.ts.
 * Every chain must start at an import (`client.put(…)` on an object no import made is nothing).
 * Bounded by the chain reader's bounds; one linear scan of the tokens for `.connect(` calls;
 * never throws.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { callNamed, dottedHead, S_ATTR, S_CALL, wordOf, type ArgRanges, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { smtpTransfer } from './exec-interpreter-transfer-mail.js';
import { platformTransfer } from './exec-interpreter-transfer-platforms.js';
import { socketFileWrite, socketTransfer } from './exec-interpreter-transfer-socket.js';
import { compressedCopy, COMPRESSORS, stagingTransfer } from './exec-interpreter-transfer-staging.js';
import { HOLE, TK_NAME, TK_OP } from './exec-interpreter-token.js';
import { V_LIST, V_STR, V_TRUE } from './exec-interpreter-value.js';

const FS_PUTS = new Set(['put', 'put_file', 'upload']);
const OPENS = new Set(['fsspec.open', 'smart_open.open', 'smart_open.smart_open']);
const SFTP_PUTS = new Set(['put', 'putfo']);
const SSH_CLIENTS = new Set(['SSHClient']);
const FTPS = new Set(['FTP', 'FTP_TLS']);
/** Tokens scanned for the one object's `.connect(…)` a host is read from. */
const MAX_CONNECTS = 8;

const prefix = (c: Chain, k: number): Chain => ({ steps: c.steps.slice(0, k), rooted: c.rooted });
const join = (parts: Word[]): Word => [parts.map((p) => p[0]).join(''), parts.reduce((h, p) => h | p[1], 0)];

export class PythonTransfers {
  private connects: Array<[Chain, Step]> | null = null;

  constructor(private readonly ctx: TransferContext) {}

  /** The transfer the rooted Python call `c(…)` makes that the main reader does not read, or null. */
  read(c: Chain, call: Step): Transfer | null {
    const s = c.steps;
    const last = s[s.length - 1]!;
    if (!c.rooted || last.k !== S_ATTR || s.length < 2) return null;
    const fn = last.name;
    const root = s[0]!.name;
    const head = dottedHead(c);
    if (fn === 'write' && root !== 'zipfile') return this.remoteWrite(prefix(c, s.length - 1), call);
    if (head === 'shutil.copyfileobj') return this.copyObj(call);
    switch (root) {
      case 'paramiko':
      case 'scp':
        return SFTP_PUTS.has(fn) ? this.sftp(c, fn, call) : null;
      case 's3fs':
      case 'gcsfs':
      case 'fsspec':
        return FS_PUTS.has(fn) ? this.fsPut(prefix(c, s.length - 1), fn, call) : null;
      case 'boto3':
        return fn === 'upload_part' ? this.part(call) : null;
      case 'huggingface_hub':
        if (fn === 'create_commit') return this.commit(call);
        if (fn === 'hf_hub_download') return this.hubDownload(call);
        return fn === 'snapshot_download' ? this.snapshot(call) : this.hub(fn, call);
      case 'transformers':
      case 'diffusers':
      case 'peft':
        return fn === 'from_pretrained' ? this.pretrained(root, fn, call) : null;
      case 'sentence_transformers':
        return fn === 'SentenceTransformer' || fn === 'CrossEncoder' ? this.pretrained(root, fn, call) : null;
      case 'smtplib':
        return smtpTransfer(this.ctx, c, fn, call);
      case 'socket':
      case 'ssl':
        return socketTransfer(this.ctx, c, fn, call);
      case 'google':
        return fn === 'download_to_filename' || fn === 'download_to_file' ? this.gcsDownload(c, fn, call) : null;
      case 'ftplib':
        return this.ftp(c, fn, call);
      case 'mlflow':
      case 'wandb':
        return platformTransfer(this.ctx, c, fn, call);
      case 'shutil':
      case 'os':
      case 'torch':
      case 'safetensors':
      case 'tarfile':
      case 'zipfile':
      case 'base64':
      case 'compression':
        return stagingTransfer(this.ctx, c, fn, call);
      default:
        return COMPRESSORS.has(root) ? stagingTransfer(this.ctx, c, fn, call) : null;
    }
  }

  /** paramiko's `put(localpath, remotepath)` / `putfo(fl, remotepath)` on an SFTP client, scp's `put(files, remote_path)`. */
  private sftp(c: Chain, fn: string, call: Step): Transfer | null {
    const ctx = this.ctx;
    const sftp = callNamed(c, new Set(['open_sftp', 'from_transport', 'SFTPClient', 'SCPClient']));
    if (sftp === null) return null;
    const a = ctx.args(call);
    const scp = c.steps[0]!.name === 'scp';
    let src: Word;
    if (fn === 'putfo') {
      const f = ctx.fileOf(a.pos[0] ?? a.kw.get('fl'));
      src = f !== null && !f.write ? f.path : ['-', 0];
    } else src = this.fileWord(a.pos[0] ?? a.kw.get(scp ? 'files' : 'localpath'));
    const remote = a.pos[1] ?? a.kw.get(scp ? 'remote_path' : 'remotepath');
    const host = this.sshHost(c, sftp);
    const dest = join([host, [':', 0], remote === undefined ? ['.', 0] : ctx.word(remote)]);
    return { words: [['scp', 0], src, dest, [`#${c.steps[0]!.name}.${fn}`, 0]] };
  }

  /** A path argument: its text, a list's first item (scp's `files`), else HOLE. */
  private fileWord(range: [number, number] | undefined): Word {
    if (range === undefined) return wordOf(undefined);
    const v = this.ctx.chains.values.value(range[0], range[1]);
    return wordOf(v.k === V_LIST ? v.items[0] : v);
  }

  /** The host an SSH session reaches: `Transport((h, port))` / `Transport('h:port')`, else the client's `connect(hostname)`. */
  private sshHost(c: Chain, at: Step): Word {
    const ctx = this.ctx;
    let t: Chain | null = c;
    if (c.steps[c.steps.indexOf(at) - 1]?.name !== 'open_sftp') {
      const a = ctx.args(at);
      const arg = a.pos[0] ?? a.kw.get('t') ?? a.kw.get('transport') ?? a.kw.get('sock');
      t = arg === undefined ? null : ctx.chains.chain(arg[0], arg[1]);
    }
    const tr = t === null ? null : callNamed(t, new Set(['Transport']));
    if (tr !== null) {
      const a = ctx.args(tr);
      const r = a.pos[0] ?? a.kw.get('sock');
      const v = r === undefined ? undefined : ctx.chains.values.value(r[0], r[1]);
      if (v?.k === V_LIST) return wordOf(v.items[0]);
      if (v?.k === V_STR && !v.bin) return [v.s.replace(/:\d+$/, ''), v.how];
      return wordOf(v);
    }
    return this.connectHost(t !== null && callNamed(t, SSH_CLIENTS) !== null ? SSH_CLIENTS : null, 'hostname');
  }

  /** The first argument of the first `.connect(…)` called on an object made by a call named in `names`. */
  private connectHost(names: ReadonlySet<string> | null, kw: string): Word {
    if (names === null) return wordOf(undefined);
    for (const [chain, step] of this.connectCalls()) {
      if (callNamed(chain, names) === null) continue;
      const a = this.ctx.args(step);
      return this.ctx.word(a.pos[0] ?? a.kw.get(kw));
    }
    return wordOf(undefined);
  }

  private connectCalls(): Array<[Chain, Step]> {
    if (this.connects !== null) return this.connects;
    this.connects = [];
    const { ts, match } = this.ctx.chains;
    for (let i = 2; i < ts.length && this.connects.length < MAX_CONNECTS; i++) {
      const t = ts[i]!;
      if (t.k !== TK_OP || t.v !== '(' || ts[i - 1]!.k !== TK_NAME || ts[i - 1]!.v !== 'connect' || ts[i - 2]!.v !== '.') continue;
      const start = this.ctx.chains.calleeStart(i);
      const c = start < 0 ? null : this.ctx.chains.chain(start, i);
      if (c !== null) this.connects.push([c, { k: S_CALL, name: '', a: i + 1, b: Math.min(match[i]!, ts.length) }]);
    }
    return this.connects;
  }

  /** What filesystem an fsspec object is: `s3`, `gs`, or null (a local, memory or unknown one). */
  private fsKind(c: Chain): 's3' | 'gs' | null {
    if (callNamed(c, new Set(['S3FileSystem'])) !== null) return 's3';
    if (callNamed(c, new Set(['GCSFileSystem'])) !== null) return 'gs';
    const f = callNamed(c, new Set(['filesystem']));
    if (f === null || c.steps[0]!.name !== 'fsspec') return null;
    const a = this.ctx.args(f);
    const p = this.ctx.word(a.pos[0] ?? a.kw.get('protocol'))[0];
    return p === 's3' || p === 's3a' ? 's3' : p === 'gs' || p === 'gcs' ? 'gs' : null;
  }

  /** A remote URL on filesystem `kind` (`b/k` means `s3://b/k` there). */
  private remote(kind: 's3' | 'gs', w: Word): Word {
    return /^[a-z0-9]+:\/\//i.test(w[0]) ? w : [`${kind}://${w[0]}`, w[1]];
  }

  private cp(kind: 's3' | 'gs', src: Word, dest: Word, marker: string): Transfer {
    return { words: kind === 's3' ? [['aws', 0], ['s3', 0], ['cp', 0], src, dest, [`#${marker}`, 0]] : [['gsutil', 0], ['cp', 0], src, dest, [`#${marker}`, 0]] };
  }

  /** `fs.put(lpath, rpath)` on an S3 or GCS filesystem. */
  private fsPut(fs: Chain, fn: string, call: Step): Transfer | null {
    const kind = this.fsKind(fs);
    if (kind === null) return null;
    const a = this.ctx.args(call);
    const src = this.ctx.word(a.pos[0] ?? a.kw.get('lpath'));
    return this.cp(kind, src, this.remote(kind, this.ctx.word(a.pos[1] ?? a.kw.get('rpath'))), `${fs.steps[0]!.name}.${fn}`);
  }

  /** A remote file opened for writing: `fsspec.open(url, 'wb')`, `smart_open.open(url, 'wb')`, `fs.open(path, 'wb')`: its kind and URL. */
  private remoteOpen(c: Chain | null): [kind: 's3' | 'gs', url: Word, marker: string] | null {
    if (c === null || !c.rooted || c.steps.length < 2) return null;
    const s = c.steps;
    const call = s[s.length - 1]!;
    if (call.k !== S_CALL || s[s.length - 2]!.name !== 'open') return null;
    const a = this.ctx.args(call);
    const mode = this.ctx.word(a.pos[1] ?? a.kw.get('mode'));
    if (mode[1] !== 0 || !/[wax]/.test(mode[0])) return null;
    const url = this.ctx.word(a.pos[0] ?? a.kw.get('urlpath') ?? a.kw.get('uri') ?? a.kw.get('path'));
    const head = dottedHead(c);
    if (OPENS.has(head)) {
      const kind = /^s3a?:\/\//i.test(url[0]) ? 's3' : /^gc?s:\/\//i.test(url[0]) ? 'gs' : null;
      return kind === null ? null : [kind, url, head];
    }
    const kind = this.fsKind(prefix(c, s.length - 2));
    return kind === null ? null : [kind, this.remote(kind, url), `${s[0]!.name}.open`];
  }

  /** `<remote file>.write(X)`: X's file uploaded there, or data from memory (`-`); a socket's `makefile()` written with a file (exec-interpreter-transfer-socket.ts). */
  private remoteWrite(recv: Chain, call: Step): Transfer | null {
    const r = this.remoteOpen(recv);
    const f = this.ctx.fileOf(this.ctx.args(call).pos[0]);
    if (r === null) {
      const path = f !== null && !f.write ? f.path : null;
      // Not a remote file: a socket's, or a compressed file's opened to write (`gzip.open(out, 'wb').write(…)`).
      return socketFileWrite(this.ctx, recv, path) ?? (path === null ? null : compressedCopy(this.ctx, recv, path, `${recv.steps[0]!.name}.write`));
    }
    return this.cp(r[0], f !== null && !f.write ? f.path : ['-', 0], r[1], `${r[2]}.write`);
  }

  /** `shutil.copyfileobj(fsrc, fdst)`: a local file into a remote one (an upload), or a download's body into a local file. */
  private copyObj(call: Step): Transfer | null {
    const ctx = this.ctx;
    const a = ctx.args(call);
    const src = a.pos[0] ?? a.kw.get('fsrc');
    const dst = a.pos[1] ?? a.kw.get('fdst');
    if (src === undefined || dst === undefined) return null;
    const into = ctx.chains.chain(dst[0], dst[1]);
    const r = this.remoteOpen(into);
    const f = ctx.fileOf(src);
    // A file read (not one opened to write) copied into a remote file, a socket or a compressed file.
    const read = f !== null && !f.write ? f.path : null;
    if (r !== null) return read !== null ? this.cp(r[0], read, r[1], 'shutil.copyfileobj') : null;
    if (read !== null) {
      const sent = socketFileWrite(ctx, into, read) ?? compressedCopy(ctx, into, read, 'shutil.copyfileobj');
      if (sent !== null) return sent;
    }
    const out = ctx.fileOf(dst);
    const body = ctx.chains.chain(src[0], src[1]);
    if (out === null || !out.write || body === null) return null;
    for (let k = 1; k < body.steps.length; k++) {
      const st = body.steps[k]!;
      if (st.k !== S_CALL) continue;
      const t = ctx.describe(prefix(body, k), st);
      if (t === null || t.fetch !== true) continue;
      ctx.consume(st.a - 1);
      return { words: [t.words[0]!, ['-o', 0], out.path, ...t.words.slice(1, -1), ['#shutil.copyfileobj', 0]] };
    }
    return null;
  }

  /** boto3 `upload_part(Bucket=, Key=, Body=, PartNumber=, UploadId=)` (keywords only, as boto3 takes them). */
  private part(call: Step): Transfer {
    const a = this.ctx.args(call);
    const b = this.ctx.word(a.kw.get('Bucket'));
    const k = this.ctx.word(a.kw.get('Key'));
    const f = this.ctx.fileOf(a.kw.get('Body'));
    return this.cp('s3', f !== null && !f.write ? f.path : ['-', 0], [`s3://${b[0]}/${k[0]}`, b[1] | k[1]], 'boto3.upload_part');
  }

  /** huggingface_hub `upload_file(path_or_fileobj=, path_in_repo=, repo_id=)`, `upload_folder(repo_id=, folder_path=, path_in_repo=)`. */
  private hub(fn: string, call: Step): Transfer | null {
    const ctx = this.ctx;
    const a = ctx.args(call);
    let repo: [number, number] | undefined;
    let src: Word;
    let inRepo: [number, number] | undefined;
    if (fn === 'upload_file') {
      const p = a.kw.get('path_or_fileobj') ?? a.pos[0];
      const f = ctx.fileOf(p);
      src = f !== null && !f.write ? f.path : ctx.word(p);
      inRepo = a.kw.get('path_in_repo') ?? a.pos[1];
      repo = a.kw.get('repo_id') ?? a.pos[2];
    } else if (fn === 'upload_folder' || fn === 'upload_large_folder') {
      repo = a.kw.get('repo_id') ?? a.pos[0];
      src = ctx.word(a.kw.get('folder_path') ?? a.pos[1]);
      inRepo = a.kw.get('path_in_repo');
    } else return null;
    const words: Word[] = [['huggingface-cli', 0], ['upload', 0], ctx.word(repo), src];
    if (inRepo !== undefined) words.push(ctx.word(inRepo));
    words.push([`#huggingface_hub.${fn}`, 0]);
    return { words };
  }

  /** `create_commit(repo_id, operations, …)`: the first `CommitOperationAdd(path_in_repo, path_or_fileobj)` spelled in the operations. */
  private commit(call: Step): Transfer {
    const ctx = this.ctx;
    const a = ctx.args(call);
    const words: Word[] = [['huggingface-cli', 0], ['upload', 0], ctx.word(a.kw.get('repo_id') ?? a.pos[0])];
    const add = this.addOperation(a.kw.get('operations') ?? a.pos[1], 0);
    if (add === null) words.push(wordOf(undefined));
    else {
      const o = ctx.args(add);
      const p = o.kw.get('path_or_fileobj') ?? o.pos[1];
      const f = ctx.fileOf(p);
      words.push(f !== null && !f.write ? f.path : ctx.word(p), ctx.word(o.kw.get('path_in_repo') ?? o.pos[0]));
    }
    words.push(['#huggingface_hub.create_commit', 0]);
    return { words };
  }

  /** The first `CommitOperationAdd(` call in a range (a list, a comprehension, a name assigned once). */
  private addOperation(range: [number, number] | undefined, depth: number): Step | null {
    if (range === undefined || depth > 2) return null;
    const { ts, match, values } = this.ctx.chains;
    const [x, y] = range;
    if (y === x + 1 && ts[x]!.k === TK_NAME) return this.addOperation(values.bindingOf(ts[x]!.v) as [number, number] | undefined, depth + 1);
    for (let i = x; i + 1 < y; i++) {
      const t = ts[i]!;
      if (t.k !== TK_NAME || ts[i + 1]!.k !== TK_OP || ts[i + 1]!.v !== '(') continue;
      const start = this.ctx.chains.calleeStart(i + 1);
      const c = start < 0 ? null : this.ctx.chains.chain(start, i + 1);
      if (c !== null && c.steps[c.steps.length - 1]!.name === 'CommitOperationAdd') return { k: S_CALL, name: '', a: i + 2, b: Math.min(match[i + 1]!, ts.length) };
    }
    return null;
  }

  /**
   * `hf_hub_download(repo_id, filename, subfolder=, revision=, local_dir=)`: into `local_dir`, an HTTP
   * GET of the file's resolve URL saved there; else into the hub cache, as the CLI downloads one file
   * (`huggingface-cli download REPO FILE [--repo-type T] [--revision R] [--cache-dir D]`:
   * exec-pull-writes.ts places the cache, `cache_dir=` or the default).
   */
  private hubDownload(call: Step): Transfer {
    const ctx = this.ctx;
    const a = ctx.args(call);
    const repo = ctx.word(a.kw.get('repo_id') ?? a.pos[0]);
    const file = ctx.word(a.kw.get('filename') ?? a.pos[1]);
    const dir = a.kw.get('local_dir');
    if (dir === undefined) return this.hubCli([repo, file], a, ['repo_type', 'revision', 'cache_dir'], 'huggingface_hub.hf_hub_download');
    const rev: Word = a.kw.has('revision') ? ctx.word(a.kw.get('revision')) : ['main', 0];
    const url = join([['https://huggingface.co/', 0], repo, ['/resolve/', 0], rev, ['/', 0], file]);
    return { words: [['curl', 0], ['-o', 0], join([ctx.word(dir), ['/', 0], file]), url, ['#huggingface_hub.hf_hub_download', 0]] };
  }

  /**
   * `snapshot_download(repo_id, repo_type=, cache_dir=, local_dir=)`: the whole repository, as the
   * CLI downloads it (`huggingface-cli download REPO --local-dir D`: exec-pull-writes.ts reads what it writes).
   */
  private snapshot(call: Step): Transfer {
    const a = this.ctx.args(call);
    return this.hubCli([this.ctx.word(a.kw.get('repo_id') ?? a.pos[0])], a, ['repo_type', 'cache_dir', 'local_dir'], 'huggingface_hub.snapshot_download');
  }

  /**
   * A model loaded by its hub id: transformers', diffusers' and peft's `from_pretrained(id,
   * revision=, cache_dir=)` (peft's id is its second argument, `model_id`), sentence-transformers'
   * `SentenceTransformer(id, cache_folder=)`: the library downloads the repository into the hub cache
   * first, as `huggingface-cli download ID` does (exec-pull-writes.ts places it). A local directory
   * (`/…`, `./…`, `~/…`) and `local_files_only=True` download nothing, and an id known only at run
   * time may be either.
   */
  private pretrained(root: string, fn: string, call: Step): Transfer | null {
    const ctx = this.ctx;
    const a = ctx.args(call);
    const id = root === 'peft' ? (a.kw.get('model_id') ?? a.pos[1]) : (a.kw.get(root === 'sentence_transformers' ? 'model_name_or_path' : 'pretrained_model_name_or_path') ?? a.pos[0]);
    if (id === undefined) return null;
    const local = a.kw.get('local_files_only');
    if (local !== undefined && ctx.chains.values.value(local[0], local[1]).k === V_TRUE) return null;
    const repo = ctx.word(id);
    if (/^(?:\/|\.|~)/.test(repo[0]) || repo[0].split(HOLE).join('') === '') return null;
    const cache: ReadonlyArray<string | [string, string]> = root === 'sentence_transformers' ? [['cache_folder', 'cache_dir'], 'revision'] : ['revision', 'cache_dir'];
    return this.hubCli([repo], a, cache, `${root}.${fn}`);
  }

  /**
   * `huggingface-cli download OPERANDS…` with the CLI option of each keyword given (`cache_dir=` →
   * `--cache-dir`; a pair names the option another keyword stands for), marked by the library call.
   */
  private hubCli(operands: readonly Word[], a: ArgRanges, keywords: ReadonlyArray<string | readonly [string, string]>, marker: string): Transfer {
    const words: Word[] = [['huggingface-cli', 0], ['download', 0], ...operands];
    for (const k of keywords) {
      const [kw, option] = typeof k === 'string' ? [k, k] : k;
      const v = a.kw.get(kw);
      if (v !== undefined) words.push([`--${option.replace('_', '-')}`, 0], this.ctx.word(v));
    }
    words.push([`#${marker}`, 0]);
    return { words };
  }

  /** google-cloud-storage `blob.download_to_filename(p)` / `download_to_file(f)`: a GET of the object's URL. */
  private gcsDownload(c: Chain, fn: string, call: Step): Transfer | null {
    const ctx = this.ctx;
    const bc = callNamed(c, new Set(['bucket', 'get_bucket', 'lookup_bucket', 'Bucket']));
    const kc = callNamed(c, new Set(['blob', 'get_blob', 'Blob']));
    if (kc === null && bc === null) return null;
    const ba = bc === null ? null : ctx.args(bc);
    const bucket = ctx.word(ba === null ? undefined : c.steps[c.steps.indexOf(bc!) - 1]!.name === 'Bucket' ? ba.pos[1] ?? ba.kw.get('name') : ba.pos[0] ?? ba.kw.get('bucket_name'));
    const key = ctx.word(kc === null ? undefined : ctx.args(kc).pos[0]);
    const a = ctx.args(call);
    const arg = a.pos[0] ?? a.kw.get(fn === 'download_to_filename' ? 'filename' : 'file_obj');
    const dest = fn === 'download_to_filename' ? ctx.word(arg) : ctx.fileOf(arg)?.path ?? wordOf(undefined);
    return { words: [['curl', 0], ['-o', 0], dest, join([['https://storage.googleapis.com/', 0], bucket, ['/', 0], key]), [`#google.cloud.storage.${fn}`, 0]] };
  }

  /** ftplib: `storbinary('STOR x', fp)` / `storlines` (an upload), `retrbinary('RETR x', open(p, 'wb').write)` (a download). */
  private ftp(c: Chain, fn: string, call: Step): Transfer | null {
    if (fn !== 'storbinary' && fn !== 'storlines' && fn !== 'retrbinary') return null;
    const ctx = this.ctx;
    const made = callNamed(c, FTPS);
    if (made === null) return null;
    const ma = ctx.args(made);
    const h = ma.pos[0] ?? ma.kw.get('host');
    const host = h !== undefined ? ctx.word(h) : this.connectHost(FTPS, 'host');
    const a = ctx.args(call);
    const cmd = ctx.word(a.pos[0] ?? a.kw.get('cmd'));
    const name: Word = [cmd[0].replace(/^\s*(?:STOR|RETR|APPE|STOU)\s+/i, ''), cmd[1]];
    const url = join([['ftp://', 0], host, ['/', 0], name]);
    const arg = a.pos[1] ?? a.kw.get(fn === 'retrbinary' ? 'callback' : 'fp');
    const marker: Word = [`#ftplib.${fn}`, 0];
    if (fn !== 'retrbinary') {
      const f = ctx.fileOf(arg);
      return { words: [['curl', 0], ['-T', 0], f !== null && !f.write ? f.path : ['-', 0], url, marker] };
    }
    const cb = arg === undefined ? null : ctx.chains.chain(arg[0], arg[1]);
    const last = cb?.steps[cb.steps.length - 1];
    const out = cb === null || last?.name !== 'write' ? null : ctx.fileOfChain(prefix(cb, cb.steps.length - 1));
    return out !== null && out.write ? { words: [['curl', 0], ['-o', 0], out.path, url, marker] } : { words: [['curl', 0], url, marker], fetch: true };
  }
}
