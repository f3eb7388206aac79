/**
 * Ruby's library transfers read as the command runs that move the same data
 * (exec-interpreter-transfer.ts says why):
 * - Net::HTTP (Ruby standard library reference): `Net::HTTP.post(URI(u), data)` / `put` /
 *   `patch`, `post_form`, `get`; a session from `Net::HTTP.start(host, port, use_ssl: true)` or
 *   `Net::HTTP.new(host, port)` (a block's `|http|` too) with `put(path, data)`, `post`, `patch`,
 *   `send_request(method, path, data)`, `get(path)`, and `request(req[, body])` of a
 *   `Net::HTTP::Put.new(path)` (`Post`, `Patch`) whose `body =` / `body_stream =` is assigned
 *   once in the code → `curl -X METHOD -T p URL` for a file body (`File.read(p)`, `File.binread`,
 *   `File.open(p)`, `File.new`, `IO.read`, `Pathname(p).read`), `--data-raw` for other data;
 * - Faraday (`Faraday.put(u, body)`, `Faraday.new(url: base).post(path, body)`, a connection
 *   built with a block too) and RestClient (`RestClient.post(u, payload)`): a payload hash (a
 *   literal, bare keywords, or a name assigned one once) holding a File or a multipart file part
 *   (`Faraday::Multipart::FilePart.new(p, type)`, `Faraday::UploadIO`, also through a name) is a
 *   multipart form, `-F k=@p`;
 * - aws-sdk-s3: `Aws::S3::Client.new.put_object(bucket:, key:, body:)`, `Aws::S3::Resource.new
 *   .bucket(b).object(k).upload_file(p)` / `put(body:)`, `Aws::S3::Object.new(b, k)` (or
 *   `bucket_name:`, `key:`) → `aws s3 cp SRC s3://B/K`; `get_object(…, response_target: p)` and
 *   `download_file(p)` → `aws s3api get-object` (a download).
 * The receiver must be one of these constants (through names assigned once and block parameters):
 * `client.put(…)` is nothing. Calls written without parentheses (`http.request req`,
 * `Net::HTTP.post URI(u), File.read(p)`) are read too: their arguments run to the end of the
 * statement (a newline, `;`, a closer, a block, a modifier such as `if`); MAX_BARE of them, only
 * methods this reader knows. A Faraday request's block sets its body (`conn.put('/k') { |r| r.body =
 * File.read(p) }`, `do |r| … end`) when the call passes none. Never throws.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { callNamed, dictOpen, s3DownloadRun, s3UploadRun, S_ATTR, S_CALL, wordOf, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { HOLE, TK_NAME, TK_NL, TK_OP, TK_STR } from './exec-interpreter-token.js';
import { V_TRUE } from './exec-interpreter-value.js';
import { expressionEnd } from './exec-interpreter-bindings.js';

interface RArgs {
  pos: Array<[number, number]>;
  kw: Map<string, [number, number]>;
}
const NO_ARGS: RArgs = { pos: [], kw: new Map() };
const DATA = new Set(['post', 'put', 'patch']);
const REQUESTS = new Set(['Net::HTTP::Put', 'Net::HTTP::Post', 'Net::HTTP::Patch', 'Net::HTTP::Get']);
/** Methods read where called without parentheses; keywords that end such a call's arguments. */
const BARE = new Set(['post', 'put', 'patch', 'get', 'get_response', 'post_form', 'request', 'send_request', 'put_object', 'get_object', 'upload_file', 'download_file']);
const STOPS = new Set(['do', 'if', 'unless', 'while', 'until', 'rescue', 'and', 'or', 'then', 'end']);
const MAX_BARE = 16;
/** Tokens a request's block is searched for its `body =`. */
const MAX_BLOCK = 256;
/** A multipart file part made from a path (faraday-multipart's `FilePart.new(path, type)`, Faraday 1's `UploadIO`, multipart-post's `UploadIO`). */
const FILE_PARTS = new Set(['Faraday::Multipart::FilePart', 'Faraday::FilePart', 'Faraday::UploadIO', 'Faraday::Multipart::UploadIO', 'UploadIO', 'Multipart::Post::UploadIO']);

