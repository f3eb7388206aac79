/**
 * `attrs.exec.httpSendsTo` (event-fields.ts): where the curl and wget commands of an exec's reading
 * send what they send. An on-call engineer tests a model server from inside its pod with a request
 * body from a file (`curl -s -H 'Content-Type: application/json' -d @req.json localhost:8000/v1/completions`),
 * which MLS-EXFIL-014 reads as an upload; sent to the pod's own loopback it leaves the pod only if
 * something there relays it, so the rule escalates it rather than alerting (MLS-EXFIL-019).
 *
 * The values: `loopback` when every curl / wget command of the reading sends only to the pod's
 * loopback, `elsewhere` when any may send anywhere else, none when the reading runs neither.
 * `loopback` is said only when curl's own words prove it, read as curl reads them:
 * - redirections (`> out.json`, `2>&1`) are not curl's words;
 * - each option is one curl knows (OPTIONS): an option not in the table, or one that changes where
 *   curl connects (a proxy, `--connect-to`, `--resolve`, a config file, `-L` following a redirect,
 *   `--next`), makes it `elsewhere`; an option's value (`-H 'Host: x'`, `-d@f`, `-XPOST`) is never
 *   read as a URL;
 * - every URL operand (and `--url`'s value) names the loopback host itself: `localhost`,
 *   `127.x.x.x` or `[::1]`, with an optional http(s) scheme, user, port and path, and no curl glob
 *   in its host (`{localhost,evil}`); there is at least one;
 * - curl runs directly or under a wrapper that does not change where it connects (`sudo`, `timeout`,
 *   `nohup`…; not `env`, not `proxychains`), with no assignment before it (`http_proxy=… curl`);
 * - nothing else in the reading could carry the connection elsewhere: no word names a proxy, a
 *   curl config (`.curlrc`, `CURL_HOME`) or /etc/hosts, and no command runs a tunnel or relay
 *   (`ssh -L`, `socat`, `kubectl port-forward`, iptables), which would make a local port remote;
 * - wget is always `elsewhere` (its options are not tabled here), as is a reading cut short or one
 *   that ran text no word spells (MITRE T1027: what it ran is not all in the words).
 * Pure; bounded by the reading's own bounds; never throws.
 */
import { baseName } from './exec-canonical.js';
import { wrapperChain } from './exec-fetched-run.js';
import { isIoNumber } from './exec-decode-stage.js';
import { REDIRECTION_WORDS } from './shell-words.js';

/** curl's options (curl 8): `v` takes a value, `b` takes none, `x` changes where curl connects. */
type Kind = 'v' | 'b' | 'x';

const SHORT: Readonly<Record<string, Kind>> = {
  A: 'v', b: 'v', c: 'v', C: 'v', d: 'v', D: 'v', e: 'v', E: 'v', F: 'v', H: 'v', m: 'v', o: 'v', P: 'v', Q: 'v',
  r: 'v', t: 'v', T: 'v', u: 'v', w: 'v', X: 'v', y: 'v', Y: 'v', z: 'v',
  '0': 'b', '1': 'b', '2': 'b', '3': 'b', '4': 'b', '6': 'b', a: 'b', B: 'b', f: 'b', g: 'b', G: 'b', i: 'b', I: 'b',
  j: 'b', J: 'b', k: 'b', l: 'b', M: 'b', n: 'b', N: 'b', O: 'b', p: 'b', q: 'b', R: 'b', s: 'b', S: 'b', v: 'b', Z: 'b', '#': 'b',
  // A proxy, a config file, a proxy's user, following redirects, the next transfer's own options.
  x: 'x', K: 'x', U: 'x', L: 'x', ':': 'x',
};

const LONG_VALUE = [
  'data', 'data-ascii', 'data-binary', 'data-raw', 'data-urlencode', 'json', 'form', 'form-string', 'header', 'user-agent',
  'user', 'cookie', 'cookie-jar', 'output', 'output-dir', 'upload-file', 'request', 'max-time', 'connect-timeout', 'retry',
  'retry-delay', 'retry-max-time', 'write-out', 'referer', 'range', 'cert', 'cert-type', 'key', 'key-type', 'pass', 'cacert',
  'capath', 'ciphers', 'continue-at', 'dump-header', 'limit-rate', 'max-filesize', 'speed-limit', 'speed-time', 'trace',
  'trace-ascii', 'stderr', 'oauth2-bearer', 'time-cond', 'expect100-timeout', 'keepalive-time', 'max-redirs', 'tls-max',
  'create-file-mode', 'parallel-max', 'rate', 'url-query', 'aws-sigv4', 'unix-socket', 'abstract-unix-socket', 'telnet-option',
  'quote', 'ftp-port', 'etag-save', 'etag-compare', 'hsts', 'alt-svc', 'login-options', 'sasl-authzid', 'service-name',
];
const LONG_BOOLEAN = [
  'silent', 'show-error', 'fail', 'fail-with-body', 'fail-early', 'include', 'insecure', 'verbose', 'compressed', 'globoff',
  'http0.9', 'http1.0', 'http1.1', 'http2', 'http2-prior-knowledge', 'http3', 'no-buffer', 'no-keepalive', 'progress-bar',
  'remote-name', 'remote-name-all', 'remote-header-name', 'create-dirs', 'get', 'head', 'ipv4', 'ipv6', 'netrc', 'netrc-optional',
  'no-progress-meter', 'raw', 'tcp-nodelay', 'path-as-is', 'disable', 'retry-all-errors', 'retry-connrefused', 'tr-encoding',
  'styled-output', 'no-styled-output', 'show-headers', 'basic', 'digest', 'anyauth', 'ntlm', 'negotiate', 'tlsv1', 'tlsv1.0',
  'tlsv1.1', 'tlsv1.2', 'tlsv1.3', 'ssl', 'ssl-reqd', 'no-sessionid', 'no-alpn', 'no-npn', 'parallel', 'parallel-immediate',
  'remove-on-error', 'skip-existing', 'xattr', 'append', 'list-only', 'ignore-content-length', 'junk-session-cookies', 'use-ascii',
];
const LONG = new Map<string, Kind>([...LONG_VALUE.map((n) => [n, 'v'] as const), ...LONG_BOOLEAN.map((n) => [n, 'b'] as const)]);

