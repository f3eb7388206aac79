/**
 * Reads a zip's table of contents (PKWARE APPNOTE 6.3.x: end of central directory §4.3.16, ZIP64
 * end record and locator §4.3.14–15, central headers §4.3.12, ZIP64 extra field §4.5.3) as
 * leniently as PyTorch's miniz and Python's zipfile do: junk before the archive is tolerated by
 * offset adjustment, flag bits are kept but not enforced, and an archive without a usable central
 * directory is recovered by scanning local file headers.
 */
import type { ByteSource } from '../../core/byte-source.js';
import { BundleError } from './limits.js';
import { findHiddenEntries } from './zip-hidden-entries.js';

export interface ZipEntry {
  /** Position in the central directory (or in the scan). */
  index: number;
  /** Name from the central directory (the one PyTorch uses), decoded UTF-8 (flag bit 11) or CP437. */
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  /** False when recovered by a local-header scan that could not learn the inflated size. */
  sizeKnown: boolean;
  /** 0 stored, 8 deflate; anything else is reported and not read. */
  method: number;
  /** General-purpose bit flags as stored (APPNOTE §4.4.4). */
  flags: number;
  localHeaderOffset: number;
  /** Start of the entry data, known after the local header is read (lazily, on first read). */
  dataOffset: number | null;
  crc32: number;
  isDirectory: boolean;
  isSymlink: boolean;
  /** Unix st_mode from the external attributes when the archive was made on Unix, else null. */
  unixMode: number | null;
  /** Really encrypted (not just a flag bit set to fool scanners): its data is not read. */
  encrypted: boolean;
  /**
   * Found by scanning local file headers, not listed in a central directory: none was usable, or
   * it leaves this entry out (data hidden from tools that read only the directory).
   */
  recovered: boolean;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  warnings: string[];
  /** How the directory was found. */
  via: 'central-directory' | 'local-scan';
}

export const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DESCRIPTOR = 0x08074b50;
const MAX_COMMENT = 0xffff;
const WINDOW = 1 << 20;
const MAX_EOCD_CANDIDATES = 32;

export function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
export function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
}
/** Little-endian u64; null when it does not fit a safe integer (nothing real is that big). */
function u64(b: Uint8Array, o: number): number | null {
  const v = u32(b, o) + u32(b, o + 4) * 0x100000000;
  return Number.isSafeInteger(v) ? v : null;
}

/** Reads ranges of a source through a 1 MiB window, so parsing many small records costs few reads. */
export class SourceWindow {
  private base = 0;
  private buf: Uint8Array = new Uint8Array(0);
  /** `size`: bytes read at each miss (smaller for sparse reads such as one header per entry). */
  constructor(
    private readonly src: ByteSource,
    private readonly size = WINDOW,
  ) {}

  /** `len` bytes at `pos` (fewer at the end of the source). */
  async at(pos: number, len: number): Promise<Uint8Array> {
    if (pos < this.base || pos + len > this.base + this.buf.length) {
      if (len > this.size) return this.src.read(pos, len);
      this.base = pos;
      this.buf = await this.src.read(pos, Math.max(this.size, len));
    }
    return this.buf.subarray(pos - this.base, Math.min(this.buf.length, pos - this.base + len));
  }
}

export async function readZipDirectory(src: ByteSource, maxEntries: number): Promise<ZipDirectory> {
  const warnings: string[] = [];
  const fromCd = await readCentralDirectory(src, maxEntries, warnings);
  if (fromCd) {
    // Entries past the cap were left out on purpose, not hidden: searching for them would list them all.
    if (!fromCd.capped) await findHiddenEntries(src, fromCd.entries, fromCd.start, maxEntries, warnings);
    return { entries: fromCd.entries, warnings, via: 'central-directory' };
  }
  const scanned = await scanLocalHeaders(src, maxEntries, warnings);
  if (scanned.length === 0) throw new BundleError(src.name, `${src.name} is not a readable zip archive (no central directory, no local file headers)`);
  warnings.unshift(`${src.name}: no usable central directory; ${scanned.length} entries recovered from local file headers`);
  return { entries: scanned, warnings, via: 'local-scan' };
}

