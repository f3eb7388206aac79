/**
 * The readings of a URL path that a behavioural spec's lists are judged against (issue: one
 * destination, several servers). egress-match.ts and dot-segments.ts read a path one way; the
 * client or server that receives it may read it another, and the attacker picks the spelling. The
 * set of readings, all in one place (at most three, in this order):
 *  1. object store (the first reading, egress-match.ts / dot-segments.ts): unreserved escapes
 *     decoded, dot segments resolved on literal `/` only, then `%2F` a separator (S3 decodes it
 *     into the key's `/` and resolves nothing): `x/..%2Fy` is `x/../y`.
 *  2. decoding server: `%2F`, `%5C` and `\` are separators before dot segments are resolved
 *     (nginx decodes the path, then merges slashes and resolves `..`; IIS and Windows-backed
 *     stores read `\` as `/`): `x/..%2Fy` is `y`.
 *  3. literal key, for non-special schemes only (`s3://`, `gs://`, …, where aws-cli, gsutil and the
 *     SDKs take the key after the bucket as written): `%2F` is a character of its segment, so a
 *     glob's `*` spans it (`exports/*.pt` covers the object `exports/a%2Fm.pt`). Not for
 *     http(s)/ws(s)/ftp or scheme-less destinations: their server decodes the path (readings 1, 2).
 * Policy (spec-program.ts): a deny entry, or a data path whose glob does not allow the operation,
 * matches when ANY reading matches; an allow entry (egress allow, rate exemptions, permitted data
 * paths) counts only when EVERY reading matches. So a spelling can only add alerts that one
 * plausible reading justifies, and no reading lets a path out of a deny.
 * Cost: other readings exist only when the text holds `%` or `\` (without them every reading is
 * the first); they are computed once per event (spec-program.ts caches them) and deduplicated, and
 * null means "the first reading only" (no allocation on the common path).
 * Local absolute paths have one reading: POSIX, where `%` and `\` are characters of a file name.
 * A destination's host may have two IP readings besides (egress-match.ts `destinationIp`: `010.1.2.3`
 * is 10.1.2.3 or 8.1.2.3); spec-program.ts judges every path reading in each of them.
 */
import { isScheme, MAX_DESTINATION, SPECIAL_SCHEMES, type Destination } from './egress-match.js';
import { normalisePercent, removeDotSegments, resolveDataPath, resolveUrlPath } from './dot-segments.js';

/** Index of the first of `chars` in `s` from `from`, or -1. */
function firstOf(s: string, from: number, a: number, b: number, c: number, d: number): number {
  for (let i = from; i < s.length; i++) {
    const x = s.charCodeAt(i);
    if (x === a || x === b || x === c || x === d) return i;
  }
  return -1;
}

/** Reading 2's separators decoded: `%2F`, `%5C` and `\` as `/`. */
function decodedSeparators(p: string): string {
  return p.replace(/%2[Ff]|%5[Cc]|\\/g, '/');
}

/**
 * The readings 2 and 3 of a URL path (from its first `/`; a query or fragment is kept as it is)
 * that differ from `first` and from each other, or null. `special`: the scheme's server decodes the
 * path (no literal-key reading).
 */
export function otherUrlPathReadings(path: string, special: boolean, first: string): string[] | null {
  if (path.indexOf('%') < 0 && path.indexOf('\\') < 0) return null;
  let end = firstOf(path, 0, 63, 35, -1, -1);
  if (end < 0) end = path.length;
  const p = end === path.length ? path : path.slice(0, end);
  const rest = end === path.length ? '' : path.slice(end);
  let out: string[] | null = null;
  const dec = decodedSeparators(p);
  if (dec !== p) {
    const r = resolveUrlPath(dec, true) + rest;
    if (r !== first) out = [r];
  }
  if (!special && /%2f/i.test(p)) {
    const r = removeDotSegments(normalisePercent(p, true)) + rest;
    if (r !== first && (out === null || r !== out[0])) (out ??= []).push(r);
  }
  return out;
}

/** True when `s` holds a character at or above U+0080 from `from`. */
function hasNonAscii(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return true;
  return false;
}

/** Where a data path's URL path starts (`scheme://authority/…`), or -1 (a local or relative path). */
function urlPathStart(p: string): number {
  if (p.charCodeAt(0) === 47) return -1;
  const sep = p.indexOf('://');
  if (sep <= 0) return -1;
  return p.indexOf('/', sep + 3);
}

/**
 * The first reading of a data path: local absolute paths POSIX-resolved (dot-segments.ts); URL
 * paths as `resolveUrlPath` reads them, non-ASCII as UTF-8 escapes (the spelling the spec's URL
 * globs are brought to, `dataGlobReading`). `p` itself when there is nothing to change.
 */
