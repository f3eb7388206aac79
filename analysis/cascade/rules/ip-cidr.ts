/**
 * IPv4/IPv6 addresses and CIDR blocks (RFC 4632, RFC 4291 text forms) for Sigma's `cidr` modifier
 * and egress allow/deny lists. Every address is held as eight 16-bit groups; IPv4 becomes the
 * IPv4-mapped form `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2), so `10.0.0.0/8` also matches a source IP
 * logged as `::ffff:10.1.2.3`.
 */

export type Ip16 = Uint16Array;

export interface Cidr {
  text: string;
  addr: Ip16;
  /** Prefix length in the 128-bit space. */
  bits: number;
}

function parseIpv4Into(s: string, out: Ip16, at: number): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  const b: number[] = [];
  for (const p of parts) {
    if (p.length === 0 || p.length > 3 || !/^\d+$/.test(p)) return false;
    const n = Number(p);
    if (n > 255) return false;
    b.push(n);
  }
  out[at] = (b[0]! << 8) | b[1]!;
  out[at + 1] = (b[2]! << 8) | b[3]!;
  return true;
}

/**
 * Parses an IPv4 or IPv6 address (brackets and `%zone` tolerated); null when it is not one. A
 * dotted quad is read in decimal, a leading zero included (`010.1.2.3` is 10.1.2.3): the reading
 * of CIDR entries in spec files and Sigma rules, and of logged source IPs. URL clients read such a
 * part in octal instead; egress destinations get both readings (egress-match.ts `destinationIp`).
 */
export function parseIp(text: string): Ip16 | null {
  let s = text.trim();
  if (s.length === 0 || s.length > 64) return null;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const out = new Uint16Array(8);
  if (s.indexOf(':') < 0) {
    out[5] = 0xffff;
    return parseIpv4Into(s, out, 6) ? out : null;
  }
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const headParts = head.length ? head.split(':') : [];
  const tailParts = tail.length ? tail.split(':') : [];
  const groups: number[] = [];
  const all = dbl >= 0 ? [...headParts, '::', ...tailParts] : headParts;
  let v4: string | null = null;
  const last = all[all.length - 1];
  if (last !== undefined && last.indexOf('.') >= 0) {
    v4 = last;
    all.pop();
  }
  const want = v4 ? 6 : 8;
  const explicit = all.filter((p) => p !== '::').length;
  for (const p of all) {
    if (p === '::') {
      const fill = want - explicit;
      if (fill < 1) return null;
      for (let i = 0; i < fill; i++) groups.push(0);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
    groups.push(parseInt(p, 16));
  }
  if (groups.length !== want) return null;
  for (let i = 0; i < want; i++) out[i] = groups[i]!;
  if (v4 && !parseIpv4Into(v4, out, 6)) return null;
  return out;
}

/**
 * The other spellings of an IPv4 address that URL parsers and resolvers accept (WHATWG URL "IPv4
 * parser", inet_aton): 1–4 parts, each decimal, `0x` hex or `0` octal, the last filling the
 * remaining bytes — `http://2852039166/`, `0xA9FEA9FE`, `0251.0376.0251.0376`, `169.254.43518`
 * are all 169.254.169.254, which a deny entry must catch. Null when `host` is not such a form.
 */
export function parseNumericIpv4(host: string): Ip16 | null {
  const c = host.charCodeAt(host.length - 1);
  if (!(c >= 48 && c <= 57) && !(c >= 97 && c <= 102) && c !== 120) return null;
  const parts = host.split('.');
  if (parts.length > 4) return null;
  let v = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    let n: number;
    if (/^0x[0-9a-f]*$/.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p.slice(1), 8);
    else if (/^(?:0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return null;
    const last = i === parts.length - 1;
    if (!Number.isFinite(n) || (!last && n > 255) || (last && n >= 256 ** (5 - parts.length))) return null;
    v = last ? v + n : v + n * 256 ** (3 - i);
  }
  const out = new Uint16Array(8);
  out[5] = 0xffff;
  out[6] = Math.floor(v / 65536);
  out[7] = v % 65536;
  return out;
}

/**
 * True when `host` has a part of two or more characters that starts with `0` followed by a digit
 * (`010.1.2.3`, `1.02.3.4`): a quad that decimal and octal readers may read differently. One
 * pass, no allocation: the test every destination IP pays before its one reading is taken.
 */
export function hasLeadingZeroPart(host: string): boolean {
  for (let i = 0; i + 1 < host.length; i++) {
    if (host.charCodeAt(i) !== 48 || (i > 0 && host.charCodeAt(i - 1) !== 46)) continue;
    const n = host.charCodeAt(i + 1);
    if (n >= 48 && n <= 57) return true;
  }
  return false;
}

/**
 * The decimal reading of a dotted quad whose parts may have any number of leading zeros
 * (`0010.1.2.3` is 10.1.2.3, as Java's InetAddress reads it): four parts of ASCII digits, each at
 * most 255. Null otherwise. `parseIp` takes at most three digits a part; a destination's decimal
 * reading does not stop there, so `0200.0.0.1` is 200.0.0.1 as well as the octal 128.0.0.1.
 */
export function decimalQuad(host: string): Ip16 | null {
  let v = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= host.length; i++) {
    const c = i < host.length ? host.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || ++parts > 4) return null;
      v = v * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (part > 255) return null;
      digits++;
    } else return null;
  }
  if (parts !== 4) return null;
  const out = new Uint16Array(8);
  out[5] = 0xffff;
  out[6] = Math.floor(v / 65536);
  out[7] = v % 65536;
  return out;
}

/** True when `a` and `b` are the same address. */
export function sameIp(a: Ip16, b: Ip16): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Parses `10.0.0.0/8`, `fd00::/8`, or a bare address (a /32 or /128). A spec's entry is the
 * defender's text and is read in decimal as `parseIp` reads it (`010.0.0.0/8` is 10.0.0.0/8);
 * only destinations, the attacker's text, are read both ways.
 */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const addr = parseIp(addrText);
  if (!addr) return null;
  const isV4 = addrText.indexOf(':') < 0;
  const max = isV4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    len = Number(p);
    if (len > max) return null;
  }
  return { text, addr, bits: isV4 ? 96 + len : len };
}

export function cidrContains(c: Cidr, ip: Ip16): boolean {
  let bits = c.bits;
  for (let i = 0; i < 8 && bits > 0; i++) {
    const take = bits >= 16 ? 16 : bits;
    const mask = take === 16 ? 0xffff : (0xffff << (16 - take)) & 0xffff;
    if ((c.addr[i]! & mask) !== (ip[i]! & mask)) return false;
    bits -= take;
  }
  return true;
}

/**
 * The last address `ipInAny` parsed (issue 3: L1 throughput): a `cidr` list compiles to one test
 * per block and several rules test the same source IP or destination host of one event, so the
 * same text comes back many times in a row. `parseIp` depends on the text alone, and the result
 * is only read.
 */
let lastText: string | null = null;
let lastIp: Ip16 | null = null;

/** True when `text` is an address inside any of `cidrs`. */
export function ipInAny(text: string, cidrs: readonly Cidr[]): boolean {
  if (text !== lastText) {
    lastIp = parseIp(text);
    lastText = text;
  }
  const ip = lastIp;
  if (!ip) return false;
  for (const c of cidrs) if (cidrContains(c, ip)) return true;
  return false;
}
