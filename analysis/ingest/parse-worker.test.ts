/**
 * The parse worker (parse-worker.ts) against in-thread parsing: the same bundle gives the same
 * case file either way (events, stage collapse, quarantine rows, GPU samples, per-source
 * accounting), also for a hostile bundle; a worker that cannot start, or dies mid-source, leaves
 * an ingest that still accounts for every record. The worker is bundled with esbuild as
 * scripts/build.mjs does (Node cannot run the TypeScript source in a worker thread).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle, type IngestOptions, type IngestResult } from './pipeline.js';
import { openBundleRoot } from './archive/fs-root.js';
import { memoryBundleRoot } from './archive/memory-root.js';
import { buildTar, gzip } from './archive/fixture-archives.js';
import type { BundleRoot } from './bundle.js';
import { ParseWorker, refusedExecArgv, workerExecArgv } from './parse-worker-client.js';
import { caseContents, useParseWorker, withoutSeconds } from './parse-worker.test-support.js';

const FIXTURES = resolve(import.meta.dirname, 'readers/fixtures');
const fx = useParseWorker('mlshield-parse-worker-test');

let n = 0;
async function ingest(root: () => Promise<BundleRoot> | BundleRoot, opts: IngestOptions): Promise<{ result: IngestResult; contents: Record<string, unknown[]> }> {
  const store = CaseStore.open(join(fx.dir, `case-${++n}.sqlite`));
  try {
    const result = await ingestBundle(await root(), store, { fallbackTs: 1_700_000_000_000_000, ...opts });
    return { result, contents: caseContents(store) };
  } finally {
    store.close();
  }
}

/**
 * SHA-256 over every row an ingest wrote (sources without their wall-clock column), in id order.
 * SAMPLE_CASE_DIGEST is this digest of the sample incident's case as ingested before the stage
 * window moved into the parse worker (and before the packed batches, the memory journal, the
 * arena): the same bundle must still give the same case, row ids included. Renewed once since, when
 * audit attrs stopped repeating the raw record's authorizer reason and stage time: the new case was
 * checked to equal the old one with `json_remove(attrs, '$.authzReason', '$.stageTimestamp')`.
 */
function caseDigest(store: CaseStore): string {
  const h = createHash('sha256');
  for (const q of [
    'SELECT path, kind, bytes, sha256, gzipped, status, note, records_read, records_stored, records_quarantined, first_ts, last_ts FROM sources ORDER BY id',
    'SELECT * FROM events ORDER BY id',
    'SELECT * FROM quarantine ORDER BY id',
    'SELECT * FROM gpu_series ORDER BY id',
    'SELECT * FROM gpu_samples ORDER BY rowid',
  ]) {
    for (const row of store.db.prepare(q).iterate()) h.update(JSON.stringify(row) + '\n');
    h.update('--\n');
  }
  return h.digest('hex');
}
const SAMPLE_BUNDLE = resolve(import.meta.dirname, '../../samples/weight-exfil-seed1/bundle');
const SAMPLE_CASE_DIGEST = 'd5835f39fe4d9073dd407d7dbb8b18eccfb95e680c159889a973ec17951efd24';

/** A bundle with many stage pairs, duplicates and stragglers, a truncated gzip and broken lines. */
function hostileAuditBundle(): BundleRoot {
  const lines: string[] = [];
  for (let i = 0; i < 12_000; i++) {
    const id = `id-${i % 9000}`; // ids repeat beyond the stage window: merged through the database
    const stage = i % 3 === 0 ? 'RequestReceived' : 'ResponseComplete';
    lines.push(JSON.stringify({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: id, stage, verb: 'get',
      requestURI: `/api/v1/namespaces/ml/pods/p-${i}`, user: { username: `u${i % 7}` },
      objectRef: { resource: 'pods', namespace: 'ml', name: `trainer-${i % 5}-worker-0` },
      responseStatus: { code: i % 11 === 0 ? 403 : 200 },
      requestReceivedTimestamp: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    }));
    if (i % 997 === 0) lines.push('{"kind":"Event", truncated');
    if (i % 1499 === 0) lines.push('\u00e9\u00e8 not json');
  }
  const text = lines.join('\n') + '\n';
  const whole = gzip(new TextEncoder().encode(text));
  const tar = buildTar([
    { name: 'audit/a.log', data: text },
    { name: 'audit/b.log.gz', data: whole.subarray(0, whole.length >> 1) },
  ]);
  return memoryBundleRoot('incident.tar', tar);
}

