/**
 * .gz record sources inflated in the parse worker (parse-worker-gunzip.ts) against the in-thread
 * read of the same bundle: the same case file (records, quarantine rows, source status and note),
 * the same result and the same decompressed byte count, for well-formed and hostile gzip (cut
 * mid-line, a bad CRC-32, junk after the last member, a thousand members, bombs by size, by ratio
 * and by the bundle's budget, a file that fails to read after its bytes went bad), and a file
 * large enough that the worker's inflate regions are reused many times with no line lost or
 * garbled. Also the worker's side on its own: given the compressed bytes, it inflates them.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../core/byte-source.js';
import { DEFAULT_READER_LIMITS } from '../core/records.js';
import { CaseStore } from '../store/case-store.js';
import { DecompressionBudget, type ArchiveLimits } from './archive/limits.js';
import { memoryBundleRoot } from './archive/memory-root.js';
import type { BundleRoot } from './bundle.js';
import { auditLines, jsonl } from './hostile-fixtures/audit-lines.js';
import { ParseWorker } from './parse-worker-client.js';
import { caseContents, useParseWorker, withoutSeconds } from './parse-worker.test-support.js';
import { ingestBundle, type IngestResult } from './pipeline.js';

const fx = useParseWorker('mlshield-parse-worker-gz-test');

interface Ingested {
  result: IngestResult;
  contents: Record<string, unknown[]>;
  /** Decompressed bytes, as the last progress report gave them. */
  bytes: number;
}

let n = 0;
async function ingest(root: () => BundleRoot, parseWorkerUrl: URL | null, archiveLimits?: Partial<ArchiveLimits>): Promise<Ingested> {
  const store = CaseStore.open(join(fx.dir, `case-${++n}.sqlite`));
  let bytes = -1;
  try {
    const result = await ingestBundle(root(), store, {
      fallbackTs: 1_700_000_000_000_000, archiveLimits, parseWorkerUrl, progressIntervalMs: 0, onProgress: (p) => (bytes = p.bytes),
    });
    return { result, contents: caseContents(store), bytes };
  } finally {
    store.close();
  }
}

/** Ingests through the worker and in-thread; expects the same case, result and byte count; returns the worker's. */
async function sameBothWays(root: () => BundleRoot, archiveLimits?: Partial<ArchiveLimits>): Promise<Ingested> {
  const viaWorker = await ingest(root, fx.workerUrl, archiveLimits);
  const inThread = await ingest(root, null, archiveLimits);
  expect(viaWorker.contents).toEqual(inThread.contents);
  expect(withoutSeconds(viaWorker.result)).toEqual(withoutSeconds(inThread.result));
  expect(viaWorker.bytes).toBe(inThread.bytes);
  for (const s of viaWorker.result.sources) expect(s.read, s.path).toBe(s.stored + s.quarantined);
  return viaWorker;
}

const TEXT = jsonl(auditLines('G', 3000)); // ~1.5 MB: several 256 KiB inflate chunks
const GZ = gzipSync(TEXT);
const byPath = (r: Ingested, path: string) => r.result.sources.find((s) => s.path === path)!;

