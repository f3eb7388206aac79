/**
 * Fields of zip records (PKWARE APPNOTE 6.3.x): record signatures (§4.3), little-endian integers,
 * the ZIP64 extended information extra field (§4.5.3) and entry names (UTF-8 under flag bit 11,
 * else IBM code page 437, Appendix D). Shared by the directory reader, the local-header scan, the
 * hidden-entry search and the sniffer.
 */

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DESCRIPTOR = 0x08074b50;

export function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
export function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
}
/** Little-endian u64; null when it does not fit a safe integer (nothing real is that big). */
export function u64(b: Uint8Array, o: number): number | null {
  const v = u32(b, o) + u32(b, o + 4) * 0x100000000;
  return Number.isSafeInteger(v) ? v : null;
}

/** ZIP64 extended information extra field (header id 0x0001): present values in fixed order. */
export function zip64Extra(
  extra: Uint8Array,
  wantUsize: boolean,
  wantCsize: boolean,
  wantOffset: boolean,
): { usize: number | null; csize: number | null; offset: number | null } {
  const out = { usize: null as number | null, csize: null as number | null, offset: null as number | null };
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = u16(extra, p);
    const len = u16(extra, p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const end = Math.min(extra.length, q + len);
      if (wantUsize && q + 8 <= end) (out.usize = u64(extra, q)), (q += 8);
      if (wantCsize && q + 8 <= end) (out.csize = u64(extra, q)), (q += 8);
      if (wantOffset && q + 8 <= end) out.offset = u64(extra, q);
      return out;
    }
    p += 4 + len;
  }
  return out;
}

export function hasExtra(extra: Uint8Array, wanted: number): boolean {
  for (let p = 0; p + 4 <= extra.length; p += 4 + u16(extra, p + 2)) if (u16(extra, p) === wanted) return true;
  return false;
}

/** IBM code page 437, bytes 0x80–0xFF: the zip default when flag bit 11 (UTF-8) is clear. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const utf8Fatal = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

export function decodeName(b: Uint8Array, utf8Flag: boolean): string {
  let ascii = true;
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) (ascii = false), (i = b.length);
  if (ascii) return utf8Lenient.decode(b);
  if (utf8Flag) return utf8Lenient.decode(b);
  try {
    return utf8Fatal.decode(b); // many tools write UTF-8 without setting the flag
  } catch {
    let s = '';
    for (let i = 0; i < b.length; i++) s += b[i]! < 0x80 ? String.fromCharCode(b[i]!) : CP437_HIGH[b[i]! - 0x80]!;
    return s;
  }
}