/** Calls without parentheses by the token of their method name, the next to read, and the last `(` of the code. */
export interface BareCalls {
  calls: Array<[number, Chain, Step]>;
  next: number;
  lastParen: number;
}
const join = (parts: Word[]): Word => [parts.map((p) => p[0]).join(''), parts.reduce((h, p) => h | p[1], 0)];

/** A Ruby call's arguments: positional ones, and `k: v`, `:k => v`, `'k' => v` (a trailing `{…}` hash too) by key. */
function rubyArgs(ctx: TransferContext, a: number, b: number): RArgs {
  const { ts, values, match } = ctx.chains;
  const out: RArgs = { pos: [], kw: new Map() };
  const ranges = values.split(a, b);
  for (let n = 0; n < ranges.length; n++) {
    const [x, y] = ranges[n]!;
    const t = ts[x]!;
    const k = t.k === TK_OP && t.v === ':' ? x + 1 : x;
    const key = ts[k];
    const sep = ts[k + 1];
    if (key !== undefined && (key.k === TK_NAME || key.k === TK_STR) && sep?.k === TK_OP && (sep.v === '=>' || (sep.v === ':' && k === x))) out.kw.set(key.v, [k + 2, y]);
    else if (n === ranges.length - 1 && t.k === TK_OP && t.v === '{' && match[x] === y - 1) for (const [kk, r] of rubyArgs(ctx, x + 1, y - 1).kw) out.kw.set(kk, r);
    else out.pos.push([x, y]);
  }
  return out;
}

export class RubyTransfers {
  constructor(private readonly ctx: TransferContext) {}

  private args(s: Step | null): RArgs {
    return s === null ? NO_ARGS : rubyArgs(this.ctx, s.a, s.b);
  }

  read(c: Chain, call: Step): Transfer | null {
    const s = c.steps;
    const last = s[s.length - 1]!;
    if (last.k !== S_ATTR || s.length < 2) return null;
    const fn = last.name;
    const root = s[0]!.name;
    const a = this.args(call);
    switch (root) {
      case 'Net::HTTP':
        if (s.length === 2) return this.netClass(fn, a);
        return this.session(c, fn, a);
      case 'Faraday': {
        if (!(DATA.has(fn) || fn === 'get')) return null;
        const body = a.pos[1] ?? this.blockBody(call);
        // A payload of bare keywords or a trailing hash (`conn.post(u, {file: part})`) is the body: multipart with a file part in it.
        const hash = DATA.has(fn) ? a.kw : undefined;
        if (s.length === 2) return this.http(fn, this.url(a.pos[0]), body, `Faraday.${fn}`, hash);
        const made = callNamed(c, new Set(['new']));
        if (made === null || c.steps.indexOf(made) !== 2) return null;
        const m = this.args(made);
        const base = this.ctx.word(m.kw.get('url') ?? m.pos[0]);
        return this.http(fn, join([base, this.ctx.word(a.pos[0])]), body, `Faraday.${fn}`, hash);
      }
      case 'RestClient':
        // A payload of bare keywords (`post(u, file: File.new(p))`) is a hash.
        return s.length === 2 && (DATA.has(fn) || fn === 'get') ? this.http(fn, this.ctx.word(a.pos[0]), a.pos[1], `RestClient.${fn}`, DATA.has(fn) ? a.kw : undefined) : null;
      case 'Aws::S3::Client':
      case 'Aws::S3::Resource':
      case 'Aws::S3::Object':
        return this.s3(c, fn, a);
      default:
        return null;
    }
  }

