/**
 * The members of an opened 7z archive with their bytes, folder by folder. A folder (solid block)
 * is one stream: it is decoded once, front to back, each member copied out as it passes, members
 * too large to hold are decoded through (only as far as a later member needs). Bounds: bytes per
 * member, decoded bytes per archive, decoded/packed ratio per folder (the zip bomb rule of
 * ingest/archive/limits.ts). Problems become findings; the generator itself never throws.
 */
import type { ByteSource } from '../../core/byte-source.js';
import { exceedsRatio } from '../../ingest/archive/limits.js';
import { crc32 } from '../../ingest/archive/zip-reader.js';
import type { Finding } from '../finding.js';
import { triageFinding, type TriageFindingKey } from '../finding-ids.js';
import type { SevenZipArchive, SevenZipEntry } from './archive-header.js';
import type { ByteProducer } from './byte-producer.js';
import { folderObstacle, folderProducer, folderSetupBytes, hex, readPackedStreams } from './folder-decoder.js';
import { SevenZipError, sevenZipErrorKind, sevenZipErrorText, type SevenZipErrorKind } from './sevenzip-error.js';
import { sevenZipLimits, type SevenZipLimits } from './sevenzip-limits.js';

export interface SevenZipMember {
  entry: SevenZipEntry;
  /** The content; shorter than entry.size when its stream broke off (a finding says so). */
  bytes: Uint8Array;
}

const CHUNK = 1 << 20;
/** Members named one by one in a folder-wide finding (encrypted, unsupported, not reached). */
const NAMED = 20;

const KEY_OF: Readonly<Record<SevenZipErrorKind, TriageFindingKey>> = {
  malformed: 'SEVENZIP_MALFORMED',
  truncated: 'SEVENZIP_MALFORMED',
  limit: 'CONTAINER_ENTRY_UNREADABLE',
  unsupported: 'SEVENZIP_UNSUPPORTED_CODER',
  encrypted: 'SEVENZIP_ENCRYPTED',
};

/** The finding a SevenZipError of `kind` becomes. */
export function sevenZipFinding(kind: SevenZipErrorKind, message: string, location?: string): Finding {
  return triageFinding(KEY_OF[kind], message, location);
}

function names(list: readonly SevenZipEntry[]): string {
  const shown = list.slice(0, NAMED).map((e) => JSON.stringify(e.name.slice(0, 200))).join(', ');
  return list.length > NAMED ? `${shown} and ${list.length - NAMED} more` : shown;
}

function grown(b: Uint8Array, max: number): Uint8Array {
  const next = new Uint8Array(Math.min(max, b.length * 2));
  next.set(b);
  return next;
}

/** Decoded bytes of one archive, shared by its folders. */
interface Budget {
  used: number;
}

/** Pulls a folder's output front to back under the archive's bounds. */
class FolderStream {
  pos = 0;
  constructor(
    private readonly producer: ByteProducer,
    private readonly packedBytes: number,
    private readonly budget: Budget,
    private readonly limits: SevenZipLimits,
  ) {}

  /** Fills `into` (or discards `n` bytes when null); returns the count got (short at end of stream). */
  pull(n: number, into: Uint8Array | null): number {
    let got = 0;
    while (got < n) {
      const chunk = this.producer.read(Math.min(CHUNK, n - got));
      if (chunk.length === 0) break;
      if (into) into.set(chunk, got);
      got += chunk.length;
      this.pos += chunk.length;
      this.budget.used += chunk.length;
      if (this.budget.used > this.limits.maxTotalBytes) {
        throw new SevenZipError('limit', `decoding stopped: the archive passed ${this.limits.maxTotalBytes} decoded bytes`);
      }
      if (exceedsRatio(this.pos, this.packedBytes, this.limits.maxRatio)) {
        throw new SevenZipError('limit', `decompression bomb: ${this.pos} bytes decoded from a ${this.packedBytes}-byte packed folder (over ${this.limits.maxRatio}:1); decoding stopped`);
      }
    }
    return got;
  }
}