/** Wrappers that run curl as it is: they change who runs it or when, not where it connects. */
const PLAIN_WRAPPERS = new Set(['sudo', 'doas', 'nohup', 'nice', 'ionice', 'timeout', 'stdbuf', 'setsid', 'time', 'command', 'builtin', 'exec', 'taskset']);

/** Tools that make a local port lead elsewhere (a forward, a relay, a NAT rule, a proxying wrapper). */
const RELAYS = new Set([
  'ssh', 'autossh', 'sshpass', 'socat', 'nc', 'ncat', 'netcat', 'kubectl', 'chisel', 'ngrok', 'frpc', 'stunnel', 'gost',
  'iptables', 'ip6tables', 'iptables-legacy', 'iptables-nft', 'nft', 'proxychains', 'proxychains4', 'torsocks', 'torify',
  'tsocks', 'redsocks', 'rinetd', 'haproxy', 'nginx', 'envoy', 'tor',
]);

/** A word that points curl (or the system) at a proxy, a curl config, or the hosts file. */
const REDIRECTING_WORD = /proxy|socks|curlrc|curl_home|\/etc\/hosts/i;

/** The loopback host itself, with an optional http(s) scheme, user, port and path. */
const LOOPBACK_URL = /^(?:https?:\/\/)?(?:[^@/?#\\\s{}[\]]*@)?(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(?::\d{1,5})?(?:[/?#][^\\\s]*)?$/i;

/** Whether curl's words [from, to) send only to the loopback host (see the header). */
function curlLoopbackOnly(words: readonly string[], from: number, to: number): boolean {
  let urls = 0;
  for (let i = from; i < to; i++) {
    const w = words[i]!;
    // A redirection (`> out.json`, `2>&1`, `< body`) moves curl's input or output, not its connection.
    if (isIoNumber(words, i)) {
      i += 2;
      continue;
    }
    if (REDIRECTION_WORDS.has(w)) {
      i++;
      continue;
    }
    if (w === '--') {
      // The rest are URLs.
      for (let j = i + 1; j < to; j++) if (!LOOPBACK_URL.test(words[j]!)) return false;
      return urls + (to - i - 1) > 0;
    }
    if (w.startsWith('--')) {
      const name = w.slice(2);
      if (name === 'url') {
        if (i + 1 >= to || !LOOPBACK_URL.test(words[++i]!)) return false;
        urls++;
        continue;
      }
      const kind = LONG.get(name);
      if (kind === undefined || kind === 'x') return false;
      if (kind === 'v' && ++i >= to) return false;
      continue;
    }
    if (w.length > 1 && w.charCodeAt(0) === 0x2d) {
      // A cluster of short options: a value-taking letter takes the rest of the word, else the next one.
      for (let k = 1; k < w.length; k++) {
        const kind = Object.hasOwn(SHORT, w[k]!) ? SHORT[w[k]!] : undefined;
        if (kind === undefined || kind === 'x') return false;
        if (kind === 'v') {
          if (k === w.length - 1 && ++i >= to) return false;
          break;
        }
      }
      continue;
    }
    if (!LOOPBACK_URL.test(w)) return false;
    urls++;
  }
  return urls > 0;
}

const LOOPBACK: readonly string[] = Object.freeze(['loopback']);
const ELSEWHERE: readonly string[] = Object.freeze(['elsewhere']);
const NONE: readonly string[] = Object.freeze([]);

/**
 * `attrs.exec.httpSendsTo` of a reading's commands (see the header): [] when no command runs curl
 * or wget; `cutShort`: the reading was truncated or ran text no word spells.
 */
export function httpSendsTo(commands: readonly (readonly string[])[], cutShort: boolean): readonly string[] {
  let senders = 0;
  let loopback = true;
  let redirected = false;
  for (const cmd of commands) {
    for (const w of cmd) if (REDIRECTING_WORD.test(w)) redirected = true;
    const { words, chain, end } = wrapperChain(cmd);
    if (chain.length === 0) continue;
    const t = chain[chain.length - 1]!;
    const tool = baseName(words[t]!);
    if (RELAYS.has(tool) || chain.some((c) => RELAYS.has(baseName(words[c]!)))) redirected = true;
    if (tool !== 'curl' && tool !== 'wget') continue;
    senders++;
    if (tool === 'wget' || chain[0] !== 0 || chain.slice(0, -1).some((c) => !PLAIN_WRAPPERS.has(baseName(words[c]!))) || !curlLoopbackOnly(words, t + 1, end)) {
      loopback = false;
    }
  }
  if (senders === 0) return NONE;
  return loopback && !redirected && !cutShort ? LOOPBACK : ELSEWHERE;
}
