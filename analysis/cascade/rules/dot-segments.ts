/**
 * Dot segments resolved before a behavioural spec matches a path (issue 3: data paths and
 * egress entries): `/data/../etc/shadow` is `/etc/shadow`, not a file under `/data/**`, and
 * `s3://corp-ckpt/x/../public/m.pt` reaches the `public/` prefix a deny entry names.
 *  - absolute local paths: POSIX lexical normalisation (`.` and empty segments dropped, `..`
 *    removes the previous segment, never above `/`; a trailing `/` kept), as path.posix.normalize;
 *    a `%` is an ordinary character of a file name there;
 *  - URL paths: RFC 3986 §6.2.2 percent-encoding normalisation first (escapes of unreserved
 *    characters decoded, so `%2e` is `.` and `%77eights` is `weights`; the other escapes' hex
 *    upper-cased), then §5.2.4 remove_dot_segments over the `/`-separated segments, empty
 *    segments kept (they are part of an object key); the query and fragment are left as they are.
 *    Last, `%2F` is read as a segment separator for matching (see `resolveUrlPath`).
 * Paths without a dot segment or a `%` are returned as they are, without allocating (the common case).
 */

import { hexDigit } from '../../core/hex-digit.js';

/** RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(c: number): boolean {
  const l = c | 32;
  return (l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126;
}

const HEX = '0123456789ABCDEF';

/** `%XX` escapes of the UTF-8 bytes of one code point (a lone surrogate as U+FFFD, as WHATWG URL). */
function utf8Escapes(cp: number): string {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  const b = (x: number) => `%${HEX[x >> 4]}${HEX[x & 15]}`;
  if (cp < 0x800) return b(0xc0 | (cp >> 6)) + b(0x80 | (cp & 63));
  if (cp < 0x10000) return b(0xe0 | (cp >> 12)) + b(0x80 | ((cp >> 6) & 63)) + b(0x80 | (cp & 63));
  return b(0xf0 | (cp >> 18)) + b(0x80 | ((cp >> 12) & 63)) + b(0x80 | ((cp >> 6) & 63)) + b(0x80 | (cp & 63));
}

/**
 * RFC 3986 §6.2.2.1–2: `%XX` of an unreserved character decoded, other escapes' hex digits
 * upper-cased (`%2f` is `%2F`, still not a `/`). With `encodeNonAscii`, a non-ASCII character is
 * written as the escapes of its UTF-8 bytes (WHATWG URL path serialisation), so `/模型` and
 * `/%E6%A8%A1%E5%9E%8B` are one spelling. `s` is returned as it is when there is nothing to change.
 */
export function normalisePercent(s: string, encodeNonAscii = false): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 || (encodeNonAscii && c >= 0x80)) break;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < s.length && hexDigit(s.charCodeAt(i + 1)) >= 0 && hexDigit(s.charCodeAt(i + 2)) >= 0) {
      const v = hexDigit(s.charCodeAt(i + 1)) * 16 + hexDigit(s.charCodeAt(i + 2));
      out += isUnreserved(v) ? String.fromCharCode(v) : `%${HEX[v >> 4]}${HEX[v & 15]}`;
      i += 2;
    } else if (encodeNonAscii && c >= 0x80) {
      const cp = s.codePointAt(i)!;
      out += utf8Escapes(cp);
      if (cp > 0xffff) i++;
    } else out += s[i];
  }
  return out;
}

/** A local absolute path resolved lexically (POSIX). */
function posixResolve(p: string): string {
  if (p.indexOf('/.') < 0 && p.indexOf('//') < 0) return p;
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return `/${out.join('/')}${out.length && p.endsWith('/') ? '/' : ''}`;
}

/** RFC 3986 §5.2.4 on literal `/` (empty segments kept) over a path whose escapes are normalised (`%2e` is already `.`). */
export function removeDotSegments(path: string): string {
  if (path.indexOf('/.') < 0) return path; // no dot segment: as it is
  const segs = path.split('/');
  // segs[0] is what precedes the first `/` (nothing, for a path).
  const out: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i]!;
    const last = i === segs.length - 1;
    if (s === '.') {
      if (last) out.push('');
    } else if (s === '..') {
      out.pop();
      if (last) out.push('');
    } else out.push(s);
  }
  return `${segs[0]}/${out.join('/')}`;
}

/** True when `s` holds a character at or above U+0080. */
function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return true;
  return false;
}

/**
 * The path of a URL (from its first `/`, query and fragment included) as path globs must see it:
 * escapes normalised (`normalisePercent`), dot segments removed, then every `%2F` read as `/`.
 * Why `%2F` last: RFC 3986 makes it data, not a separator, so it is not decoded before dot
 * segments are removed (`x/..%2Fy` holds no dot segment, and curl or a browser sends it as it
 * is); but object stores decode it into the key's `/` (S3's `public%2Fm.pt` is the object
 * `public/m.pt`), so a glob must see a separator there: otherwise `/public/**` would miss it, and
 * a `*` (one segment) would cover several (`/runs/*.pt` matching `runs/x%2F..%2Fm.pt`).
 */
export function resolveUrlPath(path: string, encodeNonAscii = false): string {
  if (path.indexOf('/.') < 0 && path.indexOf('%') < 0 && !(encodeNonAscii && hasNonAscii(path))) return path;
  let end = path.length;
  const q = path.indexOf('?');
  if (q >= 0) end = q;
  const h = path.indexOf('#');
  if (h >= 0 && h < end) end = h;
  let p = normalisePercent(path.slice(0, end), encodeNonAscii);
  if (p.indexOf('/.') >= 0) p = removeDotSegments(p);
  if (p.indexOf('%2F') >= 0) p = p.replaceAll('%2F', '/');
  return end === path.length ? p : p + path.slice(end);
}

/** A data path (`/local/path` or `scheme://authority/path`) as a spec's path globs must see it. */
export function resolveDataPath(p: string): string {
  if (p.charCodeAt(0) === 47) return posixResolve(p);
  const sep = p.indexOf('://');
  if (sep <= 0) return p;
  const slash = p.indexOf('/', sep + 3);
  if (slash < 0 || (p.indexOf('/.', slash) < 0 && p.indexOf('%', slash) < 0)) return p;
  const path = p.slice(slash);
  const resolved = resolveUrlPath(path);
  return resolved === path ? p : p.slice(0, slash) + resolved;
}
