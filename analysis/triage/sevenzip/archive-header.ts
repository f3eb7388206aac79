/**
 * Opens a 7z archive (7zFormat.txt): the 32-byte signature header (signature, version, start
 * header CRC, next-header offset/size/CRC), then the header — plain (kHeader) or encoded
 * (kEncodedHeader: a StreamsInfo whose one folder decodes to the real header, usually LZMA) — and
 * maps FilesInfo onto the member streams of the folders. CRC mismatches and oddities become
 * findings and reading goes on; what cannot be read at all comes back as a reason.
 */
import type { ByteSource } from '../../core/byte-source.js';
import { crc32 } from '../../ingest/archive/zip-reader.js';
import type { Finding } from '../finding.js';
import { triageFinding } from '../finding-ids.js';
import { parseFilesInfo, isSymlink, type FileRecord } from './files-info.js';
import { folderObstacle, folderProducer, hex, readPackedStreams } from './folder-decoder.js';
import { HeaderCursor } from './header-cursor.js';
import { NID, SIGNATURE, SIGNATURE_HEADER_BYTES } from './property-ids.js';
import { SevenZipError, sevenZipErrorKind, sevenZipErrorText, type SevenZipErrorKind } from './sevenzip-error.js';
import { sevenZipLimits, type SevenZipLimits } from './sevenzip-limits.js';
import { folderUnpackSize, parseStreamsInfo, type Folder, type StreamsInfo } from './streams-info.js';

export interface SevenZipEntry {
  /** As stored (cut at the name bound); a made-up `(stream N without a file entry)` for orphan streams. */
  name: string;
  size: number;
  /** CRC-32 of the content, when the header gives one. */
  crc: number | null;
  isDirectory: boolean;
  hasStream: boolean;
  isAnti: boolean;
  isSymlink: boolean;
  attributes: number | null;
  /** Folder holding the bytes, -1 when there are none. */
  folder: number;
  /** Offset of the bytes in the folder's output. */
  offset: number;
}

export interface PackedStream {
  /** Absolute offset in the archive file. */
  offset: number;
  size: number;
  crc: number | null;
}

export interface SevenZipArchive {
  version: { major: number; minor: number };
  packed: PackedStream[];
  folders: Folder[];
  /** Index in `packed` of each folder's first packed stream. */
  folderFirstPack: number[];
  entries: SevenZipEntry[];
  /** True when the header was itself compressed (kEncodedHeader). */
  headerEncoded: boolean;
}

/** `findings`: oddities met on the way (CRC mismatches, cut names, orphan streams), in both cases. */
export type SevenZipOpenResult =
  | { ok: true; archive: SevenZipArchive; findings: Finding[] }
  | { ok: false; kind: SevenZipErrorKind; reason: string; findings: Finding[] };

interface Layout {
  packed: PackedStream[];
  folderFirstPack: number[];
}

function layoutOf(info: StreamsInfo): Layout {
  const packed: PackedStream[] = [];
  let at = SIGNATURE_HEADER_BYTES + info.packPos;
  info.packSizes.forEach((size, i) => {
    packed.push({ offset: at, size, crc: info.packCrcs[i] ?? null });
    at += size;
  });
  const folderFirstPack: number[] = [];
  let k = 0;
  for (const f of info.folders) {
    folderFirstPack.push(k);
    k += f.packedStreams.length;
  }
  return { packed, folderFirstPack };
}

