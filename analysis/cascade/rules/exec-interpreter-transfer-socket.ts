/**
 * A file's bytes sent over a raw socket from Python code (TCP, or UDP datagrams), read as the curl
 * run that sends the same bytes over a plain TCP connection (MITRE T1048, exfiltration over a non-C2 protocol; curl's
 * `telnet://` scheme with `-T` uploads the file over the bare connection): `curl -T F
 * telnet://HOST:PORT #socket.sendfile`, as exec-interpreter-transfer.ts reads other library
 * transfers (Python `socket` and `ssl` module references):
 * - the socket: `socket.create_connection((h, p))` (its address), or `socket.socket(…)` whose
 *   address is the one `.connect((h, p))` / `.connect_ex(…)` called on that same object gives
 *   (the same chain: the same name assigned once, the same `with … as` target); a TLS socket,
 *   `ssl.create_default_context().wrap_socket(sock, server_hostname=…)`, `ssl.SSLContext(…)
 *   .wrap_socket(…)`, `ssl.wrap_socket(sock)`, has the address of the socket it wraps (or of a
 *   `.connect` on itself; `server_hostname` when no address is spelled). The run says
 *   `telnet://` for TLS too (curl has no TLS telnet; the bytes leave the pod all the same) and its
 *   marker names the `ssl` call (`#ssl.sendall`);
 * - the send: `.sendfile(f)`, `.sendall(x)`, `.send(x)`, `.sendto(x, (h, p))` (to the address it
 *   names), `.makefile('wb').write(x)`, `shutil.copyfileobj(f, s.makefile('wb'))` where f or x is
 *   a file the code reads (`open(F, 'rb')`, its `.read()`, `pathlib.Path(F).read_bytes()`, through
 *   names and `with` targets: TransferContext.fileOf). Data not read from a file (`b'ping'`, a banner, a computed
 *   string) moves no file: not read, so health checks and reverse-shell banners stay with the
 *   rules that judge those.
 * A host or port the code does not spell is HOLE (known at run time). A socket to a path (an
 * AF_UNIX address, `socket.socket(socket.AF_UNIX)`) stays on the node: not read. Every chain must
 * start at an import. Bounded: one linear scan of the tokens for `.connect(` calls (at most
 * MAX_CONNECTS kept, once per code text), MAX_WRAPS wrapped sockets followed; never throws.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { S_ATTR, S_CALL, wordOf, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { HOLE, TK_NAME, TK_OP } from './exec-interpreter-token.js';
import { V_LIST, V_STR } from './exec-interpreter-value.js';

const SENDS = new Set(['sendfile', 'sendall', 'send', 'sendto']);
/** The calls that make a socket, by the module they are called on. */
const MAKERS = new Map<string, ReadonlySet<string>>([['socket', new Set(['socket', 'create_connection'])], ['ssl', new Set(['wrap_socket'])]]);
const MAX_CONNECTS = 16;
const MAX_WRAPS = 4;

interface Address {
  host: Word;
  port: Word;
}
/** A socket's address: spelled or HOLE, LOCAL for one to a path (AF_UNIX), null for no socket. */
const LOCAL = 'local';
type Reached = Address | typeof LOCAL | null;

const UNKNOWN_ADDRESS = (): Address => ({ host: wordOf(undefined), port: wordOf(undefined) });
const prefix = (c: Chain, k: number): Chain => ({ steps: c.steps.slice(0, k), rooted: c.rooted });
const sameStep = (x: Step, y: Step): boolean => x.k === y.k && x.name === y.name && x.a === y.a && x.b === y.b;
const sameChain = (x: Chain, y: Chain): boolean => x.steps.length === y.steps.length && x.steps.every((st, i) => sameStep(st, y.steps[i]!));

/** The `.connect(…)` / `.connect_ex(…)` calls of a code text: each one's receiver and its argument call. */
const connectsOf = new WeakMap<TransferContext, Array<[Chain, Step]>>();

/**
 * The file the rooted socket call `c(…)` (`fn` its method) sends over the network, as a curl
 * telnet:// upload; or null. `sendto(x, addr)` / `sendto(x, flags, addr)` (UDP, or TCP ignoring
 * it) goes to the address it names, the others to where the socket is connected.
 */
export function socketTransfer(ctx: TransferContext, c: Chain, fn: string, call: Step): Transfer | null {
  if (!SENDS.has(fn) || c.steps.length < 3) return null;
  const a = ctx.args(call);
  const f = ctx.fileOf(a.pos[0] ?? (fn === 'sendfile' ? a.kw.get('file') : undefined));
  if (f === null || f.write) return null;
  const at = reached(ctx, prefix(c, c.steps.length - 1), 0);
  const to = fn === 'sendto' && a.pos.length >= 2 && at !== null && at !== LOCAL ? addressOf(ctx, a.pos[a.pos.length - 1]) : at;
  return upload(f.path, to, `#${c.steps[0]!.name}.${fn}`);
}

/**
 * `s.makefile('wb').write(x)` of a file `x` reads (`recv` the receiver of `write`: the makefile
 * call on a socket), or `shutil.copyfileobj(fsrc, s.makefile('wb'))` with `file` the source's
 * path: the file sent over the socket; or null.
 */