export function firstDataPathReading(p: string): string {
  const slash = urlPathStart(p);
  if (slash < 0) return resolveDataPath(p);
  if (p.indexOf('/.', slash) < 0 && p.indexOf('%', slash) < 0 && !hasNonAscii(p, slash)) return p;
  const path = p.slice(slash);
  const r = resolveUrlPath(path, true);
  return r === path ? p : p.slice(0, slash) + r;
}

/** The other readings of a data path (URL paths only), beside `first` (`firstDataPathReading`), or null. */
export function otherDataPathReadings(p: string, first: string): string[] | null {
  const slash = urlPathStart(p);
  if (slash < 0 || (p.indexOf('%', slash) < 0 && p.indexOf('\\', slash) < 0)) return null;
  const scheme = p.slice(0, p.indexOf('://')).toLowerCase();
  const prefix = p.slice(0, slash);
  const more = otherUrlPathReadings(p.slice(slash), SPECIAL_SCHEMES.has(scheme), first.slice(prefix.length));
  if (more === null) return null;
  for (let i = 0; i < more.length; i++) more[i] = prefix + more[i]!;
  return more;
}

/**
 * A data-path glob in the spelling of the first reading (compiled once): URL globs' paths with
 * escapes normalised, non-ASCII as UTF-8 escapes and `%2F` as `/` (as egress-match.ts brings URL
 * entries), so `s3://b/模型/**` and `s3://b/%E6%A8%A1%E5%9E%8B/**` are one glob and `%7Eteam`
 * is `~team`; local globs as written (`%` is a character of a local file name).
 */
export function dataGlobReading(glob: string): string {
  const slash = urlPathStart(glob);
  if (slash < 0) return glob;
  return glob.slice(0, slash) + normalisePercent(glob.slice(slash), true).replaceAll('%2F', '/');
}

/**
 * The URL path of a destination as egress-match.ts `parseDestination` splits it (query and
 * fragment cut, `\` as `/` for special schemes), and whether its scheme is special; null when
 * it has none or is longer than MAX_DESTINATION.
 */
export function destinationUrlPath(text: string): { path: string; special: boolean } | null {
  let s = text.trim();
  let control = false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) control = true;
  if (control) {
    // WHATWG URL: outer C0 controls and spaces dropped, tabs and newlines removed anywhere.
    let a = 0;
    let b = s.length;
    while (a < b && s.charCodeAt(a) <= 0x20) a++;
    while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
    s = s.slice(a, b).replace(/[\t\n\r]/g, '');
  }
  if (s.length === 0 || s.length > MAX_DESTINATION) return null;
  let special = true;
  const colon = s.indexOf(':');
  if (colon > 0 && isScheme(s, colon)) {
    if (SPECIAL_SCHEMES.has(s.slice(0, colon).toLowerCase())) {
      let i = colon + 1;
      while (i < s.length && (s.charCodeAt(i) === 47 || s.charCodeAt(i) === 92)) i++;
      s = s.slice(i);
    } else if (s.startsWith('//', colon + 1)) {
      special = false;
      s = s.slice(colon + 3);
    }
  }
  const slash = firstOf(s, 0, 47, 63, 35, 92);
  if (slash < 0) return null;
  let end = firstOf(s, slash, 63, 35, -1, -1);
  if (end < 0) end = s.length;
  let path = s.slice(slash, end);
  if (special && path.indexOf('\\') >= 0) path = path.replaceAll('\\', '/');
  return { path, special };
}

/**
 * The other readings of a destination (`text`, parsed as `d`): `d` with another path, or null
 * when every reading is `d`'s. Checked against parseDestination: when this module's split of the
 * text does not give back `d.path` as the first reading, only `d` is read (never a reading of
 * another path).
 */
export function otherDestinationReadings(text: string, d: Destination): Destination[] | null {
  if (text.indexOf('%') < 0 && text.indexOf('\\') < 0) return null;
  const split = destinationUrlPath(text);
  if (split === null || resolveUrlPath(split.path, true) !== d.path) return null;
  const more = otherUrlPathReadings(split.path, split.special, d.path);
  if (more === null) return null;
  // The host's IP readings go with it (egress-match.ts `destinationIp`): each path reading is read with each.
  return more.map((path) => (d.ipText === undefined ? { scheme: d.scheme, host: d.host, path } : { scheme: d.scheme, host: d.host, path, ipText: d.ipText }));
}

/** True when an egress entry's match depends on the path (`scheme://host/glob`): only those see other readings. */
export function entryReadsPath(text: string): boolean {
  const sep = text.indexOf('://');
  if (sep <= 0) return false;
  const slash = text.indexOf('/', sep + 3);
  return slash >= 0 && slash < text.length - 1;
}
