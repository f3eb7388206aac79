/**
 * Ingestion end to end on real bytes: the corpus audit and DCGM files (copied under
 * readers/fixtures), hostile archives built in the test, and a real SQLite case file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle, type IngestProgress } from './pipeline.js';
import { openBundleRoot } from './archive/fs-root.js';
import { memoryBundleRoot } from './archive/memory-root.js';
import { buildTar, buildZip, gzip } from './archive/fixture-archives.js';
import { main } from '../cli/mlshield.js';

const FIXTURES = resolve(import.meta.dirname, 'readers/fixtures');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-ingest-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface SourceRow {
  path: string;
  kind: string;
  status: string;
  records_read: number;
  records_stored: number;
  records_quarantined: number;
}

function sources(store: CaseStore): SourceRow[] {
  return store.db.prepare('SELECT path, kind, status, records_read, records_stored, records_quarantined FROM sources ORDER BY path').all() as SourceRow[];
}

describe('ingestBundle', () => {
  it('accounts for every record of every corpus audit and DCGM file', async () => {
    const store = CaseStore.open(join(dir, 'case.sqlite'));
    const progress: IngestProgress[] = [];
    const r = await ingestBundle(await openBundleRoot(FIXTURES), store, { onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
    const rows = sources(store).filter((s) => !s.path.endsWith('.tsv'));
    expect(rows.length).toBe(readdirSync(FIXTURES).filter((n) => !n.endsWith('.tsv')).length);
    for (const s of rows) {
      expect(s.records_read, s.path).toBe(s.records_stored + s.records_quarantined);
      expect(s.records_read, `${s.path} must contribute a record`).toBeGreaterThan(0);
    }
    // The database agrees with the counters: stored events and samples exist, quarantine rows too.
    const q = store.db.prepare('SELECT COUNT(*) AS n FROM quarantine').get() as { n: number };
    // (the SOURCES-*.tsv provenance files are unrecognised content: one quarantined record each)
    expect(q.n).toBe(sources(store).reduce((a, s) => a + s.records_quarantined, 0));
    // The malformed Falco trace is quarantined with a reason, not dropped.
    const fal = store.db
      .prepare("SELECT q.reason FROM quarantine q JOIN sources s ON s.id = q.source_id WHERE s.path = 'falco__fal_01_003.json'")
      .all() as { reason: string }[];
    expect(fal.length).toBe(1);
    expect(fal[0]!.reason.length).toBeGreaterThan(10);
    // The plain and gzip-rotated copies of the same log: stored once, the second copy's records quarantined as duplicates.
    const demo = rows.filter((s) => s.path.startsWith('audit2rbac__demo'));
    expect(demo.map((s) => s.records_stored).sort()).toEqual([0, 37]);
    // Each source's size is its bytes as stored in the bundle (compressed for the .gz copy), what its SHA-256 covers.
    for (const s of r.sources.filter((x) => x.status === 'ok')) expect(s.bytes, s.path).toBe(statSync(join(FIXTURES, s.path)).size);
    expect(r.events).toBe((store.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n);
    expect(r.gpuSamples).toBeGreaterThan(50);
    // A pretty-printed event spans many lines: its raw record is the whole event, not its last line.
    const exec = store.db
      .prepare("SELECT e.raw FROM events e JOIN sources s ON s.id = e.source_id WHERE s.path = 'falco__exec_pod.json'")
      .get() as { raw: string };
    expect(JSON.parse(exec.raw)).toMatchObject({ objectRef: { subresource: 'exec' } });
    expect(progress.at(-1)!.filesDone).toBe(r.sources.length);
    store.close();
  });

  it('adds nothing when the same files are ingested again', async () => {
    const store = CaseStore.open(join(dir, 'case.sqlite'));
    await ingestBundle(await openBundleRoot(FIXTURES), store);
    const before = store.db.prepare('SELECT (SELECT COUNT(*) FROM events) e, (SELECT COUNT(*) FROM gpu_samples) g, (SELECT COUNT(*) FROM sources) s').get();
    const again = await ingestBundle(await openBundleRoot(FIXTURES), store);
    expect(again.sources.every((s) => s.status === 'duplicate')).toBe(true);
    expect(store.db.prepare('SELECT (SELECT COUNT(*) FROM events) e, (SELECT COUNT(*) FROM gpu_samples) g, (SELECT COUNT(*) FROM sources) s').get()).toEqual(before);
    store.close();
  });

  it('survives a hostile bundle: refuses what it must, keeps what it can, loses nothing silently', async () => {
    const auditLine = readFileSync(join(FIXTURES, 'audit2rbac__demo.log'), 'utf8').split('\n').slice(0, 5).join('\n') + '\n';
    const whole = gzip(auditLine.repeat(2000));
    const truncated = whole.subarray(0, whole.length >> 1); // cut mid-stream
    const bomb = gzip(new Uint8Array(8 << 20)); // 8 MiB of zeros: ratio ~1000
    const tar = buildTar([
      { name: 'logs/audit.log', data: auditLine },
      { name: '../../etc/evil.log', data: auditLine },
      { name: 'logs/link', type: '2', linkName: '/etc/passwd' },
      { name: 'logs/hard', type: '1', linkName: 'logs/audit.log' },
      { name: 'logs/rotated.log.gz', data: truncated },
      { name: 'logs/bomb.gz', data: bomb },
      { name: 'notes.txt', data: 'hello analyst\n' },
      { name: 'bad.jsonl', data: '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x"\n\u00ff\n' },
    ]);
    const zip = buildZip([{ name: 'bundle.tgz', data: gzip(tar) }, { name: '/abs/path.log', data: auditLine }]);
    const store = CaseStore.open(join(dir, 'case.sqlite'));
    const r = await ingestBundle(memoryBundleRoot('incident.zip', zip), store);
    const byPath = new Map(r.sources.map((s) => [s.path, s]));
    const refused = r.sources.filter((s) => s.status === 'refused').map((s) => s.note ?? '');
    expect(refused.length).toBeGreaterThanOrEqual(4); // ../ , symlink, hardlink, absolute path, bomb
    expect(refused.join('\n')).toMatch(/\.\./);
    const rotated = [...byPath.values()].find((s) => s.path.endsWith('rotated.log.gz') || s.path.endsWith('rotated.log'));
    expect(rotated?.status).toBe('error');
    expect(rotated?.note).toMatch(/truncated/i);
    // Records before the cut were read and accounted for (as duplicates of logs/audit.log's auditIDs).
    expect(rotated!.read).toBeGreaterThan(1000);
    for (const s of r.sources) expect(s.read, s.path).toBe(s.stored + s.quarantined);
    // Nothing was written outside the case file's folder.
    expect(readdirSync(dir).sort()).toEqual(['case.sqlite', 'case.sqlite-shm', 'case.sqlite-wal']);
    store.close();
  });
});

describe('mlshield ingest', () => {
  it('prints the documented JSON and exits 0 on a bundle with bad records', async () => {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    try {
      const code = await main(['ingest', FIXTURES, '--case', join(dir, 'c.sqlite'), '--json']);
      expect(code).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const j = JSON.parse(out.join(''));
    expect(Object.keys(j).sort()).toEqual(['case', 'events', 'gpuSamples', 'quarantined', 'seconds', 'sources']);
    expect(j.quarantined).toBeGreaterThan(0);
    expect(Object.keys(j.sources[0]).slice(0, 7)).toEqual(['path', 'kind', 'sha256', 'bytes', 'read', 'stored', 'quarantined']);
  });

  it('exits 1 with one sentence naming an unreadable bundle', async () => {
    const bad = join(dir, 'broken.tar.gz');
    writeFileSync(bad, gzip('not a tar at all').subarray(0, 10));
    const err: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
    try {
      expect(await main(['ingest', join(dir, 'missing.zip'), '--case', join(dir, 'c.sqlite')])).toBe(1);
      expect(await main(['ingest', bad, '--case', join(dir, 'c2.sqlite')])).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    expect(err[0]).toMatch(/missing\.zip/);
    expect(err.join('')).toMatch(/broken\.tar\.gz/);
  });
});
