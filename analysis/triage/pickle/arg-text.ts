/**
 * Text decoders for the newline-terminated pickle arguments, following what CPython's unpickler
 * does with them (Modules/_pickle.c): STRING is a Python-quoted literal decoded with
 * `codecs.escape_decode`, UNICODE is `raw-unicode-escape`, GLOBAL/INST/PERSID lines are UTF-8.
 * All return `null` (never throw) when CPython would refuse the argument.
 */

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Lossy = new TextDecoder('utf-8');

/** UTF-8 as CPython's strict decoder sees it: `{ text, valid }` (invalid bytes become U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: utf8Strict.decode(bytes), valid: true };
  } catch {
    return { text: utf8Lossy.decode(bytes), valid: false };
  }
}

/** Bytes as Latin-1 text: one char per byte, lossless (how we carry py2 `str` / STRING values). */
export function decodeLatin1(bytes: Uint8Array): string {
  // TextDecoder('latin1') is windows-1252 per the Encoding Standard; map bytes directly instead
  // so 0x80–0x9f stay U+0080–U+009F and the mapping stays reversible.
  if (bytes.length < 4096) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
    return s;
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    const chunk = bytes.subarray(i, Math.min(bytes.length, i + 4096));
    out += String.fromCharCode(...chunk);
  }
  return out;
}

/** The inverse of decodeLatin1 for chars ≤ U+00FF; `null` when a char does not fit a byte. */
export function encodeLatin1(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) return null;
    out[i] = c;
  }
  return out;
}


function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * STRING argument: must be quoted with matching ' or " (CPython: "the STRING opcode argument must
 * be quoted"); the inside is decoded with Python string-literal escapes. Returns raw bytes.
 */
export function decodeQuotedString(line: Uint8Array): Uint8Array | null {
  const n = line.length;
  if (n < 2) return null;
  const q = line[0] as number;
  if ((q !== 0x27 && q !== 0x22) || line[n - 1] !== q) return null;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 1; i < n - 1; i++) {
    const c = line[i] as number;
    if (c !== 0x5c) {
      out[o++] = c;
      continue;
    }
    if (i + 1 >= n - 1) return null; // trailing backslash: "Trailing \ in string"
    const e = line[++i] as number;
    switch (e) {
      case 0x0a: break; // backslash-newline: line continuation
      case 0x5c: out[o++] = 0x5c; break;
      case 0x27: out[o++] = 0x27; break;
      case 0x22: out[o++] = 0x22; break;
      case 0x61: out[o++] = 0x07; break; // \a
      case 0x62: out[o++] = 0x08; break; // \b
      case 0x66: out[o++] = 0x0c; break; // \f
      case 0x6e: out[o++] = 0x0a; break; // \n
      case 0x72: out[o++] = 0x0d; break; // \r
      case 0x74: out[o++] = 0x09; break; // \t
      case 0x76: out[o++] = 0x0b; break; // \v
      case 0x78: { // \xhh: exactly two hex digits or ValueError
        const h1 = i + 1 < n - 1 ? hexVal(line[i + 1] as number) : -1;
        const h2 = i + 2 < n - 1 ? hexVal(line[i + 2] as number) : -1;
        if (h1 < 0 || h2 < 0) return null;
        out[o++] = h1 * 16 + h2;
        i += 2;
        break;
      }
      default:
        if (e >= 0x30 && e <= 0x37) { // octal, up to three digits
          let v = e - 0x30;
          for (let k = 0; k < 2 && i + 1 < n - 1; k++) {
            const d = line[i + 1] as number;
            if (d < 0x30 || d > 0x37) break;
            v = v * 8 + (d - 0x30);
            i++;
          }
          out[o++] = v & 0xff;
        } else { // unknown escape: kept verbatim, backslash included
          out[o++] = 0x5c;
          out[o++] = e;
        }
    }
  }
  return out.subarray(0, o);
}

/**
 * UNICODE argument: raw-unicode-escape. Only \uXXXX and \UXXXXXXXX are escapes, and only when the
 * run of backslashes before them is odd; every other byte is Latin-1.
 */
export function decodeRawUnicodeEscape(line: Uint8Array): string | null {
  let out = '';
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line[i] as number;
    if (c !== 0x5c) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    let run = 0;
    while (i + run < n && line[i + run] === 0x5c) run++;
    const next = i + run < n ? (line[i + run] as number) : -1;
    const isEscape = run % 2 === 1 && (next === 0x75 || next === 0x55);
    out += '\\'.repeat(isEscape ? run - 1 : run);
    i += run;
    if (!isEscape) continue;
    const digits = next === 0x75 ? 4 : 8;
    if (i + 1 + digits > n) return null; // truncated \uXXXX
    let cp = 0;
    for (let k = 1; k <= digits; k++) {
      const h = hexVal(line[i + k] as number);
      if (h < 0) return null;
      cp = cp * 16 + h;
    }
    if (cp > 0x10ffff) return null;
    out += String.fromCodePoint(cp);
    i += 1 + digits;
  }
  return out;
}

/** Python `int()` of an ASCII line (sign, digits, underscores between digits, surrounding blanks). */
export function parseDecimal(text: string): number | bigint | null {
  const t = text.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(t)) return null;
  const clean = t.replace(/_/g, '');
  const n = Number(clean);
  if (Number.isSafeInteger(n)) return n;
  return BigInt(clean);
}

/** Python `float()` of an ASCII line: decimal/exponent forms plus inf/infinity/nan. */
export function parseFloatLine(text: string): number | null {
  const t = text.trim().toLowerCase().replace(/_/g, '');
  const m = /^([+-]?)(inf|infinity|nan)$/.exec(t);
  if (m) return m[2] === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}
