/**
 * Interpreter code that hands a network socket to a shell: the reverse (and bind) shells of the
 * one-liner cheat sheets written in Python, Perl, Ruby, PHP, Node, Lua and awk (MITRE T1059 with
 * T1095), for MLS-RAY-015 through `attrs.exec.socketIo` (`shell <name>`, as exec-socket-io.ts
 * reads bash's `/dev/tcp` and `nc -e`). The code must open a network socket, and the names it
 * binds one to are followed (exec-interpreter-sockets.ts: `s = socket.socket()`, `c, a =
 * s.accept()`, `socket(S, …)`, `$c = IO::Socket::INET->new(…)`). Then any of:
 * - its own standard streams become the socket (`os.dup2(s.fileno(), 0)`, Perl `open(STDIN,
 *   ">&S")` / `STDIN->fdopen($c, r)`, Ruby `STDIN.reopen(c)`) and it runs a shell (`pty.spawn("sh")`,
 *   `subprocess.call(["/bin/sh", "-i"])`, `exec("/bin/sh -i")`) or a command known only at run
 *   time (`system $_ while <>`: the lines the peer sends);
 * - it gives the socket to a shell it starts as that shell's streams (`subprocess.call([…],
 *   stdin=s.fileno(), …)`, PHP `proc_open(…, [0 => $sock, …])`, Ruby `spawn(…, in: c)`, Node
 *   `s.pipe(sh.stdin)` / `sh.stdout.pipe(s)` or `stdio: [s, s, s]`);
 * - a shell line it runs duplicates a descriptor the line itself never opened onto the shell's
 *   streams (`exec("/bin/sh -i <&3 >&3 2>&3")`, `os.execute('sh <&3 >&3')`, Ruby `sprintf("sh
 *   <&%d >&%d", f, f)`): the socket the code opened, which the shell inherits;
 * - it runs a command (or code) known only at run time and reads from the socket (`IO.popen(c.gets)`,
 *   `exec(s.recv(4096))`, awk `s |& getline c; c |& getline`): the peer's commands run.
 * Whatever the socket's peer is, the shell's commands come from it (or its output goes to it):
 * no operator workflow through kubectl exec needs that. Code that opens a socket and runs a
 * spelled command beside it (a health check, then `sh /app/start.sh`) is none of these.
 * The value is the shell's base name, or the interpreter's language for a command loop.
 * PowerShell, read as statements rather than tokens, has its own test (`powerShellSocketShell`): a
 * .NET socket, then `iex` of what was read from it, or a shell started with redirected streams.
 * Bounded: one pass over the tokens (at most MAX_TOKENS, exec-interpreter-token.ts), MAX_NAMES
 * socket names (exec-interpreter-sockets.ts), MAX_LINES texts read as shell lines; never throws.
 */
import { baseName } from './exec-canonical.js';
import type { CallsRead } from './exec-interpreter-calls.js';
import { SHELLS } from './exec-interpreter-shells.js';
import { CodeSockets, isNamed, MAKERS, type FoundSockets } from './exec-interpreter-sockets.js';
import { HOLE, isOp, TK_NAME, TK_STR, type Lang, type Token } from './exec-interpreter-token.js';
import { eachRedirection } from './exec-decode-stage.js';
import { toolIndex } from './exec-wrappers.js';
import { readShellScript, shellBudget } from './shell-words.js';

/** Texts (run lines, string literals) read as shell lines. */
const MAX_LINES = 32;
/** Longer literals are not read as shell lines (a line a one-liner runs is short). */
const MAX_LINE_CHARS = 4096;