export function socketFileWrite(ctx: TransferContext, recv: Chain | null, file: Word | null): Transfer | null {
  const s = recv?.steps;
  if (recv == null || s === undefined || file === null || s.length < 4) return null;
  const n = s.length;
  if (s[n - 1]!.k !== S_CALL || s[n - 2]!.k !== S_ATTR || s[n - 2]!.name !== 'makefile') return null;
  if (s[0]!.name !== 'socket' && s[0]!.name !== 'ssl') return null;
  return upload(file, reached(ctx, prefix(recv, n - 2), 0), `#${s[0]!.name}.makefile`);
}

/** `curl -T F telnet://HOST:PORT #marker` for a socket reached at `to`; null for none or a path (AF_UNIX). */
function upload(file: Word, to: Reached, marker: string): Transfer | null {
  if (to === null || to === LOCAL) return null;
  const h = to.host;
  const host: Word = h[0].includes(':') && h[0] !== HOLE && !h[0].startsWith('[') ? [`[${h[0]}]`, h[1]] : h;
  const url: Word = [`telnet://${host[0]}:${to.port[0]}`, host[1] | to.port[1]];
  return { words: [['curl', 0], ['-T', 0], file, url, [marker, 0]] };
}

/** Where the socket object `recv` is connected: its own `.connect`, its `create_connection` address, the socket it wraps. */
function reached(ctx: TransferContext, recv: Chain, depth: number): Reached {
  const s = recv.steps;
  const n = s.length;
  if (!recv.rooted || n < 2 || s[n - 1]!.k !== S_CALL || s[n - 2]!.k !== S_ATTR) return null;
  const maker = s[n - 2]!.name;
  if (MAKERS.get(s[0]!.name)?.has(maker) !== true) return null;
  const ma = ctx.args(s[n - 1]!);
  if (maker === 'socket' && isUnixFamily(ctx, ma.pos[0] ?? ma.kw.get('family'))) return LOCAL;
  for (const [on, step] of connects(ctx)) {
    if (!sameChain(on, recv)) continue;
    const ca = ctx.args(step);
    return addressOf(ctx, ca.pos[0] ?? ca.kw.get('address'));
  }
  if (maker === 'create_connection') return addressOf(ctx, ma.pos[0] ?? ma.kw.get('address'));
  if (maker === 'socket') return UNKNOWN_ADDRESS();
  // wrap_socket: the socket it wraps (SSLContext.wrap_socket(sock, …), ssl.wrap_socket(sock, …)).
  const inner = ma.pos[0] ?? ma.kw.get('sock');
  const ic = inner === undefined || depth >= MAX_WRAPS ? null : ctx.chains.chain(inner[0], inner[1]);
  const got = ic === null ? null : reached(ctx, ic, depth + 1);
  if (got === LOCAL) return LOCAL;
  const to = got ?? UNKNOWN_ADDRESS();
  const sni = ma.kw.get('server_hostname');
  return to.host[0] === HOLE && sni !== undefined ? { host: ctx.word(sni), port: to.port } : to;
}

/** `socket.AF_UNIX` (or `AF_UNIX` imported) as a socket's family. */
function isUnixFamily(ctx: TransferContext, range: [number, number] | undefined): boolean {
  if (range === undefined) return false;
  const t = ctx.chains.ts[range[1] - 1];
  return t !== undefined && t.k === TK_NAME && t.v === 'AF_UNIX';
}

/** An AF_INET / AF_INET6 address `(host, port[, …])`; a path (AF_UNIX) is LOCAL; anything else HOLE. */
function addressOf(ctx: TransferContext, range: [number, number] | undefined): Address | typeof LOCAL {
  if (range === undefined) return UNKNOWN_ADDRESS();
  const v = ctx.chains.values.value(range[0], range[1]);
  if (v.k === V_STR) return LOCAL;
  if (v.k !== V_LIST) return UNKNOWN_ADDRESS();
  return { host: wordOf(v.items[0]), port: wordOf(v.items[1]) };
}

/** One linear scan for `.connect(` / `.connect_ex(` calls, at most MAX_CONNECTS kept (per code text). */
function connects(ctx: TransferContext): Array<[Chain, Step]> {
  const memo = connectsOf.get(ctx);
  if (memo !== undefined) return memo;
  const out: Array<[Chain, Step]> = [];
  connectsOf.set(ctx, out);
  const { ts, match } = ctx.chains;
  for (let i = 2; i < ts.length && out.length < MAX_CONNECTS; i++) {
    const t = ts[i]!;
    const name = ts[i - 1]!;
    const dot = ts[i - 2]!;
    if (t.k !== TK_OP || t.v !== '(' || name.k !== TK_NAME || (name.v !== 'connect' && name.v !== 'connect_ex') || dot.k !== TK_OP || dot.v !== '.') continue;
    const start = ctx.chains.calleeStart(i);
    const c = start < 0 ? null : ctx.chains.chain(start, i);
    if (c !== null && c.steps.length >= 2) out.push([prefix(c, c.steps.length - 1), { k: S_CALL, name: '', a: i + 1, b: Math.min(match[i]!, ts.length) }]);
  }
  return out;
}
