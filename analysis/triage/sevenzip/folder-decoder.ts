/**
 * A 7z folder's coder graph (7zFormat.txt "Folder": coders, bind pairs, packed streams) wired into
 * one byte producer for its main output. Decompressors (Copy, LZMA, LZMA2) read a packed stream;
 * filters (BCJ x86, Delta) read another coder's output. 7zAES, BCJ2 and every other coder stop
 * the folder before its packed bytes are read, with a reason naming the coder.
 */
import type { ByteSource } from '../../core/byte-source.js';
import { crc32 } from '../../ingest/archive/zip-reader.js';
import { BcjX86Producer } from './bcj-x86.js';
import { copyProducer, type ByteProducer } from './byte-producer.js';
import { CODER, coderLabel } from './coder-ids.js';
import { DeltaProducer } from './delta-filter.js';
import { Lzma2Producer, LzmaProducer, lzmaProperties } from './lzma-streams.js';
import { SevenZipError } from './sevenzip-error.js';
import { mainOutStream, type Folder } from './streams-info.js';

const DECOMPRESSORS: ReadonlySet<string> = new Set([CODER.copy, CODER.lzma, CODER.lzma2]);
const FILTERS: ReadonlySet<string> = new Set([CODER.bcjX86, CODER.bcjX86Short, CODER.delta]);

export interface FolderObstacle {
  kind: 'encrypted' | 'unsupported';
  message: string;
}

/** Why this folder cannot be decoded here, or null. Checked before any packed byte is read. */
export function folderObstacle(folder: Folder): FolderObstacle | null {
  const methods = folder.coders.map((c) => coderLabel(c.id)).join(' + ');
  if (folder.coders.some((c) => c.id === CODER.aes256)) {
    return { kind: 'encrypted', message: `encrypted with 7zAES (AES-256, coders ${methods}); no password, no content` };
  }
  for (const c of folder.coders) {
    if (!DECOMPRESSORS.has(c.id) && !FILTERS.has(c.id)) return { kind: 'unsupported', message: `coder ${coderLabel(c.id)} is not decoded here (coders ${methods})` };
    if (c.numIn !== 1 || c.numOut !== 1) return { kind: 'unsupported', message: `coder ${coderLabel(c.id)} with ${c.numIn} inputs and ${c.numOut} outputs` };
  }
  if (folder.packedStreams.length !== 1) return { kind: 'unsupported', message: `folder with ${folder.packedStreams.length} packed streams (coders ${methods})` };
  if (mainOutStream(folder) < 0) return { kind: 'unsupported', message: 'folder whose every output is bound' };
  return null;
}

/**
 * Memory a folder's decoders set up before the first byte (LZMA probability tables: 2 bytes ×
 * (1847 + 0x300 << (lc + lp)), up to 6 MiB at lc=8 lp=4). Charged to the archive's decode budget,
 * so 100 000 one-byte folders cannot each cost a fresh table.
 */
export function folderSetupBytes(folder: Folder): number {
  let n = 0;
  for (const c of folder.coders) {
    if (c.id === CODER.lzma2) n += 2 * (1847 + (0x300 << 4));
    else if (c.id === CODER.lzma && c.props.length >= 1 && c.props[0]! < 225) n += 2 * (1847 + (0x300 << ((c.props[0]! % 9) + (Math.floor(c.props[0]! / 9) % 5))));
  }
  return n;
}

/** The producer of the folder's main output; `packed` holds its packed streams in pack order. */
export function folderProducer(folder: Folder, packed: readonly Uint8Array[], maxWindow: number): ByteProducer {
  // Coder i owns in-stream i and out-stream i once folderObstacle() passed (one in, one out each).
  const build = (outIndex: number, depth: number): ByteProducer => {
    if (depth > folder.coders.length) throw new SevenZipError('malformed', 'folder bind pairs form a cycle');
    const coder = folder.coders[outIndex];
    if (!coder) throw new SevenZipError('malformed', `out-stream ${outIndex} has no coder`);
    const size = folder.unpackSizes[outIndex] ?? 0;
    const bound = folder.bindPairs.find((b) => b.inIndex === outIndex);
    if (FILTERS.has(coder.id)) {
      if (!bound) throw new SevenZipError('unsupported', `filter ${coderLabel(coder.id)} reads a packed stream directly`);
      const inner = build(bound.outIndex, depth + 1);
      return coder.id === CODER.delta ? new DeltaProducer(inner, coder.props) : new BcjX86Producer(inner);
    }
    if (bound) throw new SevenZipError('unsupported', `${coderLabel(coder.id)} reads another coder's output`);
    const input = packed[folder.packedStreams.indexOf(outIndex)];
    if (!input) throw new SevenZipError('malformed', `in-stream ${outIndex} has neither a bind pair nor a packed stream`);
    if (coder.id === CODER.copy) return copyProducer(input, size);
    if (coder.id === CODER.lzma) return new LzmaProducer(input, lzmaProperties(coder.props), size, maxWindow);
    return new Lzma2Producer(input, coder.props, size, maxWindow);
  };
  return build(mainOutStream(folder), 0);
}

export interface PackedRead {
  streams: Uint8Array[];
  /** Problems met: a packed stream cut short by the end of the file, a pack CRC mismatch. */
  problems: { kind: 'truncated' | 'crc'; message: string }[];
}

/**
 * The folder's packed streams, each read up to `maxBytes` (what decoding the needed output can
 * consume), so a lying pack size never makes us read more than the output bound justifies.
 */
export async function readPackedStreams(
  src: ByteSource,
  streams: readonly { offset: number; size: number; crc: number | null }[],
  maxBytes: number,
): Promise<PackedRead> {
  const out: PackedRead = { streams: [], problems: [] };
  for (const s of streams) {
    const want = Math.min(s.size, maxBytes, Math.max(0, src.size - s.offset));
    const bytes = want > 0 ? await src.read(s.offset, want) : new Uint8Array(0);
    if (bytes.length < Math.min(s.size, maxBytes)) {
      out.problems.push({ kind: 'truncated', message: `packed stream at byte ${s.offset} holds ${bytes.length} of its ${s.size} bytes (archive cut short)` });
    } else if (s.crc !== null && bytes.length === s.size && crc32(bytes) !== s.crc) {
      out.problems.push({ kind: 'crc', message: `packed stream at byte ${s.offset}: CRC-32 ${hex(crc32(bytes))}, header says ${hex(s.crc)}` });
    }
    out.streams.push(bytes);
  }
  return out;
}

export function hex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}