/** Methods and functions that read what a socket's peer sent, by language. */
const READS: Readonly<Record<Lang, ReadonlySet<string>>> = {
  python: new Set(['recv', 'recvfrom', 'recv_into', 'makefile', 'read', 'readline', 'readlines']),
  perl: new Set(['getline', 'getlines', 'recv', 'sysread', 'read']),
  ruby: new Set(['gets', 'read', 'recv', 'readline', 'readpartial', 'each_line', 'recvfrom', 'sysread']),
  php: new Set(['fgets', 'fread', 'fgetc', 'stream_get_line', 'stream_get_contents', 'socket_read', 'socket_recv']),
  js: new Set(['on', 'once']),
  lua: new Set(['receive']),
  awk: new Set(['getline']),
};
const STD_HANDLES = new Set(['STDIN', 'STDOUT', 'STDERR']);
const STD_STREAMS = new Set(['stdin', 'stdout', 'stderr']);
const RUBY_STREAMS = new Set(['in', 'out', 'err']);
/** Perl's dup open mode (`>&S`, `+<&=$c`): its handle. */
const PERL_DUP = /^\s*\+?[<>]{1,2}&=?\s*(\$?[A-Za-z_][\w:]*)\s*$/;

/**
 * `shell <name>` for `read` (the calls of code in `lang`, its tokens `ts`) when the code gives a
 * socket to a shell; else null. `found`: the code's sockets, when the caller found them already.
 */
export function socketShell(ts: readonly Token[], lang: Lang, read: CallsRead, found?: FoundSockets): string | null {
  try {
    return new SocketShell(ts, lang, found).judge(read);
  } catch {
    return null;
  }
}

class SocketShell extends CodeSockets {

  judge(read: CallsRead): string | null {
    if (!this.opens) return null;
    const shell = shellRun(read);
    const stdio = this.ownStreams();
    if (shell !== null && (stdio || this.childStreams())) return `shell ${shell}`;
    const inherited = this.inheritedDescriptor(read);
    if (inherited !== null) return `shell ${inherited}`;
    if (read.opaque === true && (stdio || this.readsSocket())) return `shell ${this.lang === 'js' ? 'node' : this.lang}`;
    return null;
  }

