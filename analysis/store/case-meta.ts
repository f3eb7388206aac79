/**
 * The case file's `meta` table (DESIGN.md "Data model"): small facts about the case as a whole —
 * a bulk load in progress, the version the GPU window parts were folded with. A free module so the
 * store's parts (gpu-window-parts.ts) and the store itself (case-store.ts) read and write it alike.
 */
import type Database from 'better-sqlite3';

export function readMeta(db: Database.Database, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function writeMeta(db: Database.Database, key: string, value: string): void {
  db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function deleteMeta(db: Database.Database, key: string): void {
  db.prepare('DELETE FROM meta WHERE key = ?').run(key);
}