interface DirectoryLocation {
  start: number;
  size: number;
  count: number;
  /** Bytes of junk before the archive; every local header offset moves by this. */
  shift: number;
}

async function locateCentralDirectory(src: ByteSource, warnings: string[]): Promise<DirectoryLocation | null> {
  const tailLen = Math.min(src.size, 22 + MAX_COMMENT + 20);
  const tailStart = src.size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  let candidates = 0;
  for (let i = tail.length - 22; i >= 0 && candidates < MAX_EOCD_CANDIDATES; i--) {
    if (tail[i] !== 0x50 || u32(tail, i) !== SIG_EOCD) continue;
    candidates++; // a comment stuffed with fake end records costs a bounded number of reads
    const eocdPos = tailStart + i;
    let count = u16(tail, i + 10);
    let size = u32(tail, i + 12);
    let offset = u32(tail, i + 16);
    let end = eocdPos;
    const locAt = i - 20;
    if (locAt >= 0 && u32(tail, locAt) === SIG_ZIP64_LOCATOR) {
      const z64 = await readZip64Record(src, u64(tail, locAt + 8), eocdPos - 20);
      if (z64) {
        count = z64.count;
        size = z64.size;
        offset = z64.offset;
        end = z64.at;
      }
    }
    const actualStart = end - size;
    if (actualStart < 0) continue;
    const starts = actualStart === offset ? [offset] : [actualStart, offset];
    for (const start of starts) {
      if (start < 0 || start + size > end) continue;
      const sig = size === 0 ? SIG_CENTRAL : u32(await src.read(start, 4), 0);
      if (sig !== SIG_CENTRAL) continue;
      const shift = start - offset;
      if (shift !== 0) warnings.push(`${src.name}: ${shift} bytes of data before the zip archive (offsets adjusted)`);
      if (eocdPos + 22 + u16(tail, i + 20) < src.size) warnings.push(`${src.name}: data after the end of the zip archive ignored`);
      return { start, size, count, shift };
    }
  }
  return null;
}

async function readZip64Record(
  src: ByteSource,
  statedAt: number | null,
  locatorAt: number,
): Promise<{ at: number; count: number; size: number; offset: number } | null> {
  // The stated offset is wrong when junk precedes the archive; the record then sits just before the locator.
  for (const at of [statedAt, locatorAt - 56]) {
    if (at === null || at < 0) continue;
    const rec = await src.read(at, 56);
    if (rec.length < 56 || u32(rec, 0) !== SIG_ZIP64_EOCD) continue;
    const count = u64(rec, 32);
    const size = u64(rec, 40);
    const offset = u64(rec, 48);
    if (count === null || size === null || offset === null) continue;
    return { at, count, size, offset };
  }
  return null;
}