  /** Whether the code makes its own standard streams the socket. */
  private ownStreams(): boolean {
    const ts = this.ts;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (t.k !== TK_NAME) continue;
      if (this.lang === 'python' && t.v === 'dup2' && isOp(ts[i + 1], '(')) {
        // `os.dup2(s.fileno(), 0)`: the first argument names a socket.
        for (let k = i + 2; k < ts.length && !isOp(ts[k], ',') && !isOp(ts[k], ')'); k++) if (this.isSocket(ts[k]) || (ts[k]!.k === TK_NAME && MAKERS.python.has(ts[k]!.v))) return true;
      } else if (this.lang === 'perl' && t.v === 'open') {
        // `open(STDIN, ">&S")`, `open STDOUT, '>&', $c`.
        const k = isOp(ts[i + 1], '(') ? i + 2 : i + 1;
        if (!isNamed(ts[k]) || !STD_HANDLES.has(ts[k]!.v) || !isOp(ts[k + 1], ',')) continue;
        const mode = ts[k + 2];
        if (mode?.k !== TK_STR) continue;
        const dup = PERL_DUP.exec(mode.v);
        if (dup !== null && this.names.has(dup[1]!)) return true;
        if (/^\s*\+?[<>]{1,2}&=?\s*$/.test(mode.v) && isOp(ts[k + 3], ',') && this.isSocket(ts[k + 4])) return true;
      } else if ((this.lang === 'perl' && t.v === 'fdopen') || (this.lang === 'ruby' && t.v === 'reopen')) {
        // `STDIN->fdopen($c, r)`, `$~->fdopen($c, w)`, `STDIN.reopen(c)`.
        if (isOp(ts[i + 1], '(') && this.isSocket(ts[i + 2])) return true;
      }
    }
    return false;
  }

  /** Whether the code gives the socket to a child as its streams. */
  private childStreams(): boolean {
    const ts = this.ts;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      switch (this.lang) {
        case 'python':
          // `subprocess.call([…], stdin=s.fileno(), stdout=s, …)`.
          if (t.k === TK_NAME && STD_STREAMS.has(t.v) && isOp(ts[i + 1], '=') && this.isSocket(ts[i + 2])) return true;
          break;
        case 'ruby':
          // `spawn("sh", in: c, out: c)`, `spawn("sh", [:in, :out, :err] => c)`.
          if (t.k === TK_NAME && RUBY_STREAMS.has(t.v) && isOp(ts[i + 1], ':') && this.isSocket(ts[i + 2])) return true;
          if (isOp(t, '=>') && isOp(ts[i - 1], ']') && this.isSocket(ts[i + 1])) return true;
          break;
        case 'php':
          // `proc_open("/bin/sh -i", [0 => $sock, 1 => $sock, 2 => $sock], $pipes)`.
          if (t.k === TK_NAME && t.v === 'proc_open' && isOp(ts[i + 1], '(')) {
            for (let k = i + 2, depth = 0; k < ts.length && depth >= 0; k++) {
              if (isOp(ts[k], '(') || isOp(ts[k], '[')) depth++;
              else if (isOp(ts[k], ')') || isOp(ts[k], ']')) depth--;
              else if (this.isSocket(ts[k])) return true;
            }
          }
          break;
        case 'js':
          if (t.k === TK_NAME && t.v === 'pipe' && isOp(ts[i - 1], '.') && isOp(ts[i + 1], '(') && this.pipesShell(i)) return true;
          // `spawn('/bin/sh', [], { stdio: [s, s, s] })`.
          if (t.k === TK_NAME && t.v === 'stdio' && isOp(ts[i + 1], ':') && isOp(ts[i + 2], '[') && this.isSocket(ts[i + 3])) return true;
          break;
        default:
          break;
      }
    }
    return false;
  }

  /** `s.pipe(sh.stdin)` or `sh.stdout.pipe(s)` at the `pipe` name `i`. */
  private pipesShell(i: number): boolean {
    const ts = this.ts;
    const recv = ts[i - 2];
    const arg = ts[i + 2];
    if (this.isSocket(recv)) return isNamed(arg) && isOp(ts[i + 3], '.') && ts[i + 4]?.v === 'stdin';
    return this.isSocket(arg) && isOp(ts[i + 3], ')') && isNamed(recv) && (recv.v === 'stdout' || recv.v === 'stderr');
  }

  /** Whether the code reads what the socket's peer sends (`s.recv(…)`, `<$c>`, `fgets($sock)`, awk `s |& getline`). */
  private readsSocket(): boolean {
    const ts = this.ts;
    const reads = READS[this.lang];
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (!this.isSocket(t)) continue;
      const op = ts[i + 1];
      const name = ts[i + 2];
      // A method on the socket: `s.recv(`, `c.gets`, `$c->getline`, `t:receive()`, `s.on('data', …)`.
      if ((isOp(op, '.') || isOp(op, '->') || isOp(op, ':')) && isNamed(name) && reads.has(name.v)) {
        if (this.lang !== 'js' || (ts[i + 4]?.k === TK_STR && ts[i + 4]!.v === 'data')) return true;
      }
      // Perl `<$c>` / `<S>`; awk `s |& getline`.
      if (this.lang === 'perl' && isOp(ts[i - 1], '<') && isOp(op, '>')) return true;
      if (this.lang === 'awk' && isOp(op, '|&') && isNamed(name) && name.v === 'getline') return true;
      // A function given the socket: PHP `fgets($sock)`, Perl `sysread($c, …)`, `recv(S, …)`.
      if (isOp(ts[i - 1], '(') && isNamed(ts[i - 2]) && reads.has(ts[i - 2]!.v)) return true;
    }
    return false;
  }

  /**
   * The shell of a line the code runs (or, when it runs text known only at run time, of a string
   * it spells: `exec sprintf("sh <&%d", f)`) that takes its stdin or stdout from a descriptor the
   * line never opened: 3 and up, or one formatted in (`%d`, an interpolation).
   */
  private inheritedDescriptor(read: CallsRead): string | null {
    const texts: string[] = [];
    for (const r of read.runs) if (r.line !== null) texts.push(r.line);
    if (read.opaque === true) for (const t of this.ts) if (t.k === TK_STR) texts.push(t.v);
    for (let n = 0; n < texts.length && n < MAX_LINES; n++) {
      const text = texts[n]!;
      if (text.length > MAX_LINE_CHARS || text.indexOf('&') < 0) continue;
      const shell = inheritingShell(text);
      if (shell !== null) return shell;
    }
    return null;
  }
}