  /** Calls without parentheses of the methods in BARE, in text order (see the header). */
  bareCalls(): BareCalls {
    const ts = this.ctx.chains.ts;
    const out: BareCalls = { calls: [], next: 0, lastParen: -1 };
    for (let i = 1; i + 1 < ts.length; i++) {
      const t = ts[i]!;
      if (t.k === TK_OP && t.v === '(') out.lastParen = i;
      if (t.k !== TK_NAME || !BARE.has(t.v) || out.calls.length >= MAX_BARE || ts[i - 1]!.k !== TK_OP || (ts[i - 1]!.v !== '.' && ts[i - 1]!.v !== '&.')) continue;
      const n = ts[i + 1]!;
      if (!(n.k === TK_STR || (n.k === TK_NAME && !STOPS.has(n.v)) || (n.k === TK_OP && n.v === ':' && ts[i + 2]?.k === TK_NAME))) continue;
      const start = this.ctx.chains.calleeStart(i + 1);
      const c = start < 0 ? null : this.ctx.chains.chain(start, i + 1);
      if (c !== null) out.calls.push([i, c, { k: S_CALL, name: '', a: i + 1, b: this.statementEnd(i + 1, ts.length) }]);
    }
    return out;
  }

  /** Where the arguments of a call without parentheses from `k` end (before `limit`): a newline, `;`, a closer, a block, a keyword in STOPS. */
  private statementEnd(k: number, limit: number): number {
    const { ts, match } = this.ctx.chains;
    let j = k;
    for (; j < limit; j++) {
      const u = ts[j]!;
      if (u.k === TK_NL || (u.k === TK_NAME && STOPS.has(u.v))) break;
      if (u.k !== TK_OP) continue;
      if (u.v === ';' || u.v === ')' || u.v === ']' || u.v === '}' || (u.v === '{' && ts[j + 1]?.v === '|')) break;
      if (u.v === '(' || u.v === '[' || u.v === '{') j = Math.max(j, Math.min(match[j]!, limit));
    }
    return Math.min(j, limit);
  }

  /** A block after the call (`{ |r| … }`, `do |r| … end`) that assigns `r.body = X`: X's range. */
  private blockBody(call: Step): [number, number] | undefined {
    const { ts, match } = this.ctx.chains;
    const o = ts[call.b]?.k === TK_OP && ts[call.b]!.v === ')' ? call.b + 1 : call.b;
    const open = ts[o];
    if (open === undefined || !((open.k === TK_OP && open.v === '{') || (open.k === TK_NAME && open.v === 'do')) || ts[o + 1]?.v !== '|' || ts[o + 3]?.v !== '|') return undefined;
    const name = ts[o + 2]!.v;
    const close = Math.min(open.v === '{' && match[o]! > o ? match[o]! : ts.length, o + MAX_BLOCK, ts.length);
    for (let i = o + 4; i + 3 < close; i++) {
      if (!(ts[i]!.k === TK_NAME && ts[i]!.v === name && ts[i + 1]!.v === '.' && ts[i + 2]!.v === 'body' && ts[i + 3]!.k === TK_OP && ts[i + 3]!.v === '=')) continue;
      // X ends where a statement does, and at the block's end (`}`, or `end` of `do |r| r.body = X end`).
      return [i + 4, this.statementEnd(i + 4, close)];
    }
    return undefined;
  }

  /** `URI(u)`, `URI.parse(u)`: u; else the expression's own value. */
  private url(range: [number, number] | undefined): Word {
    const ts = this.ctx.chains.ts;
    // `URI 'u'` (no parentheses).
    if (range !== undefined && range[1] === range[0] + 2 && ts[range[0]]!.v === 'URI' && ts[range[0] + 1]!.k === TK_STR) return this.ctx.word([range[0] + 1, range[1]]);
    const c = range === undefined ? null : this.ctx.chains.chain(range[0], range[1]);
    if (c !== null && c.steps[0]!.name === 'URI' && c.steps.length <= 3) {
      const st = callNamed(c, new Set(['URI', 'parse']));
      if (st !== null) return this.ctx.word(this.args(st).pos[0]);
    }
    return this.ctx.word(range);
  }

