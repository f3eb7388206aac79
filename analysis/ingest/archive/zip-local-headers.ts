/**
 * Zip entries read from their local file headers (PKWARE APPNOTE 6.3.x §4.3.7) rather than from
 * the central directory: the scan of an archive without a usable directory (a cut download, a
 * carved file), and the reader the hidden-entry search uses. Entries whose sizes live in a trailing
 * data descriptor (§4.3.9, flag bit 3) are delimited as Info-ZIP's `zip -FF` does.
 */
import type { ByteSource } from '../../core/byte-source.js';
import { findSignature, SourceWindow } from './source-window.js';
import type { ZipEntry } from './zip-directory.js';
import { decodeName, SIG_CENTRAL, SIG_DESCRIPTOR, SIG_LOCAL, u16, u32, u64, zip64Extra } from './zip-fields.js';

/** No central directory (truncated download, carved file): walk local file headers from the start. */
export async function scanLocalHeaders(src: ByteSource, maxEntries: number, warnings: string[]): Promise<ZipEntry[]> {
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
