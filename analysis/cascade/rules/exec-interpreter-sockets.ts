/**
 * The network sockets interpreter code opens, and the names it binds them to, for the readings
 * of what the code does with them: handing one to a shell (exec-interpreter-socket-shell.ts),
 * sending a file over one (exec-interpreter-socket-send.ts). Per language: Python `socket.socket` /
 * `create_connection` / `.accept()`, Perl `socket(S, …)` and IO::Socket::*, Ruby TCPSocket /
 * Socket.tcp / TCPServer, PHP `fsockopen` / `stream_socket_client` / `socket_create`, Node `net` /
 * `tls` / `dgram` sockets, LuaSocket `socket.tcp()`, gawk's `/inet/tcp/…` special files; the names
 * followed are those an assignment binds (`s = socket.socket()`, `c, a = s.accept()`, `with … as
 * s`, `socket(S, …)`, `$c = IO::Socket::INET->new(…)`). Bounded: MAX_NAMES names; one pass over
 * the tokens, and at most MAX_BLOCK_SCAN tokens after each Ruby maker for its block's parameter
 * (`TCPSocket.open(h, p) { |s| … }`, `Socket.tcp(h, p) do |s| … end`).
 */
import { isNameOrVar, isOp, TK_NAME, TK_NL, TK_OP, TK_STR, type Lang, type Token } from './exec-interpreter-token.js';

/** Names bound to a socket, kept per code text. */
const MAX_NAMES = 16;
/** Tokens after a Ruby socket maker searched for the block it passes the socket to. */
const MAX_BLOCK_SCAN = 64;

/** Calls that make a network socket (or accept one), by language. */
export const MAKERS: Readonly<Record<Lang, ReadonlySet<string>>> = {
  python: new Set(['socket', 'create_connection', 'create_server', 'accept', 'fromfd', 'wrap_socket']),
  perl: new Set(['socket', 'accept', 'IO::Socket::INET', 'IO::Socket::INET6', 'IO::Socket::IP', 'IO::Socket::SSL']),
  ruby: new Set(['TCPSocket', 'TCPServer', 'UDPSocket', 'Socket', 'SSLSocket', 'OpenSSL::SSL::SSLSocket']),
  php: new Set(['fsockopen', 'pfsockopen', 'stream_socket_client', 'stream_socket_server', 'stream_socket_accept', 'socket_create', 'socket_accept']),
  js: new Set(['Socket', 'connect', 'createConnection', 'createServer']),
  lua: new Set(['tcp', 'tcp4', 'tcp6', 'udp', 'connect', 'bind']),
  awk: new Set(),
};

/** Node modules whose sockets reach the network. */
const NODE_NET = new Set(['net', 'tls', 'node:net', 'node:tls', 'dgram', 'node:dgram']);

export const isNamed = isNameOrVar;
/** A statement's edge: the name scan of an assignment stops there. */
const isEdge = (t: Token): boolean => t.k === TK_NL || (t.k === TK_OP && (t.v === ';' || t.v === '{' || t.v === '}'));

/** What a code text opens: whether any network socket (`opens`), and the names bound to one. */
export interface FoundSockets {
  readonly names: ReadonlySet<string>;
  readonly opens: boolean;
}

/** The sockets code `ts` in `lang` opens (see the header); one pass serves every reading of the code. */
export function findSockets(ts: readonly Token[], lang: Lang): FoundSockets {
  return new SocketFinder(ts, lang);
}

/** The base of the readings of what code does with its sockets: the tokens, the language and what findSockets found. */
export class CodeSockets {
  /** Names bound to a socket (Perl handles and `$vars`, PHP `$vars`, others' names). */
  protected readonly names: ReadonlySet<string>;
  protected readonly opens: boolean;

  constructor(
    protected readonly ts: readonly Token[],
    protected readonly lang: Lang,
    found: FoundSockets = findSockets(ts, lang),
  ) {
    this.names = found.names;
    this.opens = found.opens;
  }

  protected isSocket(t: Token | undefined): boolean {
    return isNamed(t) && this.names.has(t.v);
  }
}

class SocketFinder implements FoundSockets {
  readonly names = new Set<string>();
  opens = false;

  constructor(
    private readonly ts: readonly Token[],
    private readonly lang: Lang,
  ) {
    this.findSockets();
  }

