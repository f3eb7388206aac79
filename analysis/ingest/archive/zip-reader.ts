/**
 * A lenient, bounded zip reader over random-access bytes. It never loads the whole archive: the
 * directory is read through a window and entries are streamed (stored, or deflate via node:zlib).
 * Leniency follows what PyTorch's loader (miniz) accepts, so what `torch.load` would read is what
 * we inspect: flag bits do not stop a read, a CRC mismatch is a warning, the central-directory name
 * wins over the local header's. Bombs are bounded by ArchiveLimits.
 */
import { crc32 as zlibCrc32, inflateRawSync, constants as zc } from 'node:zlib';
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import { inflateBounded } from './bounded-inflate.js';
import { collectBounded } from './byte-streams.js';
import { BundleError, exceedsRatio, resolveLimits, type ArchiveLimits, type DecompressionBudget } from './limits.js';
import { readZipDirectory, type ZipEntry } from './zip-directory.js';
import { decodeName, SIG_LOCAL, u16, u32 } from './zip-fields.js';

export type { ZipEntry } from './zip-directory.js';

export interface ZipArchive {
  readonly name: string;
  readonly entries: ZipEntry[];
  /** Oddities found so far (grows while entries are read: CRC mismatches, name mismatches). */
  readonly warnings: string[];
  /** The whole entry, bounded by maxEntryBytes. */
  read(entry: ZipEntry): Promise<Uint8Array>;
  /**
   * The entry's bytes as they are produced; throws BundleError on bombs and truncation. Warnings
   * about this entry (CRC or size mismatch, local name mismatch) also go to `onWarning`.
   */
  stream(entry: ZipEntry, onWarning?: (message: string) => void): AsyncIterable<Uint8Array>;
  /** Random access to the entry: a view of the archive for stored entries, else inflated into memory (bounded by maxNestedArchiveBytes). */
  source(entry: ZipEntry): Promise<ByteSource>;
}

