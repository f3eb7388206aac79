/**
 * Streaming tar reader (POSIX.1-1988 ustar, GNU long names `L`/`K`, POSIX.1-2001 pax `x`/`g`
 * records for path, linkpath and size; GNU base-256 sizes). Entries come in archive order and must
 * be taken in order: whatever data an entry's consumer did not read is skipped when the next entry
 * is requested. A truncated or corrupt archive ends the iteration with a BundleError; entries
 * already yielded (and fully read) stay valid.
 */
import { ChunkReader } from './chunk-reader.js';
import { BundleError } from './limits.js';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** Path as stored (pax `path`, else GNU long name, else ustar prefix + name). Not sanitised. */
  name: string;
  /** Data bytes (0 for links, directories and devices). */
  size: number;
  type: TarEntryType;
  /** The header's typeflag character, for messages ('3' char device, 'S' sparse, …). */
  typeFlag: string;
  linkName?: string;
  /** Offset of the entry's data within the tar stream (lets a caller re-read it from a fresh stream). */
  offset: number;
  /** The data: single use, valid until the next entry is requested. */
  data: AsyncIterable<Uint8Array>;
}

export interface TarOptions {
  /** Archive name for messages. */
  name: string;
  maxEntries?: number;
  /** Largest pax or GNU long-name record accepted. */
  maxMetaBytes?: number;
}

const BLOCK = 512;
const DATA_CHUNK = 1 << 20;

export async function* readTar(
  chunks: AsyncIterable<Uint8Array>,
  opts: TarOptions,
): AsyncGenerator<TarEntry, void, undefined> {
  const r = new ChunkReader(chunks);
  const name = opts.name;
  const maxEntries = opts.maxEntries ?? Number.MAX_SAFE_INTEGER;
  const maxMeta = opts.maxMetaBytes ?? 1 << 20;
  const truncated = (where: string): BundleError => new BundleError(name, `truncated tar: ${name} ends ${where}`);
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax: Map<string, string> = new Map();
  const globalPax = new Map<string, string>();
  let count = 0;
  let generation = 0;
  try {
    for (;;) {
      const headerAt = r.offset;
      const h = await r.read(BLOCK);
      if (h.length === 0) return; // no end-of-archive blocks: accepted, as GNU tar does
      if (h.length < BLOCK) throw truncated(`inside a header at byte ${headerAt}`);
      if (isZeroBlock(h)) return; // end of archive (one zero block is enough for us)
      if (!checksumMatches(h)) {
        throw new BundleError(
          name,
          headerAt === 0
            ? `${name} is not a tar archive (header checksum mismatch)`
            : `corrupt tar: header checksum mismatch at byte ${headerAt} of ${name}`,
        );
      }
      const flag = String.fromCharCode(h[156]!);
      let size = readNumber(h, 124, 12);
      if (size === null) throw new BundleError(name, `corrupt tar: bad size field at byte ${headerAt} of ${name}`);

      if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
        if (size > maxMeta) throw new BundleError(name, `corrupt tar: ${size}-byte metadata record at byte ${headerAt} of ${name}`);
        const body = await r.read(size);
        if (body.length < size) throw truncated(`inside a metadata record at byte ${headerAt}`);
        await r.skip(padding(size));
        if (flag === 'L') longName = cString(body);
        else if (flag === 'K') longLink = cString(body);
        else parsePax(body, flag === 'g' ? globalPax : (pax = new Map(pax)));
        continue;
      }

      const ustarPosix = h[257] === 0x75 && h[262] === 0 && asciiAt(h, 257, 'ustar'); // "ustar\0": prefix field valid
      let entryName = pax.get('path') ?? globalPax.get('path') ?? longName;
      if (entryName === null) {
        const base = cString(h.subarray(0, 100));
        const prefix = ustarPosix ? cString(h.subarray(345, 500)) : '';
        entryName = prefix ? `${prefix}/${base}` : base;
      }
      const linkName = pax.get('linkpath') ?? globalPax.get('linkpath') ?? longLink ?? cString(h.subarray(157, 257));
      const paxSize = pax.get('size') ?? globalPax.get('size');
      if (paxSize !== undefined) {
        const n = /^\d{1,16}$/.test(paxSize) ? Number(paxSize) : NaN;
        if (!Number.isSafeInteger(n)) throw new BundleError(name, `corrupt tar: bad pax size at byte ${headerAt} of ${name}`);
        size = n;
      }
      longName = null;
      longLink = null;
      pax = new Map();

      const type = entryType(flag, entryName);
      // Like Python's tarfile: only regular files and unknown types carry data blocks.
      const dataSize = type === 'file' || type === 'other' ? size : 0;
      if (++count > maxEntries) {
        throw new BundleError(name, `${name} holds more than ${maxEntries} entries; the rest were not read`);
      }
      const myGeneration = ++generation;
      const state = { remaining: dataSize, started: false };
      const entry: TarEntry = {
        name: entryName,
        size: dataSize,
        type,
        typeFlag: flag === '\0' ? '0' : flag,
        offset: r.offset,
        data: entryData(),
      };
      if (type === 'symlink' || type === 'hardlink') entry.linkName = linkName;
      yield entry;
      // The consumer asked for the next entry: drop what it left of this one.
      generation++;
      if (state.remaining > 0) {
        const skipped = await r.skip(state.remaining);
        if (skipped < state.remaining) throw truncated(`inside the data of ${entryName}`);
        state.remaining = 0;
      }
      await r.skip(padding(dataSize));

      async function* entryData(): AsyncGenerator<Uint8Array, void, undefined> {
        if (state.started) throw new BundleError(name, `${entryName} in ${name} can be read only once`);
        state.started = true;
        for (;;) {
          if (generation !== myGeneration) {
            throw new BundleError(name, `${entryName} in ${name} is no longer readable: the archive moved on`);
          }
          if (state.remaining === 0) return;
          const c = await r.chunk(Math.min(state.remaining, DATA_CHUNK));
          if (!c) throw truncated(`inside the data of ${entryName}`);
          state.remaining -= c.length;
          yield c;
        }
      }
    }
  } finally {
    await r.close();
  }
}