async function* folderMembers(
  src: ByteSource,
  archive: SevenZipArchive,
  index: number,
  members: readonly SevenZipEntry[],
  limits: SevenZipLimits,
  budget: Budget,
  findings: Finding[],
): AsyncGenerator<SevenZipMember, void, undefined> {
  const folder = archive.folders[index]!;
  const obstacle = folderObstacle(folder);
  if (obstacle) {
    const key: TriageFindingKey = obstacle.kind === 'encrypted' ? 'SEVENZIP_ENCRYPTED' : 'SEVENZIP_UNSUPPORTED_CODER';
    for (const e of members.slice(0, NAMED)) findings.push(triageFinding(key, `${e.name}: ${obstacle.message}; not inspected`, e.name));
    if (members.length > NAMED) findings.push(triageFinding(key, `${members.length - NAMED} more members of folder ${index}: ${obstacle.message}; not inspected`));
    return;
  }
  const wanted = members.filter((e) => e.size <= limits.maxMemberBytes);
  for (const e of members) {
    if (e.size > limits.maxMemberBytes) findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${e.size}-byte member too large to triage inside a 7z (bound ${limits.maxMemberBytes})`, e.name));
  }
  if (wanted.length === 0) return;
  const last = wanted[wanted.length - 1]!;
  const needed = Math.min(last.offset + last.size, limits.maxTotalBytes - budget.used + CHUNK);
  const first = archive.folderFirstPack[index]!;
  const packs = archive.packed.slice(first, first + folder.packedStreams.length);
  // The ratio is taken over the packed bytes the file really holds: a lying pack size must not hide a bomb.
  const packedBytes = packs.reduce((s, p) => s + Math.max(0, Math.min(p.size, src.size - p.offset)), 0);
  let done = 0;
  try {
    budget.used += folderSetupBytes(folder);
    if (budget.used > limits.maxTotalBytes) throw new SevenZipError('limit', `decoding stopped: the archive passed ${limits.maxTotalBytes} decoded bytes (decoder tables included)`);
    // LZMA and LZMA2 never need much more input than output (stored chunks, 1–2 % on random data).
    const read = await readPackedStreams(src, packs, needed + (needed >> 5) + CHUNK);
    for (const p of read.problems) findings.push(triageFinding(p.kind === 'crc' ? 'SEVENZIP_CRC_MISMATCH' : 'SEVENZIP_MALFORMED', `folder ${index}: ${p.message}`));
    const stream = new FolderStream(folderProducer(folder, read.streams, limits.maxWindowBytes), packedBytes, budget, limits);
    for (const e of wanted) {
      if (e.offset < stream.pos) throw new SevenZipError('malformed', `${e.name} overlaps the member before it`);
      if (stream.pull(e.offset - stream.pos, null) < e.offset - stream.pos) throw new SevenZipError('truncated', `folder ${index} ends before ${e.name}`);
      // The buffer grows with what arrives: a declared size alone allocates nothing.
      let bytes: Uint8Array = new Uint8Array(Math.min(e.size, CHUNK));
      let got = 0;
      try {
        while (got < e.size) {
          if (got === bytes.length) bytes = grown(bytes, e.size);
          const want = bytes.length - got;
          const n = stream.pull(want, bytes.subarray(got));
          got += n;
          if (n < want) break;
        }
      } catch (err) {
        // Yield what came before the fault (a cut pickle still shows its imports), then report.
        got = Math.max(0, Math.min(bytes.length, stream.pos - e.offset));
        if (got > 0) yield { entry: e, bytes: bytes.subarray(0, got) };
        done++;
        throw err;
      }
      done++;
      if (got < e.size) {
        findings.push(triageFinding('SEVENZIP_MALFORMED', `${e.name}: folder ${index} stream ends after ${got} of its ${e.size} bytes; the part read was triaged`, e.name));
        yield { entry: e, bytes: bytes.subarray(0, got) };
        if (done < wanted.length) throw new SevenZipError('truncated', 'its stream ended early');
        return;
      }
      if (e.crc !== null && crc32(bytes) !== e.crc) {
        findings.push(triageFinding('SEVENZIP_CRC_MISMATCH', `${e.name}: CRC-32 ${hex(crc32(bytes))}, header says ${hex(e.crc)} (triaged anyway)`, e.name));
      }
      yield { entry: e, bytes };
    }
  } catch (err) {
    const rest = wanted.slice(done);
    const tail = rest.length > 0 ? `; not read: ${names(rest)}` : '';
    findings.push(sevenZipFinding(sevenZipErrorKind(err), `folder ${index}: ${sevenZipErrorText(err)}${tail}`));
  }
}

/**
 * Every file member (not directories, not anti items) with its bytes: empty files first, then
 * folder by folder in stream order. Findings about the content go to `findings`.
 */
export async function* sevenZipMembers(
  src: ByteSource,
  archive: SevenZipArchive,
  findings: Finding[],
  partial?: Partial<SevenZipLimits>,
): AsyncGenerator<SevenZipMember, void, undefined> {
  const limits = sevenZipLimits(partial);
  const byFolder: SevenZipEntry[][] = archive.folders.map(() => []);
  for (const e of archive.entries) {
    if (e.isDirectory || e.isAnti) continue;
    if (!e.hasStream) {
      yield { entry: e, bytes: new Uint8Array(0) };
      continue;
    }
    byFolder[e.folder]?.push(e);
  }
  const budget: Budget = { used: 0 };
  for (let f = 0; f < byFolder.length; f++) {
    const members = byFolder[f]!;
    if (members.length === 0) continue;
    if (budget.used >= limits.maxTotalBytes) {
      findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `decode bound of ${limits.maxTotalBytes} bytes reached; not read: ${names(members)}`));
      continue;
    }
    yield* folderMembers(src, archive, f, members, limits, budget, findings);
  }
}
