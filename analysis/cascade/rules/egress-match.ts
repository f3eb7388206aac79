/**
 * Egress destinations and allow/deny entries for behavioural specs. A destination (app event
 * `attrs.destination`) is a URL (`s3://bucket/key`, `https://host:443/path`), `host[:port][/path]`,
 * or an IP. An entry is one of:
 *   - a CIDR or bare IP (`10.0.0.0/8`, `fd00::/8`, `169.254.169.254`): matches IP destinations;
 *   - a URL pattern (`s3://ml-artifacts-*`, `gs://corp-exports/models/**`): same scheme, bucket/host
 *     glob, optional path glob (path-glob.ts);
 *   - a host glob (`*.svc.cluster.local`, `huggingface.co`): case-insensitive, port ignored.
 */
import { parseCidr, cidrContains, parseIp, parseNumericIpv4, type Cidr, type Ip16 } from './ip-cidr.js';
import { compileNameGlob } from './wildcard.js';
import { compilePathGlob } from './path-glob.js';
import { resolveUrlPath } from './dot-segments.js';

export interface Destination {
  scheme: string | null;
  host: string;
  path: string;
  /** The host as an IP address, parsed on first use by a CIDR entry (null: not an IP). */
  ip?: Ip16 | null;
}

const MAX_DESTINATION = 4096;

/**
 * Splits a destination into scheme, host (no port, no userinfo, no brackets, no trailing dot) and
 * path (dot segments removed, dot-segments.ts). Read as an HTTP client would, so a spec entry is
 * not bypassed by another spelling of the same place: the authority ends at `\` too (WHATWG URL:
 * `https://evil.example\@huggingface.co/` goes to evil.example), and `transfer.sh.` is the
 * fully-qualified `transfer.sh`.
 */
export function parseDestination(text: string): Destination | null {
  let s = text.trim();
  if (s.length === 0 || s.length > MAX_DESTINATION) return null;
  let scheme: string | null = null;
  const sep = s.indexOf('://');
  if (sep > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(s.slice(0, sep))) {
    scheme = s.slice(0, sep).toLowerCase();
    s = s.slice(sep + 3);
  }
  let slash = s.search(/[/?#\\]/);
  if (slash < 0) slash = s.length;
  let authority = s.slice(0, slash);
  const path = resolveUrlPath(s.slice(slash));
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  let host: string;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return null;
    host = authority.slice(1, close);
  } else {
    const colon = authority.indexOf(':');
    // A bare IPv6 address has several colons; host:port has one.
    host = colon >= 0 && authority.indexOf(':', colon + 1) < 0 ? authority.slice(0, colon) : authority;
  }
  let end = host.length;
  while (end > 0 && host.charCodeAt(end - 1) === 46) end--;
  if (end === 0) return null;
  return { scheme, host: (end === host.length ? host : host.slice(0, end)).toLowerCase(), path };
}

export interface EgressEntry {
  text: string;
  matches(d: Destination): boolean;
}

/** Compiles one allow/deny entry; null when it is malformed. */
export function compileEgressEntry(text: string): EgressEntry | null {
  if (text.length === 0 || text.length > 1024) return null;
  const sep = text.indexOf('://');
  if (sep > 0) {
    const scheme = text.slice(0, sep).toLowerCase();
    const rest = text.slice(sep + 3);
    const slash = rest.indexOf('/');
    const hostGlob = slash < 0 ? rest : rest.slice(0, slash);
    const pathGlob = slash < 0 ? null : rest.slice(slash);
    if (!hostGlob) return null;
    const hostTest = compileNameGlob(hostGlob);
    const pathTest = pathGlob && pathGlob !== '/' ? compilePathGlob(pathGlob) : null;
    return { text, matches: (d) => d.scheme === scheme && hostTest(d.host) && (!pathTest || pathTest(d.path)) };
  }
  if (/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(text) && (text.includes('/') || parseIp(text))) {
    const c: Cidr | null = parseCidr(text);
    if (!c) return null;
    return {
      text,
      matches: (d) => {
        // Parsed once per destination, however many CIDR entries a list holds.
        const ip = d.ip === undefined ? (d.ip = parseIp(d.host) ?? parseNumericIpv4(d.host)) : d.ip;
        return ip !== null && cidrContains(c, ip);
      },
    };
  }
  if (/[\s/]/.test(text)) return null;
  const hostTest = compileNameGlob(text);
  return { text, matches: (d) => hostTest(d.host) };
}

/** The first entry matching `d`, or null. */
export function firstMatch(entries: readonly EgressEntry[], d: Destination): EgressEntry | null {
  for (const e of entries) if (e.matches(d)) return e;
  return null;
}
