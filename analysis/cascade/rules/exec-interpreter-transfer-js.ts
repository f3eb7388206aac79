/**
 * Node's HTTP transfers read as curl runs (exec-interpreter-transfer.ts says why and how):
 * `fetch(url, {method, body})` (WHATWG Fetch, global since Node 18; `node-fetch`, `undici`),
 * `axios.put(url, data)` / `axios.request({method, url, data})` / `axios({…})` (axios API
 * reference: `get`, `delete`, `head`, `options` take `(url, config)`, `post`, `put`, `patch`
 * `(url, data, config)`), `https.get(url)`, and a file stream piped into a request
 * (`fs.createReadStream(p).pipe(https.request(url, {method: 'PUT'}))`, Node's `http.request(url[,
 * options])` / `(options)` with `protocol`, `hostname` / `host`, `port`, `path`). A body read from
 * a file (`fs.readFileSync(p)`, `fs.createReadStream(p)`) is that file's upload (`curl -T p`).
 * got (got API reference): `got(url, {method, body, json, form})`, `got({url, …})`, `got.put(url,
 * {body})` (`post`, `patch`, `get`…), and `got.stream.put(url)` as a pipe's target (`pipe(…)`, or
 * `stream.pipeline(fileStream, target)`). The AWS SDK's S3 transfers: exec-interpreter-transfer-js-s3.ts.
 * Node's `-e` and REPL expose the core modules as globals, so `https.request` needs no require;
 * ES modules (`import got from 'got'`, `import { createReadStream } from 'node:fs'`, what
 * `node --input-type=module -e` runs) name the same roots.
 */
import type { TransferContext, Transfer } from './exec-interpreter-transfer.js';
import { callNamed, dictOf, dottedHead, S_ATTR, S_CALL, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { s3Transfer } from './exec-interpreter-transfer-js-s3.js';

const NO_DATA = new Set(['get', 'delete', 'head', 'options']);
const WITH_DATA = new Set(['post', 'put', 'patch']);
const FETCHES = new Set(['fetch', 'globalThis.fetch', 'global.fetch', 'undici.fetch', 'node-fetch', 'undici.request']);
const REQUESTS = new Set(['request']);

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
    return ctx.httpRun(method(ctx, opts, 'GET'), ctx.word(a.pos[0]), opts.get('body'), undefined, undefined, head === 'node-fetch' ? 'node-fetch' : 'fetch');
  }
  if (root === 'axios') return axios(ctx, s.length === 1 ? '' : fn, a.pos);
  if (root === 'got' && s.length <= 2) return got(ctx, s.length === 1 ? '' : fn, a.pos);
  if ((root === 'https' || root === 'http') && s.length === 2 && fn === 'get') return { words: [['curl', 0], ctx.word(a.pos[0]), [`#${root}.get`, 0]], fetch: true };
  if (fn === 'pipe' && s.length >= 2) return pipe(ctx, { steps: s.slice(0, -1), rooted: c.rooted }, a.pos[0]);
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

/** axios: a method (`put`…), `request(config)`, or axios itself called (`fn` ''): `(config)` or `(url, config)`. */
function axios(ctx: TransferContext, fn: string, pos: ReadonlyArray<[number, number]>): Transfer | null {
  const marker = fn === '' ? 'axios' : `axios.${fn}`;
  if (NO_DATA.has(fn) || WITH_DATA.has(fn)) {
    const data = WITH_DATA.has(fn) ? pos[1] : undefined;
    return ctx.httpRun([fn.toUpperCase(), 0], ctx.word(pos[0]), data, undefined, undefined, marker);
  }
  if (fn !== '' && fn !== 'request') return null;
  const first = options(ctx, pos[0]);
  const config = first.size > 0 ? first : options(ctx, pos[1]);
  const url = first.size > 0 ? config.get('url') : pos[0];
  return ctx.httpRun(method(ctx, config, 'GET'), ctx.word(url), config.get('data'), undefined, undefined, marker);
}

/** got: a method (`put`…) with `(url, options)`, got itself (`fn` '') with `(url, options)` or `(options)`; options `body`, `json`, `form`. */
function got(ctx: TransferContext, fn: string, pos: ReadonlyArray<[number, number]>): Transfer | null {
  if (fn !== '' && !NO_DATA.has(fn) && !WITH_DATA.has(fn)) return null;
  const first = options(ctx, pos[0]);
  const opts = first.size > 0 ? first : options(ctx, pos[1]);
  const url = first.size > 0 ? opts.get('url') : pos[0];
  const m = fn === '' ? method(ctx, opts, 'GET') : ([fn.toUpperCase(), 0] as Word);
  return ctx.httpRun(m, ctx.word(url), opts.get('body'), undefined, opts.get('json') ?? opts.get('form'), fn === '' ? 'got' : `got.${fn}`);
}

/** `<file stream>.pipe(target)`: the file's upload to the request the target makes. */
function pipe(ctx: TransferContext, recv: Chain, arg: [number, number] | undefined): Transfer | null {
  const file = ctx.fileOfChain(recv);
  return file === null || file.write ? null : upload(ctx, file.path, arg);
}

/** `stream.pipeline(fileStream, target, …)` (`stream/promises` too): as `fileStream.pipe(target)`. */
function pipeline(ctx: TransferContext, pos: ReadonlyArray<[number, number]>): Transfer | null {
  const file = ctx.fileOf(pos[0]);
  return file === null || file.write ? null : upload(ctx, file.path, pos[1]);
}

/** A file's upload to a request stream: `http(s).request(url, options)`, `got.stream.put(url)` / `got.stream(url, {method})`. */
function upload(ctx: TransferContext, file: Word, arg: [number, number] | undefined): Transfer | null {
  if (arg === undefined) return null;
  const target = ctx.chains.chain(arg[0], arg[1]);
  const ts = target?.steps ?? [];
  const mod = ts[0]?.name;
  if (mod === 'got' && ts[1]?.name === 'stream' && ts[ts.length - 1]!.k === S_CALL && ts.length <= 4) {
    const a = ctx.args(ts[ts.length - 1]!);
    const fn = ts.length === 4 ? ts[2]!.name : '';
    const m = ts.length === 4 ? ([fn.toUpperCase(), 0] as Word) : method(ctx, options(ctx, a.pos[1]), 'GET');
    return { words: [['curl', 0], ['-X', 0], m, ['-T', 0], file, ctx.word(a.pos[0]), [`#got.stream${fn === '' ? '' : `.${fn}`}`, 0]] };
  }
  const req = target === null ? null : callNamed(target, REQUESTS);
  if (req === null || (mod !== 'http' && mod !== 'https') || ts.length !== 3 || req !== ts[2]) return null;
  const ra = ctx.args(req);
  const first = options(ctx, ra.pos[0]);
  const opts = first.size > 0 ? first : options(ctx, ra.pos[1]);
  let url: Word;
  if (first.size === 0) url = ctx.word(ra.pos[0]);
  else {
    const host = ctx.word(opts.get('hostname') ?? opts.get('host'));
    const path = opts.has('path') ? ctx.word(opts.get('path')) : (['', 0] as Word);
    const proto = opts.has('protocol') ? ctx.word(opts.get('protocol')) : ([`${mod}:`, 0] as Word);
    url = [`${proto[0]}//${host[0]}${path[0]}`, proto[1] | host[1] | path[1]];
  }
  return { words: [['curl', 0], ['-X', 0], method(ctx, opts, 'GET'), ['-T', 0], file, url, [`#${mod}.request`, 0]] };
}