/** The base name of a shell the code runs (an argv's program, a line's first word), or null. */
function shellRun(read: CallsRead): string | null {
  for (const r of read.runs) {
    const first = r.argv !== null ? r.argv[0] : r.line?.trim().split(/[ \t]+/, 1)[0];
    if (first !== undefined && SHELLS.has(baseName(first))) return baseName(first);
  }
  return null;
}

/** .NET network sockets PowerShell code makes (`New-Object Net.Sockets.TCPClient(h, p)`, `[System.Net.Sockets.TcpListener]::new(p)`). */
const PS_SOCKET = /\b(?:system\.)?net\.sockets\.(?:tcpclient|tcplistener|socket|udpclient)\b/i;
/** Reads of what the peer sent: a stream's or a reader's Read / ReadLine, a socket's Receive. */
const PS_READS = /\.(?:read|readline|readtoend|readasync|readlineasync|receive)\s*\(/i;
/** Code made at run time from a variable's value: `[ScriptBlock]::Create($data)`. */
const PS_SCRIPTBLOCK = /\[(?:system\.management\.automation\.)?scriptblock\]::create\s*\(\s*\$/i;
/** A started process's standard streams redirected (ProcessStartInfo.RedirectStandardInput): the code pumps them to and from the socket. */
const PS_REDIRECT = /\.redirectstandard(?:input|output)\s*=\s*\$true/i;

/**
 * `shell <name>` for PowerShell `text` (its reading `read`) that opens a .NET network socket and
 * then runs what the peer sends — `iex` / `Invoke-Expression` of text known only at run time, or
 * a ScriptBlock made from a variable, with a read from the stream (the TCPClient one-liner of the
 * public cheat sheets, Nishang's Invoke-PowerShellTcp) — or starts a shell with its standard
 * streams redirected (to be pumped through the socket); else null.
 */
export function powerShellSocketShell(text: string, read: CallsRead): string | null {
  if (!PS_SOCKET.test(text)) return null;
  const shell = shellRun(read);
  if (shell !== null && PS_REDIRECT.test(text)) return `shell ${shell}`;
  if ((read.opaque === true || PS_SCRIPTBLOCK.test(text)) && PS_READS.test(text)) return 'shell powershell';
  return null;
}

/** The shell a shell line runs with its stdin or stdout duplicated from an inherited descriptor, or null. */
function inheritingShell(text: string): string | null {
  for (const cmd of readShellScript(text, shellBudget()).commands) {
    const t = toolIndex(cmd);
    const tool = t < cmd.length ? baseName(cmd[t]!) : '';
    if (!SHELLS.has(tool)) continue;
    let inherits = false;
    eachRedirection(cmd, t, (op, fd, to) => {
      if ((op !== '<&' && op !== '>&') || (fd !== '' && fd !== '0' && fd !== '1' && fd !== '2')) return;
      const n = /^\d{1,4}$/.test(to) ? Number(to) : -1;
      if (n >= 3 || /^%\d*[ds]$/.test(to) || (op === '<&' && (to.includes(HOLE) || to.startsWith('$')))) inherits = true;
    });
    if (inherits) return tool;
  }
  return null;
}
