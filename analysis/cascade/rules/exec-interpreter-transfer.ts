/**
 * Library transfers in interpreter code read as the command runs that do the same (MITRE T1048,
 * T1567.002 exfiltration; T1105 tool transfer): weight theft from inside a pod is most naturally
 * a library call (`python3 -c "import boto3; boto3.client('s3').upload_file('/ckpt/m.pt', 'b',
 * 'm.pt')"`), not a command, and runs no process. Each such call is read as a run of the tool
 * that moves the same data, as PowerShell's WebClient calls are (exec-interpreter-dotnet.ts):
 * - an HTTP upload of a file (Python `requests` / `httpx` `put` / `post` / `patch` / `request`,
 *   sessions and clients too, with `data=` / `content=` a file object or its bytes;
 *   `urllib.request.urlopen(Request(url, data=…, method=…))`; `http.client.HTTPSConnection(h)
 *   .request('PUT', path, body=…)`; Node `fetch(url, {method, body})`, `axios.put(url, data)`,
 *   `fs.createReadStream(p).pipe(https.request(url, {method}))`) → `curl -X METHOD -T p URL`;
 *   a multipart form (`files={'f': open(p, 'rb')}`) → `curl -X METHOD -F f=@p URL`; data not
 *   read from a file → `curl -X METHOD --data-raw DATA URL` (as curl, no upload tool);
 * - S3 through boto3 (`upload_file`, `upload_fileobj`, `put_object`, on a client, a resource's
 *   Bucket or Object) → `aws s3 cp SRC s3://BUCKET/KEY`, SRC `-` (stdin) for data from memory;
 *   its downloads (`download_file`, `download_fileobj`) → `aws s3api get-object --bucket B --key K
 *   DEST` (a download, which `aws s3 cp` would not say);
 * - Google Cloud Storage blobs (`upload_from_filename` / `_file` / `_string`) → `gsutil cp SRC gs://B/K`;
 * - the Hugging Face Hub (`upload_file`, `upload_folder`, `upload_large_folder`, module level or
 *   on an `HfApi()`) → `huggingface-cli upload REPO PATH [PATH_IN_REPO]`;
 * - downloads that stage tools: `urllib.request.urlretrieve(url, path)` → `curl -o path url`,
 *   `requests.get(url)` / `urlopen(url)` / Node `fetch(url)` / `https.get(url)` → `curl url`, and
 *   one whose body is written to a file (`open(p, 'wb').write(requests.get(u).content)`) → `curl -o p u`.
 * A file copy (`shutil.copy`), `torch.save`, `json.dump` or a file read alone moves nothing off
 * the pod: none is read.
 *
 * Why runs rather than a field of their own: the shipped rules (MLS-EXFIL-014's `curl -T`, `aws s3
 * cp`, `huggingface-cli upload`) and the rules users wrote already read `attrs.exec.command`; a run
 * reaches every one of them unchanged. The run is the code's own statement, `direct` as a
 * PowerShell statement is (the code ran no command, nothing ran indirectly); it ends with a word
 * naming the call (`#boto3.upload_file`), which a shell would read as a comment, so the argv is
 * still that command while the reading does not pretend the code spelled the tool. A value the
 * code does not spell (a name known only at run time) is HOLE in the run and its `how` is runtime.
 *
 * Python callees are resolved through imports, names assigned once and `with … as` targets
 * (exec-interpreter-transfer-path.ts); a Python chain must start at an import. SFTP, fsspec,
 * multipart S3, the Hub, FTP, mail: -python.ts; Node: -js.ts (S3: -js-s3.ts; FormData uploads:
 * -js-form.ts; ES-module and destructured imports under other names: -js-imports.ts); Ruby:
 * -ruby.ts (calls without parentheses too: read in text order beside `at`'s); Perl: -perl.ts; PHP
 * (ext/curl handles, stream contexts, FTP and S3 stream writes): -php.ts. A run
 * read again (a multipart upload's parts) is one run. Bounded by the chain reader's bounds,
 * MAX_TRANSFERS and the caller's MAX_RUNS; never throws.
 */
