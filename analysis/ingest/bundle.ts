/**
 * Walks an incident bundle — a folder, a zip (self-extracting too), a tar, a tar.gz or a single
 * (optionally gzipped) file — and yields every file in it, recognised by content, with nested
 * archives opened up to `maxDepth` levels. Everything the bundle's author could abuse is refused
 * with a reason instead: zip slip, links, devices, encryption, bombs, too-deep nesting, unreadable
 * archives. Nothing is ever written to disk; random access to entries of compressed streams is
 * served from memory, bounded by `maxNestedArchiveBytes`.
 */
import { bufferSource, type ByteSource } from '../core/byte-source.js';
import type { SourceKind } from '../core/kinds.js';
import { heldNode, RawAccess, type Node } from './archive/bundle-node.js';
import type { BundleRoot } from './archive/bundle-root.js';
import { collectBounded, sliceStream } from './archive/byte-streams.js';
import { baseName, checkEntryName } from './archive/entry-name.js';
import { gunzipBounded, gunzipPrefix, gzipHeadProblem, isGzip, type GunzipOptions } from './archive/gzip.js';
import { BundleError, DecompressionBudget, exceedsRatio, resolveLimits, type ArchiveLimits } from './archive/limits.js';
import { readTar } from './archive/tar-reader.js';
import { openZip, type ZipArchive, type ZipEntry } from './archive/zip-reader.js';
import { probeEmbeddedZip } from './archive/zip-sfx.js';
import { containerFormat, SNIFF_BYTES, sniffKind, sniffZipKind } from './sniff.js';

export type { BundleRoot, RootEntry, RootFile } from './archive/bundle-root.js';

export interface BundleFile {
  kind: 'file';
  /** Logical path: `logs.tgz!/audit/a.log.gz` (`!/` between nesting levels; unprefixed inside a root archive). */
  path: string;
  /** `path` without the gzip suffix when gzipped (`a.log.gz` → `a.log`, `x.tgz` → `x.tar`). */
  plainPath: string;
  /** Bytes `open()` yields, when known without decompressing (null for gzipped files). */
  size: number | null;
  /** Bytes as stored in the bundle (compressed size for gzipped files; the entry's size inside an archive). */
  rawSize: number | null;
  /** Archives entered to reach this file: 0 in a root folder, 1 inside the root archive, … */
  depth: number;
  gzipped: boolean;
  /** First 64 KiB, decompressed. */
  head: Uint8Array;
  sniffed: SourceKind;
  /** Oddities about this file or its archive (CRC mismatch, flag-bit tricks…); grows while it is read. */
  warnings: string[];
  /**
   * How `open()` inflates `openRaw()`'s bytes when the file is a .gz read straight from the
   * bundle's folder (or is the bundle): its bounds and the bundle's decompression budget, so they
   * can be inflated elsewhere (the ingest's parse worker) with the same result. null when not
   * gzipped, or inside an archive, whose entry streams note what they find as they are read.
   */
  gunzip: GunzipOptions | null;
  /** Decompressed bytes (bounded); may be called again. */
  open(): AsyncIterable<Uint8Array>;
  /** Bytes exactly as stored (what the chain-of-custody hash covers); may be called again. */
  openRaw(): AsyncIterable<Uint8Array>;
  /** Random access to the decompressed bytes, for checkpoints. */
  source(): Promise<ByteSource>;
}

export interface BundleRefusal {
  kind: 'refused';
  path: string;
  /** One sentence: why the file was not read. */
  reason: string;
  /** Oddities of the file or of its archive (archive-wide ones go with the archive's first item). */
  warnings?: string[];
}

export type BundleItem = BundleFile | BundleRefusal;

interface Walk {
  lim: ArchiveLimits;
  budget: DecompressionBudget;
}

export async function* walkBundle(root: BundleRoot, limits?: Partial<ArchiveLimits>): AsyncGenerator<BundleItem, void, undefined> {
  const lim = resolveLimits(limits);
  const walk: Walk = { lim, budget: new DecompressionBudget(lim.maxTotalBytes) };
  let count = 0;
  try {
    for await (const entry of root.entries()) {
      if (entry.kind === 'refused') {
        if (++count > walk.lim.maxEntries) return yield tooMany(walk, entry.path);
        yield entry;
        continue;
      }
      const f = entry.file;
      const node: Node = {
        path: f.path,
        name: baseName(f.path),
        rawSize: f.size,
        depth: 0,
        reopen: () => f.stream(),
        random: () => f.source(),
        warnings: [],
      };
      for await (const item of walkFile(walk, node, root.single)) {
        if (++count > walk.lim.maxEntries) return yield tooMany(walk, item.path);
        yield item;
      }
    }
  } finally {
    await root.close();
  }
}

