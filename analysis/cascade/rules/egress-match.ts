/**
 * Egress destinations and allow/deny entries for behavioural specs. A destination (app event
 * `attrs.destination`) is a URL (`s3://bucket/key`, `https://host:443/path`), `host[:port][/path]`,
 * or an IP. An entry is one of:
 *   - a CIDR or bare IP (`10.0.0.0/8`, `fd00::/8`, `169.254.169.254`): matches IP destinations;
 *   - a URL pattern (`s3://ml-artifacts-*`, `gs://corp-exports/models/**`): same scheme, bucket/host
 *     glob, optional path glob (path-glob.ts);
 *   - a host glob (`*.svc.cluster.local`, `huggingface.co`): case-insensitive, port ignored.
 * Destinations and entries are brought to one spelling (host-name.ts: the host as a WHATWG URL
 * client resolves it; dot-segments.ts: the path), so an entry written either way matches a
 * destination written either way.
 */
import { parseCidr, cidrContains, parseIp, parseNumericIpv4, type Cidr, type Ip16 } from './ip-cidr.js';
import { compileNameGlob } from './wildcard.js';
import { compilePathGlob } from './path-glob.js';
import { normalisePercent, resolveUrlPath } from './dot-segments.js';
import { canonicalHost, canonicalHostGlob, stripTrailingDots } from './host-name.js';

export interface Destination {
  scheme: string | null;
  /** As a URL client resolves it: ASCII (punycode) when it is a valid domain, no trailing dot. */
  host: string;
  /** Query and fragment left out; escapes normalised, dot segments removed (dot-segments.ts). */
  path: string;
  /** The host as an IP address, parsed on first use by a CIDR entry (null: not an IP). */
  ip?: Ip16 | null;
}

/** Longer destinations keep only their scheme and host (no path). */
export const MAX_DESTINATION = 4096;
/** Schemes the WHATWG URL standard calls special (`file` aside): `\` is `/` in them, and any run of slashes or none may follow the colon. */
export const SPECIAL_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'ws', 'wss', 'ftp']);

/** True when `s.slice(0, end)` is a URL scheme (RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )). */
export function isScheme(s: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const l = c | 32;
    if (!(l >= 97 && l <= 122) && (i === 0 || !((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46))) return false;
  }
  return end > 0;
}

/** Index of the first `/`, `?`, `#` or `\` in `s` (where the authority ends), or -1. */
function authorityEnd(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35 || c === 92) return i;
  }
  return -1;
}

/**
 * The text as WHATWG URL parsing sees it: leading and trailing C0 controls and spaces dropped, and
 * ASCII tabs and newlines removed wherever they are (`https://ev\til.com` is evil.com to a browser).
 */
function urlText(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && text.charCodeAt(a) <= 0x20) a++;
  while (b > a && text.charCodeAt(b - 1) <= 0x20) b--;
  const s = a > 0 || b < text.length ? text.slice(a, b) : text;
  return s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 ? s.replace(/[\t\n\r]/g, '') : s;
}

/** `scan` flags: a C0 control; a `%` or a non-ASCII character (the path needs normalising). */
const CONTROL = 1;
const ESCAPED = 2;

/** One pass over the text for what sends it down a slow path (most destinations have neither). */
function scan(s: string): number {
  let f = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) f |= CONTROL;
    else if (c === 37 || c >= 0x80) f |= ESCAPED;
  }
  return f;
}

/** Index of the first of `?` and `#` in `s` from `from`, or `s.length`. */
function queryStart(s: string, from: number): number {
  let end = s.length;
  const q = s.indexOf('?', from);
  if (q >= 0) end = q;
  const h = s.indexOf('#', from);
  return h >= 0 && h < end ? h : end;
}

/**
 * Splits a destination into scheme, host (no port, no userinfo, no brackets, no trailing dot) and
 * path (dot segments removed, dot-segments.ts). Read as an HTTP client would, so a spec entry is
 * not bypassed by another spelling of the same place: the authority ends at `\` too (WHATWG URL:
 * `https://evil.example\@huggingface.co/` goes to evil.example), `https:evil.com` and
 * `https:///evil.com` are evil.com, `transfer.sh.` is the fully-qualified `transfer.sh`, and
 * `ｅｖｉｌ．ｃｏｍ` or `%65vil.com` is evil.com (host-name.ts). A destination longer than
 * MAX_DESTINATION keeps its scheme and host (a deny entry naming the host still matches) and an
 * empty path: only entries matching the bucket or host itself match it.
 */
