/**
 * A zip archive behind other bytes: a self-extracting archive (an executable or shell stub, then
 * the zip) or data prepended to hide one from tools that look at a file's first bytes. Such a
 * file is a zip to unzip(1), Python's zipfile and miniz, which all find the archive from its end,
 * so the bundle walker must open it too. It is recognised by content only: the end-of-central-
 * directory record in the file's tail (APPNOTE 6.3.x §4.3.16, ZIP64 §4.3.14–15), a central
 * directory where that record puts it (offsets relative to the archive or to the file start, as
 * real self-extractors differ), and a first central record (§4.3.12) that points at a local file
 * header (§4.3.7) before the directory. A "PK\x05\x06" that merely occurs in a file's tail fails
 * these checks.
 */
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import { heldNode, type Node } from './bundle-node.js';
import { concatBytes } from './byte-streams.js';
import { locateCentralDirectory } from './zip-directory.js';
import { SIG_CENTRAL, SIG_LOCAL, u16, u32, zip64Extra } from './zip-fields.js';

/** Smallest archive with one entry: local header, central record, end record. */
const MIN_ZIP_BYTES = 30 + 46 + 22;

/** Byte offset of the first listed entry's local header when `src` ends with a zip archive, else null. */
export async function embeddedZipStart(src: ByteSource): Promise<number | null> {
  if (src.size < MIN_ZIP_BYTES) return null;
  const loc = await locateCentralDirectory(src, []); // its warnings come again when the zip is opened
  // An empty directory has no record to check: nothing to walk, and too easy to fake.
  if (!loc || loc.count === 0 || loc.size < 46) return null;
  const h = await src.read(loc.start, 46);
  if (h.length < 46 || u32(h, 0) !== SIG_CENTRAL) return null;
  const nameLen = u16(h, 28);
  const extraLen = u16(h, 30);
  if (46 + nameLen + extraLen + u16(h, 32) > loc.size) return null;
  let offset = u32(h, 42);
  if (offset === 0xffffffff) {
    const extra = await src.read(loc.start + 46 + nameLen, extraLen);
    offset = zip64Extra(extra, u32(h, 24) === 0xffffffff, u32(h, 20) === 0xffffffff, true).offset ?? -1;
  }
  const at = offset + loc.shift;
  if (at < 0 || at + 30 > loc.start) return null;
  const local = await src.read(at, 30);
  return local.length === 30 && u32(local, 0) === SIG_LOCAL ? at : null;
}

/**
 * Looks for a zip at the end of a file the sniffer could not place. A file with cheap random
 * access is probed where it lies; any other (a deflated zip entry, a tar entry in a stream) is
 * first held in memory up to `maxBuffered` bytes, as a nested zip in a compressed stream would be,
 * and the returned node serves its bytes from there, so probing costs no second read. A larger
 * file, one of unknown size, or one that cannot be read whole is not probed (`at` null) and is
 * read as before: the walk reports its problems where it reports them for any file. Never throws.
 */
export async function probeEmbeddedZip(node: Node, open: () => AsyncIterable<Uint8Array>, maxBuffered: number): Promise<{ node: Node; at: number | null }> {
  try {
    if (node.random) return { node, at: await embeddedZipStart(await node.random()) };
    if (node.rawSize === null || node.rawSize > maxBuffered) return { node, at: null };
    const bytes = await collectUpTo(open(), maxBuffered); // a zip entry's declared size may lie
    if (!bytes) return { node, at: null };
    return { node: heldNode(node, bytes), at: await embeddedZipStart(bufferSource(node.path, bytes)) };
  } catch {
    return { node, at: null };
  }
}

/** The whole stream, or null once it passes `max` bytes. */
async function collectUpTo(stream: AsyncIterable<Uint8Array>, max: number): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let got = 0;
  for await (const chunk of stream) {
    got += chunk.length;
    if (got > max) return null;
    parts.push(chunk);
  }
  return concatBytes(parts, got);
}