describe('a .gz inflated in the parse worker', () => {
  it('is inflated there: the worker takes compressed bytes, parses what they hold and charges the budget', async () => {
    const worker = await ParseWorker.start(fx.workerUrl);
    expect(worker?.alive).toBe(true);
    const store = CaseStore.open(join(fx.dir, `direct-${++n}.sqlite`));
    try {
      const sourceId = store.addSource({ path: 'a.log.gz', kind: 'k8s_audit', bytes: GZ.length, sha256: null, gzipped: true });
      const writer = store.openRecordWriter(sourceId);
      const budget = new DecompressionBudget(1 << 30);
      budget.used = 1000;
      const ctx = { limits: DEFAULT_READER_LIMITS, fallbackTs: 1_700_000_000_000_000 };
      const feed = worker!.openSource('k8s_audit', ctx, writer, { name: 'a.log.gz', maxBytes: 1 << 30, maxRatio: 200, budget });
      for (let at = 0; at < GZ.length; at += 100_000) await feed.push(GZ.subarray(at, at + 100_000));
      await feed.end(false);
      expect(writer.finish()).toMatchObject({ read: 3000, stored: 3000, quarantined: 0 });
      expect(feed.bytes).toBe(Buffer.byteLength(TEXT));
      expect(budget.used).toBe(1000 + Buffer.byteLength(TEXT));
    } finally {
      store.close();
      await worker!.close();
    }
  });

  it('gives the case an in-thread read gives, for well-formed and hostile files side by side', async () => {
    const cut = GZ.subarray(0, Math.floor(GZ.length * 0.6));
    const badCrc = Buffer.from(GZ);
    badCrc[badCrc.length - 6]! ^= 0xff;
    const members = Buffer.concat(auditLines('M', 1000).map((l) => gzipSync(l + '\n')));
    const root = (): BundleRoot =>
      memoryBundleRoot('gz', {
        'a/cut.log.gz': cut,
        'a/crc.log.gz': badCrc,
        'a/junk.log.gz': Buffer.concat([GZ, Buffer.from('trailing junk')]),
        'a/padded.log.gz': Buffer.concat([GZ, Buffer.alloc(4096)]),
        'b/members.log.gz': members,
        'b/plain.log': Buffer.from(jsonl(auditLines('P', 50))),
      });
    const r = await sameBothWays(root);
    expect(byPath(r, 'a/cut.log.gz')).toMatchObject({ status: 'error', note: expect.stringMatching(/^truncated gzip: a\/cut\.log\.gz ends inside/) });
    expect(byPath(r, 'a/cut.log.gz').read).toBeGreaterThan(1000);
    expect(byPath(r, 'a/crc.log.gz')).toMatchObject({ status: 'error', read: 3000, note: expect.stringMatching(/^corrupt gzip in a\/crc\.log\.gz: bad CRC-32/) });
    expect(byPath(r, 'a/junk.log.gz')).toMatchObject({ status: 'error', read: 3000, note: expect.stringMatching(/trailing garbage/) });
    expect(byPath(r, 'a/padded.log.gz')).toMatchObject({ status: 'ok', read: 3000 });
    expect(byPath(r, 'b/members.log.gz')).toMatchObject({ status: 'ok', read: 1000, stored: 1000 });
  });

  it('reuses its inflate regions over a large file without losing or garbling a line', async () => {
    // ~24 MB of distinct lines: three times the regions' 8 MiB, so every region is taken again.
    const lines = auditLines('L', 16_000, { padTo: 1500 });
    const root = (): BundleRoot => memoryBundleRoot('big', { 'audit/big.log.gz': gzipSync(jsonl(lines), { level: 1 }) });
    const r = await sameBothWays(root);
    expect(r.result.events).toBe(16_000);
    const raws = r.contents.events!.map((e) => (e as { raw: string }).raw);
    expect(raws).toEqual(lines);
  });

  it('stops a bomb by size, by ratio and by the bundle budget as an in-thread read does', async () => {
    const big = gzipSync(jsonl(auditLines('S', 8000, { padTo: 600 }))); // ~4.8 MB
    const bySize = await sameBothWays(() => memoryBundleRoot('s', { 's.log.gz': big }), { maxEntryBytes: 2 << 20 });
    expect(byPath(bySize, 's.log.gz')).toMatchObject({ status: 'error', note: `decompression bomb: s.log.gz inflates past ${2 << 20} bytes` });
    expect(byPath(bySize, 's.log.gz').read).toBeGreaterThan(1000);

    // One line repeated compresses far past 20:1 once the ratio check starts (1 MiB out).
    const same = gzipSync(jsonl(Array.from({ length: 20_000 }, () => auditLines('R', 1)[0]!)));
    const byRatio = await sameBothWays(() => memoryBundleRoot('r', { 'r.log.gz': same }), { maxRatio: 20 });
    expect(byPath(byRatio, 'r.log.gz')).toMatchObject({ status: 'error', note: 'decompression bomb: r.log.gz inflates more than 20 times its compressed size' });

    const other = gzipSync(jsonl(auditLines('T', 8000, { padTo: 600 })));
    const byBudget = await sameBothWays(() => memoryBundleRoot('b', { 'a.log.gz': big, 'b.log.gz': other }), { maxTotalBytes: 7 << 20 });
    expect(byPath(byBudget, 'a.log.gz').status).toBe('ok');
    expect(byPath(byBudget, 'b.log.gz')).toMatchObject({ status: 'error', note: `decompression bomb: b.log.gz takes the bundle past ${7 << 20} decompressed bytes` });
  });

  it('reports what went wrong with the bytes read before a later read error, as in-thread', async () => {
    // Corrupt deflate data in the first chunk, then (on the second read: the first is the hash)
    // the file fails to read further: in-thread, the inflate throws before the next chunk is asked for.
    const bad = Buffer.from(GZ);
    bad.fill(0xff, bad.length >> 1, (bad.length >> 1) + 100);
    expect(bad.length).toBeLessThan(1 << 20);
    const root = (): BundleRoot => {
      let reads = 0;
      const file = {
        path: 'audit.log.gz',
        size: bad.length,
        async *stream() {
          const first = ++reads === 1;
          yield bad;
          if (!first) throw new Error('EIO: the evidence disk failed');
        },
        source: async () => bufferSource('audit.log.gz', bad),
      };
      return {
        name: 'failing',
        single: false,
        async *entries() {
          yield { kind: 'file' as const, file };
        },
        close: async () => undefined,
      };
    };
    const r = await sameBothWays(root);
    expect(byPath(r, 'audit.log.gz')).toMatchObject({ status: 'error', note: expect.stringMatching(/^corrupt gzip in audit\.log\.gz: /) });
  });
});
