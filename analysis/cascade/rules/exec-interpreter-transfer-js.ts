/**
 * Node's HTTP transfers read as curl runs (exec-interpreter-transfer.ts says why and how):
 * `fetch(url, {method, body})` (WHATWG Fetch, global since Node 18; `node-fetch`, `undici`),
 * `axios.put(url, data)` / `axios.request({method, url, data})` / `axios({…})` (axios API
 * reference: `get`, `delete`, `head`, `options` take `(url, config)`, `post`, `put`, `patch`
 * `(url, data, config)`), `https.get(url)`, and a file stream piped into a request
 * (`fs.createReadStream(p).pipe(https.request(url, {method: 'PUT'}))`, Node's `http.request(url[,
 * options])` / `(options)` with `protocol`, `hostname` / `host`, `port`, `path`). A body read from
 * a file (`fs.readFileSync(p)`, `fs.createReadStream(p)`) is that file's upload (`curl -T p`).
 * Node's `-e` and REPL expose the core modules as globals, so `https.request` needs no require.
 */
import type { TransferContext, Transfer } from './exec-interpreter-transfer.js';
import { callNamed, dictOpen, dictRanges, dottedHead, S_ATTR, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';

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
  if ((root === 'https' || root === 'http') && s.length === 2 && fn === 'get') return { words: [['curl', 0], ctx.word(a.pos[0]), [`#${root}.get`, 0]], fetch: true };
  if (fn === 'pipe' && s.length >= 2) return pipe(ctx, { steps: s.slice(0, -1), rooted: c.rooted }, a.pos[0]);
  return null;
}

/** An options object's entries (a literal, or a name assigned one once). */
function options(ctx: TransferContext, range: [number, number] | undefined): Map<string, [number, number]> {
  const open = dictOpen(ctx.chains, range);
  return open < 0 ? new Map() : dictRanges(ctx.chains, open);
}

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

/** `<file stream>.pipe(http(s).request(url, options))`: the file's upload to the request's URL. */
function pipe(ctx: TransferContext, recv: Chain, arg: [number, number] | undefined): Transfer | null {
  const file = ctx.fileOfChain(recv);
  if (file === null || file.write || arg === undefined) return null;
  const target = ctx.chains.chain(arg[0], arg[1]);
  const req = target === null ? null : callNamed(target, REQUESTS);
  const mod = target?.steps[0]?.name;
  if (req === null || (mod !== 'http' && mod !== 'https') || target!.steps.length !== 3 || req !== target!.steps[2]) return null;
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
  return { words: [['curl', 0], ['-X', 0], method(ctx, opts, 'GET'), ['-T', 0], file.path, url, [`#${mod}.request`, 0]] };
}
