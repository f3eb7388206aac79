/**
 * PHP's HTTP and FTP transfers read as the curl runs that move the same data
 * (exec-interpreter-transfer.ts says why):
 * - ext/curl (PHP manual "cURL Functions"): a handle (`$c = curl_init(url)`, or `CURLOPT_URL`)
 *   whose options `curl_setopt($c, OPT, v)` / `curl_setopt_array($c, [OPT => v, …])` set, run
 *   by `curl_exec($c)` (or added to a multi handle that `curl_multi_exec` runs): `CURLOPT_POSTFIELDS`
 *   an array holding a `new CURLFile(p)` / `curl_file_create(p)` → `curl -X POST -F k=@p URL`,
 *   a file's contents (`file_get_contents(p)`, `fread(fopen(p, 'rb'), n)`) → `-T p`, other data
 *   → `--data-raw`; `CURLOPT_INFILE` (`READDATA`) a file opened to read → `-T p` (curl reads it
 *   only for an upload: `CURLOPT_UPLOAD`, `CURLOPT_PUT`; an `ftp://` URL is an FTP put);
 *   `CURLOPT_CUSTOMREQUEST` / `PUT` / `POST` set the method; `CURLOPT_FILE` a file opened to
 *   write → `curl -o p URL` (a download), nothing → `curl URL` (a GET). Options are those set on
 *   the same handle expression (`$c`, `$this->c`) anywhere in the code, the last set before the
 *   run winning (the first after it, for a run in a loop); a handle no run takes moves nothing.
 * - streams (PHP manual "HTTP context options"): `file_get_contents(url, false, ctx)`, `fopen(url,
 *   mode, false, ctx)`, `file`, `readfile`, with ctx a `stream_context_create(['http' => ['method'
 *   => 'PUT', 'content' => X]])` (inline, through a variable assigned once, or set by
 *   `stream_context_set_default`) → an upload of X as above; a URL fetched without one is a GET.
 * - `copy(p, 'ftp://h/x')`, `file_put_contents('ftp://h/x', X)` and `fopen('ftp://h/x', 'w')`
 *   → `curl -T p ftp://h/x` (`-T -`: data from memory); an `s3://` destination (the AWS SDK's
 *   stream wrapper) → `aws s3 cp`; `copy(url, p)` and `file_put_contents(p, <a GET>)` → `curl -o p url`.
 * PHP names are case-insensitive and lexed lower-case; constants are not, but a lower-case one is
 * undefined in PHP 8 (an Error), so reading it as its constant only reads code that fails. libcurl's
 * option numbers (curl.h `CURLOPTTYPE_*` + n) stand for the constants too. A method of an object
 * (`$x->curl_exec(…)`) is none of these. Bounded: MAX_OPTIONS options a code text, names followed
 * MAX_DEPTH deep, arrays read once each; never throws.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { s3UploadRun, S_ATTR, S_CALL, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { HOLE, isOp, TK_NAME, TK_NUM, TK_OP, TK_VAR } from './exec-interpreter-token.js';
import { V_STR, V_TRUE } from './exec-interpreter-value.js';

type Range = [number, number];
interface Option { at: number; opt: string; v: Range }
interface Pair { key: Range | null; index: number; v: Range }

const MAX_OPTIONS = 64;
const MAX_DEPTH = 4;
/** Tokens a handle expression may be (`$c`, `$this->c`, `$h['up']`). */
const MAX_HANDLE = 8;
/** ext/curl's options read, by the lexed constant name and by libcurl's number. */
const OPTIONS = new Map([
  ['curlopt_url', 'url'], ['curlopt_postfields', 'postfields'], ['curlopt_infile', 'infile'], ['curlopt_readdata', 'infile'],
  ['curlopt_upload', 'upload'], ['curlopt_put', 'put'], ['curlopt_post', 'post'], ['curlopt_customrequest', 'method'],
  ['curlopt_file', 'file'], ['curlopt_writedata', 'file'],
  ['10002', 'url'], ['10015', 'postfields'], ['10009', 'infile'], ['46', 'upload'], ['54', 'put'], ['47', 'post'], ['10036', 'method'], ['10001', 'file'],
]);
/** Stream functions that fetch a URL: the index of their context argument. */
const FETCHERS = new Map([['file_get_contents', 2], ['file', 2], ['readfile', 2], ['fopen', 3]]);
/** The functions `read` reads: runs of a curl handle, stream writes, and FETCHERS. */
const READ = new Set(['curl_exec', 'curl_multi_add_handle', 'copy', 'file_put_contents', ...FETCHERS.keys()]);
const FILE_PARTS = new Set(['curlfile', 'curl_file_create']);
const REMOTE = /^(?:https?|ftps?|s3):\/\//i;
/** A stream wrapper's URL (`php://stdin`, `https://…`), no local file; `file://` is one. */
const WRAPPED = /^(?!file:)[a-z][a-z0-9+.-]*:\/\//i;
/** A URL that may be remote: one that says so, or one whose start is known only at run time. */
const mayBeRemote = (w: Word): boolean => REMOTE.test(w[0]) || (w[1] !== 0 && w[0].startsWith(HOLE));