function tooMany(walk: Walk, path: string): BundleRefusal {
  return { kind: 'refused', path, reason: `the bundle holds more than ${walk.lim.maxEntries} files; the rest were not read` };
}

function refuse(path: string, reason: string, warnings?: readonly string[]): BundleRefusal {
  return warnings && warnings.length > 0 ? { kind: 'refused', path, reason, warnings: [...warnings] } : { kind: 'refused', path, reason };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `path` and what went wrong, with the reader's message after a colon, unless that message is
 * already a sentence about the file (readers name it: "x.zip is not a readable zip archive (…)").
 */
function explain(path: string, what: string, err: unknown): string {
  const message = messageOf(err);
  return message.startsWith(`${path} `) ? message : `${path} ${what}: ${message}`;
}

/** Passes a stream through, telling `onError` what it throws (the error still propagates). */
async function* watchErrors(
  stream: AsyncIterable<Uint8Array>,
  onError: (err: unknown) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    yield* stream;
  } catch (err) {
    onError(err);
    throw err;
  }
}

/** Sniffs one file and yields it, or opens it as an archive and yields what it holds. */
async function* walkFile(walk: Walk, node: Node, isRoot: boolean): AsyncGenerator<BundleItem, void, undefined> {
  const { lim } = walk;
  try {
    if (node.live && node.rawSize !== null && node.rawSize <= lim.maxBufferedEntryBytes) {
      // Small entries of streamed archives are kept, so open(), openRaw() and source() cost nothing more.
      node = heldNode(node, await collectBounded(node.live, node.rawSize, node.path));
    }
  } catch (err) {
    if (isRoot) throw err;
    return yield refuse(node.path, messageOf(err), node.warnings);
  }
  const raw = new RawAccess(node);
  try {
    yield* sniffAndWalk(walk, node, raw, isRoot);
  } finally {
    raw.expire(); // the walk moved on: a tar entry's live stream is gone
  }
}

