/**
 * Ingestion: walks a bundle, hashes every input, sniffs its kind, streams record files through
 * the line splitter and a reader into the case store, and records checkpoints and configs as
 * sources for the triage. Per source, `read = stored + quarantined` (the RecordWriter counts).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_READER_LIMITS, parseTimestampMicros, type Micros, type ReaderLimits } from '../core/records.js';
import { RECORD_KINDS, type SourceKind } from '../core/kinds.js';
import type { CaseStore, SourceCounts } from '../store/case-store.js';
import { boundWarnings } from '../store/source-warnings.js';
import { walkBundle, type BundleItem, type BundleRoot } from './bundle.js';
import type { ArchiveLimits } from './archive/limits.js';
import type { ReaderContext } from './reader-for-kind.js';
import { defaultParseWorkerUrl, inThreadFeed, ParseWorker, type SourceFeed } from './parse-worker-client.js';

export interface IngestProgress {
  filesDone: number;
  currentFile: string;
  /** Decompressed bytes read so far. */
  bytes: number;
  records: number;
  quarantined: number;
  /** Records per second since the start. */
  rate: number;
  elapsedSeconds: number;
}

export interface IngestSourceResult {
  path: string;
  kind: SourceKind | 'refused';
  sha256: string | null;
  bytes: number;
  read: number;
  stored: number;
  quarantined: number;
  status: 'ok' | 'error' | 'refused' | 'duplicate';
  note?: string;
  /**
   * Oddities of the file or of the archive it came from (CRC mismatch, an entry hidden from the
   * central directory…), bounded as the case file keeps them; absent when none.
   */
  warnings?: string[];
}

export interface IngestResult {
  sources: IngestSourceResult[];
  events: number;
  gpuSamples: number;
  quarantined: number;
  seconds: number;
}

export interface IngestOptions {
  archiveLimits?: Partial<ArchiveLimits>;
  readerLimits?: Partial<ReaderLimits>;
  /** Timestamp for formats that carry none; else the manifest's window start, else the first event. */
  fallbackTs?: Micros;
  onProgress?: (p: IngestProgress) => void;
  /** Minimum milliseconds between progress callbacks. */
  progressIntervalMs?: number;
  /**
   * The parse worker's script (parse-worker.ts, bundled as dist/cli/ingest-parse-worker.js):
   * record files are parsed there while this thread inserts. Default: next to this module's
   * bundle. null, or a worker that does not start: parse in this thread (same records, slower).
   */
  parseWorkerUrl?: URL | null;
}

const MAX_MANIFEST_BYTES = 4 << 20;