export class PhpTransfers {
  /** The options set on each handle expression, in text order (built on first need). */
  private options: Map<string, Option[]> | null = null;
  private multiRun = false;
  private defaultContext: Range | undefined;
  private readonly pairsMemo = new Map<number, Pair[]>();

  constructor(private readonly ctx: TransferContext) {}

  read(c: Chain, call: Step): Transfer | null {
    const ts = this.ctx.chains.ts;
    const name = c.steps[0]!.name;
    if (c.steps.length !== 1 || !READ.has(name) || ts[call.a - 2]?.k !== TK_NAME || isOp(ts[call.a - 3], '->') || isOp(ts[call.a - 3], '::')) return null;
    const args = this.split([call.a, call.b]);
    if (name === 'curl_exec') return this.curlExec(args[0], call.a, 'curl_exec');
    if (name === 'curl_multi_add_handle') {
      this.index();
      return this.multiRun ? this.curlExec(args[1], call.a, 'curl_multi_exec') : null;
    }
    if (name === 'copy') return this.copy(args);
    if (name === 'file_put_contents') return this.putContents(args);
    return FETCHERS.has(name) ? this.stream(name, args, call) : null;
  }

  private split(r: Range): Range[] {
    return this.ctx.chains.values.split(r[0], r[1]);
  }

  /** A lone variable's one assigned expression, followed MAX_DEPTH deep; else the range itself. */
  private resolve(r: Range | undefined): Range | undefined {
    const { ts, values } = this.ctx.chains;
    for (let d = 0; r !== undefined && d < MAX_DEPTH && r[1] === r[0] + 1 && ts[r[0]]!.k === TK_VAR; d++) {
      const b = values.bindingOf(ts[r[0]]!.v);
      if (b === undefined) break;
      r = [b[0], b[1]];
    }
    return r;
  }

  /** The function call a range is (`f(…)`, `\f(…)`, `@f(…)`, `new C(…)`), through a variable: its name and argument ranges. */
  private callOf(range: Range | undefined): { name: string; paren: number; args: Range[] } | null {
    const r = this.resolve(range);
    if (r === undefined) return null;
    const { ts, match } = this.ctx.chains;
    let i = r[0];
    while (i < r[1] && (isOp(ts[i], '\\') || isOp(ts[i], '@') || (ts[i]!.k === TK_NAME && ts[i]!.v === 'new'))) i++;
    if (ts[i]?.k !== TK_NAME || !isOp(ts[i + 1], '(') || match[i + 1] !== r[1] - 1) return null;
    return { name: ts[i]!.v, paren: i + 1, args: this.split([i + 2, r[1] - 1]) };
  }