/** A 512-byte block that is a tar header: not all zeros, and its checksum matches. */
export function isTarHeader(block: Uint8Array): boolean {
  return block.length >= BLOCK && !isZeroBlock(block) && checksumMatches(block);
}

function entryType(flag: string, entryName: string): TarEntryType {
  switch (flag) {
    case '0':
    case '7': // contiguous file: a regular file everywhere that matters
      return 'file';
    case '\0': // pre-POSIX tar: a trailing slash marked directories
      return entryName.endsWith('/') ? 'dir' : 'file';
    case '5':
      return 'dir';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    default: // '3' char, '4' block, '6' fifo, 'S' sparse, 'V' volume, 'M' multi-volume, …
      return 'other';
  }
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function isZeroBlock(h: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (h[i] !== 0) return false;
  return true;
}

/** ustar checksum: sum of the header bytes with the checksum field read as spaces (unsigned, or signed by old tars). */
function checksumMatches(h: Uint8Array): boolean {
  const stored = readNumber(h, 148, 8);
  if (stored === null) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** Octal ASCII (spaces/NULs around it), or GNU base-256 when the high bit of the first byte is set. */
function readNumber(h: Uint8Array, at: number, len: number): number | null {
  const first = h[at]!;
  if (first & 0x80) {
    if (first === 0xff) return null; // negative
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) {
      v = v * 256 + h[at + i]!;
      if (v > Number.MAX_SAFE_INTEGER) return null;
    }
    return v;
  }
  let i = at;
  const end = at + len;
  while (i < end && (h[i] === 0x20 || h[i] === 0)) i++;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = h[i]!;
    if (c >= 0x30 && c <= 0x37) {
      v = v * 8 + (c - 0x30);
      digits++;
    } else if (c === 0x20 || c === 0) {
      break;
    } else {
      return null;
    }
  }
  for (; i < end; i++) if (h[i] !== 0x20 && h[i] !== 0) return null;
  return digits === 0 ? 0 : v;
}

const utf8 = new TextDecoder('utf-8');

function cString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return utf8.decode(nul === -1 ? b : b.subarray(0, nul));
}

function asciiAt(h: Uint8Array, at: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (h[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** pax extended header records: "<len> <key>=<value>\n" (POSIX.1-2001 pax format). */
function parsePax(body: Uint8Array, into: Map<string, string>): void {
  let pos = 0;
  while (pos < body.length) {
    let sp = pos;
    while (sp < body.length && body[sp] !== 0x20) sp++;
    const len = Number(utf8.decode(body.subarray(pos, sp)));
    if (!Number.isSafeInteger(len) || len <= sp - pos || pos + len > body.length) return; // malformed: keep what parsed
    const rec = body.subarray(sp + 1, pos + len - 1); // drop the trailing "\n"
    const eq = rec.indexOf(0x3d);
    if (eq > 0) into.set(utf8.decode(rec.subarray(0, eq)), utf8.decode(rec.subarray(eq + 1)));
    pos += len;
  }
}
