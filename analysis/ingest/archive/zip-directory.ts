/**
 * Reads a zip's table of contents (PKWARE APPNOTE 6.3.x: end of central directory §4.3.16, ZIP64
 * end record and locator §4.3.14–15, central headers §4.3.12, ZIP64 extra field §4.5.3) as
 * leniently as PyTorch's miniz and Python's zipfile do: junk before the archive is tolerated by
 * offset adjustment, flag bits are kept but not enforced, and an archive without a usable central
 * directory is recovered by scanning local file headers.
 */
import type { ByteSource } from '../../core/byte-source.js';
import { BundleError } from './limits.js';
import { SourceWindow } from './source-window.js';
import { decodeName, hasExtra, SIG_CENTRAL, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, u16, u32, u64, zip64Extra } from './zip-fields.js';
import { findHiddenEntries } from './zip-hidden-entries.js';
import { scanLocalHeaders } from './zip-local-headers.js';

// sniff.ts reads zip names and fields through this module.
export { decodeName, u16, u32 } from './zip-fields.js';

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

const MAX_COMMENT = 0xffff;
const MAX_EOCD_CANDIDATES = 32;

export async function readZipDirectory(src: ByteSource, maxEntries: number): Promise<ZipDirectory> {
  const warnings: string[] = [];
  const fromCd = await readCentralDirectory(src, maxEntries, warnings);
  if (fromCd) {
    await notePrefix(src, fromCd.entries, warnings);
    // Entries past the cap were left out on purpose, not hidden: searching for them would list them all.
    if (!fromCd.capped) await findHiddenEntries(src, fromCd.entries, fromCd.start, maxEntries, warnings);
    return { entries: fromCd.entries, warnings, via: 'central-directory' };
  }
  const scanned = await scanLocalHeaders(src, maxEntries, warnings);
  if (scanned.length === 0) throw new BundleError(src.name, `${src.name} is not a readable zip archive (no central directory, no local file headers)`);
  warnings.unshift(`${src.name}: no usable central directory; ${scanned.length} entries recovered from local file headers`);
  return { entries: scanned, warnings, via: 'local-scan' };
}

/**
 * Bytes before the first entry of an archive whose offsets count from the file start (as some
 * self-extractors write them; relative offsets are reported by `locateCentralDirectory`): the
 * stub is data the zip's own tools never show.
 */
async function notePrefix(src: ByteSource, entries: readonly ZipEntry[], warnings: string[]): Promise<void> {
  if (entries.length === 0 || warnings.some((w) => w.includes(' bytes of data before the zip archive'))) return;
  let first = entries[0]!.localHeaderOffset;
  for (const e of entries) if (e.localHeaderOffset < first) first = e.localHeaderOffset;
  if (first <= 0 || u32(await src.read(0, 4), 0) === SIG_LOCAL) return; // a local header at 0: entries hidden in front are reported as such
  warnings.push(`${src.name}: ${first} bytes of data before the zip archive (offsets count from the file start)`);
}

export interface DirectoryLocation {
  start: number;
  size: number;
  count: number;
  /** Bytes of junk before the archive; every local header offset moves by this. */
  shift: number;
}

/** The central directory the end record (or ZIP64 end record) points to, checked by its first signature. */
export async function locateCentralDirectory(src: ByteSource, warnings: string[]): Promise<DirectoryLocation | null> {
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