  /** An array literal's items (`[k => v, …]`, `array(…)`), through a variable; keyless items by index. Each array read once. */
  private pairs(range: Range | undefined): Pair[] {
    const r = this.resolve(range);
    if (r === undefined) return [];
    const { ts, match } = this.ctx.chains;
    const open = isOp(ts[r[0]], '[') ? r[0] : ts[r[0]]?.k === TK_NAME && ts[r[0]]!.v === 'array' && isOp(ts[r[0] + 1], '(') ? r[0] + 1 : -1;
    if (open < 0 || match[open] !== r[1] - 1) return [];
    const memo = this.pairsMemo.get(open);
    if (memo !== undefined) return memo;
    const out: Pair[] = [];
    let index = 0;
    for (const [x, y] of this.split([open + 1, r[1] - 1])) {
      let arrow = -1;
      for (let j = x; j < y && arrow < 0; j++) {
        if (isOp(ts[j], '=>')) arrow = j;
        else if (isOp(ts[j], '(') || isOp(ts[j], '[') || isOp(ts[j], '{')) j = Math.max(j, match[j]!);
      }
      out.push(arrow < 0 ? { key: null, index: index++, v: [x, y] } : { key: [x, arrow], index: -1, v: [arrow + 1, y] });
    }
    this.pairsMemo.set(open, out);
    return out;
  }

  /** An array's value under a string key. */
  private entry(pairs: readonly Pair[], key: string): Range | undefined {
    return pairs.find((p) => p.key !== null && this.text(p.key) === key)?.v;
  }

  private text(r: Range | undefined): string | null {
    if (r === undefined) return null;
    const v = this.ctx.chains.values.value(r[0], r[1]);
    return v.k === V_STR && !v.bin ? v.s : null;
  }

  /** One pass over the code: curl options by handle, whether a multi handle runs, the default stream context. */
  private index(): Map<string, Option[]> {
    if (this.options !== null) return this.options;
    const { ts, match } = this.ctx.chains;
    const out = new Map<string, Option[]>();
    let n = 0;
    const add = (at: number, key: string, o: Range | null, v: Range | undefined): void => {
      const opt = o === null ? undefined : this.optionOf(o);
      if (opt === undefined || v === undefined || n >= MAX_OPTIONS) return;
      n++;
      const list = out.get(key) ?? [];
      list.push({ at, opt, v });
      out.set(key, list);
    };
    for (let i = 0; i + 1 < ts.length && n < MAX_OPTIONS; i++) {
      const t = ts[i]!;
      if (t.k !== TK_NAME || !isOp(ts[i + 1], '(') || isOp(ts[i - 1], '->') || isOp(ts[i - 1], '::')) continue;
      if (t.v === 'curl_multi_exec') this.multiRun = true;
      if (t.v === 'stream_context_set_default') this.defaultContext ??= this.split([i + 2, Math.min(match[i + 1]!, ts.length)])[0];
      if (t.v !== 'curl_setopt' && t.v !== 'curl_setopt_array') continue;
      const a = this.split([i + 2, Math.min(match[i + 1]!, ts.length)]);
      const key = this.handleKey(a[0]);
      if (key === null) continue;
      if (t.v === 'curl_setopt') add(i, key, a[1] ?? null, a[2]);
      else for (const p of this.pairs(a[1])) add(i, key, p.key, p.v);
    }
    return (this.options = out);
  }

  /** `CURLOPT_X`, `\CURLOPT_X` or libcurl's number: the option read, or undefined. */
  private optionOf(r: Range): string | undefined {
    const ts = this.ctx.chains.ts;
    const i = isOp(ts[r[0]], '\\') ? r[0] + 1 : r[0];
    const t = ts[i];
    return i + 1 === r[1] && t !== undefined && (t.k === TK_NAME || t.k === TK_NUM) ? OPTIONS.get(t.v) : undefined;
  }

  /** A handle expression as a key (its tokens' texts), or null for one that calls or is long. */
  private handleKey(r: Range | undefined): string | null {
    if (r === undefined || r[1] - r[0] > MAX_HANDLE) return null;
    const ts = this.ctx.chains.ts.slice(r[0], r[1]);
    return ts.some((t) => isOp(t, '(')) ? null : ts.map((t) => t.v).join('\u0001');
  }

  /** The option `opt` of a handle for a run at `at`: the last set before it, else the first after it. */
  private option(list: readonly Option[], opt: string, at: number): Range | undefined {
    let after: Range | undefined;
    let before: Range | undefined;
    for (const o of list) {
      if (o.opt !== opt) continue;
      if (o.at < at) before = o.v;
      else after ??= o.v;
    }
    return before ?? after;
  }