import { envAssignment, envCall } from './exec-interpreter-environ.js';
import type { CodeRun } from './exec-interpreter-calls.js';
import { argRanges, callNamed, ChainReader, dictOpen, dictRanges, dottedHead, jsonBodyWord, s3DownloadRun, s3UploadRun, S_ATTR, S_CALL, wordOf, type ArgRanges, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { jsTransfer } from './exec-interpreter-transfer-js.js';
import { PerlTransfers } from './exec-interpreter-transfer-perl.js';
import { PhpTransfers } from './exec-interpreter-transfer-php.js';
import { PythonTransfers } from './exec-interpreter-transfer-python.js';
import { RubyTransfers, type BareCalls } from './exec-interpreter-transfer-ruby.js';
import { HOLE, TK_OP, type Lang, type Token } from './exec-interpreter-token.js';
import { V_STR, type CodeValues } from './exec-interpreter-value.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

/** Runs a code text's transfers add at most (the caller's MAX_RUNS bounds them all too). */
const MAX_TRANSFERS = 16;
const HTTP_METHODS = new Set(['get', 'put', 'post', 'patch', 'delete', 'head', 'options']);
const OPENERS = new Set(['open', 'io.open', 'builtins.open', 'codecs.open']);
const READS = new Set(['read', 'read_bytes', 'read_text', 'getvalue', '__enter__']);
const JS_READS = new Set(['readFileSync', 'createReadStream', 'readFile', 'openAsBlob']);

/** A transfer read: its run's words (the marker last) and whether it downloads without saying where. */
export interface Transfer {
  words: Word[];
  /** A download whose body goes nowhere named (`curl URL`): a write of it to a file gives `-o`. */
  fetch?: true;
}

/** A file the code reads (`open(p, 'rb')`, `fs.readFileSync(p)`) or writes (`open(p, 'wb')`): its path. */
export interface FileRef {
  path: Word;
  write: boolean;
}

/** What the per-language readers need (exec-interpreter-transfer-js.ts too). */
export interface TransferContext {
  readonly chains: ChainReader;
  args(call: Step): ArgRanges;
  word(range: [number, number] | undefined): Word;
  fileOf(range: [number, number] | undefined): FileRef | null;
  fileOfChain(c: Chain): FileRef | null;
  httpRun(method: Word, url: Word, data: [number, number] | undefined, files: [number, number] | undefined, json: [number, number] | undefined, marker: string): Transfer;
  describe(c: Chain, call: Step): Transfer | null;
  /** The call whose parenthesis is at `p` is read as part of another: not again. */
  consume(p: number): void;
}

export class TransferReader implements TransferContext {
  readonly chains: ChainReader;
  private readonly consumed = new Set<number>();
  /** Runs read, as their words joined: the same run (each part of a multipart upload) is read once. */
  private readonly seen = new Set<string>();
  private count = 0;
  /** The readers of exec-interpreter-transfer-{python,ruby,perl,php}.ts, made when first needed. */
  private more: { py?: PythonTransfers; rb?: RubyTransfers; pl?: PerlTransfers; php?: PhpTransfers } = {};
  private bareCalls: BareCalls | undefined;

  constructor(
    private readonly ts: readonly Token[],
    private readonly match: Int32Array,
    private readonly lang: Lang,
    private readonly values: CodeValues,
    aliases: ReadonlyMap<string, string>,
    /** Where a run goes (the call reader's, which bounds them and counts their kinds). */
    private readonly push: (r: CodeRun) => void,
  ) {
    this.chains = new ChainReader(ts, match, lang, values, aliases);
    // Ruby code without a `(` gets no `at`: its calls without parentheses are read now.
    if (lang === 'ruby' && ts.every((t) => t.k !== TK_OP || t.v !== '(')) this.bare(ts.length);
  }

  /** The call whose argument parenthesis is at `p`: its transfer, if it is one, added to the runs (Ruby's calls without parentheses around it too). */
  at(p: number): void {
    if (this.lang !== 'ruby') return this.call(p);
    this.bare(p);
    this.call(p);
    if (p >= this.bareCalls!.lastParen) this.bare(this.ts.length);
  }

  private call(p: number): void {
    if (this.consumed.has(p) || this.count >= MAX_TRANSFERS) return;
    const start = this.chains.calleeStart(p);
    if (start < 0) return;
    const before = this.ts[start - 1];
    if (before !== undefined && before.k !== TK_OP && (before.v === 'def' || before.v === 'function' || before.v === 'class')) return;
    const callee = this.chains.chain(start, p);
    if (callee === null) return;
    const call: Step = { k: S_CALL, name: '', a: p + 1, b: Math.min(this.match[p]!, this.ts.length) };
    const t = this.writeOf(callee, call) ?? this.describe(callee, call);
    if (t !== null) this.emit(t.words);
  }

  /** An assignment to the process environment at the `=` (`+=`, `.=`) token `i` (exec-interpreter-environ.ts: `os.environ[K] = V`, `$ENV{K} = V`), added to the runs. */
  assignmentAt(i: number): void {
    if (this.count >= MAX_TRANSFERS || this.lang === 'php') return;
    const t = envAssignment(this, this.lang, i);
    if (t !== null) this.emit(t.words);
  }

  /** Ruby calls without parentheses (exec-interpreter-transfer-ruby.ts `bareCalls`) before token `p`, in text order. */
  private bare(p: number): void {
    const b = (this.bareCalls ??= (this.more.rb ??= new RubyTransfers(this)).bareCalls());
    while (b.next < b.calls.length && b.calls[b.next]![0] < p && this.count < MAX_TRANSFERS) {
      const [, c, call] = b.calls[b.next++]!;
      const t = this.describe(c, call);
      if (t !== null) this.emit(t.words);
    }
  }

  describe(c: Chain, call: Step): Transfer | null {
    const m = this.more;
    if (this.lang === 'python') return this.python(c, call) ?? (m.py ??= new PythonTransfers(this)).read(c, call);
    if (this.lang === 'ruby') return envCall(this, 'ruby', c, call) ?? (m.rb ??= new RubyTransfers(this)).read(c, call);
    if (this.lang === 'php') return envCall(this, 'php', c, call) ?? (m.php ??= new PhpTransfers(this)).read(c, call);
    return this.lang === 'perl' ? (m.pl ??= new PerlTransfers(this)).read(c, call) : this.lang === 'js' ? (envCall(this, 'js', c, call) ?? jsTransfer(this, c, call)) : null;
  }

  consume(p: number): void { this.consumed.add(p); }

  args(call: Step): ArgRanges { return argRanges(this.chains, call.a, call.b); }

  word(range: [number, number] | undefined): Word { return range === undefined ? wordOf(undefined) : wordOf(this.values.value(range[0], range[1])); }

  /** The file an expression reads or writes (see FileRef), through names assigned once and `with` targets. */
  fileOf(range: [number, number] | undefined): FileRef | null {
    if (range === undefined) return null;
    const c = this.chains.chain(range[0], range[1]);
    return c === null ? null : this.fileOfChain(c);
  }

  /** `open(p, mode)` (`io.open`, `codecs.open`) and `.read()` of it, `pathlib.Path(p).read_bytes()` / `.open(mode)`; Node's `fs.readFileSync(p)`, `fs.createReadStream(p)`. */
  fileOfChain(c: Chain): FileRef | null {
    const s = c.steps;
    for (let k = 1; k < s.length; k++) {
      const st = s[k]!;
      if (st.k !== S_CALL || s[k - 1]!.k !== S_ATTR) continue;
      const name = s[k - 1]!.name;
      const head = dottedHead({ steps: s.slice(0, k), rooted: c.rooted });
      const rest = s.slice(k + 1);
      if (!rest.every((x) => x.k === S_CALL || READS.has(x.name) || (x.name === 'open' && name === 'Path'))) continue;
      const a = this.args(st);
      if (this.lang === 'js') {
        if (JS_READS.has(name) || head === 'Bun.file') return { path: this.word(a.pos[0]), write: false };
        continue;
      }
      if (OPENERS.has(head) && k === head.split('.').length) return { path: this.word(a.pos[0] ?? a.kw.get('file')), write: this.writeMode(a.pos[1] ?? a.kw.get('mode')) };
      if (name === 'Path' && (head === 'Path' || head === 'pathlib.Path') && rest.length >= 1) {
        const op = rest[0]!.name;
        if (op === 'read_bytes' || op === 'read_text') return { path: this.word(a.pos[0]), write: false };
        if (op === 'open' && rest[1]?.k === S_CALL) return { path: this.word(a.pos[0]), write: this.writeMode(this.args(rest[1]).pos[0]) };
      }
    }
    return null;
  }

  /** Whether an `open` mode writes (`w`, `a`, `x`; absent: `r`). */
  private writeMode(range: [number, number] | undefined): boolean {
    if (range === undefined) return false;
    const m = this.values.value(range[0], range[1]);
    return m.k === V_STR && /[wax]/.test(m.s);
  }

  /** `open(p, 'wb').write(X)` (a `with` target too) where X is a download's body: that download saved to p. */
  private writeOf(c: Chain, call: Step): Transfer | null {
    const s = c.steps;
    if (s.length < 2 || s[s.length - 1]!.name !== 'write' || s[s.length - 1]!.k !== S_ATTR) return null;
    const recv = this.fileOfChain({ steps: s.slice(0, -1), rooted: c.rooted });
    if (recv === null || !recv.write) return null;
    const x = this.args(call).pos[0];
    const body = x === undefined ? null : this.chains.chain(x[0], x[1]);
    if (body === null) return null;
    for (let k = 1; k < body.steps.length; k++) {
      const st = body.steps[k]!;
      if (st.k !== S_CALL) continue;
      const t = this.describe({ steps: body.steps.slice(0, k), rooted: body.rooted }, st);
      if (t === null || t.fetch !== true) continue;
      this.consumed.add(st.a - 1);
      const marker = t.words[t.words.length - 1]!;
      return { words: [t.words[0]!, ['-o', 0], recv.path, ...t.words.slice(1, -1), marker] };
    }
    return null;
  }

  private emit(words: Word[]): void {
    const key = words.map(([w]) => w).join('\0');
    // Read again: no run, but work that counts toward the bound.
    if (this.seen.has(key)) return void (this.count += 1 / 8);
    this.seen.add(key);
    let how = 0;
    for (const [, h] of words) how |= h;
    this.count++;
    this.push({ line: null, argv: words.map(([w]) => w), how, direct: true });
  }

  private python(c: Chain, call: Step): Transfer | null {
    const s = c.steps;
    const last = s[s.length - 1]!;
    if (!c.rooted || last.k !== S_ATTR || s.length < 2) return null;
    const root = s[0]!.name;
    const fn = last.name;
    switch (root) {
      case 'os':
      case 'posix':
        return envCall(this, 'python', c, call);
      case 'requests':
      case 'httpx':
        return this.http(`${root}.${fn}`, fn, call);
      case 'urllib':
      case 'urllib2':
      case 'six':
        if (fn === 'urlopen') return this.urlopen(call);
        if (fn !== 'urlretrieve') return null;
        return this.fetchTo(this.args(call), 'urllib.urlretrieve');
      case 'http':
      case 'httplib':
        return fn === 'request' ? this.httpClient(c, call) : null;
      case 'boto3':
        return this.s3(c, fn, call);
      case 'google':
        return dottedHead(c).startsWith('google.cloud.storage') || callNamed(c, new Set(['Client'])) !== null ? this.gcs(c, fn, call) : null;
      default:
        return null;
    }
  }

  private fetchTo(a: ArgRanges, marker: string): Transfer {
    const url = this.word(a.pos[0] ?? a.kw.get('url'));
    const dest = a.pos[1] ?? a.kw.get('filename');
    return dest === undefined ? { words: [['curl', 0], url, [`#${marker}`, 0]], fetch: true } : { words: [['curl', 0], ['-o', 0], this.word(dest), url, [`#${marker}`, 0]] };
  }

  /** `requests.put(url, data=…)`, `requests.request('PUT', url, …)`, `httpx.Client().post(…)`. */
  private http(marker: string, fn: string, call: Step): Transfer | null {
    const a = this.args(call);
    let method: Word;
    let url: [number, number] | undefined;
    let data = a.kw.get('data') ?? a.kw.get('content');
    if (fn === 'request' || fn === 'stream') {
      method = this.word(a.pos[0] ?? a.kw.get('method'));
      url = a.pos[1] ?? a.kw.get('url');
    } else if (HTTP_METHODS.has(fn)) {
      method = [fn.toUpperCase(), 0];
      url = a.pos[0] ?? a.kw.get('url');
      if (fn === 'put' || fn === 'post' || fn === 'patch') data ??= a.pos[1];
    } else return null;
    return this.httpRun(method, this.word(url), data, a.kw.get('files'), a.kw.get('json'), marker);
  }

  /** The curl run of an HTTP request: a file body `-T`, a form's file `-F name=@p`, other data `--data-raw`, none a fetch. */
  httpRun(method: Word, url: Word, data: [number, number] | undefined, files: [number, number] | undefined, json: [number, number] | undefined, marker: string): Transfer {
    const head: Word[] = [['curl', 0], ['-X', 0], method];
    const tail: Word[] = [url, [`#${marker}`, 0]];
    const form = this.formFile(files);
    if (form !== null) return { words: [...head, ['-F', 0], form, ...tail] };
    const file = this.fileOf(data);
    if (file !== null && !file.write) return { words: [...head, ['-T', 0], file.path, ...tail] };
    const body = data === undefined && json !== undefined ? jsonBodyWord(this.values.value(json[0], json[1])) : data === undefined ? undefined : this.word(data);
    if (body !== undefined) return { words: [...head, ['--data-raw', 0], body, ...tail] };
    if (method[0].toUpperCase() === 'GET' && method[1] === 0) return { words: [['curl', 0], ...tail], fetch: true };
    return { words: [...head, ...tail] };
  }

  /** `files={'f': open(p, 'rb')}` / `{'f': (name, open(p, 'rb'), type)}`: `f=@p` for the first file (HOLE where unknown). */
  private formFile(files: [number, number] | undefined): Word | null {
    if (files === undefined) return null;
    const open = dictOpen(this.chains, files);
    for (const [key, r] of open < 0 ? [] : dictRanges(this.chains, open)) {
      let f = this.fileOf(r);
      if (f === null && this.ts[r[0]]?.v === '(') for (const item of this.chains.values.split(r[0] + 1, this.match[r[0]]!)) f ??= this.fileOf(item);
      const [p, how] = f?.path ?? [HOLE, 0];
      return [`${key}=@${p}`, how];
    }
    return [`file=@${HOLE}`, open < 0 ? INDIRECT_RUNTIME : 0];
  }

  /** `urlopen(url, data)` / `urlopen(Request(url, data=…, method=…))` (urllib.request reference). */
  private urlopen(call: Step): Transfer | null {
    const a = this.args(call);
    const arg = a.pos[0] ?? a.kw.get('url');
    const rc = arg === undefined ? null : this.chains.chain(arg[0], arg[1]);
    const req = rc === null ? null : callNamed(rc, new Set(['Request']));
    let url = this.word(arg);
    let data = a.pos[1] ?? a.kw.get('data');
    let method: Word | null = null;
    if (req !== null) {
      const r = this.args(req);
      url = this.word(r.pos[0] ?? r.kw.get('url'));
      data = r.pos[1] ?? r.kw.get('data');
      const m = r.pos[5] ?? r.kw.get('method');
      if (m !== undefined) method = this.word(m);
    }
    return this.httpRun(method ?? [data === undefined ? 'GET' : 'POST', 0], url, data, undefined, undefined, 'urllib.urlopen');
  }

  /** `http.client.HTTPSConnection(host).request(method, url, body)`: the URL is the scheme, the host and the path. */
  private httpClient(c: Chain, call: Step): Transfer | null {
    const conn = callNamed(c, new Set(['HTTPSConnection', 'HTTPConnection']));
    if (conn === null) return null;
    const scheme = c.steps[c.steps.indexOf(conn) - 1]!.name === 'HTTPSConnection' ? 'https' : 'http';
    const ca = this.args(conn);
    const host = this.word(ca.pos[0] ?? ca.kw.get('host'));
    const a = this.args(call);
    const path = this.word(a.pos[1] ?? a.kw.get('url'));
    const url: Word = /^https?:\/\//i.test(path[0]) ? path : [`${scheme}://${host[0]}${path[0]}`, host[1] | path[1]];
    return this.httpRun(this.word(a.pos[0] ?? a.kw.get('method')), url, a.pos[2] ?? a.kw.get('body'), undefined, undefined, 'http.client.request');
  }

  /** boto3's S3 transfers on a client, a resource's Bucket or an Object (boto3 S3 reference): parameter order by receiver. */
  private s3(c: Chain, fn: string, call: Step): Transfer | null {
    const bucketCall = callNamed(c, new Set(['Bucket']));
    const objectCall = callNamed(c, new Set(['Object']));
    const on = objectCall !== null ? 2 : bucketCall !== null ? 1 : 0;
    const ORDER: Record<string, string[][]> = {
      upload_file: [['Filename', 'Bucket', 'Key'], ['Filename', 'Key'], ['Filename']],
      upload_fileobj: [['Fileobj', 'Bucket', 'Key'], ['Fileobj', 'Key'], ['Fileobj']],
      put_object: [[], [], []],
      put: [[], [], []],
      download_file: [['Bucket', 'Key', 'Filename'], ['Key', 'Filename'], ['Filename']],
      download_fileobj: [['Bucket', 'Key', 'Fileobj'], ['Key', 'Fileobj'], ['Fileobj']],
    };
    const order = ORDER[fn]?.[on];
    if (order === undefined || (fn === 'put' && on !== 2)) return null;
    const a = this.args(call);
    const p = (name: string): [number, number] | undefined => a.kw.get(name) ?? a.pos[order.indexOf(name)];
    let bucket = p('Bucket');
    let key = p('Key');
    if (bucketCall !== null) {
      const b = this.args(bucketCall);
      bucket ??= b.pos[0] ?? b.kw.get('name');
    }
    if (objectCall !== null) {
      const o = this.args(objectCall);
      if (bucketCall !== null) key ??= o.pos[0] ?? o.kw.get('key');
      else {
        bucket ??= o.pos[0] ?? o.kw.get('bucket_name');
        key ??= o.pos[1] ?? o.kw.get('key');
      }
    }
    const b = this.word(bucket);
    const k = this.word(key);
    const marker: Word = [`#boto3.${fn}`, 0];
    if (fn.startsWith('download')) {
      const dest: Word = fn === 'download_file' ? this.word(p('Filename')) : ['-', 0];
      return { words: s3DownloadRun(b, k, dest, marker) };
    }
    const src = fn === 'upload_file' ? this.word(p('Filename')) : this.source(p(fn === 'upload_fileobj' ? 'Fileobj' : 'Body'));
    return { words: s3UploadRun(src, b, k, marker) };
  }

  /** Data uploaded from an object: the file it reads, else `-` (stdin: data from memory). */
  private source(range: [number, number] | undefined): Word {
    const f = this.fileOf(range);
    return f !== null && !f.write ? f.path : ['-', 0];
  }

  /** google-cloud-storage: `client.bucket(b).blob(k).upload_from_filename(p)` (also get_bucket, Bucket(client, b), Blob(k, …)). */
  private gcs(c: Chain, fn: string, call: Step): Transfer | null {
    if (fn !== 'upload_from_filename' && fn !== 'upload_from_file' && fn !== 'upload_from_string') return null;
    const bc = callNamed(c, new Set(['bucket', 'get_bucket', 'lookup_bucket', 'Bucket']));
    const kc = callNamed(c, new Set(['blob', 'get_blob', 'Blob']));
    const ba = bc === null ? null : this.args(bc);
    const bucket = this.word(ba === null ? undefined : c.steps[c.steps.indexOf(bc!) - 1]!.name === 'Bucket' ? ba.pos[1] ?? ba.kw.get('name') : ba.pos[0] ?? ba.kw.get('bucket_name'));
    const key = this.word(kc === null ? undefined : this.args(kc).pos[0]);
    const a = this.args(call);
    const arg = a.pos[0] ?? a.kw.get(fn === 'upload_from_filename' ? 'filename' : fn === 'upload_from_file' ? 'file_obj' : 'data');
    const src = fn === 'upload_from_filename' ? this.word(arg) : fn === 'upload_from_file' ? this.source(arg) : (['-', 0] as Word);
    return { words: [['gsutil', 0], ['cp', 0], src, [`gs://${bucket[0]}/${key[0]}`, bucket[1] | key[1]], [`#google.cloud.storage.${fn}`, 0]] };
  }
}
