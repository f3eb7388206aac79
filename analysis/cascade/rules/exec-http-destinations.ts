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
 * - each option is one curl knows (curl-options.ts): an option not in the table, or one that
 *   changes where curl connects (a proxy, `--connect-to`, `--resolve`, a config file, `-L`
 *   following a redirect, `--next`), makes it `elsewhere`; an option's value (`-H 'Host: x'`,
 *   `-d@f`, `-XPOST`) is never read as a URL;
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
import { operandsOf } from './exec-decode-stage.js';
import { CURL_SWITCH_LONG, CURL_SWITCH_SHORT, CURL_VALUE_LONG, CURL_VALUE_SHORT } from './curl-options.js';

/**
 * curl's options that change where it connects: a proxy, a config file, a proxy's user or headers,
 * names resolved or connections redirected by hand, a local interface, variables a URL may expand,
 * following redirects, the next transfer's own options.
 */
const REDIRECTING_SHORT: ReadonlySet<string> = new Set(['x', 'K', 'U', 'L', ':']);
const REDIRECTING_LONG: ReadonlySet<string> = new Set(['config', 'proxy', 'proxy-user', 'proxy-header', 'resolve', 'connect-to', 'interface', 'variable']);

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
  // Its words without the redirections (`> out.json`, `2>&1`, `< body`): they move curl's input or output, not its connection.
  const ws = operandsOf(words.slice(0, to), from - 1, false)!;
  let urls = 0;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    if (w === '--') {
      // The rest are URLs.
      for (let j = i + 1; j < ws.length; j++) if (!LOOPBACK_URL.test(ws[j]!)) return false;
      return urls + (ws.length - i - 1) > 0;
    }
    if (w.startsWith('--')) {
      const name = w.slice(2);
      if (name === 'url') {
        if (i + 1 >= ws.length || !LOOPBACK_URL.test(ws[++i]!)) return false;
        urls++;
        continue;
      }
      if (REDIRECTING_LONG.has(name)) return false;
      if (CURL_VALUE_LONG.has(name)) {
        if (++i >= ws.length) return false;
      } else if (!CURL_SWITCH_LONG.has(name)) return false;
      continue;
    }
    if (w.length > 1 && w.charCodeAt(0) === 0x2d) {
      // A cluster of short options: a value-taking letter takes the rest of the word, else the next one.
      for (let k = 1; k < w.length; k++) {
        const f = w[k]!;
        if (REDIRECTING_SHORT.has(f)) return false;
        if (CURL_VALUE_SHORT.has(f)) {
          if (k === w.length - 1 && ++i >= ws.length) return false;
          break;
        }
        if (!CURL_SWITCH_SHORT.has(f)) return false;
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
    if (chain.some((c) => RELAYS.has(baseName(words[c]!)))) redirected = true;
    if (tool !== 'curl' && tool !== 'wget') continue;
    senders++;
    if (tool === 'wget' || chain[0] !== 0 || chain.slice(0, -1).some((c) => !PLAIN_WRAPPERS.has(baseName(words[c]!))) || !curlLoopbackOnly(words, t + 1, end)) {
      loopback = false;
    }
  }
  if (senders === 0) return NONE;
  return loopback && !redirected && !cutShort ? LOOPBACK : ELSEWHERE;
}
