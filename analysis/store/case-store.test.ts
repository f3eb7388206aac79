import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../core/records.js';
import { CaseStore } from './case-store.js';
import { MIGRATIONS } from './migrations.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function auditEvent(auditId: string, stageRank: number, line: number, code?: number): EventRecord {
  return {
    ts: 1_700_000_000_000_000 + line,
    source: 'k8s_audit',
    actor: 'alice',
    action: 'get',
    resource: 'secrets',
    namespace: 'ml',
    job: 'ml/train',
    node: null,
    gpu: null,
    outcome: code ? 'success' : null,
    attrs: { audit: { auditID: auditId, stage: stageRank }, code },
    line,
    offset: line * 100,
    auditId,
    stageRank,
  };
}

describe('CaseStore', () => {
  it('migrates a new file to the latest schema and reopens it', () => {
    const path = join(dir, 'case.sqlite');
    CaseStore.open(path).close();
    const again = CaseStore.open(path);
    expect(again.schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    expect(again.db.pragma('journal_mode', { simple: true })).toBe('wal');
    again.close();
  });

  it('refuses a case file from a newer tool', () => {
    const path = join(dir, 'future.sqlite');
    const s = CaseStore.open(path);
    s.db.pragma('user_version = 999');
    s.close();
    expect(() => CaseStore.open(path)).toThrow(/newer than this tool/);
  });

  it('collapses the stages of one auditID, keeps the most complete, quarantines true duplicates', () => {
    const s = CaseStore.open(join(dir, 'c.sqlite'));
    const id = s.addSource({ path: 'audit.log', kind: 'k8s_audit', bytes: 10, sha256: 'a'.repeat(64), gzipped: false });
    const w = s.openRecordWriter(id);
    w.event(auditEvent('A', 0, 1)); // RequestReceived
    w.event(auditEvent('A', 2, 2, 200)); // ResponseComplete: replaces content
    w.event(auditEvent('A', 2, 3, 200)); // duplicate stage: quarantined
    w.event(auditEvent('B', 2, 4, 200));
    w.event(auditEvent('B', 0, 5)); // a less complete stage arriving late: merged, content kept
    w.quarantine({ line: 6, offset: 600, reason: 'invalid JSON', head: '{' });
    const c = w.finish();
    expect(c).toMatchObject({ read: 6, stored: 4, quarantined: 2, events: 2 });
    expect(c.read).toBe(c.stored + c.quarantined);
    const rows = s.db.prepare('SELECT audit_id, stage_rank, stages, outcome, line FROM events ORDER BY audit_id').all();
    expect(rows).toEqual([
      { audit_id: 'A', stage_rank: 2, stages: 2, outcome: 'success', line: 1 },
      { audit_id: 'B', stage_rank: 2, stages: 2, outcome: 'success', line: 4 },
    ]);
    const q = s.db.prepare('SELECT line, reason FROM quarantine ORDER BY line').all() as { line: number; reason: string }[];
    expect(q.map((r) => r.line)).toEqual([3, 6]);
    expect(q[0]!.reason).toMatch(/duplicate record: auditID A stage ResponseComplete/);
    s.close();
  });

  it('stores GPU samples under one series per label set, with null for blanks', () => {
    const s = CaseStore.open(join(dir, 'g.sqlite'));
    const id = s.addSource({ path: 'dcgm.prom', kind: 'dcgm_prom', bytes: 10, sha256: 'b'.repeat(64), gzipped: false });
    const w = s.openRecordWriter(id);
    const base = { node: 'n1', gpu: '0', job: 'ml/train', field: 'DCGM_FI_DEV_GPU_UTIL', labels: { UUID: 'GPU-1' } };
    w.gpuRecord([{ ...base, ts: 1, value: 50 }], 1, 0);
    w.gpuRecord([{ ...base, ts: 2, value: null }], 2, 10);
    const c = w.finish();
    expect(c).toMatchObject({ read: 2, stored: 2, gpuSamples: 2 });
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM gpu_series').get()).toEqual({ n: 1 });
    expect(s.db.prepare('SELECT value FROM gpu_samples_view ORDER BY ts').all()).toEqual([{ value: 50 }, { value: null }]);
    s.close();
  });

  it('finds a source already ingested by its SHA-256', () => {
    const s = CaseStore.open(join(dir, 'd.sqlite'));
    s.addSource({ path: 'x', kind: 'k8s_audit', bytes: 1, sha256: 'c'.repeat(64), gzipped: false });
    expect(s.sourceBySha('c'.repeat(64))).toMatchObject({ path: 'x' });
    expect(s.sourceBySha('d'.repeat(64))).toBeNull();
    s.close();
  });

  it('loads a new case file with its journal in memory, in one transaction, and leaves it in WAL', () => {
    const path = join(dir, 'bulk.sqlite');
    const s = CaseStore.open(path);
    s.beginBulkLoad();
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('memory');
    expect(s.loadTransaction).toBe(true);
    const id = s.addSource({ path: 'a.log', kind: 'k8s_audit', bytes: 1, sha256: 'e'.repeat(64), gzipped: false });
    const w = s.openRecordWriter(id);
    w.event(auditEvent('A', 2, 1, 200));
    s.finishSource(id, w.finish(), 'ok', null);
    expect(s.db.inTransaction).toBe(true); // writers leave the load's one transaction open
    // Opened meanwhile, the file says its load is unfinished (a crash now would leave it torn).
    expect(() => CaseStore.open(path, { readonly: true })).toThrow(/unfinished case file/);
    s.finalizeIngest();
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.getMeta('bulk_load_unfinished')).toBeNull();
    s.close();
    const again = CaseStore.open(path);
    expect(again.db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
    expect(again.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_%' ORDER BY name").all()).toEqual([
      { name: 'events_audit_id' }, { name: 'events_job_ts_actor' }, { name: 'events_source' }, { name: 'events_ts' },
    ]);
    again.close();
  });

  it('keeps WAL and commits as it goes for a case that has sources, or that another connection holds', () => {
    const path = join(dir, 'kept.sqlite');
    const first = CaseStore.open(path);
    first.addSource({ path: 'x', kind: 'k8s_audit', bytes: 1, sha256: 'f'.repeat(64), gzipped: false });
    first.beginBulkLoad();
    expect(first.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.loadTransaction).toBe(false);
    first.finalizeIngest();
    first.close();

    const fresh = join(dir, 'shared.sqlite');
    const s = CaseStore.open(fresh);
    // The workbench service keeps its own connection to the case it ingests into (WAL readers).
    const other = new Database(fresh, { readonly: true });
    other.prepare('SELECT COUNT(*) AS n FROM sources').get();
    s.beginBulkLoad();
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.getMeta('bulk_load_unfinished')).toBeNull();
    s.finalizeIngest();
    other.close();
    s.close();
  });

  it('an ingest that fails leaves the new case file in WAL, without the unfinished mark', () => {
    const path = join(dir, 'failed.sqlite');
    const s = CaseStore.open(path);
    s.beginBulkLoad();
    const id = s.addSource({ path: 'a.log', kind: 'k8s_audit', bytes: 1, sha256: 'a'.repeat(64), gzipped: false });
    s.openRecordWriter(id).event(auditEvent('A', 2, 1, 200));
    s.endBulkLoad();
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    // The auditID index the load went without is back.
    expect(s.db.prepare("SELECT name FROM sqlite_master WHERE name = 'events_audit_id'").get()).toEqual({ name: 'events_audit_id' });
    expect(s.auditIds).toBeNull();
    s.close();
    expect(() => CaseStore.open(path).close()).not.toThrow();
  });
});