  /** Whether the code opens a socket, and the names it binds one to. */
  private findSockets(): void {
    const ts = this.ts;
    const makers = MAKERS[this.lang];
    const nodeNet = this.lang === 'js' && ts.some((t) => t.k === TK_STR && NODE_NET.has(t.v));
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (this.lang === 'awk') {
        // gawk's network special file: the name it is assigned to, or the literal used in place.
        if (t.k === TK_STR && /^\/inet[46]?\/(tcp|udp)\//.test(t.v)) {
          this.opens = true;
          this.bind(i);
        }
        continue;
      }
      if (t.k !== TK_NAME || !makers.has(t.v)) continue;
      if (!this.isMaker(i, nodeNet)) continue;
      this.opens = true;
      this.bind(i);
      // Perl `socket(S, …)`, `accept(NEW, S)`: the handle is the first argument.
      if (this.lang === 'perl' && (t.v === 'socket' || t.v === 'accept') && isOp(ts[i + 1], '(')) {
        const h = isNamed(ts[i + 2]) && ts[i + 2]!.v === 'my' ? ts[i + 3] : ts[i + 2];
        if (isNamed(h)) this.add(h.v);
      }
    }
  }

  /** Whether the maker name at `i` is used as one (a call, a class, a module's function). */
  private isMaker(i: number, nodeNet: boolean): boolean {
    const ts = this.ts;
    const t = ts[i]!;
    const next = ts[i + 1];
    switch (this.lang) {
      case 'python':
      case 'php':
        return isOp(next, '(');
      case 'perl':
        return t.v.includes('::') || isOp(next, '(');
      case 'ruby':
        return isOp(next, '.') || isOp(next, '::');
      case 'js':
        return nodeNet && (isOp(ts[i - 1], '.') || (isNamed(ts[i - 1]) && ts[i - 1]!.v === 'new'));
      case 'lua':
        // LuaSocket: `socket.tcp()`, `socket.connect(h, p)`.
        return (isOp(ts[i - 1], '.') || isOp(ts[i - 1], ':')) && isNamed(ts[i - 2]) && ts[i - 2]!.v === 'socket';
      default:
        return false;
    }
  }

  /** The names the statement holding token `i` assigns (`s = …`, `c, a = …`, `with … as s`). */
  private bind(i: number): void {
    const ts = this.ts;
    let k = i - 1;
    let depth = 0;
    for (; k >= 0; k--) {
      const t = ts[k]!;
      if (t.k === TK_OP && (t.v === ')' || t.v === ']')) depth++;
      else if (t.k === TK_OP && (t.v === '(' || t.v === '[')) {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (isEdge(t) || (this.lang === 'js' && isOp(t, ',')))) break;
      else if (depth === 0 && isOp(t, '=')) {
        // The target, and (Python, Ruby, Perl, Lua lists) the names before it joined by commas.
        for (let j = k - 1; j >= 0 && isNamed(ts[j]); j -= 2) {
          this.add(ts[j]!.v);
          if (this.lang === 'js' || !isOp(ts[j - 1], ',')) break;
        }
        break;
      }
    }
    if (this.lang === 'ruby') this.blockParam(i);
    // `with socket.create_connection(a) as s:`, `… .accept() as (c, a)`.
    if (this.lang === 'python') {
      for (let j = i + 1; j < ts.length && !isEdge(ts[j]!) && !isOp(ts[j], ':'); j++) {
        if (isNamed(ts[j]) && ts[j]!.v === 'as') {
          for (let m = j + 1; m < ts.length && (isNamed(ts[m]) || isOp(ts[m], ',') || isOp(ts[m], '(')); m++) if (isNamed(ts[m])) this.add(ts[m]!.v);
          break;
        }
      }
    }
  }

  /**
   * The parameter of the block a Ruby maker's call passes its socket to: `TCPSocket.open(h, p) { |s|`,
   * `TCPSocket.new h, p do |s|`, `Socket.tcp(h, p) do |s|`. The call's arguments are stepped over (to
   * MAX_BLOCK_SCAN tokens); a statement's end before a block ends the search.
   */
  private blockParam(i: number): void {
    const ts = this.ts;
    const end = Math.min(ts.length, i + MAX_BLOCK_SCAN);
    let depth = 0;
    for (let k = i + 1; k < end; k++) {
      const t = ts[k]!;
      if (t.k === TK_OP && (t.v === '(' || t.v === '[')) depth++;
      else if (t.k === TK_OP && (t.v === ')' || t.v === ']')) {
        if (--depth < 0) return;
      } else if (depth > 0) continue;
      else if ((isOp(t, '{') || (t.k === TK_NAME && t.v === 'do')) && isOp(ts[k + 1], '|')) {
        if (isNamed(ts[k + 2]) && (isOp(ts[k + 3], '|') || isOp(ts[k + 3], ','))) this.add(ts[k + 2]!.v);
        return;
      } else if (isEdge(t)) return;
    }
  }

  private add(name: string): void {
    if (this.names.size < MAX_NAMES && name !== 'my' && name !== 'local' && name !== 'var' && name !== 'let' && name !== 'const') this.names.add(name);
  }
}