async function* sniffAndWalk(walk: Walk, node: Node, raw: RawAccess, isRoot: boolean): AsyncGenerator<BundleItem, void, undefined> {
  const { lim, budget } = walk;
  let head: Uint8Array;
  let gzipped: boolean;
  let rawHead: Uint8Array;
  try {
    rawHead = await raw.head(SNIFF_BYTES);
    gzipped = isGzip(rawHead);
    head = gzipped ? await gunzipPrefix(rawHead, SNIFF_BYTES) : rawHead;
  } catch (err) {
    if (isRoot) throw new BundleError(node.path, explain(node.path, 'cannot be read', err));
    // A reader's own error (a cut tar entry) already says what happened, in words the walk of the
    // enclosing archive repeats: the same words let it say them once.
    return yield refuse(node.path, err instanceof BundleError ? messageOf(err) : `cannot be read: ${messageOf(err)}`, node.warnings);
  }
  // A .gz cut inside its first member's header (or not gzip past its magic) inflates to nothing:
  // sniffed as it is, it would pass as one unrecognised record with status ok.
  const badHead = gzipped ? gzipHeadProblem(rawHead, node.path, rawHead.length < SNIFF_BYTES) : null;
  if (badHead) {
    if (isRoot) throw badHead;
    return yield refuse(node.path, messageOf(badHead), node.warnings);
  }
  const plainPath = gzipped ? stripGzip(node.path) : node.path;
  const format = containerFormat(head);
  let sniffed = sniffKind(head, baseName(plainPath));
  // A zip behind a stub (self-extractor) or prepended bytes: found from the file's end, by content.
  let embeddedZip = false;
  if (format === null && !gzipped && sniffed === 'unknown') {
    const probe = await probeEmbeddedZip(node, () => raw.open(), lim.maxNestedArchiveBytes);
    if (probe.node !== node) raw = new RawAccess((node = probe.node)); // now held in memory
    embeddedZip = probe.at !== null;
  }
  const gunzipOpts: GunzipOptions = { name: node.path, maxBytes: lim.maxEntryBytes, maxRatio: lim.maxRatio, budget };
  const open = (): AsyncIterable<Uint8Array> => (gzipped ? gunzipBounded(raw.open(), gunzipOpts) : raw.open());
  // A gzipped tar is a whole bundle, not one file: only the bundle-wide budget bounds it.
  const containerOpts = { ...gunzipOpts, maxBytes: lim.maxTotalBytes };
  const openContainer = (): AsyncIterable<Uint8Array> => (gzipped ? gunzipBounded(raw.open(), containerOpts) : raw.open());
  const reopenContainer = (): AsyncIterable<Uint8Array> => (gzipped ? gunzipBounded(node.reopen(), containerOpts) : node.reopen());
  const prefix = isRoot ? '' : `${node.path}!/`;

  if (isRoot && /\.(zip|tar|tgz|tar\.gz)$/i.test(node.name) && format !== 'zip' && format !== 'tar' && !embeddedZip) {
    throw new BundleError(node.path, `${node.path} is not a zip or tar archive`);
  }
  if (format === '7z' || format === 'bzip2' || format === 'xz' || format === 'zstd' || format === 'gzip') {
    const what = format === 'gzip' ? 'gzip inside gzip' : `${format} compression`;
    if (isRoot) throw new BundleError(node.path, `${node.path} uses ${what}, which is not supported`);
    return yield refuse(node.path, `${what} is not supported; the file was not opened`, node.warnings);
  }
  const tooDeep = `archive nested deeper than ${lim.maxDepth} levels; not opened`;
  if (format === 'tar' && sniffed !== 'checkpoint_pytorch_legacy') {
    if (node.depth + 1 > lim.maxDepth) return yield refuse(node.path, tooDeep, node.warnings);
    return yield* walkTar(walk, openContainer(), reopenContainer, prefix, node.depth + 1, node.path, isRoot, node.warnings);
  }

  let buffered: ByteSource | undefined;
  const item: BundleFile = {
    kind: 'file',
    path: node.path,
    plainPath,
    size: gzipped ? null : node.rawSize,
    rawSize: node.rawSize,
    depth: node.depth,
    gzipped,
    head,
    sniffed,
    warnings: node.warnings,
    gunzip: gzipped && node.depth === 0 ? gunzipOpts : null,
    open,
    openRaw: () => raw.open(),
    async source() {
      if (!gzipped && node.random) return node.random();
      // Held once read: a checkpoint in a compressed stream is inflated into memory a single time.
      buffered ??= bufferSource(node.path, await collectBounded(open(), lim.maxNestedArchiveBytes, node.path));
      return buffered;
    },
  };
  if (format !== 'zip' && !embeddedZip) return yield item;

  let zip: ZipArchive;
  try {
    zip = await openZip(await item.source(), lim, budget);
  } catch (err) {
    if (isRoot) throw new BundleError(node.path, explain(node.path, 'is not a readable zip archive', err));
    const message = messageOf(err);
    return yield refuse(node.path, message.includes(' is not a readable zip archive') ? message : `unreadable zip: ${message}`, node.warnings);
  }
  const names = zip.entries.map((e) => e.name);
  sniffed = sniffZipKind(names);
  if (sniffed !== 'archive') {
    // A checkpoint is one artifact: triage reads it whole. Entries outside its folder are walked.
    item.sniffed = sniffed;
    item.warnings.push(...zip.warnings);
    yield item;
    const top = names[0]!.includes('/') ? names[0]!.slice(0, names[0]!.indexOf('/') + 1) : '';
    const isTorch = sniffed === 'checkpoint_pytorch_zip' || sniffed === 'checkpoint_torchscript';
    if (!isTorch || top === '') return;
    const extras = zip.entries.filter((e) => !e.name.startsWith(top) && e.name !== 'data.pkl');
    if (extras.length === 0) return;
    if (node.depth + 1 > lim.maxDepth) return yield refuse(node.path, tooDeep);
    return yield* walkZip(walk, zip, extras, prefix, node.depth + 1, node.path, []);
  }
  // Warnings about this file (from an enclosing archive) and about the archive it is travel on.
  const warnings = [...node.warnings, ...zip.warnings];
  if (node.depth + 1 > lim.maxDepth) return yield refuse(node.path, tooDeep, warnings);
  yield* walkZip(walk, zip, zip.entries, prefix, node.depth + 1, node.path, warnings);
}

/**
 * Yields the entries of a zip. `warnings` (about the archive, and about the archive file from the
 * archive enclosing it) go with the first item yielded, file or refusal; with none, with a
 * refusal of the archive itself, so they always reach the case.
 */
async function* walkZip(
  walk: Walk,
  zip: ZipArchive,
  entries: readonly ZipEntry[],
  prefix: string,
  depth: number,
  archivePath: string,
  warnings: readonly string[],
): AsyncGenerator<BundleItem, void, undefined> {
  const { lim } = walk;
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index));
  let pending: string[] | null = warnings.length > 0 ? [...warnings] : null;
  const take = (): string[] => {
    const out = pending ?? [];
    pending = null;
    return out;
  };
  for (const e of sorted) {
    const checked = checkEntryName(e.name);
    if (e.isDirectory) {
      // A "directory" with bytes is data hidden from tools that skip directories.
      if (e.uncompressedSize > 0 || e.compressedSize > 0) yield refuse(prefix + e.name, `directory entry carrying ${e.compressedSize} bytes of data; not read`, take());
      continue;
    }
    const path = prefix + (checked.ok ? checked.name : e.name);
    const problem = !checked.ok ? checked.reason : zipEntryProblem(e, lim);
    if (problem) {
      yield refuse(path, problem, take());
      continue;
    }
    const node: Node = {
      path,
      name: baseName(path),
      rawSize: e.sizeKnown ? e.uncompressedSize : null,
      depth,
      reopen: () => zip.stream(e, (w) => node.warnings.push(w)),
      // Stored entries are a view of the archive; deflated ones would have to be inflated into memory.
      random: e.method === 0 ? () => zip.source(e) : undefined,
      warnings: take(),
    };
    yield* walkFile(walk, node, false);
  }
  if (pending) yield refuse(archivePath, 'the archive holds no file to read', take());
}