/** CRC-32 (ISO 3309, as zip and gzip use it); `previous` continues a running value. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return zlibCrc32(bytes, previous) >>> 0;
}

const READ_CHUNK = 1 << 20;
const PROBE_BYTES = 64 << 10;
const MAX_WARNINGS = 1000;
const EAGER_LOCAL_HEADERS = 4096;

export async function openZip(
  src: ByteSource,
  limits?: Partial<ArchiveLimits>,
  budget?: DecompressionBudget,
): Promise<ZipArchive> {
  const lim = resolveLimits(limits);
  const dir = await readZipDirectory(src, lim.maxEntries);
  const warnings = dir.warnings.slice(0, MAX_WARNINGS);
  const entries = dir.entries;
  let declared = 0;
  for (const e of entries) declared += e.uncompressedSize;
  if (declared > lim.maxTotalBytes) warnings.push(`${src.name}: entries declare ${declared} bytes in all, over the ${lim.maxTotalBytes}-byte limit`);
  noteOverlaps(src.name, entries, warnings);
  noteDuplicates(src.name, entries, warnings);
  for (const e of entries) {
    if ((e.flags & 0x20) !== 0) warn(`${src.name}: ${e.name} has flag bit 5 (patched data) set; ignored as miniz does`);
    if (e.encrypted && (e.flags & 0x41) === 0x01 && e.method !== 99) e.encrypted = await reallyEncrypted(e);
  }
  // Local headers are read up front for ordinary archives, so a local name that differs from the
  // central one (a scanner-evasion trick, picklescan malicious1_central_directory.zip) is known at once.
  if (entries.length <= EAGER_LOCAL_HEADERS) {
    for (const e of entries) {
      try {
        await dataOffsetOf(e);
      } catch (err) {
        warn(err instanceof Error ? err.message : String(err));
      }
    }
  }
  let inflatedTotal = 0;

  function warn(message: string, onWarning?: (message: string) => void): void {
    if (warnings.length < MAX_WARNINGS) warnings.push(message);
    onWarning?.(message);
  }

  async function dataOffsetOf(e: ZipEntry, onWarning?: (message: string) => void): Promise<number> {
    if (e.dataOffset !== null) return e.dataOffset;
    const h = await src.read(e.localHeaderOffset, 30 + 512); // the name usually fits: one read
    if (h.length < 30 || u32(h, 0) !== SIG_LOCAL) {
      throw new BundleError(src.name, `${e.name} in ${src.name}: no local file header at byte ${e.localHeaderOffset}`);
    }
    const nameLen = u16(h, 26);
    const extraLen = u16(h, 28);
    const nameBytes = 30 + nameLen <= h.length ? h.subarray(30, 30 + nameLen) : await src.read(e.localHeaderOffset + 30, nameLen);
    const localName = decodeName(nameBytes, (u16(h, 6) & 0x800) !== 0);
    if (localName !== e.name) {
      warn(`${src.name}: local header names ${JSON.stringify(localName)} for central entry ${JSON.stringify(e.name)}; the central name is used`, onWarning);
    }
    e.dataOffset = e.localHeaderOffset + 30 + nameLen + extraLen;
    return e.dataOffset;
  }

  /** Flag bit 0 over data that is not encrypted is a scanner-evasion trick (picklescan malicious1_0x1). */
  async function reallyEncrypted(e: ZipEntry): Promise<boolean> {
    let plain = false;
    if (e.method === 0) {
      plain = e.compressedSize === e.uncompressedSize; // PKWARE encryption adds a 12-byte header
    } else if (e.method === 8) {
      try {
        const at = await dataOffsetOf(e);
        const probe = await src.read(at, Math.min(e.compressedSize, PROBE_BYTES));
        inflateRawSync(probe, { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 });
        plain = true;
      } catch (err) {
        plain = err instanceof RangeError; // inflated past the probe limit: it is deflate data
      }
    }
    if (plain) warn(`${src.name}: ${e.name} has the encryption flag set over plain data; read anyway, as PyTorch does`);
    return !plain;
  }

  function checkEntry(e: ZipEntry): void {
    const label = `${e.name} in ${src.name}`;
    if (e.encrypted) throw new BundleError(src.name, `${label} is encrypted`);
    if (e.method !== 0 && e.method !== 8) throw new BundleError(src.name, `${label} uses unsupported compression method ${e.method}`);
    if (e.uncompressedSize > lim.maxEntryBytes) throw new BundleError(src.name, `${label} is too large (${e.uncompressedSize} bytes)`);
    if (e.method === 8 && exceedsRatio(e.uncompressedSize, e.compressedSize, lim.maxRatio)) {
      throw new BundleError(src.name, `decompression bomb: ${label} declares a ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}:1 ratio`);
    }
  }

  async function* rawData(e: ZipEntry, at: number): AsyncGenerator<Uint8Array, void, undefined> {
    for (let pos = 0; pos < e.compressedSize; ) {
      const chunk = await src.read(at + pos, Math.min(READ_CHUNK, e.compressedSize - pos));
      if (chunk.length === 0) {
        const at = `at byte ${pos} of its ${e.compressedSize} compressed bytes`;
        throw new BundleError(src.name, `truncated zip: ${e.name} in ${src.name} is cut short (${at})`);
      }
      pos += chunk.length;
      yield chunk;
    }
  }

  async function* stream(e: ZipEntry, onWarning?: (message: string) => void): AsyncGenerator<Uint8Array, void, undefined> {
    checkEntry(e);
    const at = await dataOffsetOf(e, onWarning);
    const label = `${src.name}!/${e.name}`;
    // Declared compressed bytes the deflate stream did not use (known only when it ends well).
    let slack = 0;
    const onEnd = (used: number): void => {
      slack = e.compressedSize - used;
    };
    const body =
      e.method === 8
        ? inflateBounded('deflate-raw', rawData(e, at), { name: label, maxBytes: lim.maxEntryBytes, maxRatio: lim.maxRatio, budget, onEnd })
        : rawData(e, at);
    let crc = 0;
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      inflatedTotal += chunk.length;
      if (inflatedTotal > lim.maxTotalBytes) {
        throw new BundleError(src.name, `decompression bomb: ${src.name} inflates past ${lim.maxTotalBytes} bytes in all`);
      }
      if (e.method === 0) budget?.charge(chunk.length, label);
      crc = zlibCrc32(chunk, crc);
      yield chunk;
    }
    if (e.sizeKnown && size !== e.uncompressedSize) {
      warn(`${src.name}: ${e.name} holds ${size} bytes, its header says ${e.uncompressedSize}`, onWarning);
    }
    if (e.sizeKnown && (crc >>> 0) !== e.crc32) warn(`${src.name}: CRC-32 mismatch in ${e.name} (read anyway)`, onWarning);
    // Sizes from a local-header scan that had to guess where the entry ends are not a declaration.
    if (slack > 0 && e.sizeKnown) warn(`${src.name}: ${e.name} has ${slack} bytes after the end of the deflate stream, ignored`, onWarning);
  }

  return {
    name: src.name,
    entries,
    warnings,
    stream,
    read(e) {
      return collectBounded(stream(e), lim.maxEntryBytes, `${src.name}!/${e.name}`);
    },
    async source(e) {
      checkEntry(e);
      const label = `${src.name}!/${e.name}`;
      if (e.method === 0) {
        const at = await dataOffsetOf(e);
        const size = Math.max(0, Math.min(e.compressedSize, src.size - at));
        return {
          name: label,
          size,
          read(position, length) {
            const start = Math.max(0, Math.min(position, size));
            const end = Math.max(start, Math.min(size, position + length));
            return src.read(at + start, end - start);
          },
        };
      }
      if (e.uncompressedSize > lim.maxNestedArchiveBytes) {
        throw new BundleError(src.name, `${label} is too large to open in memory (${e.uncompressedSize} bytes)`);
      }
      return bufferSource(label, await collectBounded(stream(e), lim.maxNestedArchiveBytes, label));
    },
  };
}

/** Entries sharing data bytes are the overlapping-file zip bomb (Fifield 2019); the budget stops it, this says why. */
function noteOverlaps(name: string, entries: readonly ZipEntry[], warnings: string[]): void {
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const cur = byOffset[i]!;
    if (cur.localHeaderOffset < prev.localHeaderOffset + 30 + prev.compressedSize) {
      warnings.push(`${name}: entries ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)} overlap (a zip-bomb technique)`);
      return;
    }
  }
}

/** Two entries with one name: tools disagree on which one wins (a scanner-evasion trick). */
function noteDuplicates(name: string, entries: readonly ZipEntry[], warnings: string[]): void {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name) && warnings.length < MAX_WARNINGS) warnings.push(`${name}: two entries named ${JSON.stringify(e.name)}`);
    seen.add(e.name);
  }
}
