/**
 * Where data is being sent, read generically from an upload destination or a command argument:
 * `s3://bucket/key` and friends (object stores: the bucket), `https://host/…` (the host), rclone's
 * `remote:bucket/path`, scp's `user@host:path`, and bare IP literals. "Public" means a host outside
 * the cluster's own names (`*.svc`, `*.cluster.local`, single-label names) and outside the private
 * address ranges (RFC 1918, RFC 4193, loopback, link-local, CGNAT RFC 6598).
 *
 * A host is keyed in the one spelling a client resolves, the one Layer 1's egress specs compare in
 * (cascade/rules/host-name.ts: WHATWG URL host parsing with UTS #46, curl's IDN retry), so another
 * spelling of the same place is neither a new (unfamiliar) destination nor a way around the
 * private-range test: `ｔｒａｎｓｆｅｒ．ｓｈ`, `%74ransfer.sh` and `transfer.sh.` are `transfer.sh`;
 * the WHATWG IPv4 parser's numeric forms (`0xA9FEA9FE`, `2852039166`, `0251.0376.0251.0376`,
 * `169.254.43518`) and full-width digits are the dotted address; an IPv6 literal is written as
 * RFC 5952 §4 prescribes, an IPv4-mapped one (`::ffff:a9fe:a9fe`) as its IPv4 address. A dotted
 * quad of decimal parts keeps its decimal reading (`010.1.2.3` is 10.1.2.3), as in ip-cidr.ts.
 * Pure-ASCII hosts without `%` (nearly all) are only lower-cased: the URL parser is not called.
 */
import { canonicalHost, stripTrailingDots } from '../cascade/rules/host-name.js';
import { hasLeadingZeroPart, parseIp, parseNumericIpv4, type Ip16 } from '../cascade/rules/ip-cidr.js';

export interface Destination {
  /** `bucket:<name>` or `host:<name>`, lower-case: the key destination prevalence is counted on. */
  key: string;
  /** True when the destination is a host on the public internet (not a bucket of unknown host). */
  publicHost: boolean;
}

/** Object-store URL schemes whose authority is a bucket / container, not a network host. */
const BUCKET_SCHEMES = new Set(['s3', 's3a', 's3n', 'gs', 'gcs', 'az', 'abfs', 'abfss', 'wasb', 'wasbs', 'r2', 'oss', 'cos', 'swift', 'hdfs', 'minio', 'b2']);
/** Longest text looked at: a destination is a URL, not a document. */
const MAX_TEXT = 2048;

/** Reads one destination from text, or null when the text does not name a remote place. */
export function parseDestination(raw: string): Destination | null {
  const text = raw.length > MAX_TEXT ? raw.slice(0, MAX_TEXT) : raw;
  const sep = text.indexOf('://');
  if (sep > 0 && sep <= 16) {
    const scheme = text.slice(0, sep).toLowerCase();
    const rest = text.slice(sep + 3);
    let end = rest.length;
    for (const c of ['/', '?', '#']) {
      const k = rest.indexOf(c);
      if (k >= 0 && k < end) end = k;
    }
    const authority = rest.slice(0, end);
    if (authority.length === 0) return null;
    if (BUCKET_SCHEMES.has(scheme)) return { key: `bucket:${authority.toLowerCase()}`, publicHost: false };
    if (scheme === 'file') return null;
    const host = hostOfAuthority(authority);
    return host ? hostDestination(host) : null;
  }
  if (text.startsWith('/') || text.startsWith('.') || text.startsWith('-')) return null;
  const colon = text.indexOf(':');
  if (colon > 0) {
    const before = text.slice(0, colon);
    const after = text.slice(colon + 1);
    const at = before.indexOf('@');
    // scp / rsync over ssh: `user@host:path`.
    if (at >= 0) {
      const host = nameHost(before.slice(at + 1));
      return host ? hostDestination(host) : null;
    }
    // rclone `remote:bucket/path`: the remote is configured elsewhere, the bucket is what we see.
    if (/^[A-Za-z][\w-]{0,63}$/.test(before) && !/^\d+$/.test(after.slice(0, 5))) {
      const slash = after.indexOf('/');
      const bucket = (slash >= 0 ? after.slice(0, slash) : after).toLowerCase();
      return bucket ? { key: `bucket:${bucket}`, publicHost: false } : { key: `host:${before.toLowerCase()}`, publicHost: false };
    }
  }
  // A bare IPv4 literal, with or without a port (`203.0.113.5:8443`). Of the ASCII numeric forms
  // only four-part ones count here: a lone number (`30`, `0x10`) is a command's argument far more
  // often than an address. (Full-width digits are no ordinary argument: read as the URL parser does.)
  const host = hostOfAuthority(text, true);
  if (host && parseIpv4(host) !== null) return hostDestination(host);
  return null;
}

