/**
 * Per-source warnings (schema v4): a case file of the previous schema opens, gains the column and
 * keeps its rows; warnings are stored bounded, merged, and read back; a read-only v3 case reads none.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseStore } from './case-store.js';
import { MIGRATIONS } from './migrations.js';
import { boundWarnings, parseWarnings, SOURCE_WARNING_LIMITS } from './source-warnings.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-srcwarn-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const WARNINGS_VERSION = MIGRATIONS.find((m) => /warnings per source/.test(m.description))!.version;

/** A case file as the tool before per-source warnings wrote it: migrations up to v3, one source row. */
function previousSchemaCase(path: string): void {
  const db = new Database(path);
  for (const m of MIGRATIONS.filter((x) => x.version < WARNINGS_VERSION)) {
    db.exec(m.sql);
    db.pragma(`user_version = ${m.version}`);
  }
  db.prepare(
    `INSERT INTO sources(path, kind, bytes, sha256, gzipped, status, note, records_read, records_stored, records_quarantined, ingested_at)
     VALUES ('old/audit.log', 'k8s_audit', 10, ?, 0, 'ok', NULL, 3, 3, 0, '2024-01-01T00:00:00Z')`,
  ).run('b'.repeat(64));
  db.close();
}

const columns = (db: Database.Database): string[] => (db.prepare("SELECT name FROM pragma_table_info('sources')").all() as { name: string }[]).map((c) => c.name);

describe('sources.warnings', () => {
  it('is added by a migration, after the previous latest schema', () => {
    expect(WARNINGS_VERSION).toBe(4);
    expect(MIGRATIONS[MIGRATIONS.length - 1]!.version).toBeGreaterThanOrEqual(WARNINGS_VERSION);
  });

  it('an old case file (previous schema) opens, gets the column, and keeps its rows', () => {
    const path = join(dir, 'old.sqlite');
    previousSchemaCase(path);
    const ro = CaseStore.open(path, { readonly: true });
    expect(ro.schemaVersion()).toBe(WARNINGS_VERSION - 1);
    expect(ro.sourceWarnings(1)).toEqual([]); // read-only: not migrated, still readable
    ro.close();

    const store = CaseStore.open(path);
    expect(store.schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    expect(columns(store.db)).toContain('warnings');
    expect(store.db.prepare('SELECT path, records_read, warnings FROM sources').all()).toEqual([{ path: 'old/audit.log', records_read: 3, warnings: null }]);
    expect(store.sourceWarnings(1)).toEqual([]);
    expect(store.addSourceWarnings(1, ['x.zip: CRC-32 mismatch in a.log (read anyway)'])).toEqual(['x.zip: CRC-32 mismatch in a.log (read anyway)']);
    store.close();
    const again = CaseStore.open(path);
    expect(again.sourceWarnings(1)).toEqual(['x.zip: CRC-32 mismatch in a.log (read anyway)']);
    again.close();
  });

  it('merges new warnings with the stored ones, each once, bounded', () => {
    const store = CaseStore.open(join(dir, 'new.sqlite'));
    const id = store.addSource({ path: 'a.log', kind: 'k8s_audit', bytes: 1, sha256: 'a'.repeat(64), gzipped: false });
    expect(store.sourceWarnings(id)).toEqual([]);
    expect(store.addSourceWarnings(id, [])).toEqual([]);
    expect(store.db.prepare('SELECT warnings FROM sources WHERE id = ?').pluck().get(id)).toBeNull();
    store.addSourceWarnings(id, ['one', 'two', 'one']);
    expect(store.addSourceWarnings(id, ['two', 'three'])).toEqual(['one', 'two', 'three']);
    const many = Array.from({ length: 500 }, (_, i) => `w${i}`);
    const kept = store.addSourceWarnings(id, many);
    expect(kept).toHaveLength(SOURCE_WARNING_LIMITS.count);
    expect(kept[kept.length - 1]).toBe(`${503 - (SOURCE_WARNING_LIMITS.count - 1)} more warnings not kept`);
    expect(JSON.parse(store.db.prepare('SELECT warnings FROM sources WHERE id = ?').pluck().get(id) as string)).toEqual(kept);
    store.close();
  });

  it('boundWarnings cuts long ones; parseWarnings reads only string arrays', () => {
    const long = 'é'.repeat(SOURCE_WARNING_LIMITS.chars + 10);
    const [cut] = boundWarnings([long]);
    expect(cut!.length).toBe(SOURCE_WARNING_LIMITS.chars);
    expect(cut!.endsWith('…')).toBe(true);
    expect(parseWarnings(null)).toEqual([]);
    expect(parseWarnings('not json')).toEqual([]);
    expect(parseWarnings('{"a":1}')).toEqual([]);
    expect(parseWarnings('["a", 2, "b"]')).toEqual(['a', 'b']);
  });
});
