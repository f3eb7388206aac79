/**
 * TEST-ONLY: edits the plain (kHeader, `7z a -mhc=off`) header of a real 7z fixture and writes
 * back the two CRCs 7zFormat.txt puts on it (next-header CRC, start-header CRC), so a test can
 * make a crafted archive — a `..` name, an unknown coder id, a lying size — that differs from a
 * real one only where it means to.
 */
import { crc32 } from '../../ingest/archive/zip-reader.js';

function u32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v >>> 0, true);
}

/** Start (absolute) and size of the archive's next header. */
export function headerSpan(archive: Uint8Array): { start: number; size: number } {
  const dv = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  return { start: 32 + Number(dv.getBigUint64(12, true)), size: Number(dv.getBigUint64(20, true)) };
}

/** Recomputes the next-header CRC and the start-header CRC after an edit. */
export function fixCrcs(archive: Uint8Array): Uint8Array {
  const { start, size } = headerSpan(archive);
  u32(archive, 28, crc32(archive.subarray(start, start + size)));
  u32(archive, 8, crc32(archive.subarray(12, 32)));
  return archive;
}

/** Index of `needle` inside the header (-1 when absent). */
export function findInHeader(archive: Uint8Array, needle: Uint8Array): number {
  const { start, size } = headerSpan(archive);
  outer: for (let i = start; i + needle.length <= start + size; i++) {
    for (let j = 0; j < needle.length; j++) if (archive[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A copy with `from` replaced by `to` (same length) inside the header, CRCs fixed. */
export function replaceInHeader(archive: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  if (from.length !== to.length) throw new Error('replaceInHeader keeps the header length');
  const out = Uint8Array.from(archive);
  const at = findInHeader(out, from);
  if (at < 0) throw new Error('pattern not in the header');
  out.set(to, at);
  return fixCrcs(out);
}

export function utf16(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    out[2 * i] = s.charCodeAt(i) & 0xff;
    out[2 * i + 1] = s.charCodeAt(i) >>> 8;
  }
  return out;
}