export function parseDestination(text: string): Destination | null {
  let s = text.trim();
  const flags = scan(s);
  if (flags & CONTROL) s = urlText(s);
  if (s.length === 0) return null;
  const long = s.length > MAX_DESTINATION;
  if (long) s = s.slice(0, MAX_DESTINATION);
  let scheme: string | null = null;
  // Scheme-less destinations are read as http reads them.
  let special = true;
  const colon = s.indexOf(':');
  if (colon > 0 && isScheme(s, colon)) {
    const sc = s.slice(0, colon).toLowerCase();
    if (SPECIAL_SCHEMES.has(sc)) {
      scheme = sc;
      let i = colon + 1;
      while (i < s.length && (s.charCodeAt(i) === 47 || s.charCodeAt(i) === 92)) i++;
      s = s.slice(i);
    } else if (s.startsWith('//', colon + 1)) {
      scheme = sc;
      special = false;
      s = s.slice(colon + 3);
    }
  }
  let slash = authorityEnd(s);
  if (slash < 0) {
    // The authority may go on past the cut.
    if (long) return null;
    slash = s.length;
  }
  let authority = s.slice(0, slash);
  let path = '';
  if (!long && slash < s.length) {
    path = s.slice(slash, queryStart(s, slash));
    if (special && path.indexOf('\\') >= 0) path = path.replaceAll('\\', '/');
    if (flags & ESCAPED || path.indexOf('/.') >= 0) path = resolveUrlPath(path, true);
  }
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  let host: string;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return null;
    host = authority.slice(1, close);
  } else {
    const c = authority.indexOf(':');
    // A bare IPv6 address has several colons; host:port has one.
    host = c >= 0 && authority.indexOf(':', c + 1) < 0 ? authority.slice(0, c) : authority;
  }
  // Without `%` or non-ASCII there is nothing for the URL parser to change but case.
  host = flags & ESCAPED ? canonicalHost(host) : stripTrailingDots(host.toLowerCase());
  if (host.length === 0) return null;
  return { scheme, host, path };
}

export interface EgressEntry {
  text: string;
  matches(d: Destination): boolean;
}

/** A CIDR entry: IP destinations inside the block, in any spelling ip-cidr.ts reads. */
function cidrEntry(text: string, c: Cidr): EgressEntry {
  return {
    text,
    matches: (d) => {
      // Parsed once per destination, however many CIDR entries a list holds.
      const ip = d.ip === undefined ? (d.ip = parseIp(d.host) ?? parseNumericIpv4(d.host)) : d.ip;
      return ip !== null && cidrContains(c, ip);
    },
  };
}

const CIDR_TEXT = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/;

/**
 * Compiles one allow/deny entry; null when it is malformed. Host globs are brought to the
 * destinations' spelling (host-name.ts `canonicalHostGlob`: `*.ｅｘａｍｐｌｅ．ｃｏｍ`,
 * `bücher.de` and `xn--bcher-kva.de` each match either spelling), path globs likewise
 * (escapes normalised, non-ASCII as UTF-8 escapes, `%2F` as `/`).
 */
export function compileEgressEntry(text: string): EgressEntry | null {
  if (text.length === 0 || text.length > 1024) return null;
  const sep = text.indexOf('://');
  if (sep > 0) {
    const scheme = text.slice(0, sep).toLowerCase();
    const rest = text.slice(sep + 3);
    const slash = rest.indexOf('/');
    const hostGlob = canonicalHostGlob(slash < 0 ? rest : rest.slice(0, slash));
    const pathGlob = slash < 0 ? null : rest.slice(slash);
    if (!hostGlob) return null;
    const hostTest = compileNameGlob(hostGlob);
    const pathTest = pathGlob && pathGlob !== '/' ? compilePathGlob(normalisePercent(pathGlob, true).replaceAll('%2F', '/')) : null;
    return { text, matches: (d) => d.scheme === scheme && hostTest(d.host) && (!pathTest || pathTest(d.path)) };
  }
  if (CIDR_TEXT.test(text) && (text.includes('/') || parseIp(text))) {
    const c = parseCidr(text);
    return c ? cidrEntry(text, c) : null;
  }
  if (/[\s/]/.test(text)) return null;
  const host = canonicalHostGlob(text);
  if (!host) return null;
  // `１６９．２５４．１６９．２５４` is the address, in all its spellings.
  if (host !== text && CIDR_TEXT.test(host) && parseIp(host)) return cidrEntry(text, parseCidr(host)!);
  const hostTest = compileNameGlob(host);
  return { text, matches: (d) => hostTest(d.host) };
}

/** The first entry matching `d`, or null. */
export function firstMatch(entries: readonly EgressEntry[], d: Destination): EgressEntry | null {
  for (const e of entries) if (e.matches(d)) return e;
  return null;
}