  private truthy(r: Range | undefined): boolean {
    if (r === undefined) return false;
    const v = this.ctx.chains.values.value(r[0], r[1]);
    return v.k === V_TRUE || (v.k === V_STR && v.s !== '' && v.s !== '0');
  }

  /** A run of a curl handle (see the header). */
  private curlExec(handle: Range | undefined, at: number, marker: string): Transfer | null {
    if (handle === undefined) return null;
    const ctx = this.ctx;
    const key = this.handleKey(handle);
    const list = key === null ? [] : this.index().get(key) ?? [];
    const opt = (name: string): Range | undefined => this.option(list, name, at);
    const init = this.callOf(handle);
    const url = ctx.word(opt('url') ?? (init?.name === 'curl_init' ? init.args[0] : undefined));
    const custom = opt('method');
    const post = opt('postfields');
    const infile = this.openedFile(opt('infile'), false);
    const posts = post !== undefined || this.truthy(opt('post'));
    const puts = infile !== null || this.truthy(opt('put')) || this.truthy(opt('upload'));
    const method: Word = custom !== undefined ? ctx.word(custom) : [posts ? 'POST' : puts ? 'PUT' : 'GET', 0];
    const tail: Word[] = [url, [`#${marker}`, 0]];
    const head: Word[] = [['curl', 0], ['-X', 0], method];
    if (infile !== null) return { words: /^ftps?:\/\//i.test(url[0]) && custom === undefined ? [['curl', 0], ['-T', 0], infile, ...tail] : [...head, ['-T', 0], infile, ...tail] };
    if (post !== undefined) return this.body(head, post, tail, true);
    const out = this.openedFile(opt('file'), true);
    if (out !== null) return { words: [['curl', 0], ['-o', 0], out, ...tail] };
    return method[0] === 'GET' && method[1] === 0 ? { words: [['curl', 0], ...tail], fetch: true } : { words: [...head, ...tail] };
  }

  /** A request body: a form's file part `-F k=@p` (forms only), a file's contents `-T p`, other data `--data-raw`. */
  private body(head: Word[], data: Range, tail: Word[], form: boolean): Transfer {
    const pairs = form ? this.pairs(data) : [];
    for (const p of pairs) {
      const part = this.callOf(p.v);
      if (part === null || !FILE_PARTS.has(part.name)) continue;
      const k: Word = p.key === null ? [String(p.index), 0] : this.ctx.word(p.key);
      const f = this.ctx.word(part.args[0]);
      return { words: [...head, ['-F', 0], [`${k[0]}=@${f[0]}`, k[1] | f[1]], ...tail] };
    }
    const file = this.contentsOf(data);
    if (file !== null) return { words: [...head, ['-T', 0], file, ...tail] };
    const d: Word = pairs.length > 0 ? [HOLE, pairs.reduce((h, p) => h | this.ctx.word(p.v)[1], 0)] : this.ctx.word(data);
    return { words: [...head, ['--data-raw', 0], d, ...tail] };
  }

  /** `fopen(p, mode)` (through a variable) opened to write (`write`) or to read its content: p, else null. */
  private openedFile(r: Range | undefined, write: boolean): Word | null {
    const c = this.callOf(r);
    if (c === null || c.name !== 'fopen' || c.args.length < 2) return null;
    const mode = this.text(c.args[1]) ?? '';
    const path = this.ctx.word(c.args[0]);
    // `w` and `x` truncate or create; `a` and `c` keep the content, read only with `+`.
    const reads = !/[wx]/.test(mode) && (!/[ac]/.test(mode) || mode.includes('+'));
    return WRAPPED.test(path[0]) || (write ? !/[waxc+]/.test(mode) : !reads) ? null : path;
  }

  /** The local file an expression's value is the contents of: `file_get_contents(p)`, `fread(fopen(p, 'rb'), n)`, `stream_get_contents(…)`. */
  private contentsOf(r: Range | undefined): Word | null {
    const c = this.callOf(r);
    if (c === null) return null;
    if (c.name === 'file_get_contents') {
      const p = this.ctx.word(c.args[0]);
      return WRAPPED.test(p[0]) ? null : p;
    }
    return c.name === 'fread' || c.name === 'stream_get_contents' ? this.openedFile(c.args[0], false) : null;
  }

  /** `file_get_contents(url, …, ctx)` and the other fetchers: an upload its context says, else a GET; a local path nothing. */
  private stream(name: string, args: Range[], call: Step): Transfer | null {
    const { values } = this.ctx.chains;
    const url = this.ctx.word(args[0]);
    const named = values.argRanges(call.a, call.b).find((a) => a.name === 'context');
    const ctxArg = named !== undefined ? ([named.a, named.b] as Range) : args[FETCHERS.get(name)!];
    const tail: Word[] = [url, [`#${name}`, 0]];
    if (name === 'fopen') {
      const mode = this.text(args[1]) ?? 'r';
      // A write to an FTP URL is a put of what the code writes there (PHP manual "FTP and FTPS").
      if (/[waxc+]/.test(mode)) return /^ftps?:\/\//i.test(url[0]) ? { words: [['curl', 0], ['-T', 0], ['-', 0], ...tail] } : null;
    }
    if (!mayBeRemote(url)) return null;
    const made = this.callOf(ctxArg);
    let opts = made?.name === 'stream_context_create' ? made.args[0] : undefined;
    if (ctxArg === undefined) {
      this.index();
      opts = this.defaultContext;
    }
    const top = this.pairs(opts);
    const http = this.pairs(this.entry(top, 'http') ?? this.entry(top, 'https'));
    const m = this.entry(http, 'method');
    const content = this.entry(http, 'content');
    if (m === undefined && content === undefined) return REMOTE.test(url[0]) ? { words: [['curl', 0], ...tail], fetch: true } : null;
    const mw = m === undefined ? (['GET', 0] as Word) : this.ctx.word(m);
    const head: Word[] = [['curl', 0], ['-X', 0], [mw[0].toUpperCase(), mw[1]]];
    if (content !== undefined) return this.body(head, content, tail, false);
    return mw[0].toUpperCase() === 'GET' && mw[1] === 0 ? { words: [['curl', 0], ...tail], fetch: true } : { words: [...head, ...tail] };
  }

  /** An upload of a local source (a path, or `-` for data from memory) to an FTP or S3 URL. */
  private put(src: Word, dest: Word, marker: string): Transfer | null {
    if (/^ftps?:\/\//i.test(dest[0])) return { words: [['curl', 0], ['-T', 0], src, dest, [`#${marker}`, 0]] };
    const s3 = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(dest[0]);
    return s3 === null ? null : { words: s3UploadRun(src, [s3[1]!, dest[1]], [s3[2]!, dest[1]], [`#${marker}`, 0]) };
  }

  /** `copy(src, dest)`: a local file to FTP / S3 is an upload, a URL to a local path a download. */
  private copy(args: Range[]): Transfer | null {
    const src = this.ctx.word(args[0]);
    const dest = this.ctx.word(args[1]);
    if (!REMOTE.test(src[0])) return this.put(src, dest, 'copy');
    return REMOTE.test(dest[0]) ? null : { words: [['curl', 0], ['-o', 0], dest, src, ['#copy', 0]] };
  }

  /** `file_put_contents(dest, data)`: to FTP / S3 an upload of data; a GET's body saved to a local path a download. */
  private putContents(args: Range[]): Transfer | null {
    const dest = this.ctx.word(args[0]);
    if (REMOTE.test(dest[0])) return this.put(this.contentsOf(args[1]) ?? ['-', 0], dest, 'file_put_contents');
    const inner = this.callOf(args[1]);
    // Only a fetch is read inside (one level: `file_put_contents(p, file_put_contents(…))` is no deeper walk).
    if (inner === null || !(inner.name === 'curl_exec' || FETCHERS.has(inner.name))) return null;
    const call: Step = { k: S_CALL, name: '', a: inner.paren + 1, b: Math.min(this.ctx.chains.match[inner.paren]!, this.ctx.chains.ts.length) };
    const t = this.read({ steps: [{ k: S_ATTR, name: inner.name, a: -1, b: -1 }], rooted: false }, call);
    if (t === null || t.fetch !== true) return null;
    this.ctx.consume(inner.paren);
    return { words: [t.words[0]!, ['-o', 0], dest, ...t.words.slice(1)] };
  }
}