export async function ingestBundle(root: BundleRoot, store: CaseStore, opts: IngestOptions = {}): Promise<IngestResult> {
  const started = performance.now();
  const limits: ReaderLimits = { ...DEFAULT_READER_LIMITS, ...opts.readerLimits };
  const result: IngestResult = { sources: [], events: 0, gpuSamples: 0, quarantined: 0, seconds: 0 };
  const progress = { filesDone: 0, currentFile: '', bytes: 0, records: 0, quarantined: 0 };
  const interval = opts.progressIntervalMs ?? 200;
  let lastReport = 0;
  let fallbackTs: Micros | null = opts.fallbackTs ?? null;
  let firstEventTs: Micros | null = null;
  store.beginBulkLoad();
  const workerUrl = opts.parseWorkerUrl === undefined ? defaultParseWorkerUrl() : opts.parseWorkerUrl;
  // Started now, while the first files are hashed; awaited at the first record file.
  const starting: Promise<ParseWorker | null> | null = workerUrl === null ? null : ParseWorker.start(workerUrl);
  /** undefined until the first record file, null when parsing in-thread. */
  let worker: ParseWorker | null | undefined = starting === null ? null : undefined;

  const report = (force = false): void => {
    if (!opts.onProgress) return;
    const now = performance.now();
    if (!force && now - lastReport < interval) return;
    lastReport = now;
    const elapsedSeconds = (now - started) / 1000;
    opts.onProgress({ ...progress, elapsedSeconds, rate: elapsedSeconds > 0 ? progress.records / elapsedSeconds : 0 });
  };

  let loaded = false;
  try {
    for await (const item of walkBundle(root, opts.archiveLimits)) {
      progress.currentFile = item.path;
      if (item.kind === 'refused') {
        const id = store.addSource({ path: item.path, kind: 'unknown', bytes: 0, sha256: null, gzipped: false }, 'refused', item.reason);
        const entry: IngestSourceResult = { path: item.path, kind: 'refused', sha256: null, bytes: 0, read: 0, stored: 0, quarantined: 0, status: 'refused', note: item.reason };
        keepWarnings(store, id, entry, item.warnings);
        result.sources.push(entry);
        progress.filesDone++;
        report();
        continue;
      }
      // Bytes as stored in the bundle (compressed for a .gz), the same bytes the SHA-256 covers.
      const hashed = await sha256OfItem(item);
      if (hashed.error !== null) {
        // The bytes cannot be read to the end (a bomb or a cut inside a tar.gz): no hash to keep.
        const { bytes } = hashed;
        const note = hashed.error;
        const id = store.addSource({ path: item.path, kind: item.sniffed, bytes, sha256: null, gzipped: item.gzipped }, 'error', note);
        const entry: IngestSourceResult = { path: item.path, kind: item.sniffed, sha256: null, bytes, read: 0, stored: 0, quarantined: 0, status: 'error', note };
        keepWarnings(store, id, entry, item.warnings);
        result.sources.push(entry);
        progress.filesDone++;
        report();
        continue;
      }
      const { sha256, bytes } = hashed;
      const dup = store.sourceBySha(sha256);
      if (dup) {
        const entry: IngestSourceResult = { path: item.path, kind: item.sniffed, sha256, bytes, read: 0, stored: 0, quarantined: 0, status: 'duplicate', note: `same SHA-256 as ${dup.path}, already in the case` };
        if (item.warnings.length > 0) {
          // The copy adds no row, but what its archive showed must stay in the case: on the row it duplicates.
          store.addSourceWarnings(dup.id, item.warnings.map((w) => `(duplicate copy ${item.path}) ${w}`));
          entry.warnings = boundWarnings(item.warnings);
        }
        result.sources.push(entry);
        progress.filesDone++;
        report();
        continue;
      }
      const kind = item.sniffed;
      const sourceId = store.addSource({ path: item.path, kind, bytes, sha256, gzipped: item.gzipped });
      const entry: IngestSourceResult = { path: item.path, kind, sha256, bytes, read: 0, stored: 0, quarantined: 0, status: 'ok' };
      result.sources.push(entry);

      if (kind === 'manifest') {
        const ts = await manifestStart(item, store);
        if (fallbackTs === null && ts !== null) fallbackTs = ts;
      }
      if (kind === 'unknown') {
        // Content we cannot read is still accounted for: one quarantined record with its first bytes.
        const writer = store.openRecordWriter(sourceId);
        writer.quarantine({ line: 1, offset: 0, reason: 'content not recognised as any supported format', head: headText(item.head) });
        const counts = writer.finish();
        store.finishSource(sourceId, counts, 'ok', null);
        keepWarnings(store, sourceId, entry, item.warnings);
        Object.assign(entry, { read: counts.read, stored: 0, quarantined: counts.quarantined });
        result.quarantined += counts.quarantined;
        progress.quarantined += counts.quarantined;
        progress.filesDone++;
        report();
        continue;
      }
      if (!RECORD_KINDS.has(kind)) {
        store.finishSource(sourceId, emptyCounts(), 'ok', null);
        keepWarnings(store, sourceId, entry, item.warnings);
        progress.filesDone++;
        report();
        continue;
      }

      const writer = store.openRecordWriter(sourceId);
      const ctx: ReaderContext = {
        limits,
        fallbackTs: fallbackTs ?? firstEventTs ?? Math.floor(started + performance.timeOrigin) * 1000,
      };
      if (worker === undefined) worker = await starting;
      // A .gz straight from the folder is inflated by the worker, off this thread: it gets the
      // compressed bytes, the same bounds and the bundle's budget (BundleFile.gunzip).
      const gunzip = worker?.alive ? item.gunzip : null;
      const feed: SourceFeed = worker?.alive ? worker.openSource(kind, ctx, writer, gunzip) : inThreadFeed(kind, ctx, writer);
      let note: string | null = null;
      let status: 'ok' | 'error' = 'ok';
      const recordsBefore = progress.records;
      const bytesBefore = progress.bytes;
      try {
        for await (const chunk of gunzip ? item.openRaw() : item.open()) {
          const room = feed.push(chunk);
          progress.bytes = bytesBefore + feed.bytes;
          if (room) await room;
          progress.records = recordsBefore + writer.counts.read;
          report();
        }
        await feed.end(false);
      } catch (err) {
        // A truncated gzip or an archive read error: keep what was read, say why the rest is missing.
        status = 'error';
        await feed.end(true); // the reader already reported what it could
        // What went wrong with bytes pushed before comes first, as in-thread, where it was thrown first.
        note = messageOf(feed.failure ?? err);
      }
      progress.bytes = bytesBefore + feed.bytes;
      const counts = writer.finish();
      store.finishSource(sourceId, counts, status, note);
      // After the read: CRC and size mismatches are known only once the bytes went by.
      keepWarnings(store, sourceId, entry, item.warnings);
      if (firstEventTs === null && counts.firstTs !== null) firstEventTs = counts.firstTs;
      Object.assign(entry, { read: counts.read, stored: counts.stored, quarantined: counts.quarantined, status });
      if (note) entry.note = note;
      result.events += counts.events;
      result.gpuSamples += counts.gpuSamples;
      result.quarantined += counts.quarantined;
      progress.quarantined += counts.quarantined;
      progress.records = recordsBefore + counts.read;
      progress.filesDone++;
      report();
    }
    loaded = true;
  } finally {
    // (a worker started but never needed is closed too)
    const w = worker === undefined ? await starting : worker;
    await w?.close();
    // A failed ingest still leaves the case file in its durable settings (WAL).
    if (!loaded) store.endBulkLoad();
  }
  store.finalizeIngest();
  result.seconds = (performance.now() - started) / 1000;
  progress.currentFile = '';
  report(true);
  return result;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The first 200 bytes of an unrecognised file, binary shown as U+FFFD. */
function headText(head: Uint8Array): string {
  return Buffer.from(head.subarray(0, 200)).toString('utf8');
}

/** Stores a source's warnings in the case and puts them, as stored, on its result. */
function keepWarnings(store: CaseStore, sourceId: number, entry: IngestSourceResult, warnings: readonly string[] | undefined): void {
  if (!warnings || warnings.length === 0) return;
  entry.warnings = store.addSourceWarnings(sourceId, warnings);
}

function emptyCounts(): SourceCounts {
  return { read: 0, stored: 0, quarantined: 0, events: 0, gpuSamples: 0, firstTs: null, lastTs: null };
}

/**
 * SHA-256 and size of the file exactly as it sits in the bundle (compressed bytes for a .gz):
 * chain of custody. `error` when its bytes cannot be read to the end (`bytes`: how many were).
 */
async function sha256OfItem(
  item: Extract<BundleItem, { kind: 'file' }>,
): Promise<{ sha256: string; bytes: number; error: null } | { sha256: null; bytes: number; error: string }> {
  const h = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of item.openRaw()) {
      h.update(chunk);
      bytes += chunk.length;
    }
  } catch (err) {
    return { sha256: null, bytes, error: messageOf(err) };
  }
  return { sha256: h.digest('hex'), bytes, error: null };
}

/** Stores the manifest in the case's meta table and returns its time window start, if any. */
async function manifestStart(item: Extract<BundleItem, { kind: 'file' }>, store: CaseStore): Promise<Micros | null> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of item.open()) {
    size += chunk.length;
    if (size > MAX_MANIFEST_BYTES) return null;
    parts.push(chunk);
  }
  try {
    const manifest = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
    store.setMeta('manifest', JSON.stringify(manifest));
    const win = (manifest.time_window ?? manifest.timeWindow) as { start?: unknown } | undefined;
    return typeof win?.start === 'string' ? parseTimestampMicros(win.start) : null;
  } catch {
    return null;
  }
}