/** Decodes a whole folder into memory (the encoded header); at most `max` bytes. */
async function decodeWholeFolder(src: ByteSource, info: StreamsInfo, index: number, limits: SevenZipLimits, findings: Finding[]): Promise<Uint8Array> {
  const folder = info.folders[index]!;
  const obstacle = folderObstacle(folder);
  if (obstacle) throw new SevenZipError(obstacle.kind, `the header is ${obstacle.kind === 'encrypted' ? '' : 'compressed with a coder not decoded here: '}${obstacle.message}`);
  const size = folderUnpackSize(folder);
  if (size > limits.maxHeaderBytes) throw new SevenZipError('limit', `encoded header declares ${size} bytes, over the ${limits.maxHeaderBytes}-byte bound`);
  const layout = layoutOf(info);
  const mine = layout.packed.slice(layout.folderFirstPack[index]!, layout.folderFirstPack[index]! + folder.packedStreams.length);
  const read = await readPackedStreams(src, mine, size + (size >> 5) + (1 << 16));
  for (const p of read.problems) findings.push(triageFinding(p.kind === 'crc' ? 'SEVENZIP_CRC_MISMATCH' : 'SEVENZIP_MALFORMED', `encoded header: ${p.message}`));
  const producer = folderProducer(folder, read.streams, limits.maxWindowBytes);
  const out = new Uint8Array(size);
  let got = 0;
  while (got < size) {
    const chunk = producer.read(size - got);
    if (chunk.length === 0) break;
    out.set(chunk, got);
    got += chunk.length;
  }
  if (got < size) throw new SevenZipError('truncated', `encoded header decodes to ${got} of its ${size} bytes`);
  if (folder.crc !== null && crc32(out) !== folder.crc) {
    findings.push(triageFinding('SEVENZIP_CRC_MISMATCH', `decoded header: CRC-32 ${hex(crc32(out))}, header says ${hex(folder.crc)} (read anyway)`));
  }
  return out;
}

function entriesOf(files: readonly FileRecord[], info: StreamsInfo, findings: Finding[]): SevenZipEntry[] {
  const entries: SevenZipEntry[] = [];
  let folder = 0;
  let inFolder = 0;
  let offset = 0;
  let stream = 0;
  const nextStream = (): { folder: number; offset: number; size: number; crc: number | null } | null => {
    while (folder < info.folders.length && inFolder >= (info.numUnpackStreams[folder] ?? 0)) {
      folder++;
      inFolder = 0;
      offset = 0;
    }
    if (folder >= info.folders.length || stream >= info.streamSizes.length) return null;
    const s = { folder, offset, size: info.streamSizes[stream]!, crc: info.streamCrcs[stream] ?? null };
    offset += s.size;
    inFolder++;
    stream++;
    return s;
  };
  let missing = 0;
  for (const f of files) {
    const e: SevenZipEntry = { name: f.name, size: 0, crc: null, isDirectory: f.isDirectory, hasStream: f.hasStream, isAnti: f.isAnti, isSymlink: isSymlink(f.attributes), attributes: f.attributes, folder: -1, offset: 0 };
    if (f.hasStream) {
      const s = nextStream();
      if (s) Object.assign(e, { folder: s.folder, offset: s.offset, size: s.size, crc: s.crc });
      else {
        missing++;
        e.hasStream = false;
      }
    }
    entries.push(e);
  }
  if (missing > 0) findings.push(triageFinding('SEVENZIP_MALFORMED', `${missing} files with content have no stream in the folders`));
  // Streams no file claims: content no extractor shows. Triaged under made-up names.
  let orphans = 0;
  for (let s = nextStream(); s; s = nextStream()) {
    orphans++;
    entries.push({ name: `(stream ${stream - 1} without a file entry)`, size: s.size, crc: s.crc, isDirectory: false, hasStream: true, isAnti: false, isSymlink: false, attributes: null, folder: s.folder, offset: s.offset });
  }
  if (orphans > 0) findings.push(triageFinding('SEVENZIP_MALFORMED', `${orphans} member streams belong to no file entry (content hidden from extractors); triaged anyway`));
  return entries;
}

function parseHeader(cur: HeaderCursor, limits: SevenZipLimits, findings: Finding[]): { info: StreamsInfo | null; files: FileRecord[] } {
  let t = cur.byte();
  if (t === NID.kArchiveProperties) {
    for (let id = cur.byte(); id !== NID.kEnd; id = cur.byte()) cur.skip(cur.bounded(cur.remaining, 'archive property size'), 'an archive property');
    t = cur.byte();
  }
  if (t === NID.kAdditionalStreamsInfo) {
    parseStreamsInfo(cur, limits);
    t = cur.byte();
  }
  let info: StreamsInfo | null = null;
  if (t === NID.kMainStreamsInfo) {
    info = parseStreamsInfo(cur, limits);
    t = cur.byte();
  }
  let files: FileRecord[] = [];
  if (t === NID.kFilesInfo) {
    const warnings: string[] = [];
    files = parseFilesInfo(cur, limits, warnings);
    for (const w of warnings) findings.push(triageFinding('CONTAINER_WARNING', `7z header: ${w}`));
    t = cur.byte();
  }
  if (t !== NID.kEnd) findings.push(triageFinding('SEVENZIP_MALFORMED', `header ends with property 0x${t.toString(16)} instead of kEnd (ignored)`));
  return { info, files };
}