  /** The file an expression reads (`File.read(p)`, `File.open(p)`, `Pathname(p).read`…): its path, or null (also for a file opened to write). */
  private file(range: [number, number] | undefined): Word | null {
    const c = range === undefined ? null : this.ctx.chains.chain(range[0], range[1]);
    if (c === null) return null;
    const s = c.steps;
    const root = s[0]!.name;
    const op = s[1]?.name;
    if ((root === 'File' || root === 'IO') && s.length === 3 && s[2]!.k === S_CALL) {
      const a = this.args(s[2]!);
      if (op === 'read' || op === 'binread') return this.ctx.word(a.pos[0]);
      if (op === 'open' || op === 'new') {
        const mode = a.pos[1] === undefined ? null : this.ctx.word(a.pos[1]);
        return mode !== null && /[wa]/.test(mode[0]) ? null : this.ctx.word(a.pos[0]);
      }
    }
    if (root === 'Pathname') {
      const made = s[1]?.k === S_CALL ? s[1] : op === 'new' && s[2]?.k === S_CALL ? s[2] : null;
      const read = s[s.indexOf(made!) + 1]?.name;
      if (made !== null && (read === 'read' || read === 'binread')) return this.ctx.word(this.args(made).pos[0]);
    }
    if (FILE_PARTS.has(root) && op === 'new' && s.length === 3 && s[2]!.k === S_CALL) return this.ctx.word(this.args(s[2]!).pos[0]);
    return null;
  }

  /** The curl run of a request: a file body `-T`, a hash holding a file `-F k=@p`, other data `--data-raw`, none a fetch (GET). */
  private http(fn: string, url: Word, body: [number, number] | undefined, marker: string, hash?: ReadonlyMap<string, [number, number]>): Transfer {
    const method = fn.toUpperCase();
    const tail: Word[] = [url, [`#${marker}`, 0]];
    const head: Word[] = [['curl', 0], ['-X', 0], [method, 0]];
    const { match } = this.ctx.chains;
    // A hash literal, or a name assigned one once (`payload = {file: part}`).
    const open = dictOpen(this.ctx.chains, body);
    const form = open >= 0 ? rubyArgs(this.ctx, open + 1, match[open]!).kw : body === undefined ? hash : undefined;
    for (const [k, r] of form ?? []) {
      const p = this.file(r);
      if (p !== null) return { words: [...head, ['-F', 0], join([[`${k}=@`, 0], p]), ...tail] };
    }
    // A hash of bare keywords: data known as well as its values are.
    if (body === undefined && form !== undefined && form.size > 0) return { words: [...head, ['--data-raw', 0], [HOLE, [...form.values()].reduce((h, r) => h | this.ctx.word(r)[1], 0)], ...tail] };
    if (body === undefined) return method === 'GET' ? { words: [['curl', 0], ...tail], fetch: true } : { words: [...head, ...tail] };
    const f = this.file(body);
    if (f !== null) return { words: [...head, ['-T', 0], f, ...tail] };
    return { words: [...head, ['--data-raw', 0], this.ctx.word(body), ...tail] };
  }

  /** `Net::HTTP.post(uri, data)`, `put`, `patch`, `post_form(uri, params)`, `get(uri)`. */
  private netClass(fn: string, a: RArgs): Transfer | null {
    if (DATA.has(fn)) return this.http(fn, this.url(a.pos[0]), a.pos[1], `Net::HTTP.${fn}`);
    if (fn === 'post_form') return { words: [['curl', 0], ['-X', 0], ['POST', 0], ['--data-raw', 0], this.ctx.word(a.pos[1]), this.url(a.pos[0]), ['#Net::HTTP.post_form', 0]] };
    if (fn === 'get' || fn === 'get_response') return this.http('get', this.url(a.pos[0]), undefined, `Net::HTTP.${fn}`);
    return null;
  }

