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
 * IP readings (`destinationIp`): a dotted quad with a leading-zero part (`010.1.2.3`) is 10.1.2.3
 * to a decimal reader (ip-cidr.ts `parseIp`, Java) and 8.1.2.3 to WHATWG URL parsers, curl and
 * glibc inet_aton (octal). A destination keeps both; `firstMatchAnyIp` (a deny: either reading)
 * and `everyIpMatches` (an allow or exemption: every reading) apply path-readings.ts's policy to
 * them. CIDR entries themselves are read in decimal (ip-cidr.ts `parseCidr`).
 */
import { parseCidr, cidrContains, decimalQuad, hasLeadingZeroPart, parseIp, parseNumericIpv4, sameIp, type Cidr, type Ip16 } from './ip-cidr.js';
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
  /** The host as an IP address in its first reading, parsed on first use by a CIDR entry (null: not an IP; `destinationIp`). */
  ip?: Ip16 | null;
  /** The other reading of an ambiguous dotted quad, set with `ip` (null: none). */
  ipOther?: Ip16 | null;
  /**
   * The dotted quad `host` was spelled as when the URL parser made an address of it (`０１０.1.2.3`
   * is `010.1.2.3`, host 8.1.2.3): the IP readings are taken from it. Absent for nearly every host.
   */
  ipText?: string;
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
  if (!(flags & ESCAPED)) host = stripTrailingDots(host.toLowerCase());
  else {
    const raw = host;
    host = canonicalHost(raw);
    const ipText = decimalQuad(host) !== null ? spelledQuad(raw) : null;
    if (ipText !== null) return { scheme, host, path, ipText };
  }
  if (host.length === 0) return null;
  return { scheme, host, path };
}

/**
 * The text the URL parser read `raw` as before its IPv4 parser made an address of it, when that
 * text is a dotted quad with a leading-zero part (`０１０．１．２．３` and `%30%31%30.1.2.3` are
 * `010.1.2.3`, which it reads as 8.1.2.3), else null: so each spelling of a quad has the readings
 * of the quad. A label after the last (`.x`) keeps the parser from reading an address ("ends in a
 * number" fails): the host is mapped and decoded as before (host-name.ts) and left as text.
 */
function spelledQuad(raw: string): string | null {
  const t = canonicalHost(`${raw}.x`);
  if (!t.endsWith('.x')) return null;
  const q = stripTrailingDots(t.slice(0, -2));
  return hasLeadingZeroPart(q) && decimalQuad(q) !== null ? q : null;
}

/**
 * The address `d` names in its first reading, or null when its host is none; sets `d.ip` and
 * `d.ipOther` on first use. A dotted quad with a leading-zero part (`hasLeadingZeroPart`) is read
 * in decimal (`decimalQuad`) and as WHATWG URL parsers read it (`parseNumericIpv4`: the part in
 * octal): the decimal reading first, the other kept in `d.ipOther` when both are addresses and
 * differ; when only one is an address (`0251.0376.0251.0376`, `09.1.2.3`), that one alone. Any
 * other host (nearly all: one scan for a leading zero) is read as before: `parseIp`, else the WHATWG
 * numeric forms (`0xA9FEA9FE`, `169.254.43518`, `010.1.2`), one reading.
 */
export function destinationIp(d: Destination): Ip16 | null {
  if (d.ip !== undefined) return d.ip;
  const h = d.ipText ?? d.host;
  let ip: Ip16 | null;
  let other: Ip16 | null = null;
  if (!hasLeadingZeroPart(h)) ip = parseIp(h) ?? parseNumericIpv4(h);
  else {
    const dec = decimalQuad(h);
    const url = parseNumericIpv4(h);
    // parseIp: an IPv6 literal's embedded quad (`::ffff:010.1.2.3`), which URL parsers reject.
    ip = dec ?? parseIp(h) ?? url;
    if (dec !== null && url !== null && !sameIp(dec, url)) other = url;
  }
  d.ipOther = other;
  return (d.ip = ip);
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
      const ip = d.ip === undefined ? destinationIp(d) : d.ip;
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

/** The first entry matching `d`, or null (`d` in its first IP reading). */
export function firstMatch(entries: readonly EgressEntry[], d: Destination): EgressEntry | null {
  for (const e of entries) if (e.matches(d)) return e;
  return null;
}

/** `d` in its other IP reading (same scheme, host and path). */
function otherIpReading(d: Destination, other: Ip16): Destination {
  return { scheme: d.scheme, host: d.host, path: d.path, ip: other, ipOther: null };
}

/**
 * The first entry matching `d` in either IP reading, or null (a deny). `d.ipOther` is known once a
 * CIDR entry has read the address: when none matched, every entry was tried, so a list with a CIDR
 * entry has read it, and a list without one reads both alike. Unambiguous hosts: `firstMatch`.
 */
export function firstMatchAnyIp(entries: readonly EgressEntry[], d: Destination): EgressEntry | null {
  const m = firstMatch(entries, d);
  const other = d.ipOther;
  return m !== null || !other ? m : firstMatch(entries, otherIpReading(d, other));
}

/**
 * True when `d` in every IP reading matches an entry (an allow or a rate exemption). If an entry
 * matched before any CIDR entry read the address, that entry reads the host or path, the same in
 * both readings.
 */
export function everyIpMatches(entries: readonly EgressEntry[], d: Destination): boolean {
  if (firstMatch(entries, d) === null) return false;
  const other = d.ipOther;
  return !other || firstMatch(entries, otherIpReading(d, other)) !== null;
}
