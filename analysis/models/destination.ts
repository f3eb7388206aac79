/**
 * Where data is being sent, read generically from an upload destination or a command argument:
 * `s3://bucket/key` and friends (object stores: the bucket), `https://host/…` (the host), rclone's
 * `remote:bucket/path`, scp's `user@host:path`, and bare IP literals. "Public" means a host outside
 * the cluster's own names (`*.svc`, `*.cluster.local`, single-label names) and outside the private
 * address ranges (RFC 1918, RFC 4193, loopback, link-local, CGNAT RFC 6598).
 */

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
    return host ? { key: `host:${host}`, publicHost: isPublicHost(host) } : null;
  }
  if (text.startsWith('/') || text.startsWith('.') || text.startsWith('-')) return null;
  const colon = text.indexOf(':');
  if (colon > 0) {
    const before = text.slice(0, colon);
    const after = text.slice(colon + 1);
    const at = before.indexOf('@');
    // scp / rsync over ssh: `user@host:path`.
    if (at >= 0) {
      const host = before.slice(at + 1).toLowerCase();
      return host && isHostName(host) ? { key: `host:${host}`, publicHost: isPublicHost(host) } : null;
    }
    // rclone `remote:bucket/path`: the remote is configured elsewhere, the bucket is what we see.
    if (/^[A-Za-z][\w-]{0,63}$/.test(before) && !/^\d+$/.test(after.slice(0, 5))) {
      const slash = after.indexOf('/');
      const bucket = (slash >= 0 ? after.slice(0, slash) : after).toLowerCase();
      return bucket ? { key: `bucket:${bucket}`, publicHost: false } : { key: `host:${before.toLowerCase()}`, publicHost: false };
    }
  }
  // A bare IP literal, with or without a port (`203.0.113.5:8443`).
  const host = hostOfAuthority(text);
  if (host && parseIpv4(host) !== null) return { key: `host:${host}`, publicHost: isPublicHost(host) };
  return null;
}

/** Host of a URL authority: without userinfo, port and IPv6 brackets; null when empty. */
function hostOfAuthority(authority: string): string | null {
  let a = authority;
  const at = a.lastIndexOf('@');
  if (at >= 0) a = a.slice(at + 1);
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    return close > 1 ? a.slice(1, close).toLowerCase() : null;
  }
  const colon = a.indexOf(':');
  if (colon >= 0) a = a.slice(0, colon);
  a = a.toLowerCase();
  return a.length > 0 && isHostName(a) ? a : null;
}

function isHostName(s: string): boolean {
  return s.length <= 253 && /^[a-z0-9._-]+$/.test(s);
}

/** True for a host outside the cluster's own names and the private address ranges. */
export function isPublicHost(host: string): boolean {
  const h = host.toLowerCase();
  const v4 = parseIpv4(h);
  if (v4 !== null) return !isPrivateIpv4(v4);
  if (h.indexOf(':') >= 0) return isPublicIpv6(h);
  if (h.indexOf('.') < 0) return false; // single-label: a Service name or a local host
  for (const suffix of INTERNAL_SUFFIXES) if (h.endsWith(suffix)) return false;
  return true;
}

const INTERNAL_SUFFIXES = ['.svc', '.cluster.local', '.svc.cluster.local', '.local', '.internal', '.localdomain', '.lan', '.home.arpa', 'localhost'];

/** True when an IP text (v4 or v6) is a public address. Non-IP text is not an address: false. */
export function isPublicIp(ip: string): boolean {
  const v4 = parseIpv4(ip);
  if (v4 !== null) return !isPrivateIpv4(v4);
  return ip.indexOf(':') >= 0 && isPublicIpv6(ip.toLowerCase());
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

function isPublicIpv6(h: string): boolean {
  if (h === '::1' || h === '::') return false;
  if (h.startsWith('::ffff:')) {
    const v4 = parseIpv4(h.slice(7));
    return v4 !== null && !isPrivateIpv4(v4);
  }
  return !(h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe8') || h.startsWith('fe9') || h.startsWith('fea') || h.startsWith('feb'));
}