  /** A session's call: `start(h, port, use_ssl: true)` / `new(h, port)` then `put(path, data)`, `request(req)`…. */
  private session(c: Chain, fn: string, a: RArgs): Transfer | null {
    const made = callNamed(c, new Set(['start', 'new']));
    if (made === null || c.steps.indexOf(made) !== 2) return null;
    const m = this.args(made);
    const host = this.ctx.word(m.pos[0]);
    const port = m.pos[1] === undefined ? '' : this.ctx.word(m.pos[1])[0];
    const ssl = m.kw.get('use_ssl');
    const tls = port === '443' || (ssl !== undefined && this.ctx.chains.values.value(ssl[0], ssl[1]).k === V_TRUE);
    const base = join([[tls ? 'https://' : 'http://', 0], host]);
    const at = (path: [number, number] | undefined): Word => {
      const p = this.url(path);
      return /^https?:\/\//i.test(p[0]) ? p : join([base, p]);
    };
    const marker = `Net::HTTP#${fn}`;
    if (DATA.has(fn) || fn === 'get') return this.http(fn, at(a.pos[0]), DATA.has(fn) ? a.pos[1] : undefined, marker);
    if (fn === 'send_request') return this.http(this.ctx.word(a.pos[0])[0].toLowerCase(), at(a.pos[1]), a.pos[2], marker);
    if (fn !== 'request' || a.pos[0] === undefined) return null;
    const [x, y] = a.pos[0];
    const req = this.ctx.chains.chain(x, y);
    const made2 = req === null ? null : callNamed(req, new Set(['new']));
    const cls = req?.steps[0]!.name ?? '';
    if (made2 === null || !REQUESTS.has(cls)) return null;
    const name = y === x + 1 && this.ctx.chains.ts[x]!.k === TK_NAME ? this.ctx.chains.ts[x]!.v : null;
    const body = a.pos[1] ?? (name === null ? undefined : this.bodyOf(name));
    return this.http(cls.slice(cls.lastIndexOf(':') + 1).toLowerCase(), at(this.args(made2).pos[0]), body, marker);
  }

  /** The expression a request object's `name.body = …` / `name.body_stream = …` assigns (the first such). */
  private bodyOf(name: string): [number, number] | undefined {
    const { ts } = this.ctx.chains;
    for (let i = 0; i + 4 < ts.length; i++) {
      if (ts[i]!.k !== TK_NAME || ts[i]!.v !== name || ts[i + 1]!.v !== '.' || ts[i + 3]!.v !== '=' || ts[i + 3]!.k !== TK_OP) continue;
      const f = ts[i + 2]!.v;
      if (f !== 'body' && f !== 'body_stream') continue;
      return [i + 4, expressionEnd(ts, this.ctx.chains.match, i + 4, 'ruby')];
    }
    return undefined;
  }

  /** aws-sdk-s3: a client's `put_object` / `get_object`, an object's `upload_file` / `put` / `download_file`. */
  private s3(c: Chain, fn: string, a: RArgs): Transfer | null {
    const ctx = this.ctx;
    let bucket: Word;
    let key: Word;
    if (c.steps[0]!.name === 'Aws::S3::Client') {
      if (fn !== 'put_object' && fn !== 'get_object') return null;
      bucket = ctx.word(a.kw.get('bucket'));
      key = ctx.word(a.kw.get('key'));
    } else {
      const bc = callNamed(c, new Set(['bucket']));
      const oc = callNamed(c, new Set(['object']));
      const on = callNamed(c, new Set(['new']));
      if (c.steps[0]!.name === 'Aws::S3::Object' && on !== null && c.steps.indexOf(on) === 2) {
        const o = this.args(on);
        bucket = ctx.word(o.kw.get('bucket_name') ?? o.pos[0]);
        key = ctx.word(o.kw.get('key') ?? o.pos[1]);
      } else if (bc !== null && oc !== null) {
        bucket = ctx.word(this.args(bc).pos[0]);
        key = ctx.word(this.args(oc).pos[0]);
      } else return null;
      if (fn !== 'upload_file' && fn !== 'put' && fn !== 'download_file') return null;
    }
    const marker: Word = [`#Aws::S3.${fn}`, 0];
    if (fn === 'get_object' || fn === 'download_file') {
      const dest = fn === 'download_file' ? ctx.word(a.pos[0]) : a.kw.has('response_target') ? ctx.word(a.kw.get('response_target')) : (['-', 0] as Word);
      return { words: s3DownloadRun(bucket, key, dest, marker) };
    }
    const src = fn === 'upload_file' ? ctx.word(a.pos[0]) : this.file(a.kw.get('body')) ?? (a.kw.has('body') ? (['-', 0] as Word) : wordOf(undefined));
    return { words: s3UploadRun(src, bucket, key, marker) };
  }
}
