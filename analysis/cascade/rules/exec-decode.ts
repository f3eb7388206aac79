/**
 * The decoders a shell pipeline runs on a literal before a shell runs the result (MITRE T1140
 * Deobfuscate/Decode Files or Information, T1027.010 Command Obfuscation):
 * `echo Y3VybCAtVCAv… | base64 -d | sh`. Each takes the bytes a stage reads and returns the bytes
 * it writes, at most MAX_DECODED_BYTES, or null when the tool would write nothing readable.
 *
 * - Base64 / base32 / base16 (RFC 4648 §4, §6, §8) as GNU coreutils `base64 -d`, `base32 -d`,
 *   `basenc -d` decode: newlines (and CR) are skipped, `=` padding ends a block and a new block may
 *   follow (concatenated encodings), a missing final padding is accepted, and at the first
 *   character outside the alphabet decoding stops — GNU writes the bytes decoded so far before it
 *   fails, and a shell downstream runs them, so that prefix is what comes back (`ignoreGarbage`,
 *   `-i`: such characters are skipped instead).
 * - `xxd -r -p` (plain hex dump): hex digit pairs, every other character skipped.
 * - `rev` (util-linux): the characters of each line reversed (UTF-8 text only).
 * - `tr SET1 SET2` / `tr -d SET1` (POSIX tr): ranges, `[:upper:]`-style classes of letters and
 *   digits, backslash escapes; a form outside these reads as unknown (null).
 * - gzip (RFC 1952) via node:zlib, its output bounded (a bomb stops at the bound).
 *
 * `decodedText` turns the final bytes into a script: valid UTF-8, no control characters beyond
 * tab, newline, CR, form feed — binary output is no script a rule should read.
 */
import { gunzipSync } from 'node:zlib';
import { MAX_SCRIPT_CHARS } from './shell-words.js';

/** What one decoding stage may write: a script's bound with room for multi-byte text. */
export const MAX_DECODED_BYTES = 4 * MAX_SCRIPT_CHARS;

function table(alphabet: string): Int8Array {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}

const BASE64 = table('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const BASE64URL = table('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
const BASE32 = table('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
const BASE32HEX = table('0123456789ABCDEFGHIJKLMNOPQRSTUV');
const BASE16 = table('0123456789ABCDEF');
for (let c = 0x61; c <= 0x66; c++) BASE16[c] = c - 0x57; // basenc --base16 reads lower case too

export type RadixAlphabet = 'base64' | 'base64url' | 'base32' | 'base32hex' | 'base16';
const ALPHABETS: Readonly<Record<RadixAlphabet, { t: Int8Array; bits: number }>> = {
  base64: { t: BASE64, bits: 6 },
  base64url: { t: BASE64URL, bits: 6 },
  base32: { t: BASE32, bits: 5 },
  base32hex: { t: BASE32HEX, bits: 5 },
  base16: { t: BASE16, bits: 4 },
};

/**
 * RFC 4648 decoding as GNU `base64 -d` / `base32 -d` / `basenc -d` writes it (see the header):
 * the bytes decoded up to the first invalid character, and whether the whole input was valid.
 */
export function decodeRadix(input: Uint8Array, alphabet: RadixAlphabet, ignoreGarbage: boolean): { bytes: Uint8Array; clean: boolean } {
  const { t, bits } = ALPHABETS[alphabet];
  const out = new Uint8Array(Math.min(MAX_DECODED_BYTES, Math.ceil((input.length * bits) / 8)));
  let n = 0;
  let acc = 0;
  let have = 0;
  let clean = true;
  for (let i = 0; i < input.length && n < out.length; i++) {
    const c = input[i]!;
    const v = c < 128 ? t[c]! : -1;
    if (v >= 0) {
      acc = ((acc << bits) | v) & 0xffff;
      have += bits;
      if (have >= 8) {
        have -= 8;
        out[n++] = (acc >> have) & 0xff;
      }
    } else if (c === 0x3d && bits !== 4) {
      // `=`: the block ends, the bits left over (fewer than a character's) are padding; a block
      // may follow. Padding where no partial byte is pending is invalid.
      if (have === 0 || have >= bits) {
        clean = false;
        if (!ignoreGarbage) break;
      }
      while (i + 1 < input.length && input[i + 1] === 0x3d) i++;
      have = 0;
    } else if (c !== 0x0a && c !== 0x0d) {
      clean = false;
      if (!ignoreGarbage) break;
    }
  }
  // A final partial block of one character (base32: also three or six) holds no whole byte: invalid.
  if (have >= bits) clean = false;
  return { bytes: out.subarray(0, n), clean };
}

const hexNibble = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);

/** `xxd -r -p`: each pair of hex digits one byte, other characters skipped, an odd last digit dropped. */
export function decodeHexPlain(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.min(MAX_DECODED_BYTES, input.length >> 1));
  let n = 0;
  let hi = -1;
  for (let i = 0; i < input.length && n < out.length; i++) {
    const v = hexNibble(input[i]!);
    if (v < 0) continue;
    if (hi < 0) hi = v;
    else {
      out[n++] = (hi << 4) | v;
      hi = -1;
    }
  }
  return out.subarray(0, n);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const ENCODER = new TextEncoder();

/** Bytes as UTF-8 text (a sequence cut at the end dropped), or null when they are not. */
function utf8(bytes: Uint8Array): string | null {
  let end = bytes.length;
  // Drop an incomplete sequence at the very end (a bound or a decoder cut it).
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const b = bytes[end - k]!;
    if ((b & 0xc0) !== 0x80) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (need > k) end -= k;
      break;
    }
  }
  try {
    return UTF8.decode(end === bytes.length ? bytes : bytes.subarray(0, end));
  } catch {
    return null;
  }
}