function zipEntryProblem(e: ZipEntry, lim: ArchiveLimits): string | null {
  const type = e.unixMode === null ? 0 : e.unixMode & 0o170000;
  if (e.isSymlink) return 'symbolic link (not followed)';
  if (type !== 0 && type !== 0o100000 && type !== 0o040000) return 'device, socket or pipe (not a regular file)';
  if (e.encrypted) return 'encrypted entry; its contents cannot be inspected';
  if (e.method !== 0 && e.method !== 8) return `compression method ${e.method} is not supported`;
  if (e.uncompressedSize > lim.maxEntryBytes) return `too large: ${e.uncompressedSize} bytes (limit ${lim.maxEntryBytes})`;
  if (e.method === 8 && exceedsRatio(e.uncompressedSize, e.compressedSize, lim.maxRatio)) {
    return `decompression bomb: ${e.compressedSize} bytes declare ${e.uncompressedSize} (ratio limit ${lim.maxRatio})`;
  }
  return null;
}

/**
 * Yields the entries of a tar stream. `warnings` (about the tar file, from an enclosing archive)
 * go with the first item yielded, or with a refusal of the archive when it yields none.
 */
async function* walkTar(
  walk: Walk,
  content: AsyncIterable<Uint8Array>,
  reopenContent: () => AsyncIterable<Uint8Array>,
  prefix: string,
  depth: number,
  archivePath: string,
  isRoot: boolean,
  warnings: readonly string[],
): AsyncGenerator<BundleItem, void, undefined> {
  const { lim } = walk;
  let seen = 0;
  let pending: string[] | null = warnings.length > 0 ? [...warnings] : null;
  const take = (): string[] => {
    const out = pending ?? [];
    pending = null;
    return out;
  };
  // What the decompressor threw, if anything: after a bomb stops the stream mid-entry, the tar
  // reader only sees the stream end and would call the archive truncated.
  let streamError: unknown = null;
  // The last error already reported on an entry (a refusal, or a failed read of its bytes): the
  // same error ending the archive is not reported again.
  let lastReported: string | null = null;
  const noteEntryError = (err: unknown): void => {
    lastReported = messageOf(err);
  };
  try {
    const watched = watchErrors(content, (err) => (streamError ??= err));
    for await (const te of readTar(watched, { name: archivePath, maxEntries: lim.maxEntries })) {
      seen++;
      if (te.type === 'dir') continue;
      const checked = checkEntryName(te.name);
      const path = prefix + (checked.ok ? checked.name : te.name);
      let refusal: string | null = null;
      if (!checked.ok) refusal = checked.reason;
      else if (te.type === 'symlink') refusal = `symbolic link to ${JSON.stringify(te.linkName ?? '')} (not followed)`;
      else if (te.type === 'hardlink') refusal = `hard link to ${JSON.stringify(te.linkName ?? '')} (not followed)`;
      else if (te.type === 'other') refusal = `device, pipe or special entry (tar type '${te.typeFlag}'); not read`;
      else if (te.size > lim.maxEntryBytes) refusal = `too large: ${te.size} bytes (limit ${lim.maxEntryBytes})`;
      if (refusal !== null) {
        lastReported = null;
        yield refuse(path, refusal, take());
        continue;
      }
      const { offset, size } = te;
      const node: Node = {
        path,
        name: baseName(path),
        rawSize: size,
        depth,
        live: watchErrors(te.data, noteEntryError),
        reopen: () => watchErrors(sliceStream(reopenContent(), offset, size, path), noteEntryError),
        warnings: take(),
      };
      lastReported = null;
      for await (const item of walkFile(walk, node, false)) {
        if (item.kind === 'refused') lastReported = item.reason;
        yield item;
      }
    }
  } catch (err) {
    const cause = streamError ?? err;
    if (isRoot && seen === 0) throw new BundleError(archivePath, explain(archivePath, 'is not a readable tar archive', cause));
    const message = messageOf(cause);
    if (message !== lastReported || pending) yield refuse(archivePath, message, take());
    return;
  }
  if (pending) yield refuse(archivePath, 'the archive holds no file to read', take());
}

function stripGzip(path: string): string {
  if (/\.tgz$/i.test(path)) return `${path.slice(0, -4)}.tar`;
  if (/\.gz$/i.test(path)) return path.slice(0, -3);
  return path;
}
