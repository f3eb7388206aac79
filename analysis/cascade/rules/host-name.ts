/**
 * A host name brought to the one spelling a client resolves (issue: egress evasions), so that a
 * spec's deny entry is not bypassed by another spelling of the same name:
 *  - WHATWG URL host parsing (URL Standard §3.5 "host parsing"): percent-decoding (`%65vil.com`),
 *    then UTS #46 ToASCII, non-transitional (width and case folding: `ｅｖｉｌ．ｃｏｍ`, `ÉVIL`;
 *    the ideographic full stops `。` `．` `｡` as label separators; default ignorables such as
 *    the soft hyphen dropped; IDN labels to punycode: `bücher.de` is `xn--bcher-kva.de`), then
 *    the IPv4 parser (`１６９．２５４．１６９．２５４`). `new URL` does exactly this in Node and in
 *    browsers, so this module stays runtime-neutral.
 *  - curl with libidn2 (lib/idn.c) retries a name that non-transitional processing rejects with
 *    TR46 transitional processing, which drops ZWJ/ZWNJ and maps `ß`→`ss`, `ς`→`σ`: `e\u200Dvil.com`,
 *    which WHATWG rejects, reaches evil.com there. The same retry is made here.
 *  - a trailing dot is the fully-qualified form of the same name: dropped.
 * A host the URL parser rejects stays as written, lower-cased (no client reaches a name through
 * it). Pure ASCII without `%` (nearly every host) takes a fast path: lower-case only.
 */

import { hexDigit } from '../../core/hex-digit.js';

/**
 * Longest host handed to the URL parser as it is: UTS #46 punycode is quadratic in a label's
 * length (a 4000-character label costs ~17 ms). A longer host is first reduced (`reducedHost`).
 */
const MAX_URL_HOST = 512;

/** Code points UTS #46 maps to nothing (IdnaMappingTable status `ignored`; checked against `new URL` by host-name.test.ts). */
export const IDNA_IGNORED = /[\u00AD\u034F\u180B-\u180D\u180F\u200B\u2060\u2064\uFE00-\uFE0F\uFEFF]|\uD82F[\uDCA0-\uDCA3]|\uDB40[\uDD00-\uDDEF]/g;

/** The TR46 deviation characters, read differently by transitional processing. */
const DEVIATION = /[\u00DF\u03C2\u200C\u200D]/;

/**
 * ASCII characters that end a host or are forbidden in one (URL Standard "forbidden domain code
 * point", plus `%` once decoded): a host still holding one is not handed to the parser, which
 * would read it as another part of the URL (`a/b` is host `a`) instead of rejecting it.
 */
function isDelimiter(c: number): boolean {
  return c <= 0x20 || c === 0x7f || c === 35 || c === 37 || c === 47 || c === 58 || c === 60 || c === 62 || c === 63 || c === 64 || c === 91 || c === 92 || c === 93 || c === 94 || c === 124;
}

/** `h` without its trailing dots (the fully-qualified form of the same name). */
export function stripTrailingDots(h: string): string {
  let end = h.length;
  while (end > 0 && h.charCodeAt(end - 1) === 46) end--;
  return end === h.length ? h : h.slice(0, end);
}

/** True when every character is printable ASCII other than `%`: nothing for the URL parser to change but case. */
function isPlainAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 37) return false;
  }
  return true;
}

const utf8Encoder = new TextEncoder();
/** WHATWG "UTF-8 decode without BOM": invalid bytes as U+FFFD, a leading BOM kept. */
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A long host percent-decoded and UTF-8 decoded as the URL parser would (invalid bytes as
 * U+FFFD, a BOM kept), with the code points UTS #46 ignores removed: what is left is what ToASCII
 * works on. Null when it still holds a delimiter (the parser would reject the host) or is still
 * longer than MAX_URL_HOST: kept as written then (even composed 3:1, as Hangul jamo are, that is
 * over 170 code points: not a name a spec lists, and past 253 octets for nearly every spelling).
 */
function reducedHost(host: string): string | null {
  const bytes = utf8Encoder.encode(host);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 37 && i + 2 < bytes.length) {
      const hi = hexDigit(bytes[i + 1]!);
      const lo = hexDigit(bytes[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        bytes[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    bytes[n++] = b;
  }
  const r = utf8Decoder.decode(bytes.subarray(0, n)).replace(IDNA_IGNORED, '');
  if (r.length > MAX_URL_HOST) return null;
  for (let i = 0; i < r.length; i++) if (isDelimiter(r.charCodeAt(i))) return null;
  return r;
}

/** The URL parser's host for `host`, or null when it rejects it. */
function parsedHostname(host: string): string | null {
  try {
    // The `/` keeps a trailing C0 control inside the host, where the parser rejects it.
    return new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
}

/** WHATWG host parsing of `host` (with curl's transitional retry), or null when both reject it. */
function urlHostname(host: string): string | null {
  let h: string | null = host;
  if (h.length > MAX_URL_HOST) h = reducedHost(h);
  if (h === null) return null;
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    // `%` and the other forbidden code points are the parser's to judge once decoded; these
    // would make it read another URL part instead, and it would drop a tab or newline.
    if (c === 9 || c === 10 || c === 13 || c === 35 || c === 47 || c === 58 || c === 63 || c === 64 || c === 91 || c === 92 || c === 93) return null;
  }
  const r = parsedHostname(h);
  if (r !== null || !DEVIATION.test(h)) return r;
  return parsedHostname(h.replace(/\u00DF/g, 'ss').replace(/\u03C2/g, '\u03C3').replace(/[\u200C\u200D]/g, ''));
}

/** The host a destination names, in the spelling entries are compared in (see the module comment). Never throws. */
export function canonicalHost(host: string): string {
  if (isPlainAscii(host)) return stripTrailingDots(host.toLowerCase());
  return stripTrailingDots(urlHostname(host) ?? host.toLowerCase());
}

/** The label separators UTS #46 maps to `.`. */
const LABEL_SEPARATOR = /[.\u3002\uFF0E\uFF61]/;
const WILDCARD = /[*?\\]/;

/**
 * A host glob (wildcard.ts syntax) in the spelling of `canonicalHost`: every label without a
 * wildcard is converted as a destination's would be, labels with one are kept (lower-cased), so
 * `*.ｅｘａｍｐｌｅ．ｃｏｍ` is `*.example.com` and `*.bücher.de` is `*.xn--bcher-kva.de`. Null when
 * a wildcard stands inside a non-ASCII label: its punycode has no part a wildcard could stand for.
 */
export function canonicalHostGlob(glob: string): string | null {
  if (isPlainAscii(glob)) return stripTrailingDots(glob.toLowerCase());
  if (!WILDCARD.test(glob)) return canonicalHost(glob);
  const labels = glob.split(LABEL_SEPARATOR);
  const probe: string[] = [];
  for (const l of labels) {
    if (!WILDCARD.test(l)) probe.push(l);
    else if (!isPlainAscii(l)) return null;
    // A placeholder the parser leaves as it is, put back below.
    else probe.push('a');
  }
  const parsed = urlHostname(probe.join('.'));
  const out = parsed?.split('.');
  if (!out || out.length !== labels.length) return stripTrailingDots(glob.toLowerCase());
  for (let i = 0; i < labels.length; i++) if (WILDCARD.test(labels[i]!)) out[i] = labels[i]!.toLowerCase();
  return stripTrailingDots(out.join('.'));
}