/** `rev`: each line's characters in reverse order (bytes that are no UTF-8 text: null). */
export function reverseLines(input: Uint8Array): Uint8Array | null {
  const text = utf8(input);
  if (text === null) return null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) lines[i] = Array.from(lines[i]!).reverse().join('');
  return ENCODER.encode(lines.join('\n'));
}

/** `gunzip` / `zcat` / `gzip -d`: null on anything but a gzip stream whose output fits the bound. */
export function decodeGzip(input: Uint8Array): Uint8Array | null {
  if (input.length < 18 || input[0] !== 0x1f || input[1] !== 0x8b) return null;
  try {
    return new Uint8Array(gunzipSync(input, { maxOutputLength: MAX_DECODED_BYTES }));
  } catch {
    return null;
  }
}

const CLASSES: Readonly<Record<string, string>> = {
  upper: 'A-Z',
  lower: 'a-z',
  digit: '0-9',
  alpha: 'A-Za-z',
  alnum: '0-9A-Za-z',
  xdigit: '0-9A-Fa-f',
};
const TR_ESCAPES: Readonly<Record<string, number>> = { n: 10, t: 9, r: 13, '\\': 0x5c, a: 7, b: 8, f: 12, v: 11 };

/** A tr SET as byte values in order (ranges and classes expanded), or null for forms not read here. */
export function trSet(set: string): number[] | null {
  const out: number[] = [];
  let i = 0;
  while (i < set.length && out.length <= 512) {
    if (set.startsWith('[:', i)) {
      const end = set.indexOf(':]', i + 2);
      const spec = end < 0 ? undefined : CLASSES[set.slice(i + 2, end)];
      if (spec === undefined) return null;
      out.push(...trSet(spec)!);
      i = end + 2;
      continue;
    }
    let c = set.charCodeAt(i);
    let len = 1;
    if (c === 0x5c && i + 1 < set.length) {
      const e = set.charAt(i + 1);
      const oct = /^[0-7]{1,3}/.exec(set.slice(i + 1, i + 4));
      if (oct) {
        c = parseInt(oct[0], 8) & 0xff;
        len = 1 + oct[0].length;
      } else {
        c = TR_ESCAPES[e] ?? e.charCodeAt(0);
        len = 2;
      }
    } else if (c > 0x7f || c === 0x5b) return null; // multi-byte characters, [c*n] repeats
    if (set.charAt(i + len) === '-' && i + len + 1 < set.length) {
      const hi = set.charCodeAt(i + len + 1);
      if (hi > 0x7f || hi === 0x5c || hi < c) return null;
      for (let k = c; k <= hi; k++) out.push(k);
      i += len + 2;
    } else {
      out.push(c);
      i += len;
    }
  }
  return out.length <= 512 ? out : null;
}

/** `tr SET1 SET2` (SET2 padded with its last byte, as GNU does) or `tr -d SET1` (SET2 null). */
export function translate(input: Uint8Array, set1: string, set2: string | null): Uint8Array | null {
  const from = trSet(set1);
  const to = set2 === null ? null : trSet(set2);
  if (from === null || (set2 !== null && (to === null || to.length === 0))) return null;
  const map = new Int16Array(256);
  for (let b = 0; b < 256; b++) map[b] = b;
  for (let k = 0; k < from.length; k++) map[from[k]!] = to === null ? -1 : to[Math.min(k, to.length - 1)]!;
  const out = new Uint8Array(Math.min(input.length, MAX_DECODED_BYTES));
  let n = 0;
  for (let i = 0; i < input.length && n < out.length; i++) {
    const m = map[input[i]!]!;
    if (m >= 0) out[n++] = m;
  }
  return out.subarray(0, n);
}

/**
 * The bytes a shell would run, as a script: UTF-8 text without NUL or control characters other
 * than tab, newline, CR and form feed (binary output is no script a rule should read), else null.
 * Its length is bounded by MAX_DECODED_BYTES; the script reader bounds it further (and says so).
 */
export function decodedText(bytes: Uint8Array): string | null {
  const text = utf8(bytes);
  if (text === null) return null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) return null;
  }
  return text;
}

/** A literal's bytes as the tool reads them (UTF-8). */
export function textBytes(s: string): Uint8Array {
  return ENCODER.encode(s.length > MAX_DECODED_BYTES ? s.slice(0, MAX_DECODED_BYTES) : s);
}