function hostDestination(host: string): Destination {
  return { key: `host:${host}`, publicHost: isPublicHost(host) };
}

/**
 * Host of a URL authority (without userinfo, port and IPv6 brackets) in canonical spelling; null
 * when empty or not a host name. `bare` (text outside a URL): ASCII numeric IPv4 forms only when
 * they have four parts, no bracketed IPv6.
 */
function hostOfAuthority(authority: string, bare = false): string | null {
  let a = authority;
  const at = a.lastIndexOf('@');
  if (at >= 0) a = a.slice(at + 1);
  if (a.startsWith('[')) {
    if (bare) return null;
    const close = a.indexOf(']');
    return close > 1 ? ipv6Host(a.slice(1, close)) : null;
  }
  const colon = a.indexOf(':');
  if (colon >= 0) a = a.slice(0, colon);
  return nameHost(a, bare);
}

/** `nameHost` scan flags: an ASCII upper-case letter; a character no host name has; non-ASCII or `%`. */
const UPPER = 1;
const FORBIDDEN = 2;
const ESCAPED = 4;

/**
 * A host name (or IPv4 address) as a client resolves it (see the module comment), or null. For
 * ASCII without `%` canonicalHost only lower-cases and drops trailing dots (the URL parser would
 * reject any other character a host name cannot hold): done here without calling it.
 */
function nameHost(raw: string, bareNumbers = false): string | null {
  // Nearly every host is already lower-case ASCII: the regex (native code) settles it.
  if (LOWER_HOST.test(raw)) return numericHost(raw.charCodeAt(raw.length - 1) === 46 ? stripTrailingDots(raw) : raw, bareNumbers);
  let flags = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 95) continue;
    if (c >= 65 && c <= 90) flags |= UPPER;
    else if (c >= 0x80 || c === 37) flags |= ESCAPED;
    else flags |= FORBIDDEN;
  }
  let h: string;
  if (flags & ESCAPED) {
    h = canonicalHost(raw);
    if (!isHostName(h)) return null;
  } else {
    if (flags & FORBIDDEN) return null;
    h = stripTrailingDots(flags & UPPER ? raw.toLowerCase() : raw);
  }
  return numericHost(h, bareNumbers);
}

/** `h` (lower-case host characters) with a numeric IPv4 form as the dotted address; null when empty or too long. */
function numericHost(h: string, bareNumbers: boolean): string | null {
  if (h.length === 0 || h.length > 253) return null;
  if (parseIpv4(h) !== null || !endsInNumber(h)) return h;
  if (bareNumbers && dotCount(h) !== 3) return h;
  // WHATWG URL "ends in a number": the host is an IPv4 address in one of its numeric forms.
  const ip = parseNumericIpv4(h);
  return ip ? ipv4Text(ip) : h;
}

const LOWER_HOST = /^[a-z0-9._-]+$/;

function isHostName(s: string): boolean {
  return s.length > 0 && s.length <= 253 && LOWER_HOST.test(s);
}