describe('parse worker', () => {
  it('starts from the bundled script (so the comparisons below do run through it)', async () => {
    const w = await ParseWorker.start(fx.workerUrl);
    expect(w?.alive).toBe(true);
    await w!.close();
  });

  it('gives the same case file as in-thread parsing (corpus fixtures)', async () => {
    const viaWorker = await ingest(() => openBundleRoot(FIXTURES), { parseWorkerUrl: fx.workerUrl });
    const inThread = await ingest(() => openBundleRoot(FIXTURES), { parseWorkerUrl: null });
    expect(viaWorker.contents.events!.length).toBeGreaterThan(50);
    expect(viaWorker.contents.samples!.length).toBeGreaterThan(50);
    expect(viaWorker.contents.types).toEqual([{ a: 'text', r: 'text' }]);
    expect(viaWorker.contents).toEqual(inThread.contents);
    expect(withoutSeconds(viaWorker.result)).toEqual(withoutSeconds(inThread.result));
  });

  it('gives the sample incident the same case as the ingest before these changes (worker and in-thread)', async () => {
    for (const parseWorkerUrl of [fx.workerUrl, null]) {
      const store = CaseStore.open(join(fx.dir, `sample-${++n}.sqlite`));
      try {
        const r = await ingestBundle(await openBundleRoot(SAMPLE_BUNDLE), store, { parseWorkerUrl });
        expect(r.events).toBe(3021);
        expect(caseDigest(store), String(parseWorkerUrl)).toBe(SAMPLE_CASE_DIGEST);
      } finally {
        store.close();
      }
    }
  });

  it('gives the same case file for a hostile audit bundle (stages, stragglers, truncation, bad lines)', async () => {
    const viaWorker = await ingest(hostileAuditBundle, { parseWorkerUrl: fx.workerUrl });
    const inThread = await ingest(hostileAuditBundle, { parseWorkerUrl: null });
    const sources = viaWorker.result.sources;
    expect(sources.find((s) => s.path.includes('b.log'))?.status).toBe('error');
    for (const s of sources) expect(s.read, s.path).toBe(s.stored + s.quarantined);
    expect(viaWorker.result.quarantined).toBeGreaterThan(10);
    expect(viaWorker.contents).toEqual(inThread.contents);
    expect(withoutSeconds(viaWorker.result)).toEqual(withoutSeconds(inThread.result));
  });

  it('gives the same case file for lines and attrs larger than the shared batch and input slots', async () => {
    // ~800 KB lines cross the 1 MiB input blocks (pieced together, copied), and ~400 KB attrs
    // (an authorization reason) outgrow a batch slot: both travel in buffers of their own.
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      const big = i % 3 !== 2;
      lines.push(JSON.stringify({
        kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: `big-${i % 30}`, stage: i < 30 ? 'ResponseComplete' : 'RequestReceived',
        verb: 'create', requestURI: '/api/v1/namespaces/ml/configmaps', user: { username: `u${i % 3}` },
        objectRef: { resource: 'configmaps', namespace: 'ml', name: `cm-${i}` }, responseStatus: { code: 201 },
        requestReceivedTimestamp: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
        annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': big ? 'r'.repeat(400_000) : 'ok' },
        requestObject: { data: { blob: big ? 'x'.repeat(400_000) : 'small' } },
      }));
    }
    const text = lines.join('\n') + '\n';
    const root = (): BundleRoot => memoryBundleRoot('big', { 'audit/a.log': Buffer.from(text), 'audit/b.log': Buffer.from(text.replace(/big-/g, 'b-')) });
    const viaWorker = await ingest(root, { parseWorkerUrl: fx.workerUrl });
    const inThread = await ingest(root, { parseWorkerUrl: null });
    expect(viaWorker.result.events).toBe(60);
    expect(viaWorker.contents).toEqual(inThread.contents);
    expect(withoutSeconds(viaWorker.result)).toEqual(withoutSeconds(inThread.result));
  });

  it('starts under `node --input-type=module -e …` too (options about the entry point are not passed on)', () => {
    expect(workerExecArgv(['--input-type=module', '-e', 'code', '--max-old-space-size=512'])).toEqual(['--max-old-space-size=512']);
    expect(workerExecArgv(['--input-type', 'module', '--eval=x', '-p', 'y', '--cpu-prof'])).toEqual(['--cpu-prof']);
  });

  it('starts under V8 and process-wide options too (`--max-old-space-size=…`: a Worker refuses them by name)', async () => {
    // What Node itself throws for them, read back into the options to leave out.
    let thrown: unknown = null;
    try {
      new Worker('0', { eval: true, execArgv: ['--max-old-space-size=512', '--stack-size=900', '--enable-source-maps'] }).unref();
    } catch (e) {
      thrown = e;
    }
    expect([...refusedExecArgv(thrown)!].sort()).toEqual(['--max-old-space-size=512', '--stack-size=900']);
    expect(refusedExecArgv(new Error('other'))).toBeNull();
    const w = await ParseWorker.start(fx.workerUrl, ['--max-old-space-size=512', '--stack-size=900', '--perf-basic-prof', '--input-type=module']);
    expect(w?.alive).toBe(true);
    await w!.close();
  });

  it('parses in-thread when the worker script is missing or fails to start', async () => {
    const inThread = await ingest(() => openBundleRoot(FIXTURES), { parseWorkerUrl: null });
    const missing = await ingest(() => openBundleRoot(FIXTURES), { parseWorkerUrl: pathToFileURL(join(fx.dir, 'no-such-worker.js')) });
    const broken = await ingest(() => openBundleRoot(FIXTURES), { parseWorkerUrl: new URL('data:text/javascript,throw new Error("boom")') });
    expect(missing.contents).toEqual(inThread.contents);
    expect(broken.contents).toEqual(inThread.contents);
  });

  it('a worker that dies mid-source fails that source only; later sources are parsed in-thread', async () => {
    // Says it is ready, then exits on the first chunk it is sent.
    const dying = new URL(
      'data:text/javascript,' +
        encodeURIComponent(`import { parentPort } from 'node:worker_threads';
parentPort.postMessage({ t: 'ready' });
parentPort.on('message', (m) => { if (m.t === 'chunk') process.exit(3); });`),
    );
    const text = readFileSync(join(FIXTURES, 'audit2rbac__demo.log'));
    const root = (): BundleRoot => memoryBundleRoot('two', { 'a/audit.log': text, 'b/audit-copy.log': Buffer.concat([text, Buffer.from('\n')]) });
    const r = await ingest(root, { parseWorkerUrl: dying });
    const [first, second] = r.result.sources;
    expect(first!.status).toBe('error');
    expect(first!.note).toMatch(/parse worker stopped/);
    expect(second!.status).toBe('ok');
    expect(second!.read).toBeGreaterThan(0);
    for (const s of r.result.sources) expect(s.read, s.path).toBe(s.stored + s.quarantined);
  });
});
