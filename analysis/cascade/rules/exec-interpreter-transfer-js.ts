/**
 * Node's HTTP transfers read as curl runs (exec-interpreter-transfer.ts says why and how):
 * `fetch(url, {method, body})` (WHATWG Fetch, global since Node 18; `node-fetch`, `undici`),
 * `axios.put(url, data)` / `axios.request({method, url, data})` / `axios({…})` (axios API
 * reference: `get`, `delete`, `head`, `options` take `(url, config)`, `post`, `put`, `patch`
 * `(url, data, config)`), `https.get(url)`, and a file stream piped into a request
 * (`fs.createReadStream(p).pipe(https.request(url, {method: 'PUT'}))`, Node's `http.request(url[,
 * options])` / `(options)` with `protocol`, `hostname` / `host`, `port`, `path`), or given as the
 * request's body (`https.request({host, method: 'POST'}).end(fs.readFileSync(p))`, `.write(…)`). A body read from
 * a file (`fs.readFileSync(p)`, `fs.createReadStream(p)`) is that file's upload (`curl -T p`).
 * got (got API reference): `got(url, {method, body, json, form})`, `got({url, …})`, `got.put(url,
 * {body})` (`post`, `patch`, `get`…; `require('got').default.put` too), and `got.stream.put(url)` as a pipe's target (`pipe(…)`, or
 * `stream.pipeline(fileStream, target)`). The AWS SDK's S3 transfers: exec-interpreter-transfer-js-s3.ts.
 * Node's `-e` and REPL expose the core modules as globals, so `https.request` needs no require;
 * ES modules (`import got from 'got'`, `import { createReadStream } from 'node:fs'`, what
 * `node --input-type=module -e` runs) name the same roots, under any local name
 * (`import ky from 'got'`, `const { request: r } = require('https')`: exec-interpreter-transfer-js-imports.ts).
 * A multipart form the code builds (`const f = new FormData(); f.append('file',
 * fs.createReadStream(p))`) sent as a body, piped into a request or `f.submit(url)`-ed (form-data),
 * or axios's `postForm(url, {file: stream})`, is `curl -F file=@p` (exec-interpreter-transfer-js-form.ts);
 * a `new Blob([fs.readFileSync(p)])` body is p's upload.
 */
