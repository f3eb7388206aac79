/**
 * Entries hidden from the central directory: a local file header (PKWARE APPNOTE 6.3.x §4.3.7)
 * that sits in the archive while no central header (§4.3.12) points at it. Tools that list the
 * directory (unzip -l, Python's zipfile, most scanners) never see such an entry; a carving tool,
 * or a loader that walks local headers, does. After the directory is read, the bytes no listed
 * entry covers — before the first entry, between entries, before the directory — are searched
 * for local header signatures, bounded in bytes searched, candidates tried and entries added.
 */
import type { ByteSource } from '../../core/byte-source.js';
import { SourceWindow } from './source-window.js';
import type { ZipEntry } from './zip-directory.js';
import { SIG_DESCRIPTOR, SIG_LOCAL, u16, u32 } from './zip-fields.js';
import { readLocalEntry } from './zip-local-headers.js';

/** Bytes outside the listed entries searched for signatures, per archive. */
export const MAX_HIDDEN_SCAN_BYTES = 64 << 20;
/** Entries recovered from outside the directory, per archive. */
export const MAX_HIDDEN_ENTRIES = 1000;
/** Signatures tried as local headers, per archive (each costs a header read). */
const MAX_CANDIDATES = 10_000;
/** Recovered entries named one by one in the warnings; the rest are counted. */
const NAMED_IN_WARNINGS = 20;
/** Local headers of listed entries are read through a small window: entries may be megabytes apart. */
const HEADER_WINDOW = 16 << 10;
const STEP = 64 << 10;

/**
 * Appends the entries found outside the bytes that `entries` (read from the central directory,
 * which starts at `directoryStart`) cover, marked `recovered`, with a warning naming them.
 */
export async function findHiddenEntries(
  src: ByteSource,
  entries: ZipEntry[],
  directoryStart: number,
  maxEntries: number,
  warnings: string[],
): Promise<void> {
  const win = new SourceWindow(src, HEADER_WINDOW);
  const gaps = await uncoveredRanges(win, src.size, entries, directoryStart);
  const scanner = new SignatureScanner(src);
  const found: ZipEntry[] = [];
  let headerBytes = 0;
  let candidates = 0;
  let unsearched = 0;
  let stoppedAtCount = false;
  for (const [gapStart, gapEnd] of gaps) {
    let pos = gapStart;
    while (pos + 30 <= gapEnd) {
      if (found.length >= MAX_HIDDEN_ENTRIES || entries.length + found.length >= maxEntries || candidates >= MAX_CANDIDATES) {
        stoppedAtCount = true;
        break;
      }
      const budget = MAX_HIDDEN_SCAN_BYTES - scanner.bytesRead - headerBytes;
      if (budget <= 0) break;
      const to = Math.min(gapEnd, pos + budget);
      const at = await scanner.next(pos, to);
      if (at === null) {
        pos = to;
        continue;
      }
      candidates++;
      const rec = await entryInGap(src, win, at, gapEnd, entries.length + found.length);
      headerBytes += rec.cost;
      if (rec.entry) {
        found.push(rec.entry);
        pos = rec.end;
      } else {
        pos = at + 1; // a signature inside data, or a header that does not fit: keep looking
      }
    }
    if (pos + 30 <= gapEnd) unsearched += gapEnd - pos;
  }
  for (const e of found) entries.push(e);
  for (const e of found.slice(0, NAMED_IN_WARNINGS)) {
    warnings.push(
      `${src.name}: entry ${JSON.stringify(e.name)} at byte ${e.localHeaderOffset} is not in the central directory ` +
        '(hidden from tools that list only the directory); recovered from its local header',
    );
  }
  if (found.length > NAMED_IN_WARNINGS) {
    warnings.push(`${src.name}: ${found.length - NAMED_IN_WARNINGS} more entries hidden from the central directory recovered`);
  }
  if (unsearched > 0) {
    const why = stoppedAtCount ? 'the limit on recovered entries was reached' : `the ${MAX_HIDDEN_SCAN_BYTES}-byte search limit was reached`;
    warnings.push(`${src.name}: ${unsearched} bytes outside the listed entries were not searched for hidden entries (${why})`);
  }
}

/**
 * Byte ranges below `directoryStart` that no listed entry covers (its local header, data and
 * data descriptor), in order. An entry without a local header where the directory says covers nothing.
 */