async function readCentralDirectory(
  src: ByteSource,
  maxEntries: number,
  warnings: string[],
): Promise<{ entries: ZipEntry[]; start: number; capped: boolean } | null> {
  const loc = await locateCentralDirectory(src, warnings);
  if (!loc) return null;
  const win = new SourceWindow(src);
  const entries: ZipEntry[] = [];
  let capped = false;
  let pos = loc.start;
  const end = loc.start + loc.size;
  while (pos + 46 <= end) {
    const h = await win.at(pos, 46);
    if (h.length < 46 || u32(h, 0) !== SIG_CENTRAL) {
      warnings.push(`${src.name}: central directory ends early (bad record at byte ${pos})`);
      break;
    }
    if (entries.length >= maxEntries) {
      warnings.push(`${src.name}: more than ${maxEntries} entries; the rest were not read`);
      capped = true;
      break;
    }
    const nameLen = u16(h, 28);
    const extraLen = u16(h, 30);
    const commentLen = u16(h, 32);
    const versionMadeBy = u16(h, 4);
    const flags = u16(h, 8);
    const method = u16(h, 10);
    const externalAttr = u32(h, 38);
    const vars = await win.at(pos + 46, nameLen + extraLen);
    const name = decodeName(vars.subarray(0, nameLen), (flags & 0x800) !== 0);
    const extra = vars.subarray(nameLen, nameLen + extraLen);
    let usize = u32(h, 24);
    let csize = u32(h, 20);
    let lho = u32(h, 42);
    const z64 = zip64Extra(extra, usize === 0xffffffff, csize === 0xffffffff, lho === 0xffffffff);
    if (z64.usize !== null) usize = z64.usize;
    if (z64.csize !== null) csize = z64.csize;
    if (z64.offset !== null) lho = z64.offset;
    const host = versionMadeBy >>> 8;
    const unixMode = host === 3 || host === 19 ? externalAttr >>> 16 : null; // 3 Unix, 19 OS X (APPNOTE §4.4.2)
    const fileType = unixMode === null ? 0 : unixMode & 0o170000;
    entries.push({
      index: entries.length,
      name,
      compressedSize: csize,
      uncompressedSize: usize,
      sizeKnown: true,
      method,
      flags,
      localHeaderOffset: lho + loc.shift,
      dataOffset: null,
      crc32: u32(h, 16),
      isDirectory: name.endsWith('/') || fileType === 0o040000 || (unixMode === null && (externalAttr & 0x10) !== 0),
      isSymlink: fileType === 0o120000,
      unixMode,
      // Refined by the reader: bit 0 alone may be a scanner-evasion trick over plain data.
      encrypted: (flags & 0x41) !== 0 || method === 99 || hasExtra(extra, 0x9901),
      recovered: false,
    });
    pos += 46 + nameLen + extraLen + commentLen;
  }
  if (entries.length !== loc.count && entries.length < maxEntries) {
    warnings.push(`${src.name}: end record announces ${loc.count} entries, central directory holds ${entries.length}`);
  }
  return { entries, start: loc.start, capped };
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

function hasExtra(extra: Uint8Array, wanted: number): boolean {
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

/** No central directory (truncated download, carved file): walk local file headers from the start. */
async function scanLocalHeaders(src: ByteSource, maxEntries: number, warnings: string[]): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  const win = new SourceWindow(src);
  let pos = await findSignature(win, src.size, 0, [SIG_LOCAL]);
  while (pos !== null && pos + 30 <= src.size) {
    if (entries.length >= maxEntries) {
      warnings.push(`${src.name}: more than ${maxEntries} entries; the rest were not read`);
      break;
    }
    const { entry, end, next } = await readLocalEntry(src, win, pos, entries.length);
    if (entry.dataOffset! + entry.compressedSize > src.size) {
      warnings.push(`${src.name}: ${entry.name} is cut short (${src.size - entry.dataOffset!} of ${entry.compressedSize} bytes)`);
    }
    entries.push(entry);
    pos = next !== undefined ? next : end < src.size ? await findSignature(win, src.size, end, [SIG_LOCAL]) : null;
  }
  return entries;
}

export interface LocalRecord {
  entry: ZipEntry;
  /** First byte after the entry's data, and after its data descriptor when one was found. */
  end: number;
  /** Where a data-descriptor search already found the next local header (null: none follows). */
  next?: number | null;
}

/**
 * The entry whose local file header (APPNOTE §4.3.7) sits at `pos`, sized from that header alone.
 * Entries whose sizes live in a trailing data descriptor (flag bit 3) are delimited by the next
 * signature, as Info-ZIP's `zip -FF` does.
 */
export async function readLocalEntry(src: ByteSource, win: SourceWindow, pos: number, index: number): Promise<LocalRecord> {
  const h = await win.at(pos, 30);
  const flags = u16(h, 6);
  const method = u16(h, 8);
  const nameLen = u16(h, 26);
  const extraLen = u16(h, 28);
  const vars = await win.at(pos + 30, nameLen + extraLen);
  const name = decodeName(vars.subarray(0, nameLen), (flags & 0x800) !== 0);
  const extra = vars.subarray(nameLen);
  let csize = u32(h, 18);
  let usize = u32(h, 22);
  let crc = u32(h, 14);
  const z64 = zip64Extra(extra, usize === 0xffffffff, csize === 0xffffffff, false);
  if (z64.usize !== null) usize = z64.usize;
  if (z64.csize !== null) csize = z64.csize;
  const dataOffset = pos + 30 + nameLen + extraLen;
  let sizeKnown = true;
  let end = dataOffset + csize;
  let next: number | null | undefined;
  if ((flags & 0x8) !== 0 && csize === 0) {
    const found = await findDescriptorEnd(src, win, dataOffset);
    csize = found.csize;
    if (found.usize !== null) {
      usize = found.usize;
      crc = found.crc;
    } else {
      usize = method === 0 ? csize : 0;
      sizeKnown = method === 0;
    }
    end = found.end;
    next = found.next;
  }
  const entry: ZipEntry = {
    index,
    name,
    compressedSize: csize,
    uncompressedSize: usize,
    sizeKnown,
    method,
    flags,
    localHeaderOffset: pos,
    dataOffset,
    crc32: crc,
    isDirectory: name.endsWith('/'),
    isSymlink: false,
    unixMode: null,
    encrypted: (flags & 0x41) !== 0 || method === 99,
    recovered: true,
  };
  return next === undefined ? { entry, end } : { entry, end, next };
}

/** End of a bit-3 entry: a data descriptor whose size matches, else the next header, else the end. */
export async function findDescriptorEnd(
  src: ByteSource,
  win: SourceWindow,
  dataOffset: number,
): Promise<{ csize: number; usize: number | null; crc: number; end: number; next: number | null }> {
  let from = dataOffset;
  for (;;) {
    const at = await findSignature(win, src.size, from, [SIG_DESCRIPTOR, SIG_LOCAL, SIG_CENTRAL]);
    if (at === null) return { csize: src.size - dataOffset, usize: null, crc: 0, end: src.size, next: null };
    const d = await win.at(at, 24);
    if (u32(d, 0) !== SIG_DESCRIPTOR) return { csize: at - dataOffset, usize: null, crc: 0, end: at, next: u32(d, 0) === SIG_LOCAL ? at : null };
    const csize = at - dataOffset;
    if (d.length >= 16 && u32(d, 8) === csize) {
      return { csize, usize: u32(d, 12), crc: u32(d, 4), end: at + 16, next: await findSignature(win, src.size, at + 16, [SIG_LOCAL]) };
    }
    const c64 = d.length >= 24 ? u64(d, 8) : null;
    if (c64 === csize) return { csize, usize: u64(d, 16), crc: u32(d, 4), end: at + 24, next: await findSignature(win, src.size, at + 24, [SIG_LOCAL]) };
    from = at + 1; // "PK\7\8" inside the data: keep looking
  }
}

/**
 * Position of the first of `sigs` (little-endian u32) at or after `from`. Scans in 64 KiB steps
 * through the window, so many nearby signatures (a hostile scan) do not re-read megabytes each.
 */
export async function findSignature(win: SourceWindow, size: number, from: number, sigs: readonly number[]): Promise<number | null> {
  const step = 64 << 10;
  let pos = Math.max(0, from);
  while (pos + 4 <= size) {
    const buf = await win.at(pos, step + 3);
    if (buf.length < 4) return null;
    for (let i = buf.indexOf(0x50); i !== -1 && i + 4 <= buf.length; i = buf.indexOf(0x50, i + 1)) {
      if (buf[i + 1] === 0x4b && sigs.includes(u32(buf, i))) return pos + i;
    }
    if (buf.length < step + 3) return null;
    pos += step;
  }
  return null;
}
