/**
 * The writer's two ways of finding an auditID already in the case: the unique index (a case that
 * already holds sources, loaded in WAL) and, while a new case file bulk-loads without that index,
 * the store's auditID table (audit-id-table.ts), with rows written one by one or many per INSERT
 * (`deferRows`), and a table that gives up halfway (the index is built and takes over). All must
 * give the same case: rows, ids, merges and quarantine rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../core/records.js';
import { mulberry32 } from '../core/mulberry32.js';
import { AuditIdTable } from './audit-id-table.js';
import { CaseStore } from './case-store.js';
import { MIGRATIONS } from './migrations.js';
import { STAGE_WINDOW_ROWS, stageName } from './stage-window.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-writer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function record(id: string | undefined, rank: number | undefined, line: number): EventRecord {
  const raw = JSON.stringify({ auditID: id, stage: rank === undefined ? undefined : stageName(rank), line });
  return {
    ts: 1_700_000_000_000_000 + line * 7 - (rank ?? 0),
    source: 'k8s_audit',
    actor: `u${line % 5}`,
    action: 'get',
    resource: 'pods',
    namespace: 'ml',
    job: `ml/j${line % 3}`,
    node: null,
    gpu: null,
    outcome: rank !== undefined && rank >= 2 ? 'success' : null,
    attrs: { audit: JSON.parse(raw), line },
    line,
    offset: line * 100,
    auditId: id,
    stageRank: rank,
  };
}

/**
 * Two sources of records: stage pairs, stragglers past the stage window (merged in the case),
 * repeated stages near and far, a stage repeated in the other source, records with an auditID
 * but no known stage, records without an auditID.
 */
function sources(): EventRecord[][] {
  const rand = mulberry32(11);
  const out: EventRecord[][] = [[], []];
  let line = 0;
  const far = STAGE_WINDOW_ROWS + 50;
  for (let src = 0; src < 2; src++) {
    const recs = out[src]!;
    for (let i = 0; i < 2 * far; i++) {
      const id = `id-${Math.floor(i / 2) % far}`; // ids come back after the window
      const r = rand();
      if (r < 0.05) recs.push(record(undefined, undefined, ++line));
      else if (r < 0.08) recs.push(record(id, undefined, ++line));
      else recs.push(record(src === 1 && r < 0.2 ? `id-${i % 500}` : id, r < 0.5 ? 0 : r < 0.9 ? 2 : 3, ++line));
    }
  }
  return out;
}

type Mode = 'indexed' | 'table' | 'table-deferred' | 'table-gives-up';

function load(mode: Mode): { events: unknown[]; quarantine: unknown[]; counts: unknown[]; indexSql: unknown } {
  const store = CaseStore.open(join(dir, `${mode}.sqlite`));
  try {
    // The same source ids either way: a source added before the load keeps it in WAL, with the index.
    if (mode === 'indexed') store.addSource({ path: 'x', kind: 'k8s_audit', bytes: 1, sha256: 'f'.repeat(64), gzipped: false });
    store.beginBulkLoad();
    if (mode !== 'indexed') store.addSource({ path: 'x', kind: 'k8s_audit', bytes: 1, sha256: 'f'.repeat(64), gzipped: false });
    expect(store.auditIds !== null, mode).toBe(mode !== 'indexed');
    // A fixed seed: whether a probe runs past maxProbe depends on the hashes, and with a random seed
    // this table sometimes never gave up (one CI run in many). With seed 1 it gives up in the first source.
    if (mode === 'table-gives-up') store.auditIds = new AuditIdTable({ seed: 1, maxProbe: 3 });
    const counts: unknown[] = [];
    sources().forEach((recs, n) => {
      const id = store.addSource({ path: `s${n}`, kind: 'k8s_audit', bytes: 1, sha256: String(n).repeat(64), gzipped: false });
      const w = store.openRecordWriter(id);
      w.deferRows = mode === 'table-deferred';
      recs.forEach((r, i) => {
        w.event(r);
        if (i % 97 === 0) w.flushRows();
      });
      const c = w.finish();
      expect(c.read).toBe(c.stored + c.quarantined);
      counts.push(c);
      store.finishSource(id, c, 'ok', null);
    });
    if (mode === 'table-gives-up') expect(store.auditIds).toBeNull();
    store.finalizeIngest();
    return {
      events: store.db.prepare('SELECT * FROM events ORDER BY id').all(),
      quarantine: store.db.prepare('SELECT * FROM quarantine ORDER BY id').all(),
      counts,
      indexSql: store.db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'events_audit_id'").get(),
    };
  } finally {
    store.close();
  }
}

describe('SqliteRecordWriter', () => {
  it('merges and quarantines alike through the unique index and through the bulk load auditID table', () => {
    const indexed = load('indexed');
    expect(indexed.quarantine.length).toBeGreaterThan(100);
    expect((indexed.events as { stages: number }[]).filter((e) => e.stages > 1).length).toBeGreaterThan(1000);
    // The index comes back exactly as the migration made it.
    expect(String((indexed.indexSql as { sql: string }).sql)).toBe('CREATE UNIQUE INDEX events_audit_id ON events(audit_id) WHERE audit_id IS NOT NULL');
    expect(MIGRATIONS[0]!.sql).toContain((indexed.indexSql as { sql: string }).sql);
    for (const mode of ['table', 'table-deferred', 'table-gives-up'] as const) {
      const got = load(mode);
      expect(got.events, mode).toEqual(indexed.events);
      expect(got.quarantine, mode).toEqual(indexed.quarantine);
      expect(got.counts, mode).toEqual(indexed.counts);
      expect(got.indexSql, mode).toEqual(indexed.indexSql);
    }
  });
});