import type { TransferContext, Transfer } from './exec-interpreter-transfer.js';
import { callNamed, dictOf, dottedHead, S_ATTR, S_CALL, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { HOLE, isOp } from './exec-interpreter-token.js';
import { s3Transfer } from './exec-interpreter-transfer-js-s3.js';
import { fileRead, formName, formParts, MAX_PARTS } from './exec-interpreter-transfer-js-form.js';

const NO_DATA = new Set(['get', 'delete', 'head', 'options']);
const WITH_DATA = new Set(['post', 'put', 'patch']);
const FETCHES = new Set(['fetch', 'globalThis.fetch', 'global.fetch', 'undici.fetch', 'node-fetch', 'undici.request']);
const REQUESTS = new Set(['request']);
/** axios's form methods (axios ≥ 1.0): the data, a FormData or an object, is sent as multipart/form-data. */
const FORMS = new Map([['postForm', 'post'], ['putForm', 'put'], ['patchForm', 'patch']]);

/** The transfer the JavaScript call `c(…)` makes, or null. */
export function jsTransfer(ctx: TransferContext, c: Chain, call: Step): Transfer | null {
  const s = c.steps;
  const last = s[s.length - 1]!;
  if (last.k !== S_ATTR) return null;
  const fn = last.name;
  const head = dottedHead(c);
  const root = s[0]!.name;
  const a = ctx.args(call);
  if (head === c.steps.map((x) => x.name).join('.') && FETCHES.has(head) && (c.rooted || !head.includes('-'))) {
    const opts = options(ctx, a.pos[1]);
    return send(ctx, method(ctx, opts, 'GET'), ctx.word(a.pos[0]), opts.get('body'), undefined, head === 'node-fetch' ? 'node-fetch' : 'fetch');
  }
  if (root === 'axios') return axios(ctx, s.length === 1 ? '' : fn, a.pos);
  // `require('got').default`, `(await import('got')).default`: got's ES module default export as CommonJS and `import()` see it (got ≥ 12).
  const gotSteps = root === 'got' && s[1]?.k === S_ATTR && s[1].name === 'default' ? s.length - 1 : s.length;
  if (root === 'got' && gotSteps <= 2) return got(ctx, gotSteps === 1 ? '' : fn, a.pos);
  if ((root === 'https' || root === 'http') && s.length === 2 && fn === 'get') return { words: [['curl', 0], ctx.word(a.pos[0]), [`#${root}.get`, 0]], fetch: true };
  if ((fn === 'pipe' || fn === 'submit') && s.length >= 2) {
    const form = receiverForm(ctx, call);
    if (form !== null) return fn === 'pipe' ? upload(ctx, form, a.pos[0]) : submit(ctx, form, a.pos[0]);
  }
  if (fn === 'pipe' && s.length >= 2) return pipe(ctx, { steps: s.slice(0, -1), rooted: c.rooted }, a.pos[0]);
  if ((fn === 'end' || fn === 'write') && s.length >= 3) return requestBody(ctx, { steps: s.slice(0, -1), rooted: c.rooted }, a.pos[0]);
  if (head === 'pipeline' || head === 'stream.pipeline' || head === 'stream/promises.pipeline') return pipeline(ctx, a.pos);
  return s3Transfer(ctx, c, call);
}

/** An options object's entries (a literal, or a name assigned one once). */
const options = (ctx: TransferContext, range: [number, number] | undefined): Map<string, [number, number]> => dictOf(ctx.chains, range);

function method(ctx: TransferContext, opts: Map<string, [number, number]>, fallback: string): Word {
  const m = opts.get('method');
  if (m === undefined) return [fallback, 0];
  const w = ctx.word(m);
  return [w[0].toUpperCase(), w[1]];
}

/** The curl run of a request with a body: a built form's file parts `-F`, a Blob of a file's bytes `-T`, else as ctx.httpRun reads it. */
function send(ctx: TransferContext, m: Word, url: Word, data: [number, number] | undefined, json: [number, number] | undefined, marker: string): Transfer {
  const name = formName(ctx, data);
  const form = name === null ? null : formParts(ctx, name);
  if (form !== null && form.files.length > 0) return curlRun(m, formWords(form.files), url, marker);
  // A form of text fields only: data, known as well as its fields are.
  if (form !== null) return curlRun(m, [['--data-raw', 0], [HOLE, form.how]], url, marker);
  const blob = data === undefined || ctx.fileOf(data) !== null ? null : fileRead(ctx, data);
  if (blob !== null) return curlRun(m, [['-T', 0], blob], url, marker);
  return ctx.httpRun(m, url, data, undefined, json, marker);
}

const formWords = (parts: readonly Word[]): Word[] => parts.flatMap((p): Word[] => [['-F', 0], p]);

/** `curl -X METHOD <body words> URL #marker`: the run every request with a body here reads as. */
const curlRun = (m: Word, body: readonly Word[], url: Word, marker: string): Transfer => ({ words: [['curl', 0], ['-X', 0], m, ...body, url, [`#${marker}`, 0]] });

/** `f.pipe(…)` / `f.submit(…)` where f is a form the code builds with a file part: that form's `-F` words; else null. */
function receiverForm(ctx: TransferContext, call: Step): Word[] | null {
  const ts = ctx.chains.ts;
  const n = call.a - 4;
  if (n < 0 || !isOp(ts[n + 1], '.') || isOp(ts[n - 1], '.')) return null;
  const name = formName(ctx, [n, n + 1]);
  const files = name === null ? [] : formParts(ctx, name).files;
  return files.length > 0 ? formWords(files) : null;
}

/** form-data's `form.submit(url | {protocol, host, path}, cb)`: a POST of the form. */
function submit(ctx: TransferContext, form: Word[], arg: [number, number] | undefined): Transfer {
  const opts = options(ctx, arg);
  const url = opts.size > 0 ? requestUrl(ctx, 'http', opts) : ctx.word(arg);
  return curlRun(['POST', 0], form, url, 'form-data.submit');
}

/** axios: a method (`put`…), `request(config)`, or axios itself called (`fn` ''): `(config)` or `(url, config)`. */
function axios(ctx: TransferContext, fn: string, pos: ReadonlyArray<[number, number]>): Transfer | null {
  const marker = fn === '' ? 'axios' : `axios.${fn}`;
  if (NO_DATA.has(fn) || WITH_DATA.has(fn)) {
    const data = WITH_DATA.has(fn) ? pos[1] : undefined;
    return send(ctx, [fn.toUpperCase(), 0], ctx.word(pos[0]), data, undefined, marker);
  }
  const form = FORMS.get(fn);
  if (form !== undefined) {
    // An object's entries are the form's fields (axios's toFormData): its file values are file parts.
    const parts: Word[] = [];
    for (const [k, r] of options(ctx, pos[1])) {
      const p = fileRead(ctx, r);
      if (p !== null && parts.length < MAX_PARTS) parts.push([`${k}=@${p[0]}`, p[1]]);
    }
    const url = ctx.word(pos[0]);
    if (parts.length > 0) return curlRun([form.toUpperCase(), 0], formWords(parts), url, marker);
    return send(ctx, [form.toUpperCase(), 0], url, pos[1], undefined, marker);
  }
  if (fn !== '' && fn !== 'request') return null;
  const first = options(ctx, pos[0]);
  const config = first.size > 0 ? first : options(ctx, pos[1]);
  const url = first.size > 0 ? config.get('url') : pos[0];
  return send(ctx, method(ctx, config, 'GET'), ctx.word(url), config.get('data'), undefined, marker);
}

/** got: a method (`put`…) with `(url, options)`, got itself (`fn` '') with `(url, options)` or `(options)`; options `body`, `json`, `form`. */
function got(ctx: TransferContext, fn: string, pos: ReadonlyArray<[number, number]>): Transfer | null {
  if (fn !== '' && !NO_DATA.has(fn) && !WITH_DATA.has(fn)) return null;
  const first = options(ctx, pos[0]);
  const opts = first.size > 0 ? first : options(ctx, pos[1]);
  const url = first.size > 0 ? opts.get('url') : pos[0];
  const m = fn === '' ? method(ctx, opts, 'GET') : ([fn.toUpperCase(), 0] as Word);
  return send(ctx, m, ctx.word(url), opts.get('body'), opts.get('json') ?? opts.get('form'), fn === '' ? 'got' : `got.${fn}`);
}

/** `<file stream>.pipe(target)`: the file's upload to the request the target makes. */
function pipe(ctx: TransferContext, recv: Chain, arg: [number, number] | undefined): Transfer | null {
  const file = ctx.fileOfChain(recv);
  return file === null || file.write ? null : upload(ctx, [['-T', 0], file.path], arg);
}

/** `stream.pipeline(fileStream, target, …)` (`stream/promises` too): as `fileStream.pipe(target)`. */
function pipeline(ctx: TransferContext, pos: ReadonlyArray<[number, number]>): Transfer | null {
  const file = ctx.fileOf(pos[0]);
  return file === null || file.write ? null : upload(ctx, [['-T', 0], file.path], pos[1]);
}

/** A body (`-T p`, a form's `-F` parts) piped to a request stream: `http(s).request(url, options)`, `got.stream.put(url)` / `got.stream(url, {method})`. */
function upload(ctx: TransferContext, body: Word[], arg: [number, number] | undefined): Transfer | null {
  if (arg === undefined) return null;
  const target = ctx.chains.chain(arg[0], arg[1]);
  const ts = target?.steps ?? [];
  const mod = ts[0]?.name;
  if (mod === 'got' && ts[1]?.name === 'stream' && ts[ts.length - 1]!.k === S_CALL && ts.length <= 4) {
    const a = ctx.args(ts[ts.length - 1]!);
    const fn = ts.length === 4 ? ts[2]!.name : '';
    const m = ts.length === 4 ? ([fn.toUpperCase(), 0] as Word) : method(ctx, options(ctx, a.pos[1]), 'GET');
    return curlRun(m, body, ctx.word(a.pos[0]), `got.stream${fn === '' ? '' : `.${fn}`}`);
  }
  const req = target === null ? null : nodeRequest(ctx, target);
  return req === null ? null : curlRun(req.m, body, req.url, req.marker);
}

/** `http(s).request(url, options).end(body)` (or `.write(body)`, also on the request's name): the body sent with the request. */
function requestBody(ctx: TransferContext, recv: Chain, data: [number, number] | undefined): Transfer | null {
  const req = data === undefined ? null : nodeRequest(ctx, recv);
  return req === null ? null : send(ctx, req.m, req.url, data, undefined, req.marker);
}

/** The method and URL of Node's `http(s).request(url[, options])` / `(options)` that `chain` makes, or null. */
function nodeRequest(ctx: TransferContext, chain: Chain): { m: Word; url: Word; marker: string } | null {
  const ts = chain.steps;
  const mod = ts[0]?.name;
  const req = callNamed(chain, REQUESTS);
  if (req === null || (mod !== 'http' && mod !== 'https') || ts.length !== 3 || req !== ts[2]) return null;
  const ra = ctx.args(req);
  const first = options(ctx, ra.pos[0]);
  const opts = first.size > 0 ? first : options(ctx, ra.pos[1]);
  const url = first.size === 0 ? ctx.word(ra.pos[0]) : requestUrl(ctx, mod, opts);
  return { m: method(ctx, opts, 'GET'), url, marker: `${mod}.request` };
}

/** The URL Node's request options name (`protocol`, `hostname` / `host`, `path`), `mod:` the default scheme. */
function requestUrl(ctx: TransferContext, mod: string, opts: ReadonlyMap<string, [number, number]>): Word {
  const host = ctx.word(opts.get('hostname') ?? opts.get('host'));
  const path = opts.has('path') ? ctx.word(opts.get('path')) : (['', 0] as Word);
  const proto = opts.has('protocol') ? ctx.word(opts.get('protocol')) : ([`${mod}:`, 0] as Word);
  return [`${proto[0]}//${host[0]}${path[0]}`, proto[1] | host[1] | path[1]];
}