async function uncoveredRanges(
  win: SourceWindow,
  size: number,
  entries: readonly ZipEntry[],
  directoryStart: number,
): Promise<[number, number][]> {
  const covered: [number, number][] = [];
  for (const e of entries) {
    if (e.localHeaderOffset < 0 || e.localHeaderOffset >= directoryStart) continue;
    const end = await extentEnd(win, size, e);
    if (end !== null) covered.push([e.localHeaderOffset, end]);
  }
  covered.sort((a, b) => a[0] - b[0]);
  const gaps: [number, number][] = [];
  let from = 0;
  for (const [start, end] of covered) {
    if (start > from) gaps.push([from, start]);
    from = Math.max(from, end);
  }
  if (directoryStart > from) gaps.push([from, directoryStart]);
  return gaps;
}

/** First byte after a listed entry: local header (its own name and extra lengths), data, descriptor; null without a local header. */
async function extentEnd(win: SourceWindow, size: number, e: ZipEntry): Promise<number | null> {
  const h = await win.at(e.localHeaderOffset, 30);
  if (h.length < 30 || u32(h, 0) !== SIG_LOCAL) return null;
  let end = e.localHeaderOffset + 30 + u16(h, 26) + u16(h, 28) + e.compressedSize;
  if ((e.flags & 0x8) !== 0 && end < size) {
    // Data descriptor (APPNOTE §4.3.9): optional signature, then CRC and sizes (64-bit for ZIP64).
    const d = await win.at(end, 4);
    const wide = e.compressedSize >= 0xffffffff || e.uncompressedSize >= 0xffffffff;
    end += (d.length === 4 && u32(d, 0) === SIG_DESCRIPTOR ? 4 : 0) + (wide ? 20 : 12);
  }
  return Math.min(end, size);
}

/**
 * A local header at `at` taken as a hidden entry when it has a name and it, its data and its data
 * descriptor end by `gapEnd` (else it would overlap a listed entry: a signature inside data).
 * `cost`: header bytes read to decide.
 */
async function entryInGap(
  src: ByteSource,
  win: SourceWindow,
  at: number,
  gapEnd: number,
  index: number,
): Promise<{ entry: ZipEntry | null; end: number; cost: number }> {
  const none = { entry: null, end: at, cost: 30 };
  if (at + 30 > gapEnd) return none;
  const h = await win.at(at, 30);
  if (h.length < 30) return none;
  const nameLen = u16(h, 26);
  const dataOffset = at + 30 + nameLen + u16(h, 28);
  if (nameLen === 0 || dataOffset > gapEnd) return none;
  const bit3 = (u16(h, 6) & 0x8) !== 0 && u32(h, 18) === 0;
  if (!bit3 && u32(h, 18) !== 0xffffffff && dataOffset + u32(h, 18) > gapEnd) return none;
  const rec = await readLocalEntry(src, win, at, index);
  const cost = dataOffset - at;
  return rec.end <= gapEnd ? { entry: rec.entry, end: Math.max(rec.end, dataOffset), cost } : { entry: null, end: at, cost };
}

/** Finds local header signatures in ranges of a source, re-reading nothing when asked again just past a hit. */
class SignatureScanner {
  /** Bytes read from the source so far. */
  bytesRead = 0;
  private base = 0;
  private buf: Uint8Array = new Uint8Array(0);

  constructor(private readonly src: ByteSource) {}

  /** Position of the first local header signature wholly inside [from, to), or null. */
  async next(from: number, to: number): Promise<number | null> {
    let pos = from;
    while (pos + 4 <= to) {
      if (pos < this.base || pos + 4 > this.base + this.buf.length) {
        this.base = pos;
        this.buf = await this.src.read(pos, Math.min(STEP + 3, to - pos));
        this.bytesRead += this.buf.length;
        if (this.buf.length < 4) return null;
      }
      const buf = this.buf;
      const limit = Math.min(buf.length, to - this.base);
      for (let i = buf.indexOf(0x50, pos - this.base); i !== -1 && i + 4 <= limit; i = buf.indexOf(0x50, i + 1)) {
        if (buf[i + 1] === 0x4b && buf[i + 2] === 0x03 && buf[i + 3] === 0x04) return this.base + i;
      }
      const after = this.base + limit - 3; // the last 3 bytes may begin a signature that crosses the edge
      if (after <= pos) return null;
      pos = after;
    }
    return null;
  }
}