async function readArchive(src: ByteSource, limits: SevenZipLimits, findings: Finding[]): Promise<SevenZipArchive> {
  const sig = await src.read(0, SIGNATURE_HEADER_BYTES);
  if (sig.length < SIGNATURE_HEADER_BYTES) throw new SevenZipError('truncated', `${sig.length}-byte file: shorter than the 32-byte signature header`);
  for (let i = 0; i < SIGNATURE.length; i++) if (sig[i] !== SIGNATURE[i]) throw new SevenZipError('malformed', 'no 7z signature');
  const version = { major: sig[6]!, minor: sig[7]! };
  if (version.major !== 0) findings.push(triageFinding('CONTAINER_WARNING', `7z format version ${version.major}.${version.minor} (7-Zip writes 0.2–0.4)`));
  const start = new HeaderCursor(sig, 8);
  const startCrc = start.uint32();
  if (crc32(sig.subarray(12, 32)) !== startCrc) findings.push(triageFinding('SEVENZIP_CRC_MISMATCH', `start header: CRC-32 ${hex(crc32(sig.subarray(12, 32)))}, stored ${hex(startCrc)} (read anyway)`));
  const nextOffset = start.uint64('next header offset');
  const nextSize = start.uint64('next header size');
  const nextCrc = start.uint32();
  const archive: SevenZipArchive = { version, packed: [], folders: [], folderFirstPack: [], entries: [], headerEncoded: false };
  if (nextSize === 0) return archive; // an empty archive
  if (nextSize > limits.maxHeaderBytes) throw new SevenZipError('limit', `header of ${nextSize} bytes, over the ${limits.maxHeaderBytes}-byte bound`);
  const at = SIGNATURE_HEADER_BYTES + nextOffset;
  if (at + nextSize > src.size) throw new SevenZipError('truncated', `header at byte ${at} (${nextSize} bytes) lies past the end of the ${src.size}-byte file`);
  let header = await src.read(at, nextSize);
  if (crc32(header) !== nextCrc) findings.push(triageFinding('SEVENZIP_CRC_MISMATCH', `header: CRC-32 ${hex(crc32(header))}, start header says ${hex(nextCrc)} (read anyway)`));
  for (let level = 0; ; level++) {
    const cur = new HeaderCursor(header);
    const id = cur.byte();
    if (id === NID.kHeader) {
      const { info, files } = parseHeader(cur, limits, findings);
      if (info) Object.assign(archive, layoutOf(info), { folders: info.folders });
      archive.entries = entriesOf(files, info ?? { packPos: 0, packSizes: [], packCrcs: [], folders: [], numUnpackStreams: [], streamSizes: [], streamCrcs: [] }, findings);
      return archive;
    }
    if (id !== NID.kEncodedHeader) throw new SevenZipError('malformed', `header starts with property 0x${id.toString(16)}`);
    if (level >= limits.maxHeaderNesting) throw new SevenZipError('limit', `encoded headers nested more than ${limits.maxHeaderNesting} deep`);
    const info = parseStreamsInfo(cur, limits);
    if (info.folders.length === 0) throw new SevenZipError('malformed', 'encoded header without a folder');
    header = await decodeWholeFolder(src, info, 0, limits, findings);
    archive.headerEncoded = true;
  }
}

/** Opens the archive's directory; never throws (a failure is `{ ok: false }` with its reason). */
export async function openSevenZip(src: ByteSource, partial?: Partial<SevenZipLimits>): Promise<SevenZipOpenResult> {
  const findings: Finding[] = [];
  try {
    return { ok: true, archive: await readArchive(src, sevenZipLimits(partial), findings), findings };
  } catch (e) {
    return { ok: false, kind: sevenZipErrorKind(e), reason: sevenZipErrorText(e), findings };
  }
}