/** URL Standard "ends in a number": the last label is decimal digits or `0x` and hex digits. */
function endsInNumber(h: string): boolean {
  const last = h.lastIndexOf('.') + 1;
  if (last >= h.length) return false;
  let c = h.charCodeAt(h.length - 1);
  if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || c === 120)) return false;
  let i = last;
  if (h.length - last >= 2 && h.charCodeAt(last) === 48 && h.charCodeAt(last + 1) === 120) {
    for (i = last + 2; i < h.length; i++) {
      c = h.charCodeAt(i);
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
    }
    return true;
  }
  for (; i < h.length; i++) {
    c = h.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function dotCount(s: string): number {
  let n = 0;
  for (let i = s.indexOf('.'); i >= 0; i = s.indexOf('.', i + 1)) n++;
  return n;
}

/** The dotted-decimal text of the IPv4 address in an IPv4-mapped Ip16. */
function ipv4Text(ip: Ip16): string {
  return `${ip[6]! >> 8}.${ip[6]! & 255}.${ip[7]! >> 8}.${ip[7]! & 255}`;
}

/** True for `::ffff:0:0/96` (RFC 4291 §2.5.5.2), ip-cidr.ts's form of every IPv4 address. */
function isMappedIpv4(ip: Ip16): boolean {
  return ip[0] === 0 && ip[1] === 0 && ip[2] === 0 && ip[3] === 0 && ip[4] === 0 && ip[5] === 0xffff;
}

/**
 * An IPv6 literal (inside brackets) as its one text: RFC 5952 §4 (lower-case, no leading zeros,
 * the longest run of two or more zero groups as `::`, the first on a tie), an IPv4-mapped
 * address as the IPv4 address it reaches. A zone (`%25eth0`) is dropped. Null when not an address.
 */
function ipv6Host(text: string): string | null {
  if (text.indexOf(':') < 0) return null;
  const ip = parseIp(text);
  if (ip === null) return null;
  if (isMappedIpv4(ip)) return ipv4Text(ip);
  return ipv6Text(ip);
}

function ipv6Text(ip: Ip16): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (ip[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && ip[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => {
    const parts: string[] = [];
    for (let i = from; i < to; i++) parts.push(ip[i]!.toString(16));
    return parts.join(':');
  };
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

/** True for a host outside the cluster's own names and the private address ranges. */
export function isPublicHost(host: string): boolean {
  const h = host.toLowerCase();
  const v4 = parseIpv4(h);
  if (v4 !== null) return !isPrivateIpv4(v4) || clientReadingIsPublic(h);
  if (h.indexOf(':') >= 0) return isPublicIpv6(h);
  if (h.indexOf('.') < 0) return false; // single-label: a Service name or a local host
  for (const suffix of INTERNAL_SUFFIXES) if (h.endsWith(suffix)) return false;
  return true;
}

/**
 * A dotted quad with a leading-zero part (`010.1.2.3`) is 10.1.2.3 in decimal, but URL clients,
 * curl and inet_aton read it in octal (8.1.2.3): data may leave the cluster when that reading is public.
 */
function clientReadingIsPublic(h: string): boolean {
  if (!hasLeadingZeroPart(h)) return false;
  const ip = parseNumericIpv4(h);
  return ip !== null && !isPrivateIpv4(ip[6]! * 65536 + ip[7]!);
}

const INTERNAL_SUFFIXES = ['.svc', '.cluster.local', '.svc.cluster.local', '.local', '.internal', '.localdomain', '.lan', '.home.arpa', 'localhost'];

/** True when an IP text (v4 or v6) is a public address. Non-IP text is not an address: false. */
export function isPublicIp(ip: string): boolean {
  const v4 = parseIpv4(ip);
  if (v4 !== null) return !isPrivateIpv4(v4);
  return ip.indexOf(':') >= 0 && isPublicIpv6(ip);
}

/** The address as an unsigned 32-bit number, or null. */
export function parseIpv4(s: string): number | null {
  if (s.length < 7 || s.length > 15) return null;
  let value = 0;
  let parts = 0;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || s.charCodeAt(i) === 46) {
      if (i === start || i - start > 3) return null;
      let n = 0;
      for (let k = start; k < i; k++) {
        const c = s.charCodeAt(k) - 48;
        if (c < 0 || c > 9) return null;
        n = n * 10 + c;
      }
      if (n > 255) return null;
      value = value * 256 + n;
      parts++;
      start = i + 1;
    }
  }
  return parts === 4 ? value : null;
}

function isPrivateIpv4(v: number): boolean {
  const a = Math.floor(v / 16777216);
  const b = Math.floor(v / 65536) % 256;
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/**
 * An IPv6 address text is public unless it is unspecified, loopback, unique-local (fc00::/7),
 * link-local (fe80::/10) or an IPv4-mapped private address; decided on the parsed groups, so
 * `0:0:0:0:0:0:0:1` and `::ffff:a9fe:a9fe` are what they are. Not an address: false.
 */
function isPublicIpv6(text: string): boolean {
  const ip = parseIp(text);
  if (ip === null) return false;
  if (isMappedIpv4(ip)) return !isPrivateIpv4(ip[6]! * 65536 + ip[7]!);
  let zero = true;
  for (let i = 0; i < 7; i++) if (ip[i] !== 0) zero = false;
  if (zero && (ip[7] === 0 || ip[7] === 1)) return false;
  const g = ip[0]!;
  return (g & 0xfe00) !== 0xfc00 && (g & 0xffc0) !== 0xfe80;
}
